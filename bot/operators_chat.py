"""At start: is the operators' group set up so that cases can reach it? Each problem is logged
with what an admin does about it. Cases are kept meanwhile (the outbox waits), so the bot starts
anyway: a person asking for a lawyer is never turned away for a setting."""

from __future__ import annotations

import logging

from aiogram import Bot

from bot.startup import FINAL

logger = logging.getLogger(__name__)


async def check_operators_chat(bot: Bot, chat_id: int | None) -> list[str]:
    """What is wrong with OPERATORS_CHAT_ID, as sentences for the log; [] when all is well.

    A Telegram that fails for a moment, or answers what the library cannot read, raises: at
    start-up bot.startup tries again; only a refusal names a setting to fix."""
    if chat_id is None:
        return []
    problems: list[str] = []
    try:
        chat = await bot.get_chat(chat_id)
    except FINAL as error:
        problems.append(
            f"the bot cannot see the group {chat_id} ({error.message}): check OPERATORS_CHAT_ID "
            "and that the bot is a member of the group"
        )
        return _log(problems)
    if chat.type != "supergroup":
        problems.append(
            f"{chat_id} is not a supergroup: turn on Topics in the group's settings (this makes "
            "it a supergroup with a new id, which goes into OPERATORS_CHAT_ID)"
        )
    elif not chat.is_forum:
        problems.append(f"Topics are off in the group {chat_id}: turn them on in its settings")
    try:
        me = await bot.me()
        member = await bot.get_chat_member(chat_id, me.id)
    except FINAL as error:
        problems.append(f"cannot read the bot's rights in {chat_id} ({error.message})")
        return _log(problems)
    if member.status != "administrator" and member.status != "creator":
        problems.append(
            f"the bot is not an administrator of the group {chat_id}: make it one, with the "
            "right to manage topics"
        )
    elif member.status == "administrator" and not getattr(member, "can_manage_topics", False):
        problems.append(f"give the bot the right to manage topics in the group {chat_id}")
    return _log(problems)


def _log(problems: list[str]) -> list[str]:
    for problem in problems:
        logger.warning("Operators' group: %s. New cases wait until this is fixed.", problem)
    if not problems:
        logger.info("Operators' group: ready (a supergroup with topics, the bot an admin)")
    return problems

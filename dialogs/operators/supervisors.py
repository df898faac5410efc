"""Who is a supervisor of the operators' group: one of its administrators or its creator, as
Telegram says (getChatMember). The NGO manages that in Telegram itself, so the bot keeps no
list of its own; an answer is remembered for a minute, so a few presses in a row ask once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError

logger = logging.getLogger(__name__)

SUPERVISOR_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.CREATOR)
REMEMBER_SECONDS = 60.0
"""How long Telegram's answer is trusted: a demoted admin keeps the right this long at most."""


class Supervisors:
    """Answers of getChatMember, remembered briefly, by the operator's pseudonym (never the
    raw id, even in memory longer than the call)."""

    def __init__(
        self,
        remember: float = REMEMBER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._remember = remember
        self._clock = clock
        self._known: dict[str, tuple[bool, float]] = {}

    async def check(self, bot: Bot, chat_id: int, user_id: int, operator: str) -> bool:
        """Whether the user is an administrator or the creator of the chat. If Telegram cannot
        be asked, no (and nothing is remembered): lifting a block can wait a moment."""
        now = self._clock()
        known = self._known.get(operator)
        if known is not None and known[1] > now:
            return known[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError as error:
            logger.warning("Could not ask Telegram who is an admin of the group: %s", error)
            return False
        answer = member.status in SUPERVISOR_STATUSES
        self._known = {key: value for key, value in self._known.items() if value[1] > now}
        self._known[operator] = (answer, now + self._remember)
        return answer

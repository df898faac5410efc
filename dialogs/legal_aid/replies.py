"""A person answering the support team by replying to its message, from wherever they are.

Telegram invites a reply to a message; a survivor who gets "💬 The support team · request
K7MQ-4XT9 …" will often just reply to it, without going to "I need a lawyer" → "Write to the
team". Such a reply (text, to the bot's message that names their open request) goes to the
request's topic. Any other message goes on to the flows as before.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.casework import CaseDesk

SENT = N_("Sent to the support team (request {code}).")


async def on_reply(
    message: Message,
    case_desk: CaseDesk,
    session: AsyncSession,
    pseudonym: str | None,
    danger_shown: bool = False,  # set by the danger middleware (dialogs/danger.py)
) -> None:
    replied = message.reply_to_message
    text = message.text or ""
    if pseudonym is None or replied is None or text.startswith("/"):
        raise SkipHandler
    case = await case_desk.cases(session).active_for(pseudonym)
    if case is None or case.code not in (replied.text or ""):
        raise SkipHandler  # a reply to something else: the flows answer it
    sent = await case_desk.person_writes(
        session, pseudonym, message.chat.id, text, danger=danger_shown
    )
    if sent is None:
        raise SkipHandler  # not relayed (the person is blocked): the flows answer it
    await message.answer(_(SENT).format(code=case.code))


def create_router() -> Router:
    router = Router(name="legal-aid-replies")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_reply, F.text, F.reply_to_message.from_user.is_bot)
    return router

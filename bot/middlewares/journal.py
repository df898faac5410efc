"""Feed the chat journal (bot/chat_journal.py): every message of a private chat, both ways."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import CopyMessage, CopyMessages, ForwardMessage, ForwardMessages
from aiogram.methods.base import TelegramMethod, TelegramType
from aiogram.types import Message, MessageId, TelegramObject, Update

from bot.chat_journal import ChatJournal

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response


class JournalRequests(BaseRequestMiddleware):
    """On the bot's session: notes the id of every message the bot sends to a private chat,
    whoever sends it (aiogram-dialog, a handler's answer, the outbox worker)."""

    def __init__(self, journal: ChatJournal) -> None:
        self._journal = journal

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        result: Any = await make_request(bot, method)
        for message in result if isinstance(result, list) else (result,):
            if isinstance(message, Message) and message.chat.type == "private":
                self._journal.note(message.chat.id, message.message_id)
            elif isinstance(message, MessageId) and isinstance(
                method, CopyMessage | CopyMessages | ForwardMessage | ForwardMessages
            ):
                chat_id = method.chat_id
                if isinstance(chat_id, int) and chat_id > 0:  # a private chat's id is positive
                    self._journal.note(chat_id, message.message_id)
        return result  # type: ignore[no-any-return]


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class JournalMiddleware(BaseMiddleware):
    """On updates, inside DatabaseMiddleware: notes the person's message and, once the handler
    is done, writes every noted id in the update's own transaction."""

    def __init__(self, journal: ChatJournal) -> None:
        self._journal = journal

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            message = event.message or event.edited_message
            if message is not None and message.chat.type == "private":
                self._journal.note(message.chat.id, message.message_id)
        data["journal"] = self._journal
        result = await handler(event, data)
        session = data.get("session")
        if session is not None:
            await self._journal.flush_into(session)
        return result

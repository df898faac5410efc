"""Groups, supergroups and channels other than the operators' chat: the bot is not for them.

Added to one, the bot says once, in a neutral line that names nothing of what it is for, that
it works only in private chats, and leaves. A message, post or button press from such a chat
(the bot was added before this existed) does the same. Nothing about these chats or who added
the bot is stored; only the chat's id is logged (a group's id is not a person's), which is how
an admin finds the id for OPERATORS_CHAT_ID.

Private chats are not handled here: a person blocking the bot is a `my_chat_member` update of
their private chat, which this router never sees.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from enum import Enum

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import IS_MEMBER, ChatMemberUpdatedFilter
from aiogram.types import CallbackQuery, Chat, ChatMemberUpdated, Message, User
from aiogram.utils.i18n import I18n

from bot.i18n import N_, normalize_language

logger = logging.getLogger(__name__)

LEAVING = N_("I only work in private chats, so I am leaving this chat.")

REMEMBERED_CHATS = 1024
"""How many chats the farewells remember (in memory only), so a burst of updates from one chat
gets one line; the oldest are forgotten first."""


class _Step(Enum):
    TOLD = "told"  # said the line; leaving failed for a passing reason, so try again
    LEAVING = "leaving"  # an update of this chat is saying it and leaving right now
    LEFT = "left"


class _Farewells:
    """Says the line once per visit and leaves. The join, its service message and whatever
    people wrote meanwhile arrive as several updates, in any order: each chat is remembered
    with the date of the update that made the bot leave, so a join dated no later belongs to
    the visit already ended, and only a later one (the bot added again) is told again."""

    def __init__(self, limit: int = REMEMBERED_CHATS) -> None:
        self._limit = limit
        self._chats: OrderedDict[int, tuple[_Step, datetime | None]] = OrderedDict()

    def joined(self, chat_id: int, date: datetime) -> None:
        entry = self._chats.get(chat_id)
        if entry is not None and entry[1] is not None and date <= entry[1]:
            return
        self._chats.pop(chat_id, None)

    async def leave(
        self, bot: Bot, chat: Chat, text: str | None, date: datetime | None = None
    ) -> None:
        """Say `text` (None: say nothing) unless said already, then leave the chat."""
        step, _ = self._chats.get(chat.id, (None, None))
        if step in (_Step.LEAVING, _Step.LEFT):
            return
        self._remember(chat.id, _Step.LEAVING, date)
        if step is None and text is not None:
            try:
                await bot.send_message(chat.id, text)
            except TelegramAPIError as error:
                logger.warning("Could not say goodbye in %s %s: %s", chat.type, chat.id, error)
        self._remember(chat.id, await _leave(bot, chat), date)

    def _remember(self, chat_id: int, step: _Step, date: datetime | None) -> None:
        self._chats[chat_id] = (step, date)
        self._chats.move_to_end(chat_id)
        while len(self._chats) > self._limit:
            self._chats.popitem(last=False)


async def _leave(bot: Bot, chat: Chat) -> _Step:
    try:
        await bot.leave_chat(chat.id)
    except TelegramForbiddenError:
        return _Step.LEFT  # removed, or gone already: nothing left to do
    except TelegramBadRequest as error:
        logger.warning("Could not leave %s %s: %s", chat.type, chat.id, error)
        return _Step.LEFT  # Telegram refuses it as asked; trying again would not help
    except TelegramAPIError as error:
        logger.warning("Could not leave %s %s, will try again: %s", chat.type, chat.id, error)
        return _Step.TOLD
    if chat.type == "channel":
        logger.info("Left channel %s: the bot works only in private chats", chat.id)
    else:
        logger.info(
            "Left %s %s: the bot works only in private chats and the operators' group. If this "
            "is the operators' group, set OPERATORS_CHAT_ID=%s, restart, and add the bot again.",
            chat.type,
            chat.id,
            chat.id,
        )
    return _Step.LEFT


def _line(i18n: I18n, user: User | None) -> str:
    """The line in the language of the person's Telegram app when it is one of the six, else
    DEFAULT_LANGUAGE: never a saved choice, so nothing of their use of the bot shows here."""
    language = normalize_language(user.language_code if user else None)
    return i18n.gettext(LEAVING, locale=language or i18n.default_locale)


def create_router(operators_chat_id: int | None) -> Router:
    farewells = _Farewells()

    async def on_added(event: ChatMemberUpdated, bot: Bot, i18n: I18n) -> None:
        farewells.joined(event.chat.id, event.date)
        member = event.new_chat_member
        if event.chat.type == "channel":
            can_post = bool(getattr(member, "can_post_messages", False))
        else:
            can_post = bool(getattr(member, "can_send_messages", True))  # restricted or not
        text = _line(i18n, event.from_user) if can_post else None
        await farewells.leave(bot, event.chat, text, event.date)

    async def on_message(message: Message, bot: Bot, i18n: I18n) -> None:
        text = None if message.chat.type == "channel" else _line(i18n, message.from_user)
        await farewells.leave(bot, message.chat, text, message.date)

    async def on_button(callback: CallbackQuery, bot: Bot, i18n: I18n) -> None:
        try:
            await callback.answer()
        except TelegramAPIError as error:  # too old, or Telegram failing: leave all the same
            logger.warning("Could not answer a button press: %s", error)
        message = callback.message
        assert message is not None  # the filter saw its chat
        text = None if message.chat.type == "channel" else _line(i18n, callback.from_user)
        await farewells.leave(bot, message.chat, text)

    router = Router(name="foreign-chats")
    foreign = F.chat.type != "private"
    pressed_in_foreign = F.message.chat.type != "private"
    if operators_chat_id is not None:
        foreign &= F.chat.id != operators_chat_id
        pressed_in_foreign &= F.message.chat.id != operators_chat_id
    router.my_chat_member.register(on_added, foreign, ChatMemberUpdatedFilter(IS_MEMBER))
    router.message.register(on_message, foreign)
    router.edited_message.register(on_message, foreign)
    router.channel_post.register(on_message, foreign)
    router.callback_query.register(on_button, pressed_in_foreign)
    return router

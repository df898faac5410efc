"""Driving the real dispatcher as a person would: type, tap, look at the screen."""

from __future__ import annotations

import re
from typing import Any

from aiogram.utils.i18n import I18n

from bot.emulator import ChatMessage, TelegramEmulator
from bot.offline import OfflineBot


class Person:
    """One person in a private chat with the bot, through the emulated Telegram."""

    def __init__(self, offline: OfflineBot, user_id: int, language_code: str | None) -> None:
        self.offline = offline
        self.user_id = user_id
        self.emulator: TelegramEmulator = offline.emulator
        self.emulator.add_private_user(user_id, first_name="Test", language_code=language_code)
        self._seen = 0

    async def _deliver(self, update: dict[str, Any]) -> None:
        self._seen = self._last_seq()
        await self.offline.deliver(update)

    def _last_seq(self) -> int:
        events = self.emulator.events(self.user_id)
        return events[-1].seq if events else 0

    async def send(self, text: str) -> None:
        await self._deliver(self.emulator.user_sends_text(self.user_id, text))

    async def send_kind(self, kind: str) -> None:
        """sticker, photo, voice, video, document, location, contact, poll, dice"""
        await self._deliver(getattr(self.emulator, f"user_sends_{kind}")(self.user_id))

    async def edit_last_text(self, text: str) -> None:
        mine = [m for m in self.emulator.messages_in(self.user_id) if not m.from_bot]
        await self._deliver(
            self.emulator.user_edits_message(self.user_id, mine[-1].message_id, text)
        )

    async def press(self, label: str | re.Pattern[str]) -> None:
        """Tap the button with this exact label (or matching pattern) on the newest screen."""
        await self._deliver(self.emulator.user_presses_button(self.user_id, label))

    async def press_forged(self, data: str, message_id: int | None = None) -> None:
        await self._deliver(
            self.emulator.user_presses_button(
                self.user_id, data=data, forged=True, message_id=message_id
            )
        )

    @property
    def screen(self) -> ChatMessage:
        """The newest visible bot message that has buttons: what the person acts on."""
        with_buttons = [
            m for m in self.emulator.visible_messages(self.user_id) if m.from_bot and m.buttons
        ]
        assert with_buttons, "no screen with buttons"
        return with_buttons[-1]

    @property
    def last(self) -> ChatMessage:
        """The newest visible bot message."""
        mine = [m for m in self.emulator.visible_messages(self.user_id) if m.from_bot]
        assert mine, "the bot has said nothing"
        return mine[-1]

    def new_texts(self) -> list[str]:
        """Texts the bot sent or changed in answer to the last action."""
        return [
            event.message.get("text", "")
            for event in self.emulator.events(self.user_id, after_seq=self._seen)
            if event.from_bot and event.kind in {"new", "edited"} and event.message
        ]

    def notices(self) -> list[str]:
        """Toasts shown in answer to the last button press."""
        return [
            event.text or ""
            for event in self.emulator.events(self.user_id, after_seq=self._seen)
            if event.kind == "callback_answer"
        ]


def translator(offline: OfflineBot) -> I18n:
    assert offline.dp is not None
    return offline.dp["resources"].i18n  # type: ignore[no-any-return]


def plain(html: str) -> str:
    """A catalog text as Telegram shows it (tags removed)."""
    return re.sub(r"</?[a-z]+>", "", html)

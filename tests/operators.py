"""An operators' group beside the people: fixtures and an Operator who acts in it."""

from __future__ import annotations

import re
from typing import Any

from bot.config import Settings
from bot.emulator import DEFAULT_TOKEN, ChatMessage, TelegramEmulator
from bot.offline import OfflineBot

OPS = -1001500000001
OPERATOR = 9001
COLLEAGUE = 9002
OPERATOR_NAME = "Aida"
OPERATOR_USERNAME = "aida_operator"


def ops_settings(settings: Settings, **extra: Any) -> Settings:
    # Operators always "at work" unless a test says otherwise, so texts do not depend on
    # the hour the suite runs.
    values: dict[str, Any] = {
        "operators_chat_id": OPS,
        "operators_language": "en",
        "operators_hours": "Mon-Sun 00:00-24:00",
        **extra,
    }
    return settings.model_copy(update=values)


def ops_emulator() -> TelegramEmulator:
    emulator = TelegramEmulator(DEFAULT_TOKEN)
    emulator.add_private_user(OPERATOR, OPERATOR_NAME, username=OPERATOR_USERNAME)
    emulator.add_private_user(COLLEAGUE, "Bakyt", username="bakyt_operator")
    emulator.add_supergroup(OPS, "Operators", members=[OPERATOR, COLLEAGUE])
    return emulator


class Operator:
    """A member of the operators' group."""

    def __init__(self, offline: OfflineBot, user_id: int = OPERATOR) -> None:
        self.offline = offline
        self.user_id = user_id
        self.emulator = offline.emulator

    def topic_of(self, code: str) -> int:
        for topic in self.emulator.topics(OPS):
            if code in topic.name:
                return topic.message_thread_id
        raise AssertionError(f"no topic for {code}: {self.emulator.topics(OPS)}")

    def messages(self, thread: int | None = None) -> list[ChatMessage]:
        return [
            message
            for message in self.emulator.visible_messages(OPS)
            if message.from_bot
            and (thread is None or message.data.get("message_thread_id") == thread)
            and message.text
        ]

    def texts(self, thread: int | None = None) -> list[str]:
        return [message.text or "" for message in self.messages(thread)]

    def card(self, code: str) -> ChatMessage:
        thread = self.topic_of(code)
        cards = [m for m in self.messages(thread) if (m.text or "").startswith("📁")]
        assert cards, f"no card in the topic of {code}"
        return cards[0]

    async def write(self, code: str, text: str) -> None:
        update = self.emulator.user_sends_text(
            self.user_id, text, chat_id=OPS, message_thread_id=self.topic_of(code)
        )
        await self.offline.deliver(update)
        await self.offline.drain()

    async def send_in_general(self, text: str) -> None:
        await self.offline.deliver(self.emulator.user_sends_text(self.user_id, text, chat_id=OPS))
        await self.offline.drain()

    async def press(self, label: str | re.Pattern[str], message: ChatMessage) -> list[str]:
        """Tap a button on a message of the group; the toasts shown in answer."""
        before = len(self.emulator.calls_to("answerCallbackQuery"))
        update = self.emulator.user_presses_button(
            self.user_id, label, chat_id=OPS, message_id=message.message_id
        )
        await self.offline.deliver(update)
        await self.offline.drain()
        return [
            call.get("text", "") for call in self.emulator.calls_to("answerCallbackQuery")[before:]
        ]

"""`python -m bot chat`: talk to the bot offline, in this terminal.

The same dispatcher as on Telegram, wired to the in-process emulator. The person types text,
a command, or the number of a button; everything the bot does in the chat (new messages, edits,
deletions, notices) is printed in order.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.emulator import ChatEvent, EmulatorError
from bot.offline import OfflineBot

# A fixed, obviously fake person, so a conversation continues across runs of the chat.
OFFLINE_USER_ID = 100_000_001
WIDTH = 78

HELP = """\
Type a message and press Enter. A number presses that button of the newest screen.
  :sticker :photo :voice :video :document :location :contact   send that kind of message
  :edit TEXT    edit your last text message
  :restart      restart the bot (the conversation continues from the database)
  :help         this help           :quit (or Ctrl-D)  leave
"""


class Transcript:
    """Prints what the person would see, and remembers the newest buttons."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self.buttons: list[tuple[int, str]] = []  # (message_id, button text), numbered from 1

    def show(self, events: list[ChatEvent]) -> None:
        for event in events:
            if event.kind == "new" and event.from_bot and event.message is not None:
                self._message(event.message, "bot")
            elif event.kind == "edited" and event.from_bot and event.message is not None:
                self._message(event.message, "bot (updated the screen)")
            elif event.kind == "deleted" and event.from_bot:
                self._write("  · the bot removed one of its messages")
            elif event.kind == "deleted":
                self._write("  · the bot removed one of your messages")
            elif event.kind == "callback_answer" and event.text:
                self._write(f"  · notice: {event.text}")

    def _message(self, message: dict[str, Any], who: str) -> None:
        self._write(f"┌─ {who}")
        for paragraph in (message.get("text") or message.get("caption") or "").split("\n"):
            lines = textwrap.wrap(paragraph, WIDTH - 2) or [""]
            for line in lines:
                self._write(f"│ {line}")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if not rows and any(mid == message["message_id"] for mid, _ in self.buttons):
            self.buttons = []  # the screen that had the buttons has none any more
        if rows:
            self.buttons = []
            for row in rows:
                labels = []
                for button in row:
                    self.buttons.append((message["message_id"], button["text"]))
                    labels.append(f"[{len(self.buttons)}] {button['text']}")
                self._write("│   " + "   ".join(labels))
        self._write("└─")


async def run_chat(
    settings: Settings,
    *,
    user_language: str | None = None,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> int:
    offline = OfflineBot(settings)
    emulator = offline.emulator
    emulator.add_private_user(
        OFFLINE_USER_ID, first_name="You", language_code=user_language, started=True
    )
    transcript = Transcript(write)
    seen = 0
    last_text_id: int | None = None

    await offline.start()
    write("Offline chat with the bot: no Telegram, no network. Type :help for help.")
    try:
        first = emulator.user_sends_text(OFFLINE_USER_ID, "/start")
        write("you> /start")
        await offline.deliver(first)
        while True:
            events = emulator.events(OFFLINE_USER_ID, after_seq=seen)
            transcript.show(events)
            if events:
                seen = events[-1].seq
            scripted = read is input and not sys.stdin.isatty()
            try:
                line = (await asyncio.to_thread(read, "" if scripted else "you> ")).strip()
            except (EOFError, KeyboardInterrupt):
                write("")
                return 0
            if scripted:
                write(f"you> {line}")  # echo piped input so the transcript reads well
            if not line:
                continue
            if line in {":quit", ":q", ":exit"}:
                return 0
            if line == ":help":
                write(HELP)
                continue
            if line == ":restart":
                await offline.restart()
                write("  · the bot was restarted")
                continue
            try:
                update = _update_for(line, emulator, transcript, last_text_id)
            except EmulatorError as exc:
                write(f"  · {exc}")
                continue
            if update is None:
                write("  · no such button; type :help for help")
                continue
            message = update.get("message")
            if message is not None and "text" in message:
                last_text_id = message["message_id"]
            await offline.deliver(update)
    finally:
        await offline.stop()


def _update_for(
    line: str,
    emulator: Any,
    transcript: Transcript,
    last_text_id: int | None,
) -> dict[str, Any] | None:
    user = OFFLINE_USER_ID
    if line.isdigit():
        number = int(line)
        if not 1 <= number <= len(transcript.buttons):
            return None
        message_id, text = transcript.buttons[number - 1]
        return emulator.user_presses_button(user, text, message_id=message_id)  # type: ignore[no-any-return]
    kinds = {
        ":sticker": lambda: emulator.user_sends_sticker(user),
        ":photo": lambda: emulator.user_sends_photo(user),
        ":voice": lambda: emulator.user_sends_voice(user),
        ":video": lambda: emulator.user_sends_video(user),
        ":document": lambda: emulator.user_sends_document(user),
        ":location": lambda: emulator.user_sends_location(user),
        ":contact": lambda: emulator.user_sends_contact(user),
    }
    if line in kinds:
        return kinds[line]()  # type: ignore[no-any-return]
    if line.startswith(":edit "):
        if last_text_id is None:
            raise EmulatorError("there is no text message of yours to edit yet")
        return emulator.user_edits_message(user, last_text_id, line[6:])  # type: ignore[no-any-return]
    return emulator.user_sends_text(user, line)  # type: ignore[no-any-return]

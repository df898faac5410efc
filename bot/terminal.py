"""`python -m bot chat`: talk to the bot offline, in this terminal.

The same dispatcher as on Telegram, wired to the in-process emulator. The person types text,
a command, or the number of a button; everything the bot does in the chat (new messages, edits,
deletions, notices) is printed in order.

An operators' group with topics exists too, and `:op` lets you play an operator in it: claim
and resolve a request you just sent as the person, answer it, and see the answer arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.emulator import ChatEvent, EmulatorError
from bot.offline import OfflineBot

# A fixed, obviously fake person, so a conversation continues across runs of the chat.
OFFLINE_USER_ID = 100_000_001
OFFLINE_OPERATOR_ID = 100_000_002
OFFLINE_OPERATORS_CHAT = -1_000_000_000_777
WIDTH = 78

HELP = """\
Type a message and press Enter. A number presses that button of the newest screen.
  :sticker :photo :voice :video :document :location :contact   send that kind of message
  :edit TEXT    edit your last text message
  :reply TEXT   reply to the bot's newest message (e.g. to the support team's answer)
  :save [FILE]  save the newest file the bot sent (e.g. the complaint draft) to open it
  :op [TOPIC]   act as an operator in the operators' group (in that topic; :topics lists them)
  :me           be the person again
  :restart      restart the bot (the conversation continues from the database)
  :help         this help           :quit (or Ctrl-D)  leave
"""


class Transcript:
    """Prints what the person would see, and remembers the newest buttons."""

    def __init__(self, write: Callable[[str], None], where: str = "") -> None:
        self._write = write
        self._where = where  # "" for the person's chat; else the group, shown in each header
        self.buttons: list[tuple[int, str]] = []  # (message_id, button text), numbered from 1

    def show(self, events: list[ChatEvent]) -> None:
        deleted = {True: 0, False: 0}  # a run of deletions (Exit) is told in one line
        for event in events:
            if event.kind == "deleted":
                deleted[event.from_bot] += 1
                continue
            self._deletions(deleted)
            if event.kind == "new" and event.from_bot and event.message is not None:
                self._message(event.message, "bot")
            elif event.kind == "edited" and event.from_bot and event.message is not None:
                self._message(event.message, "bot (updated the screen)")
            elif event.kind == "callback_answer" and event.text:
                self._write(f"  · notice: {event.text}")
        self._deletions(deleted)

    def _deletions(self, deleted: dict[bool, int]) -> None:
        if deleted[True] + deleted[False] == 1:
            whose = "its" if deleted[True] else "your"
            self._write(f"  · the bot removed one of {whose} messages")
        elif deleted[True] + deleted[False] > 1:
            self._write(
                f"  · the bot deleted {deleted[True] + deleted[False]} messages of this chat "
                f"({deleted[False]} of yours, {deleted[True]} of its own)"
            )
        deleted[True] = deleted[False] = 0

    def _message(self, message: dict[str, Any], who: str) -> None:
        created = message.get("forum_topic_created")
        if created is not None:
            self._write(f"  · a new topic in the {self._where}: {created.get('name', '')}")
            return
        if self._where:
            topic = message.get("message_thread_id")
            who = f"{who} → {self._where}" + (f", topic {topic}" if topic else ", General")
        self._write(f"┌─ {who}")
        document = message.get("document")
        if document is not None:
            size = max(1, round(document.get("file_size", 0) / 1024))
            name = document.get("file_name", "file")
            self._write(f"│ 📄 {name} ({size} KB): type :save to keep it and open it")
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
    # Offline, the operators' group is the emulator's: whatever OPERATORS_CHAT_ID says is for
    # Telegram.
    settings = settings.model_copy(update={"operators_chat_id": OFFLINE_OPERATORS_CHAT})
    offline = OfflineBot(settings)
    emulator = offline.emulator
    emulator.add_private_user(
        OFFLINE_USER_ID, first_name="You", language_code=user_language, started=True
    )
    emulator.add_private_user(OFFLINE_OPERATOR_ID, first_name="Operator", started=True)
    emulator.add_supergroup(
        OFFLINE_OPERATORS_CHAT, "Operators (offline)", members=[OFFLINE_OPERATOR_ID]
    )
    # The one operator offline made the group, so they can also lift a block they tried.
    emulator.set_member_status(OFFLINE_OPERATORS_CHAT, OFFLINE_OPERATOR_ID, "creator")
    views = {
        "person": _View(OFFLINE_USER_ID, OFFLINE_USER_ID, Transcript(write)),
        "operator": _View(
            OFFLINE_OPERATORS_CHAT, OFFLINE_OPERATOR_ID, Transcript(write, "operators' group")
        ),
    }
    active = views["person"]
    last_text_id: int | None = None

    await offline.start()
    write("Offline chat with the bot: no Telegram, no network. Type :help for help.")
    try:
        first = emulator.user_sends_text(OFFLINE_USER_ID, "/start")
        write("you> /start")
        await offline.deliver(first)
        while True:
            await _settle(offline)
            for view in views.values():
                view.show(emulator)
            scripted = read is input and not sys.stdin.isatty()
            prompt = "" if scripted else active.prompt()
            try:
                line = (await asyncio.to_thread(read, prompt)).strip()
            except (EOFError, KeyboardInterrupt):
                write("")
                return 0
            if scripted:
                write(f"{active.prompt()}{line}")  # echo piped input: the transcript reads well
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
            if line == ":me":
                active = views["person"]
                continue
            if line.split()[0] == ":save":
                _save_document(line, emulator, write)
                continue
            if line == ":topics" or line.split()[0] == ":op":
                active = views["operator"]
                _choose_topic(line, active, emulator, write)
                continue
            try:
                if active is views["person"]:
                    update = _update_for(line, emulator, active.transcript, last_text_id)
                else:
                    update = _operator_update(line, emulator, active)
            except EmulatorError as exc:
                write(f"  · {exc}")
                continue
            if update is None:
                write("  · no such button; type :help for help")
                continue
            message = update.get("message")
            if message is not None and "text" in message and active is views["person"]:
                last_text_id = message["message_id"]
            await offline.deliver(update)
    finally:
        await offline.stop()


class _View:
    """One side of the offline world: the person's chat, or the operators' group."""

    def __init__(self, chat_id: int, user_id: int, transcript: Transcript) -> None:
        self.chat_id = chat_id
        self.user_id = user_id
        self.transcript = transcript
        self.seen = 0
        self.topic: int | None = None

    def show(self, emulator: Any) -> None:
        events = emulator.events(self.chat_id, after_seq=self.seen)
        self.transcript.show(events)
        if events:
            self.seen = events[-1].seq

    def prompt(self) -> str:
        if self.chat_id > 0:
            return "you> "
        return f"operator[{f'topic {self.topic}' if self.topic else 'General'}]> "


async def _settle(offline: OfflineBot) -> None:
    """Let the outbox send what the last step queued, so it is printed now."""
    # Something waiting for a retry is printed when it is sent.
    with contextlib.suppress(TimeoutError):
        await offline.drain(seconds=5)


def _choose_topic(line: str, view: _View, emulator: Any, write: Callable[[str], None]) -> None:
    parts = line.split()
    topics = emulator.topics(view.chat_id)
    if len(parts) > 1 and parts[1].isdigit():
        wanted = int(parts[1])
        if any(topic.message_thread_id == wanted for topic in topics):
            view.topic = wanted
        else:
            write(f"  · there is no topic {wanted}")
    elif len(parts) > 1 and parts[1].lower() == "general":
        view.topic = None
    write("  · you are an operator now (:me to be the person again). Topics:")
    for topic in topics:
        mark = "*" if topic.message_thread_id == view.topic else " "
        write(f"   {mark}{topic.message_thread_id:>4}  {topic.name}")
    if not topics:
        write("      (none yet: send a request as the person first)")
    write("  · :op N writes in topic N, :op general in General; /cases lists open cases")


def _save_document(line: str, emulator: Any, write: Callable[[str], None]) -> None:
    """The newest document the bot sent the person, written where they say (it is theirs:
    the offline chat is for trying the bot on one's own computer)."""
    sent = [m for m in emulator.bot_messages(OFFLINE_USER_ID) if "document" in m.data]
    if not sent:
        write("  · the bot has not sent a file yet")
        return
    document = sent[-1].data["document"]
    parts = line.split(maxsplit=1)
    target = Path(parts[1] if len(parts) > 1 else document.get("file_name", "document.docx"))
    target.write_bytes(emulator.file_content(document["file_id"]))
    write(f"  · saved to {target.resolve()}: open it in Word or LibreOffice")


def _operator_update(line: str, emulator: Any, view: _View) -> dict[str, Any] | None:
    if line.isdigit():
        number = int(line)
        if not 1 <= number <= len(view.transcript.buttons):
            return None
        message_id, text = view.transcript.buttons[number - 1]
        return emulator.user_presses_button(  # type: ignore[no-any-return]
            view.user_id, text, message_id=message_id, chat_id=view.chat_id
        )
    return emulator.user_sends_text(  # type: ignore[no-any-return]
        view.user_id, line, chat_id=view.chat_id, message_thread_id=view.topic
    )


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
    if line.startswith(":reply "):
        newest = emulator.bot_messages(user)
        if not newest:
            raise EmulatorError("the bot has not written anything to reply to yet")
        return emulator.user_sends_text(  # type: ignore[no-any-return]
            user, line[7:], reply_to_message_id=newest[-1].message_id
        )
    if line.startswith(":edit "):
        if last_text_id is None:
            raise EmulatorError("there is no text message of yours to edit yet")
        return emulator.user_edits_message(user, last_text_id, line[6:])  # type: ignore[no-any-return]
    return emulator.user_sends_text(user, line)  # type: ignore[no-any-return]

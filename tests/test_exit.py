"""Exit hides the conversation: everything Telegram lets the bot delete is deleted, one
neutral line is left, and the message ids it needed are gone with it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.config import LANGUAGES, Settings
from bot.emulator import DELETE_WINDOW_SECONDS
from bot.offline import OfflineBot
from tests.test_flows import Chat
from tests.test_torture import answer_questions, open_draft, received_document


def neutral(offline: OfflineBot, language: str) -> str:
    return offline.dp["selfhelp"].exit_message[language] if offline.dp else ""


def visible(offline: OfflineBot, chat: Chat) -> list[str]:
    return [m.text or "" for m in offline.emulator.visible_messages(chat.person.user_id)]


def journal_rows(settings: Settings) -> list[tuple[str, int]]:
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        return connection.execute("SELECT chat_key, message_id FROM chat_messages").fetchall()


async def busy_chat(chat: Chat, language: str) -> None:
    """A conversation that leaves screens about help, crisis numbers and a typed message."""
    await chat.onboard(language, "KZ")
    await chat.person.send("I do not know where to start")
    await chat.person.press(chat.button(language, "Emergency", "🆘"))
    await chat.person.send("/menu")
    await chat.person.press(chat.t(language, "Where can I get help"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_exit_button_deletes_every_message_of_the_chat(
    offline: OfflineBot, settings: Settings, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await busy_chat(chat, language)
    assert len(visible(offline, chat)) > 5
    await chat.person.press(chat.button(language, "Exit", "✕"))
    # The person's own messages and the bot's are gone; one neutral line is left.
    assert visible(offline, chat) == [neutral(offline, language)]
    # Nothing is left of what was needed to delete them but the id of that line.
    left = offline.emulator.visible_messages(chat.person.user_id)[0]
    assert [mid for _, mid in journal_rows(settings)] in ([left.message_id], [])


async def test_exit_command_works_inside_a_flow_waiting_for_text(
    offline: OfflineBot, settings: Settings
) -> None:
    chat = Chat(offline, language_code="ru")
    await open_draft(chat, "ru", "KG")
    await chat.person.send("They hit me canary5151")
    await chat.person.send("/exit")
    assert visible(offline, chat) == [neutral(offline, "ru")]
    # The half-written draft went with the conversation state.
    from tests.test_torture import conversation_state

    assert "canary5151" not in conversation_state(settings)
    await chat.person.send("hello")
    assert "canary5151" not in "\n".join(visible(offline, chat))


async def test_exit_deletes_a_complaint_document_the_bot_sent(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="en")
    await open_draft(chat, "en", "KZ")
    await answer_questions(chat, "en", {"what_happened": "They beat me"})
    await chat.person.press("English")
    await chat.person.press(chat.button("en", "Get the document", "📄"))
    assert received_document(offline, chat)
    documents = [
        m for m in offline.emulator.visible_messages(chat.person.user_id) if "document" in m.data
    ]
    assert documents
    await chat.person.press(chat.button("en", "Exit", "✕"))
    assert visible(offline, chat) == [neutral(offline, "en")]
    for document in documents:
        assert offline.emulator.message(chat.person.user_id, document.message_id).deleted


async def test_more_than_a_hundred_messages_go_in_batches(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="en")
    await chat.onboard("en")
    for number in range(70):  # each one is answered: 140 messages and more
        await chat.person.send(f"message {number}")
    assert len(visible(offline, chat)) > 140
    await chat.person.send("/exit")
    assert visible(offline, chat) == [neutral(offline, "en")]
    batches = offline.emulator.calls_to("deleteMessages")
    assert len(batches) >= 2
    sizes = [len(json.loads(call["message_ids"])) for call in batches]
    assert max(sizes) == 100  # Telegram's limit per call


async def test_old_and_already_deleted_messages_do_not_stop_the_exit(
    offline: OfflineBot, settings: Settings
) -> None:
    chat = Chat(offline, language_code="kk")
    await chat.onboard("kk")
    old = [m.message_id for m in offline.emulator.visible_messages(chat.person.user_id)]
    # Two days later Telegram no longer lets anyone delete those.
    offline.emulator.advance_time(DELETE_WINDOW_SECONDS + 60)
    await chat.person.press(chat.button("kk", "Settings", "⚙"))
    await chat.person.press(chat.button("kk", "Exit", "✕"))
    still_there = [m.message_id for m in offline.emulator.visible_messages(chat.person.user_id)]
    # The old messages cannot go; the recent ones did, and the neutral line came.
    assert set(old) <= set(still_there)
    assert visible(offline, chat)[-1] == neutral(offline, "kk")
    # Exit again: the ids deleted the first time are not tried again, and nothing fails.
    await chat.person.send("/exit")
    assert visible(offline, chat)[-1] == neutral(offline, "kk")
    assert visible(offline, chat).count(neutral(offline, "kk")) == 1


async def test_a_telegram_failure_while_deleting_still_leaves_the_chat_neutral(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="en")
    await busy_chat(chat, "en")
    for number in range(60):
        await chat.person.send(f"message {number}")
    offline.emulator.fail_next("deleteMessages")  # the first batch of 100 fails
    await chat.person.send("/exit")
    texts = visible(offline, chat)
    assert texts[-1] == neutral(offline, "en")
    # The second batch went: the newest messages, the ones on screen, are gone.
    assert "message 59" not in texts


async def test_message_ids_are_kept_under_a_keyed_hash_without_content(
    offline: OfflineBot, settings: Settings
) -> None:
    chat = Chat(offline, language_code="en")
    await chat.onboard("en")
    await offline.dp["resources"].journal.flush()
    rows = journal_rows(settings)
    assert rows and all(len(key) == 64 for key, _ in rows)  # a keyed hash, no chat id
    assert str(chat.person.user_id) not in repr(rows)

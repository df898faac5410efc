"""What do you keep about me (/privacy), Forget me (/forget), and a person who blocks the bot."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.config import Settings
from bot.offline import OfflineBot
from bot.security import load_or_create_keys
from tests.e2e import stored_bytes
from tests.operators import Operator
from tests.test_flows import Chat
from tests.test_legal_aid import STORY, code_in, file_request
from tests.test_safety_plan import open_plan
from tests.test_torture import start_draft

KEPT = "<b>What we keep about you</b>"
ERASE = "<b>Erase everything about you?</b>"
CANARIES = ("plancanary4417", "draftcanary4418", "casecanary4419")


def shows(chat: Chat, language: str, msgid: str) -> bool:
    """The screen title, as the person reads it (without its tags)."""
    title = re.sub(r"<[^>]+>", "", chat.t(language, msgid))
    return any(title in text for text in chat.person.new_texts())


def neutral(offline: OfflineBot, language: str) -> str:
    return offline.dp["selfhelp"].exit_message[language] if offline.dp else ""


def tables(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, as stored."""
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {name: connection.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}


def everything_readable(settings: Settings) -> str:
    """Every value of every table, with each encrypted value decrypted: all the bot knows."""
    cipher = load_or_create_keys(settings).cipher()
    values = []
    for rows in tables(settings).values():
        for row in rows:
            for value in row:
                text = str(value)
                values.append(text)
                if text.startswith("gAAAA"):  # a Fernet token
                    values.append(cipher.decrypt(text))
    return "\n".join(values)


async def keep_a_plan(chat: Chat, language: str, canary: str) -> None:
    await chat.person.send("/menu")
    await open_plan(chat, language)
    await chat.person.press(chat.t(language, "Begin"))
    await chat.person.send(f"When he drinks {canary}")
    for _ in range(4):
        await chat.person.press(chat.button(language, "Skip", "⏭"))
    await chat.person.press(chat.t(language, "Keep it"))


async def request_a_lawyer(chat: Chat, language: str) -> str:
    """A legal-aid request from the main menu (the person is set up already); its code."""
    person = chat.person
    await person.send("/menu")
    await person.press(chat.t(language, "I need a lawyer"))
    await person.press(chat.t(language, "Yes, continue"))
    await person.press(chat.t(language, "Violence at home"))
    await person.press(chat.button(language, "Skip", "⏭"))
    await person.send(STORY)
    await person.press(f"🟠 {chat.t(language, 'Within the next days')}")
    await person.press(chat.t(language, "Only in this chat"))
    await person.press(chat.button(language, "Send", "✉️"))
    await person.offline.drain()
    return code_in(person.last.text or "")


async def open_privacy(chat: Chat, language: str) -> None:
    await chat.person.send("/menu")
    await chat.person.press(chat.button(language, "Settings", "⚙"))
    await chat.person.press(chat.button(language, "What do you keep about me?", "🔒"))
    assert shows(chat, language, KEPT)


@pytest.mark.parametrize("language", ["kk", "uz", "en"])
async def test_privacy_shows_exactly_what_the_database_holds(
    desk: OfflineBot, settings: Settings, language: str
) -> None:
    chat = Chat(desk, language_code=language)
    await chat.onboard(language, "KZ")
    await open_privacy(chat, language)
    text = chat.person.screen.text or ""
    assert chat.t(language, "Safety plan: {value}").format(value=chat.t(language, "no")) in text
    assert chat.t(language, "Requests to a lawyer: none") in text
    assert chat.t(language, "Kazakhstan") in text

    await keep_a_plan(chat, language, "x")
    code = await request_a_lawyer(chat, language)
    await open_privacy(chat, language)
    text = chat.person.screen.text or ""
    assert chat.t(language, "Safety plan: {value}").format(value=chat.t(language, "yes")) in text
    waiting = chat.t(language, "waiting for a lawyer")
    assert chat.t(language, "Request {code}: {status}").format(code=code, status=waiting) in text
    rows = tables(settings)
    assert len(rows["users"]) == 1 and len(rows["safety_plans"]) == 1 and len(rows["cases"]) == 1
    # The periods come from the settings, in the person's language.
    assert str(settings.case_retention_days) in text and "180" in text


async def test_forget_me_erases_everything_from_every_flow(
    desk: OfflineBot, settings: Settings
) -> None:
    chat = Chat(desk, language_code="ru")
    await chat.onboard("ru", "KG")
    await keep_a_plan(chat, "ru", CANARIES[0])
    code = await request_a_lawyer(chat, "ru")
    await chat.person.send(f"I also remember {CANARIES[2]}")  # written to the open case
    await chat.person.send("/menu")
    await chat.person.press(chat.t("ru", "I was tortured or beaten by police"))
    await chat.person.press(chat.t("ru", "I am safe now"))
    await start_draft(chat, "ru")
    await chat.person.send(f"They hit me {CANARIES[1]}")  # a half-written complaint
    await desk.drain()
    before = everything_readable(settings)
    # The scan does see them while they are kept (what was written to the case was relayed
    # and is not kept).
    assert CANARIES[0] in before and CANARIES[1] in before
    operator = Operator(desk)
    topic = operator.topic_of(code)

    await chat.person.send("/forget")
    assert shows(chat, "ru", ERASE)
    await chat.person.press(chat.t("ru", "Yes, erase everything"))
    await desk.drain()

    # The chat is empty but for the neutral line.
    texts = [m.text for m in desk.emulator.visible_messages(chat.person.user_id)]
    assert texts == [neutral(desk, "ru")]
    # Nothing of the person is left in any table, decrypted or not, nor in the data folder.
    after = everything_readable(settings)
    for canary in CANARIES:
        assert canary not in after
        assert canary.encode() not in stored_bytes(settings.data_dir)
    rows = tables(settings)
    for table in ("users", "safety_plans", "cases", "case_events"):
        assert rows[table] == [], table
    assert [row for row in rows["outbox"] if row[6] == "pending"] == []
    # Operators see that the request was withdrawn and erased; the card keeps no details.
    assert any("erased" in text for text in operator.texts(topic)), operator.texts(topic)
    card = operator.card(code)
    assert STORY not in (card.text or "") and "Violence at home" not in (card.text or "")
    assert card.buttons == []
    # A new start is a new person.
    await chat.person.send("/start")
    assert "English" in chat.person.screen.button_texts


async def test_keep_it_leaves_everything_as_it_was(
    offline: OfflineBot, settings: Settings
) -> None:
    chat = Chat(offline, language_code="tg")
    await chat.onboard("tg", "TJ")
    await keep_a_plan(chat, "tg", "y")
    await open_privacy(chat, "tg")
    await chat.person.press(chat.button("tg", "Forget me: erase everything", "🗑"))
    assert shows(chat, "tg", ERASE)
    await chat.person.press(chat.button("tg", "No, keep it", "◀"))
    assert shows(chat, "tg", KEPT)
    assert len(tables(settings)["safety_plans"]) == 1
    await chat.person.press(chat.button("tg", "Back", "◀"))  # back to the settings
    privacy = chat.button("tg", "What do you keep about me?", "🔒")
    assert privacy in chat.person.screen.button_texts


async def test_a_person_who_blocks_the_bot_gets_nothing_more(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "UZ")
    operator = Operator(desk)
    await desk.deliver(desk.emulator.block_bot(chat.person.user_id))
    await desk.drain()
    # The card says so, and the topic too.
    assert "blocked the bot" in (operator.card(code).text or "")
    assert any("nothing written here reaches them" in t for t in operator.texts())
    # An operator's answer is not sent (nothing is tried at the person).
    sends_before = len(desk.emulator.calls_to("sendMessage"))
    await operator.write(code, "Are you there?")
    to_person = [
        call
        for call in desk.emulator.calls_to("sendMessage")[sends_before:]
        if str(call.get("chat_id")) == str(chat.person.user_id)
    ]
    assert to_person == []
    # They come back and write: the case is theirs again, and the card loses the mark.
    await desk.deliver(desk.emulator.unblock_bot(chat.person.user_id))
    await chat.person.send("/menu")
    await chat.person.press("I need a lawyer")
    await chat.person.press("Write to the team")
    await chat.person.send("I am back")
    await desk.drain()
    assert "blocked the bot" not in (operator.card(code).text or "")
    await operator.write(code, "Good to hear from you")
    assert "Good to hear from you" in (chat.person.last.text or "")

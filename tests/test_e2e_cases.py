"""A legal-aid request end to end: the real bot process, a fake Bot API over loopback HTTP,
a person in Kyrgyz and an operator in the operators' group, while Telegram answers 429 and
500 for a while. Nothing is lost or doubled, and the operators never learn who asked."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import ChatMessage, TelegramEmulator
from dialogs.operators.cards import CLOSED_FOR_PERSON, CaseAction
from tests.e2e import BotProcess, catalog_text, stored_bytes
from tests.fake_telegram import FakeTelegramServer, run_fake_telegram

pytestmark = pytest.mark.e2e

USER_ID = 555000222
FIRST_NAME = "Aigerim"
LAST_NAME = "Toktogulova"
USERNAME = "aigerim_private_77"
OPS = -1001777000111
OPERATOR_ID = 555000333
OPERATOR_NAME = "Nurlan"
OPERATOR_USERNAME = "nurlan_ngo"
STORY = "Күйөөм мени ар күнү сабайт 4417"
ANSWER = "Саламатсызбы! Биз жардам беребиз. Азыр коопсузсузбу?"
REPLY = "Ооба, азыр эжемдикиндемин 4418"
STARTUP = 60.0


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[TelegramEmulator, FakeTelegramServer]]:
    emulator = TelegramEmulator()
    emulator.add_private_user(
        USER_ID, FIRST_NAME, last_name=LAST_NAME, username=USERNAME, language_code="ky"
    )
    emulator.add_private_user(OPERATOR_ID, OPERATOR_NAME, username=OPERATOR_USERNAME)
    emulator.add_supergroup(OPS, "Operators", members=[OPERATOR_ID])
    async with run_fake_telegram(emulator) as server:
        yield emulator, server
    assert server.emulator_errors == []


def ky(msgid: str) -> str:
    return catalog_text("ky", msgid)


def en_ops(msgid: str) -> str:
    return catalog_text("ru", msgid)  # OPERATORS_LANGUAGE is left at its default, Russian


def screen(emulator: TelegramEmulator) -> ChatMessage | None:
    screens = [m for m in emulator.visible_messages(USER_ID) if m.from_bot and m.buttons]
    return screens[-1] if screens else None


def screen_id(emulator: TelegramEmulator) -> int:
    current = screen(emulator)
    assert current is not None
    return current.message_id


def labels(emulator: TelegramEmulator) -> list[str]:
    current = screen(emulator)
    return current.button_texts if current is not None else []


async def press(server: FakeTelegramServer, label: str) -> None:
    """Tap a button on the person's newest screen once it shows it, and wait for the answer."""
    emulator = server.emulator
    await server.wait_for(lambda e: label in labels(e), description=f"the button {label!r}")
    emulator.user_presses_button(USER_ID, label)
    await server.wait_for(
        lambda e: not e.unanswered_callback_queries(), description=f"{label!r} answered"
    )


async def test_a_request_round_trip_through_a_failing_telegram(
    telegram: tuple[TelegramEmulator, FakeTelegramServer], tmp_path: Path
) -> None:
    emulator, server = telegram
    data_dir = tmp_path / "data"
    bot = BotProcess(
        data_dir,
        tmp_path / "bot.log",
        BOT_TOKEN=emulator.token,
        TELEGRAM_API_BASE=server.base_url,
        OPERATORS_CHAT_ID=str(OPS),
        OPERATORS_HOURS="Mon-Sun 00:00-24:00",
    )
    bot.start()
    try:
        emulator.user_sends_text(USER_ID, "/start")
        await server.wait_for_bot_message(
            USER_ID, ky("Please choose your language:"), timeout=STARTUP
        )
        await press(server, "Кыргызча")
        await press(server, ky("Kyrgyzstan"))
        await press(server, ky("I need a lawyer"))
        await press(server, ky("Yes, continue"))
        await press(server, ky("Violence at home"))
        await press(server, "⏭ " + ky("Skip"))
        await server.wait_for(
            lambda e: ky("What happened?") in (getattr(screen(e), "text", "") or ""),
            description="the story question",
        )
        emulator.user_sends_text(USER_ID, STORY)
        await press(server, "🔴 " + ky("In danger now"))
        await press(server, ky("Continue the request"))
        await press(server, ky("Only in this chat"))

        # Telegram fails for a while, just as the request goes to the operators.
        emulator.fail_next("createForumTopic", times=2, status=500)
        emulator.fail_next(
            "sendMessage",
            times=2,
            status=429,
            description="Too Many Requests: retry after 1",
            retry_after=1,
        )
        await press(server, "✉️ " + ky("Send"))
        sent = await server.wait_for_bot_message(
            USER_ID, ky("Your request is sent. Its code: {code}").split("{")[0].strip()
        )
        code = (sent.text or "").split(":")[1].split()[0].strip()

        card = await server.wait_for(
            lambda e: next(
                (m for m in e.bot_messages(OPS) if (m.text or "").startswith("📁")), None
            ),
            timeout=30,
            description="the case card in its topic",
        )
        topic = card.data["message_thread_id"]
        assert code in (card.text or "") and STORY in (card.text or "")

        # The operator claims it and answers in the topic.
        emulator.user_presses_button(
            OPERATOR_ID, en_ops("Claim"), chat_id=OPS, message_id=card.message_id
        )
        await server.wait_for(
            lambda e: en_ops("Claim") not in e.message(OPS, card.message_id).button_texts,
            description="the card claimed",
        )
        emulator.fail_next("sendMessage", times=1, status=500)
        emulator.user_sends_text(OPERATOR_ID, ANSWER, chat_id=OPS, message_thread_id=topic)
        answer = await server.wait_for_bot_message(USER_ID, ANSWER, timeout=30)
        assert ky("The support team · request {code}").format(code=code) in (answer.text or "")

        # The person answers; it appears in the topic.
        emulator.user_sends_text(USER_ID, "/menu")
        await press(server, ky("I need a lawyer"))
        await press(server, ky("Write to the team"))
        emulator.user_sends_text(USER_ID, REPLY)
        await server.wait_for_bot_message(OPS, REPLY, timeout=30)

        # A forged claim from a private chat changes nothing.
        forged = CaseAction(action="outcome", code=code.replace("-", ""), outcome="helped")
        emulator.user_presses_button(
            USER_ID, data=forged.pack(), forged=True, message_id=screen_id(emulator)
        )
        await server.wait_for(
            lambda e: not e.unanswered_callback_queries(), description="the forged press"
        )

        # The operator resolves; the person is told.
        emulator.user_presses_button(
            OPERATOR_ID, en_ops("Resolve"), chat_id=OPS, message_id=card.message_id
        )
        await server.wait_for(
            lambda e: en_ops("Helped") in e.message(OPS, card.message_id).button_texts,
            description="the outcomes",
        )
        emulator.user_presses_button(
            OPERATOR_ID, en_ops("Helped"), chat_id=OPS, message_id=card.message_id
        )
        closed = ky(CLOSED_FOR_PERSON)
        await server.wait_for_bot_message(USER_ID, closed.format(code=code), timeout=30)
        await server.wait_for(
            lambda e: not e.unanswered_callback_queries(), description="all presses answered"
        )
        assert await bot.stop() == 0
    finally:
        bot.kill()

    log = bot.log
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    assert "Refused a case button (outcome) pressed outside the operators' chat" in log

    # Nothing lost, nothing doubled.
    assert len(emulator.topics(OPS)) == 1
    to_ops = [m.text or "" for m in emulator.bot_messages(OPS)]
    assert sum(text.startswith("📁") for text in to_ops) == 1
    assert sum(REPLY in text for text in to_ops) == 1
    to_person = [m.text or "" for m in emulator.bot_messages(USER_ID)]
    assert sum(ANSWER in text for text in to_person) == 1

    # Every call about the operators' chat: never the person's id, name or username.
    for method, params in emulator.calls:
        if str(params.get("chat_id")) != str(OPS):
            continue
        call = json.dumps(params, ensure_ascii=False, default=str)
        for needle in (str(USER_ID), FIRST_NAME, LAST_NAME, USERNAME):
            assert needle not in call, (method, needle)
    # ...and the person never sees who the operator is.
    for text in to_person:
        assert OPERATOR_NAME not in text and OPERATOR_USERNAME not in text

    stored = stored_bytes(data_dir)
    # Typed text with a space or Cyrillic: digits alone occur by chance in keys and tokens.
    for needle in (str(USER_ID), FIRST_NAME, USERNAME, "сабайт 4417", "эжемдикиндемин 4418"):
        assert needle.encode() not in stored, needle
        assert needle not in log, needle


async def test_start_up_survives_answers_it_cannot_read(
    telegram: tuple[TelegramEmulator, FakeTelegramServer], tmp_path: Path
) -> None:
    """getChat answered with something no client can parse, setMyCommands failing: the bot
    serves at once, says what failed, and finishes the checks once Telegram answers again."""
    emulator, server = telegram
    server.garble_next("getChat", times=2)
    emulator.fail_next("setMyCommands", times=1, status=502, description="Bad Gateway")
    bot = BotProcess(
        tmp_path / "data",
        tmp_path / "bot.log",
        BOT_TOKEN=emulator.token,
        TELEGRAM_API_BASE=server.base_url,
        OPERATORS_CHAT_ID=str(OPS),
    )
    bot.start()
    try:
        emulator.user_sends_text(USER_ID, "/start")
        await server.wait_for_bot_message(
            USER_ID, ky("Please choose your language:"), timeout=STARTUP
        )
        await server.wait_for(
            lambda e: "check the operators' group worked after 2 failed attempts" in bot.log,
            timeout=30,
            description="the operators' group checked once getChat answers again",
        )
        await server.wait_for(
            lambda e: "set the command menu worked after 1 failed attempt" in bot.log,
            timeout=30,
            description="the command menu set after the failure",
        )
        assert await bot.stop() == 0
    finally:
        bot.kill()
    log = bot.log
    assert "Start-up: could not check the operators' group (ClientDecodeError" in log
    assert "Operators' group: ready" in log
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]

"""Start-up calls to Telegram: a failure costs a warning and another try, never the service."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetChat

from bot.emulator import DEFAULT_TOKEN, EmulatorSession, TelegramEmulator
from bot.operators_chat import check_operators_chat
from bot.startup import keep_trying
from tests.operators import OPERATOR, OPS


@pytest.fixture
def emulator() -> TelegramEmulator:
    emulator = TelegramEmulator(DEFAULT_TOKEN)
    emulator.add_private_user(OPERATOR, "Aida")
    emulator.add_supergroup(OPS, "Operators", members=[OPERATOR])
    return emulator


async def test_a_failing_telegram_is_tried_again_until_it_answers(
    emulator: TelegramEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    emulator.fail_next("getChat", 2, 502, "Bad Gateway")
    emulator.fail_next("getChatMember", 1, 429, "Too Many Requests: retry after 7", retry_after=7)
    bot = Bot(DEFAULT_TOKEN, session=EmulatorSession(emulator))
    try:
        with caplog.at_level(logging.INFO):
            worked = await keep_trying(
                "check the operators' group",
                lambda: check_operators_chat(bot, OPS),
                delays=(1, 2, 5),
                sleep=sleep,
            )
    finally:
        await bot.session.close()
    assert worked
    assert waited == [1, 2, 7]  # Telegram's retry_after wins over a shorter pause
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0].startswith("Start-up: could not check the operators' group")
    assert "trying again in 1 s (attempt 1)" in warnings[0]
    assert "Operators' group: ready" in caplog.text
    assert "worked after 3 failed attempts" in caplog.text


async def test_an_answer_that_cannot_be_read_is_tried_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = 0

    async def garbled_then_fine() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ClientDecodeError("Failed to deserialize object", ValueError("x"), "<html>")

    async def sleep(_seconds: float) -> None:
        return None

    with caplog.at_level(logging.WARNING):
        assert await keep_trying("read the group", garbled_then_fine, sleep=sleep)
    assert calls == 2
    assert "ClientDecodeError" in caplog.text


async def test_a_refusal_is_not_tried_again_but_named(
    emulator: TelegramEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    async def never(_seconds: float) -> None:
        raise AssertionError("a refusal must not be tried again")

    bot = Bot(DEFAULT_TOKEN, session=EmulatorSession(emulator))
    try:
        # A wrong chat id is a setting to fix: named by the check, which then returns.
        problems: list[list[str]] = []

        async def check() -> None:
            problems.append(await check_operators_chat(bot, -1009999))

        assert await keep_trying("check the operators' group", check, sleep=never)
        assert "check OPERATORS_CHAT_ID" in problems[0][0]
        # Any other refusal ends the tries with a warning.
        assert not await keep_trying(
            "read a chat", lambda: bot(GetChat(chat_id=-1009999)), sleep=never
        )
    finally:
        await bot.session.close()
    assert "Start-up: could not read a chat" in caplog.text
    assert "Not trying again" in caplog.text

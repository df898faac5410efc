"""The real bot process against a fake Bot API over loopback HTTP.

A person goes from /start to the main menu, the process is restarted, and the conversation
goes on. Afterwards the database files and the log are scanned for everything that could
identify the person or that they typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.emulator import TelegramEmulator
from tests.e2e import BotProcess, catalog_text, stored_bytes
from tests.fake_telegram import FakeTelegramServer, run_fake_telegram
from tests.servers import free_port

pytestmark = pytest.mark.e2e

USER_ID = 555000111
FIRST_NAME = "Zarina"
LAST_NAME = "Saidova"
USERNAME = "zarina_hidden_2026"
SECRET = "my neighbour Gulnara keeps my spare key 8841"
STARTUP = 60.0  # a cold start imports aiogram and migrates the database


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[TelegramEmulator, FakeTelegramServer]]:
    emulator = TelegramEmulator()
    emulator.add_private_user(
        USER_ID, FIRST_NAME, last_name=LAST_NAME, username=USERNAME, language_code="ky"
    )
    async with run_fake_telegram(emulator) as server:
        yield emulator, server
    assert server.emulator_errors == []


async def settled(server: FakeTelegramServer) -> None:
    """Every button press answered: the bot has finished with what the person did."""
    await server.wait_for(
        lambda e: not e.unanswered_callback_queries(), description="all presses answered"
    )


async def wait_listening(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(100):
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def screen_text(emulator: TelegramEmulator, message_id: int) -> str:
    return emulator.message(USER_ID, message_id).text or ""


async def test_start_to_menu_survives_restart_and_leaves_no_trace(
    telegram: tuple[TelegramEmulator, FakeTelegramServer], tmp_path: Path
) -> None:
    emulator, server = telegram
    data_dir = tmp_path / "data"
    bot = BotProcess(
        data_dir,
        tmp_path / "bot.log",
        BOT_TOKEN=emulator.token,
        TELEGRAM_API_BASE=server.base_url,
    )
    bot.start()
    try:
        emulator.user_sends_text(USER_ID, "/start")
        welcome = await server.wait_for_bot_message(
            USER_ID, catalog_text("ky", "Please choose your language:"), timeout=STARTUP
        )
        assert welcome.button_texts[0] == "Кыргызча"  # from the app's language_code

        emulator.user_presses_button(USER_ID, "Кыргызча")
        country = catalog_text("ky", "Kyrgyzstan")
        await server.wait_for(
            lambda e: country in e.message(USER_ID, welcome.message_id).button_texts,
            description="the country question",
        )
        emulator.user_presses_button(USER_ID, country)
        menu_text = catalog_text("ky", "How can I help you?")
        await server.wait_for(
            lambda e: menu_text in screen_text(e, welcome.message_id),
            description="the main menu",
        )

        emulator.user_sends_text(USER_ID, SECRET)
        reply = await server.wait_for_bot_message(
            USER_ID,
            catalog_text(
                "ky",
                "Thank you for writing. On this screen I can only follow the "
                "buttons. They are just below; /menu takes you to the main menu.",
            ),
        )
        # ...and the menu is put back below the answer.
        await server.wait_for_bot_message(USER_ID, menu_text, after_message_id=reply.message_id)
        await settled(server)
        assert await bot.stop() == 0

        # A new process: the person's place in the conversation and their choices are kept.
        bot.start()
        settings_label = "⚙ " + catalog_text("ky", "Settings")
        emulator.user_presses_button(USER_ID, settings_label)
        settings = await server.wait_for(
            lambda e: next(
                (
                    m
                    for m in e.bot_messages(USER_ID)
                    if not m.deleted and "Кыргызча" in (m.text or "") and country in (m.text or "")
                ),
                None,
            ),
            timeout=STARTUP,
            description="the settings screen after the restart",
        )
        emulator.user_sends_text(USER_ID, "/start")
        await server.wait_for_bot_message(USER_ID, menu_text, after_message_id=settings.message_id)
        await settled(server)
        assert await bot.stop() == 0
    finally:
        bot.kill()

    assert emulator.unanswered_callback_queries() == []
    log = bot.log
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    assert "is handled" in log  # the log was really written

    # The privacy scan: nothing that identifies the person, nothing they typed.
    stored = stored_bytes(data_dir)
    assert len(stored) > 10_000
    for needle in (str(USER_ID), FIRST_NAME, LAST_NAME, USERNAME, SECRET, "Gulnara"):
        assert needle.encode() not in stored, f"{needle!r} found in the data directory"
        assert needle not in log, f"{needle!r} found in the log"


async def test_webhook_checks_the_secret_and_serves_the_person(
    telegram: tuple[TelegramEmulator, FakeTelegramServer], tmp_path: Path
) -> None:
    emulator, server = telegram
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    bot = BotProcess(
        tmp_path / "data",
        tmp_path / "bot.log",
        BOT_TOKEN=emulator.token,
        TELEGRAM_API_BASE=server.base_url,
        WEBHOOK_URL=url,
        WEBHOOK_SECRET="s3cret-Token_for-tests",
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    bot.start()
    try:
        await server.wait_for(lambda e: e.webhook, timeout=STARTUP, description="setWebhook")
        assert emulator.webhook is not None
        assert emulator.webhook.url == url
        assert emulator.webhook.secret_token == "s3cret-Token_for-tests"

        forged_update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": USER_ID, "type": "private"},
                "from": {"id": USER_ID, "is_bot": False, "first_name": "x"},
                "text": "/start",
            },
        }
        async with aiohttp.ClientSession() as http:
            # The webhook is registered during startup, a moment before the port listens.
            await wait_listening(http, f"http://127.0.0.1:{port}/healthz")
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=forged_update, headers=headers) as response:
                    assert response.status == 401
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200

        emulator.user_sends_text(USER_ID, "/start")
        welcome = await server.wait_for_bot_message(
            USER_ID, catalog_text("ky", "Please choose your language:")
        )
        emulator.user_presses_button(USER_ID, "English")
        await server.wait_for(
            lambda e: "Which country are you in?" in screen_text(e, welcome.message_id),
            description="the country question in English",
        )
        # Only the person's own /start was answered: the forged updates were refused.
        assert len([m for m in emulator.bot_messages(USER_ID)]) == 1
        await settled(server)
        assert await bot.stop() == 0
    finally:
        bot.kill()
    assert emulator.unanswered_callback_queries() == []
    assert "Traceback" not in bot.log, bot.log[-3000:]

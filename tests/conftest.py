"""Shared fixtures: a fresh data directory and settings for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.security import generate_encryption_key


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # Tests must never pick up a developer's .env or real token.
    monkeypatch.chdir(tmp_path)
    for name in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "REDIS_URL",
        "WEBHOOK_URL",
        "ENCRYPTION_KEYS",
        "PSEUDONYM_KEY",
        "TELEGRAM_API_BASE",
        "OPERATORS_CHAT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    return Settings(
        data_dir=tmp_path / "data",
        encryption_keys=generate_encryption_key(),
        pseudonym_key="k" * 64,
        # Tests act far faster than any person; tests/test_throttling.py uses the real limits.
        throttle_per_second=10_000,
        throttle_per_minute=10_000,
    )


@pytest.fixture
async def offline(settings: Settings, caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """The production bot on the emulated Telegram. After the test: every button press was
    answered, and nothing was logged as an error."""
    from bot.offline import OfflineBot

    bot = OfflineBot(settings)
    await bot.start()
    caplog.set_level("INFO")
    yield bot
    await _stop_and_check(bot, caplog)


@pytest.fixture
async def desk(settings: Settings, caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """The production bot with an operators' group; the same checks as `offline`."""
    from bot.offline import OfflineBot
    from tests.operators import ops_emulator, ops_settings

    bot = OfflineBot(ops_settings(settings), ops_emulator())
    await bot.start()
    caplog.set_level("INFO")
    yield bot
    await _stop_and_check(bot, caplog)


async def _stop_and_check(bot, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    """After a test: every button press was answered, and nothing was logged as an error."""
    await bot.stop()
    assert bot.emulator.unanswered_callback_queries() == []
    errors = [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]
    assert not errors, [r.getMessage() for r in errors]

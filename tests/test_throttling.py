"""Floods: one person's burst is cut off before any database work, kindly and once, while
everyone else is served as usual; danger words always get through. Time is the emulator's
clock, frozen and moved by the tests."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.config import Settings
from bot.emulator import DEFAULT_TOKEN, TelegramEmulator
from bot.middlewares.throttling import SLOW_DOWN, SLOW_DOWN_TOAST, MemoryCounters
from bot.offline import OfflineBot
from dialogs.contacts.render import emergency_line
from tests.flow import plain, translator
from tests.operators import OPERATOR, OPS, Operator, ops_settings
from tests.servers import redis_server
from tests.test_flows import HOW_CAN_I_HELP, Chat

T0 = 1_800_000_000.0  # the start of a minute, so "the same minute" is easy to reason about
assert T0 % 60 == 0
YOU_MATTER = "You matter, and you are not alone."
NO_CASES = "No open cases. 🌿"
CANARY = 7_319_402_865
"""A Telegram id long enough that a hex pseudonym cannot contain it by chance."""


def real_limits(settings: Settings) -> Settings:
    """The defaults a deployment gets (the shared fixture relaxes them for other tests)."""
    defaults = Settings.model_fields
    return settings.model_copy(
        update={
            "throttle_per_second": defaults["throttle_per_second"].default,
            "throttle_per_minute": defaults["throttle_per_minute"].default,
        }
    )


def frozen_emulator() -> TelegramEmulator:
    return TelegramEmulator(DEFAULT_TOKEN, clock=lambda: T0)


@asynccontextmanager
async def checked(
    offline: OfflineBot, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[OfflineBot]:
    await offline.start()
    caplog.set_level("INFO")
    try:
        yield offline
    finally:
        await offline.stop()
    # Every press was answered (no spinner left), and nothing was logged as an error.
    assert offline.emulator.unanswered_callback_queries() == []
    errors = [r.getMessage() for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]
    assert not errors, errors


@pytest.fixture
async def throttled(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[OfflineBot]:
    async with checked(OfflineBot(real_limits(settings), frozen_emulator()), caplog) as offline:
        yield offline


def slow_downs(offline: OfflineBot, user_id: int, language: str) -> list[str]:
    expected = plain(translator(offline).gettext(SLOW_DOWN, locale=language))
    return [m.text or "" for m in offline.emulator.bot_messages(user_id) if m.text == expected]


def handled_update_ids(settings: Settings) -> set[int]:
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT update_id FROM processed_updates")}


def database_dump(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: sorted(db.execute(f'SELECT * FROM "{table}"'), key=repr) for table in tables
        }


async def burst(offline: OfflineBot, updates: list[dict[str, Any]]) -> None:
    """Updates that arrive together, handled concurrently as polling or a webhook would."""
    await asyncio.gather(*(offline.deliver(update) for update in updates))


async def test_a_flood_from_one_person_does_not_slow_down_another(
    throttled: OfflineBot, settings: Settings
) -> None:
    emulator = throttled.emulator
    Chat(throttled, language_code="ru", user_id=5001)
    other = Chat(throttled, language_code="kk", user_id=5002)
    await other.onboard("kk")
    sent: list[int] = []
    # 200 messages in 20 seconds, ten at once every second; meanwhile the other person uses
    # the bot every second and gets every answer.
    for second in range(20):
        updates = [emulator.user_sends_text(5001, f"hello {second}.{i}") for i in range(10)]
        sent += [update["update_id"] for update in updates]
        await burst(throttled, updates)
        await other.person.send("/menu")
        assert other.sees("kk", HOW_CAN_I_HELP), f"no answer in second {second}"
        emulator.advance_time(1)

    # Five a second until thirty in the minute; the other 170 were dropped before any work.
    handled = handled_update_ids(settings) & set(sent)
    assert len(handled) == 30
    assert handled == {sent[s * 10 + i] for s in range(6) for i in range(5)}
    assert len(slow_downs(throttled, 5001, "ru")) == 1
    assert slow_downs(throttled, 5002, "kk") == []


async def test_dropped_updates_leave_nothing_in_the_database(
    throttled: OfflineBot, settings: Settings
) -> None:
    emulator = throttled.emulator
    flooder = Chat(throttled, language_code="uz-UZ", user_id=5001)
    await flooder.onboard("uz")  # three updates
    await flooder.person.send("/menu")
    await flooder.person.press(flooder.button("uz", "Settings", "⚙"))  # the fifth this second
    before = database_dump(settings)
    assert before["processed_updates"] and before["fsm_records"] and before["users"]

    updates: list[dict[str, Any]] = []
    for i in range(39):
        updates.append(emulator.user_sends_text(5001, f"/menu {i}"))
        updates.append(emulator.user_sends_sticker(5001))
        updates.append(emulator.user_sends_photo(5001))
        updates.append(emulator.user_sends_voice(5001))
        updates.append(emulator.user_sends_location(5001))
    await burst(throttled, updates)

    assert database_dump(settings) == before
    # One kind word in their Telegram language (no database: the saved one is unknown).
    assert len(slow_downs(throttled, 5001, "uz")) == 1


async def test_a_flood_of_button_presses_gets_one_toast_and_no_spinner(
    throttled: OfflineBot, settings: Settings
) -> None:
    emulator = throttled.emulator
    chat = Chat(throttled, language_code="ky", user_id=5001)
    await chat.onboard("ky")
    await chat.person.send("/menu")
    await chat.person.send("/menu")
    seen = emulator.events(5001)[-1].seq
    menu = chat.person.screen.message_id
    presses = [
        emulator.user_presses_button(5001, chat.button("ky", "Settings", "⚙"), message_id=menu)
        for _ in range(20)
    ]
    await burst(throttled, presses)

    toasts = [e.text for e in emulator.events(5001, after_seq=seen) if e.kind == "callback_answer"]
    assert len(toasts) == 20  # every press answered (the fixture checks none is left)
    assert toasts.count(chat.t("ky", SLOW_DOWN_TOAST)) == 1
    assert [t for t in toasts if t and t != chat.t("ky", SLOW_DOWN_TOAST)] == []
    assert chat.person.screen.message_id == menu  # nothing was done with them
    assert slow_downs(throttled, 5001, "ky") == []
    assert not handled_update_ids(settings) & {p["update_id"] for p in presses}


async def test_danger_words_inside_a_flood_are_answered(throttled: OfflineBot) -> None:
    emulator = throttled.emulator
    chat = Chat(throttled, language_code="en", user_id=5001)
    await chat.onboard("en")
    await burst(throttled, [emulator.user_sends_text(5001, f"hi {i}") for i in range(10)])
    assert len(slow_downs(throttled, 5001, "en")) == 1

    await chat.person.send("he said hes going to kill me")
    assert chat.sees("en", YOU_MATTER)
    book = throttled.dp["contacts"].book  # type: ignore[index]
    assert any(emergency_line(book, "KG", "en") in t for t in chat.person.new_texts())

    await burst(throttled, [emulator.user_sends_text(5001, f"hi {i}") for i in range(10)])
    assert len(slow_downs(throttled, 5001, "en")) == 1  # still one for the whole spell


async def test_after_the_window_the_person_is_served_again(throttled: OfflineBot) -> None:
    emulator = throttled.emulator
    chat = Chat(throttled, language_code="tg", user_id=5001)
    await chat.onboard("tg")
    await burst(throttled, [emulator.user_sends_text(5001, "/menu") for _ in range(5)])
    await chat.person.send("/menu")
    assert not chat.sees("tg", HOW_CAN_I_HELP)  # the sixth in a second: dropped
    assert len(slow_downs(throttled, 5001, "tg")) == 1

    emulator.advance_time(1)  # a new second
    await chat.person.send("/menu")
    assert chat.sees("tg", HOW_CAN_I_HELP)

    # Six answered so far in this minute (dropped ones do not count). Four a second, under
    # the limit of five, until thirty; the thirty-first waits for the next minute.
    for _ in range(6):
        emulator.advance_time(1)
        await burst(throttled, [emulator.user_sends_text(5001, "/menu") for _ in range(4)])
    emulator.advance_time(1)
    await chat.person.send("/menu")
    assert not chat.sees("tg", HOW_CAN_I_HELP)
    assert len(slow_downs(throttled, 5001, "tg")) == 1  # the same spell

    emulator.advance_time(60 - 8)  # the next minute, less than a minute after the last drop
    await chat.person.send("/menu")
    assert chat.sees("tg", HOW_CAN_I_HELP)
    # More than a minute without a drop ended the spell: a new flood is told again.
    emulator.advance_time(60)
    await burst(throttled, [emulator.user_sends_text(5001, "/menu") for _ in range(8)])
    assert len(slow_downs(throttled, 5001, "tg")) == 2


async def test_the_operators_chat_is_not_throttled(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = frozen_emulator()
    emulator.add_private_user(OPERATOR, "Aida", username="aida_operator")
    emulator.add_supergroup(OPS, "Operators", members=[OPERATOR])
    offline = OfflineBot(ops_settings(real_limits(settings)), emulator)
    async with checked(offline, caplog) as desk:
        operator = Operator(desk)
        before = len(emulator.bot_messages(OPS))
        # Three times the limit of a second, all in one (the outbox itself keeps to
        # Telegram's 20 messages a minute in a group, so not more).
        for _ in range(15):
            await operator.send_in_general("/cases")
        answers = [m.text for m in emulator.bot_messages(OPS)[before:]]
        assert answers == [NO_CASES] * 15
        # The same operator in a private chat with the bot is a person like any other.
        await burst(desk, [emulator.user_sends_text(OPERATOR, "/menu") for _ in range(8)])
        assert len(slow_downs(desk, OPERATOR, "en")) == 1


async def test_in_memory_counters_forget_idle_people() -> None:
    counters = MemoryCounters(per_second=5, per_minute=30, max_people=1_000)
    for person in range(500):
        assert await counters.hit(f"p{person}", T0)
    assert len(counters) == 500
    # A minute later none of them matters any more: the next update clears them all.
    assert await counters.hit("newcomer", T0 + 60)
    assert len(counters) == 1
    # However many write at once, the table stays within its bound.
    for person in range(5_000):
        await counters.hit(f"q{person}", T0 + 61)
    assert len(counters) <= 1_000


@pytest.mark.redis
async def test_with_redis_the_limit_holds_across_replicas(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with redis_server(tmp_path) as url:
        shared = real_limits(settings).model_copy(update={"redis_url": SecretStr(url)})
        emulator = frozen_emulator()
        one, two = OfflineBot(shared, emulator), OfflineBot(shared, emulator)
        await two.start()
        try:
            async with checked(one, caplog) as first:
                Chat(first, language_code="ru", user_id=CANARY)
                updates = [emulator.user_sends_text(CANARY, f"hello {i}") for i in range(12)]
                # Both replicas take them at once, alternately.
                await asyncio.gather(
                    *(
                        (first if i % 2 else two).deliver(update)
                        for i, update in enumerate(updates)
                    )
                )
                handled = handled_update_ids(settings) & {u["update_id"] for u in updates}
                assert len(handled) == 5
                assert len(slow_downs(first, CANARY, "ru")) == 1

                emulator.advance_time(1)
                again = emulator.user_sends_text(CANARY, "hello again")
                await two.deliver(again)
                assert again["update_id"] in handled_update_ids(settings)
        finally:
            await two.stop()

        redis = Redis.from_url(url)
        keys = [key async for key in redis.scan_iter("throttle:*")]
        assert keys
        for key in keys:
            assert str(CANARY).encode() not in key  # a pseudonym, never the Telegram id
            assert 0 < await redis.ttl(key) <= 120  # gone on their own
        await redis.aclose()

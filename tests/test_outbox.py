"""The outbox: no message to operators or to a person is lost, doubled, reordered, sent too
fast, or kept readable in the database.

A real SQLite database migrated to head, a real aiogram Bot on the emulated Telegram, and an
injected clock: waiting for a retry is moving the clock, not sleeping.

The same tests run on PostgreSQL (the several-replicas setup) with
OUTBOX_TEST_DATABASE_URL=postgresql+asyncpg://user@host/scratch_db (its outbox is emptied).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramMigrateToChat, TelegramNetworkError, TelegramServerError
from aiogram.methods import SendMessage
from aiogram.methods.base import TelegramMethod, TelegramType
from pydantic import SecretStr
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_to_head
from bot.db.models import OutboxMessage
from bot.emulator import EmulatorSession, TelegramEmulator
from bot.keys_cli import _rotate_all
from bot.outbox import LEASE, Outbox, OutboxWorker
from bot.security import Cipher, Pseudonymizer, generate_encryption_key

PERSON = 5550001
OTHER_PERSON = 5550002
OPERATORS = -1001234567890
FORUM = -1009876543210
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
SECRET = "он бил меня каждый вечер"
DATABASE_URL = os.environ.get("OUTBOX_TEST_DATABASE_URL")


class Clock:
    """The worker's and the outbox's time; tests move it."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Crash(BaseException):
    """The process dies here (kill -9, power cut): nothing after this point runs."""


SendHook = Callable[[SendMessage], Awaitable[None]]


class HookedSession(EmulatorSession):
    """The emulated Telegram with a hook before each sendMessage reaches it: a network that
    fails, a process that dies, a send that takes its time."""

    def __init__(self, emulator: TelegramEmulator) -> None:
        super().__init__(emulator)
        self.hook: SendHook | None = None

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        if self.hook is not None and isinstance(method, SendMessage):
            await self.hook(method)
        return await super().make_request(bot, method, timeout)


def make_bot(session: EmulatorSession) -> Bot:
    # As in production (bot/app.py): HTML by default, no link previews.
    return Bot(
        session.emulator.token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


@dataclass
class Env:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    emulator: TelegramEmulator
    session: HookedSession
    bot: Bot
    cipher: Cipher
    cipher_keys: list[str]
    pseudonymizer: Pseudonymizer
    clock: Clock
    outbox: Outbox
    undeliverable: list[tuple[str | None, str]] = field(default_factory=list)
    engines: list[AsyncEngine] = field(default_factory=list)

    async def put(self, chat_id: int, text: str, kind: str = "case_card", **kw: Any) -> int:
        """Enqueue in a transaction of its own, committed."""
        async with self.sessions() as session, session.begin():
            return await self.outbox.enqueue(session, chat_id=chat_id, text=text, kind=kind, **kw)

    def worker(
        self,
        bot: Bot | None = None,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        **kw: Any,
    ) -> OutboxWorker:
        async def on_undeliverable(ref: str | None, kind: str) -> None:
            self.undeliverable.append((ref, kind))

        return OutboxWorker(
            sessions or self.sessions,
            self.cipher,
            bot or self.bot,
            on_undeliverable=on_undeliverable,
            clock=self.clock,
            **kw,
        )

    def new_process_sessions(self) -> async_sessionmaker[AsyncSession]:
        """Another process on the same database: its own engine and connections."""
        engine = create_engine(self.settings.sqlalchemy_url)
        self.engines.append(engine)
        return create_session_factory(engine)

    async def rows(self) -> list[OutboxMessage]:
        async with self.sessions() as session:
            result = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(result.scalars())

    async def row(self, row_id: int) -> OutboxMessage:
        async with self.sessions() as session:
            row = await session.get(OutboxMessage, row_id)
            assert row is not None
            return row

    def texts(self, chat_id: int) -> list[str | None]:
        return [m.text for m in self.emulator.bot_messages(chat_id) if not m.is_service]

    def sends(self) -> int:
        return len(self.emulator.calls_to("sendMessage"))

    async def database_bytes(self) -> bytes:
        """Everything stored: the SQLite files, or on PostgreSQL the outbox table as text."""
        if not self.settings.sqlalchemy_url.startswith("sqlite"):
            async with self.engine.connect() as connection:
                rows = await connection.execute(text("SELECT * FROM outbox"))
                return repr(rows.all()).encode()
        path = self.settings.data_dir / "bot.sqlite3"
        # Fold the write-ahead log into the file so the scan sees everything written.
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(FULL)")
        return b"".join(p.read_bytes() for p in path.parent.glob("bot.sqlite3*"))


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    if DATABASE_URL:
        settings = settings.model_copy(update={"database_url": SecretStr(DATABASE_URL)})
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade_to_head(engine)
    if DATABASE_URL:
        async with engine.begin() as connection:
            await connection.execute(delete(OutboxMessage))
    emulator = TelegramEmulator()
    emulator.add_private_user(PERSON, "Aigerim", started=True)
    emulator.add_private_user(OTHER_PERSON, "Dilnoza", started=True)
    emulator.add_supergroup(OPERATORS, "Operators", is_forum=False)
    emulator.add_supergroup(FORUM, "Cases", is_forum=True)
    session = HookedSession(emulator)
    keys = [generate_encryption_key()]
    cipher = Cipher(keys)
    pseudonymizer = Pseudonymizer(b"p" * 32)
    clock = Clock()
    env = Env(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        emulator=emulator,
        session=session,
        bot=make_bot(session),
        cipher=cipher,
        cipher_keys=keys,
        pseudonymizer=pseudonymizer,
        clock=clock,
        outbox=Outbox(cipher, pseudonymizer, clock=clock),
    )
    yield env
    await env.bot.session.close()
    for other in env.engines:
        await other.dispose()
    await engine.dispose()


async def test_a_rolled_back_enqueue_is_never_sent(env: Env) -> None:
    class CaseNotSaved(Exception):
        pass

    with pytest.raises(CaseNotSaved):
        async with env.sessions() as session, session.begin():
            await env.outbox.enqueue(session, chat_id=OPERATORS, text="ghost", kind="case_card")
            raise CaseNotSaved
    await env.put(OPERATORS, "real")

    assert await env.worker().run_once() == 1
    assert env.texts(OPERATORS) == ["real"]
    assert [row.status for row in await env.rows()] == ["sent"]


async def test_keyboard_thread_and_parse_mode_reach_telegram(env: Env) -> None:
    modes: dict[int | str, object] = {}

    async def record_mode(method: SendMessage) -> None:
        modes[method.chat_id] = method.parse_mode

    env.session.hook = record_mode
    topic = await env.bot.create_forum_topic(FORUM, "Case K-7")
    keyboard = {"inline_keyboard": [[{"text": "Take", "callback_data": "take:K-7"}]]}
    await env.put(
        FORUM,
        "<b>Case</b> K-7",
        message_thread_id=topic.message_thread_id,
        reply_markup=keyboard,
    )
    await env.put(PERSON, "<i>2 &lt; 3</i>", kind="relay_to_person", parse_mode="HTML")

    assert await env.worker().run_once() == 2
    card = env.emulator.bot_messages(FORUM)[-1]
    assert card.text == "Case K-7"
    assert card.entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert card.data["message_thread_id"] == topic.message_thread_id
    assert card.button_texts == ["Take"]
    assert card.buttons[0]["callback_data"] == "take:K-7"
    assert env.texts(PERSON) == ["2 < 3"]
    # A mode stored with the message is passed on; without one the bot's default applies.
    assert modes[PERSON] == "HTML"
    assert isinstance(modes[FORUM], Default)


async def test_a_group_that_became_a_supergroup_gets_the_message_there(env: Env) -> None:
    old_group = -4000000001

    async def upgraded(method: SendMessage) -> None:
        if method.chat_id == old_group:
            raise TelegramMigrateToChat(
                method=method,
                message="Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=OPERATORS,
            )

    env.session.hook = upgraded
    row_id = await env.put(old_group, "card")
    assert await env.worker().run_once() == 1
    assert env.texts(OPERATORS) == ["card"]
    row = await env.row(row_id)
    assert (row.status, row.chat_key) == ("sent", str(OPERATORS))


async def test_retry_after_waits_then_delivers_once_and_pauses_only_that_chat(env: Env) -> None:
    env.emulator.fail_next(
        "sendMessage",
        1,
        status=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    first = await env.put(OPERATORS, "card 1")
    await env.put(OPERATORS, "card 2")
    await env.put(PERSON, "hello", kind="relay_to_person")
    worker = env.worker()

    assert await worker.run_once() == 1  # the person's message is not held up
    assert env.texts(PERSON) == ["hello"]
    assert env.texts(OPERATORS) == []
    row = await env.row(first)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "Too Many Requests: retry after 7"

    env.clock.advance(6.9)
    assert await worker.run_once() == 0
    assert env.sends() == 2  # nothing tried for the paused chat before its time

    env.clock.advance(0.1)
    assert await worker.run_once() == 2
    assert env.texts(OPERATORS) == ["card 1", "card 2"]
    assert env.sends() == 4


async def test_server_errors_back_off_exponentially_and_deliver_once(env: Env) -> None:
    env.emulator.fail_next("sendMessage", 3, status=500, description="Internal Server Error")
    row_id = await env.put(OPERATORS, "card")
    worker = env.worker()

    # Tries at 0 s, then 1 s, 2 s and 4 s after each failure: 0, 1, 3, 7.
    tried_at = []
    for second in range(10):
        before = env.sends()
        sent = await worker.run_once()
        if env.sends() > before:
            tried_at.append(second)
        if sent:
            break
        env.clock.advance(1)
    assert tried_at == [0, 1, 3, 7]
    assert env.texts(OPERATORS) == ["card"]
    row = await env.row(row_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 4, None)
    env.clock.advance(600)
    assert await worker.run_once() == 0
    assert env.texts(OPERATORS) == ["card"]


async def test_a_message_that_keeps_failing_is_retried_forever_and_warned_about(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.emulator.fail_next("sendMessage", 12, status=500, description="Internal Server Error")
    row_id = await env.put(OPERATORS, "card")
    worker = env.worker()
    waits = []
    for _ in range(12):
        assert await worker.run_once() == 0
        row = await env.row(row_id)
        waits.append(round((row.next_attempt_at.replace(tzinfo=UTC) - env.clock.now).seconds))
        env.clock.now = row.next_attempt_at.replace(tzinfo=UTC)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert await worker.run_once() == 1
    assert env.texts(OPERATORS) == ["card"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3  # attempts 10, 11 and 12
    assert "attempt 10" in warnings[0].getMessage()


async def test_errors_never_reveal_a_private_chat_id(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    env.emulator.fail_next(
        "sendMessage",
        1,
        status=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
    )
    row_id = await env.put(PERSON, SECRET, kind="relay_to_person")
    worker = env.worker()
    assert await worker.run_once() == 0
    # aiogram's own text for a 429 names the chat; what is kept is Telegram's description.
    assert (await env.row(row_id)).last_error == "Too Many Requests: retry after 3"
    env.clock.advance(3)
    assert await worker.run_once() == 1
    assert "retry after 3" in caplog.text
    assert str(PERSON) not in caplog.text
    assert SECRET not in caplog.text


async def test_network_errors_and_timeouts_are_retried(env: Env) -> None:
    failures: list[BaseException] = [
        TelegramNetworkError(method=SendMessage(chat_id=0, text="-"), message="Request timeout"),
        TimeoutError(),
    ]

    async def flaky_network(method: SendMessage) -> None:
        if failures:
            raise failures.pop(0)

    env.session.hook = flaky_network
    row_id = await env.put(PERSON, SECRET, kind="relay_to_person")
    worker = env.worker()

    assert await worker.run_once() == 0
    env.clock.advance(1)
    assert await worker.run_once() == 0
    assert (await env.row(row_id)).last_error == "TimeoutError"
    env.clock.advance(2)
    assert await worker.run_once() == 1
    assert env.texts(PERSON) == [SECRET]


async def test_restart_mid_way_loses_and_doubles_nothing(env: Env) -> None:
    for number in range(1, 7):
        await env.put(OPERATORS, f"card {number}")
    await env.put(PERSON, "reply", kind="relay_to_person")

    async def die_on_card_3(method: SendMessage) -> None:
        if method.text == "card 3":
            raise Crash

    dying = HookedSession(env.emulator)
    dying.hook = die_on_card_3
    with pytest.raises(Crash):
        await env.worker(bot=make_bot(dying)).run_once()
    assert env.texts(OPERATORS) == ["card 1", "card 2"]
    assert env.texts(PERSON) == ["reply"]

    # A new process on the same database. Card 3 is still leased by the dead worker, and the
    # cards behind it wait for it: order is kept.
    worker = env.worker(sessions=env.new_process_sessions())
    assert await worker.run_once() == 0
    env.clock.advance(LEASE.total_seconds())
    assert await worker.run_once() == 4
    assert env.texts(OPERATORS) == [f"card {number}" for number in range(1, 7)]
    assert env.texts(PERSON) == ["reply"]
    assert {row.status for row in await env.rows()} == {"sent"}


async def test_a_worker_that_lost_its_lease_does_not_overrule_the_new_owner(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    row_id = await env.put(OPERATORS, "card")
    release_a, release_b = asyncio.Event(), asyncio.Event()
    in_a, in_b = asyncio.Event(), asyncio.Event()

    async def stuck_then_bad_gateway(method: SendMessage) -> None:
        in_a.set()
        await release_a.wait()
        raise TelegramServerError(method=method, message="Bad Gateway")

    async def slow(method: SendMessage) -> None:
        in_b.set()
        await release_b.wait()

    session_a, session_b = HookedSession(env.emulator), HookedSession(env.emulator)
    session_a.hook, session_b.hook = stuck_then_bad_gateway, slow
    worker_a = env.worker(bot=make_bot(session_a))
    worker_b = env.worker(bot=make_bot(session_b), sessions=env.new_process_sessions())

    run_a = asyncio.create_task(worker_a.run_once())
    await asyncio.wait_for(in_a.wait(), 2)
    env.clock.advance(LEASE.total_seconds())  # worker A looks dead: B takes the row over
    run_b = asyncio.create_task(worker_b.run_once())
    await asyncio.wait_for(in_b.wait(), 2)
    release_a.set()
    assert await run_a == 0  # A's failure must not free the row B is sending

    env.clock.advance(1)
    assert await env.worker().run_once() == 0
    release_b.set()
    assert await run_b == 1
    assert env.texts(OPERATORS) == ["card"]
    row = await env.row(row_id)
    assert (row.status, row.attempts) == ("sent", 1)
    assert "lease ran out" in caplog.text


async def test_stop_lets_the_message_being_sent_finish(env: Env) -> None:
    await env.put(OPERATORS, "card 1")
    await env.put(OPERATORS, "card 2")
    entered = asyncio.Event()
    release = asyncio.Event()

    async def slow(method: SendMessage) -> None:
        entered.set()
        await release.wait()

    env.session.hook = slow
    worker = env.worker(poll_interval=60)
    await worker.start()
    await asyncio.wait_for(entered.wait(), 2)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 2)

    assert env.texts(OPERATORS) == ["card 1"]
    assert [row.status for row in await env.rows()] == ["sent", "pending"]
    assert (await env.rows())[1].locked_until is None


async def test_a_commit_wakes_the_worker(env: Env) -> None:
    looked = asyncio.Event()

    class Watched(OutboxWorker):
        async def run_once(self) -> int:
            sent = await super().run_once()
            looked.set()
            return sent

    worker = Watched(env.sessions, env.cipher, env.bot, poll_interval=60, clock=env.clock)
    env.outbox.wake = worker.wake
    arrived = asyncio.Event()
    env.emulator.add_listener(lambda: arrived.set() if env.texts(OPERATORS) else None)
    await worker.start()
    try:
        # The worker has looked once and found nothing: without a wake-up it would next look
        # in a minute.
        await asyncio.wait_for(looked.wait(), 2)
        async with env.sessions() as session:
            await env.outbox.enqueue(session, chat_id=OPERATORS, text="lost", kind="case_card")
            await session.rollback()
        await env.put(OPERATORS, "card")
        await asyncio.wait_for(arrived.wait(), 2)
    finally:
        await worker.stop()
    assert env.texts(OPERATORS) == ["card"]


async def test_fifo_per_chat_under_retries(env: Env) -> None:
    env.emulator.fail_next("sendMessage", 2, status=502, description="Bad Gateway")
    for number in range(1, 4):
        await env.put(PERSON, f"relay {number}", kind="relay_to_person")
    worker = env.worker()

    seen: list[list[str | None]] = []
    for step in range(8):
        await worker.run_once()
        seen.append(env.texts(PERSON))
        if step == 0:  # after the first failure, so the second one is relay 1's too
            await env.put(OTHER_PERSON, "other", kind="relay_to_person")
        env.clock.advance(1)
    # Relay 1 fails twice (0 s, 1 s) and goes at 3 s; 2 and 3 follow one a second, never
    # before it, although they were due all along.
    assert seen == [
        [],
        [],
        [],
        ["relay 1"],
        ["relay 1", "relay 2"],
        ["relay 1", "relay 2", "relay 3"],
        ["relay 1", "relay 2", "relay 3"],
        ["relay 1", "relay 2", "relay 3"],
    ]
    assert env.texts(OTHER_PERSON) == ["other"]
    relay_calls = [c["text"] for c in env.emulator.calls_to("sendMessage") if c["text"] != "other"]
    assert relay_calls == ["relay 1", "relay 1", "relay 1", "relay 2", "relay 3"]


async def test_blocked_person_is_undeliverable_and_reported(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    env.emulator.block_bot(PERSON)
    row_id = await env.put(PERSON, SECRET, kind="relay_to_person", ref="K-123")
    await env.put(PERSON, "second", kind="relay_to_person", ref="K-123")
    await env.put(OPERATORS, "card")
    worker = env.worker()

    assert await worker.run_once() == 1
    assert env.texts(OPERATORS) == ["card"]
    assert env.undeliverable == [("K-123", "relay_to_person"), ("K-123", "relay_to_person")]
    row = await env.row(row_id)
    assert (row.status, row.payload, row.ref) == ("undeliverable", "", "K-123")
    assert row.last_error == "Forbidden: bot was blocked by the user"

    env.clock.advance(3600)
    assert await worker.run_once() == 0
    assert env.sends() == 3  # not retried
    assert SECRET not in caplog.text
    assert str(PERSON) not in caplog.text


async def test_a_private_chat_that_is_gone_is_undeliverable(env: Env) -> None:
    env.emulator.add_private_user(5550003, "Never wrote")  # the bot cannot write to them
    await env.put(5550003, "hello", kind="relay_to_person", ref="K-9")
    assert await env.worker().run_once() == 0
    assert env.undeliverable == [("K-9", "relay_to_person")]
    assert [row.status for row in await env.rows()] == ["undeliverable"]


async def test_bad_request_fails_without_retries_and_unblocks_the_chat(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    bad = await env.put(OPERATORS, f"<blink>{SECRET}</blink>")
    await env.put(OPERATORS, "next card")
    worker = env.worker()

    assert await worker.run_once() == 1
    assert env.texts(OPERATORS) == ["next card"]
    row = await env.row(bad)
    assert (row.status, row.attempts, row.payload) == ("failed", 1, "")
    assert row.last_error == (
        'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 0'
    )
    assert env.undeliverable == []
    env.clock.advance(3600)
    assert await worker.run_once() == 0
    assert env.sends() == 2
    assert "Unsupported start tag" in caplog.text
    assert SECRET not in caplog.text


async def test_at_most_20_a_minute_to_a_group(env: Env) -> None:
    for number in range(25):
        await env.put(OPERATORS, f"card {number}")
    worker = env.worker()

    assert await worker.run_once() == 20
    for _ in range(59):
        env.clock.advance(1)
        assert await worker.run_once() == 0
    assert len(env.texts(OPERATORS)) == 20
    env.clock.advance(1)  # a minute after the first 20
    assert await worker.run_once() == 5
    assert env.texts(OPERATORS) == [f"card {number}" for number in range(25)]


async def test_group_limit_holds_across_a_restart(env: Env) -> None:
    for number in range(25):
        await env.put(OPERATORS, f"card {number}")
    assert await env.worker(group_per_minute=10).run_once() == 10
    env.clock.advance(30)
    restarted = env.worker(sessions=env.new_process_sessions(), group_per_minute=10)
    assert await restarted.run_once() == 0
    env.clock.advance(30)
    assert await restarted.run_once() == 10


async def test_two_workers_at_once_share_the_limits_and_send_each_message_once(env: Env) -> None:
    people = [6000000 + number for number in range(30)]
    for number in range(25):
        await env.put(OPERATORS, f"card {number}")
    for person in people:
        env.emulator.add_private_user(person, "P", started=True)
        await env.put(person, "hello", kind="relay_to_person")
    # Two replicas: their own connections, the same database, the same moment.
    first = env.worker()
    second = env.worker(sessions=env.new_process_sessions())

    async def both() -> int:
        return sum(await asyncio.gather(first.run_once(), second.run_once()))

    # At most 25 a second, however many workers: the group's first card and 24 people, then
    # 6 people and 19 cards, which makes the group's 20 for the minute.
    assert await both() == 25
    assert len(env.texts(OPERATORS)) == 1
    env.clock.advance(1)
    assert await both() == 25
    assert len(env.texts(OPERATORS)) == 20
    env.clock.advance(58)
    assert await both() == 0
    env.clock.advance(1)  # a minute after the first card: one more may go
    assert await both() == 1
    env.clock.advance(1)
    assert await both() == 4
    assert env.texts(OPERATORS) == [f"card {number}" for number in range(25)]
    assert all(env.texts(person) == ["hello"] for person in people)
    assert env.sends() == 55


async def test_at_most_25_a_second_and_one_a_second_per_person(env: Env) -> None:
    people = [6000000 + number for number in range(30)]
    for person in people:
        env.emulator.add_private_user(person, "P", started=True)
        await env.put(person, "hello", kind="relay_to_person")
    await env.put(people[0], "again", kind="relay_to_person")
    worker = env.worker()

    assert await worker.run_once() == 25
    assert await worker.run_once() == 0
    env.clock.advance(1)
    assert await worker.run_once() == 6
    assert env.texts(people[0]) == ["hello", "again"]
    assert all(env.texts(person) == ["hello"] for person in people[1:])


async def test_payload_is_encrypted_at_rest_and_cleared_once_sent(env: Env) -> None:
    row_id = await env.put(PERSON, SECRET, kind="relay_to_person", ref="K-5")
    raw = await env.database_bytes()
    assert SECRET.encode() not in raw
    assert "бил".encode() not in raw
    assert str(PERSON).encode() not in raw
    row = await env.row(row_id)
    assert row.chat_key == env.pseudonymizer.of("chat", PERSON)
    assert SECRET in env.cipher.decrypt(row.payload)

    assert await env.worker().run_once() == 1
    assert env.texts(PERSON) == [SECRET]
    row = await env.row(row_id)
    assert (row.status, row.payload, row.ref) == ("sent", "", None)
    assert row.sent_at is not None
    assert row.sent_at.replace(tzinfo=UTC) == T0  # SQLite gives it back without the zone
    assert str(PERSON).encode() not in await env.database_bytes()


async def test_purge_deletes_only_rows_nobody_needs(env: Env) -> None:
    await env.put(OPERATORS, "old card")
    await env.put(OPERATORS, "<blink>bad</blink>")
    worker = env.worker()
    await worker.run_once()
    env.clock.advance(2 * 3600)
    await env.put(PERSON, "waiting", kind="relay_to_person")
    await env.put(OPERATORS, "new card")
    env.emulator.fail_next("sendMessage", 1, status=500)
    await worker.run_once()

    assert await worker.purge() == 1  # the old sent row; the failed one is kept a week
    statuses = [(row.status, row.sent_at is not None) for row in await env.rows()]
    assert statuses == [("failed", False), ("pending", False), ("sent", True)]


async def test_key_rotation_re_encrypts_waiting_messages(env: Env) -> None:
    await env.put(OPERATORS, "sent before the rotation")
    assert await env.worker().run_once() == 1
    await env.put(PERSON, SECRET, kind="relay_to_person")
    new_key = generate_encryption_key()
    async with env.sessions() as session, session.begin():
        counts = await _rotate_all(session, Cipher([new_key, *env.cipher_keys]))
    assert ("outbox", 2) in counts

    # The old key is gone; the waiting message still goes out, the sent one stays empty.
    env.cipher = Cipher([new_key])
    assert await env.worker().run_once() == 1
    assert env.texts(PERSON) == [SECRET]
    assert [row.payload for row in await env.rows()] == ["", ""]

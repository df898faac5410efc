"""How long anything is kept: what is past its period is erased, from every table and from the
disk, and what is still in use is not. A real database and an injected clock.

The service tests also run on PostgreSQL with
RETENTION_TEST_DATABASE_URL=postgresql+asyncpg://user@host/scratch_db (its tables are emptied).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.types import Update
from aiogram.types import User as TelegramUser
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.__main__ import main
from bot.config import Settings
from bot.db.cases import Case
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_to_head
from bot.db.models import (
    Base,
    ChatMessage,
    FsmRecord,
    OutboxMessage,
    ProcessedUpdate,
    SafetyPlan,
    User,
    utcnow,
)
from bot.db.repositories import UserRepository
from bot.middlewares.database import DatabaseMiddleware
from bot.offline import OfflineBot
from bot.security import (
    Cipher,
    DecryptionError,
    Pseudonymizer,
    generate_encryption_key,
    load_or_create_keys,
)
from bot.services.retention import Erased, Periods, Retention, day_of
from tests.e2e import stored_bytes
from tests.servers import redis_server
from tests.test_flows import CHOOSE_LANGUAGE, HOW_CAN_I_HELP, Chat
from tests.test_legal_aid import file_request
from tests.test_torture import conversation_state, start_draft

DATABASE_URL = os.environ.get("RETENTION_TEST_DATABASE_URL")
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PLAN_CANARY = "canary4417"
DRAFT_CANARY = "canary4418"


@dataclass
class Env:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def add(self, *rows: Any) -> None:
        async with self.sessions() as session, session.begin():
            session.add_all(rows)

    async def column(self, column: Any) -> set[Any]:
        async with self.sessions() as session:
            return set((await session.scalars(select(column))).all())


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    if DATABASE_URL:
        settings = settings.model_copy(update={"database_url": SecretStr(DATABASE_URL)})
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade_to_head(engine)
    if DATABASE_URL:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(delete(table))
    yield Env(engine, create_session_factory(engine))
    await engine.dispose()


def user(pseudonym: str, *, seen: datetime | None, created: datetime | None = None) -> User:
    return User(
        pseudonym=pseudonym,
        language="ru",
        country="KG",
        seen_at=seen,
        created_at=created or T0 - timedelta(days=400),
    )


def case(pseudonym: str, code: str, *, closed: datetime | None) -> Case:
    return Case(
        code=code,
        pseudonym=pseudonym,
        status="open" if closed is None else "resolved",
        category="domestic_violence",
        country="KG",
        urgency="days",
        language="ru",
        details="token",
        created_at=T0 - timedelta(days=200),
        closed_at=closed,
    )


def outbox(status: str, *, age: timedelta) -> OutboxMessage:
    return OutboxMessage(
        payload="",
        chat_key="-100",
        kind="case_event",
        status=status,
        created_at=T0 - age,
        sent_at=T0 - age if status == "sent" else None,
    )


async def test_each_period_erases_what_is_past_it_and_keeps_the_rest(env: Env) -> None:
    long_ago = T0 - timedelta(days=400)
    await env.add(
        user("seen-181-days-ago", seen=day_of(T0 - timedelta(days=181))),
        # Seen on the day that is exactly 180 days back: maybe in its last hour, so kept.
        user("seen-on-the-last-day", seen=day_of(T0 - timedelta(days=180))),
        user("seen-last-week", seen=day_of(T0 - timedelta(days=7))),
        user("never-seen-old", seen=None, created=T0 - timedelta(days=181)),
        user("never-seen-new", seen=None, created=T0 - timedelta(days=10)),
        user("open-case", seen=long_ago),
        user("closed-last-month", seen=long_ago),
        user("closed-long-ago", seen=long_ago),
    )
    await env.add(
        SafetyPlan(pseudonym="seen-181-days-ago", data="token"),
        SafetyPlan(pseudonym="seen-last-week", data="token"),
        SafetyPlan(pseudonym="open-case", data="token"),
        case("open-case", "OPENCASE", closed=None),
        case("closed-last-month", "CLOSED30", closed=T0 - timedelta(days=30)),
        case("closed-long-ago", "CLOSED91", closed=T0 - timedelta(days=91)),
        FsmRecord(key="idle-15-days", data="token", updated_at=T0 - timedelta(days=15)),
        FsmRecord(key="idle-13-days", data="token", updated_at=T0 - timedelta(days=13)),
        ChatMessage(chat_key="chat", message_id=1, sent_at=T0 - timedelta(hours=49)),
        ChatMessage(chat_key="chat", message_id=2, sent_at=T0 - timedelta(hours=47)),
        ProcessedUpdate(update_id=1, seen_at=T0 - timedelta(days=3)),
        ProcessedUpdate(update_id=2, seen_at=T0 - timedelta(days=1)),
        outbox("sent", age=timedelta(hours=2)),
        outbox("sent", age=timedelta(minutes=30)),
        outbox("failed", age=timedelta(days=8)),
        outbox("undeliverable", age=timedelta(days=6)),
        outbox("pending", age=timedelta(days=30)),  # never sent: never deleted
    )

    erased = await Retention(env.engine, Periods(), clock=lambda: T0).run()

    assert erased == Erased(
        profiles=3,  # seen-181-days-ago, never-seen-old, and closed-long-ago with its case
        safety_plans=1,
        conversation_states=1,
        message_ids=1,
        closed_cases=1,
        processed_updates=1,
        outbox_rows=2,
    )
    assert await env.column(User.pseudonym) == {
        "seen-on-the-last-day",
        "seen-last-week",
        "never-seen-new",
        "open-case",
        "closed-last-month",
    }
    assert await env.column(SafetyPlan.pseudonym) == {"seen-last-week", "open-case"}
    assert await env.column(Case.code) == {"OPENCASE", "CLOSED30"}
    assert await env.column(FsmRecord.key) == {"idle-13-days"}
    assert await env.column(ChatMessage.message_id) == {2}
    assert await env.column(ProcessedUpdate.update_id) == {2}
    assert await env.column(OutboxMessage.status) == {"sent", "undeliverable", "pending"}
    # A second run finds nothing more.
    assert await Retention(env.engine, clock=lambda: T0).purge() == Erased()


async def test_the_periods_come_from_the_settings(env: Env, settings: Settings) -> None:
    settings = settings.model_copy(
        update={"profile_retention_days": 30, "conversation_retention_days": 2}
    )
    await env.add(
        user("seen-31-days-ago", seen=day_of(T0 - timedelta(days=31))),
        FsmRecord(key="idle-3-days", data="token", updated_at=T0 - timedelta(days=3)),
    )
    erased = await Retention(env.engine, Periods.from_settings(settings)).purge(now=T0)
    assert (erased.profiles, erased.conversation_states) == (1, 1)


# ---- seen_at ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = T0.replace(hour=9)

    def __call__(self) -> datetime:
        return self.now


async def test_seen_at_is_written_at_most_once_a_day(env: Env) -> None:
    clock = Clock()
    middleware = DatabaseMiddleware(
        env.sessions,
        Pseudonymizer(b"p" * 32),
        Cipher([generate_encryption_key()]),
        clock=clock,
    )
    person = TelegramUser(id=7123456789, is_bot=False, first_name="Test")
    writes: list[str] = []

    def count_writes(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            writes.append(statement)

    event.listen(env.engine.sync_engine, "before_cursor_execute", count_writes)
    update_ids = iter(range(100, 200))

    async def deliver(handler: Any = None) -> None:
        async def nothing(_event: Update, _data: dict[str, Any]) -> str:
            return "ok"

        data = {"event_from_user": person}
        await middleware(handler or nothing, Update(update_id=next(update_ids)), data)

    async def choose_language(_event: Update, data: dict[str, Any]) -> None:
        await data["people"].choose_language(data["pseudonym"], "ru")

    async def seen() -> tuple[datetime | None, datetime]:
        async with env.sessions() as session:
            row = (await session.execute(select(User.seen_at, User.updated_at))).one()
        return row.seen_at, row.updated_at

    await deliver(choose_language)  # a newcomer: the profile is made, nothing else
    seen_at, created = await seen()
    assert seen_at is None

    for hour, minute in ((9, 0), (9, 5), (13, 30), (23, 59)):
        clock.now = T0.replace(hour=hour, minute=minute)
        await deliver()
    assert len(writes) == 1
    seen_at, updated = await seen()
    assert seen_at is not None and seen_at.replace(tzinfo=UTC) == day_of(T0)  # the day only
    assert updated == created  # no time of day recorded anywhere

    clock.now = T0 + timedelta(days=1, minutes=1)
    await deliver()
    await deliver()
    assert len(writes) == 2
    seen_at, _ = await seen()
    assert seen_at is not None and seen_at.replace(tzinfo=UTC) == day_of(T0 + timedelta(days=1))

    # The day's first update deleting the profile (Forget me) meets no pending write.
    async def forget(_event: Update, data: dict[str, Any]) -> None:
        assert await UserRepository(data["session"]).delete(data["pseudonym"])

    clock.now = T0 + timedelta(days=2)
    await deliver(forget)
    assert await env.column(User.pseudonym) == set()


# ---- the whole bot --------------------------------------------------------------------------


def everything_stored(settings: Settings) -> str:
    """Every value of every table, Fernet tokens decrypted: all the database still holds."""
    cipher = load_or_create_keys(settings).cipher()
    values: list[str] = []
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
        assert {table.name for table in Base.metadata.sorted_tables} <= set(tables)
        for table in tables:
            if table.startswith("sqlite_") or table.startswith("ix_") or table.startswith("uq_"):
                continue
            try:
                rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            except sqlite3.OperationalError:
                continue  # an index, not a table
            for row in rows:
                for value in row:
                    text = str(value)
                    with contextlib.suppress(DecryptionError, ValueError, TypeError):
                        text = cipher.decrypt(text)
                    values.append(text)
    return "\n".join(values)


async def test_an_unused_profile_leaves_nothing_behind(
    desk: OfflineBot, settings: Settings
) -> None:
    pseudonymizer = load_or_create_keys(settings).pseudonymizer()
    # Someone with a kept safety plan and a complaint draft left half-way.
    chat = Chat(desk, language_code="ru", user_id=5511)
    await chat.onboard("ru", "KZ")
    await chat.person.press(chat.t("ru", "I want to feel calmer"))
    await chat.person.press(chat.t("ru", "My safety plan"))
    await chat.person.press(chat.t("ru", "Begin"))
    await chat.person.send(f"Он начинает пить по пятницам {PLAN_CANARY}")
    for _ in range(4):
        await chat.person.press(chat.button("ru", "Skip", "⏭"))
    await chat.person.press(chat.t("ru", "Keep it"))
    await chat.person.send("/menu")
    await chat.person.press(chat.t("ru", "I was tortured or beaten by police"))
    await chat.person.press(chat.t("ru", "I am safe now"))
    await start_draft(chat, "ru")
    await chat.person.send(f"Меня избили в отделе {DRAFT_CANARY}")
    # Someone else with an open legal-aid request.
    other = Chat(desk, language_code="en", user_id=5522)
    await file_request(other, "en", "KG")

    gone, kept = pseudonymizer.of("user", 5511), pseudonymizer.of("user", 5522)
    stored = everything_stored(settings)
    assert PLAN_CANARY in stored and gone in stored and kept in stored
    assert DRAFT_CANARY in conversation_state(settings)

    resources = desk.dp["resources"]  # type: ignore[index]
    half_a_year = utcnow() + timedelta(days=181)
    retention = Retention(
        resources.engine, Periods.from_settings(settings), clock=lambda: half_a_year
    )
    erased = await retention.purge()

    assert (erased.profiles, erased.safety_plans, erased.closed_cases) == (1, 1, 0)
    assert erased.conversation_states >= 2  # both conversations, idle for half a year
    stored = everything_stored(settings)
    raw = stored_bytes(settings.data_dir)
    for secret in (PLAN_CANARY, DRAFT_CANARY, gone):
        assert secret not in stored, secret
        assert secret.encode() not in raw, secret
    assert kept in stored  # the person with an open request keeps their profile

    # Coming back, the first is a newcomer: asked for their language, no plan.
    await chat.person.send("/start")
    assert chat.sees("ru", CHOOSE_LANGUAGE)
    # The second is still known, in their language.
    await other.person.send("/menu")
    assert other.sees("en", HOW_CAN_I_HELP)


async def test_the_running_bot_purges_every_hour_by_itself(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade_to_head(engine)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        session.add(
            ChatMessage(chat_key="chat", message_id=1, sent_at=utcnow() - timedelta(days=3))
        )
        session.add(ProcessedUpdate(update_id=1, seen_at=utcnow() - timedelta(days=3)))
    caplog.set_level("INFO")
    async with OfflineBot(settings):
        for _ in range(200):
            async with sessions() as session:
                left = (await session.scalars(select(ChatMessage.message_id))).all()
            if not left:
                break
            await asyncio.sleep(0.05)
    assert left == []
    assert any("Retention: erased" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]
    await engine.dispose()


async def test_a_failing_database_is_tried_again_at_the_next_run(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # No tables yet: every statement fails, as against a database that is away for a moment.
    engine = create_engine(settings.sqlalchemy_url)
    retention = Retention(engine, every=timedelta(seconds=0.05))
    caplog.set_level("INFO")
    await retention.start()
    try:
        for _ in range(200):
            if any(r.levelname == "WARNING" for r in caplog.records):
                break
            await asyncio.sleep(0.02)
        assert any("Retention: the database failed" in r.getMessage() for r in caplog.records)
        await upgrade_to_head(engine)  # the database is back
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            session.add(
                ChatMessage(chat_key="c", message_id=1, sent_at=utcnow() - timedelta(days=3))
            )
        for _ in range(200):
            async with sessions() as session:
                left = (await session.scalars(select(ChatMessage.message_id))).all()
            if not left:
                break
            await asyncio.sleep(0.02)
        assert left == []
    finally:
        await retention.stop()
        await engine.dispose()
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]


# ---- python -m bot purge ----------------------------------------------------------------------


async def test_purge_command_prints_what_it_erased(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade_to_head(engine)
    now = utcnow()
    unused = "a1" * 32  # a pseudonym, as the middleware makes them
    async with create_session_factory(engine)() as session, session.begin():
        session.add(user(unused, seen=day_of(now - timedelta(days=200))))
        session.add(user("b2" * 32, seen=day_of(now)))
    async with create_session_factory(engine)() as session, session.begin():
        session.add(SafetyPlan(pseudonym=unused, data="token"))
        for number in (1, 2, 3):
            session.add(
                ChatMessage(chat_key="c", message_id=number, sent_at=now - timedelta(days=3))
            )
        session.add(FsmRecord(key="idle", data="token", updated_at=now - timedelta(days=20)))
    await engine.dispose()

    # In another thread, as from the shell: main() runs its own event loop.
    assert await asyncio.to_thread(main, ["purge"]) == 0
    out = capsys.readouterr().out
    for count in (
        "profiles: 1",
        "safety plans: 1",
        "conversation states: 1",
        "message ids: 3",
        "closed cases: 0",
        "processed updates: 0",
        "outbox rows: 0",
    ):
        assert count in out, out
    assert unused not in out  # counts only, never whose

    assert await asyncio.to_thread(main, ["purge"]) == 0
    assert "profiles: 0, safety plans: 0" in capsys.readouterr().out


# ---- Redis ------------------------------------------------------------------------------------


@pytest.mark.redis
async def test_with_redis_a_conversation_expires_after_the_period(
    settings: Settings, tmp_path: Any
) -> None:
    with redis_server(tmp_path) as url:
        redis_settings = settings.model_copy(
            update={"redis_url": SecretStr(url), "conversation_retention_days": 3}
        )
        async with OfflineBot(redis_settings) as offline:
            chat = Chat(offline, language_code="tg")
            await chat.person.send("/start")
        redis = Redis.from_url(url)
        keys = [key async for key in redis.scan_iter("fsm:*")]
        assert keys
        for key in keys:
            ttl = await redis.ttl(key)
            assert timedelta(days=3) - timedelta(minutes=1) < timedelta(seconds=ttl)
            assert timedelta(seconds=ttl) <= timedelta(days=3)
        await redis.aclose()

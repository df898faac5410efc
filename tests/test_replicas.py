"""Two processes on one database: an update delivered twice, or to two replicas at once, is
handled once; unclaimed cases are announced once however many replicas remind. (Also checked
on PostgreSQL 15 by pointing `settings.database_url` at a server.)"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiogram.types import Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_to_head
from bot.db.models import ProcessedUpdate, utcnow
from bot.middlewares.database import DatabaseMiddleware
from bot.offline import OfflineBot
from bot.security import Cipher, Pseudonymizer, generate_encryption_key
from bot.services.retention import Retention
from tests.test_flows import Chat
from tests.test_legal_aid import file_request
from tests.test_operators import desk_of

NOBODY: dict[str, Any] = {"event_from_user": None}


@pytest.fixture
async def engines(settings: Settings) -> AsyncIterator[Callable[[], AsyncEngine]]:
    """Makes engines on the test's database, as separate processes would have."""
    made: list[AsyncEngine] = []

    def make() -> AsyncEngine:
        engine = create_engine(settings.sqlalchemy_url)
        made.append(engine)
        return engine

    await upgrade_to_head(make())
    yield make
    for engine in made:
        await engine.dispose()


def replica(engine: AsyncEngine) -> DatabaseMiddleware:
    return DatabaseMiddleware(
        create_session_factory(engine),
        Pseudonymizer(b"p" * 32),
        Cipher([generate_encryption_key()]),
    )


async def test_an_update_delivered_twice_is_handled_once(
    engines: Callable[[], AsyncEngine],
) -> None:
    middleware = replica(engines())
    handled: list[int] = []

    async def handler(event: Update, data: dict[str, Any]) -> str:
        handled.append(event.update_id)
        return "ok"

    assert await middleware(handler, Update(update_id=7), dict(NOBODY)) == "ok"
    assert await middleware(handler, Update(update_id=7), dict(NOBODY)) is None
    assert await middleware(handler, Update(update_id=8), dict(NOBODY)) == "ok"
    assert handled == [7, 8]


async def test_an_update_whose_handling_failed_is_handled_again(
    engines: Callable[[], AsyncEngine],
) -> None:
    middleware = replica(engines())
    calls = 0

    async def failing_once(event: Update, data: dict[str, Any]) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away")
        return "ok"

    with pytest.raises(RuntimeError):
        await middleware(failing_once, Update(update_id=9), dict(NOBODY))
    assert await middleware(failing_once, Update(update_id=9), dict(NOBODY)) == "ok"


async def test_one_update_on_two_replicas_at_once_runs_once(
    engines: Callable[[], AsyncEngine],
) -> None:
    first, second = replica(engines()), replica(engines())
    handled: list[str] = []
    started = asyncio.Event()

    async def slow(event: Update, data: dict[str, Any]) -> str:
        handled.append("first")
        started.set()
        await asyncio.sleep(0.5)  # holds its transaction, and the update's row, a while
        return "first"

    async def fast(event: Update, data: dict[str, Any]) -> str:
        handled.append("second")
        return "second"

    async def later() -> Any:
        await started.wait()
        return await second(fast, Update(update_id=11), dict(NOBODY))

    results = await asyncio.gather(first(slow, Update(update_id=11), dict(NOBODY)), later())
    assert results == ["first", None]
    assert handled == ["first"]


async def test_old_processed_updates_are_purged(engines: Callable[[], AsyncEngine]) -> None:
    engine = engines()
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        session.add(ProcessedUpdate(update_id=1, seen_at=utcnow() - timedelta(days=3)))

    async def handler(event: Update, data: dict[str, Any]) -> str:
        return "ok"

    assert await replica(engine)(handler, Update(update_id=500), dict(NOBODY)) == "ok"
    # The hourly purge deletes what is older than two days.
    assert (await Retention(engine).purge()).processed_updates == 1
    async with sessions() as session:
        assert (await session.scalars(select(ProcessedUpdate.update_id))).all() == [500]


async def test_two_replicas_remind_each_case_once(
    desk: OfflineBot, engines: Callable[[], AsyncEngine]
) -> None:
    chat = Chat(desk, language_code="en")
    await file_request(chat, "en", "KG")
    first = desk_of(desk)
    second = copy.copy(first)
    second._sessions = create_session_factory(engines())  # another process's connections
    later = utcnow() + timedelta(minutes=61)
    counts = await asyncio.gather(*(d.remind(now=later) for d in (first, second, first, second)))
    assert sum(counts) == 1, counts

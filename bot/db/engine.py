"""Engine and session factory, and the session of the update being handled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# The session of the update being handled, set by DatabaseMiddleware. The FSM storage writes
# through it too: on SQLite a second connection writing in the same update would wait for the
# first one's lock until it timed out.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 15})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (below), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one update writes; NORMAL sync is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted or overwritten rows (a closed case's chat id, a deleted safety plan) are zeroed
    # on disk instead of lingering in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Every transaction takes SQLite's write lock at its start. With the default deferred
    # BEGIN, a transaction that read first and writes later fails at once ("database is
    # locked", SQLITE_BUSY_SNAPSHOT) if another update or the outbox worker committed in
    # between, and busy_timeout cannot help. Waiting for the lock at BEGIN can.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """The update's session when inside one, else a short transaction of its own."""
    session = current_session.get()
    if session is not None:
        yield session
        return
    async with factory() as own, own.begin():
        yield own

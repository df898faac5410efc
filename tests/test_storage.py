"""Conversation state: survives restarts, is encrypted at rest, never holds a Telegram id."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_to_head
from bot.security import Cipher, Pseudonymizer, generate_encryption_key
from bot.storage import EncryptedRedisStorage, PseudonymousKeyBuilder, SqlStorage
from tests.servers import redis_server

USER_ID = 987654321
SECRET_TEXT = "он бил меня каждый вечер"
KEY = StorageKey(bot_id=7000001, chat_id=USER_ID, user_id=USER_ID)


class IntakeSG(StatesGroup):
    describe = State()


@pytest.fixture
def cipher() -> Cipher:
    return Cipher([generate_encryption_key()])


@pytest.fixture
def key_builder() -> PseudonymousKeyBuilder:
    return PseudonymousKeyBuilder(Pseudonymizer(b"p" * 32))


@pytest.fixture
async def sql_storage(
    settings: Settings, cipher: Cipher, key_builder: PseudonymousKeyBuilder
) -> AsyncIterator[SqlStorage]:
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade_to_head(engine)
    yield SqlStorage(create_session_factory(engine), cipher, key_builder)
    await engine.dispose()


def _database_bytes(settings: Settings) -> bytes:
    path = settings.data_dir / "bot.sqlite3"
    # Fold the write-ahead log into the file so the scan sees everything written.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(FULL)")
    return b"".join(p.read_bytes() for p in path.parent.glob("bot.sqlite3*"))


async def test_sql_storage_round_trip(sql_storage: SqlStorage) -> None:
    await sql_storage.set_state(KEY, IntakeSG.describe)
    await sql_storage.set_data(KEY, {"story": SECRET_TEXT, "n": 3})
    assert await sql_storage.get_state(KEY) == "IntakeSG:describe"
    assert await sql_storage.get_data(KEY) == {"story": SECRET_TEXT, "n": 3}
    other = StorageKey(bot_id=7000001, chat_id=1, user_id=1)
    assert await sql_storage.get_state(other) is None
    assert await sql_storage.get_data(other) == {}


async def test_sql_storage_is_encrypted_and_pseudonymous_on_disk(
    sql_storage: SqlStorage, settings: Settings
) -> None:
    await sql_storage.set_state(KEY, IntakeSG.describe)
    await sql_storage.set_data(KEY, {"story": SECRET_TEXT})
    raw = _database_bytes(settings)
    assert SECRET_TEXT.encode() not in raw
    assert "бил".encode() not in raw
    assert str(USER_ID).encode() not in raw
    assert b"IntakeSG" not in raw


async def test_sql_storage_state_survives_a_new_engine(
    settings: Settings, cipher: Cipher, key_builder: PseudonymousKeyBuilder
) -> None:
    for round_ in range(2):
        engine = create_engine(settings.sqlalchemy_url)
        await upgrade_to_head(engine)
        storage = SqlStorage(create_session_factory(engine), cipher, key_builder)
        if round_ == 0:
            await storage.set_data(KEY, {"step": 4})
        else:
            assert await storage.get_data(KEY) == {"step": 4}
        await engine.dispose()


async def test_clearing_state_and_data_leaves_no_row(
    sql_storage: SqlStorage, settings: Settings
) -> None:
    await sql_storage.set_state(KEY, IntakeSG.describe)
    await sql_storage.set_data(KEY, {"story": SECRET_TEXT})
    await sql_storage.set_state(KEY, None)
    await sql_storage.set_data(KEY, {})
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM fsm_records").fetchone() == (0,)


async def test_unreadable_state_starts_afresh_instead_of_failing(
    settings: Settings, key_builder: PseudonymousKeyBuilder, sql_storage: SqlStorage
) -> None:
    await sql_storage.set_data(KEY, {"step": 4})
    engine = create_engine(settings.sqlalchemy_url)
    stranger = SqlStorage(
        create_session_factory(engine), Cipher([generate_encryption_key()]), key_builder
    )
    assert await stranger.get_data(KEY) == {}
    await engine.dispose()


async def test_concurrent_writes_of_different_people_all_land(sql_storage: SqlStorage) -> None:
    keys = [StorageKey(bot_id=1, chat_id=n, user_id=n) for n in range(20)]
    await asyncio.gather(*(sql_storage.set_data(k, {"n": k.user_id}) for k in keys))
    assert [await sql_storage.get_data(k) for k in keys] == [{"n": n} for n in range(20)]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.mark.redis
async def test_redis_storage_encrypts_and_hides_ids(
    redis_url: str, cipher: Cipher, key_builder: PseudonymousKeyBuilder
) -> None:
    redis = Redis.from_url(redis_url)
    storage = EncryptedRedisStorage(redis, cipher, key_builder)
    await storage.set_state(KEY, IntakeSG.describe)
    await storage.set_data(KEY, {"story": SECRET_TEXT})
    assert await storage.get_state(KEY) == "IntakeSG:describe"
    assert await storage.get_data(KEY) == {"story": SECRET_TEXT}

    dump = b""
    for name in await redis.keys("*"):
        assert str(USER_ID).encode() not in name
        dump += name + (await redis.get(name) or b"")
    assert SECRET_TEXT.encode() not in dump
    assert b"IntakeSG" not in dump
    await storage.close()


@pytest.mark.redis
async def test_redis_isolation_serialises_one_persons_updates(
    redis_url: str, key_builder: PseudonymousKeyBuilder
) -> None:
    redis = Redis.from_url(redis_url)
    isolation = RedisEventIsolation(redis, key_builder=key_builder)
    seen: list[str] = []

    async def update(name: str) -> None:
        async with isolation.lock(KEY):
            seen.append(f"{name}-in")
            await asyncio.sleep(0.05)
            seen.append(f"{name}-out")

    await asyncio.gather(update("a"), update("b"))
    assert seen in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])
    await redis.aclose()

"""Conversation-state (FSM) storage, encrypted at rest, keyed by pseudonyms.

aiogram's storage key holds the raw chat and user ids; both storages here replace the key with
an HMAC of it, so neither the database nor Redis ever holds a Telegram id. State names and data
are Fernet-encrypted: data holds what a person is typing into a flow.

* `SqlStorage` (the default) keeps state in the `fsm_records` table. aiogram ships no SQL
  storage and the one on PyPI races on insert and never locks, hence these few lines.
* `EncryptedRedisStorage` is aiogram's RedisStorage with the same key and encryption, for
  several replicas (with RedisEventIsolation).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Literal

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, KeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy import Row, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import session_scope
from bot.db.models import FsmRecord, utcnow
from bot.security import Cipher, DecryptionError, Pseudonymizer

logger = logging.getLogger(__name__)


class PseudonymousKeyBuilder(KeyBuilder):
    """Storage keys that name a chat without its ids: `fsm:<hmac>[:part]`."""

    def __init__(self, pseudonymizer: Pseudonymizer, prefix: str = "fsm") -> None:
        self._pseudonymizer = pseudonymizer
        self._prefix = prefix

    def digest(self, key: StorageKey) -> str:
        return self._pseudonymizer.of(
            "fsm",
            key.bot_id,
            key.chat_id,
            key.user_id,
            key.thread_id or "",
            key.business_connection_id or "",
            key.destiny,
        )

    def build(
        self,
        key: StorageKey,
        part: Literal["data", "state", "lock"] | None = None,
    ) -> str:
        base = f"{self._prefix}:{self.digest(key)}"
        return f"{base}:{part}" if part else base


def _state_name(state: StateType) -> str | None:
    if state is None:
        return None
    return state.state if isinstance(state, State) else state


class SqlStorage(BaseStorage):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        cipher: Cipher,
        key_builder: PseudonymousKeyBuilder,
    ) -> None:
        self._sessions = session_factory
        self._cipher = cipher
        self._keys = key_builder

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = _state_name(state)
        await self._upsert(key, state=None if name is None else self._cipher.encrypt(name))

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._load(key)
        return self._decrypt(record.state) if record and record.state else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        payload = self._cipher.encrypt(json.dumps(data, ensure_ascii=False)) if data else None
        await self._upsert(key, data=payload)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._load(key)
        if record is None or not record.data:
            return {}
        plain = self._decrypt(record.data)
        return dict(json.loads(plain)) if plain else {}

    async def close(self) -> None:
        """The engine is owned and disposed of by the application, not by the storage."""

    async def _load(self, key: StorageKey) -> Row[tuple[str | None, str | None]] | None:
        # Plain columns, not ORM objects: rows change under the identity map on every write.
        async with session_scope(self._sessions) as session:
            result = await session.execute(
                select(FsmRecord.state, FsmRecord.data).where(
                    FsmRecord.key == self._keys.digest(key)
                )
            )
            return result.one_or_none()

    _UNSET: Any = object()

    async def _upsert(self, key: StorageKey, *, state: Any = _UNSET, data: Any = _UNSET) -> None:
        values: dict[str, Any] = {}
        if state is not self._UNSET:
            values["state"] = state
        if data is not self._UNSET:
            values["data"] = data
        digest = self._keys.digest(key)
        async with session_scope(self._sessions) as session:
            dialect = session.bind.dialect.name if session.bind else "sqlite"
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            now = utcnow()
            statement = insert(FsmRecord).values(key=digest, updated_at=now, **values)
            statement = statement.on_conflict_do_update(
                index_elements=[FsmRecord.key], set_={**values, "updated_at": now}
            )
            await session.execute(statement)
            # Nothing left to remember: remove the row rather than keep an empty shell.
            await session.execute(
                delete(FsmRecord).where(
                    FsmRecord.key == digest, FsmRecord.state.is_(None), FsmRecord.data.is_(None)
                )
            )

    def _decrypt(self, token: str) -> str | None:
        try:
            return self._cipher.decrypt(token)
        except DecryptionError:
            # A lost or removed key: start the conversation afresh rather than fail forever.
            logger.error("Conversation state could not be decrypted; starting it afresh")
            return None


class EncryptedRedisStorage(RedisStorage):
    """RedisStorage with pseudonymous keys and encrypted state names and data."""

    def __init__(self, redis: Any, cipher: Cipher, key_builder: KeyBuilder, **kwargs: Any) -> None:
        self._cipher = cipher
        super().__init__(
            redis,
            key_builder=key_builder,
            json_dumps=lambda data: cipher.encrypt(json.dumps(data, ensure_ascii=False)),
            json_loads=self._loads,
            **kwargs,
        )

    def _loads(self, token: str) -> Any:
        try:
            return json.loads(self._cipher.decrypt(token))
        except DecryptionError:
            logger.error("Conversation state could not be decrypted; starting it afresh")
            return {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = _state_name(state)
        await super().set_state(key, None if name is None else self._cipher.encrypt(name))

    async def get_state(self, key: StorageKey) -> str | None:
        token = await super().get_state(key)
        if token is None:
            return None
        try:
            return self._cipher.decrypt(token)
        except DecryptionError:
            logger.error("Conversation state could not be decrypted; starting it afresh")
            return None

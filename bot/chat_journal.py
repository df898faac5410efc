"""Which messages a private chat holds, so Exit and Forget me can delete them.

Telegram has no "list the messages of a chat" for bots: a bot can delete a message only by its
id, and in a private chat only for 48 hours (its own messages and the person's alike). So every
message id of a private chat is noted as it passes: the person's from the incoming updates, the
bot's from the answers to every send (a request middleware on the bot's session, so no sender
can be missed: dialogs, plain answers, documents, the outbox worker).

What is kept: a keyed hash of the chat id, the message id and when. Never any content, and never
longer than Telegram allows deleting (DELETE_WINDOW); the retention job purges older rows.

Ids are noted in memory first and written in batches, inside the update's own transaction
(`flush_into(session)`, called by `JournalMiddleware` before the update commits) or, for sends
outside any update (the outbox worker), by a short transaction of the background flusher. The
journal never opens a transaction inside an update: on SQLite a second writer would wait for the
update's lock. A crash loses at most the ids noted since the last flush (those messages then stay
in the chat until the person deletes them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ChatMessage, utcnow
from bot.security import Pseudonymizer

logger = logging.getLogger(__name__)

DELETE_WINDOW = timedelta(hours=48)
"""Telegram lets a bot delete a message of a private chat for 48 hours after it was sent."""
FLUSH_EVERY = 2.0
"""Seconds between background writes of ids noted outside updates."""
MAX_PENDING = 100_000
"""Bound on ids waiting in memory if the database is down for long (oldest dropped first)."""


class ChatJournal:
    """Notes message ids of private chats and hands them to Exit."""

    def __init__(
        self,
        pseudonymizer: Pseudonymizer,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._pseudonymizer = pseudonymizer
        self._sessions = sessions
        self._clock = clock
        self._pending: dict[tuple[str, int], datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def chat_key(self, chat_id: int) -> str:
        return self._pseudonymizer.of("journal", chat_id)

    def note(self, chat_id: int, message_id: int) -> None:
        """A message exists in the private chat `chat_id` (called for every one)."""
        if len(self._pending) >= MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        self._pending.setdefault((self.chat_key(chat_id), message_id), self._clock())

    async def flush_into(self, session: AsyncSession) -> None:
        """Write the ids noted so far in `session`'s transaction (not committed here). If that
        transaction fails they are noted again by the caller's retry or the next flush."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            await _insert(session, pending)
        except BaseException:
            for key, moment in pending.items():
                self._pending.setdefault(key, moment)
            raise

    async def take(self, session: AsyncSession, chat_id: int) -> list[int]:
        """Every id of the chat that can still be deleted, oldest first, and forget them all
        (in `session`'s transaction): the caller is about to delete the messages."""
        key = self.chat_key(chat_id)
        since = self._clock() - DELETE_WINDOW
        ids = {mid for (chat, mid), at in self._pending.items() if chat == key and at > since}
        for chat, mid in [k for k in self._pending if k[0] == key]:
            del self._pending[(chat, mid)]
        rows = await session.scalars(
            select(ChatMessage.message_id).where(
                ChatMessage.chat_key == key, ChatMessage.sent_at > since
            )
        )
        ids.update(rows)
        await session.execute(delete(ChatMessage).where(ChatMessage.chat_key == key))
        return sorted(ids)

    async def count(self, session: AsyncSession, chat_id: int) -> int:
        """How many message ids of the chat are kept (for "what do you keep about me")."""
        key = self.chat_key(chat_id)
        stored = set(
            await session.scalars(
                select(ChatMessage.message_id).where(ChatMessage.chat_key == key)
            )
        )
        stored.update(mid for chat, mid in self._pending if chat == key)
        return len(stored)

    # ---- the background flusher ------------------------------------------------------------

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="chat-journal")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        """Write what is noted in a short transaction of its own (never inside an update)."""
        if not self._pending:
            return
        try:
            async with self._sessions() as session, session.begin():
                await self.flush_into(session)
        except SQLAlchemyError:
            logger.warning("Chat journal: the database failed; the ids wait for the next try")

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), FLUSH_EVERY)
            await self.flush()


async def _insert(session: AsyncSession, pending: dict[tuple[str, int], datetime]) -> None:
    values = [
        {"chat_key": chat, "message_id": mid, "sent_at": at} for (chat, mid), at in pending.items()
    ]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    # A message noted twice (an edited message, a redelivered update) is one row.
    for start in range(0, len(values), 500):
        await session.execute(
            insert(ChatMessage).values(values[start : start + 500]).on_conflict_do_nothing()
        )


DeleteBatch = Callable[[int, list[int]], Awaitable[Any]]


async def delete_all(chat_id: int, ids: Iterable[int], delete_batch: DeleteBatch) -> int:
    """Delete `ids` in the chat in batches of 100 (Telegram's limit for deleteMessages), going
    on when a batch fails: Telegram skips ids already gone, and one bad batch must not keep the
    rest on screen. Returns how many batches failed."""
    ordered = sorted(set(ids))
    failed = 0
    for start in range(0, len(ordered), 100):
        try:
            await delete_batch(chat_id, ordered[start : start + 100])
        except Exception as error:
            failed += 1
            logger.warning(
                "Exit: a batch of messages could not be deleted: %s", type(error).__name__
            )
    return failed

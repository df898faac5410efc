"""How long anything is kept, and the one place where what is older is deleted.

Every periodic deletion of the service happens here, in one transaction per run:

* profiles (`users`) unused for PROFILE_RETENTION_DAYS, with their safety plan; a person who
  still has a case (open, or closed and not yet deleted) keeps their profile;
* closed cases CASE_RETENTION_DAYS after closing, with their audit trail (first, so that a
  profile whose last case goes in this run goes in this run too);
* conversation states (`fsm_records`: where someone is in a flow, and what they have typed so
  far) unused for CONVERSATION_RETENTION_DAYS;
* message ids kept for the Exit (`chat_messages`): Telegram lets a bot delete messages of a
  private chat for 48 hours, so older ids are useless;
* processed update ids after two days (Telegram gives up on an update after 24 hours);
* finished outbox rows (their payload already cleared): sent ones after an hour, failed or
  undeliverable ones after a week.

The running bot calls `Retention.run()` every hour (`start`/`stop`); `python -m bot purge`
calls `purge()` once. It knows nothing of Telegram; the clock is injectable for the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Delete, and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.cases import Case, CaseRepository, as_utc
from bot.db.engine import create_session_factory, current_session
from bot.db.models import (
    ChatMessage,
    FsmRecord,
    OutboxMessage,
    ProcessedUpdate,
    SafetyPlan,
    User,
    utcnow,
)

if TYPE_CHECKING:
    from bot.config import Settings

logger = logging.getLogger(__name__)

MESSAGE_IDS = timedelta(hours=48)
"""Telegram lets a bot delete a message in a private chat for 48 hours; then the id is useless."""
PROCESSED_UPDATES = timedelta(days=2)
"""Telegram keeps an unconfirmed update for 24 hours; after that it cannot come again."""
SENT_OUTBOX = timedelta(hours=1)
"""Sent outbox rows are kept for the rate limits (one minute) and a short look back."""
FINISHED_OUTBOX = timedelta(days=7)
"""Failed and undeliverable outbox rows (payload already cleared) are kept a week for admins."""
EVERY = timedelta(hours=1)
"""How often the running bot purges."""
ADVISORY_LOCK_KEY = 0x72657461696E
"""PostgreSQL advisory lock of a purge ("retain"), so replicas purge one at a time."""

# Outbox statuses (bot/outbox.py), repeated here so this module does not import aiogram.
_SENT = "sent"
_FINISHED = ("failed", "undeliverable")


@dataclass(frozen=True)
class Periods:
    """How long each kind of record is kept after it was last used."""

    profile: timedelta = timedelta(days=180)
    conversation: timedelta = timedelta(days=14)
    closed_case: timedelta = timedelta(days=90)
    message_ids: timedelta = MESSAGE_IDS
    processed_updates: timedelta = PROCESSED_UPDATES
    sent_outbox: timedelta = SENT_OUTBOX
    finished_outbox: timedelta = FINISHED_OUTBOX

    @classmethod
    def from_settings(cls, settings: Settings) -> Periods:
        return cls(
            profile=timedelta(days=settings.profile_retention_days),
            conversation=timedelta(days=settings.conversation_retention_days),
            closed_case=timedelta(days=settings.case_retention_days),
        )


@dataclass(frozen=True)
class Erased:
    """What one purge deleted, as counts only (never whose)."""

    profiles: int = 0
    safety_plans: int = 0
    conversation_states: int = 0
    message_ids: int = 0
    closed_cases: int = 0
    processed_updates: int = 0
    outbox_rows: int = 0

    @property
    def total(self) -> int:
        return sum(astuple(self))

    @property
    def personal(self) -> bool:
        """Whether anything a person typed or chose went (not only bookkeeping)."""
        return bool(
            self.profiles + self.safety_plans + self.conversation_states + self.closed_cases
        )

    def __str__(self) -> str:
        return ", ".join(
            f"{field.name.replace('_', ' ')}: {getattr(self, field.name)}"
            for field in fields(self)
        )


def day_of(moment: datetime) -> datetime:
    """Midnight (UTC) of the day of `moment`: `users.seen_at` is kept to the day only."""
    return as_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)


class Retention:
    """Deletes what is older than its period. `purge()` once; `start()` every `every`."""

    def __init__(
        self,
        engine: AsyncEngine,
        periods: Periods | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        every: timedelta = EVERY,
    ) -> None:
        self._engine = engine
        self._sessions = create_session_factory(engine)
        self.periods = periods or Periods()
        self._clock = clock
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def purge(self, now: datetime | None = None) -> Erased:
        """Delete everything past its period, in one transaction; say how much went."""
        now = as_utc(now or self._clock())
        async with self._sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                # Another replica purging now: wait for it, then find nothing left to do.
                await session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            erased = await self._purge(session, now)
        if erased.personal:
            await self._empty_sqlite_log()
        return erased

    async def _purge(self, session: AsyncSession, now: datetime) -> Erased:
        periods = self.periods
        # Closed cases first: a profile whose last case goes now is no longer held by it.
        closed_cases = await CaseRepository(session).purge_closed(now - periods.closed_case)
        unused = and_(
            # seen_at is midnight of the last day of use: the whole day must be past the
            # period, so nobody is deleted even an hour before it is over.
            or_(
                and_(User.seen_at.is_(None), User.created_at < now - periods.profile),
                User.seen_at < day_of(now - periods.profile),
            ),
            ~exists().where(Case.pseudonym == User.pseudonym),
        )
        doomed = select(User.pseudonym).where(unused)
        safety_plans = await _count(
            session, delete(SafetyPlan).where(SafetyPlan.pseudonym.in_(doomed))
        )
        profiles = await _count(session, delete(User).where(unused))
        conversation_states = await _count(
            session, delete(FsmRecord).where(FsmRecord.updated_at < now - periods.conversation)
        )
        message_ids = await _count(
            session, delete(ChatMessage).where(ChatMessage.sent_at < now - periods.message_ids)
        )
        processed_updates = await _count(
            session,
            delete(ProcessedUpdate).where(
                ProcessedUpdate.seen_at < now - periods.processed_updates
            ),
        )
        outbox_rows = await purge_outbox(session, now, periods)
        return Erased(
            profiles=profiles,
            safety_plans=safety_plans,
            conversation_states=conversation_states,
            message_ids=message_ids,
            closed_cases=closed_cases,
            processed_updates=processed_updates,
            outbox_rows=outbox_rows,
        )

    async def _empty_sqlite_log(self) -> None:
        """SQLite zeroes deleted rows in the database file (secure_delete), but their old
        pages stay in the write-ahead log until it is overwritten. Copy the log into the file
        and empty it, so what was erased is gone from the disk now. Outside any transaction
        (the engine's BEGIN IMMEDIATE would make the checkpoint fail), on the raw connection."""
        if self._engine.dialect.name != "sqlite":
            return
        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            cursor = await raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, *_ = await cursor.fetchone()
            if busy:  # a long reader: the next run empties it
                logger.info("Retention: the database log could not be emptied yet")

    async def run(self) -> Erased | None:
        """One scheduled purge. A database that fails is tried again at the next run."""
        try:
            erased = await self.purge()
        except Exception:
            logger.warning(
                "Retention: the database failed; trying again in %s", self._every, exc_info=True
            )
            return None
        if erased.total:
            logger.info("Retention: erased %s", erased)
        return erased

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self._loop(), name="retention")

    async def stop(self) -> None:
        """Stop; a purge under way finishes first."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        current_session.set(None)  # the purge's transaction is its own, never an update's
        while not self._stopping.is_set():
            await self.run()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._every.total_seconds())


async def purge_outbox(session: AsyncSession, now: datetime, periods: Periods) -> int:
    """Delete finished outbox rows nobody needs any more; return how many."""
    return await _count(
        session,
        delete(OutboxMessage).where(
            or_(
                and_(
                    OutboxMessage.status == _SENT,
                    OutboxMessage.sent_at < now - periods.sent_outbox,
                ),
                and_(
                    OutboxMessage.status.in_(_FINISHED),
                    OutboxMessage.created_at < now - periods.finished_outbox,
                ),
            )
        ),
    )


async def _count(session: AsyncSession, statement: Delete) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["Erased", "Periods", "Retention", "day_of", "purge_outbox"]

"""Tables and queries of legal-aid requests ("cases") and their audit trail.

What a case keeps, and why:

* `code`: what operators and the person call the case by. Random (`secrets`), so knowing one
  code tells nothing about another, and it says nothing about the person.
* `pseudonym`: whose case it is (the keyed pseudonym, never a Telegram id), to find the
  person's active case and to count requests per day.
* `details`: region, story and phone in ONE Fernet token: what the person typed, unreadable
  without the key, and one token so the pieces cannot be told apart by their length.
* `chat`: a Fernet token of the person's chat id, needed to relay operators' answers. It exists
  only while the case is open or claimed: closing the case clears it, and a reopened case gets it
  back only when the person writes again (see `CaseService.person_wrote`).
* The rest are choices from short lists (category, country, urgency, language, status, outcome)
  and times, which operators need to sort and answer requests.

The audit table (`case_events`) says who did what and when, never what was written.

Repositories never commit: the caller's transaction (the update's middleware) does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow

# Status values. "Active" (open or claimed) cases are the ones a person can write to and
# operators work on; of those a person has at most one.
OPEN = "open"
CLAIMED = "claimed"
RESOLVED = "resolved"
WITHDRAWN = "withdrawn"
ACTIVE_STATUSES: tuple[str, ...] = (OPEN, CLAIMED)

URGENCIES: tuple[str, ...] = ("now", "days", "not_urgent")
"""Most urgent first: the order operators see open cases in."""
URGENT = "now"

CODE_LENGTH = 8
PSEUDONYM_LENGTH = 64
ACTION_LENGTH = 32


def as_utc(moment: datetime) -> datetime:
    """A datetime as aware UTC. SQLite gives datetimes back without a zone (they were stored
    as UTC), and every value compared in a query must be UTC for the comparison to be right."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Case(Base):
    """A request for legal aid, from one person to the operators."""

    __tablename__ = "cases"
    __table_args__ = (
        # One active case per person, held by the database too: two submits racing (a double
        # tap) cannot both create one. Partial unique indexes work on SQLite and PostgreSQL.
        Index(
            "ux_cases_active_pseudonym",
            "pseudonym",
            unique=True,
            sqlite_where=text("status IN ('open', 'claimed')"),
            postgresql_where=text("status IN ('open', 'claimed')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    pseudonym: Mapped[str] = mapped_column(
        String(PSEUDONYM_LENGTH), ForeignKey("users.pseudonym", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    urgency: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    contact_by_phone: Mapped[bool] = mapped_column(default=False)
    details: Mapped[str] = mapped_column(Text)
    chat: Mapped[str | None] = mapped_column(Text)
    topic_id: Mapped[int | None] = mapped_column(unique=True)
    card_message_id: Mapped[int | None] = mapped_column()
    """The card's message in the topic, so it can be brought up to date from elsewhere."""
    claimed_by: Mapped[str | None] = mapped_column(String(PSEUDONYM_LENGTH))
    outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The person blocked the bot (nothing reaches them); cleared when they write again."""
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseEvent(Base):
    """One thing that happened to a case: who (`person`, `bot`, or an operator's pseudonym),
    what (`submitted`, `claimed`, `resolved:<outcome>`, …) and when. Never any content: the
    trail must be safe to show to any operator and to keep after the case is closed."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(PSEUDONYM_LENGTH))
    action: Mapped[str] = mapped_column(String(ACTION_LENGTH))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _urgency_rank() -> Any:
    return case(
        {urgency: rank for rank, urgency in enumerate(URGENCIES)},
        value=Case.urgency,
        else_=len(URGENCIES),
    )


class CaseRepository:
    """Queries over one session. Never commits; state changes are conditional UPDATEs, so two
    operators (or an operator and the person) acting at once cannot both win."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_code(self, code: str) -> Case | None:
        return await self._one(select(Case).where(Case.code == code))

    async def by_topic(self, topic_id: int) -> Case | None:
        return await self._one(select(Case).where(Case.topic_id == topic_id))

    async def active_for(self, pseudonym: str) -> Case | None:
        return await self._one(
            select(Case).where(Case.pseudonym == pseudonym, Case.status.in_(ACTIVE_STATUSES))
        )

    async def all_for(self, pseudonym: str) -> list[Case]:
        return list(await self._session.scalars(select(Case).where(Case.pseudonym == pseudonym)))

    async def delete_all_for(self, pseudonym: str) -> int:
        """Delete every case of the person with its trail (case_events cascade)."""
        result = await self._session.execute(delete(Case).where(Case.pseudonym == pseudonym))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def code_taken(self, code: str) -> bool:
        found = await self._session.scalar(select(Case.id).where(Case.code == code))
        return found is not None

    async def submitted_since(self, pseudonym: str, since: datetime) -> list[datetime]:
        """When the person's cases created after `since` were created, oldest first."""
        rows = await self._session.scalars(
            select(Case.created_at)
            .where(Case.pseudonym == pseudonym, Case.created_at > since)
            .order_by(Case.created_at)
        )
        return [as_utc(moment) for moment in rows]

    async def add(self, row: Case) -> Case:
        self._session.add(row)
        # The id is needed for the audit row; a clash of the one-active-case index shows here.
        await self._session.flush()
        return row

    async def change(self, case_id: int, when: Iterable[str], **values: Any) -> Case | None:
        """Set `values` on the case if its status is one of `when`; the updated case, or None
        when the status was something else (someone else changed it first)."""
        result = await self._session.execute(
            update(Case)
            .where(Case.id == case_id, Case.status.in_(tuple(when)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        return await self.reload(case_id)

    async def reload(self, case_id: int) -> Case | None:
        return await self._one(
            select(Case).where(Case.id == case_id).execution_options(populate_existing=True)
        )

    async def record(self, case_id: int, actor: str, action: str, at: datetime) -> None:
        self._session.add(CaseEvent(case_id=case_id, actor=actor, action=action, at=at))

    async def events(self, case_id: int) -> list[CaseEvent]:
        rows = await self._session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        )
        return list(rows)

    async def active(self) -> Sequence[Case]:
        """Open and claimed cases: unclaimed first, then the most urgent, then the oldest."""
        rows = await self._session.scalars(
            select(Case)
            .where(Case.status.in_(ACTIVE_STATUSES))
            .order_by(
                case((Case.status == OPEN, 0), else_=1),
                _urgency_rank(),
                Case.created_at,
                Case.id,
            )
        )
        return rows.all()

    async def due_for_announcement(
        self, unclaimed_before: datetime, urgent_before: datetime
    ) -> Sequence[Case]:
        """Unclaimed cases last announced (or, never announced, created) at or before the
        limit of their urgency: most urgent first, then the oldest."""
        last = func.coalesce(Case.announced_at, Case.created_at, type_=DateTime(timezone=True))
        rows = await self._session.scalars(
            select(Case)
            .where(
                Case.status == OPEN,
                or_(
                    and_(Case.urgency == URGENT, last <= urgent_before),
                    and_(Case.urgency != URGENT, last <= unclaimed_before),
                ),
            )
            .order_by(_urgency_rank(), Case.created_at, Case.id)
        )
        return rows.all()

    async def purge_closed(self, closed_before: datetime) -> int:
        """Delete cases closed (resolved or withdrawn) before the time, with their trail."""
        doomed = select(Case.id).where(
            Case.status.not_in(ACTIVE_STATUSES), Case.closed_at <= closed_before
        )
        await self._session.execute(
            delete(CaseEvent)
            .where(CaseEvent.case_id.in_(doomed))
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(
            delete(Case).where(Case.id.in_(doomed)).execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _one(self, query: Any) -> Case | None:
        return (await self._session.scalars(query)).first()

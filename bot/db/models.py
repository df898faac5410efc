"""Tables. Keep them minimal: store nothing about a person that the service does not need.

Every change here needs an alembic migration (`make migration m="what changed"`);
`tests/test_migrations.py` fails when the models and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A person, known only by a keyed pseudonym of their Telegram id.

    No name, username, phone or raw id: those would identify a survivor to anyone who
    obtains a copy of the database.
    """

    __tablename__ = "users"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    """When the person last used the bot, to the day (written at most once a day): profiles
    unused for PROFILE_RETENTION_DAYS are deleted with their safety plan."""


class FsmRecord(Base):
    """Conversation state of one chat, under a keyed hash of its aiogram storage key.

    `state` and `data` are Fernet tokens: what a person typed lives in `data` while a flow runs.
    """

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )


class SafetyPlan(Base):
    """A person's safety plan, kept only when they chose to keep it. One Fernet token."""

    __tablename__ = "safety_plans"

    pseudonym: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.pseudonym", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class OutboxMessage(Base):
    """A message waiting to be sent (or sent) by the outbox worker, see bot/outbox.py.

    `payload` is one Fernet token of the whole message: chat id, text, thread, keyboard and
    parse mode. `chat_key` names the destination for rate limiting and ordering without naming
    a person: a group's own id, or a keyed hash of a private chat's id. The payload is cleared
    once the row is finished (sent, failed or undeliverable); finished rows are purged later.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    payload: Mapped[str] = mapped_column(Text)
    chat_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str | None] = mapped_column(String(64))
    # pending | sent | failed | undeliverable
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The lease of the worker sending the row: nobody else sends it before this time.
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class ProcessedUpdate(Base):
    """Telegram updates already handled, so one delivered twice (a webhook redelivery after a
    lost answer, or a second replica) is handled once. Written in the update's own transaction:
    an update whose handling failed is not recorded and is handled again. Kept for two days
    (Telegram keeps an unconfirmed update for 24 hours); holds no personal data."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ChatMessage(Base):
    """A message in a private chat (the person's or the bot's), so Exit can delete it. Only
    what deleting needs: the chat as a keyed hash (the raw id comes with the Exit press), the
    message id and when it was sent. Never any content. Telegram lets a bot delete messages
    of a private chat for 48 hours; older rows are useless and purged."""

    __tablename__ = "chat_messages"

    chat_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class PersonBlock(Base):
    """A person operators blocked from sending requests (abuse), by pseudonym only. Kept apart
    from `users` on purpose: Forget me must not be a way round a block. Holds no content: a
    reason from a short list, who (an operator's pseudonym) and when."""

    __tablename__ = "person_blocks"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    blocked_by: Mapped[str] = mapped_column(String(64))
    blocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

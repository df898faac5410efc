"""The outbox: every message to the operators' chat and every relay to a person is first a row
in the database, written in the same transaction as the change that caused it, and a worker
sends it.

Why a table and not `bot.send_message` in the handler: a send that fails (Telegram's 429 or
5xx, a network cut, a restart of the bot) would lose the message, and a send done before the
transaction commits could tell operators about a case that was then rolled back. Here the
message exists exactly when the change is committed, and it is retried until Telegram takes it.

* Nothing readable is stored: the payload (chat id, text, keyboard) is one Fernet token and is
  cleared once the message is finished; a private chat is known only by a keyed hash.
* Several workers (replicas) can share the table: a worker claims a row with a lease (an UPDATE
  of `locked_until` that only succeeds when nobody holds the row), so only one sends it.
* Messages to one chat go in order: only the oldest pending row of a chat can be sent, so a row
  that waits for a retry holds back the ones behind it.
* Telegram's limits are counted from the table (rows sent in the last minute or second, and
  rows being sent now), so they hold across restarts and replicas.

Delivery is at least once. In normal operation (every send gets Telegram's answer and the
outcome is written) each message is sent exactly once. It can be sent twice only when Telegram
took it but the worker never learnt or never recorded that: the process died in between, the
database failed at that moment, or the answer was lost (a timeout), so the send is repeated.
Replicas must have synchronised clocks (NTP): leases and limits compare their times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import and_, case, delete, event, exists, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from bot.db.engine import current_session
from bot.db.models import OutboxMessage, utcnow
from bot.security import Cipher, DecryptionError, Pseudonymizer
from bot.services.retention import Periods, purge_outbox

logger = logging.getLogger(__name__)

# `python -m bot keys rotate` re-encrypts the payloads still waiting (bot/keys_cli.py lists
# this table; finished rows have an empty payload).

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
UNDELIVERABLE = "undeliverable"

GROUP_PER_MINUTE = 20
"""Telegram: a bot sends at most 20 messages a minute to one group."""
PRIVATE_PER_SECOND = 1
"""Telegram: about one message a second to one private chat."""
GLOBAL_PER_SECOND = 25
"""Telegram allows about 30 messages a second in all; stay below it."""

_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)

LEASE = timedelta(seconds=90)
"""How long a claimed row belongs to its worker. Longer than a send can take (SEND_TIMEOUT),
so a live worker never loses a row it is sending; a dead worker's rows wait this long."""
SEND_TIMEOUT = 30.0
MAX_BACKOFF = timedelta(minutes=5)
WARN_AFTER_ATTEMPTS = 10
"""From this attempt on a message that still does not go out is logged as a warning."""

ERROR_PAUSE = 5.0
"""Seconds the worker waits after the database failed, so an outage does not flood the log."""

# The PostgreSQL advisory lock that serialises claims of all replicas. Any constant: "outbox".
ADVISORY_LOCK_KEY = 0x6F7574626F78

MAX_ERROR_LENGTH = 255
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_ORIGINAL = "\nOriginal description: "

KIND_LENGTH = 32
REF_LENGTH = 64

UndeliverableCallback = Callable[[str | None, str], Awaitable[None]]

SEND_MESSAGE = "send_message"
CREATE_TOPIC = "create_forum_topic"
EDIT_MESSAGE = "edit_message_text"
TOPIC_KIND = "forum_topic"
"""The kind of every topic-creating row. These rows skip the queue of their chat: a message
waiting for a re-created topic must not hold back the creation it waits for."""
TOPIC_WAIT = timedelta(seconds=2)


class Threads(Protocol):
    """Forum topics the outbox creates and writes into, known by a key (a case code).

    A message can name its topic by key (`thread_of`) before the topic exists: it is enqueued
    behind the topic's creation in the same chat, and the topic's id is looked up when it is
    sent. If operators deleted the topic, `missing` is told and the message waits until
    `resolve` gives a new one.
    """

    async def resolve(self, key: str) -> int | None:
        """The topic's id, or None while it does not exist (the message waits)."""

    async def created(self, session: AsyncSession, key: str, thread_id: int) -> None:
        """The topic was created; runs in the transaction that records the row as sent."""

    async def missing(self, key: str) -> None:
        """Telegram says the topic is gone: forget it, and have it created again."""

    async def sent(self, session: AsyncSession, key: str, kind: str, message_id: int) -> None:
        """A message into the key's topic was sent (in the transaction recording it)."""

    async def message_of(self, key: str) -> int | None:
        """The message an edit for this key changes (None: nothing to edit)."""


def _as_utc(moment: datetime) -> datetime:
    # SQLite keeps datetimes as text without a zone: every value must be UTC to compare right.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def chat_key_of(pseudonymizer: Pseudonymizer, chat_id: int) -> str:
    """The destination as stored: a group's own id (groups are not people; negative, so it
    starts with "-"), or a keyed hash of a private chat's id (which is a person's id)."""
    if chat_id < 0:
        return str(chat_id)
    return pseudonymizer.of("chat", chat_id)


def _is_group(chat_key: str) -> bool:
    return chat_key.startswith("-")


def _describe(error: BaseException, chat_id: int | None = None) -> str:
    """What may be stored and logged about an error: Telegram's own description, or the error's
    type; never the message, nor a private chat's id, nor a bot token."""
    if not isinstance(error, TelegramAPIError):
        return type(error).__name__
    text = error.message
    # aiogram prefixes 429 and migration errors with the chat id; keep Telegram's words only.
    _, marker, original = text.partition(_ORIGINAL)
    if marker:
        text = original
    if chat_id is not None and chat_id > 0:
        text = text.replace(str(chat_id), "<chat>")
    return _TOKEN.sub("<token>", text)[:MAX_ERROR_LENGTH]


class Outbox:
    """Adds messages to the outbox, in the caller's transaction.

    `wake`, when set (to `OutboxWorker.wake`), is called after that transaction commits, so a
    worker in this process sends at once instead of at its next poll.
    """

    def __init__(
        self,
        cipher: Cipher,
        pseudonymizer: Pseudonymizer,
        *,
        clock: Callable[[], datetime] = utcnow,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._cipher = cipher
        self._pseudonymizer = pseudonymizer
        self._clock = clock
        self.wake = wake

    def chat_key(self, chat_id: int) -> str:
        return chat_key_of(self._pseudonymizer, chat_id)

    async def enqueue(
        self,
        session: AsyncSession,
        *,
        chat_id: int,
        text: str,
        kind: str,
        message_thread_id: int | None = None,
        reply_markup: dict[str, Any] | InlineKeyboardMarkup | None = None,
        ref: str | None = None,
        parse_mode: str | None = None,
        thread_of: str | None = None,
    ) -> int:
        """Add a message in `session`'s transaction (never committed here) and return its id.

        It is sent only if, and once, that transaction commits. `parse_mode` None means the
        bot's default (HTML). Texts are not checked here: that is the sender's job.
        `thread_of` names the forum topic by its key instead of `message_thread_id` (see
        `Threads`).
        """
        if message_thread_id is not None and thread_of is not None:
            raise ValueError("give message_thread_id or thread_of, not both")
        markup = _markup(reply_markup)
        payload = {
            "chat_id": chat_id,
            "text": text,
            "message_thread_id": message_thread_id,
            "thread_of": thread_of,
            "reply_markup": markup,
            "parse_mode": parse_mode,
        }
        return await self._add(session, payload, chat_id=chat_id, kind=kind, ref=ref)

    async def enqueue_topic(
        self, session: AsyncSession, *, chat_id: int, name: str, key: str
    ) -> int:
        """Create a forum topic named `name` in the group `chat_id`, in `session`'s
        transaction; `Threads.created(key, id)` is told its id. Messages for it enqueued
        later with `thread_of=key` go into it."""
        if chat_id >= 0:
            raise ValueError("forum topics exist only in groups")
        if not 1 <= len(name) <= 128:
            raise ValueError("a topic name has 1..128 characters")
        payload = {"method": CREATE_TOPIC, "chat_id": chat_id, "name": name, "key": key}
        return await self._add(session, payload, chat_id=chat_id, kind=TOPIC_KIND, ref=key)

    async def enqueue_edit(
        self,
        session: AsyncSession,
        *,
        chat_id: int,
        key: str,
        text: str,
        kind: str,
        reply_markup: dict[str, Any] | InlineKeyboardMarkup | None = None,
        message_id: int | None = None,
    ) -> int:
        """Change the text and buttons of the message `Threads.message_of(key)` names (a case
        card), in `session`'s transaction; queued behind the chat's other messages, so the
        message exists by then. Nothing to edit, or nothing changed, is not an error.
        `message_id`: edit this message instead (its case is about to be deleted)."""
        payload = {
            "method": EDIT_MESSAGE,
            "chat_id": chat_id,
            "message_of": key,
            "message_id": message_id,
            "text": text,
            "reply_markup": _markup(reply_markup),
        }
        return await self._add(session, payload, chat_id=chat_id, kind=kind, ref=key)

    async def drop_pending(
        self, session: AsyncSession, *, chat_id: int | None = None, ref: str | None = None
    ) -> int:
        """Delete the messages still waiting for `chat_id`, or about `ref`, in `session`'s
        transaction (a person who left or asked to be forgotten); how many."""
        if (chat_id is None) == (ref is None):
            raise ValueError("give chat_id or ref")
        where = (
            OutboxMessage.chat_key == self.chat_key(chat_id)
            if chat_id is not None
            else OutboxMessage.ref == ref
        )
        result = await session.execute(
            delete(OutboxMessage).where(where, OutboxMessage.status == PENDING)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def _add(
        self,
        session: AsyncSession,
        payload: dict[str, Any],
        *,
        chat_id: int,
        kind: str,
        ref: str | None,
    ) -> int:
        if not kind or len(kind) > KIND_LENGTH:
            raise ValueError(f"kind must be 1..{KIND_LENGTH} characters")
        if ref is not None and len(ref) > REF_LENGTH:
            raise ValueError(f"ref must be at most {REF_LENGTH} characters")
        now = _as_utc(self._clock())
        row = OutboxMessage(
            payload=self._cipher.encrypt(json.dumps(payload, ensure_ascii=False)),
            chat_key=self.chat_key(chat_id),
            kind=kind,
            ref=ref,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        if self.wake is not None:
            _wake_after_commit(session.sync_session, self.wake)
        return row.id


def _markup(reply_markup: dict[str, Any] | InlineKeyboardMarkup | None) -> Any:
    # Checked now, in the caller's transaction: a malformed keyboard is a bug to see where it
    # is made, not a row that fails later.
    if reply_markup is None:
        return None
    if not isinstance(reply_markup, InlineKeyboardMarkup):
        reply_markup = InlineKeyboardMarkup.model_validate(reply_markup)
    return reply_markup.model_dump(mode="json", exclude_none=True)


_WAKE = "outbox_wake"
_HOOKED = "outbox_wake_hooked"


def _wake_after_commit(session: Session, wake: Callable[[], None]) -> None:
    # Waking before the commit would only make the worker look before the row is visible.
    session.info[_WAKE] = wake
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_rollback", _on_rollback)


def _on_commit(session: Session) -> None:
    wake = session.info.pop(_WAKE, None)
    if wake is not None:
        wake()


def _on_rollback(session: Session) -> None:
    session.info.pop(_WAKE, None)


@dataclass(frozen=True)
class _Claim:
    id: int
    payload: str
    chat_key: str
    kind: str
    ref: str | None
    attempts: int
    lease: datetime  # the row's locked_until while it is ours


class OutboxWorker:
    """Sends the outbox: due rows, oldest first, in order per chat, within Telegram's limits.

    * 429 (retry after N): the row, and so its chat, waits N seconds.
    * 5xx, network errors, timeouts: retried forever with backoff (1 s, 2 s, 4 s … 5 min).
    * 403 from a person (blocked), or a private chat that no longer exists: `undeliverable`,
      and `on_undeliverable(ref, kind)` is awaited. 403 from a group (the bot was removed):
      retried with backoff until an admin adds the bot back.
    * any other 400: `failed` (Telegram will never take it; a bug), logged, not retried.

    `run_once()` sends what is due now; `start()` runs it in a loop every `poll_interval`
    seconds or when `wake()` is called; `stop()` lets the messages being sent finish.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        cipher: Cipher,
        bot: Bot,
        *,
        on_undeliverable: UndeliverableCallback | None = None,
        threads: Threads | None = None,
        group_per_minute: int = GROUP_PER_MINUTE,
        poll_interval: float = 0.5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = session_factory
        self._cipher = cipher
        self._bot = bot
        self._on_undeliverable = on_undeliverable
        self._threads = threads
        self._group_per_minute = group_per_minute
        self._poll_interval = poll_interval
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # ---- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="outbox-worker")

    async def stop(self) -> None:
        """Stop after the messages being sent now are sent and recorded."""
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None
        self._stopping = False  # run_once() may be called again, or start()

    def wake(self) -> None:
        """Look at the outbox now (a message was just committed in this process)."""
        self._wakeup.set()

    async def _loop(self) -> None:
        # The task copied the context of whoever started it; the worker's transactions are its
        # own, never an update's.
        # Finished rows are deleted by bot/services/retention.py.
        current_session.set(None)
        while not self._stopping:
            self._wakeup.clear()
            pause = self._poll_interval
            try:
                await self.run_once()
            except Exception:
                # The database is down or locked: the rows are safe in it; try again later.
                logger.warning("Outbox: the database failed; trying again", exc_info=True)
                pause = max(pause, ERROR_PAUSE)
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), pause)

    def _now(self) -> datetime:
        return _as_utc(self._clock())

    async def run_once(self) -> int:
        """Send everything that is due now and within the limits; return how many were sent."""
        sent = 0
        while not self._stopping:
            claims = await self._claim()
            if not claims:
                break
            # One row per chat in a batch (only a chat's oldest row is claimable), so sending
            # them together keeps each chat's order while one slow chat does not hold the rest.
            # Every send of the batch finishes (and is recorded) before anything is raised:
            # stop() and a database error never cut a send off half-way.
            results = await asyncio.gather(
                *(self._deliver(claim) for claim in claims), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            sent += sum(1 for result in results if result is True)
        return sent

    async def purge(self) -> int:
        """Delete finished rows nobody needs any more, now; return how many. (The running
        bot does it with everything else in bot/services/retention.py.)"""
        async with self._sessions() as session, session.begin():
            return await purge_outbox(session, self._now(), Periods())

    # ---- claiming --------------------------------------------------------------------------

    async def _claim(self) -> list[_Claim]:
        """Lease the rows that may be sent now: each the oldest pending row of its chat, due,
        not leased, its chat and the whole bot under their limits."""
        now = self._now()
        async with self._sessions() as session, session.begin():
            # Claims of all workers, in all processes, run one after the other, so what one
            # counted is still true when it takes the rows: a limit is never passed by two
            # workers counting at the same moment. Claims are short (a few queries).
            dialect = session.get_bind().dialect.name
            postgres = dialect == "postgresql"
            if postgres:
                await session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            elif dialect == "sqlite":
                # An UPDATE that changes nothing takes SQLite's write lock until the commit.
                await session.execute(
                    update(OutboxMessage)
                    .where(false())
                    .values(id=OutboxMessage.id)
                    .execution_options(synchronize_session=False)
                )
            busy, used = await self._recent(session, now)
            budget = GLOBAL_PER_SECOND - used
            if budget <= 0:
                return []
            earlier = aliased(OutboxMessage)
            query = (
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
                    # FIFO per chat: an older pending row (waiting for a retry, or being sent)
                    # holds this one back; a topic's creation is never held back.
                    or_(
                        OutboxMessage.kind == TOPIC_KIND,
                        ~exists().where(
                            earlier.chat_key == OutboxMessage.chat_key,
                            earlier.status == PENDING,
                            earlier.id < OutboxMessage.id,
                        ),
                    ),
                )
                .order_by(OutboxMessage.id)
                .limit(budget)
            )
            if busy:
                query = query.where(OutboxMessage.chat_key.not_in(busy))
            if postgres:
                query = query.with_for_update(skip_locked=True, of=OutboxMessage)
            ids = list((await session.execute(query)).scalars())
            if not ids:
                return []
            lease = now + LEASE
            # Only rows still free are taken: of two workers that chose the same row, one wins.
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == PENDING,
                    or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
                )
                .values(locked_until=lease)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.payload,
                    OutboxMessage.chat_key,
                    OutboxMessage.kind,
                    OutboxMessage.ref,
                    OutboxMessage.attempts,
                )
                .execution_options(synchronize_session=False)
            )
            claims = [_Claim(*row, lease=lease) for row in result.all()]
        return sorted(claims, key=lambda claim: claim.id)

    async def _recent(self, session: AsyncSession, now: datetime) -> tuple[list[str], int]:
        """Chats at their limit, and how many messages went out (or are going) this second."""
        in_flight = and_(OutboxMessage.status == PENDING, OutboxMessage.locked_until > now)
        sent_since = and_(OutboxMessage.status == SENT, OutboxMessage.sent_at > now - _MINUTE)
        this_second = or_(in_flight, OutboxMessage.sent_at > now - _SECOND)
        rows = await session.execute(
            select(
                OutboxMessage.chat_key,
                func.count(),
                func.sum(case((this_second, 1), else_=0)),
            )
            .where(or_(in_flight, sent_since))
            .group_by(OutboxMessage.chat_key)
        )
        busy: list[str] = []
        used = 0
        for chat_key, per_minute, per_second in rows:
            used += int(per_second or 0)
            if _is_group(chat_key):
                if per_minute >= self._group_per_minute:
                    busy.append(chat_key)
            elif (per_second or 0) >= PRIVATE_PER_SECOND:
                busy.append(chat_key)
        return busy, used

    # ---- sending ---------------------------------------------------------------------------

    async def _deliver(self, claim: _Claim) -> bool:
        """Send one claimed row and record the outcome; True if Telegram took it."""
        try:
            message = json.loads(self._cipher.decrypt(claim.payload))
            markup = message.get("reply_markup")
            keyboard = InlineKeyboardMarkup.model_validate(markup) if markup else None
            chat_id = int(message["chat_id"])
        except DecryptionError as error:
            # The key was removed from ENCRYPTION_KEYS: put it back and the message goes out.
            await self._retry(claim, "cannot decrypt: is an encryption key missing?", error)
            return False
        except Exception as error:
            await self._failed(claim, f"unreadable payload ({type(error).__name__})")
            return False

        method = message.get("method", SEND_MESSAGE)
        thread_key = message.get("thread_of")
        thread_id = message.get("message_thread_id")
        edited_id: int | None = None
        if (method != SEND_MESSAGE or thread_key) and self._threads is None:
            await self._failed(claim, "a forum topic message, but the worker has no Threads")
            return False
        if method == EDIT_MESSAGE and message.get("message_id"):
            edited_id = int(message["message_id"])
        elif method == EDIT_MESSAGE and self._threads is not None:
            edited_id = await self._threads.message_of(message["message_of"])
            if edited_id is None:  # the message was never sent or is gone: nothing to change
                await self._finish(claim, SENT, None)
                return True
        if thread_key and self._threads is not None:
            thread_id = await self._threads.resolve(thread_key)
            if thread_id is None:  # its topic is being created (or again): wait for it
                # Soon at first (the topic is usually made a moment later); then less often,
                # so a topic that cannot be made (see the warnings) does not flood the log.
                wait = min(TOPIC_WAIT * 2 ** min(claim.attempts, 8), MAX_BACKOFF)
                await self._retry(claim, "waiting for its forum topic", None, wait=wait)
                return False
        options: dict[str, Any] = {}
        if message.get("parse_mode") is not None:
            options["parse_mode"] = message["parse_mode"]
        topic: int | None = None
        sent_id: int | None = None
        try:
            # The hard limit keeps a send shorter than the lease, so no one else takes the row
            # while this worker may still get it through.
            async with asyncio.timeout(SEND_TIMEOUT):
                if method == CREATE_TOPIC:
                    created = await self._bot.create_forum_topic(
                        chat_id=chat_id, name=message["name"], request_timeout=int(SEND_TIMEOUT)
                    )
                    topic = created.message_thread_id
                elif method == EDIT_MESSAGE:
                    await self._bot.edit_message_text(
                        chat_id=chat_id,
                        message_id=edited_id,
                        text=message["text"],
                        reply_markup=keyboard,
                        request_timeout=int(SEND_TIMEOUT),
                    )
                else:
                    sent = await self._bot.send_message(
                        chat_id=chat_id,
                        text=message["text"],
                        message_thread_id=thread_id,
                        reply_markup=keyboard,
                        request_timeout=int(SEND_TIMEOUT),
                        **options,
                    )
                    sent_id = sent.message_id
        except TelegramRetryAfter as error:
            wait = timedelta(seconds=max(error.retry_after, 1))
            await self._retry(claim, _describe(error, chat_id), error, wait=wait)
            return False
        except TelegramMigrateToChat as error:
            await self._retarget(claim, message, error)
            return False
        except TelegramForbiddenError as error:
            if chat_id < 0:
                # The bot was removed from a group (the operators'): an admin adds it back,
                # and then everything waiting goes out. A person who blocked the bot, unlike
                # a group, will not be reached by waiting.
                logger.warning(
                    "Outbox: the bot cannot write in group %s (%s). Add it back to the "
                    "operators' group as an admin; the messages wait until then.",
                    chat_id,
                    error.message,
                )
                await self._retry(claim, _describe(error, chat_id), error)
            else:
                await self._undeliverable(claim, _describe(error, chat_id))
            return False
        except TelegramEntityTooLarge as error:  # a TelegramNetworkError, but never retryable
            await self._failed(claim, _describe(error, chat_id))
            return False
        except TelegramBadRequest as error:
            words = error.message.lower()
            if method == EDIT_MESSAGE and ("not modified" in words or "not found" in words):
                # Already as wanted, or deleted with its topic: nothing left to do.
                await self._finish(claim, SENT, None)
                return True
            if chat_id > 0 and "chat not found" in words:
                # The person's account is gone: they cannot be reached, as after a block.
                await self._undeliverable(claim, _describe(error, chat_id))
            elif thread_key and self._threads is not None and "thread not found" in words:
                # Operators deleted the topic: a new one is made, and this message waits.
                await self._threads.missing(thread_key)
                await self._retry(claim, _describe(error, chat_id), error)
            elif method == CREATE_TOPIC and ("forum" in words or "rights" in words):
                # Topics are off, or the bot may not manage them: an admin fixes that in the
                # group, and then the case appears. Nothing is lost meanwhile.
                logger.warning(
                    "Outbox: cannot create a forum topic in %s (%s). Turn on Topics in the "
                    "operators' group and make the bot an admin who can manage topics.",
                    chat_id,
                    error.message,
                )
                await self._retry(claim, _describe(error, chat_id), error)
            else:
                await self._failed(claim, _describe(error, chat_id))
            return False
        except (TelegramAPIError, ClientDecodeError, TimeoutError, OSError) as error:
            # 5xx, network errors and timeouts; also 401/404/409, which an admin fixes without
            # the message being wrong.
            await self._retry(claim, _describe(error, chat_id), error)
            return False
        except Exception as error:
            # Not Telegram's answer but an error in building the request: it would fail again.
            await self._failed(claim, f"not sent ({type(error).__name__})")
            return False
        # Telegram has it: it counts as sent even if the lease ran out meanwhile (logged).
        if topic is not None and self._threads is not None:
            await self._finish(claim, SENT, None, created=(message["key"], topic))
        elif thread_key and sent_id is not None and self._threads is not None:
            await self._finish(claim, SENT, None, sent=(thread_key, claim.kind, sent_id))
        else:
            await self._finish(claim, SENT, None)
        return True

    async def _failed(self, claim: _Claim, description: str) -> None:
        await self._finish(claim, FAILED, description)
        logger.error(
            "Outbox message %d (%s) will never be sent, not retried: %s",
            claim.id,
            claim.kind,
            description,
        )

    async def _undeliverable(self, claim: _Claim, description: str) -> None:
        logger.info(
            "Outbox message %d (%s) cannot be delivered: %s", claim.id, claim.kind, description
        )
        # The callback comes before the row is marked: if the process dies in between, the row
        # is tried again and the callback repeated, rather than operators never being told.
        if self._on_undeliverable is not None:
            try:
                await self._on_undeliverable(claim.ref, claim.kind)
            except Exception as callback_error:
                logger.error(
                    "Outbox: the undeliverable callback for message %d failed (%s)",
                    claim.id,
                    type(callback_error).__name__,
                )
        await self._finish(claim, UNDELIVERABLE, description)

    async def _retry(
        self,
        claim: _Claim,
        description: str,
        error: BaseException | None,
        *,
        wait: timedelta | None = None,
    ) -> None:
        attempts = claim.attempts + 1
        if wait is None:
            wait = min(timedelta(seconds=2 ** min(claim.attempts, 16)), MAX_BACKOFF)
        level = logging.WARNING if attempts >= WARN_AFTER_ATTEMPTS else logging.INFO
        logger.log(
            level,
            "Outbox message %d (%s) not sent (attempt %d, %s): %s; next try in %ds",
            claim.id,
            claim.kind,
            attempts,
            type(error).__name__ if error is not None else "-",
            description,
            wait.total_seconds(),
        )
        await self._record(
            claim,
            attempts=attempts,
            next_attempt_at=self._now() + wait,
            locked_until=None,
            last_error=description,
        )

    async def _retarget(
        self, claim: _Claim, message: dict[str, Any], error: TelegramMigrateToChat
    ) -> None:
        # A group that became a supergroup has a new id; the message goes there. (Only groups
        # migrate, and groups are not people: their ids may be logged.)
        new_chat_id = error.migrate_to_chat_id
        logger.warning(
            "Outbox: chat %s is now %s; if it is OPERATORS_CHAT_ID, set the new id",
            message["chat_id"],
            new_chat_id,
        )
        message["chat_id"] = new_chat_id
        await self._record(
            claim,
            payload=self._cipher.encrypt(json.dumps(message, ensure_ascii=False)),
            chat_key=str(new_chat_id),
            attempts=claim.attempts + 1,
            next_attempt_at=self._now(),
            locked_until=None,
            last_error=_describe(error),
        )

    async def _finish(
        self,
        claim: _Claim,
        status: str,
        description: str | None,
        *,
        created: tuple[str, int] | None = None,
        sent: tuple[str, str, int] | None = None,
    ) -> bool:
        """A final state. The payload goes: nothing that need not be kept is kept.
        `created` (key, topic id) and `sent` (key, kind, message id) are told to `Threads` in
        the same transaction."""
        values: dict[str, Any] = {
            "status": status,
            "payload": "",
            "attempts": claim.attempts + 1,
            "locked_until": None,
            "last_error": description,
        }
        if status == SENT:
            values.update(sent_at=self._now(), ref=None)
        return await self._record(claim, created=created, sent=sent, **values)

    async def _record(
        self,
        claim: _Claim,
        *,
        created: tuple[str, int] | None = None,
        sent: tuple[str, str, int] | None = None,
        **values: Any,
    ) -> bool:
        """Write the outcome, if the row is still ours (the lease did not run out)."""
        async with self._sessions() as session, session.begin():
            # Whatever happens to the lease, the topic or message exists: remember it.
            if created is not None and self._threads is not None:
                await self._threads.created(session, *created)
            if sent is not None and self._threads is not None:
                await self._threads.sent(session, *sent)
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == claim.id,
                    OutboxMessage.status == PENDING,
                    OutboxMessage.locked_until == claim.lease,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if getattr(result, "rowcount", 0) != 1:
            logger.warning(
                "Outbox message %d (%s): the lease ran out before the outcome was recorded",
                claim.id,
                claim.kind,
            )
            return False
        return True

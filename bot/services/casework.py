"""The case desk: cases (`CaseService`) joined to the outbox, for the person's flow, the
operators' chat and the background loop.

Every step that changes a case also enqueues, in the same transaction, what Telegram must be
told (a topic for a new case, its card, a relay, a reminder), so a change and its messages
exist together or not at all, and the outbox worker delivers them whatever Telegram does.

Who sees what:

* operators get a case's code, choices and what the person typed, never who the person is
  (no id, name or username is ever put in a message to their chat);
* the person gets operators' words under "the support team", never an operator's name;
* operators are known to the service by a keyed pseudonym of their Telegram id.

It knows nothing of aiogram: texts and keyboards come from a `CaseTexts` (dialogs/operators),
and Telegram is reached only through the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import current_session, session_scope
from bot.db.models import utcnow
from bot.outbox import Outbox
from bot.security import Cipher, Pseudonymizer
from bot.services.cases import (
    SYSTEM,
    CaseDraft,
    CaseService,
    CaseView,
    normalise_code,
)

logger = logging.getLogger(__name__)

Keyboard = dict[str, Any]

RELAY_KIND = "relay_to_person"
"""The outbox kind of operators' words to the person: if undeliverable, operators are told."""
LOOP_INTERVAL = 30.0
"""Seconds between the background loop's looks at unclaimed cases."""
ADVISORY_LOCK_KEY = 0x636173657321
"""PostgreSQL advisory lock of the reminder loop ("cases!"), so replicas do not both remind."""


class CaseTexts(Protocol):
    """What the desk sends, rendered in the right language (operators' or the person's)."""

    def topic_name(self, case: CaseView) -> str: ...

    def card(self, case: CaseView) -> tuple[str, Keyboard]: ...

    def reminder(self, case: CaseView, topic_link: str | None) -> tuple[str, Keyboard]: ...

    def person_wrote(self, case: CaseView, text: str, danger: bool) -> list[str]:
        """One message or, for a long text, several (each within Telegram's limit); with
        `danger`, marked so operators see it first."""

    def person_withdrew(self, case: CaseView) -> str: ...

    def event(self, case: CaseView, action: str, operator: str) -> str: ...

    def undeliverable(self, case: CaseView) -> str: ...

    def person_left(self, case: CaseView) -> str: ...

    def person_erased(self, case: CaseView) -> str: ...

    def erased_card(self, case: CaseView) -> str: ...

    def to_person(self, case: CaseView, text: str) -> list[str]: ...

    def closed_for_person(self, case: CaseView) -> str: ...


class Relay(Enum):
    """What became of an operator's message in a case's topic."""

    SENT = "sent"
    NO_CASE = "no_case"  # the topic is not a case's (e.g. General, or an old deleted case)
    CLOSED = "closed"  # the case is resolved or withdrawn: the person is not written to
    NO_CHAT = "no_chat"  # reopened, and the person has not written since


@dataclass(frozen=True)
class RelayResult:
    outcome: Relay
    case: CaseView | None = None


class CaseDesk:
    """Cases and their messages. Methods taking a `session` work in the caller's transaction
    and never commit; the Threads methods and the loop run their own."""

    def __init__(
        self,
        *,
        chat_id: int | None,
        texts: CaseTexts,
        outbox: Outbox,
        sessions: async_sessionmaker[AsyncSession],
        cipher: Cipher,
        pseudonymizer: Pseudonymizer,
        max_per_day: int = 3,
        remind_after: timedelta = timedelta(minutes=60),
        remind_urgent_after: timedelta = timedelta(minutes=10),
        keep_closed: timedelta = timedelta(days=90),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.chat_id = chat_id
        self.texts = texts
        self._outbox = outbox
        self._sessions = sessions
        self._cipher = cipher
        self._pseudonymizer = pseudonymizer
        self._max_per_day = max_per_day
        self._remind_after = remind_after
        self._remind_urgent_after = remind_urgent_after
        self._keep_closed = keep_closed
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    @property
    def enabled(self) -> bool:
        """Requests are taken only when there is an operators' chat to take them."""
        return self.chat_id is not None

    def cases(self, session: AsyncSession, now: datetime | None = None) -> CaseService:
        """The cases over `session`; with `now`, a service for that moment (the loop's)."""
        return CaseService(
            session,
            self._cipher,
            self._pseudonymizer,
            max_per_day=self._max_per_day,
            clock=self._clock if now is None else (lambda: now),
        )

    def operator(self, user_id: int) -> str:
        """An operator as the service knows them: a keyed pseudonym, never the id."""
        return self._pseudonymizer.of("operator", user_id)

    def _ops_chat(self) -> int:
        if self.chat_id is None:
            raise RuntimeError("OPERATORS_CHAT_ID is not set")
        return self.chat_id

    async def _to_topic(
        self, session: AsyncSession, case: CaseView, text: str, kind: str, **extra: Any
    ) -> None:
        await self._outbox.enqueue(
            session,
            chat_id=self._ops_chat(),
            text=text,
            kind=kind,
            thread_of=_key(case.code),
            ref=_key(case.code),
            **extra,
        )

    async def _to_person(
        self, session: AsyncSession, chat_id: int, case: CaseView, text: str, kind: str
    ) -> None:
        await self._outbox.enqueue(
            session, chat_id=chat_id, text=text, kind=kind, ref=_key(case.code)
        )

    # ---- the person ------------------------------------------------------------------------

    async def submit(
        self,
        session: AsyncSession,
        pseudonym: str,
        chat_id: int,
        draft: CaseDraft,
        language: str,
    ) -> CaseView:
        """Open the case, and have its topic and card posted in the operators' chat.

        Raises what `CaseService.submit` raises (already open, daily limit, wrong chat)."""
        cases = self.cases(session)
        case = await cases.submit(pseudonym, chat_id, draft, language)
        await self._outbox.enqueue_topic(
            session,
            chat_id=self._ops_chat(),
            name=self.texts.topic_name(case),
            key=_key(case.code),
        )
        text, keyboard = self.texts.card(case)
        await self._to_topic(session, case, text, "case_card", reply_markup=keyboard)
        await cases.log(case.code, SYSTEM, "announced")
        return case

    async def person_writes(
        self,
        session: AsyncSession,
        pseudonym: str,
        chat_id: int,
        text: str,
        *,
        danger: bool = False,
    ) -> CaseView | None:
        """What the person wrote to their active case goes to its topic; None without one.
        `danger`: the danger check fired on it (the person was shown the emergency numbers)."""
        cases = self.cases(session)
        before = await cases.active_for(pseudonym)
        case = await cases.person_wrote(pseudonym, chat_id)
        if case is None:
            return None
        for part in self.texts.person_wrote(case, text, danger):
            await self._to_topic(session, case, part, "person_wrote")
        if before is not None and before.left:  # back after blocking the bot
            await self._refresh_card(session, case)
        return case

    async def withdraw(self, session: AsyncSession, pseudonym: str) -> CaseView | None:
        case = await self.cases(session).withdraw(pseudonym)
        if case is not None:
            await self._to_topic(session, case, self.texts.person_withdrew(case), "case_event")
            await self._refresh_card(session, case)
        return case

    async def person_left(self, session: AsyncSession, pseudonym: str, chat_id: int) -> None:
        """The person blocked the bot: nothing waiting is sent to them any more, and the card
        of their open case says answers cannot reach them."""
        await self._outbox.drop_pending(session, chat_id=chat_id)
        case = await self.cases(session).person_left(pseudonym)
        if case is not None and self.enabled:
            await self._to_topic(session, case, self.texts.person_left(case), "case_event")
            await self._refresh_card(session, case)

    async def erase(self, session: AsyncSession, pseudonym: str, chat_id: int) -> int:
        """Forget me: every case of the person is deleted with what they typed. Operators see
        that the request was withdrawn and erased: the card loses its details. Messages still
        waiting (to the person, or about their cases) are dropped. How many cases went."""
        cases = self.cases(session)
        await self._outbox.drop_pending(session, chat_id=chat_id)
        kept = await cases.all_for(pseudonym)
        for case in kept:
            await self._outbox.drop_pending(session, ref=_key(case.code))
            if not self.enabled or case.topic_id is None:
                continue  # the operators never saw it (its topic was still to be made)
            if case.card_message_id is not None:
                await self._outbox.enqueue_edit(
                    session,
                    chat_id=self._ops_chat(),
                    key=_key(case.code),
                    text=self.texts.erased_card(case),
                    kind="case_card_edit",
                    message_id=case.card_message_id,
                )
            await self._outbox.enqueue(
                session,
                chat_id=self._ops_chat(),
                text=self.texts.person_erased(case),
                kind="case_event",
                message_thread_id=case.topic_id,
            )
        await cases.erase_all(pseudonym)
        return len(kept)

    async def kept_for(self, session: AsyncSession, pseudonym: str) -> list[CaseView]:
        return await self.cases(session).all_for(pseudonym)

    # ---- the operators ---------------------------------------------------------------------

    async def operator_writes(
        self, session: AsyncSession, topic_id: int, operator_id: int, text: str
    ) -> RelayResult:
        """An operator wrote in a topic: relay it to the case's person, as the support team.

        Writing to an unclaimed case claims it for the writer (they are answering it)."""
        cases = self.cases(session)
        case = await cases.by_topic(topic_id)
        if case is None:
            return RelayResult(Relay.NO_CASE)
        if not case.is_active:
            return RelayResult(Relay.CLOSED, case)
        chat_id = await cases.chat_id_of(case.code)
        if chat_id is None:
            return RelayResult(Relay.NO_CHAT, case)
        operator = self.operator(operator_id)
        if case.claimed_by is None:
            case = await cases.claim(case.code, operator)
            await self._to_topic(
                session, case, self.texts.event(case, "claimed", operator), "case_event"
            )
            await self._refresh_card(session, case)
        for part in self.texts.to_person(case, text):
            await self._to_person(session, chat_id, case, part, RELAY_KIND)
        await cases.log(case.code, operator, "operator_wrote")
        return RelayResult(Relay.SENT, case)

    async def claim(
        self, session: AsyncSession, code: str, operator_id: int, *, on_card: bool = False
    ) -> CaseView:
        """`on_card`: pressed on the card itself, which the caller redraws; otherwise (on a
        reminder, on /case) the card in the topic is brought up to date through the outbox.
        The same for resolve and reopen."""
        operator = self.operator(operator_id)
        cases = self.cases(session)
        before = await cases.by_code(code)
        case = await cases.claim(code, operator)
        if before is not None and before.claimed_by != operator:
            await self._to_topic(
                session, case, self.texts.event(case, "claimed", operator), "case_event"
            )
            if not on_card:
                await self._refresh_card(session, case)
        return case

    async def resolve(
        self,
        session: AsyncSession,
        code: str,
        operator_id: int,
        outcome: str,
        *,
        on_card: bool = False,
    ) -> CaseView:
        """Close the case; the person is told (before their chat id is forgotten)."""
        operator = self.operator(operator_id)
        cases = self.cases(session)
        before = await cases.by_code(code)
        chat_id = None if before is None else await cases.chat_id_of(code)
        case = await cases.resolve(code, operator, outcome)
        if chat_id is not None:
            await self._to_person(
                session, chat_id, case, self.texts.closed_for_person(case), "case_closed"
            )
        await self._to_topic(
            session, case, self.texts.event(case, f"resolved:{outcome}", operator), "case_event"
        )
        if not on_card:
            await self._refresh_card(session, case)
        return case

    async def reopen(
        self, session: AsyncSession, code: str, operator_id: int, *, on_card: bool = False
    ) -> CaseView:
        operator = self.operator(operator_id)
        case = await self.cases(session).reopen(code, operator)
        await self._to_topic(
            session, case, self.texts.event(case, "reopened", operator), "case_event"
        )
        if not on_card:
            await self._refresh_card(session, case)
        return case

    async def block(
        self,
        session: AsyncSession,
        code: str,
        operator_id: int,
        reason: str,
        *,
        on_card: bool = False,
    ) -> CaseView:
        """Block the case's person for abuse and close their active case. The person is not
        told (neither that it was a block nor why); they learn only, when they try to send a
        request, that requests cannot be sent from their account now."""
        operator = self.operator(operator_id)
        case, closed = await self.cases(session).block(code, operator, reason)
        line = self.texts.event(case, f"blocked:{reason}", operator)
        await self._to_topic(session, case, line, "case_event")
        if not on_card:
            await self._refresh_card(session, case)
        if closed is not None and closed.code != case.code:
            # Blocked from an older case's card: the open one closes too, and says so.
            await self._to_topic(session, closed, line, "case_event")
            await self._refresh_card(session, closed)
        return case

    async def unblock(
        self, session: AsyncSession, code: str, supervisor_id: int, *, on_card: bool = False
    ) -> CaseView:
        """Lift the block; the caller has checked that a supervisor asks."""
        supervisor = self.operator(supervisor_id)
        case = await self.cases(session).unblock(code, supervisor)
        await self._to_topic(
            session, case, self.texts.event(case, "unblocked", supervisor), "case_event"
        )
        if not on_card:
            await self._refresh_card(session, case)
        return case

    async def _refresh_card(self, session: AsyncSession, case: CaseView) -> None:
        """Have the card in the case's topic show its new state (and the right buttons)."""
        text, keyboard = self.texts.card(case)
        await self._outbox.enqueue_edit(
            session,
            chat_id=self._ops_chat(),
            key=_key(case.code),
            text=text,
            kind="case_card_edit",
            reply_markup=keyboard,
        )

    async def open_cases(self, session: AsyncSession) -> list[CaseView]:
        return await self.cases(session).open_cases(self._clock())

    async def find(self, session: AsyncSession, code: str) -> CaseView | None:
        return await self.cases(session).by_code(code)

    def topic_link(self, case: CaseView) -> str | None:
        """A t.me link that opens the case's topic (for members of the private group)."""
        chat = str(self.chat_id or "")
        if case.topic_id is None or not chat.startswith("-100"):
            return None
        return f"https://t.me/c/{chat[4:]}/{case.topic_id}"

    # ---- reminders and retention -----------------------------------------------------------

    async def remind(self, now: datetime | None = None) -> int:
        """Announce again the unclaimed cases that waited too long; return how many."""
        if not self.enabled:
            return 0
        now = now or self._clock()
        async with self._sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            cases = self.cases(session, now)
            due = await cases.due_for_announcement(
                now, self._remind_after, self._remind_urgent_after
            )
            for case in due:
                text, keyboard = self.texts.reminder(case, self.topic_link(case))
                # In the chat's General topic, where everyone looks, with a link to the case.
                await self._outbox.enqueue(
                    session,
                    chat_id=self._ops_chat(),
                    text=text,
                    kind="case_reminder",
                    reply_markup=keyboard,
                    ref=_key(case.code),
                )
                await cases.log(case.code, SYSTEM, "announced")
        return len(due)

    async def purge(self, now: datetime | None = None) -> int:
        """Delete cases closed longer ago than the retention period, now. (The running bot
        does it with everything else in bot/services/retention.py.)"""
        async with self._sessions() as session, session.begin():
            return await self.cases(session).purge_closed(now or self._clock(), self._keep_closed)

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self._loop(), name="case-reminders")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        current_session.set(None)  # the loop's transactions are its own, never an update's
        while not self._stopping.is_set():
            try:
                await self.remind()
            except Exception:
                logger.warning("Case reminders: the database failed; trying again", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), LOOP_INTERVAL)

    # ---- the outbox's hooks (bot.outbox.Threads and on_undeliverable) ----------------------

    async def resolve_thread(self, key: str) -> int | None:
        async with session_scope(self._sessions) as session:
            case = await self.cases(session).by_code(key)
        return None if case is None else case.topic_id

    async def thread_created(self, session: AsyncSession, key: str, thread_id: int) -> None:
        cases = self.cases(session)
        if await cases.by_code(key) is not None:  # else: the person was forgotten meanwhile
            await cases.set_topic(key, thread_id)

    async def message_sent(
        self, session: AsyncSession, key: str, kind: str, message_id: int
    ) -> None:
        cases = self.cases(session)
        if kind == "case_card" and await cases.by_code(key) is not None:
            await cases.set_card(key, message_id)

    async def card_of(self, key: str) -> int | None:
        async with session_scope(self._sessions) as session:
            case = await self.cases(session).by_code(key)
        return None if case is None else case.card_message_id

    async def thread_missing(self, key: str) -> None:
        """Operators deleted the case's topic: make a new one, with the card again."""
        async with session_scope(self._sessions) as session:
            cases = self.cases(session)
            case = await cases.by_code(key)
            if case is None or case.topic_id is None:
                return  # already being made again (another message noticed first)
            await cases.forget_topic(key)
            case = await cases.by_code(key)
            assert case is not None
            await self._outbox.enqueue_topic(
                session, chat_id=self._ops_chat(), name=self.texts.topic_name(case), key=key
            )
            text, keyboard = self.texts.card(case)
            await self._to_topic(session, case, text, "case_card", reply_markup=keyboard)

    async def undeliverable(self, ref: str | None, kind: str) -> None:
        """A relay could not reach the person (they blocked the bot): tell the operators."""
        if kind != RELAY_KIND or ref is None or not self.enabled:
            return
        async with session_scope(self._sessions) as session:
            case = await self.cases(session).by_code(ref)
            if case is not None:
                await self._to_topic(
                    session, case, self.texts.undeliverable(case), "case_undeliverable"
                )


class DeskThreads:
    """The desk as the outbox's `Threads`."""

    def __init__(self, desk: CaseDesk) -> None:
        self._desk = desk

    async def resolve(self, key: str) -> int | None:
        return await self._desk.resolve_thread(key)

    async def created(self, session: AsyncSession, key: str, thread_id: int) -> None:
        await self._desk.thread_created(session, key, thread_id)

    async def missing(self, key: str) -> None:
        await self._desk.thread_missing(key)

    async def sent(self, session: AsyncSession, key: str, kind: str, message_id: int) -> None:
        await self._desk.message_sent(session, key, kind, message_id)

    async def message_of(self, key: str) -> int | None:
        return await self._desk.card_of(key)


def _key(code: str) -> str:
    """A case's code as the outbox keys it (no dash)."""
    return normalise_code(code) or code


__all__ = ["CaseDesk", "CaseTexts", "DeskThreads", "Relay", "RelayResult"]

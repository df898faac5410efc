"""Requests for free legal aid ("cases"): what a person asks the operators for, and its life.

    submit ──> open ──claim──> claimed ──resolve──> resolved ──reopen──> claimed
                 │  └──────────resolve──────────────┘
                 └── withdraw (the person; also from claimed) ──> withdrawn  (final)

    block (an operator, for abuse): the person's active case ──> resolved, outcome "blocked"

* A person has at most one active (open or claimed) case, and writes more to it; they can send
  at most `max_per_day` requests in any 24 hours, so a flood cannot bury the others' requests.
* What the person typed (region, story, phone) is one Fernet token; their chat id is another,
  kept only while the case is active. Resolving or withdrawing clears it. A reopened case has no
  chat id until the person writes again (`person_wrote`): until then operators cannot write to
  them, which is right, since the person may not expect a closed case to come back to life.
* A withdrawn case is never reopened: the person took it back, and nothing is done without
  their consent. They can submit a new one.
* Operators are known by their pseudonym only; every step is in the audit trail (who, what,
  when), never what anyone wrote.
* An operator can block a person who abuses the service (`block`, with a reason from
  `BLOCK_REASONS`): their active case is closed without telling them why, they can send no new
  request, and nothing they write reaches the operators, until a supervisor unblocks them
  (`unblock`; who is a supervisor is the caller's to check). The block is kept by pseudonym
  apart from the person's profile, so "forget me" does not lift it.

The service works in the caller's session and never commits (the update's middleware does).
It knows nothing of Telegram: it takes and returns plain values.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import COUNTRIES, LANGUAGES
from bot.db.blocks import BlockRepository
from bot.db.cases import (
    ACTIVE_STATUSES,
    CLAIMED,
    CODE_LENGTH,
    OPEN,
    PSEUDONYM_LENGTH,
    RESOLVED,
    URGENCIES,
    WITHDRAWN,
    Case,
    CaseRepository,
    as_utc,
)
from bot.db.models import utcnow
from bot.db.repositories import UserRepository
from bot.security import Cipher, Pseudonymizer

__all__ = [
    "ACTIVE_STATUSES",
    "BLOCKED",
    "BLOCK_REASONS",
    "CATEGORIES",
    "CLAIMED",
    "CODE_ALPHABET",
    "OPEN",
    "OUTCOMES",
    "PERSON",
    "RESOLVED",
    "SYSTEM",
    "URGENCIES",
    "WITHDRAWN",
    "AlreadyBlocked",
    "AlreadyClaimed",
    "BadPhone",
    "CannotReopen",
    "CaseAlreadyOpen",
    "CaseClosed",
    "CaseDraft",
    "CaseError",
    "CaseNotFound",
    "CaseService",
    "CaseView",
    "DailyLimitReached",
    "DraftError",
    "NotBlocked",
    "PersonBlocked",
    "RegionTooLong",
    "StoryTooLong",
    "UnknownChoice",
    "WrongChat",
    "clean_phone",
    "clean_region",
    "clean_story",
    "display_code",
    "example_phone",
    "normalise_code",
]

CATEGORIES: tuple[str, ...] = (
    "domestic_violence",
    "sexual_violence",
    "torture_police",
    "migration_ban",
    "discrimination",
    "family_property",
    "other",
)
OUTCOMES: tuple[str, ...] = ("helped", "referred", "no_answer", "not_eligible")
"""What an operator chooses when resolving a case."""
BLOCKED = "blocked"
"""The outcome of a case closed because its person was blocked (never chosen from OUTCOMES)."""
BLOCK_REASONS: tuple[str, ...] = ("spam", "abuse", "fake", "other")
"""Why a person is blocked: spam or flooding, insults or threats to operators, fake or
repeated requests, another reason. Codes only: the trail never holds anyone's words."""

CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"
"""No letters or digits that look alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6), so a code read
aloud on the phone or copied by hand comes out right. 24**8 ≈ 10**11 codes: not guessable."""

MAX_STORY = 2000
"""Characters: enough to say what happened, short enough for an operator to read on a phone."""
MAX_REGION = 200
MAX_PHONE_INPUT = 32

PERSON = "person"
"""The actor of what the person does (never their pseudonym: the trail must not link cases)."""
SYSTEM = "bot"
"""The actor of what the bot does by itself (announcing an unclaimed case again)."""

LOGGED_ACTIONS: tuple[str, ...] = ("person_wrote", "operator_wrote", "announced")
"""Actions recorded with `log()`; the others are recorded by the step that does them."""

DAY = timedelta(hours=24)
OPERATOR_PREFIX = 8
"""Characters of an operator's pseudonym shown to other operators: enough to tell a team
apart, not the whole key-derived value."""

# Telegram's private chat id is the user's id; the middleware derives the pseudonym from it
# under this scope (bot/middlewares/database.py).
_USER_SCOPE = "user"
_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s\-().]+$")
_CODE_SEPARATORS = re.compile(r"[\s\-_]")


# ---- errors ---------------------------------------------------------------------------------


class DraftError(ValueError):
    """Something the person typed cannot be taken as it is; the subclass says what."""


class StoryTooLong(DraftError):
    def __init__(self, length: int) -> None:
        super().__init__(f"the story has {length} characters; at most {MAX_STORY}")
        self.length = length
        self.limit = MAX_STORY


class RegionTooLong(DraftError):
    def __init__(self, length: int) -> None:
        super().__init__(f"the region has {length} characters; at most {MAX_REGION}")
        self.length = length
        self.limit = MAX_REGION


class BadPhone(DraftError):
    """A phone number that cannot be called. `reason` is one of `REASONS`, for the flow to
    pick the words it shows; the number itself is never part of the message (it may be
    logged)."""

    REASONS = ("empty", "characters", "invalid")

    def __init__(self, reason: str) -> None:
        super().__init__(f"not a phone number that can be called ({reason})")
        self.reason = reason


class UnknownChoice(ValueError):
    """A category, country, urgency, language or outcome that is not offered (a forged or
    stale button)."""

    def __init__(self, what: str, value: object) -> None:
        super().__init__(f"unknown {what}: {value!r}")
        self.what = what


class WrongChat(ValueError):
    """The chat id is not the person's private chat. Relaying a survivor's case to any other
    chat would show it to others, so it is refused rather than stored."""


class CaseError(Exception):
    """A case step that cannot be done in the case's present state."""


class DailyLimitReached(CaseError):
    def __init__(self, retry_at: datetime) -> None:
        super().__init__("the daily number of requests is reached")
        self.retry_at = retry_at
        """When the person can send a request again."""


class CaseAlreadyOpen(CaseError):
    def __init__(self, code: str) -> None:
        super().__init__(f"the person already has an active case {code}")
        self.code = code
        """The active case, for the person to write to instead."""


class CaseNotFound(CaseError):
    def __init__(self, code: str) -> None:
        super().__init__("no case with this code")
        self.code = code


class CaseClosed(CaseError):
    def __init__(self, code: str, status: str) -> None:
        super().__init__(f"case {code} is {status}")
        self.code = code
        self.status = status


class AlreadyClaimed(CaseError):
    def __init__(self, code: str, by: str) -> None:
        super().__init__(f"case {code} is already claimed by {by}")
        self.code = code
        self.by = by
        """The prefix of the pseudonym of the operator who has it."""


class PersonBlocked(CaseError):
    """The person is blocked: no request from them, no reopening their case. Whoever tells the
    person says only that requests cannot be sent now, never why."""

    def __init__(self) -> None:
        super().__init__("the person is blocked")


class AlreadyBlocked(CaseError):
    def __init__(self, code: str) -> None:
        super().__init__(f"the person of case {code} is already blocked")
        self.code = code


class NotBlocked(CaseError):
    def __init__(self, code: str) -> None:
        super().__init__(f"the person of case {code} is not blocked")
        self.code = code


class CannotReopen(CaseError):
    """Only a resolved case can be reopened: an active one is not closed, and a withdrawn one
    was taken back by the person."""

    def __init__(self, code: str, status: str) -> None:
        super().__init__(f"case {code} is {status} and cannot be reopened")
        self.code = code
        self.status = status


# ---- what the person typed ------------------------------------------------------------------


def clean_story(text: str | None) -> str | None:
    """The story as kept: trimmed; None when nothing was written (it is optional)."""
    story = (text or "").strip()
    if len(story) > MAX_STORY:
        raise StoryTooLong(len(story))
    return story or None


def clean_region(text: str | None) -> str | None:
    """The region or city as kept: trimmed, inner whitespace folded; None when not given."""
    region = " ".join((text or "").split())
    if len(region) > MAX_REGION:
        raise RegionTooLong(len(region))
    return region or None


def clean_phone(text: str | None, country: str) -> str | None:
    """A phone number the person typed, as E.164 (`+996555123456`); None when none was given.

    A number without a country code is read as a number of `country`. A valid number of another
    country written with its code is accepted too: many people are labour migrants with a
    foreign SIM, and refusing their only number would leave them without the call they asked
    for.
    """
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        raise BadPhone("empty")
    # phonenumbers finds a number inside any text and reads letters as keypad digits; a person
    # typing a sentence here meant something else, so only number-like input is parsed.
    if len(raw) > MAX_PHONE_INPUT or not _PHONE_CHARACTERS.match(raw):
        raise BadPhone("characters")
    try:
        number = phonenumbers.parse(raw, country)
    except NumberParseException:
        raise BadPhone("invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise BadPhone("invalid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def example_phone(country: str) -> str:
    """A made-up mobile number of the country, as people write it (`+996 700 123 456`), to show
    how a number is expected; from phonenumbers' metadata, so it is always valid there."""
    number = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "+7 771 000 9998"
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def _choose(what: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UnknownChoice(what, value)
    return value


@dataclass(frozen=True)
class CaseDraft:
    """A request as the person made it, checked: an invalid draft cannot exist.

    `country` is part of the draft because a phone number is read for it, and because the
    person may ask about another country than the one they chose at the start.
    """

    category: str
    country: str
    urgency: str
    region: str | None = field(default=None, repr=False)
    story: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    danger: bool = False
    """The bot's danger check fired on something the person wrote in the request: operators
    see it on the card (kept inside the encrypted details, like what was written)."""

    def __post_init__(self) -> None:
        _choose("category", self.category, CATEGORIES)
        _choose("country", self.country, COUNTRIES)
        _choose("urgency", self.urgency, URGENCIES)
        # Normalised here, so the same draft always stores the same values.
        object.__setattr__(self, "region", clean_region(self.region))
        object.__setattr__(self, "story", clean_story(self.story))
        object.__setattr__(self, "phone", clean_phone(self.phone, self.country))


# ---- what the service gives back ------------------------------------------------------------


def display_code(code: str) -> str:
    """`K7MQ4XT9` as people see it: `K7MQ-4XT9`."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(text: str) -> str | None:
    """A code as typed (`k7mq-4xt9`, `K7MQ4XT9`, ` K7MQ 4XT9 `) as stored, or None when it
    cannot be a code (no query is made for it)."""
    code = _CODE_SEPARATORS.sub("", text).upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


@dataclass(frozen=True)
class CaseView:
    """A case as operators and the person's flow see it: plain, decrypted values.

    Never the person's chat id or pseudonym (`chat_id_of` gives the chat id to the relay
    only). What the person typed is left out of repr(), so logging a view leaks nothing.
    """

    code: str
    """As shown: `K7MQ-4XT9`."""
    status: str
    category: str
    country: str
    urgency: str
    language: str
    region: str | None = field(repr=False)
    story: str | None = field(repr=False)
    phone: str | None = field(repr=False)
    """E.164, when the person asked to be called."""
    danger: bool = field(repr=False)
    """The danger check fired on what the person wrote in the request."""
    contact_by_phone: bool
    topic_id: int | None
    card_message_id: int | None
    claimed_by: str | None
    """The operator's pseudonym."""
    outcome: str | None
    created_at: datetime
    age: timedelta
    left: bool = False
    """The person blocked the bot: nothing the operators write reaches them."""
    blocked: str | None = None
    """The reason its person is blocked for, when they are (filled in where a card is drawn:
    by_code, by_topic, block and unblock)."""

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


# ---- the service ----------------------------------------------------------------------------


class CaseService:
    """Cases over the caller's session. Never commits."""

    def __init__(
        self,
        session: AsyncSession,
        cipher: Cipher,
        pseudonymizer: Pseudonymizer,
        *,
        max_per_day: int = 3,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if max_per_day < 1:
            raise ValueError("max_per_day must be at least 1")
        self._cases = CaseRepository(session)
        self._users = UserRepository(session)
        self._blocks = BlockRepository(session)
        self._cipher = cipher
        self._pseudonymizer = pseudonymizer
        self._max_per_day = max_per_day
        self._clock = clock

    # ---- the person ------------------------------------------------------------------------

    async def submit(
        self, pseudonym: str, chat_id: int, draft: CaseDraft, language: str
    ) -> CaseView:
        """Open a case for the person (they said yes to sending it to a human).

        Raises `PersonBlocked` first (no path to the operators bypasses a block), then
        `CaseAlreadyOpen` (it tells the person where to write instead), then
        `DailyLimitReached`; `WrongChat` if `chat_id` is not the person's private chat.
        """
        self._check_chat(pseudonym, chat_id)
        _choose("language", language, LANGUAGES)
        if await self.is_blocked(pseudonym):
            raise PersonBlocked
        now = self._now()
        active = await self._cases.active_for(pseudonym)
        if active is not None:
            raise CaseAlreadyOpen(display_code(active.code))
        recent = await self._cases.submitted_since(pseudonym, now - DAY)
        if len(recent) >= self._max_per_day:
            # Allowed again when enough of the window's requests are older than a day.
            raise DailyLimitReached(retry_at=recent[len(recent) - self._max_per_day] + DAY)

        # The case belongs to the person's row, so "forget me" (deleting it) removes the case
        # and its trail too.
        await self._users.get_or_create(pseudonym)
        details = {
            "region": draft.region,
            "story": draft.story,
            "phone": draft.phone,
            "danger": draft.danger,
        }
        row = await self._cases.add(
            Case(
                code=await self._new_code(),
                pseudonym=pseudonym,
                status=OPEN,
                category=draft.category,
                country=draft.country,
                urgency=draft.urgency,
                language=language,
                contact_by_phone=draft.phone is not None,
                details=self._cipher.encrypt(json.dumps(details, ensure_ascii=False)),
                chat=self._cipher.encrypt(str(chat_id)),
                created_at=now,
                updated_at=now,
            )
        )
        await self._cases.record(row.id, PERSON, "submitted", now)
        return self._view(row, now)

    async def is_blocked(self, pseudonym: str) -> bool:
        """Whether operators blocked the person (then they can send no request)."""
        return await self._blocks.reason(pseudonym) is not None

    async def next_allowed(self, pseudonym: str) -> datetime | None:
        """When the person may send a request again, or None if they may now (so the form is
        not filled in only to be refused at the end)."""
        now = self._now()
        recent = await self._cases.submitted_since(pseudonym, now - DAY)
        if len(recent) < self._max_per_day:
            return None
        return recent[len(recent) - self._max_per_day] + DAY

    async def active_for(self, pseudonym: str) -> CaseView | None:
        """The person's open or claimed case."""
        row = await self._cases.active_for(pseudonym)
        return None if row is None else self._view(row)

    async def withdraw(self, pseudonym: str) -> CaseView | None:
        """The person takes their active case back; None when they had none. Their chat id is
        forgotten at once."""
        row = await self._cases.active_for(pseudonym)
        if row is None:
            return None
        now = self._now()
        changed = await self._cases.change(
            row.id, ACTIVE_STATUSES, status=WITHDRAWN, chat=None, closed_at=now, updated_at=now
        )
        if changed is None:  # closed by an operator a moment ago: nothing left to withdraw
            return None
        await self._cases.record(row.id, PERSON, "withdrawn", now)
        return self._view(changed, now)

    async def person_left(self, pseudonym: str) -> CaseView | None:
        """The person blocked the bot: their active case (None without one) is marked, so
        operators know answers cannot reach them. The case stays open: they may come back."""
        row = await self._cases.active_for(pseudonym)
        if row is None or row.left_at is not None:
            return None
        now = self._now()
        row.left_at = now
        row.chat = None  # nothing goes to them; writing again brings it back
        row.updated_at = now
        await self._cases.record(row.id, PERSON, "left", now)
        return self._view(row, now)

    async def all_for(self, pseudonym: str) -> list[CaseView]:
        """Every case of the person that is still kept, newest first."""
        rows = await self._cases.all_for(pseudonym)
        views = [self._view(row) for row in rows]
        return sorted(views, key=lambda view: view.created_at, reverse=True)

    async def erase_all(self, pseudonym: str) -> int:
        """Forget me: delete every case of the person, content and trail; how many."""
        return await self._cases.delete_all_for(pseudonym)

    async def person_wrote(self, pseudonym: str, chat_id: int) -> CaseView | None:
        """The person wrote to their active case (None when they have none): record it, and
        keep their chat id again if the case was reopened since they last wrote. A blocked
        person's words go nowhere (None), whatever case may still be open in a race."""
        self._check_chat(pseudonym, chat_id)
        row = await self._cases.active_for(pseudonym)
        if row is None or await self.is_blocked(pseudonym):
            return None
        now = self._now()
        if row.chat is None:
            row.chat = self._cipher.encrypt(str(chat_id))
        row.left_at = None  # they are back
        row.updated_at = now
        await self._cases.record(row.id, PERSON, "person_wrote", now)
        return self._view(row, now)

    # ---- finding a case --------------------------------------------------------------------

    async def by_code(self, code: str) -> CaseView | None:
        """The case with this code, typed in any case, with or without the dash."""
        stored = normalise_code(code)
        if stored is None:
            return None
        row = await self._cases.by_code(stored)
        return None if row is None else await self._card_view(row)

    async def by_topic(self, topic_id: int) -> CaseView | None:
        """The case of an operators' forum topic (a message written in it is for that case)."""
        row = await self._cases.by_topic(topic_id)
        return None if row is None else await self._card_view(row)

    async def chat_id_of(self, code: str) -> int | None:
        """The person's chat id, to relay an operator's answer; None once the case is closed
        (or reopened and the person has not written since)."""
        row = await self._row(code)
        if row.status not in ACTIVE_STATUSES or row.chat is None:
            return None
        return int(self._cipher.decrypt(row.chat))

    # ---- the operators ---------------------------------------------------------------------

    async def set_topic(self, code: str, topic_id: int) -> CaseView:
        """Remember the operators' forum topic created for the case."""
        row = await self._row(code)
        row.topic_id = topic_id
        row.updated_at = self._now()
        return self._view(row)

    async def set_card(self, code: str, message_id: int) -> None:
        """Remember the message of the case's card in its topic."""
        row = await self._row(code)
        row.card_message_id = message_id

    async def forget_topic(self, code: str) -> None:
        """The case's topic was deleted in the operators' chat; a new one will be made."""
        row = await self._row(code)
        row.topic_id = None
        row.card_message_id = None
        row.updated_at = self._now()

    async def purge_closed(self, now: datetime, keep: timedelta) -> int:
        """Delete cases closed longer than `keep` ago (their content and trail); how many."""
        return await self._cases.purge_closed(as_utc(now) - keep)

    async def claim(self, code: str, operator_pseudonym: str) -> CaseView:
        """The operator takes the case. Taking it again is harmless (a second tap); a case
        someone else has raises `AlreadyClaimed`, a closed one `CaseClosed`."""
        _check_actor(operator_pseudonym)
        row = await self._row(code)
        now = self._now()
        # Conditional: of two operators pressing at once, exactly one gets the case.
        changed = await self._cases.change(
            row.id, (OPEN,), status=CLAIMED, claimed_by=operator_pseudonym, updated_at=now
        )
        if changed is None:
            current = await self._cases.reload(row.id)
            if current is None:  # the person was forgotten a moment ago
                raise CaseNotFound(code)
            if current.status == CLAIMED and current.claimed_by == operator_pseudonym:
                return self._view(current, now)
            if current.status == CLAIMED:
                raise AlreadyClaimed(
                    display_code(current.code), (current.claimed_by or "")[:OPERATOR_PREFIX]
                )
            raise CaseClosed(display_code(current.code), current.status)
        await self._cases.record(row.id, operator_pseudonym, "claimed", now)
        return self._view(changed, now)

    async def resolve(self, code: str, operator_pseudonym: str, outcome: str) -> CaseView:
        """Close an active case with its outcome; the person's chat id is forgotten.

        Any operator may close a case, also one claimed by a colleague (who may be away); the
        trail says who did.
        """
        _check_actor(operator_pseudonym)
        _choose("outcome", outcome, OUTCOMES)
        row = await self._row(code)
        now = self._now()
        changed = await self._cases.change(
            row.id,
            ACTIVE_STATUSES,
            status=RESOLVED,
            outcome=outcome,
            chat=None,
            closed_at=now,
            updated_at=now,
        )
        if changed is None:
            current = await self._cases.reload(row.id)
            raise CaseClosed(display_code(row.code), current.status if current else RESOLVED)
        await self._cases.record(row.id, operator_pseudonym, f"resolved:{outcome}", now)
        return self._view(changed, now)

    async def reopen(self, code: str, operator_pseudonym: str) -> CaseView:
        """Bring a resolved case back, claimed by the operator who reopens it (so it has an
        owner and is not announced as new). It has no chat id until the person writes again.

        Raises `CannotReopen` unless the case is resolved, `PersonBlocked` while its person is
        blocked, and `CaseAlreadyOpen` when the person has another active case meanwhile (one
        at a time).
        """
        _check_actor(operator_pseudonym)
        row = await self._row(code)
        if row.status != RESOLVED:
            raise CannotReopen(display_code(row.code), row.status)
        if await self.is_blocked(row.pseudonym):
            raise PersonBlocked
        other = await self._cases.active_for(row.pseudonym)
        if other is not None:
            raise CaseAlreadyOpen(display_code(other.code))
        now = self._now()
        changed = await self._cases.change(
            row.id,
            (RESOLVED,),
            status=CLAIMED,
            claimed_by=operator_pseudonym,
            outcome=None,
            closed_at=None,
            updated_at=now,
        )
        if changed is None:
            current = await self._cases.reload(row.id)
            raise CannotReopen(display_code(row.code), current.status if current else "gone")
        await self._cases.record(row.id, operator_pseudonym, "reopened", now)
        return self._view(changed, now)

    async def block(
        self, code: str, operator_pseudonym: str, reason: str
    ) -> tuple[CaseView, CaseView | None]:
        """Block the person of the case (for `reason`, one of `BLOCK_REASONS`) and close their
        active case, whichever it is, with the outcome `BLOCKED`; their chat id is forgotten.

        Returns the case (showing the block) and the active case that was closed (None when
        they had none; it may be this case or another of theirs). Raises `AlreadyBlocked` when
        the person is blocked already (a double press, a colleague a moment before).
        """
        _check_actor(operator_pseudonym)
        _choose("reason", reason, BLOCK_REASONS)
        row = await self._row(code)
        now = self._now()
        if not await self._blocks.add(row.pseudonym, reason, operator_pseudonym, now):
            raise AlreadyBlocked(display_code(row.code))
        action = f"{BLOCKED}:{reason}"
        closed = None
        active = await self._cases.active_for(row.pseudonym)
        if active is not None:
            closed = await self._cases.change(
                active.id,
                ACTIVE_STATUSES,
                status=RESOLVED,
                outcome=BLOCKED,
                chat=None,
                closed_at=now,
                updated_at=now,
            )
            if closed is not None and closed.id != row.id:
                await self._cases.record(closed.id, operator_pseudonym, action, now)
        await self._cases.record(row.id, operator_pseudonym, action, now)
        current = await self._cases.reload(row.id)
        assert current is not None
        closed_view = None if closed is None else self._view(closed, now, blocked=reason)
        return self._view(current, now, blocked=reason), closed_view

    async def unblock(self, code: str, supervisor_pseudonym: str) -> CaseView:
        """Lift the block of the case's person (the caller has checked that a supervisor asks);
        they can send requests again. Their closed case stays closed. Raises `NotBlocked` when
        there is no block (lifted a moment ago)."""
        _check_actor(supervisor_pseudonym)
        row = await self._row(code)
        if not await self._blocks.remove(row.pseudonym):
            raise NotBlocked(display_code(row.code))
        now = self._now()
        await self._cases.record(row.id, supervisor_pseudonym, "unblocked", now)
        return self._view(row, now)

    async def log(self, code: str, actor: str, action: str) -> None:
        """Record that a message went through (`person_wrote`, `operator_wrote`) or that the
        case was announced to the operators (`announced`, which also restarts the reminder
        interval). Never the message itself."""
        _choose("action", action, LOGGED_ACTIONS)
        _check_actor(actor)
        if action == "person_wrote" and actor != PERSON:
            raise ValueError("person_wrote is recorded with the actor 'person'")
        if action == "operator_wrote" and actor in (PERSON, SYSTEM):
            raise ValueError("operator_wrote is recorded with the operator's pseudonym")
        row = await self._row(code)
        now = self._now()
        row.updated_at = now
        if action == "announced":
            row.announced_at = now
        await self._cases.record(row.id, actor, action, now)

    async def open_cases(self, now: datetime) -> list[CaseView]:
        """Active cases: unclaimed first, then the most urgent, then the oldest; each with its
        age at `now`."""
        return [self._view(row, now) for row in await self._cases.active()]

    async def due_for_announcement(
        self, now: datetime, unclaimed_after: timedelta, urgent_after: timedelta
    ) -> list[CaseView]:
        """Unclaimed cases to announce again: last announced (or, if never, created) at least
        `unclaimed_after` ago, or `urgent_after` ago for urgency "now" (whichever interval is
        shorter: an urgent case never waits longer than another). Most urgent first."""
        now = as_utc(now)
        urgent_after = min(urgent_after, unclaimed_after)
        rows = await self._cases.due_for_announcement(
            unclaimed_before=now - unclaimed_after, urgent_before=now - urgent_after
        )
        return [self._view(row, now) for row in rows]

    # ---- helpers ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        return as_utc(self._clock())

    def _check_chat(self, pseudonym: str, chat_id: int) -> None:
        _check_actor(pseudonym)
        if self._pseudonymizer.of(_USER_SCOPE, chat_id) != pseudonym:
            raise WrongChat("the chat is not the person's private chat with the bot")

    async def _row(self, code: str) -> Case:
        stored = normalise_code(code)
        row = None if stored is None else await self._cases.by_code(stored)
        if row is None:
            raise CaseNotFound(code)
        return row

    async def _new_code(self) -> str:
        # A clash is about one in 10**11 per existing case; checking costs one query and the
        # unique index catches even a race.
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if not await self._cases.code_taken(code):
                return code

    async def _card_view(self, row: Case) -> CaseView:
        """The view with its person's block, as a card shows it."""
        return self._view(row, blocked=await self._blocks.reason(row.pseudonym))

    def _view(
        self, row: Case, now: datetime | None = None, *, blocked: str | None = None
    ) -> CaseView:
        details = json.loads(self._cipher.decrypt(row.details))
        created_at = as_utc(row.created_at)
        return CaseView(
            code=display_code(row.code),
            status=row.status,
            category=row.category,
            country=row.country,
            urgency=row.urgency,
            language=row.language,
            region=details.get("region"),
            story=details.get("story"),
            phone=details.get("phone"),
            danger=bool(details.get("danger")),
            contact_by_phone=bool(row.contact_by_phone),
            topic_id=row.topic_id,
            card_message_id=row.card_message_id,
            claimed_by=row.claimed_by,
            outcome=row.outcome,
            created_at=created_at,
            age=as_utc(now or self._now()) - created_at,
            left=row.left_at is not None,
            blocked=blocked,
        )


def _check_actor(value: str) -> None:
    if not value or len(value) > PSEUDONYM_LENGTH:
        raise ValueError(f"a pseudonym or actor has 1..{PSEUDONYM_LENGTH} characters")

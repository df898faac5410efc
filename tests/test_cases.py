"""Legal-aid cases: one active case per person, a daily limit, operators claiming and closing,
and nothing the person typed (nor their chat id) readable in the database at any moment.

A real SQLite database migrated to head and an injected clock; each step runs in a
transaction of its own, as each Telegram update does.

The same tests run on PostgreSQL with
CASES_TEST_DATABASE_URL=postgresql+asyncpg://user@host/scratch_db (its cases are emptied).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.cases import Case, CaseEvent, CaseRepository
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_to_head
from bot.db.repositories import UserRepository
from bot.security import Cipher, Pseudonymizer, generate_encryption_key
from bot.services.cases import (
    CODE_ALPHABET,
    MAX_STORY,
    AlreadyClaimed,
    BadPhone,
    CannotReopen,
    CaseAlreadyOpen,
    CaseClosed,
    CaseDraft,
    CaseNotFound,
    CaseService,
    CaseView,
    DailyLimitReached,
    StoryTooLong,
    UnknownChoice,
    WrongChat,
    clean_phone,
    clean_story,
)

T = TypeVar("T")

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PERSON = 7123456789
OTHER = 7123456790
GROUP = -1001234567890
OP1 = "a1" * 32  # operators' pseudonyms (64 hex characters in production)
OP2 = "b2" * 32
STORY = "Муж избивает меня, участковый не принял заявление"
REGION = "Кара-Суу, Ошская область"
PHONE_TYPED = "0555 123 456"
PHONE = "+996555123456"
CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
DATABASE_URL = os.environ.get("CASES_TEST_DATABASE_URL")


class Clock:
    """The service's time; tests move it."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Env:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cipher: Cipher
    pseudonymizer: Pseudonymizer
    clock: Clock

    def pseudonym(self, chat_id: int) -> str:
        # As the middleware derives it (bot/middlewares/database.py).
        return self.pseudonymizer.of("user", chat_id)

    async def run(self, step: Callable[[CaseService], Awaitable[T]], **options: Any) -> T:
        """One step in a committed transaction of its own, like one update."""
        async with self.sessions() as session, session.begin():
            service = CaseService(
                session, self.cipher, self.pseudonymizer, clock=self.clock, **options
            )
            return await step(service)

    async def submit(
        self,
        chat_id: int = PERSON,
        *,
        language: str = "ky",
        **draft: Any,
    ) -> CaseView:
        fields: dict[str, Any] = {"category": "domestic_violence", "country": "KG"}
        fields["urgency"] = "days"
        fields.update(draft)
        return await self.run(
            lambda cases: cases.submit(
                self.pseudonym(chat_id), chat_id, CaseDraft(**fields), language
            )
        )

    async def row(self, code: str) -> Case:
        async with self.sessions() as session:
            row = await session.scalar(select(Case).where(Case.code == code.replace("-", "")))
            assert row is not None
            return row

    async def events(self, code: str) -> list[tuple[str, str]]:
        row = await self.row(code)
        async with self.sessions() as session:
            return [(e.actor, e.action) for e in await CaseRepository(session).events(row.id)]

    async def database_bytes(self, *, truncate_log: bool = False) -> bytes:
        """Every byte SQLite wrote: the file and its write-ahead log (as it is, or emptied).
        On PostgreSQL, the tables with case data as text."""
        if DATABASE_URL:
            async with self.engine.connect() as connection:
                rows = [
                    (await connection.execute(text(f"SELECT * FROM {table}"))).all()
                    for table in ("cases", "case_events", "users")
                ]
            return repr(rows).encode()
        path = self.settings.data_dir / "bot.sqlite3"
        mode = "TRUNCATE" if truncate_log else "FULL"
        with sqlite3.connect(path) as connection:
            connection.execute(f"PRAGMA wal_checkpoint({mode})")
        return b"".join(p.read_bytes() for p in path.parent.glob("bot.sqlite3*"))

    async def assert_nothing_readable(self) -> None:
        raw = await self.database_bytes()
        for secret in (str(PERSON), STORY, "избивает", REGION, "Кара-Суу", PHONE, "555123456"):
            assert secret.encode() not in raw, secret


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    if DATABASE_URL:
        settings = settings.model_copy(update={"database_url": SecretStr(DATABASE_URL)})
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade_to_head(engine)
    if DATABASE_URL:
        async with engine.begin() as connection:
            await connection.execute(delete(Case))  # and their events, by the foreign key
    yield Env(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        cipher=Cipher([generate_encryption_key()]),
        pseudonymizer=Pseudonymizer(b"p" * 32),
        clock=Clock(),
    )
    await engine.dispose()


# ---- submitting and reading back --------------------------------------------------------------


async def test_submit_and_read_back(env: Env) -> None:
    submitted = await env.submit(
        region=REGION, story=f"  {STORY}\n", phone=PHONE_TYPED, urgency="now", language="ru"
    )
    assert CODE.match(submitted.code)
    assert submitted == CaseView(
        code=submitted.code,
        status="open",
        category="domestic_violence",
        country="KG",
        urgency="now",
        language="ru",
        region=REGION,
        story=STORY,
        phone=PHONE,
        danger=False,
        contact_by_phone=True,
        topic_id=None,
        card_message_id=None,
        claimed_by=None,
        outcome=None,
        created_at=T0,
        age=timedelta(0),
    )

    env.clock.advance(minutes=5)
    active = await env.run(lambda cases: cases.active_for(env.pseudonym(PERSON)))
    assert active is not None
    assert (active.code, active.story, active.age) == (submitted.code, STORY, timedelta(minutes=5))
    assert await env.run(lambda cases: cases.by_code(submitted.code)) == active
    assert await env.run(lambda cases: cases.chat_id_of(submitted.code)) == PERSON
    assert await env.run(lambda cases: cases.active_for(env.pseudonym(OTHER))) is None
    # Logging a view must not leak what the person wrote.
    assert all(secret not in repr(active) for secret in (STORY, REGION, PHONE))


async def test_chat_only_without_region_or_story(env: Env) -> None:
    view = await env.submit(region="  ", story="")
    assert (view.region, view.story, view.phone, view.contact_by_phone) == (
        None,
        None,
        None,
        False,
    )


async def test_codes_differ_between_cases(env: Env) -> None:
    codes = {(await env.submit(chat_id=PERSON + n)).code for n in range(5)}
    assert len(codes) == 5


async def test_a_chat_that_is_not_the_persons_private_chat_is_refused(env: Env) -> None:
    draft = CaseDraft(category="other", country="KZ", urgency="days")
    with pytest.raises(WrongChat):
        await env.run(lambda cases: cases.submit(env.pseudonym(PERSON), GROUP, draft, "kk"))
    with pytest.raises(WrongChat):
        await env.run(lambda cases: cases.submit(env.pseudonym(PERSON), OTHER, draft, "kk"))
    with pytest.raises(UnknownChoice):
        await env.run(lambda cases: cases.submit(env.pseudonym(PERSON), PERSON, draft, "de"))
    assert await env.run(lambda cases: cases.open_cases(T0)) == []


# ---- what is stored ---------------------------------------------------------------------------


async def test_secrets_are_never_readable_and_the_chat_id_goes_when_closed(env: Env) -> None:
    view = await env.submit(region=REGION, story=STORY, phone=PHONE_TYPED)
    await env.assert_nothing_readable()
    row = await env.row(view.code)
    assert row.chat is not None
    chat_token = row.chat
    assert env.cipher.decrypt(chat_token) == str(PERSON)
    assert STORY in env.cipher.decrypt(row.details)

    await env.run(lambda cases: cases.claim(view.code, OP1))
    await env.run(lambda cases: cases.log(view.code, OP1, "operator_wrote"))
    await env.run(lambda cases: cases.person_wrote(env.pseudonym(PERSON), PERSON))
    await env.assert_nothing_readable()

    withdrawn = await env.run(lambda cases: cases.withdraw(env.pseudonym(PERSON)))
    assert withdrawn is not None and withdrawn.status == "withdrawn"
    assert (await env.row(view.code)).chat is None
    assert await env.run(lambda cases: cases.chat_id_of(view.code)) is None
    await env.assert_nothing_readable()
    # Not even the token is left. (Until SQLite's log is checkpointed and emptied, it still
    # holds the page as it was: only the database file itself is clean before that.)
    assert chat_token.encode() not in await env.database_bytes(truncate_log=True)
    # The case itself stays for the operators' records, still readable with the key.
    assert (await env.run(lambda cases: cases.by_code(view.code))) == withdrawn
    assert withdrawn.story == STORY


async def test_forgetting_the_person_removes_their_cases_and_trail(env: Env) -> None:
    view = await env.submit(story=STORY)
    await env.run(lambda cases: cases.claim(view.code, OP1))
    async with env.sessions() as session, session.begin():
        assert await UserRepository(session).delete(env.pseudonym(PERSON))
    async with env.sessions() as session:
        assert (await session.scalars(select(Case))).all() == []
        assert (await session.scalars(select(CaseEvent))).all() == []


# ---- limits -----------------------------------------------------------------------------------


async def test_three_requests_a_day_then_again_after_24_hours(env: Env) -> None:
    async def submit_and_withdraw() -> None:
        await env.submit()
        await env.run(lambda cases: cases.withdraw(env.pseudonym(PERSON)))

    for _ in range(3):
        await submit_and_withdraw()
        env.clock.advance(hours=1)

    with pytest.raises(DailyLimitReached) as refused:
        await env.submit()
    assert refused.value.retry_at == T0 + timedelta(hours=24)
    env.clock.now = T0 + timedelta(hours=24) - timedelta(seconds=1)
    with pytest.raises(DailyLimitReached):
        await env.submit()
    # Someone else is not held back by this person's limit.
    assert (await env.submit(chat_id=OTHER)).status == "open"

    env.clock.now = T0 + timedelta(hours=24)
    await submit_and_withdraw()
    with pytest.raises(DailyLimitReached) as refused:
        await env.submit()
    assert refused.value.retry_at == T0 + timedelta(hours=25)


async def test_the_limit_is_configurable(env: Env) -> None:
    draft = CaseDraft(category="other", country="UZ", urgency="days")
    pseudonym = env.pseudonym(PERSON)
    await env.run(lambda cases: cases.submit(pseudonym, PERSON, draft, "uz"), max_per_day=1)
    await env.run(lambda cases: cases.withdraw(pseudonym))
    with pytest.raises(DailyLimitReached):
        await env.run(lambda cases: cases.submit(pseudonym, PERSON, draft, "uz"), max_per_day=1)


async def test_one_active_case_at_a_time(env: Env) -> None:
    first = await env.submit()
    with pytest.raises(CaseAlreadyOpen) as refused:
        await env.submit(category="other")
    assert refused.value.code == first.code

    await env.run(lambda cases: cases.claim(first.code, OP1))
    with pytest.raises(CaseAlreadyOpen):
        await env.submit()

    await env.run(lambda cases: cases.resolve(first.code, OP1, "helped"))
    second = await env.submit()
    assert second.code != first.code
    active = await env.run(lambda cases: cases.active_for(env.pseudonym(PERSON)))
    assert active is not None and active.code == second.code


async def test_the_database_refuses_a_second_active_case_too(env: Env) -> None:
    """Two submits racing both pass the service's check; the partial index stops the second."""
    first = await env.submit()
    row = await env.row(first.code)
    with pytest.raises(IntegrityError):
        async with env.sessions() as session, session.begin():
            session.add(
                Case(
                    code="AAAAAAAA",
                    pseudonym=row.pseudonym,
                    status="claimed",
                    category="other",
                    country="KG",
                    urgency="days",
                    language="ky",
                    contact_by_phone=False,
                    details=row.details,
                )
            )
    # A closed case beside the active one is fine: only active ones are unique.
    async with env.sessions() as session, session.begin():
        session.add(
            Case(
                code="CCCCCCCC",
                pseudonym=row.pseudonym,
                status="resolved",
                category="other",
                country="KG",
                urgency="days",
                language="ky",
                contact_by_phone=False,
                details=row.details,
            )
        )


# ---- operators --------------------------------------------------------------------------------


async def test_claim_already_claimed_resolve_and_reopen(env: Env) -> None:
    view = await env.submit()
    env.clock.advance(minutes=10)
    claimed = await env.run(lambda cases: cases.claim(view.code, OP1))
    assert (claimed.status, claimed.claimed_by) == ("claimed", OP1)
    # A second tap by the same operator changes nothing.
    assert await env.run(lambda cases: cases.claim(view.code, OP1)) == claimed

    with pytest.raises(AlreadyClaimed) as taken:
        await env.run(lambda cases: cases.claim(view.code, OP2))
    assert taken.value.by == OP1[:8]
    assert OP1 not in str(taken.value)

    env.clock.advance(hours=2)
    resolved = await env.run(lambda cases: cases.resolve(view.code, OP2, "referred"))
    assert (resolved.status, resolved.outcome, resolved.claimed_by) == (
        "resolved",
        "referred",
        OP1,
    )
    row = await env.row(view.code)
    assert row.chat is None
    assert row.closed_at is not None and row.closed_at.replace(tzinfo=UTC) == env.clock.now
    assert await env.run(lambda cases: cases.chat_id_of(view.code)) is None
    with pytest.raises(CaseClosed):
        await env.run(lambda cases: cases.claim(view.code, OP2))
    with pytest.raises(CaseClosed):
        await env.run(lambda cases: cases.resolve(view.code, OP1, "helped"))

    reopened = await env.run(lambda cases: cases.reopen(view.code, OP2))
    assert (reopened.status, reopened.claimed_by, reopened.outcome) == ("claimed", OP2, None)
    assert (await env.row(view.code)).closed_at is None
    # No chat id until the person writes again; then operators can answer them.
    assert await env.run(lambda cases: cases.chat_id_of(view.code)) is None
    wrote = await env.run(lambda cases: cases.person_wrote(env.pseudonym(PERSON), PERSON))
    assert wrote is not None and wrote.code == view.code
    assert await env.run(lambda cases: cases.chat_id_of(view.code)) == PERSON


async def test_resolve_checks_the_outcome_and_the_case(env: Env) -> None:
    view = await env.submit()
    with pytest.raises(UnknownChoice):
        await env.run(lambda cases: cases.resolve(view.code, OP1, "maybe"))
    with pytest.raises(CaseNotFound):
        await env.run(lambda cases: cases.resolve("KKKK-KKKK", OP1, "helped"))
    # An unclaimed case can be closed straight away (e.g. not eligible).
    closed = await env.run(lambda cases: cases.resolve(view.code, OP1, "not_eligible"))
    assert (closed.status, closed.outcome, closed.claimed_by) == ("resolved", "not_eligible", None)


async def test_what_cannot_be_reopened(env: Env) -> None:
    view = await env.submit()
    with pytest.raises(CannotReopen):
        await env.run(lambda cases: cases.reopen(view.code, OP1))  # it is open
    await env.run(lambda cases: cases.withdraw(env.pseudonym(PERSON)))
    with pytest.raises(CannotReopen) as refused:
        await env.run(lambda cases: cases.reopen(view.code, OP1))  # the person took it back
    assert refused.value.status == "withdrawn"

    # A resolved case whose person has opened another one meanwhile stays resolved.
    other = await env.submit(chat_id=OTHER)
    await env.run(lambda cases: cases.resolve(other.code, OP1, "helped"))
    newer = await env.submit(chat_id=OTHER)
    with pytest.raises(CaseAlreadyOpen) as refused_open:
        await env.run(lambda cases: cases.reopen(other.code, OP1))
    assert refused_open.value.code == newer.code
    assert (await env.row(other.code)).status == "resolved"


async def test_withdraw_without_an_active_case(env: Env) -> None:
    assert await env.run(lambda cases: cases.withdraw(env.pseudonym(PERSON))) is None
    assert await env.run(lambda cases: cases.person_wrote(env.pseudonym(PERSON), PERSON)) is None


# ---- finding cases ----------------------------------------------------------------------------


async def test_code_lookup_variants(env: Env) -> None:
    view = await env.submit()
    plain = view.code.replace("-", "")
    for typed in (
        view.code,
        view.code.lower(),
        plain,
        plain.lower(),
        f" {plain[:4]} {plain[4:]} ",
    ):
        found = await env.run(partial(CaseService.by_code, code=typed))
        assert found is not None and found.code == view.code, typed
    # Not a code, or nobody's code.
    missing = "".join("A" if c != "A" else "C" for c in plain)
    for typed in ("", plain[:7], plain + "A", plain[:7] + "O", missing):
        assert await env.run(partial(CaseService.by_code, code=typed)) is None, typed
    # Operators may type codes the same ways.
    claimed = await env.run(lambda cases: cases.claim(plain.lower(), OP1))
    assert claimed.code == view.code
    with pytest.raises(CaseNotFound):
        await env.run(lambda cases: cases.claim("not a code", OP1))


async def test_by_topic(env: Env) -> None:
    first = await env.submit()
    second = await env.submit(chat_id=OTHER)
    await env.run(lambda cases: cases.set_topic(first.code, 101))
    await env.run(lambda cases: cases.set_topic(second.code.lower(), 102))
    found = await env.run(lambda cases: cases.by_topic(101))
    assert found is not None and (found.code, found.topic_id) == (first.code, 101)
    found = await env.run(lambda cases: cases.by_topic(102))
    assert found is not None and found.code == second.code
    assert await env.run(lambda cases: cases.by_topic(103)) is None


# ---- the operators' lists ---------------------------------------------------------------------


async def test_open_cases_unclaimed_then_urgent_then_oldest(env: Env) -> None:
    made: dict[str, CaseView] = {}
    plan = [
        ("A", "not_urgent", None),
        ("B", "now", "claim"),
        ("C", "days", None),
        ("D", "now", None),
        ("E", "not_urgent", None),
        ("F", "now", None),
        ("G", "days", "claim"),
        ("H", "now", "resolve"),
        ("I", "now", "withdraw"),
    ]
    for number, (name, urgency, then) in enumerate(plan):
        chat_id = PERSON + number
        view = made[name] = await env.submit(chat_id=chat_id, urgency=urgency)
        if then == "claim":
            await env.run(partial(CaseService.claim, code=view.code, operator_pseudonym=OP1))
        elif then == "resolve":
            await env.run(
                partial(
                    CaseService.resolve, code=view.code, operator_pseudonym=OP1, outcome="helped"
                )
            )
        elif then == "withdraw":
            await env.run(partial(CaseService.withdraw, pseudonym=env.pseudonym(chat_id)))
        env.clock.advance(minutes=1)

    now = T0 + timedelta(hours=1)
    listed = await env.run(lambda cases: cases.open_cases(now))
    names = {view.code: name for name, view in made.items()}
    assert [names[view.code] for view in listed] == ["D", "F", "C", "A", "E", "B", "G"]
    ages = {names[view.code]: view.age for view in listed}
    assert ages["A"] == timedelta(hours=1)
    assert ages["G"] == timedelta(minutes=54)


async def test_due_for_announcement_intervals(env: Env) -> None:
    unclaimed_after, urgent_after = timedelta(hours=2), timedelta(minutes=30)

    async def due(at: timedelta, **intervals: timedelta) -> list[str]:
        options = {"unclaimed_after": unclaimed_after, "urgent_after": urgent_after}
        options.update(intervals)
        views = await env.run(lambda cases: cases.due_for_announcement(T0 + at, **options))
        return [names[view.code] for view in views]

    urgent = await env.submit(chat_id=PERSON, urgency="now")
    days = await env.submit(chat_id=PERSON + 1, urgency="days")
    never = await env.submit(chat_id=PERSON + 2, urgency="not_urgent")
    taken = await env.submit(chat_id=PERSON + 3, urgency="now")
    names = {urgent.code: "urgent", days.code: "days", never.code: "never", taken.code: "taken"}
    # The first card went out when they were submitted (the last was never announced).
    for code in (urgent.code, days.code, taken.code):
        await env.run(partial(CaseService.log, code=code, actor="bot", action="announced"))
    await env.run(lambda cases: cases.claim(taken.code, OP1))

    assert await due(timedelta(minutes=29)) == []
    assert await due(timedelta(minutes=30)) == ["urgent"]
    env.clock.now = T0 + timedelta(minutes=30)
    await env.run(lambda cases: cases.log(urgent.code, "bot", "announced"))
    assert await due(timedelta(minutes=59)) == []
    assert await due(timedelta(minutes=60)) == ["urgent"]
    # Never announced: counted from its creation, so it is not announced twice at once.
    assert await due(timedelta(hours=2)) == ["urgent", "days", "never"]
    env.clock.now = T0 + timedelta(hours=2)
    await env.run(lambda cases: cases.log(days.code, "bot", "announced"))
    assert await due(timedelta(hours=2)) == ["urgent", "never"]
    # An urgent case never waits longer than the others, whatever the settings say.
    assert await due(timedelta(hours=1), urgent_after=timedelta(hours=3)) == []
    assert await due(timedelta(hours=2, minutes=30), urgent_after=timedelta(hours=3)) == [
        "urgent",
        "never",
    ]


# ---- the audit trail --------------------------------------------------------------------------


async def test_every_step_is_in_the_audit_trail_without_content(env: Env) -> None:
    view = await env.submit(region=REGION, story=STORY, phone=PHONE_TYPED)
    code = view.code
    steps: list[Callable[[CaseService], Awaitable[Any]]] = [
        lambda cases: cases.log(code, "bot", "announced"),
        lambda cases: cases.claim(code, OP1),
        lambda cases: cases.log(code, OP1, "operator_wrote"),
        lambda cases: cases.person_wrote(env.pseudonym(PERSON), PERSON),
        lambda cases: cases.log(code, "person", "person_wrote"),
        lambda cases: cases.resolve(code, OP1, "no_answer"),
        lambda cases: cases.reopen(code, OP2),
        lambda cases: cases.withdraw(env.pseudonym(PERSON)),
    ]
    for step in steps:
        env.clock.advance(minutes=1)
        await env.run(step)

    assert await env.events(code) == [
        ("person", "submitted"),
        ("bot", "announced"),
        (OP1, "claimed"),
        (OP1, "operator_wrote"),
        ("person", "person_wrote"),
        ("person", "person_wrote"),
        (OP1, "resolved:no_answer"),
        (OP2, "reopened"),
        ("person", "withdrawn"),
    ]
    async with env.sessions() as session:
        times = (await session.scalars(select(CaseEvent.at).order_by(CaseEvent.id))).all()
    assert [moment.replace(tzinfo=UTC) for moment in times] == [
        T0 + timedelta(minutes=n) for n in range(9)
    ]
    # The table has no place for content, and the person is never named by their pseudonym.
    columns = {column.name for column in inspect(CaseEvent).columns}
    assert columns == {"id", "case_id", "actor", "action", "at"}
    assert all(actor != env.pseudonym(PERSON) for actor, _ in await env.events(code))


async def test_log_takes_only_message_and_announcement_actions(env: Env) -> None:
    view = await env.submit()
    with pytest.raises(UnknownChoice):
        await env.run(lambda cases: cases.log(view.code, OP1, "claimed"))
    with pytest.raises(ValueError, match="person"):
        await env.run(lambda cases: cases.log(view.code, OP1, "person_wrote"))
    with pytest.raises(ValueError, match="operator"):
        await env.run(lambda cases: cases.log(view.code, "person", "operator_wrote"))
    with pytest.raises(CaseNotFound):
        await env.run(lambda cases: cases.log("KKKK-KKKK", OP1, "operator_wrote"))
    assert await env.events(view.code) == [("person", "submitted")]


# ---- the draft --------------------------------------------------------------------------------


def test_story_is_optional_and_at_most_2000_characters() -> None:
    assert clean_story("  ") is None
    assert clean_story(None) is None
    assert clean_story(" x\n") == "x"
    assert clean_story("я" * MAX_STORY) == "я" * 2000
    with pytest.raises(StoryTooLong) as refused:
        clean_story("я" * 2001)
    assert refused.value.length == 2001
    with pytest.raises(StoryTooLong):
        CaseDraft(category="other", country="KG", urgency="days", story="я" * 2001)


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("0555 123 456", "KG", "+996555123456"),
        ("(0312) 65-35-13", "KG", "+996312653513"),
        ("8 701 123 45 67", "KZ", "+77011234567"),
        ("93 123 4567", "TJ", "+992931234567"),
        ("+998 90 123 45 67", "UZ", "+998901234567"),
        ("+7 916 123-45-67", "TJ", "+79161234567"),  # a migrant's Russian SIM
    ],
)
def test_phone_numbers_are_read_for_the_country(typed: str, country: str, stored: str) -> None:
    assert clean_phone(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("   ", "empty"),
        ("call me after 6", "characters"),
        ("1-800-FLOWERS", "characters"),
        ("12345", "invalid"),
        ("+996 555", "invalid"),
        ("+999 555 123 456", "invalid"),
    ],
)
def test_bad_phone_numbers_say_why(typed: str, reason: str) -> None:
    with pytest.raises(BadPhone) as refused:
        clean_phone(typed, "KG")
    assert refused.value.reason == reason
    assert typed.strip() not in str(refused.value) or not typed.strip()


def test_a_draft_is_checked_and_normalised() -> None:
    draft = CaseDraft(
        category="torture_police",
        country="KG",
        urgency="now",
        region=f" {REGION} ",
        story=STORY,
        phone=PHONE_TYPED,
    )
    assert (draft.region, draft.phone) == (REGION, PHONE)
    assert all(secret not in repr(draft) for secret in (STORY, REGION, PHONE))
    with pytest.raises(BadPhone):
        CaseDraft(category="other", country="KG", urgency="now", phone="12")
    for wrong in ({"category": "theft"}, {"country": "RU"}, {"urgency": "yesterday"}):
        fields = {"category": "other", "country": "KG", "urgency": "now", **wrong}
        with pytest.raises(UnknownChoice):
            CaseDraft(**fields)

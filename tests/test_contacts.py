"""The contacts data layer: schema, validator messages and lines, shipped data, watcher, CLI."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
import pytest

from bot.config import COUNTRIES
from bot.contacts import (
    CATEGORIES,
    DEFAULT_DIRECTORY,
    ContactBook,
    ContactsError,
    ContactsWatcher,
    check_paths,
    load_directory,
    main_check,
    main_stale,
    parse_age,
    stale_entries,
)
from bot.contacts.phones import PhoneError, check_phone
from bot.contacts.schema import SCHEMA_PATH, schema_text

DATA = Path(__file__).parent / "data" / "contacts"
GOOD = DATA / "good"
TODAY = date(2026, 11, 23)
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")


def expectations(path: Path) -> list[tuple[Path, int, str]]:
    """The `# expect: words` markers of a fixture: the line and words of each problem."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    found = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if match := EXPECT.search(line):
                found.append((file, number, match.group(1)))
    return found


def line_of(path: Path, text: str) -> int:
    """1-based line where text first appears, found by reading the file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


BROKEN = [*sorted((DATA / "broken").glob("*.yaml")), DATA / "duplicate_id"]


# --- the validator: every mistake, in plain words, at its line ------------------------------


@pytest.mark.parametrize("path", BROKEN, ids=lambda path: path.stem)
def test_each_mistake_is_reported_at_its_line(path: Path) -> None:
    expected = expectations(path)
    assert expected, "a broken fixture must mark its problems with `# expect:`"
    problems = check_paths([path], today=TODAY)
    report = "\n".join(str(problem) for problem in problems)
    assert len(problems) == len(expected), report
    for (file, line, words), problem in zip(expected, problems, strict=True):
        assert (problem.file, problem.line) == (file, line), report
        assert words in problem.message, report


def test_a_problem_reads_as_file_line_message() -> None:
    path = DATA / "broken" / "missing_translation.yaml"
    first = check_paths([path], today=TODAY)[0]
    assert str(first) == (
        f"{path}:6: entry `kg-police-102`: the Kyrgyz (ky) translation of `name` is missing: "
        "add a line `ky: …` under `name`"
    )


def test_a_duplicate_id_names_where_it_was_first_used() -> None:
    first = DATA / "duplicate_id" / "a.yaml"
    second = DATA / "duplicate_id" / "b.yaml"
    problems = check_paths([DATA / "duplicate_id"], today=TODAY)
    across = [problem for problem in problems if problem.file == second]
    assert len(across) == 1
    assert f"already used at {first}:{line_of(first, 'id: kz-same')}" in across[0].message


def test_every_file_and_every_problem_is_reported_in_one_run() -> None:
    problems = check_paths([DATA / "broken"], today=TODAY)
    files = sorted((DATA / "broken").glob("*.yaml"))
    assert {problem.file for problem in problems} == set(files)
    assert len(problems) == sum(len(expectations(file)) for file in files)


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "kz.yaml"
    path.write_text(
        'country: KZ\nentries:\n  - id: kz-x\n    name:\n      en: "Police\n'
        "      ru: Полиция\n    cost: free\n",
        encoding="utf-8",
    )
    [problem] = check_paths([path], today=TODAY)
    assert problem.line == 5
    assert "never closed" in problem.message


def test_missing_paths_and_empty_folders_are_problems(tmp_path: Path) -> None:
    problems = check_paths([tmp_path / "nope.yaml", tmp_path], today=TODAY)
    assert [problem.message for problem in problems] == [
        "there is no such file or folder",
        "this folder has no contact files (*.yaml)",
    ]


def test_load_directory_raises_with_every_problem() -> None:
    with pytest.raises(ContactsError) as raised:
        load_directory(DATA / "duplicate_id", today=TODAY)
    assert raised.value.problems == check_paths([DATA / "duplicate_id"], today=TODAY)
    assert len(raised.value.problems) == 2
    assert str(raised.value) == "\n".join(str(p) for p in raised.value.problems)


def test_a_date_in_the_future_depends_on_today() -> None:
    path = DATA / "broken" / "future_checked.yaml"
    later = check_paths([path], today=date(2027, 2, 1))
    assert not any("future" in problem.message for problem in later)


# --- phone numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "number", "display", "dial"),
    [
        ("KZ", "112", "112", "112"),
        ("KZ", "103", "103", "103"),
        ("KG", "102", "102", "102"),
        ("KG", "0312 65-35-13", "+996 312 653 513", "+996312653513"),
        ("KG", "+996 312 65-10-10", "+996 312 651 010", "+996312651010"),
        ("TJ", "112", "112", "112"),
        ("TJ", "98 787 33 33", "+992 98 787 3333", "+992987873333"),
        ("TJ", "(+992 37) 221 73 52", "+992 372 21 7352", "+992372217352"),
        ("UZ", "+998 (55) 503 06 00", "+998 55 503 06 00", "+998555030600"),
        ("UZ", "(71) 232-10-07", "+998 71 232 10 07", "+998712321007"),
    ],
)
def test_numbers_are_shown_as_dialled_from_a_mobile(
    country: str, number: str, display: str, dial: str
) -> None:
    checked = check_phone(number, country)
    assert (checked.display, checked.dial) == (display, dial)


def test_a_national_kazakh_number_is_shown_in_international_format() -> None:
    example = phonenumbers.example_number_for_type("KZ", phonenumbers.PhoneNumberType.MOBILE)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert national.startswith("8")  # as people in Kazakhstan write it
    checked = check_phone(national, "KZ")
    assert checked.display.startswith("+7 7")
    assert checked.dial == phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def test_a_short_number_phonenumbers_does_not_know_must_be_marked() -> None:
    with pytest.raises(PhoneError, match=r"short: true"):
        check_phone("1146", "UZ")
    with pytest.raises(PhoneError, match=r"short: true"):
        check_phone("112", "KG")  # phonenumbers' data lacks 112 for Kyrgyzstan
    assert check_phone("1146", "UZ", short=True).display == "1146"
    with pytest.raises(PhoneError, match="3 or 4 digits"):
        check_phone("01", "TJ", short=True)


# --- the shipped data ---------------------------------------------------------------------


def test_the_shipped_files_pass_the_check() -> None:
    assert [str(problem) for problem in check_paths([DEFAULT_DIRECTORY])] == []


def test_the_shipped_files_name_their_schema_on_the_first_line() -> None:
    files = sorted(DEFAULT_DIRECTORY.glob("*.yaml"))
    assert [file.stem for file in files] == ["kg", "kz", "tj", "uz"]
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=schema.json", file


def test_every_country_shows_emergency_numbers_first() -> None:
    book = load_directory(DEFAULT_DIRECTORY)
    assert book.countries() == list(COUNTRIES)
    for country in COUNTRIES:
        assert book.categories(country)[0] == "emergency", country
        numbers = {phone.display for entry in book.emergency(country) for phone in entry.phones}
        assert "102" in numbers, country


def test_kazakhstan_lists_111_before_150() -> None:
    # help-contacts.md: 111 is free from mobiles, 150 may not be; list 111 first.
    book = load_directory(DEFAULT_DIRECTORY)
    for category in ("violence_hotline", "children", "psychological"):
        ids = [entry.id for entry in book.entries("KZ", category)]
        assert ids.index("kz-contact-centre-111") < ids.index("kz-helpline-150"), category


def test_nothing_marked_do_not_list_is_shipped() -> None:
    text = "\n".join(
        file.read_text(encoding="utf-8").split("\nentries:", 1)[1].lower()
        for file in DEFAULT_DIRECTORY.glob("*.yaml")
    )
    for banned in (
        "nemolchi",
        "ichrptj",
        "mentalcenter",
        "progress.guide",
        "azizam",
        '"1003"',
        '"1197"',
        "137 24 24",
        "555 555 555",
        "935 50 50 50",
    ):
        assert banned not in text, banned
    book = load_directory(DEFAULT_DIRECTORY)
    assert not any("prevention of torture" in entry.name.en.lower() for entry in book)


# --- the generated JSON Schema -----------------------------------------------------------


def test_schema_json_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "resources/contacts/schema.json is out of date: run `python -m bot.contacts schema`"
    )


# --- the ContactBook the bot reads ------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> ContactBook:
    return load_directory(GOOD, today=TODAY)


def test_countries_and_categories_in_fixed_order(book: ContactBook) -> None:
    assert book.countries() == ["KZ", "KG"]
    # crisis_centre has only an unconfirmed entry: hidden unless asked for.
    assert book.categories("KZ") == ["emergency", "violence_hotline", "children", "legal_aid"]
    assert book.categories("KZ", include_unconfirmed=True) == [
        "emergency",
        "violence_hotline",
        "crisis_centre",
        "children",
        "legal_aid",
    ]
    assert book.categories("TJ") == []
    assert CATEGORIES[0] == "emergency"


def test_entries_of_a_category_come_in_file_order(book: ContactBook) -> None:
    # 111 is filed under violence_hotline with also_in children; it is written before 150.
    children = [entry.id for entry in book.entries("KZ", "children")]
    assert children == ["kz-contact-centre-111", "kz-helpline-150"]
    assert [entry.id for entry in book.emergency("kz")] == ["kz-emergency-112"]
    assert book.entries("KZ", "crisis_centre") == []
    hidden = book.entries("KZ", "crisis_centre", include_unconfirmed=True)
    assert [entry.id for entry in hidden] == ["kz-kostanay-dagdarys"]
    with pytest.raises(ValueError, match="unknown category"):
        book.entries("KZ", "shelters")


def test_an_entry_carries_what_the_screens_need(book: ContactBook) -> None:
    clinic = book.get("kg-adilet-legal-clinic")
    assert clinic.country == "KG"
    assert clinic.status == "single_source" and clinic.visible
    assert [(p.display, p.tel_uri) for p in clinic.phones] == [
        ("+996 312 653 513", "tel:+996312653513"),
    ]
    assert clinic.hours.text["en"] == "Mon–Fri 9:00–18:00" and not clinic.hours.always
    assert clinic.contactable and not book.get("kz-kostanay-dagdarys").contactable
    emergency = book.get("kz-emergency-112")
    assert emergency.hours.always and emergency.nationwide
    legal = book.get("kz-state-legal-aid")
    assert legal.telegram == "@example_bot"
    assert legal.telegram_url == "https://t.me/example_bot"
    assert book.place_name("KZ", legal.area[0], "uz") == "Olmaota"
    assert book.get("kz-nothing") is None
    assert book.where("kz-helpline-150") == (
        GOOD / "kz.yaml",
        line_of(GOOD / "kz.yaml", "id: kz-helpline-150"),
    )


# --- stale entries and the command line -------------------------------------------------


def test_stale_entries_are_those_checked_longer_ago(book: ContactBook) -> None:
    kz = GOOD / "kz.yaml"
    stale = stale_entries(book, timedelta(days=180), TODAY)
    assert [(e.id, f, line) for e, f, line in stale] == [
        ("kz-state-legal-aid", kz, line_of(kz, "id: kz-state-legal-aid")),
    ]
    # The clinic was checked 175 days before TODAY: stale only for a shorter limit.
    assert len(stale_entries(book, timedelta(days=170), TODAY)) == 2


@pytest.mark.parametrize(
    ("text", "days"), [("180d", 180), ("26w", 182), ("6m", 180), ("1y", 365), (" 90D ", 90)]
)
def test_ages_are_read_in_days_weeks_months_years(text: str, days: int) -> None:
    assert parse_age(text) == timedelta(days=days)


def test_main_stale_prints_file_line_id_name_date_and_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    kz = GOOD / "kz.yaml"
    assert main_stale("180d", [str(GOOD)], today=TODAY) == 1
    first = capsys.readouterr().out.splitlines()[0]
    days = (TODAY - date(2025, 1, 1)).days
    assert first == (
        f"{kz}:{line_of(kz, 'id: kz-state-legal-aid')}: kz-state-legal-aid "
        f"(Legal aid) last checked 2025-01-01, {days} days ago"
    )
    assert main_stale("3y", [str(GOOD)], today=TODAY) == 0
    assert "No entry was last checked more than 1095 days ago" in capsys.readouterr().out
    assert main_stale("soon", [str(GOOD)], today=TODAY) == 2
    assert "180d" in capsys.readouterr().err


def test_main_check_says_all_is_well_or_lists_every_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main_check([str(GOOD)], today=TODAY) == 0
    assert capsys.readouterr().out == "All 2 files are fine: 7 entries.\n"
    broken = DATA / "broken" / "unknown_field.yaml"
    assert main_check([str(GOOD), str(broken)], today=TODAY) == 1
    out = capsys.readouterr().out
    for problem in check_paths([broken], today=TODAY):
        assert str(problem) in out
    assert "4 problems in 1 file." in out


# --- the watcher --------------------------------------------------------------------------


class Recorder:
    """An async on_error callback that remembers what it was given."""

    def __init__(self) -> None:
        self.calls: list[ContactsError] = []

    async def __call__(self, error: ContactsError) -> None:
        self.calls.append(error)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def eventually(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(3):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)  # polling is what the watcher under test does, too


@pytest.fixture
def contacts_dir(tmp_path: Path) -> Path:
    target = tmp_path / "contacts"
    shutil.copytree(GOOD, target)
    return target


async def test_the_watcher_serves_a_good_edit(contacts_dir: Path) -> None:
    errors = Recorder()
    watcher = ContactsWatcher(contacts_dir, errors, interval=60)
    await watcher.start()
    try:
        assert watcher.book.get("kz-helpline-150").name.en == "Helpline 150"
        replace_in(contacts_dir / "kz.yaml", "en: Helpline 150}", "en: Line for the young}")
        assert await watcher.reload_now() is True
        assert watcher.book.get("kz-helpline-150").name.en == "Line for the young"
        assert errors.calls == []
    finally:
        await watcher.stop()


async def test_the_watcher_refuses_a_broken_edit_and_reports_it_once(
    contacts_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kz = contacts_dir / "kz.yaml"
    original = kz.read_text(encoding="utf-8")
    errors = Recorder()
    watcher = ContactsWatcher(contacts_dir, errors, interval=60)
    await watcher.start()
    try:
        good_book = watcher.book
        replace_in(kz, "category: children", "category: kids")
        with caplog.at_level(logging.WARNING, logger="bot.contacts.watcher"):
            assert await watcher.reload_now() is False
        assert watcher.book is good_book
        assert len(errors.calls) == 1
        [problem] = errors.calls[0].problems
        assert (problem.file, problem.line) == (kz, line_of(kz, "category: kids"))
        assert "unknown category `kids`" in caplog.text

        assert await watcher.reload_now() is False  # the same broken state: no new report
        assert len(errors.calls) == 1

        replace_in(kz, "cost: unknown", "cost: cheap")  # a different broken state
        assert await watcher.reload_now() is False
        assert len(errors.calls) == 2 and watcher.book is good_book

        kz.write_text(original.replace("en: Helpline 150}", "en: Fixed}"), encoding="utf-8")
        assert await watcher.reload_now() is True
        assert watcher.book.get("kz-helpline-150").name.en == "Fixed"
        assert len(errors.calls) == 2

        replace_in(kz, "category: children", "category: kids")  # broken again: reported again
        assert await watcher.reload_now() is False
        assert len(errors.calls) == 3
    finally:
        await watcher.stop()


async def test_the_watcher_keeps_serving_while_a_file_is_half_written(
    contacts_dir: Path,
) -> None:
    kz = contacts_dir / "kz.yaml"
    text = kz.read_text(encoding="utf-8")
    errors = Recorder()
    watcher = ContactsWatcher(contacts_dir, errors, interval=60)
    await watcher.start()
    try:
        good_book = watcher.book
        kz.write_text(text[: text.index("kz-helpline-150") + 30], encoding="utf-8")
        assert await watcher.reload_now() is False
        assert watcher.book is good_book
        assert len(errors.calls) == 1
        assert all(problem.file == kz for problem in errors.calls[0].problems)
        kz.write_text(text, encoding="utf-8")
        assert await watcher.reload_now() is True
        assert len(watcher.book) == len(good_book)
    finally:
        await watcher.stop()


async def test_the_watcher_notices_changes_by_itself(contacts_dir: Path) -> None:
    calls: list[ContactsError] = []
    watcher = ContactsWatcher(contacts_dir, calls.append, interval=0.01)  # a plain callback
    await watcher.start()
    try:
        kg = contacts_dir / "kg.yaml"
        replace_in(kg, "en: Police 102}", "en: Militsiya 102}")
        await eventually(lambda: watcher.book.get("kg-police-102").name.en == "Militsiya 102")
        good_book = watcher.book
        replace_in(kg, "status: confirmed", "status: sure")
        await eventually(lambda: len(calls) == 1)
        await asyncio.sleep(0.1)  # many more polls of the same broken file
        assert len(calls) == 1 and watcher.book is good_book
    finally:
        await watcher.stop()


async def test_the_watcher_waits_until_a_file_stops_changing(contacts_dir: Path) -> None:
    errors = Recorder()
    watcher = ContactsWatcher(contacts_dir, errors, interval=60)
    await watcher.start()
    try:
        kg = contacts_dir / "kg.yaml"
        text = kg.read_text(encoding="utf-8")
        kg.write_text(text[: len(text) // 2], encoding="utf-8")  # the editor is still saving
        await watcher.check_once()  # one poll: a change is seen, not read yet
        kg.write_text(text.replace("en: Police 102}", "en: Saved}"), encoding="utf-8")
        await watcher.check_once()  # still changing
        assert watcher.book.get("kg-police-102").name.en == "Police 102"
        await watcher.check_once()  # unchanged since the last poll: now it is loaded
        assert watcher.book.get("kg-police-102").name.en == "Saved"
        assert errors.calls == []  # the half-saved state was never read
    finally:
        await watcher.stop()


async def test_the_watcher_cannot_start_without_good_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "broken" / "no_source.yaml", tmp_path / "tj.yaml")
    watcher = ContactsWatcher(tmp_path, Recorder())
    with pytest.raises(ContactsError):
        await watcher.start()
    with pytest.raises(RuntimeError):
        _ = watcher.book

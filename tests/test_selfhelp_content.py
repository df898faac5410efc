"""The self-help content and its data layer: the shipped texts, the checker's messages and
lines, the schema, and what the screens read."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from bot.config import LANGUAGES
from bot.contacts import CATEGORIES
from bot.emulator import parse_html
from bot.selfhelp import (
    DEFAULT_DIRECTORY,
    EMERGENCY_AND_CRISIS,
    MAX_BUTTON,
    MAX_SCREEN,
    ButtonText,
    ContactsOffer,
    Exercise,
    LocalText,
    Screen,
    SelfHelp,
    SelfHelpError,
    Topic,
    check_selfhelp_paths,
    load_selfhelp,
    main_check,
)
from bot.selfhelp.schema import SCHEMA_PATH, schema_text
from tests.test_contacts import expectations, line_of

DATA = Path(__file__).parent / "data" / "selfhelp"
GOOD = DATA / "good"
BROKEN = sorted(path for path in (DATA / "broken").iterdir() if path.is_dir())


@pytest.fixture(scope="module")
def shipped() -> SelfHelp:
    return load_selfhelp(DEFAULT_DIRECTORY)


def texts(value: object) -> Iterator[LocalText]:
    """Every text in a model, however deep."""
    if isinstance(value, LocalText):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts(item)


def all_texts(content: SelfHelp) -> list[LocalText]:
    return [*texts(content.checkin), *texts(content.exercises()), *texts(content.topics())]


# --- the shipped content ------------------------------------------------------------------


def test_the_shipped_content_passes_the_check(shipped: SelfHelp) -> None:
    assert check_selfhelp_paths([DEFAULT_DIRECTORY]) == []
    assert [feeling.id for feeling in shipped.feelings()] == [
        "overwhelmed",
        "numb",
        "ashamed",
        "unsafe",
        "sad",
        "understand",
    ]
    assert [exercise.id for exercise in shipped.exercises()] == [
        "grounding-54321",
        "box-breathing",
        "safe-place",
    ]
    assert [topic.id for topic in shipped.topics()] == [
        "common-reactions",
        "not-your-fault",
        "consent",
        "myths-facts",
        "support-a-friend",
        "medical-care",
    ]


def test_the_shipped_files_name_their_schema_on_the_first_line() -> None:
    files = sorted(DEFAULT_DIRECTORY.glob("*.yaml"))
    assert [file.name for file in files] == [
        "checkin.yaml",
        "exercises.yaml",
        "exit.yaml",
        "topics.yaml",
    ]
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=schema.json", file


def test_schema_json_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "resources/selfhelp/schema.json is out of date: run `python -m bot.selfhelp schema`"
    )


def test_every_text_fits_in_every_language(shipped: SelfHelp) -> None:
    # Measured here again, independently of the validators, so that a model field that
    # escaped them (a new text type, a forgotten subclass) still fails.
    found = all_texts(shipped)
    buttons = len(shipped.feelings()) + len(shipped.exercises()) + len(shipped.topics())
    assert len(found) == shipped.screen_count() + buttons
    for text in found:
        limit = 30 if isinstance(text, ButtonText) else 700  # the limits, written out
        for language in LANGUAGES:
            visible, entities = parse_html(text[language])
            assert visible.strip(), (language, text)
            assert len(visible) <= limit, (language, visible)
            assert {entity["type"] for entity in entities} <= {"bold", "italic"}, visible
            assert not re.search(r"\d{3}", visible), f"a phone number? {visible!r}"


def test_buttons_and_titles_are_one_short_plain_line(shipped: SelfHelp) -> None:
    buttons = [feeling.label for feeling in shipped.feelings()]
    buttons += [item.title for item in [*shipped.exercises(), *shipped.topics()]]
    for button in buttons:
        for language in LANGUAGES:
            assert "\n" not in button[language] and "<" not in button[language]
            assert 0 < len(button[language]) <= 30, button[language]


def test_each_language_is_in_its_own_alphabet(shipped: SelfHelp) -> None:
    for text in all_texts(shipped):
        for language in ("kk", "ky", "tg"):
            assert not re.search(r"[A-Za-z]", text.visible(language)), text[language]
        assert not re.search(r"[\u0400-\u04FF]", text["uz"]), text["uz"]
        # oʻ and gʻ with U+02BB, never an apostrophe or a quote mark
        assert not re.search(r"[OoGg]['‘’`ʼ]", text["uz"]), text["uz"]


def test_a_text_is_read_per_language(shipped: SelfHelp) -> None:
    question = shipped.checkin.question
    assert question["en"].startswith("<b>How are you right now?</b>")
    assert question["ky"] == question.ky
    with pytest.raises(KeyError):
        question["de"]


def test_exercises_and_topics_have_the_screens_the_flows_need(shipped: SelfHelp) -> None:
    for exercise in shipped.exercises():
        assert 4 <= len(exercise.steps) <= 8, exercise.id
    for topic in shipped.topics():
        assert 2 <= len(topic.screens) <= 5, topic.id
    box = shipped.exercise("box-breathing")
    assert box is not None and "4" in box.steps[1]["en"]
    medical = shipped.topic("medical-care")
    assert medical is not None and medical.contacts == ("emergency", "crisis_centre")
    assert "72" in medical.screens[1]["ru"] and "72" in medical.screens[1]["tg"]
    assert shipped.screen_count() == 56


def test_afraid_for_my_safety_offers_the_countrys_contacts_first(shipped: SelfHelp) -> None:
    unsafe = shipped.feeling("unsafe")
    assert unsafe is not None
    first, *rest = shipped.suggestions(unsafe)
    assert first == ContactsOffer(EMERGENCY_AND_CRISIS)
    assert set(EMERGENCY_AND_CRISIS) <= set(CATEGORIES)
    assert [type(item) for item in rest] == [Exercise, Topic]


def test_shame_is_answered_with_not_your_fault_first(shipped: SelfHelp) -> None:
    ashamed = shipped.feeling("ashamed")
    assert ashamed is not None
    assert "not your fault" in ashamed.response["en"]
    first = shipped.suggestions(ashamed)[0]
    assert isinstance(first, Topic) and first.id == "not-your-fault"


def test_an_unknown_id_is_none_not_an_error(shipped: SelfHelp) -> None:
    # A button sent before an edit renamed its target must not crash the screen.
    assert shipped.feeling("gone") is None
    assert shipped.exercise("gone") is None
    assert shipped.topic("gone") is None


# --- the checker: every mistake, in plain words, at its line ---------------------------


@pytest.mark.parametrize("folder", BROKEN, ids=lambda path: path.name)
def test_each_mistake_is_reported_at_its_line(folder: Path) -> None:
    expected = expectations(folder)
    assert expected, "a broken fixture must mark its problems with `# expect:`"
    problems = check_selfhelp_paths([folder])
    report = "\n".join(str(problem) for problem in problems)
    assert len(problems) == len(expected), report
    for (file, line, words), problem in zip(expected, problems, strict=True):
        assert (problem.file, problem.line) == (file, line), report
        assert words in problem.message, report


def test_a_problem_reads_as_file_line_message() -> None:
    folder = DATA / "broken" / "unknown_reference"
    first = check_selfhelp_paths([folder])[0]
    file = folder / "content.yaml"
    assert str(first) == (
        f"{file}:{line_of(file, 'exercise: breathin ')}: feeling `calm`, suggestion 1: there "
        "is no exercise `breathin` (did you mean `breathing`?): use the id of one in "
        "exercises.yaml (breathing), or add it there"
    )


def test_a_duplicate_id_names_where_it_was_first_used() -> None:
    folder = DATA / "broken" / "duplicate_id"
    problems = check_selfhelp_paths([folder])
    first = folder / "a.yaml"
    assert f"already used at {first}:{line_of(first, 'id: breathing')}" in problems[-1].message


def test_load_selfhelp_raises_with_every_problem() -> None:
    with pytest.raises(SelfHelpError) as raised:
        load_selfhelp(DATA / "broken" / "html")
    assert len(raised.value.problems) == 6
    assert str(raised.value).splitlines() == [str(p) for p in raised.value.problems]


def test_a_folder_without_a_checkin_or_files_is_a_problem(tmp_path: Path) -> None:
    only_topics = tmp_path / "only_topics"
    only_topics.mkdir()
    text = (GOOD / "content.yaml").read_text(encoding="utf-8")
    (only_topics / "topics.yaml").write_text(text[text.index("topics:") :], encoding="utf-8")
    [problem] = check_selfhelp_paths([only_topics])
    assert (problem.file, problem.line) == (only_topics, 1)
    assert "no file has `checkin:`" in problem.message
    assert "no self-help files" in check_selfhelp_paths([tmp_path])[0].message
    assert "no such file" in check_selfhelp_paths([tmp_path / "nowhere"])[0].message


def test_a_file_is_checked_with_its_folder(tmp_path: Path) -> None:
    # Feelings refer to exercises in another file: checking checkin.yaml alone must not
    # report them as unknown.
    folder = tmp_path / "selfhelp"
    shutil.copytree(DEFAULT_DIRECTORY, folder)
    assert check_selfhelp_paths([folder / "checkin.yaml"]) == []
    exercises = folder / "exercises.yaml"
    exercises.write_text(
        exercises.read_text(encoding="utf-8").replace("id: safe-place", "id: calm-place"),
        encoding="utf-8",
    )
    problems = check_selfhelp_paths([folder / "checkin.yaml"])
    assert problems and all("no exercise `safe-place`" in p.message for p in problems)
    checkin = folder / "checkin.yaml"
    assert [p.line for p in problems] == [
        number
        for number, line in enumerate(checkin.read_text(encoding="utf-8").splitlines(), 1)
        if "exercise: safe-place" in line
    ]


# --- the text rules, one by one -----------------------------------------------------------


def screen(**overrides: str) -> dict[str, str]:
    return {"kk": "Иә", "ky": "Ооба", "tg": "Ҳа", "uz": "Ha", "ru": "Да", "en": "Yes"} | overrides


@pytest.mark.parametrize(
    ("en", "words"),
    [
        ("<b>bold", "Telegram refuses"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("<u>x</u>", "the tag `<u>`"),
        ('<a href="https://example.org">x</a>', "the tag `<a>`"),
        ("<code>x</code>", "the tag `<code>`"),
        ("Tom & Jerry", "a bare `&`"),
        ("&nbsp;", "a bare `&`"),
        ("a < b", "a bare `<`"),
        ("x" * (MAX_SCREEN + 1), f"{MAX_SCREEN + 1} characters long"),
        ("Call 102", "looks like a phone number"),
        ("Привет", "Cyrillic letters"),
    ],
)
def test_a_screen_refuses(en: str, words: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(words)):
        Screen.model_validate(screen(en=en))


@pytest.mark.parametrize(
    "en",
    [
        "<b>bold</b> and <i>italic</i>, <b><i>both</i></b>",
        "1 &lt; 2 &amp;&amp; 3 &gt; 2, &quot;quoted&quot;",
        "<b>" + "x" * MAX_SCREEN + "</b>",  # tags are not counted
        "within 72 hours (3 days); 5-4-3-2-1; in 4 – hold 4",
    ],
)
def test_a_screen_accepts(en: str) -> None:
    assert Screen.model_validate(screen(en=en))["en"] == en


def test_the_length_is_counted_as_the_person_sees_it() -> None:
    text = Screen.model_validate(screen(en="<b>A &amp; B</b>"))
    assert text.visible("en") == "A & B"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("en", "x" * (MAX_BUTTON + 1), f"{MAX_BUTTON + 1} characters long"),
        ("en", "<b>Calm</b>", "a button or title is plain text"),
        ("en", "Calm\nnow", "line break"),
        ("kk", "Тыныш OK", "Latin letters (`K`, `O`)"),
        ("ky", "Т\u0061нч", "Latin letters (`a`)"),  # a Latin a among Cyrillic letters
        ("ky", "Тынч ҳ", "`ҳ`, not a letter of the Kyrgyz alphabet"),
        ("tg", "Ором ң", "`ң`, not a letter of the Tajik alphabet"),
        ("uz", "Yo'q", "write oʻ and gʻ with the letter ʻ"),
        ("uz", "Maʻlumot", "writes `aʻ`: the sign ʻ (U+02BB) belongs only in oʻ and gʻ"),
    ],
)
def test_a_button_refuses(field: str, value: str, words: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(words)):
        ButtonText.model_validate(screen(**{field: value}))


# --- the good fixture: what the screens read ----------------------------------------------


def test_the_good_fixture_loads_with_lines_for_the_editors() -> None:
    content = load_selfhelp(GOOD)
    file = GOOD / "content.yaml"
    assert content.where("afraid") == (file, line_of(file, "id: afraid"))
    assert content.where("breathing") == (file, line_of(file, "id: breathing"))
    afraid = content.feeling("afraid")
    assert afraid is not None
    assert [s.kind for s in afraid.suggestions] == ["contacts", "contacts"]
    assert content.suggestions(afraid) == [
        ContactsOffer(EMERGENCY_AND_CRISIS),
        ContactsOffer(("psychological",)),
    ]
    breathing = content.exercise("breathing")
    assert breathing is not None and breathing.steps[3].visible("kk") == "Иә & иә"
    assert content.screen_count() == 1 + 2 + (4 + 2) + 2


def test_main_check_says_all_is_well_or_lists_every_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main_check([str(DEFAULT_DIRECTORY)]) == 0
    assert capsys.readouterr().out == (
        "All 4 files are fine: 6 feelings, 3 exercises, 6 topics, 56 screens in six languages.\n"
    )
    broken = DATA / "broken" / "letters"
    assert main_check([str(broken)]) == 1
    out = capsys.readouterr().out
    for problem in check_selfhelp_paths([broken]):
        assert str(problem) in out
    assert "6 problems in 1 file. Nothing was loaded" in out

"""The one definition of the self-help files. `resources/selfhelp/schema.json` is generated
from it.

Regenerate the JSON Schema after changing a model (a test fails until you do):

    .venv/bin/python -m bot.selfhelp schema

Every file has the same shape (one schema for all): any of `checkin:`, `exercises:` and
`topics:`. The shipped content keeps one in each file (checkin.yaml, exercises.yaml,
topics.yaml); the loader joins the files of a folder and checks what crosses them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.config import LANGUAGES
from bot.contacts import CATEGORIES

# The contacts files already check Uzbek spelling (Cyrillic, oʻ/gʻ, ʼ) and letters of a
# neighbouring alphabet (Tajik ҳ in Kazakh...). Reused, not copied: one rule for every text
# the service shows. Category is the contacts' own vocabulary type with its descriptions.
from bot.contacts.schema import LANGUAGE_NAMES, Category, _check_alphabet, _check_uzbek
from bot.emulator import FormattingError, parse_html

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "resources" / "selfhelp" / "schema.json"

MAX_SCREEN = 700
"""Characters a person reads on one screen (tags not counted): fits a phone without scrolling."""
MAX_BUTTON = 30
"""Characters of a button label or title: one line on a narrow phone."""
MAX_CLOSING = 250
"""The kind line that ends an exercise, shown under the bot's "How do you feel now?"."""

EMERGENCY_AND_CRISIS: tuple[str, ...] = ("emergency", "violence_hotline", "crisis_centre")
"""What `contacts: true` means: danger now, the violence hotlines and the crisis centres."""

_ALLOWED_TAGS = frozenset({"b", "/b", "i", "/i"})
_TAG = re.compile(r"<(/?[^\s>]*)")
_TAG_NAME = re.compile(r"/?[A-Za-z]")
_ENTITY = re.compile(r"&(lt|gt|amp|quot);")
_PHONE = re.compile(r"\+?\d[\d ()-]*\d{2}")
"""Three digits in a row, or more (112, 1146, +996 312 …); `72 hours` and `5-4-3-2-1` pass."""
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_UZ_STRAY_OKINA = re.compile(r"(?:^|[^OoGg])\u02bb")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_CYRILLIC_ONLY = ("kk", "ky", "tg")
"""Languages whose text must have no Latin letter: a Latin `a`, `o` or `c` looks like the
Cyrillic one but breaks search and screen readers. (Russian is left free for names such as
WhatsApp; Uzbek and English get the opposite check.)"""


def _fail(message: str) -> PydanticCustomError:
    # One error type for all our own checks: its message is already in plain words.
    return PydanticCustomError("selfhelp", message)


def _language_name(language: str) -> str:
    return f"{LANGUAGE_NAMES[language]} ({language})"


def _visible_text(value: str, language: str, html: bool) -> str:
    """The text as the person sees it; raises when Telegram would refuse it or when it uses
    formatting this content does not allow."""
    what = f"the {_language_name(language)} text"
    if not html:
        if sign := next((sign for sign in "<>&" if sign in value), None):
            raise _fail(
                f"{what} has `{sign}`: a button or title is plain text, without <b>, <i> "
                "or the signs < > &; write the words without them"
            )
        return value
    for tag in _TAG.findall(value):
        if not _TAG_NAME.match(tag):
            raise _fail(
                f"{what} has a bare `<`: Telegram takes it for the start of a tag; write &lt; "
                "or say it in words"
            )
        if tag.lower() not in _ALLOWED_TAGS:
            raise _fail(
                f"{what} has the tag `<{tag}>`: only <b>bold</b> and <i>italic</i> can be "
                "used; to write the sign < itself, write &lt;"
            )
    if "&" in _ENTITY.sub("", value):
        raise _fail(f"{what} has a bare `&`: write the word (and, и, va …) or &amp; instead")
    try:
        visible, _entities = parse_html(value)
    except FormattingError as exc:
        raise _fail(
            f"{what} has formatting Telegram refuses ({exc}): check that every <b> and <i> "
            "is closed with </b> or </i>, in the order they were opened"
        ) from None
    return visible


def _check_no_phone(visible: str, language: str) -> None:
    # A number shown to a survivor must carry its source and the date it was checked (rule 9):
    # those live in resources/contacts, never in the words around them.
    if match := _PHONE.search(visible):
        raise _fail(
            f"the {_language_name(language)} text has `{match.group()}`, which looks like a "
            "phone number: write no numbers here; add `contacts:` to show the country's "
            "checked numbers from resources/contacts"
        )


def _check_script(visible: str, language: str) -> None:
    what = f"the {_language_name(language)} text"
    if language in _CYRILLIC_ONLY and (letters := _LATIN.findall(visible)):
        shown = ", ".join(f"`{letter}`" for letter in sorted(set(letters)))
        raise _fail(
            f"{what} has Latin letters ({shown}): type them again with the Cyrillic keyboard "
            "(Latin a, o, c, e, p, x look the same as Cyrillic ones)"
        )
    if language == "uz" and (match := _UZ_STRAY_OKINA.search(visible)):
        raise _fail(
            f"{what} writes `{match.group()}`: the sign ʻ (U+02BB) belongs only in oʻ and gʻ; "
            "elsewhere write ʼ (U+02BC), e.g. `maʼlumot`"
        )
    if language == "en" and (letters := _CYRILLIC.findall(visible)):
        shown = ", ".join(f"`{letter}`" for letter in sorted(set(letters)))
        raise _fail(f"{what} has Cyrillic letters ({shown}): type them again in Latin letters")


class LocalText(BaseModel):
    """The same text in the six languages of the service; every one is required.

    Subclasses say how long the text may be and whether it may have <b> and <i>."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    max_length: ClassVar[int] = MAX_SCREEN
    html: ClassVar[bool] = True
    one_line: ClassVar[bool] = False

    kk: str = Field(min_length=1, description="Kazakh, Cyrillic with ә ғ қ ң ө ұ ү һ і")
    ky: str = Field(min_length=1, description="Kyrgyz, Cyrillic with ң ө ү")
    tg: str = Field(min_length=1, description="Tajik, Cyrillic with ғ ӣ қ ӯ ҳ ҷ")
    uz: str = Field(min_length=1, description="Uzbek in Latin letters, with oʻ gʻ (U+02BB)")
    ru: str = Field(min_length=1, description="Russian")
    en: str = Field(min_length=1, description="English")

    @field_validator(*LANGUAGES)
    @classmethod
    def _fits(cls, value: str, info: ValidationInfo) -> str:
        language = str(info.field_name)
        visible = _visible_text(value, language, cls.html)
        if cls.one_line and "\n" in value:
            raise _fail(
                f"the {_language_name(language)} text has a line break: keep it on one line"
            )
        if len(visible) > cls.max_length:
            raise _fail(
                f"the {_language_name(language)} text is {len(visible)} characters long"
                f"{' (tags not counted)' if cls.html else ''}: shorten it to "
                f"{cls.max_length} or fewer{cls._how_to_shorten()}"
            )
        _check_no_phone(visible, language)
        _check_script(visible, language)
        if language == "uz":
            _check_uzbek(value)
        else:
            _check_alphabet(value, info)
        return value

    @classmethod
    def _how_to_shorten(cls) -> str:
        return ""

    def __getitem__(self, language: str) -> str:
        if language not in LANGUAGES:
            raise KeyError(language)
        return str(getattr(self, language))

    def visible(self, language: str) -> str:
        """The text without tags, as the person reads it (for counting, tests and logs)."""
        return parse_html(self[language])[0]


def _max_length_in_schema(length: int) -> Any:
    # Editors underline a label that is too long while it is typed (tags are not allowed in
    # labels, so the count they see is the count the check makes).
    def extra(schema: dict[str, Any]) -> None:
        for language in LANGUAGES:
            schema["properties"][language]["maxLength"] = length

    return extra


class Screen(LocalText):
    """One screen: short paragraphs separated by a blank line; <b>bold</b> and <i>italic</i>
    may be used. At most 700 characters (tags not counted) in every language."""

    @classmethod
    def _how_to_shorten(cls) -> str:
        return ", or split it into two screens"


class ButtonText(LocalText):
    """A button label or a title: one line of plain text, at most 30 characters."""

    model_config = ConfigDict(json_schema_extra=_max_length_in_schema(MAX_BUTTON))

    max_length: ClassVar[int] = MAX_BUTTON
    html: ClassVar[bool] = False
    one_line: ClassVar[bool] = True


class ClosingLine(LocalText):
    """The kind words that end an exercise, after the bot asks "How do you feel now?".
    At most 250 characters."""

    max_length: ClassVar[int] = MAX_CLOSING


class ExitMessage(LocalText):
    """The one line left in the chat after Exit or Forget me. Whoever picks up the phone may
    read it: no word about violence, help, police, lawyers or feelings. Plain text, one line,
    at most 120 characters."""

    max_length: ClassVar[int] = 120
    html: ClassVar[bool] = False
    one_line: ClassVar[bool] = True


ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=32,
        description="Lower-case Latin letters, digits and hyphens, e.g. box-breathing. "
        "Unique in all files and never changed: the bot's buttons carry it.",
    ),
]


def _contacts_from_yaml(value: Any) -> Any:
    if value is True or (isinstance(value, str) and value.strip().lower() == "true"):
        return list(EMERGENCY_AND_CRISIS)
    if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
        raise _fail("`contacts: false` means nothing: remove the line")
    if isinstance(value, str):
        return [value]
    return value


ContactCategories = Annotated[
    tuple[Category, ...],
    BeforeValidator(_contacts_from_yaml, json_schema_input_type=Literal[True] | list[Category]),
    Field(
        description="Categories of the country's contacts to show: "
        + ", ".join(CATEGORIES)
        + f". `true` means {', '.join(EMERGENCY_AND_CRISIS)}."
    ),
]


class Suggestion(BaseModel):
    """One thing that may help, named by its id: `- exercise: box-breathing`,
    `- topic: not-your-fault`, or `- contacts: true` (the country's emergency and crisis
    contacts; or a list of categories, e.g. `- contacts: [psychological]`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: Id | None = Field(default=None, description="The id of an exercise.")
    topic: Id | None = Field(default=None, description="The id of a topic.")
    contacts: ContactCategories | None = None

    @model_validator(mode="after")
    def _one_thing(self) -> Suggestion:
        named = [name for name in ("exercise", "topic", "contacts") if getattr(self, name)]
        if len(named) != 1:
            raise _fail(
                "a suggestion names exactly one thing: write `- exercise: id`, `- topic: id` "
                "or `- contacts: true`, one per line"
            )
        return self

    @property
    def kind(self) -> Literal["exercise", "topic", "contacts"]:
        if self.exercise:
            return "exercise"
        return "topic" if self.topic else "contacts"


class Feeling(BaseModel):
    """One answer to "How are you right now?"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    label: ButtonText = Field(description="The button, at most 30 characters.")
    response: Screen = Field(description="One short screen that believes and validates.")
    suggestions: list[Suggestion] = Field(
        min_length=1, description="What may help with this feeling, most helpful first."
    )


class Checkin(BaseModel):
    """The check-in: the question and the feelings to choose from, in the order shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: Screen = Field(description="How are you right now?")
    feelings: list[Feeling] = Field(min_length=1)


class Exercise(BaseModel):
    """A calming exercise: an intro, then 4–8 steps the person moves through with "Next",
    then the bot asks "How do you feel now?" and shows the closing line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    title: ButtonText = Field(description="The button and title, at most 30 characters.")
    intro: Screen = Field(description="What it is, how long, and that they can stop any time.")
    steps: list[Screen] = Field(min_length=4, max_length=8, description="One screen per step.")
    closing: ClosingLine = Field(description="A short kind line at the end.")


class Topic(BaseModel):
    """Something to read and understand, in 2–5 screens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    title: ButtonText = Field(description="The button and title, at most 30 characters.")
    screens: list[Screen] = Field(min_length=2, max_length=5)
    contacts: ContactCategories = Field(
        default=(),
        description="Contacts to offer after the last screen, e.g. [emergency, crisis_centre]. "
        "Never write a phone number in a topic: numbers live in resources/contacts.",
    )


class SelfHelpFile(BaseModel):
    """A self-help file: the check-in, exercises or topics (usually one kind per file)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Self-help content",
        json_schema_extra={"$comment": "Generated from bot/selfhelp/schema.py; do not edit."},
    )

    checkin: Checkin | None = None
    exit_message: ExitMessage | None = Field(
        default=None,
        description="The neutral line left in the chat after Exit (in one file only). "
        "It must not mention violence or help: someone else may read it.",
    )
    exercises: list[Exercise] = []
    topics: list[Topic] = []


# --- the generated JSON Schema ------------------------------------------------------------


def schema_text() -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **SelfHelpFile.model_json_schema(mode="validation"),
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path

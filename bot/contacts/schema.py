"""The one definition of a contacts file. `resources/contacts/schema.json` is generated from it.

Regenerate the JSON Schema after changing a model (a test fails until you do):

    .venv/bin/python -m bot.contacts schema
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.config import COUNTRIES, LANGUAGES
from bot.contacts.phones import PhoneError, check_phone

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "resources" / "contacts" / "schema.json"

CATEGORIES: tuple[str, ...] = (
    "emergency",
    "violence_hotline",
    "crisis_centre",
    "children",
    "psychological",
    "legal_aid",
    "torture",
)
"""Stable ids of the categories, in the order a survivor sees them (danger first)."""

CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "emergency": "Police, ambulance, 112: danger right now.",
    "violence_hotline": "Hotlines for domestic and sexual violence.",
    "crisis_centre": "Crisis centres and shelters.",
    "children": "Help for children and young people.",
    "psychological": "Psychological support, someone to talk to.",
    "legal_aid": "Free legal aid.",
    "torture": "Torture complaints: prosecutor, ombudsman, NGO coalitions, UN bodies.",
}

HELP_KINDS: dict[str, str] = {
    "immediate_danger": "danger right now: police, ambulance, rescue",
    "domestic_violence": "violence at home or in the family",
    "sexual_violence": "rape, sexual harassment and other sexual violence",
    "trafficking": "human trafficking",
    "torture": "torture or ill-treatment by police or other officials",
    "child_abuse": "children and young people who are hurt or at risk",
    "bullying": "bullying",
    "suicidal_thoughts": "thoughts of suicide or self-harm",
    "psychological_support": "someone to talk to, a psychologist",
    "legal_advice": "legal advice or a lawyer",
    "shelter": "a safe place to stay",
    "medical_care": "medical help",
    "complaints": "an official complaint, also against police or other officials",
}
"""The fixed vocabulary of `helps_with`, with what each word means."""

STATUSES: dict[str, str] = {
    "confirmed": "an official source or two independent sources (C in help-contacts.md)",
    "single_source": "seen in one source only (1); shown to survivors",
    "unconfirmed": "old source, status changing or unclear (U); hidden from survivors",
}
COSTS: dict[str, str] = {
    "free": "free of charge (the source says so)",
    "paid": "costs money",
    "unknown": "the source does not say",
}
LANGUAGE_NAMES: dict[str, str] = {
    "kk": "Kazakh",
    "ky": "Kyrgyz",
    "tg": "Tajik",
    "uz": "Uzbek",
    "ru": "Russian",
    "en": "English",
}
NATIONWIDE = "nationwide"
MAX_LINE = 120
"""Longest name, description or phone label: one short line on a phone screen."""
MAX_TEXT = 400


def _fail(message: str) -> PydanticCustomError:
    # One error type for all our own checks: its message is already in plain words.
    return PydanticCustomError("contacts", message)


def _vocabulary(values: dict[str, str]) -> Any:
    names = tuple(values)
    descriptions = [values[name] for name in names]
    # enumDescriptions: editors (VS Code's YAML extension) show them while completing a value.
    extra = {"enumDescriptions": descriptions} if descriptions else None
    return Annotated[Literal[names], Field(json_schema_extra=extra)]  # type: ignore[valid-type]


Category = _vocabulary(CATEGORY_DESCRIPTIONS)
HelpKind = _vocabulary(HELP_KINDS)
Status = _vocabulary(STATUSES)
Cost = _vocabulary(COSTS)
Country = Annotated[
    Literal[COUNTRIES],  # type: ignore[valid-type]
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
]
Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*$",
        max_length=64,
        description="Lower-case Latin letters, digits and hyphens, e.g. kz-police-102.",
    ),
]


# --- texts in six languages ---------------------------------------------------------------

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_UZ_OKINA = re.compile(r"[OoGg]['`‘’ʼ]")
_UZ_APOSTROPHE = re.compile(r"(?<=\w)['`‘’](?=\w)")


def _check_uzbek(text: str) -> str:
    if _CYRILLIC.search(text):
        raise _fail("the Uzbek (uz) text has Cyrillic letters: write Uzbek in Latin letters")
    if match := _UZ_OKINA.search(text):
        raise _fail(
            f"the Uzbek (uz) text writes `{match.group()}`: write oʻ and gʻ with the letter ʻ "
            "(U+02BB), e.g. `oʻ`, `gʻ` (copy them from here)"
        )
    if match := _UZ_APOSTROPHE.search(text):
        raise _fail(
            f"the Uzbek (uz) text uses the apostrophe {match.group()!r}: write the sign ʼ "
            "(U+02BC) instead, e.g. `maʼlumot`"
        )
    return text


_FOREIGN_LETTERS = {
    # Letters of a neighbouring alphabet that a language does not have: a sign of a slip (or of
    # a copy from another language). Russian letters cannot be checked this way, since all
    # three alphabets contain them.
    "kk": "ҳҷӣӯ",
    "ky": "әғқұһіҳҷӣӯ",
    "tg": "әңөұүһі",
}


def _check_alphabet(value: str, info: ValidationInfo) -> str:
    language = str(info.field_name)
    foreign = _FOREIGN_LETTERS.get(language, "")
    wrong = sorted({letter for letter in value if letter.lower() in foreign})
    if wrong:
        raise _fail(
            f"the {LANGUAGE_NAMES[language]} ({language}) text has "
            f"{', '.join(f'`{letter}`' for letter in wrong)}, not a letter of the "
            f"{LANGUAGE_NAMES[language]} alphabet: check the spelling"
        )
    return value


def _language(description: str) -> Any:
    return Field(min_length=1, max_length=MAX_TEXT, description=description)


class Texts(BaseModel):
    """The same text in the six languages of the service; every one is required."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kk: str = _language("Kazakh, Cyrillic with ә ғ қ ң ө ұ ү һ і")
    ky: str = _language("Kyrgyz, Cyrillic with ң ө ү")
    tg: str = _language("Tajik, Cyrillic with ғ ӣ қ ӯ ҳ ҷ")
    uz: Annotated[str, AfterValidator(_check_uzbek)] = _language(
        "Uzbek in Latin letters, with oʻ gʻ (U+02BB)"
    )
    ru: str = _language("Russian")
    en: str = _language("English")

    _alphabet = field_validator("kk", "ky", "tg")(_check_alphabet)

    def __getitem__(self, language: str) -> str:
        if language not in LANGUAGES:
            raise KeyError(language)
        return str(getattr(self, language))


class LineTexts(Texts):
    """Texts that must fit on one short line: names, descriptions, phone labels."""

    @field_validator(*LANGUAGES)
    @classmethod
    def _one_line(cls, value: str, info: ValidationInfo) -> str:
        if "\n" in value:
            raise _fail(
                f"the {LANGUAGE_NAMES[str(info.field_name)]} ({info.field_name}) text "
                "has a line break: keep it on one line"
            )
        if len(value) > MAX_LINE:
            raise _fail(
                f"the {LANGUAGE_NAMES[str(info.field_name)]} ({info.field_name}) text "
                f"is {len(value)} characters long: shorten it to {MAX_LINE} or fewer"
            )
        return value


# --- phones, hours, addresses ---------------------------------------------------------------


class Phone(BaseModel):
    """A phone number. Write a plain number (`- 112`, `- +996 312 65 35 13`), or this form to
    add a label or to mark a short number phonenumbers does not know (`short: true`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(
        description="The number as the source gives it, with the country code "
        "for full numbers, e.g. +996 312 65 35 13, or a short one."
    )
    short: bool = Field(
        default=False,
        description="true for a 3–4 digit short number that "
        "phonenumbers does not know (e.g. 1146).",
    )
    label: LineTexts | None = Field(
        default=None, description="What this number is for, when an entry has several."
    )
    _display: str = PrivateAttr(default="")
    _dial: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _check_for_country(self, info: ValidationInfo) -> Phone:
        country = (info.context or {}).get("country")
        if country is None:
            return self  # country unknown or invalid: that problem is reported on its own
        try:
            checked = check_phone(self.number, country, short=self.short)
        except PhoneError as exc:
            raise _fail(str(exc)) from None
        self._display, self._dial = checked.display, checked.dial
        return self

    @property
    def display(self) -> str:
        """As people dial it: short numbers as they are, others in international format."""
        return self._display or self.number.strip()

    @property
    def tel_uri(self) -> str:
        return f"tel:{self._dial or self.number.strip()}"


def _phone_from_text(value: Any) -> Any:
    if isinstance(value, int | str):
        return {"number": str(value)}
    return value


PhoneItem = Annotated[
    Phone, BeforeValidator(_phone_from_text, json_schema_input_type=str | int | Phone)
]


class Hours(BaseModel):
    """Opening hours: `hours: 24/7`, or the times written in all six languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    always: bool = Field(default=False, description="Open day and night, every day.")
    text: Texts | None = Field(default=None, description="Days and times in six languages.")

    @model_validator(mode="after")
    def _one_of(self) -> Hours:
        if self.always == (self.text is not None):
            raise _fail("`hours` must be either `24/7` or the times in all six languages")
        return self


def _hours_from_yaml(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip().replace(" ", "").lower() in {"24/7", "24x7"}:
            return {"always": True}
        raise _fail(
            "`hours` must be `24/7`, or the days and times in all six languages "
            "(kk: …, ky: …, tg: …, uz: …, ru: …, en: …); leave it out if unknown"
        )
    if isinstance(value, dict) and not {"always", "text"} & value.keys():
        return {"text": value}
    return value


HoursItem = Annotated[
    Hours, BeforeValidator(_hours_from_yaml, json_schema_input_type=Literal["24/7"] | Texts)
]


# --- entry fields with their own rules -------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/.]+(\.[^\s/.]+)+\.?(/\S*)?$")


def _check_url(value: str) -> str:
    value = value.strip()
    if value.endswith(("…", "...")) or "…" in value:
        raise _fail(f"`{value}` looks cut off (…): copy the full address from the browser")
    if not value.startswith(("https://", "http://")):
        raise _fail(f"`{value}` is not a full web address: start it with https://")
    if not _URL.match(value):
        raise _fail(f"`{value}` is not a web address (no spaces; like https://example.org/page)")
    return value


Url = Annotated[str, AfterValidator(_check_url), Field(json_schema_extra={"format": "uri"})]

_HANDLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def _telegram_handle(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    handle = re.sub(r"^(https?://)?(t\.me/|telegram\.me/)|^@", "", value.strip()).rstrip("/")
    if not _HANDLE.match(handle):
        raise _fail(
            f"`{value}` is not a Telegram username: write it like @example_bot "
            "(Latin letters, digits and _, 5–32 characters)"
        )
    return f"@{handle}"


TelegramHandle = Annotated[str, BeforeValidator(_telegram_handle)]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise _fail(f"`{value}` is not an e-mail address (like info@example.org)")
    return value.strip()


Email = Annotated[str, AfterValidator(_check_email)]


def _area_from_yaml(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Area = Annotated[
    list[Slug],
    BeforeValidator(_area_from_yaml, json_schema_input_type=Literal["nationwide"] | list[str]),
]


class Entry(BaseModel):
    """One place to get help. Entries are shown in the order they are written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug = Field(description="Unique in all files and never changed, e.g. kz-police-102.")
    category: Category = Field(description="Where it is listed: " + ", ".join(CATEGORIES) + ".")
    also_in: list[Category] = Field(default=[], description="Other categories that list it too.")
    name: LineTexts = Field(
        description="Its name in six languages; an organisation may keep "
        "the name people know it by."
    )
    description: LineTexts = Field(description="One short, warm line: what it does for people.")
    note: Texts | None = Field(
        default=None,
        description="A caveat shown with it, e.g. that a call from a mobile may cost money.",
    )
    phones: list[PhoneItem] = Field(default=[], description="Phone numbers, best one first.")
    website: Url | None = Field(default=None, description="Full address, https://…")
    telegram: TelegramHandle | None = Field(default=None, description="Username, e.g. @name_bot")
    email: Email | None = None
    address: Texts | None = Field(
        default=None,
        description="Only for places people may walk into; never a shelter's address.",
    )
    hours: HoursItem | None = Field(
        default=None, description="`24/7` or times in six languages; leave out if unknown."
    )
    area: Area = Field(description="`nationwide`, or places listed under `places:`.")
    cost: Cost
    helps_with: list[HelpKind] = Field(min_length=1, description="Kinds of help it gives.")
    sources: list[Url] = Field(
        min_length=1, description="Where these facts come from; at least one web address."
    )
    checked: date = Field(
        description="When this entry was last compared with its sources, YYYY-MM-DD."
    )
    status: Status

    _country: str = PrivateAttr(default="")

    @field_validator("checked")
    @classmethod
    def _not_in_future(cls, value: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today") or date.today()
        if value > today:
            raise _fail(
                f"`checked` is {value.isoformat()}, a date in the future (today is "
                f"{today.isoformat()}): write the day this entry was really checked"
            )
        return value

    @property
    def country(self) -> str:
        return self._country

    @property
    def visible(self) -> bool:
        """Whether survivors see it by default: unconfirmed entries are hidden."""
        return self.status != "unconfirmed"

    @property
    def nationwide(self) -> bool:
        return NATIONWIDE in self.area

    @property
    def contactable(self) -> bool:
        """Whether it has a phone, website, Telegram or e-mail (some centres have none
        published: a shelter's address is secret, and the description says how to get in)."""
        return bool(self.phones or self.website or self.telegram or self.email)

    @property
    def telegram_url(self) -> str | None:
        return f"https://t.me/{self.telegram[1:]}" if self.telegram else None

    def listed_in(self, category: str) -> bool:
        return category == self.category or category in self.also_in


class ContactFile(BaseModel):
    """The help contacts of one country (one file per country, e.g. kz.yaml)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Help contacts of one country",
        json_schema_extra={"$comment": "Generated from bot/contacts/schema.py; do not edit."},
    )

    country: Country = Field(description="KZ, KG, TJ or UZ.")
    places: dict[Slug, LineTexts] = Field(
        default={}, description="Cities and regions used in `area`, each named in six languages."
    )
    entries: list[Entry] = Field(min_length=1)


# --- the generated JSON Schema ------------------------------------------------------------


def schema_text() -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **ContactFile.model_json_schema(mode="validation"),
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text(), encoding="utf-8")
    return path

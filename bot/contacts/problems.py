"""Problems in contact files, said in plain words for the NGO staff who edit them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.config import COUNTRIES, LANGUAGES
from bot.contacts.schema import (
    CATEGORIES,
    COSTS,
    HELP_KINDS,
    LANGUAGE_NAMES,
    STATUSES,
    ContactFile,
    Entry,
    Hours,
    Phone,
    Texts,
)
from bot.contacts.yamlmap import YamlDocument, YamlPath


@dataclass(frozen=True, order=True)
class Problem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContactsError(Exception):
    """Contact files with problems; nothing from them was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


_VOCABULARIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "category": ("category", CATEGORIES),
    "also_in": ("category", CATEGORIES),
    "helps_with": ("kind of help", tuple(HELP_KINDS)),
    "status": ("status", tuple(STATUSES)),
    "cost": ("cost", tuple(COSTS)),
    "country": ("country", COUNTRIES),
}
_HINTS = {
    "id": "a short unique name such as kz-police-102",
    "category": "one of " + ", ".join(CATEGORIES),
    "name": "in all six languages (kk, ky, tg, uz, ru, en)",
    "description": "one line in all six languages (kk, ky, tg, uz, ru, en)",
    "area": "`nationwide`, or a list of places from `places:`",
    "cost": "free, paid or unknown",
    "helps_with": "a list such as [domestic_violence, legal_advice]",
    "checked": "the date you last checked this entry, like 2026-11-23",
    "status": "confirmed, single_source or unconfirmed",
    "country": "KZ, KG, TJ or UZ",
    "entries": "the list of entries",
    "number": "the phone number",
}
_LANGUAGE_SLIPS = {
    # Country codes and three-letter codes written where a language code belongs.
    "kz": "kk",
    "kaz": "kk",
    "kg": "ky",
    "kir": "ky",
    "kgz": "ky",
    "tj": "tg",
    "tjk": "tg",
    "taj": "tg",
    "uzb": "uz",
    "rus": "ru",
    "eng": "en",
    "gb": "en",
}
_TEXT_FIELDS = {"name", "description", "note", "address", "label", "text"}


def from_validation(file: Path, error: ValidationError, doc: YamlDocument) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        path = _yaml_path(tuple(detail["loc"]), doc)
        message = _describe(detail, path, doc)
        problems.append(Problem(file, doc.line(path), with_entry(message, path, doc)))
    return problems


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def with_entry(message: str, path: YamlPath, doc: YamlDocument) -> str:
    """The message, prefixed with the entry it is about."""
    # Naming the entry helps when a file has fifty of them.
    if len(path) >= 2 and path[0] == "entries" and isinstance(path[1], int):
        entries = doc.data.get("entries") if isinstance(doc.data, dict) else None
        entry = entries[path[1]] if isinstance(entries, list) else None
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            return f"entry `{entry['id']}`: {message}"
        return f"entry {path[1] + 1}: {message}"
    return message


def _yaml_path(loc: tuple[Any, ...], doc: YamlDocument) -> YamlPath:
    path: list[str | int] = []
    for part in loc:
        if part == "[key]":
            continue  # pydantic's marker for "the key of this mapping"
        # `hours: {kk: …}` is validated as {"text": {kk: …}}: drop the part the file lacks.
        if part == "text" and path and path[-1] == "hours" and not doc.has((*path, "text")):
            continue
        path.append(part)
    return tuple(path)


def _field(path: YamlPath) -> str:
    names = [part for part in path if isinstance(part, str)]
    return names[-1] if names else "file"


def _parent_text(path: YamlPath) -> str:
    """How to name the text a language belongs to: `name`, or the name of place `osh`."""
    parent = path[-2] if len(path) >= 2 else ""
    if len(path) == 3 and path[0] == "places":
        return f"the name of place `{parent}`"
    if parent == "text" and len(path) >= 3:
        parent = path[-3]
    if parent == "label":
        return "the phone's `label`"
    return f"`{parent}`"


def _model_at(path: YamlPath) -> type[BaseModel] | None:
    if not path:
        return ContactFile
    last = path[-1]
    if len(path) == 2 and path[0] == "entries":
        return Entry
    if len(path) == 2 and path[0] == "places":
        return Texts
    if len(path) >= 2 and path[-2] == "phones":
        return Phone
    if last == "hours":
        return Hours
    if last in _TEXT_FIELDS:
        return Texts
    return None


def _describe(detail: dict[str, Any], path: YamlPath, doc: YamlDocument) -> str:
    kind = detail["type"]
    field = _field(path)
    value = detail.get("input")
    if kind == "contacts":
        return str(detail["msg"])
    if kind == "missing":
        return _missing(path, field)
    if kind == "extra_forbidden":
        return _unknown_field(path, field)
    if kind in {"literal_error", "enum"}:
        return _unknown_value(field, value)
    if field == "sources" and kind == "too_short":
        return _no_source()
    if kind in {"too_short", "string_too_short"}:
        if field in LANGUAGE_NAMES:
            return (
                f"the {LANGUAGE_NAMES[field]} ({field}) text of {_parent_text(path)} is "
                "empty: write it"
            )
        return f"`{field}` is empty: write {_HINTS.get(field, 'at least one value')}"
    if kind == "string_too_long" and field in LANGUAGE_NAMES:
        return (
            f"the {LANGUAGE_NAMES[field]} ({field}) text of {_parent_text(path)} is too "
            "long: shorten it"
        )
    if kind == "string_pattern_mismatch":
        return (
            f"`{value}` cannot be used as an id or place name: use lower-case Latin letters, "
            "digits and hyphens, like kz-police-102"
        )
    if kind.startswith("date"):
        return f"`{field}` must be a date written as year-month-day, like 2026-11-23"
    if kind == "bool_parsing":
        return f"`{field}` must be true or false"
    if kind == "string_type":
        return f"`{field}` must be plain text, not a list or a block of fields"
    if kind == "list_type":
        return f"`{field}` must be a list: one `- item` per line, or [item, item]"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        if field in _TEXT_FIELDS:
            return (
                f"`{field}` must have one line per language under it: "
                "kk: …, ky: …, tg: …, uz: …, ru: …, en: …"
            )
        if field == "file":
            return "the file must start with `country:` and have a list of `entries:`"
        return f"`{field}` must be a block of `key: value` lines"
    return f"`{field}`: {detail['msg']}"


def _missing(path: YamlPath, field: str) -> str:
    if field in LANGUAGE_NAMES and len(path) >= 2:
        parent = _parent_text(path)
        under = f" under {parent}" if parent.startswith("`") else ""
        return (
            f"the {LANGUAGE_NAMES[field]} ({field}) translation of {parent} is missing: "
            f"add a line `{field}: …`{under}"
        )
    if field == "sources":
        return _no_source()
    hint = _HINTS.get(field)
    return f"`{field}` is missing: add it" + (f" ({hint})" if hint else "")


def _no_source() -> str:
    return (
        "this entry has no source: add `sources:` with at least one web address where "
        "these facts come from"
    )


def _unknown_field(path: YamlPath, field: str) -> str:
    model = _model_at(path[:-1])
    allowed = list(model.model_fields) if model else []
    if model is Texts:
        meant = _LANGUAGE_SLIPS.get(field.lower())
        hint = f" (did you mean `{meant}`?)" if meant else suggest(field, LANGUAGES)
        return f"`{field}` is not one of the six languages{hint}: use kk, ky, tg, uz, ru and en"
    if model is Hours:
        allowed = ["24/7", *LANGUAGES]
    hint = suggest(field, allowed)
    if hint:
        return f"unknown field `{field}`{hint}: fix the spelling"
    listed = f"; fields here are: {', '.join(allowed)}" if allowed else ""
    return f"unknown field `{field}`: remove it or fix the spelling{listed}"


def _unknown_value(field: str, value: Any) -> str:
    what, allowed = _VOCABULARIES.get(field, (f"value of `{field}`", ()))
    return (
        f"unknown {what} `{value}`{suggest(str(value), allowed)}: use one of {', '.join(allowed)}"
    )

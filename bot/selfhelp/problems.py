"""Problems in self-help files, said in plain words for the people who write and translate
them: `file:line: what is wrong, and how to fix it`.

`Problem` (file, line, message) and `suggest` come from the contacts checker, so both
checkers print the same way; only the wording about feelings, exercises and topics is here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.config import LANGUAGES
from bot.contacts import CATEGORIES, Problem
from bot.contacts.problems import suggest
from bot.contacts.schema import LANGUAGE_NAMES
from bot.contacts.yamlmap import YamlDocument, YamlPath
from bot.selfhelp.schema import (
    ID_PATTERN,
    Checkin,
    Exercise,
    Feeling,
    LocalText,
    SelfHelpFile,
    Suggestion,
    Topic,
)


class SelfHelpError(Exception):
    """Self-help files with problems; nothing from them was loaded."""

    # Not bot.contacts.ContactsError: code that catches a contacts failure must not swallow
    # this one, and its message is about other files.
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


_ID = re.compile(ID_PATTERN)
_ITEMS = {"feelings": "feeling", "exercises": "exercise", "topics": "topic"}
_NUMBERED = {"steps": "step", "screens": "screen", "suggestions": "suggestion"}
_TEXT_FIELDS = {"question", "label", "response", "title", "intro", "closing"}
_LIST_SIZES = {
    "steps": "an exercise has 4 to 8 steps",
    "screens": "a topic has 2 to 5 screens",
    "feelings": "the check-in needs at least one feeling",
    "suggestions": "a feeling needs at least one suggestion",
}
_HINTS = {
    "id": "a short unique name such as box-breathing",
    "label": "the button text in all six languages",
    "title": "the title in all six languages",
    "question": "the question in all six languages",
    "response": "one screen in all six languages",
    "intro": "one screen in all six languages",
    "closing": "a short kind line in all six languages",
    "steps": "a list of 4 to 8 screens",
    "screens": "a list of 2 to 5 screens",
    "feelings": "the list of feelings",
    "suggestions": "a list such as `- exercise: box-breathing`",
}


def item_name(path: YamlPath, doc: YamlDocument) -> str:
    """`feeling `numb``, `exercise `box-breathing``, or `exercise 2` when it has no id."""
    kind, index = path[-2], path[-1]
    item = _at(doc.data, path)
    item_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(item_id, str) and _ID.fullmatch(item_id):
        return f"{_ITEMS[str(kind)]} `{item_id}`"
    return f"{_ITEMS[str(kind)]} {int(index) + 1}"


def subject(path: YamlPath, doc: YamlDocument) -> str:
    """What a path is about, as people name it: `exercise `box-breathing`, step 3`."""
    parts: list[str] = []
    for position, part in enumerate(path):
        before = path[position - 1] if position else None
        if isinstance(part, int):
            if before in _ITEMS:
                parts.append(item_name(path[: position + 1], doc))
            elif before in _NUMBERED:
                parts.append(f"{_NUMBERED[str(before)]} {part + 1}")
            # an index in a list of categories: the line already points at the item
        elif part not in {*_ITEMS, *_NUMBERED, *LANGUAGES, "checkin"}:
            parts.append(f"`{part}`")
    return ", ".join(parts)


def owner(path: YamlPath) -> YamlPath:
    """The thing a field belongs to: a message about `title` names the exercise."""
    return path[:-1] if path and isinstance(path[-1], str) else path


def about(path: YamlPath, doc: YamlDocument, message: str) -> str:
    where = subject(path, doc)
    return f"{where}: {message}" if where else message


def from_validation(file: Path, error: ValidationError, doc: YamlDocument) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        path = tuple(part for part in detail["loc"] if part != "[key]")
        problems.append(Problem(file, doc.line(path), _describe(detail, path, doc)))
    return problems


def _at(data: Any, path: YamlPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _field(path: YamlPath) -> str:
    names = [part for part in path if isinstance(part, str)]
    return names[-1] if names else "file"


def _model_at(path: YamlPath) -> type[BaseModel] | None:
    """The model whose fields are allowed at path (for "did you mean")."""
    if not path:
        return SelfHelpFile
    last, before = path[-1], path[-2] if len(path) >= 2 else None
    if isinstance(last, int):
        kinds = {"feelings": Feeling, "exercises": Exercise, "topics": Topic}
        if before in kinds:
            return kinds[str(before)]
        if before == "suggestions":
            return Suggestion
        return LocalText if before in {"steps", "screens"} else None
    if last == "checkin":
        return Checkin
    return LocalText if last in _TEXT_FIELDS else None


def _describe(detail: dict[str, Any], path: YamlPath, doc: YamlDocument) -> str:
    kind = detail["type"]
    field = _field(path)
    value = detail.get("input")
    if kind in {"selfhelp", "contacts"}:  # our own checks and the reused contacts ones
        return about(path, doc, str(detail["msg"]))
    if kind == "missing":
        return _missing(path, field, doc)
    if kind == "extra_forbidden":
        return about(owner(path), doc, _unknown_field(path, field))
    if kind in {"literal_error", "enum"}:
        return about(
            path,
            doc,
            f"unknown contacts category `{value}`{suggest(str(value), CATEGORIES)}: use one "
            f"of {', '.join(CATEGORIES)}",
        )
    if kind in {"too_short", "too_long"} and field in _LIST_SIZES:
        return about(path, doc, _list_size(field, detail))
    if kind == "string_too_short":
        if field in LANGUAGE_NAMES:
            return about(
                path, doc, f"the {LANGUAGE_NAMES[field]} ({field}) text is empty: write it"
            )
        return about(path, doc, f"`{field}` is empty: write {_HINTS.get(field, 'it')}")
    if field in {"id", "exercise", "topic"} and kind.startswith("string_"):
        return about(
            owner(path),
            doc,
            f"`{value}` cannot be used as an id: use lower-case Latin letters, digits and "
            "hyphens, at most 32, like box-breathing",
        )
    return about(owner(path), doc, _wrong_shape(kind, field, detail))


def _wrong_shape(kind: str, field: str, detail: dict[str, Any]) -> str:
    if kind == "string_type":
        return f"`{field}` must be plain text, not a list or a block of fields"
    if kind in {"list_type", "tuple_type"}:
        return f"`{field}` must be a list: one `- item` per line"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        if field in _TEXT_FIELDS or field in {"steps", "screens"}:
            return (
                f"`{field}` must have one line per language under it: "
                "kk: …, ky: …, tg: …, uz: …, ru: …, en: …"
            )
        if field == "file":
            return "the file must have `checkin:`, `exercises:` or `topics:` at the top"
        return f"`{field}` must be a block of `key: value` lines"
    return f"`{field}`: {detail['msg']}"


def _missing(path: YamlPath, field: str, doc: YamlDocument) -> str:
    if field in LANGUAGE_NAMES and len(path) >= 2:
        return about(
            path,
            doc,
            f"the {LANGUAGE_NAMES[field]} ({field}) text is missing: add a line `{field}: …`",
        )
    hint = _HINTS.get(field)
    message = f"`{field}` is missing: add it" + (f" ({hint})" if hint else "")
    return about(owner(path), doc, message)


def _unknown_field(path: YamlPath, field: str) -> str:
    model = _model_at(path[:-1])
    if model is not None and issubclass(model, LocalText):
        return (
            f"`{field}` is not one of the six languages{suggest(field, LANGUAGES)}: use kk, ky, "
            "tg, uz, ru and en"
        )
    allowed = list(model.model_fields) if model else []
    hint = suggest(field, allowed)
    if hint:
        return f"unknown field `{field}`{hint}: fix the spelling"
    listed = f"; fields here are: {', '.join(allowed)}" if allowed else ""
    return f"unknown field `{field}`: remove it or fix the spelling{listed}"


def _list_size(field: str, detail: dict[str, Any]) -> str:
    context = detail.get("ctx") or {}
    count = context.get("actual_length")
    if count is None:
        value = detail.get("input")
        count = len(value) if isinstance(value, list) else 0
    rule = _LIST_SIZES[field]
    if detail["type"] == "too_short":
        return f"{rule}; this one has {count}: add more"
    return f"{rule}; this one has {count}: join some, or make two"

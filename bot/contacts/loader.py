"""Reading and checking contact files. Every problem is collected; none stops the others."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config import COUNTRIES
from bot.contacts.book import ContactBook, LoadedFile
from bot.contacts.problems import ContactsError, Problem, from_validation, suggest, with_entry
from bot.contacts.schema import NATIONWIDE, ContactFile
from bot.contacts.yamlmap import YamlDocument, YamlSyntaxError, read_yaml

SUFFIXES = (".yaml", ".yml")


@dataclass
class FileResult:
    path: Path
    doc: YamlDocument | None = None
    contacts: ContactFile | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class LoadResult:
    files: list[Path]
    problems: list[Problem]
    book: ContactBook | None


def contact_files(paths: Iterable[Path], problems: list[Problem]) -> list[Path]:
    """The files to read: given files as they are, and the *.yaml files of given folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
            if not inside:
                problems.append(Problem(path, 1, "this folder has no contact files (*.yaml)"))
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(path, 1, "there is no such file or folder"))
    return found


def load_paths(paths: Sequence[Path], today: date | None = None) -> LoadResult:
    today = today or date.today()
    problems: list[Problem] = []
    files = contact_files(paths, problems)
    results = [read_file(path, today) for path in files]
    for result in results:
        problems.extend(result.problems)
    problems.extend(_duplicate_ids(results))
    order = {path: index for index, path in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.line))
    if problems:
        return LoadResult(files, problems, None)
    loaded = [_loaded(result) for result in results]
    return LoadResult(files, [], ContactBook(loaded))


def load_directory(path: Path, today: date | None = None) -> ContactBook:
    """Load every *.yaml in a folder, or raise ContactsError listing every problem."""
    result = load_paths([path], today)
    if result.book is None:
        raise ContactsError(result.problems)
    return result.book


def check_paths(paths: list[Path], today: date | None = None) -> list[Problem]:
    """Every problem in the given files and folders; an empty list when all is well."""
    return load_paths(paths, today).problems


def read_file(path: Path, today: date) -> FileResult:
    result = FileResult(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        result.problems.append(
            Problem(
                path,
                1,
                "the file is not saved as UTF-8 text: save it again choosing the UTF-8 encoding",
            )
        )
        return result
    except OSError as exc:
        result.problems.append(Problem(path, 1, f"the file cannot be read ({exc.strerror})"))
        return result
    try:
        doc = read_yaml(text)
    except YamlSyntaxError as exc:
        result.problems.append(Problem(path, exc.line, exc.message))
        return result
    result.doc = doc
    result.problems.extend(_duplicate_keys(path, doc))
    if not isinstance(doc.data, dict):
        message = (
            "the file is empty" if doc.data is None else "the file is not a block of fields"
        ) + ": it must start with `country:` and have a list of `entries:`"
        result.problems.append(Problem(path, 1, message))
        return result
    raw_country = doc.data.get("country")
    country = raw_country.strip().upper() if isinstance(raw_country, str) else None
    context = {"country": country if country in COUNTRIES else None, "today": today}
    try:
        result.contacts = ContactFile.model_validate(doc.data, context=context)
    except ValidationError as exc:
        result.problems.extend(from_validation(path, exc, doc))
    result.problems.extend(_area_problems(path, doc))
    result.problems.sort(key=lambda problem: problem.line)
    return result


def _loaded(result: FileResult) -> LoadedFile:
    assert result.contacts is not None and result.doc is not None
    lines = tuple(
        result.doc.line(("entries", index)) for index in range(len(result.contacts.entries))
    )
    return LoadedFile(result.path, result.contacts, lines)


def _duplicate_keys(path: Path, doc: YamlDocument) -> list[Problem]:
    return [
        Problem(
            path,
            dup.line,
            with_entry(
                f"`{dup.path[-1]}` is written twice here (first on line {dup.first_line}): "
                "keep one of them",
                dup.path,
                doc,
            ),
        )
        for dup in doc.duplicates
    ]


def _raw_entries(doc: YamlDocument) -> list[tuple[int, dict[str, Any]]]:
    entries = doc.data.get("entries") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return []
    return [(index, entry) for index, entry in enumerate(entries) if isinstance(entry, dict)]


def _area_problems(path: Path, doc: YamlDocument) -> list[Problem]:
    """`area` names places that `places:` at the top of the same file defines."""
    places = doc.data.get("places") if isinstance(doc.data, dict) else None
    known = sorted(places) if isinstance(places, dict) else []
    problems = []
    for index, entry in _raw_entries(doc):
        area = entry.get("area")
        items = [area] if isinstance(area, str) else area if isinstance(area, list) else None
        if items is None:
            continue  # missing or malformed: the schema check reports it
        base = ("entries", index, "area")
        if not items:
            problems.append(
                _area_problem(
                    path,
                    doc,
                    base,
                    "`area` is empty: write `nationwide` or list places from `places:`",
                )
            )
        for position, item in enumerate(items):
            where = (*base, position) if isinstance(area, list) else base
            if not isinstance(item, str):
                continue
            if item == NATIONWIDE and len(items) > 1:
                problems.append(
                    _area_problem(
                        path,
                        doc,
                        where,
                        "`nationwide` cannot be listed with places: keep one or the other",
                    )
                )
            elif item != NATIONWIDE and item not in known:
                problems.append(
                    _area_problem(
                        path,
                        doc,
                        where,
                        f"place `{item}` is not listed under `places:` at the top of this file"
                        f"{suggest(item, [NATIONWIDE, *known])}: add it there with its name in "
                        "six languages, or write `nationwide`",
                    )
                )
    return problems


def _area_problem(path: Path, doc: YamlDocument, where: tuple[Any, ...], message: str) -> Problem:
    return Problem(path, doc.line(where), with_entry(message, where, doc))


def _duplicate_ids(results: list[FileResult]) -> list[Problem]:
    """An id must be unique across all files: the bot finds entries by it."""
    first_seen: dict[str, tuple[Path, int]] = {}
    problems = []
    for result in results:
        if result.doc is None:
            continue
        for index, entry in _raw_entries(result.doc):
            entry_id = entry.get("id")
            if not isinstance(entry_id, str):
                continue
            line = result.doc.line(("entries", index, "id"))
            if entry_id in first_seen:
                first_file, first_line = first_seen[entry_id]
                problems.append(
                    Problem(
                        result.path,
                        line,
                        (
                            f"the id `{entry_id}` is already used at {first_file}:{first_line}: "
                            "give this entry a different id"
                        ),
                    )
                )
            else:
                first_seen[entry_id] = (result.path, line)
    return problems

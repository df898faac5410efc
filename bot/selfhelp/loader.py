"""Reading and checking self-help files. Every problem is collected; none stops the others.

The files of a folder are one whole: feelings suggest exercises and topics that are in other
files, and an id must be unique in all of them. So a file given on its own is checked
together with the other files of its folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.contacts import Problem
from bot.contacts.problems import suggest
from bot.contacts.yamlmap import YamlDocument, YamlSyntaxError, read_yaml
from bot.selfhelp.library import SelfHelp
from bot.selfhelp.problems import SelfHelpError, about, from_validation, subject
from bot.selfhelp.schema import Exercise, SelfHelpFile, Topic

SUFFIXES = (".yaml", ".yml")
_KINDS = ("exercises", "topics")


@dataclass
class FileResult:
    path: Path
    doc: YamlDocument | None = None
    content: SelfHelpFile | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class LoadResult:
    files: list[Path]
    problems: list[Problem]
    selfhelp: SelfHelp | None


def selfhelp_files(paths: Iterable[Path], problems: list[Problem]) -> list[Path]:
    """The *.yaml files of the given folders, and of the folders of the given files."""
    folders: list[Path] = []
    for path in paths:
        folder = path if path.is_dir() else path.parent if path.is_file() else None
        if folder is None:
            problems.append(Problem(path, 1, "there is no such file or folder"))
        elif folder not in folders:
            folders.append(folder)
    found: list[Path] = []
    for folder in folders:
        inside = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
        if not inside:
            problems.append(Problem(folder, 1, "this folder has no self-help files (*.yaml)"))
        found.extend(inside)
    return found


def load_paths(paths: Sequence[Path]) -> LoadResult:
    problems: list[Problem] = []
    files = selfhelp_files(paths, problems)
    results = [read_file(path) for path in files]
    for result in results:
        problems.extend(result.problems)
    problems.extend(_checkin_once(results, files))
    problems.extend(_exit_message_at_most_once(results))
    problems.extend(_duplicate_ids(results))
    problems.extend(_unknown_references(results))
    order = {path: index for index, path in enumerate(files)}
    problems = sorted(set(problems), key=lambda p: (order.get(p.file, -1), p.line, p.message))
    if problems:
        return LoadResult(files, problems, None)
    return LoadResult(files, [], _selfhelp(results))


def load_selfhelp(directory: Path) -> SelfHelp:
    """Load every *.yaml in a folder, or raise SelfHelpError listing every problem."""
    result = load_paths([directory])
    if result.selfhelp is None:
        raise SelfHelpError(result.problems)
    return result.selfhelp


def check_selfhelp_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in the given folders (a file: its folder); empty when all is well."""
    return load_paths(paths).problems


def read_file(path: Path) -> FileResult:
    result = FileResult(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        message = "the file is not saved as UTF-8 text: save it again choosing UTF-8"
        result.problems.append(Problem(path, 1, message))
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
    result.problems.extend(
        Problem(
            path,
            dup.line,
            about(
                dup.path[:-1],
                doc,
                f"`{dup.path[-1]}` is written twice here (first on line {dup.first_line}): "
                "keep one of them",
            ),
        )
        for dup in doc.duplicates
    )
    if not isinstance(doc.data, dict) or not doc.data:
        what = "the file is empty" if not doc.data else "the file is not a block of fields"
        message = (
            f"{what}: it must have `checkin:`, `exercises:`, `topics:` or `exit_message:` "
            "at the top"
        )
        result.problems.append(Problem(path, 1, message))
        return result
    try:
        result.content = SelfHelpFile.model_validate(doc.data)
    except ValidationError as exc:
        result.problems.extend(from_validation(path, exc, doc))
    return result


# --- what crosses files: read from the raw YAML, so that one broken screen does not hide
# --- every other problem (an exercise with a bad step still has its id) -----------------


def _items(doc: YamlDocument, kind: str) -> Iterator[tuple[int, dict[str, Any]]]:
    data = doc.data if isinstance(doc.data, dict) else {}
    if kind == "feelings":
        checkin = data.get("checkin")
        items = checkin.get("feelings") if isinstance(checkin, dict) else None
    else:
        items = data.get(kind)
    if isinstance(items, list):
        yield from ((index, item) for index, item in enumerate(items) if isinstance(item, dict))


def _path(kind: str, index: int) -> tuple[str | int, ...]:
    return ("checkin", "feelings", index) if kind == "feelings" else (kind, index)


def _readable(results: list[FileResult]) -> Iterator[tuple[Path, YamlDocument]]:
    for result in results:
        if result.doc is not None and isinstance(result.doc.data, dict):
            yield result.path, result.doc


def _checkin_once(results: list[FileResult], files: list[Path]) -> list[Problem]:
    found = [(path, doc) for path, doc in _readable(results) if "checkin" in doc.data]
    if not found:
        if not files or len(list(_readable(results))) < len(results):
            return []  # a file that cannot be read may be the one with the check-in
        message = "no file has `checkin:`: add the check-in (checkin.yaml)"
        return [Problem(files[0].parent, 1, message)]
    return _written_twice(found, "checkin", "keep one check-in in one file")


def _exit_message_at_most_once(results: list[FileResult]) -> list[Problem]:
    found = [(path, doc) for path, doc in _readable(results) if "exit_message" in doc.data]
    return _written_twice(found, "exit_message", "keep it in one file")


def _written_twice(found: list[tuple[Path, YamlDocument]], key: str, advice: str) -> list[Problem]:
    """A key that belongs in one file only: every file after the first that has it."""
    if len(found) < 2:
        return []
    first_path, first_doc = found[0]
    first = f"{first_path}:{first_doc.line((key,))}"
    return [
        Problem(path, doc.line((key,)), f"`{key}:` is already in {first}: {advice}")
        for path, doc in found[1:]
    ]


def _duplicate_ids(results: list[FileResult]) -> list[Problem]:
    """An id is unique in all files and kinds: buttons and suggestions carry it."""
    first_seen: dict[str, tuple[Path, int]] = {}
    problems = []
    for path, doc in _readable(results):
        for kind in ("feelings", *_KINDS):
            for index, item in _items(doc, kind):
                item_id = item.get("id")
                if not isinstance(item_id, str):
                    continue
                line = doc.line((*_path(kind, index), "id"))
                if item_id not in first_seen:
                    first_seen[item_id] = (path, line)
                    continue
                first_file, first_line = first_seen[item_id]
                message = (
                    f"the id `{item_id}` is already used at {first_file}:{first_line}: "
                    "give this one a different id"
                )
                problems.append(Problem(path, line, message))
    return problems


def _unknown_references(results: list[FileResult]) -> list[Problem]:
    known: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    for _file, doc in _readable(results):
        for kind in _KINDS:
            known[kind].extend(
                str(item["id"]) for _, item in _items(doc, kind) if isinstance(item.get("id"), str)
            )
    if any(result.doc is None for result in results):
        return []  # an unreadable file may hold what is referred to: fix it first
    problems = []
    for path, doc in _readable(results):
        for index, feeling in _items(doc, "feelings"):
            problems.extend(_feeling_references(path, doc, index, feeling, known))
    return problems


def _feeling_references(
    path: Path, doc: YamlDocument, index: int, feeling: dict[str, Any], known: dict[str, list[str]]
) -> list[Problem]:
    suggestions = feeling.get("suggestions")
    if not isinstance(suggestions, list):
        return []
    problems = []
    for position, suggestion in enumerate(suggestions):
        if not isinstance(suggestion, dict):
            continue
        for single, kind in (("exercise", "exercises"), ("topic", "topics")):
            target = suggestion.get(single)
            if not isinstance(target, str) or target in known[kind]:
                continue
            where = ("checkin", "feelings", index, "suggestions", position, single)
            listed = ", ".join(known[kind]) or "none yet"
            message = (
                f"there is no {single} `{target}`{suggest(target, known[kind])}: use the id of "
                f"one in {kind}.yaml ({listed}), or add it there"
            )
            problems.append(
                Problem(path, doc.line(where), f"{subject(where[:-1], doc)}: {message}")
            )
    return problems


def _selfhelp(results: list[FileResult]) -> SelfHelp:
    checkin = None
    exit_message = None
    exercises: list[Exercise] = []
    topics: list[Topic] = []
    where: dict[str, tuple[Path, int]] = {}
    for result in results:
        assert result.content is not None and result.doc is not None
        content, doc = result.content, result.doc
        checkin = checkin or content.checkin
        exit_message = exit_message or content.exit_message
        exercises.extend(content.exercises)
        topics.extend(content.topics)
        for kind in ("feelings", *_KINDS):
            for index, item in _items(doc, kind):
                where[str(item["id"])] = (result.path, doc.line(_path(kind, index)))
    assert checkin is not None  # _checkin_once reported its absence
    return SelfHelp(checkin, exercises, topics, where, exit_message)

"""Reading and checking complaint templates. Every problem is collected with its file and line;
none stops the others.

A template is a text file; each line is one paragraph of the document:

    # a comment for the editors (not in the document)
    ?when: [write the date and time]   what the document says when the question was skipped
    >> To the Prosecutor of ...        the addressee block, at the top right
    ## COMPLAINT                       a heading, centred and bold
    - a point of a list                a list item
    !! Before you file it: ...         a note to the person, highlighted (they delete it)
    any other line                     a paragraph; an empty line is an empty paragraph

`{when}`, `{where}` … put the person's answer there (see FIELDS). Lines for the person's own
name, address and signature are written as blanks (`________`) in the template: the bot never
asks for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic_core import PydanticCustomError

from bot.config import COUNTRIES, LANGUAGES
from bot.contacts import Problem
from bot.contacts.phones import COUNTRY_NAMES
from bot.contacts.problems import suggest

# The same alphabet rules as every other text the service shows (no Latin letter in Kazakh,
# Kyrgyz or Tajik, oʻ and gʻ in Uzbek), and the same way of naming a language.
from bot.selfhelp.schema import _check_script, _language_name

TEMPLATES_DIRECTORY = Path(__file__).resolve().parents[2] / "resources" / "complaints"
SUFFIX = ".txt"

FIELDS: tuple[str, ...] = (
    "what_happened",
    "when",
    "where",
    "who",
    "injuries",
    "medical",
    "witnesses",
    "documents",
)
"""The questions of the complaint draft, in the order they are asked; a template names each
as `{field}` and says with `?field:` what stands there when it was skipped."""

Kind = Literal["to", "title", "item", "note", "text", "blank"]
_PREFIXES: tuple[tuple[str, Kind], ...] = (
    ("## ", "title"),
    (">> ", "to"),
    ("- ", "item"),
    ("!! ", "note"),
)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SKIPPED = re.compile(r"^\?([^:\s]*)\s*:(.*)$")


@dataclass(frozen=True)
class Line:
    kind: Kind
    text: str

    def parts(self) -> Iterator[tuple[str, bool]]:
        """(text, is_field) pieces: literal text and field names, in order."""
        position = 0
        for match in _PLACEHOLDER.finditer(self.text):
            if match.start() > position:
                yield self.text[position : match.start()], False
            yield match.group(1), True
            position = match.end()
        if position < len(self.text):
            yield self.text[position:], False


@dataclass(frozen=True)
class Template:
    country: str
    language: str
    lines: tuple[Line, ...]
    skipped: dict[str, str]
    """What the document says in place of a skipped answer, by field."""

    def addressee(self) -> list[str]:
        return [line.text for line in self.lines if line.kind == "to"]

    def title(self) -> list[str]:
        return [line.text for line in self.lines if line.kind == "title"]


class TemplatesError(Exception):
    """Complaint templates with problems; nothing from them was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class ComplaintTemplates:
    """Every template, by country and language; safe to share between handlers. A reload
    while the bot runs replaces the content in one step (`replace_with`)."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._templates = {(t.country, t.language): t for t in templates}

    def replace_with(self, other: ComplaintTemplates) -> None:
        vars(self).update(vars(other))

    def get(self, country: str, language: str) -> Template:
        return self._templates[(country, language)]

    def __len__(self) -> int:
        return len(self._templates)


@dataclass
class _Parsed:
    template: Template | None
    problems: list[Problem] = field(default_factory=list)


def parse_template(path: Path, country: str, language: str) -> _Parsed:
    """One template file: its lines, or every problem in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        message = "the file is not saved as UTF-8 text: save it again choosing UTF-8"
        return _Parsed(None, [Problem(path, 1, message)])
    except OSError as exc:
        return _Parsed(None, [Problem(path, 1, f"the file cannot be read ({exc.strerror})")])
    problems: list[Problem] = []
    lines: list[Line] = []
    skipped: dict[str, str] = {}
    skipped_at: dict[str, int] = {}
    used: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("#") and not line.startswith("## "):
            continue  # a comment for the editors
        if line.startswith("?"):
            problems.extend(_skipped_line(path, number, line, skipped, skipped_at))
            continue
        kind: Kind = "blank" if not line.strip() else "text"
        for prefix, prefixed_kind in _PREFIXES:
            if line.startswith(prefix):
                kind, line = prefixed_kind, line[len(prefix) :].strip()
                break
        for message in _line_problems(line, language):
            problems.append(Problem(path, number, message))
        used.update(name for name in _PLACEHOLDER.findall(line) if name in FIELDS)
        lines.append(Line(kind, line.strip()))
    end = max(len(text.splitlines()), 1)
    problems.extend(_whole_file_problems(path, end, lines, skipped, used))
    if problems:
        return _Parsed(None, problems)
    while lines and lines[-1].kind == "blank":
        lines.pop()
    while lines and lines[0].kind == "blank":
        lines.pop(0)
    return _Parsed(Template(country, language, tuple(lines), skipped))


def _skipped_line(
    path: Path, number: int, line: str, skipped: dict[str, str], skipped_at: dict[str, int]
) -> list[Problem]:
    match = _SKIPPED.match(line)
    if match is None:
        return [
            Problem(
                path,
                number,
                "a line starting with `?` says what stands in the document when a question "
                "was skipped: write it as `?when: [the date and time]`",
            )
        ]
    name, value = match.group(1), match.group(2).strip()
    if name not in FIELDS:
        return [
            Problem(
                path,
                number,
                f"`?{name}` is not one of the questions{suggest(name, FIELDS)}: use one of "
                + ", ".join(FIELDS),
            )
        ]
    if name in skipped_at:
        return [
            Problem(
                path,
                number,
                f"`?{name}` is already written on line {skipped_at[name]}: keep one of them",
            )
        ]
    if not value:
        return [
            Problem(
                path,
                number,
                f"`?{name}:` says nothing: write what the document shows when this question "
                "was skipped, e.g. `[write it here]`",
            )
        ]
    skipped[name] = value
    skipped_at[name] = number
    return []


def _line_problems(line: str, language: str) -> list[str]:
    problems: list[str] = []
    for name in _PLACEHOLDER.findall(line):
        if name not in FIELDS:
            problems.append(
                f"`{{{name}}}` is not one of the questions{suggest(name, FIELDS)}: use one of "
                + ", ".join(f"{{{known}}}" for known in FIELDS)
            )
    rest = _PLACEHOLDER.sub("", line)
    if "{" in rest or "}" in rest:
        problems.append(
            "a `{` or `}` without its pair: an answer goes in as `{when}`; braces are not "
            "used for anything else"
        )
    try:
        _check_script(rest, language)
    except PydanticCustomError as error:
        problems.append(error.message())
    return problems


def _whole_file_problems(
    path: Path, end: int, lines: list[Line], skipped: dict[str, str], used: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    if not any(line.kind == "to" for line in lines):
        problems.append(
            Problem(
                path,
                1,
                "there is no addressee: start the document with lines beginning `>> ` (the "
                "prosecutor's office it is sent to)",
            )
        )
    if not any(line.kind == "title" for line in lines):
        problems.append(
            Problem(path, 1, "there is no heading: write one as a line beginning `## `")
        )
    for name in FIELDS:
        if name not in used:
            problems.append(
                Problem(
                    path,
                    end,
                    f"the answer to `{name}` is used nowhere, so it would be lost: put "
                    f"`{{{name}}}` where it belongs",
                )
            )
        if name not in skipped:
            problems.append(
                Problem(
                    path,
                    1,
                    f"no `?{name}:` line: say what the document shows when this question is "
                    f"skipped, e.g. `?{name}: [write it here]`",
                )
            )
    return problems


def _country_folders(root: Path, problems: list[Problem]) -> list[Path]:
    folders = []
    for country in COUNTRIES:
        folder = root / country.lower()
        if folder.is_dir():
            folders.append(folder)
        else:
            problems.append(
                Problem(
                    root,
                    1,
                    f"there is no folder `{country.lower()}` for {COUNTRY_NAMES[country]}: "
                    f"add it with a template for each language",
                )
            )
    for other in sorted(p for p in root.iterdir() if p.is_dir()):
        if other.name.upper() not in COUNTRIES:
            problems.append(
                Problem(
                    other,
                    1,
                    f"`{other.name}` is not one of the countries ("
                    + ", ".join(c.lower() for c in COUNTRIES)
                    + "): rename or remove this folder",
                )
            )
    return folders


def _folder_templates(folder: Path, problems: list[Problem]) -> list[_Parsed]:
    country = folder.name.upper()
    parsed = []
    for language in LANGUAGES:
        path = folder / f"{language}{SUFFIX}"
        if not path.is_file():
            problems.append(
                Problem(
                    folder,
                    1,
                    f"there is no template for {COUNTRY_NAMES[country]} in "
                    f"{_language_name(language)}: add {folder.name}/{language}{SUFFIX}, "
                    f"for example a translation of {folder.name}/ru{SUFFIX}",
                )
            )
            continue
        parsed.append(parse_template(path, country, language))
    for other in sorted(folder.iterdir()):
        if other.is_file() and other.stem not in LANGUAGES:
            problems.append(
                Problem(
                    other,
                    1,
                    f"`{other.name}` is not a template: name templates after their language ("
                    + ", ".join(f"{language}{SUFFIX}" for language in LANGUAGES)
                    + ")",
                )
            )
    return parsed


def _parse_file(path: Path, problems: list[Problem]) -> _Parsed | None:
    country, language = path.parent.name.upper(), path.stem
    if country not in COUNTRIES or language not in LANGUAGES or path.suffix != SUFFIX:
        problems.append(
            Problem(
                path,
                1,
                "a template lies at <country>/<language>.txt, e.g. kg/ru.txt: move or rename "
                "this file",
            )
        )
        return None
    return parse_template(path, country, language)


def _load(paths: Sequence[Path]) -> tuple[list[Template], list[Problem]]:
    problems: list[Problem] = []
    parsed: list[_Parsed] = []
    for path in paths:
        if path.is_file():
            found = _parse_file(path, problems)
            parsed.extend([found] if found else [])
        elif path.is_dir() and path.name.upper() in COUNTRIES:
            parsed.extend(_folder_templates(path, problems))
        elif path.is_dir():
            for folder in _country_folders(path, problems):
                parsed.extend(_folder_templates(folder, problems))
        else:
            problems.append(Problem(path, 1, "there is no such file or folder"))
    for result in parsed:
        problems.extend(result.problems)
    templates = [result.template for result in parsed if result.template is not None]
    return templates, sorted(set(problems), key=lambda p: (str(p.file), p.line, p.message))


def check_template_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in the given templates (a file), a country's folder, or the whole
    folder; empty when all is well."""
    return _load(paths)[1]


def load_templates(directory: Path) -> ComplaintTemplates:
    """Every country's templates in every language, or TemplatesError with every problem."""
    templates, problems = _load([directory])
    if problems:
        raise TemplatesError(problems)
    return ComplaintTemplates(templates)


def main_check(paths: Sequence[str] = ()) -> int:
    """Print every problem; 0 only when all templates are fine."""
    chosen = [Path(path) for path in paths] or [TEMPLATES_DIRECTORY]
    templates, problems = _load(chosen)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problems in the complaint templates.")
        return 1
    print(f"The complaint templates are fine: {len(templates)} templates.")
    return 0

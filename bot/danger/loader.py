"""Reading and checking the danger lists. Every problem is collected; none stops the others.

A problem reads `file:line: what is wrong, and how to fix it`, for NGO staff who edit the
lists without knowing any programming. A list with any problem is not loaded at all: a
half-loaded list would hide danger words without anyone noticing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config import LANGUAGES
from bot.contacts.problems import Problem  # one `file:line: message` for all of resources/
from bot.contacts.yamlmap import compose
from bot.danger.detector import ALL_KINDS, CALM_CONTEXT, NOT_DANGER, DangerDetector, Phrase
from bot.danger.phrases import PhraseError, first_reading, parse_phrase

SUFFIXES = (".yaml", ".yml")
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "resources" / "danger"
"""resources/danger in the repository."""

_KINDS_TEXT = "suicide, self_harm, violence_now, danger_now, not_danger or calm_context"


class DangerListError(Exception):
    """Danger lists with problems; nothing was loaded. `.problems`: `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class _FileResult:
    phrases: list[Phrase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_detector(directory: Path, *, self_check: bool = True) -> DangerDetector:
    """Load every *.yaml in directory (kk.yaml … en.yaml); raise DangerListError if any
    problem is found, listing all of them.

    `self_check=False` skips trying every phrase against its own shortest form and the
    idioms (a phrase that could never match: harmless, merely useless), which takes most of
    the load time. The bot starts that way; `check`, the tests and every reload of an edit
    do the whole check."""
    detector, problems = load_paths([Path(directory)], self_check=self_check)
    if detector is None:
        raise DangerListError(problems)
    return detector


def check_danger_paths(paths: Iterable[Path | str]) -> list[str]:
    """Every problem in the given files and folders, as `file:line: message`; [] if none."""
    return load_paths([Path(path) for path in paths])[1]


def load_paths(
    paths: list[Path], *, self_check: bool = True
) -> tuple[DangerDetector | None, list[str]]:
    """The detector and no problems, or None and every problem found in files and folders."""
    problems: list[Problem] = []
    files = list_files(paths, problems)
    phrases: list[Phrase] = []
    for path in files:
        result = read_list(path)
        phrases.extend(result.phrases)
        problems.extend(result.problems)
    detector = DangerDetector(phrases)
    if self_check:
        problems.extend(_never_matching(detector))
    order = {path: n for n, path in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.line, p.message))
    if problems:
        return None, [str(problem) for problem in problems]
    return detector, []


def list_files(
    paths: Iterable[Path], problems: list[Problem], what: str = "danger lists"
) -> list[Path]:
    """The *.yaml files of the given files and folders, each folder's in language order (uz
    and uz-cyrl together); a missing path or an empty folder is a problem."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = [p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()]
            if not inside:
                problems.append(Problem(path, 1, f"this folder has no {what} (*.yaml)"))
            found.extend(sorted(inside, key=_language_order))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(path, 1, "there is no such file or folder"))
    return found


def _language_order(path: Path) -> tuple[int, str]:
    stem = path.stem.lower().split("-")[0]
    return (LANGUAGES.index(stem) if stem in LANGUAGES else len(LANGUAGES), path.name)


def read_list(path: Path) -> _FileResult:
    """The phrases of one file and its own problems (not those found across files)."""
    result = _FileResult()
    language = path.stem.lower()
    if language not in LANGUAGES:
        names = ", ".join(f"{code}.yaml" for code in LANGUAGES)
        result.problems.append(
            Problem(path, 1, f"the file name must be a language: one of {names}")
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(Problem(path, 1, "the file is not UTF-8 text: save it as UTF-8"))
        return result
    try:
        root = compose(text)
    except yaml.YAMLError as exc:
        line, message = _syntax_problem(exc)
        result.problems.append(Problem(path, line, message))
        return result
    for kind, item, line in _entries(root, path, result.problems):
        _add_phrase(result, path, language, kind, item, line)
    result.problems.extend(_duplicates(result.phrases))
    return result


def _entries(
    root: Node | None, path: Path, problems: list[Problem]
) -> Iterable[tuple[str, Node, int]]:
    """(kind, item node, line) for every list item under a known kind."""
    if root is None:
        problems.append(Problem(path, 1, f"the file is empty: add phrases under {_KINDS_TEXT}"))
        return
    if not isinstance(root, MappingNode):
        problems.append(
            Problem(path, _line(root), "the file must start with a kind, like `suicide:`")
        )
        return
    seen: dict[str, int] = {}
    for key_node, value_node in root.value:
        kind = str(key_node.value).strip()
        line = _line(key_node)
        if kind not in ALL_KINDS:
            problems.append(Problem(path, line, _unknown_kind(kind)))
            continue
        if kind in seen:
            problems.append(
                Problem(
                    path,
                    line,
                    f"{kind}: is already on line {seen[kind]}: keep one {kind}: and put all "
                    "its phrases under it",
                )
            )
            continue
        seen[kind] = line
        yield from ((kind, item, _line(item)) for item in _items(kind, value_node, path, problems))


def _items(kind: str, node: Node, path: Path, problems: list[Problem]) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, ScalarNode) and node.value.strip() == "":
        return []  # `suicide:` with nothing under it yet
    problems.append(
        Problem(
            path,
            _line(node),
            f"write the phrases of {kind}: one per line below it, each starting with '- '",
        )
    )
    return []


def _add_phrase(
    result: _FileResult, path: Path, language: str, kind: str, item: Node, line: int
) -> None:
    if not isinstance(item, ScalarNode):
        message = (
            "this line was read as «name: value» because of a colon followed by a space: "
            "remove the colon, or put the whole phrase in quotes"
            if isinstance(item, MappingNode)
            else "write the phrase as plain words after '- ', without brackets"
        )
        result.problems.append(Problem(path, line, message))
        return
    try:
        pattern = parse_phrase(item.value)
    except PhraseError as exc:
        result.problems.append(Problem(path, line, str(exc)))
        return
    result.phrases.append(Phrase(kind, language, item.value.strip(), path, line, pattern))


def _duplicates(phrases: list[Phrase]) -> list[Problem]:
    first: dict[object, Phrase] = {}
    read_as: dict[object, Phrase] = {}
    problems: list[Problem] = []
    for phrase in phrases:
        earlier = first.setdefault(phrase.pattern.key, phrase)
        if earlier is phrase:
            reading = first_reading(phrase.pattern, phrase.language).key
            earlier = read_as.setdefault(reading, phrase)
            if earlier is phrase:
                continue
            message = (
                f"«{phrase.text}» finds the same words as «{earlier.text}» on line "
                f"{earlier.line} (a phrase also finds its words typed in the other alphabet, "
                "and х/h/x, ж/j/zh, ы/и/y, я/ya/ia count as the same)"
            )
            problems.append(Problem(phrase.file, phrase.line, message + ": delete this line"))
            continue
        message = f"«{phrase.text}» is already listed on line {earlier.line}"
        if earlier.kind != phrase.kind:
            message += f" under {earlier.kind}"
        if earlier.text != phrase.text:
            message += (
                f" as «{earlier.text}» (capitals, punctuation, ё/е, doubled letters and letters "
                "like ө/о or oʻ/o' count as the same)"
            )
        problems.append(Problem(phrase.file, phrase.line, message + ": delete this line"))
    return problems


def _never_matching(detector: DangerDetector) -> list[Problem]:
    """Danger phrases that no text could trigger once normalised and set against the idioms."""
    problems: list[Problem] = []
    for index, phrase in enumerate(detector.phrases):
        if phrase.kind in (NOT_DANGER, CALM_CONTEXT):
            continue
        matches, covering = detector.self_check(index)
        if not matches:
            message = f"«{phrase.text}» could never match once normalised: write it differently"
            problems.append(Problem(phrase.file, phrase.line, message))
            continue
        if covering:
            idioms = ", ".join(f"«{idiom.text}» ({idiom.where})" for idiom in covering)
            problems.append(
                Problem(
                    phrase.file,
                    phrase.line,
                    f"«{phrase.text}» could never match: the not_danger phrase {idioms} always "
                    "cancels it; remove one of the two",
                )
            )
    return problems


def _unknown_kind(kind: str) -> str:
    message = f"«{kind}» is not a kind of list: use {_KINDS_TEXT}"
    typed = kind.lower()
    # A kind that begins with what was typed (danger → danger_now) beats a look-alike.
    close = [known for known in ALL_KINDS if known.startswith(typed)] if typed else []
    close = close or difflib.get_close_matches(typed, ALL_KINDS, n=1, cutoff=0.6)
    return message + (f" (did you mean {close[0]}?)" if close else "")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _syntax_problem(exc: yaml.YAMLError) -> tuple[int, str]:
    """Line (1-based) and a plain-words explanation of a YAML syntax error."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return 1, f"the file cannot be read as YAML ({exc})"
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    if "quoted scalar" in context and exc.context_mark is not None:
        return (
            exc.context_mark.line + 1,
            "a quote (\" or ') is opened here but never closed: add the closing quote",
        )
    if "alias" in context or "alias" in problem:
        return line, (
            "a phrase cannot start with * (YAML reads it as a reference): put * only at the "
            "end of a word, like суицид*"
        )
    if "\\t" in problem or "'\\t'" in problem:
        return line, "there is a tab character: indent with spaces only"
    if "cannot start any token" in problem:
        return line, "a phrase starts with a sign YAML reserves (such as ` @ %): put it in quotes"
    if problem.startswith("mapping values are not allowed"):
        return line, (
            "a `:` is in an unexpected place: put a phrase that contains `: ` in quotes, or "
            "check the indentation of this line and the one above"
        )
    return line, (
        f"the YAML cannot be read here ({problem or context}): check the indentation "
        "(two spaces before each '- ') and put a phrase containing `:` or `#` in quotes"
    )

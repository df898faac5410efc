"""The labelled test set of the danger check, and the evaluation that measures the lists on it.

The set lives in `resources/danger/cases/`, one file per language and script (kk.yaml,
ky.yaml, tg.yaml, uz.yaml for Uzbek in Latin letters, uz-cyrl.yaml for Uzbek in Cyrillic,
ru.yaml, en.yaml). NGO staff add a message the bot missed, or one it alarmed on wrongly, in
the same way they add a phrase to a list:

    suicide:                      # suicide, self_harm, violence_now, danger_now or calm
      - text: "жить больше не хочу"
        form: negated, repeats    # how it is written (FORMS below), one or more

`python -m bot.danger eval [PATH]` prints recall (dangerous messages found) and false alarms
(calm messages that would have shown the crisis numbers) per file and per kind, and lists
every message missed or alarmed on. A dangerous message counts as found whatever kind the
check gives it: the person sees the crisis numbers either way.

Only the test texts are printed; they are written for the set, never taken from a person.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config import LANGUAGES
from bot.contacts.problems import Problem
from bot.contacts.yamlmap import compose
from bot.danger.detector import DANGER_KINDS, DangerDetector, DangerMatch
from bot.danger.loader import list_files

CALM = "calm"
CASE_KINDS: tuple[str, ...] = (*DANGER_KINDS, CALM)
CASES_DIRECTORY = Path(__file__).resolve().parents[2] / "resources" / "danger" / "cases"

FORMS: dict[str, str] = {
    "plain": "correct spelling, the language's own script",
    "typo": "misspelt words, especially short ones",
    "keyboard": "special letters typed as plain keyboard letters; Uzbek with ' or no mark",
    "translit": "the language typed in the other alphabet (Latin for kk, ky, tg, ru)",
    "mixed": "two languages or two alphabets in one message",
    "repeats": "repeated letters, no punctuation, no space after punctuation",
    "emoji": "with emoji",
    "past": "told in the past, already done",
    "negated": "a negated wish: I do not want to live",
    "ongoing": "an action going on right now: he is hitting me",
    "indirect": "said without the obvious key word",
    "long": "a longer message with context around the danger",
    "idiom": "an idiom with die, kill, beat",
    "negation": "a negation that really is calm",
    "past_calm": "past violence told calmly, asking for advice",
    "question": "a question about the topic",
    "news": "news",
    "lyrics": "song lyrics, a film or a book",
    "everyday": "an everyday message with look-alike words",
}
TARGET_RECALL = 0.97
"""On the project's own set, in every file and every kind; with no false alarm."""


@dataclass(frozen=True)
class Case:
    text: str
    kind: str
    forms: tuple[str, ...]
    file: Path
    line: int

    @property
    def set_name(self) -> str:
        """kk, uz, uz-cyrl …: the file name without .yaml."""
        return self.file.stem

    @property
    def language(self) -> str:
        return self.set_name.split("-")[0]

    @property
    def dangerous(self) -> bool:
        return self.kind != CALM

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}"


@dataclass(frozen=True)
class Outcome:
    case: Case
    match: DangerMatch | None

    @property
    def right(self) -> bool:
        return (self.match is not None) == self.case.dangerous


@dataclass
class Tally:
    found: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.found += hit

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.found}/{self.total}" if self.total else "-"


@dataclass
class Report:
    outcomes: list[Outcome]
    recall: dict[tuple[str, str], Tally] = field(default_factory=dict)
    """(set name or "all", kind or "all") → dangerous messages found."""
    alarms: dict[str, Tally] = field(default_factory=dict)
    """set name or "all" → calm messages alarmed on."""
    forms: dict[str, Tally] = field(default_factory=dict)
    """form → dangerous messages found (calm forms: calm messages left calm)."""

    @property
    def missed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.dangerous and o.match is None]

    @property
    def false_alarms(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.dangerous and o.match is not None]

    @property
    def sets(self) -> list[str]:
        return list(dict.fromkeys(o.case.set_name for o in self.outcomes))

    def meets(self, target: float) -> bool:
        """Every set and kind at or above target recall, and no false alarm."""
        return not self.false_alarms and all(t.rate >= target for t in self.recall.values())


def evaluate(detector: DangerDetector, cases: Iterable[Case]) -> Report:
    outcomes = [Outcome(case, detector.check(case.text, language=case.language)) for case in cases]
    report = Report(outcomes)
    for outcome in outcomes:
        case = outcome.case
        if case.dangerous:
            hit = outcome.match is not None
            for set_name in (case.set_name, "all"):
                for kind in (case.kind, "all"):
                    report.recall.setdefault((set_name, kind), Tally()).add(hit)
        else:
            for set_name in (case.set_name, "all"):
                report.alarms.setdefault(set_name, Tally()).add(outcome.match is not None)
        for form in case.forms:
            report.forms.setdefault(form, Tally()).add(outcome.right)
    return report


def summary_line(report: Report) -> str:
    recall = report.recall.get(("all", "all"), Tally())
    alarms = report.alarms.get("all", Tally())
    return (
        f"danger recall {recall.rate:.2f} ({recall.found}/{recall.total}), "
        f"false alarms {alarms.found} of {alarms.total}"
    )


def render(report: Report) -> list[str]:
    """The table, the misses and false alarms, and the summary line last."""
    columns = (*DANGER_KINDS, "all")
    lines = [
        f"{'set':<9}" + "".join(f"{kind:>15}" for kind in columns) + f"{'false alarms':>16}",
    ]
    for set_name in (*report.sets, "all"):
        cells = []
        for kind in columns:
            tally = report.recall.get((set_name, kind), Tally())
            cells.append(f"{str(tally) + (f' {tally.rate:.2f}' if tally.total else ''):>15}")
        alarms = report.alarms.get(set_name, Tally())
        lines.append(f"{set_name:<9}" + "".join(cells) + f"{alarms!s:>16}")
    lines.append("")
    lines.append(
        "by form (messages judged right): "
        + ", ".join(f"{form} {tally}" for form, tally in sorted(report.forms.items()))
    )
    missed, alarms = report.missed, report.false_alarms
    if missed:
        lines += ["", f"Missed ({len(missed)}): dangerous messages the check did not find"]
        lines += [
            f"  {o.case.where:<16} {o.case.kind:<13} [{', '.join(o.case.forms)}] {o.case.text}"
            for o in missed
        ]
    if alarms:
        lines += ["", f"False alarms ({len(alarms)}): calm messages the check alarmed on"]
        for o in alarms:
            assert o.match is not None
            lines.append(
                f"  {o.case.where:<16} [{', '.join(o.case.forms)}] {o.case.text}\n"
                f"  {'':<16} matched «{o.match.phrase}» "
                f"({o.match.language}.yaml:{o.match.line}, {o.match.kind})"
            )
    lines += ["", summary_line(report)]
    return lines


# --- reading the case files ---------------------------------------------------------------


def load_cases(paths: Iterable[Path]) -> tuple[list[Case], list[str]]:
    """The cases of every *.yaml in the given files and folders, and every problem found."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in list_files(paths, problems, what="test cases"):
        cases.extend(_read(path, problems))
    return cases, [str(problem) for problem in problems]


def _read(path: Path, problems: list[Problem]) -> Iterator[Case]:
    language = path.stem.split("-")[0].lower()
    if language not in LANGUAGES:
        names = ", ".join(LANGUAGES)
        problems.append(
            Problem(path, 1, f"the file name must start with a language ({names}), like uz-cyrl")
        )
        return
    try:
        root = compose(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(Problem(path, line, f"the file cannot be read as YAML ({exc})"))
        return
    if not isinstance(root, MappingNode):
        problems.append(Problem(path, 1, "the file must start with a kind, like `suicide:`"))
        return
    texts: dict[str, int] = {}
    for key, value in root.value:
        kind = str(key.value)
        if kind not in CASE_KINDS:
            message = f"«{kind}» is not a kind: use {', '.join(CASE_KINDS)}"
            close = difflib.get_close_matches(kind, CASE_KINDS, n=1, cutoff=0.6)
            message += f" (did you mean {close[0]}?)" if close else ""
            problems.append(Problem(path, _line(key), message))
            continue
        items = value.value if isinstance(value, SequenceNode) else []
        for item in items:
            case = _case(item, kind, path, problems)
            if case is None:
                continue
            earlier = texts.setdefault(case.text, case.line)
            if earlier != case.line:
                problems.append(
                    Problem(path, case.line, f"the same text is already on line {earlier}")
                )
                continue
            yield case


def _case(item: Node, kind: str, path: Path, problems: list[Problem]) -> Case | None:
    line = _line(item)
    if not isinstance(item, MappingNode):
        problems.append(Problem(path, line, 'write each case as `- text: "..."` then `form: ...`'))
        return None
    fields = {str(k.value): v for k, v in item.value}
    text_node, form_node = fields.get("text"), fields.get("form")
    unknown = sorted(set(fields) - {"text", "form"})
    if unknown:
        problems.append(Problem(path, line, f"unknown key {unknown[0]}: use text and form"))
        return None
    if not isinstance(text_node, ScalarNode) or not str(text_node.value).strip():
        problems.append(Problem(path, line, 'the case has no text: add `text: "..."`'))
        return None
    forms = tuple(form.strip() for form in str(getattr(form_node, "value", "") or "").split(","))
    forms = tuple(form for form in forms if form)
    if not forms:
        problems.append(Problem(path, line, "add `form:` saying how the text is written"))
        return None
    for form in forms:
        if form not in FORMS:
            problems.append(Problem(path, line, f"«{form}» is not a form: use {', '.join(FORMS)}"))
            return None
    return Case(str(text_node.value), kind, forms, path, line)


def _line(node: Node) -> int:
    return node.start_mark.line + 1

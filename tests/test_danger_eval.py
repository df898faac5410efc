"""The labelled test set and `python -m bot.danger eval`: the figures NGO staff rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.danger import DEFAULT_DIRECTORY, load_detector
from bot.danger.__main__ import main as danger_cli
from bot.danger.evaluation import (
    CASES_DIRECTORY,
    TARGET_RECALL,
    evaluate,
    load_cases,
    summary_line,
)

SETS = ("kk", "ky", "tg", "uz", "uz-cyrl", "ru", "en")


@pytest.fixture(scope="module")
def report():
    cases, problems = load_cases([CASES_DIRECTORY])
    assert problems == []
    return evaluate(load_detector(DEFAULT_DIRECTORY), cases)


def test_the_set_is_big_enough_in_every_language_and_kind(report) -> None:
    for name in SETS:
        dangerous = [o for o in report.outcomes if o.case.set_name == name and o.case.dangerous]
        calm = [o for o in report.outcomes if o.case.set_name == name and not o.case.dangerous]
        assert len(dangerous) >= 60 and len(calm) >= 40, name
        for kind in ("suicide", "self_harm", "violence_now", "danger_now"):
            assert sum(o.case.kind == kind for o in dangerous) >= 15, (name, kind)
    forms = {form for o in report.outcomes for form in o.case.forms}
    for form in ("typo", "keyboard", "translit", "mixed", "past", "negated", "ongoing", "emoji"):
        assert form in forms


def test_the_lists_meet_the_target_on_the_set(report) -> None:
    """Recall 0.97 in every file and kind and no false alarm: a careless edit of a list
    fails here, with the messages it broke."""
    problems = [f"{o.case.where} {o.case.kind}: {o.case.text}" for o in report.missed] + [
        f"{o.case.where} alarmed by «{o.match.phrase}»: {o.case.text}" for o in report.false_alarms
    ]
    low = {
        f"{name}/{kind}": f"{tally.found}/{tally.total}"
        for (name, kind), tally in report.recall.items()
        if tally.rate < TARGET_RECALL
    }
    assert report.meets(TARGET_RECALL), (summary_line(report), low, problems)


def _write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def test_eval_prints_the_table_the_misses_and_the_final_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases"
    _write(
        cases,
        "ru.yaml",
        'suicide:\n  - text: "хочу умереть"\n    form: plain\n'
        '  - text: "сегодня хорошая погода"\n    form: indirect\n'
        'violence_now:\n  - text: "меня бьют!!!"\n    form: repeats\n'
        'calm:\n  - text: "умираю со смеху"\n    form: idiom\n'
        '  - text: "спасите наши души, это песня"\n    form: lyrics\n',
    )
    code = danger_cli(["eval", str(cases)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    header = next(line for line in out if line.startswith("set"))
    assert header.split() == [
        "set", "suicide", "self_harm", "violence_now", "danger_now", "all", "false", "alarms"
    ]  # fmt: skip
    row = next(line for line in out if line.startswith("ru "))
    assert row.split() == ["ru", "1/2", "0.50", "-", "1/1", "1.00", "-", "2/3", "0.67", "1/2"]
    missed = out.index("Missed (1): dangerous messages the check did not find")
    assert "ru.yaml:4" in out[missed + 1] and "сегодня хорошая погода" in out[missed + 1]
    alarms = out.index("False alarms (1): calm messages the check alarmed on")
    assert "спасите наши души" in out[alarms + 1]
    assert re.search(r"matched «спасите» \(ru\.yaml:\d+, danger_now\)", out[alarms + 2])
    assert out[-1] == "danger recall 0.67 (2/3), false alarms 1 of 2"
    # --fail-under turns a shortfall into a failing exit status, for scripts and CI.
    assert danger_cli(["eval", str(cases), "--fail-under", "0.6"]) == 1
    capsys.readouterr()


def test_eval_names_every_mistake_in_a_case_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases"
    _write(
        cases,
        "kk.yaml",
        'suicide:\n  - text: "өлгім келеді"\n    form: plain\n'
        '  - text: "өлгім келеді"\n    form: plain\n'
        'sucide:\n  - text: "x"\n    form: plain\n'
        'calm:\n  - text: "ауа райы жақсы"\n    form: weather\n'
        '  - text: ""\n    form: plain\n',
    )
    _write(cases, "kazakh.yaml", 'calm:\n  - text: "сәлем"\n    form: everyday\n')
    assert danger_cli(["eval", str(cases)]) == 2
    out = capsys.readouterr().out
    assert "kazakh.yaml:1: the file name must start with a language" in out
    assert "kk.yaml:4: the same text is already on line 2" in out
    assert (
        "kk.yaml:6: «sucide» is not a kind: use suicide, self_harm, violence_now, "
        "danger_now, calm (did you mean suicide?)" in out
    )
    assert "kk.yaml:10: «weather» is not a form" in out
    assert "kk.yaml:12: the case has no text" in out
    assert "Fix the problems above" in out


def test_eval_of_a_missing_folder_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert danger_cli(["eval", "/nowhere/cases"]) == 2
    assert "/nowhere/cases:1: there is no such file or folder" in capsys.readouterr().out

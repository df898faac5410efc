"""`python -m bot.danger check [PATH...]`, `eval [PATH...]` and `bench`."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.danger.detector import DANGER_KINDS, DangerDetector
from bot.danger.evaluation import CASES_DIRECTORY, evaluate, load_cases, render
from bot.danger.loader import DEFAULT_DIRECTORY, load_detector, load_paths

# Ordinary sentences, none of them dangerous, in the six languages and in mixed alphabets.
_ORDINARY = (
    "Сегодня я ходила в магазин, купила хлеба и молока, потом долго ждала автобус. ",
    "Бүгін ауа райы жақсы болды, балалармен саябаққа бардық. ",
    "Кечээ базарга барып, жашылча сатып алдым, баасы кымбат экен. ",
    "Имрӯз ман ба бозор рафтам ва нон харидам, ҳаво хеле гарм буд. ",
    "Bugun ishdan keyin doʻstim bilan choy ichdik va kitob oldim. ",
    "I would like to know how to find a lawyer in my city, thank you. ",
    "Мне нужен юрист, подскажите пожалуйста, куда обратиться 🙏 ok? ",
)
_DANGER = " он меня бьет, помогите "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.danger", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check danger lists (default resources/danger)")
    check.add_argument("paths", nargs="*")
    evaluate = commands.add_parser(
        "eval", help="measure the lists on labelled messages (default resources/danger/cases)"
    )
    evaluate.add_argument("paths", nargs="*")
    evaluate.add_argument(
        "--fail-under",
        type=float,
        metavar="RECALL",
        help="exit with 1 if any file or kind is below this recall or any calm message alarms",
    )
    commands.add_parser("bench", help="time a check of a 5,000-character text")
    args = parser.parse_args(argv)
    if args.command == "check":
        return main_check(args.paths)
    if args.command == "eval":
        return main_eval(args.paths, args.fail_under)
    return main_bench()


def main_check(paths: list[str]) -> int:
    """Print every problem; 0 only when all lists are fine."""
    targets = [Path(path) for path in paths] or [DEFAULT_DIRECTORY]
    detector, problems = load_paths(targets)
    for problem in problems:
        print(problem)
    if detector is None:
        count = len(problems)
        print(
            f"\n{count} problem{'s' if count != 1 else ''}. Nothing was loaded; fix "
            f"{'them' if count != 1 else 'it'} and run the check again."
        )
        return 1
    print(f"The lists are fine: {_summary(detector)}.")
    return 0


def main_eval(paths: list[str], fail_under: float | None = None) -> int:
    """Print the evaluation table; 2 when a list or case file has problems."""
    detector, problems = load_paths([DEFAULT_DIRECTORY])
    cases, case_problems = load_cases([Path(path) for path in paths] or [CASES_DIRECTORY])
    for problem in problems + case_problems:
        print(problem)
    if detector is None or case_problems:
        print("\nFix the problems above and run the evaluation again.")
        return 2
    report = evaluate(detector, cases)
    print(f"The danger check on {len(cases)} labelled messages ({_summary(detector)}):\n")
    print("\n".join(render(report)))
    if fail_under is not None and not report.meets(fail_under):
        return 1
    return 0


def main_bench(directory: Path = DEFAULT_DIRECTORY) -> int:
    started = time.perf_counter()
    detector = load_detector(directory)
    load_ms = (time.perf_counter() - started) * 1000
    print(f"Loaded {_summary(detector)} in {load_ms:.0f} ms.")
    quiet = _text(5000)
    middle = len(quiet) // 2
    loud = quiet[: middle - len(_DANGER)] + _DANGER + quiet[middle:]
    loud = loud[:5000]
    latin = _text(5000).replace("о", "o").replace("а", "a")  # look-alike letters everywhere
    assert detector.check(quiet) is None, "the benchmark text must be harmless"
    assert detector.check(loud) is not None, "the danger phrase must be found"
    short = "Здравствуйте, мне нужен юрист, муж опять пришёл пьяный и он меня бьёт, что делать?"
    samples = [
        ("a usual message", short),
        ("ordinary 5,000-character text", quiet),
        ("the same with one danger phrase in the middle", loud),
        ("with Latin look-alike о and а throughout", latin),
    ]
    topical = _topical_text(5000)
    if topical:  # the hardest case: every sentence near the lists' words, none repeated
        samples.append(("distinct calm messages on the topics", topical))
    for label, text in samples:
        micros = _time(lambda text=text: detector.check(text))
        print(f"{label:<48} {len(text):>5} chars  {micros:7.0f} µs per check (median)")
    return 0


def _topical_text(length: int) -> str:
    """The calm messages of the test set, each once, up to `length` characters."""
    cases, problems = load_cases([CASES_DIRECTORY])
    if problems:
        return ""
    text = ""
    for case in cases:
        if not case.dangerous and len(text) + len(case.text) + 2 <= length:
            text += case.text + ". "
    return text


def _text(length: int) -> str:
    text = ""
    while len(text) < length:
        text += "".join(_ORDINARY)
    return text[:length]


def _time(call: Callable[[], object], rounds: int = 7) -> float:
    started = time.perf_counter()
    call()
    once = time.perf_counter() - started
    per_round = max(3, min(200, int(0.05 / max(once, 1e-6))))  # about 50 ms a round
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(per_round):
            call()
        samples.append((time.perf_counter() - started) / per_round * 1e6)
    return statistics.median(samples)


def _summary(detector: DangerDetector) -> str:
    counts = detector.counts()
    parts = []
    for language, per_kind in counts.items():
        danger = sum(per_kind[kind] for kind in DANGER_KINDS)
        calm = per_kind["not_danger"] + per_kind["calm_context"]
        parts.append(f"{language} {danger}+{calm}")
    total = sum(sum(per_kind.values()) for per_kind in counts.values())
    return f"{total} phrases ({', '.join(parts)}; danger + not_danger and calm_context)"


if __name__ == "__main__":
    sys.exit(main())

"""`make bench` keeps working: a tiny run prints a line per bot and the ratio (no timing is
asserted; the figures are for people to read)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_prints_both_bots_and_the_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    bench = runpy.run_path(str(ROOT / "scripts" / "bench.py"))
    assert bench["main"](["--people", "4", "--updates", "24", "--active", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if "upd/s" in line]
    assert [row.split("  ")[0].strip() for row in rows] == ["bare aiogram", "full service, SQLite"]
    for row in rows:
        assert re.search(r"p50 +[\d.]+ +p95 +[\d.]+ +p99 +[\d.]+ ms", row), row
        assert "ms/upd" in row and "MB per 10k people" in row
    ratio = r"full service / bare aiogram throughput \(in process\): \d+\.\d\d"
    assert re.fullmatch(ratio, out[-1])

"""The command line a deployer and a newcomer use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "WEBHOOK_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=data_dir.parent,
        env={**clean, "PYTHONPATH": str(ROOT), "DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_names_the_setting_and_points_to_the_offline_chat(
    tmp_path: Path,
) -> None:
    result = run_bot("run", data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert "chat" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    result = run_bot("migrate", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "bot.sqlite3") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"users", "fsm_records", "alembic_version"} <= tables


def test_resources_check_passes_on_the_shipped_files(tmp_path: Path) -> None:
    result = run_bot("resources", "check", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 4 files are fine" in result.stdout
    assert "danger word lists and test cases are fine" in result.stdout
    assert "regions.yaml is fine" in result.stdout


def test_resources_check_points_at_the_line_to_fix(tmp_path: Path) -> None:
    broken = ROOT / "tests" / "data" / "contacts" / "broken" / "bad_phone.yaml"
    result = run_bot("resources", "check", str(broken), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert f"{broken}:9: " in result.stdout or "bad_phone.yaml:9: " in result.stdout


def test_resources_check_names_a_broken_danger_test_case(tmp_path: Path) -> None:
    import shutil

    resources = tmp_path / "resources"
    shutil.copytree(ROOT / "resources", resources)
    cases = resources / "danger" / "cases" / "ru.yaml"
    lines = cases.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if line.strip().startswith("form:"))
    lines[number] = "    form: poem"
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_bot(
        "resources", "check", data_dir=tmp_path / "data", RESOURCES_DIR=str(resources)
    )
    assert result.returncode == 1
    assert f"cases/ru.yaml:{number}: «poem» is not a form" in result.stdout
    assert "1 problem in the danger word lists and test cases." in result.stdout


def test_the_bot_refuses_to_start_with_broken_contacts(tmp_path: Path) -> None:
    import shutil

    resources = tmp_path / "resources"
    shutil.copytree(ROOT / "resources", resources)
    kz = resources / "contacts" / "kz.yaml"
    kz.write_text(
        kz.read_text(encoding="utf-8").replace('phones: ["112"]', 'phones: ["11"]', 1),
        encoding="utf-8",
    )
    result = run_bot(
        "run", data_dir=tmp_path / "data", BOT_TOKEN="1:x", RESOURCES_DIR=str(resources)
    )
    assert result.returncode == 1
    assert "kz.yaml:" in result.stderr and "does not start" in result.stderr


def test_resources_check_reads_a_regions_file_and_names_its_line(tmp_path: Path) -> None:
    regions = tmp_path / "regions.yaml"
    text = (ROOT / "resources" / "regions.yaml").read_text(encoding="utf-8")
    regions.write_text(text.replace("ky: Бишкек", "ky: Bishkek", 1), encoding="utf-8")
    line = next(
        number
        for number, content in enumerate(regions.read_text(encoding="utf-8").splitlines(), 1)
        if "ky: Bishkek" in content
    )
    result = run_bot("resources", "check", str(regions), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert f"regions.yaml:{line}: " in result.stdout and "Latin letters" in result.stdout


def test_the_bot_refuses_to_start_with_unreadable_operators_hours(tmp_path: Path) -> None:
    result = run_bot(
        "run", data_dir=tmp_path / "data", BOT_TOKEN="1:x", OPERATORS_HOURS="weekdays 9 to 6"
    )
    assert result.returncode == 1
    assert "OPERATORS_HOURS" in result.stderr and "Mon-Fri 09:00-18:00" in result.stderr

#!/usr/bin/env python3
"""Developer commands that work on a fresh machine with only Python 3.11 and pip.

    python3 scripts/dev.py chat      # try the bot offline in this terminal
    python3 scripts/dev.py test      # run the whole test suite
    python3 scripts/dev.py run       # run on Telegram (needs BOT_TOKEN)
    python3 scripts/dev.py migrate   # apply database migrations
    python3 scripts/dev.py i18n      # extract texts and update the six catalogs
    python3 scripts/dev.py lint      # ruff
    python3 scripts/dev.py bench     # the full service next to a bare aiogram bot (figures)

Each command first makes sure `.venv` exists and holds what pyproject.toml asks for.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PY.exists():
        return
    if sys.version_info[:2] != (3, 11):
        print(f"Note: this project is built for Python 3.11; you run {sys.version.split()[0]}.")
    if not PY.exists():
        print("Creating .venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("Installing dependencies into .venv (first time takes a minute) …", flush=True)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run(list(args), cwd=ROOT, env=env).returncode


def cmd_test(extra: list[str]) -> int:
    services = ROOT / "scripts" / "ensure-services.sh"
    if os.name != "nt" and shutil.which("bash"):
        subprocess.run(["bash", str(services)], cwd=ROOT, check=False)
    code = run(str(PY), "-m", "pytest", *extra)
    return code


def cmd_i18n() -> int:
    pybabel = str(BIN / "pybabel")
    steps = [
        [
            pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "Tr",
            "-k",
            "N_",
            "-k",
            "__",
            "-k",
            "lazy_ngettext:1,2",
            "--no-location",
            "--sort-output",
            "--project=survivor-help-bot",
            "-o",
            "locales/messages.pot",
            "bot",
            "dialogs",
        ],
        [
            pybabel,
            "update",
            "-i",
            "locales/messages.pot",
            "-d",
            "locales",
            "-D",
            "messages",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ],
    ]
    for step in steps:
        if run(*step) != 0:
            return 1
    print("Catalogs updated. Translate the empty msgstr entries in locales/*/LC_MESSAGES/*.po")
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, extra = sys.argv[1], sys.argv[2:]
    ensure_venv()
    if command == "test":
        return cmd_test(extra)
    if command in {"chat", "run", "migrate"}:
        return run(str(PY), "-m", "bot", command, *extra)
    if command == "i18n":
        return cmd_i18n()
    if command == "bench":
        return run(str(PY), str(ROOT / "scripts" / "bench.py"), *extra)
    if command == "lint":
        return run(str(PY), "-m", "ruff", "check", "bot", "dialogs", "tests", "migrations")
    print(f"Unknown command {command!r}.\n{__doc__}")
    return 2


if __name__ == "__main__":
    sys.exit(main())

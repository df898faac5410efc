"""The real `python -m bot run` process, for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    def __init__(self, data_dir: Path, log_path: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        clean = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BOT_", "WEBHOOK_", "DATABASE_", "REDIS_", "TELEGRAM_"))
        }
        env = {
            **clean,
            "PYTHONPATH": str(ROOT),
            "DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "INFO",
            # Tests act far faster than any person; tests/test_throttling.py uses the limits.
            "THROTTLE_PER_SECOND": "10000",
            "THROTTLE_PER_MINUTE": "10000",
            **self.env,
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.data_dir.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    async def stop(self) -> int:
        """SIGTERM, as a container runtime would send, and wait for a clean exit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        for _ in range(300):
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        else:
            self.process.kill()
            raise AssertionError("the bot did not stop within 30 s of SIGTERM")
        return self.process.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def catalog_text(language: str, msgid: str) -> str:
    """The text a person sees for msgid in that language (tags removed)."""
    import re

    path = ROOT / "locales" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None and message.string, f"{msgid!r} not translated to {language}"
    return re.sub(r"</?[a-z]+>", "", str(message.string))


def stored_bytes(data_dir: Path) -> bytes:
    """Everything the bot wrote to disk, with SQLite's write-ahead log folded in."""
    import sqlite3

    database = data_dir / "bot.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as connection:
            connection.execute("PRAGMA wal_checkpoint(FULL)")
    return b"".join(
        path.read_bytes()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and "catalogs" not in path.parts
    )

"""`python -m bot keys add | rotate`: replace the encryption key without losing data.

1. `keys add` puts a new key in front of the key file (or prints one to put in front of
   ENCRYPTION_KEYS). From then on new data is encrypted with it; old data still decrypts.
2. `keys rotate` re-encrypts everything stored with the newest key.
3. Then the old key can be removed: nothing needs it any more.
"""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import select, update

from bot.config import Settings
from bot.db.cases import Case
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_to_head
from bot.db.models import Base, FsmRecord, OutboxMessage, SafetyPlan
from bot.security import ENCRYPTION_KEYS_FILE, Cipher, generate_encryption_key, load_or_create_keys


def add_key(settings: Settings) -> int:
    key = generate_encryption_key()
    if settings.encryption_keys is not None and settings.encryption_keys.get_secret_value():
        print(
            "ENCRYPTION_KEYS is set in the environment, so the key file is not used.\n"
            "Put this new key FIRST in ENCRYPTION_KEYS (comma-separated), restart the bot,\n"
            f"then run `python -m bot keys rotate`:\n\n{key}\n"
        )
        return 0
    load_or_create_keys(settings)  # makes sure the file exists
    path = settings.data_dir / "keys" / ENCRYPTION_KEYS_FILE
    old = path.read_text(encoding="ascii").strip()
    temporary = path.with_suffix(".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{key}\n{old}\n")
    os.replace(temporary, path)
    print(
        f"A new key is now first in {path}. Restart the bot, then run `python -m bot keys rotate`."
    )
    return 0


async def rotate(settings: Settings) -> int:
    cipher = load_or_create_keys(settings).cipher()
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await upgrade_to_head(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            counts = await _rotate_all(session, cipher)
    finally:
        await engine.dispose()
    print("Re-encrypted with the newest key: " + ", ".join(f"{n} {what}" for what, n in counts))
    return 0


async def _rotate_all(session: object, cipher: Cipher) -> list[tuple[str, int]]:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    counts: list[tuple[str, int]] = []
    # Every encrypted column of every table; a new table with secrets must be added here
    # (tests/test_keys.py fails when one is missing).
    targets = [
        (FsmRecord, ("state", "data")),
        (SafetyPlan, ("data",)),
        (OutboxMessage, ("payload",)),
        (Case, ("details", "chat")),
        *EXTRA_TARGETS,
    ]
    for model, columns in targets:
        rows = (await session.execute(select(model))).scalars().all()
        for row in rows:
            values = {c: cipher.rotate(getattr(row, c)) for c in columns if getattr(row, c)}
            if values:
                key = {k.name: getattr(row, k.name) for k in model.__table__.primary_key}
                await session.execute(update(model).filter_by(**key).values(**values))
        counts.append((model.__tablename__, len(rows)))
    return counts


EXTRA_TARGETS: list[tuple[type[Base], tuple[str, ...]]] = []
"""Encrypted columns of later tables (cases, outbox), registered by their modules."""


def main(command: str, settings: Settings) -> int:
    if command == "add":
        return add_key(settings)
    return asyncio.run(rotate(settings))

"""Key rotation: a new key first, re-encrypt, drop the old key, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Text

from bot.config import Settings
from bot.db.models import Base
from bot.keys_cli import EXTRA_TARGETS, add_key, rotate
from bot.offline import OfflineBot
from tests.test_flows import HOW_CAN_I_HELP, Chat

KEYS_FILE = "keys/encryption.keys"


def file_keyed(settings: Settings) -> Settings:
    return settings.model_copy(update={"encryption_keys": None})


async def test_rotating_the_key_keeps_conversations_and_plans(settings: Settings) -> None:
    settings = file_keyed(settings)
    async with OfflineBot(settings) as offline:
        chat = Chat(offline, language_code="ky")
        await chat.onboard("ky", "KG")
        await chat.person.press(chat.t("ky", "I want to feel calmer"))
        await chat.person.press(chat.t("ky", "My safety plan"))
        await chat.person.press(chat.t("ky", "Begin"))
        await chat.person.send("warning sign 5521")
        for _ in range(4):
            await chat.person.press(chat.button("ky", "Skip", "⏭"))
        await chat.person.press(chat.t("ky", "Keep it"))
        emulator = offline.emulator

    key_file = settings.data_dir / KEYS_FILE
    old_key = key_file.read_text().split()[0]
    assert add_key(settings) == 0
    assert key_file.read_text().split()[1] == old_key
    assert await rotate(settings) == 0
    key_file.write_text(key_file.read_text().split()[0] + "\n")  # the old key is gone

    async with OfflineBot(settings, emulator) as offline:
        chat.person.offline = offline
        await chat.person.send("/menu")  # the person is still known, in their language
        assert chat.sees("ky", HOW_CAN_I_HELP)
        await chat.person.press(chat.t("ky", "I want to feel calmer"))
        await chat.person.press(chat.t("ky", "My safety plan"))
        assert "warning sign 5521" in (chat.person.last.text or "")


def test_every_text_column_is_known_to_rotation() -> None:
    from bot.keys_cli import _rotate_all  # noqa: F401 - the function the targets feed

    rotated = {
        ("fsm_records", "state"),
        ("fsm_records", "data"),
        ("safety_plans", "data"),
        ("outbox", "payload"),
        ("cases", "details"),
        ("cases", "chat"),
    }
    rotated |= {(m.__tablename__, c) for m, cols in EXTRA_TARGETS for c in cols}
    text_columns = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Text)
    }
    assert text_columns <= rotated, "a new encrypted column must be added to keys rotation"


def test_add_key_with_keys_in_the_environment_only_prints_one(
    settings: Settings, capsys: object, tmp_path: Path
) -> None:
    assert add_key(settings) == 0
    assert not (settings.data_dir / KEYS_FILE).exists()

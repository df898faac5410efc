"""The start-up check of the operators' group names what an admin must fix."""

from __future__ import annotations

import pytest
from aiogram import Bot

from bot.emulator import DEFAULT_TOKEN, EmulatorSession, TelegramEmulator
from bot.operators_chat import check_operators_chat
from tests.operators import OPERATOR, OPS


@pytest.fixture
def emulator() -> TelegramEmulator:
    emulator = TelegramEmulator(DEFAULT_TOKEN)
    emulator.add_private_user(OPERATOR, "Aida")
    emulator.add_supergroup(OPS, "Operators", members=[OPERATOR])
    return emulator


async def check(emulator: TelegramEmulator, chat_id: int | None = OPS) -> list[str]:
    bot = Bot(DEFAULT_TOKEN, session=EmulatorSession(emulator))
    try:
        return await check_operators_chat(bot, chat_id)
    finally:
        await bot.session.close()


async def test_a_ready_group_passes(emulator: TelegramEmulator) -> None:
    assert await check(emulator) == []
    assert await check(emulator, None) == []  # no operators' chat configured: nothing to check


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"is_forum": False}, "Topics are off"),
        ({"bot_is_admin": False}, "is not an administrator"),
        ({"bot_in_group": False}, "is not an administrator"),
    ],
)
async def test_each_problem_is_named_with_what_to_do(
    emulator: TelegramEmulator, change: dict[str, bool], says: str
) -> None:
    emulator.set_group_rights(OPS, **change)
    problems = await check(emulator)
    assert len(problems) == 1 and says in problems[0]


async def test_a_wrong_id_is_named(emulator: TelegramEmulator) -> None:
    problems = await check(emulator, -1009999)
    assert len(problems) == 1 and "check OPERATORS_CHAT_ID" in problems[0]

"""The safety plan: built step by step, kept only with consent, encrypted, deletable."""

from __future__ import annotations

import sqlite3

import pytest

from bot.config import LANGUAGES, Settings
from bot.offline import OfflineBot
from tests.e2e import stored_bytes
from tests.test_flows import Chat

WARNING = "he starts drinking on Fridays 7731"
PEOPLE = "my aunt Gulnara 7732"
TOO_LONG = "x" * 1500


def kept_plans(settings: Settings) -> int:
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        return int(connection.execute("SELECT count(*) FROM safety_plans").fetchone()[0])


async def open_plan(chat: Chat, language: str) -> None:
    await chat.person.press(chat.t(language, "I want to feel calmer"))
    await chat.person.press(chat.t(language, "My safety plan"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_build_keep_view_change_and_delete_a_plan(
    offline: OfflineBot, settings: Settings, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    person = chat.person
    await chat.onboard(language, "KZ")
    await open_plan(chat, language)
    await person.press(chat.t(language, "Begin"))
    await person.send(WARNING)
    await person.send(PEOPLE)
    skip = chat.button(language, "Skip", "⏭")
    for _ in range(3):
        await person.press(skip)
    review = person.last.text or ""
    assert WARNING in review and PEOPLE in review
    assert kept_plans(settings) == 0  # nothing kept before the person says so

    await person.press(chat.t(language, "Keep it"))
    assert chat.sees(language, "Your plan is kept, encrypted.")
    assert kept_plans(settings) == 1
    stored = stored_bytes(settings.data_dir)
    assert WARNING.encode() not in stored and b"Gulnara" not in stored

    await person.send("/menu")
    await open_plan(chat, language)
    assert WARNING in (person.last.text or "")  # the kept plan, straight away

    await person.press(chat.t(language, "Change an answer"))
    await person.press(chat.t(language, "A safe place"))
    await person.send("the crisis centre")
    await person.press(chat.t(language, "Save changes"))
    assert "the crisis centre" in (person.last.text or "")

    await person.press(chat.t(language, "Delete my plan"))
    await person.press(chat.t(language, "Yes, delete"))
    assert chat.sees(language, "Your plan is deleted.")
    assert kept_plans(settings) == 0


async def test_a_plan_not_kept_leaves_nothing_behind(
    offline: OfflineBot, settings: Settings
) -> None:
    chat = Chat(offline, language_code="ru")
    await chat.onboard("ru")
    await open_plan(chat, "ru")
    await chat.person.press(chat.t("ru", "Begin"))
    await chat.person.send(WARNING)
    for _ in range(4):
        await chat.person.press(chat.button("ru", "Skip", "⏭"))
    await chat.person.press(chat.t("ru", "Don't keep it"))
    assert chat.sees("ru", "Your plan was not kept: it is not stored anywhere.")
    assert kept_plans(settings) == 0
    # Not even in the (encrypted) conversation state: the flow's data is gone.
    storage = offline.dp.storage  # type: ignore[union-attr]
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        rows = connection.execute("SELECT data FROM fsm_records WHERE data IS NOT NULL").fetchall()
    plain = "".join(storage._cipher.decrypt(row[0]) for row in rows)  # type: ignore[attr-defined]
    assert WARNING not in plain


async def test_long_answers_and_stickers_get_a_kind_answer_and_lose_nothing(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ky")
    await chat.onboard("ky")
    await open_plan(chat, "ky")
    await chat.person.press(chat.t("ky", "Begin"))
    await chat.person.send(WARNING)
    await chat.person.send(TOO_LONG)
    assert chat.sees("ky", "That is a little long. Please keep it under 1000 characters.")
    await chat.person.send_kind("sticker")
    assert chat.person.screen.text and "2/5" in chat.person.screen.text  # still question 2
    await chat.person.send(PEOPLE)
    assert "3/5" in (chat.person.screen.text or "")


async def test_a_plan_in_progress_survives_a_restart(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="uz")
    await chat.onboard("uz")
    await open_plan(chat, "uz")
    await chat.person.press(chat.t("uz", "Begin"))
    await chat.person.send(WARNING)
    await offline.restart()
    await chat.person.send(PEOPLE)
    for _ in range(3):
        await chat.person.press(chat.button("uz", "Skip", "⏭"))
    review = chat.person.last.text or ""
    assert WARNING in review and PEOPLE in review

"""Self-help texts, danger words and regions change while the bot runs: a good edit is served
at once, a broken one is refused (the last good version stays) and the operators are told."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.offline import OfflineBot
from bot.reloading import FilesWatcher
from tests.operators import OPS, ops_emulator, ops_settings
from tests.test_flows import Chat

ROOT = Path(__file__).resolve().parent.parent
OLD_TITLE = "Here and now: 5-4-3-2-1"
NEW_TITLE = "Right now: 5-4-3-2-1"


@pytest.fixture
def editable(settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose resources/ is a copy NGO staff (the test) may edit."""
    resources = tmp_path / "resources"
    shutil.copytree(ROOT / "resources", resources)
    return ops_settings(settings, resources_dir=resources)


def watcher_of(offline: OfflineBot, name: str) -> FilesWatcher:
    assert offline.dp is not None
    return next(w for w in offline.dp["resources"].watchers if w.path.name == name)


async def test_a_self_help_edit_is_served_without_restart_and_a_broken_one_refused(
    editable: Settings,
) -> None:
    exercises = editable.resources_dir / "selfhelp" / "exercises.yaml"
    good = exercises.read_text(encoding="utf-8")
    async with OfflineBot(editable, ops_emulator()) as offline:
        watcher = watcher_of(offline, "selfhelp")
        chat = Chat(offline, language_code="en")
        await chat.onboard("en", "KZ")
        await chat.person.press("I want to feel calmer")
        assert f"🌿 {OLD_TITLE}" in chat.person.screen.button_texts

        exercises.write_text(good.replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
        # The watcher waits until the file has stopped changing for one look.
        await watcher.check_once()
        await watcher.check_once()
        await chat.person.send("/menu")
        await chat.person.press("I want to feel calmer")
        assert f"🌿 {NEW_TITLE}" in chat.person.screen.button_texts

        broken = good.replace(f'en: "{OLD_TITLE}"', "en: ", 1)  # an empty English title
        exercises.write_text(broken, encoding="utf-8")
        assert not await watcher.reload_now()
        await chat.person.send("/menu")
        await chat.person.press("I want to feel calmer")
        assert f"🌿 {NEW_TITLE}" in chat.person.screen.button_texts  # the last good version
        await offline.drain()
        alerts = [m.text or "" for m in offline.emulator.bot_messages(OPS)]
        assert len(alerts) == 1
        assert alerts[0].startswith("⚠️ An edit of selfhelp has a problem")
        line = good.splitlines().index(f'      en: "{OLD_TITLE}"') + 1
        assert f"exercises.yaml:{line}:" in alerts[0]
        assert not await watcher.reload_now()  # the same problems are not announced twice
        await offline.drain()
        assert len(offline.emulator.bot_messages(OPS)) == 1


async def test_a_new_danger_phrase_works_without_restart(editable: Settings) -> None:
    english = editable.resources_dir / "danger" / "en.yaml"
    text = english.read_text(encoding="utf-8")
    async with OfflineBot(editable, ops_emulator()) as offline:
        chat = Chat(offline, language_code="en")
        await chat.onboard("en", "KG")
        await chat.person.send("the purple lantern is lit")
        assert not chat.sees("en", "You matter, and you are not alone.")

        english.write_text(
            text.replace("suicide:\n", "suicide:\n  - purple lantern\n", 1), encoding="utf-8"
        )
        assert await watcher_of(offline, "danger").reload_now()
        await chat.person.send("the purple lantern is lit")
        assert chat.sees("en", "You matter, and you are not alone.")


async def test_regions_follow_their_file(editable: Settings) -> None:
    regions = editable.resources_dir / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    async with OfflineBot(editable, ops_emulator()) as offline:
        regions.write_text(text.replace("en: Osh\n", "en: Osh city\n", 1), encoding="utf-8")
        assert await watcher_of(offline, "regions.yaml").reload_now()
        chat = Chat(offline, language_code="en")
        await chat.onboard("en", "KG")
        await chat.person.press("I need a lawyer")
        await chat.person.press("Yes, continue")
        await chat.person.press("Violence at home")
        assert "Osh city" in chat.person.screen.button_texts

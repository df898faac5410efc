"""'Where can I get help' as a survivor uses it, and as NGO staff edit it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import COUNTRIES, LANGUAGES, Settings
from bot.contacts import CATEGORIES, load_directory
from bot.emulator import parse_html, utf16_length
from bot.i18n import LANGUAGE_NAMES, create_i18n
from bot.offline import OfflineBot
from dialogs.contacts.render import pages
from tests.test_flows import COUNTRY_NAMES, HOW_CAN_I_HELP, Chat

REPO_CONTACTS = Path(__file__).resolve().parent.parent / "resources" / "contacts"
BOOK = load_directory(REPO_CONTACTS)
OPERATORS = -1001234567890

NEW_CENTRE = """
  - id: kg-test-new-centre
    category: crisis_centre
    name:
      {kk: Жаңа орталық, ky: Жаңы борбор, tg: Маркази нав, uz: Yangi markaz, ru: Новый центр,
       en: New centre}
    description: {kk: Сынақ., ky: Сыноо., tg: Санҷиш., uz: Sinov., ru: Проверка., en: A test.}
    phones: ["+996 312 653 513"]
    area: nationwide
    cost: free
    helps_with: [domestic_violence]
    sources: [https://example.org/new-centre]
    checked: 2026-11-01
    status: confirmed
"""


@pytest.fixture
def editable(settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose contact files are a copy NGO staff (the test) may edit."""
    resources = tmp_path / "resources"
    shutil.copytree(REPO_CONTACTS.parent, resources)
    return settings.model_copy(update={"resources_dir": resources, "operators_chat_id": OPERATORS})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("country", COUNTRIES)
def test_every_list_fits_on_screens_and_shows_every_entry_once(
    language: str, country: str, tmp_path: Path
) -> None:
    i18n = create_i18n(Settings().locales_dir, tmp_path / "catalogs", language)
    with i18n.context(), i18n.use_locale(language):
        for category in CATEGORIES:
            entries = BOOK.entries(country, category)
            screens = pages(entries, BOOK, language)
            for screen in screens:
                text, _ = parse_html(screen)  # valid HTML, as Telegram parses it
                assert utf16_length(text) <= 3600
            joined = "\n".join(screens)
            for entry in entries:
                assert joined.count(f"<b>{entry.name[language]}</b>") >= 1
                for phone in entry.phones:
                    assert phone.display in joined


async def test_three_taps_from_start_to_a_violence_hotline(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="ky")
    await chat.person.send("/start")
    await chat.person.press(LANGUAGE_NAMES["ky"])  # 1
    await chat.person.press(chat.t("ky", "Kyrgyzstan"))  # 2
    await chat.person.press(chat.t("ky", "Where can I get help"))  # 3
    hotline = BOOK.entries("KG", "violence_hotline")[0].phones[0].display
    emergency = BOOK.emergency("KG")[0].phones[0].display
    screen = chat.person.last.text or ""
    assert hotline in screen and emergency in screen


@pytest.mark.parametrize("language", LANGUAGES)
async def test_each_topic_lists_its_contacts_in_the_persons_language(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language, "KZ")
    await chat.person.press(chat.t(language, "Where can I get help"))
    for category in BOOK.categories("KZ"):
        from dialogs.contacts.render import CATEGORY_NAMES

        await chat.person.press(chat.t(language, CATEGORY_NAMES[category]))
        text = chat.person.last.text or ""
        first = BOOK.entries("KZ", category)[0]
        assert first.name[language] in text
        assert chat.t(language, "Checked: {date}").split("{")[0] in text
        await chat.person.press(chat.button(language, "All topics", "◀"))
    await chat.person.press(chat.button(language, "Main menu", "◀"))
    assert chat.sees(language, HOW_CAN_I_HELP)


async def test_emergency_numbers_are_one_tap_away_on_every_screen(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="uz")
    person = chat.person
    sos = chat.button("uz", "Emergency", "🆘")
    back = chat.button("uz", "Back", "◀")

    await person.send("/start")  # before any country is chosen: all four countries
    await person.press(sos)
    text = person.last.text or ""
    for code in COUNTRIES:
        assert chat.t("uz", COUNTRY_NAMES[code]) in text
        assert BOOK.emergency(code)[0].phones[0].display in text
    await person.press(back)
    assert person.screen.button_texts[0] == LANGUAGE_NAMES["uz"]

    await person.press(LANGUAGE_NAMES["uz"])
    await person.press(chat.t("uz", "Uzbekistan"))
    screens = [
        [],
        [chat.button("uz", "Settings", "⚙")],
        [chat.t("uz", "I need a lawyer")],
        [chat.t("uz", "Where can I get help"), chat.t("uz", "Free legal aid")],
    ]
    for path in screens:
        await person.send("/menu")
        for label in path:
            await person.press(label)
        assert sos in person.screen.button_texts
        await person.press(sos)
        numbers = person.last.text or ""
        assert all(phone.display in numbers for phone in BOOK.emergency("UZ")[0].phones)
        assert chat.t("uz", "Kazakhstan") not in numbers  # only their country now
        await person.press(back)


async def test_changing_country_changes_every_list(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="ru")
    await chat.onboard("ru", "KZ")
    await chat.person.press(chat.t("ru", "Where can I get help"))
    kz_hotline = BOOK.entries("KZ", "violence_hotline")[0].phones[0].display
    assert kz_hotline in (chat.person.last.text or "")
    await chat.person.send("/country")
    await chat.person.press(chat.t("ru", "Tajikistan"))
    await chat.person.press(chat.t("ru", "Where can I get help"))
    text = chat.person.last.text or ""
    assert chat.t("ru", "Tajikistan") in text
    assert BOOK.emergency("TJ")[0].phones[0].display in text
    assert kz_hotline not in text


async def test_a_long_list_is_paged_never_cut(editable: Settings, tmp_path: Path) -> None:
    kg = editable.contacts_dir / "kg.yaml"
    extra = "".join(
        NEW_CENTRE.replace("kg-test-new-centre", f"kg-test-centre-{n}").replace(
            "New centre", f"Test centre number {n}"
        )
        for n in range(40)
    )
    kg.write_text(kg.read_text(encoding="utf-8") + extra, encoding="utf-8")
    async with OfflineBot(editable) as offline:
        chat = Chat(offline, language_code="en")
        await chat.onboard("en", "KG")
        await chat.person.press("Where can I get help")
        await chat.person.press("Crisis centres and shelters")
        seen: set[int] = set()
        for _ in range(20):
            text = chat.person.last.text or ""
            assert len(text) <= 4096
            seen |= {n for n in range(40) if f"Test centre number {n}\n" in text}
            if "▶" not in chat.person.screen.button_texts:
                break
            await chat.person.press("▶")
        assert seen == set(range(40))
        assert "Page " in (chat.person.last.text or "")
        await chat.person.press("◀")
        assert offline.emulator.unanswered_callback_queries() == []


async def test_an_edit_appears_without_restart_and_a_broken_one_is_refused(
    editable: Settings,
) -> None:
    kg = editable.contacts_dir / "kg.yaml"
    good = kg.read_text(encoding="utf-8")
    async with OfflineBot(editable) as offline:
        emulator = offline.emulator
        emulator.add_private_user(9001, language_code="ru")
        emulator.add_supergroup(OPERATORS, "Operators", members=[9001])
        watcher = offline.dp["contacts"]  # type: ignore[index]
        chat = Chat(offline, language_code="en")
        await chat.onboard("en", "KG")

        kg.write_text(good + NEW_CENTRE, encoding="utf-8")
        assert await watcher.reload_now()
        await chat.person.press("Where can I get help")
        await chat.person.press("Crisis centres and shelters")
        assert "New centre" in "".join(chat.person.new_texts())

        broken = good + NEW_CENTRE.replace("+996 312 653 513", "+996 12")
        kg.write_text(broken, encoding="utf-8")
        assert not await watcher.reload_now()
        await chat.person.press("◀ All topics")
        await chat.person.press("Crisis centres and shelters")
        assert "New centre" in "".join(chat.person.new_texts())  # the last good version

        await offline.flush_outbox()
        alerts = [m.text or "" for m in emulator.bot_messages(OPERATORS)]
        assert len(alerts) == 1
        line = broken.splitlines().index('    phones: ["+996 12"]') + 1
        assert f"kg.yaml:{line}:" in alerts[0]
        assert not await watcher.reload_now()  # the same problem is not announced twice
        await offline.flush_outbox()
        assert len(emulator.bot_messages(OPERATORS)) == 1

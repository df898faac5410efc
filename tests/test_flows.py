"""The first conversation, walked through the real dispatcher in all six languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.config import LANGUAGES, Settings
from bot.i18n import LANGUAGE_NAMES
from bot.offline import OfflineBot
from dialogs.commands import HELP
from tests.flow import Person, plain, translator
from tests.servers import redis_server

CHOOSE_LANGUAGE = "Please choose your language:"
WHICH_COUNTRY = (
    "Which country are you in? We will show you the help that is available "
    "there.\n\nWe never ask for your exact location."
)
HOW_CAN_I_HELP = "How can I help you?"
MENU_ENTRIES = (
    "I want to feel calmer",
    "Where can I get help",
    "I was tortured or beaten by police",
    "I need a lawyer",
)
COUNTRY_NAMES = {"KZ": "Kazakhstan", "KG": "Kyrgyzstan", "TJ": "Tajikistan", "UZ": "Uzbekistan"}


class Chat:
    """A person plus the catalogs, so tests can say what they expect by msgid."""

    def __init__(
        self, offline: OfflineBot, language_code: str | None, user_id: int = 4242
    ) -> None:
        self.person = Person(offline, user_id, language_code)
        self.i18n = translator(offline)

    def t(self, language: str, msgid: str) -> str:
        return plain(self.i18n.gettext(msgid, locale=language))

    def sees(self, language: str, msgid: str) -> bool:
        expected = self.t(language, msgid)
        return any(expected in text for text in self.person.new_texts())

    def button(self, language: str, msgid: str, icon: str = "") -> str:
        text = self.t(language, msgid)
        return f"{icon} {text}" if icon else text

    async def onboard(self, language: str, country: str = "KG") -> None:
        await self.person.send("/start")
        await self.person.press(LANGUAGE_NAMES[language])
        await self.person.press(self.t(language, COUNTRY_NAMES[country]))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_start_to_main_menu_in_the_persons_telegram_language(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    person = chat.person
    await person.send("/start")
    assert chat.sees(language, CHOOSE_LANGUAGE)
    # The language of their Telegram app is offered first, each named in itself.
    assert person.screen.button_texts[0] == LANGUAGE_NAMES[language]
    assert set(person.screen.button_texts[:6]) == set(LANGUAGE_NAMES.values())
    assert person.screen.button_texts[-1] == chat.button(language, "Exit", "✕")

    await person.press(LANGUAGE_NAMES[language])
    assert chat.sees(language, WHICH_COUNTRY)
    assert person.screen.button_texts[:4] == [chat.t(language, n) for n in COUNTRY_NAMES.values()]

    await person.press(chat.t(language, "Kyrgyzstan"))
    assert chat.sees(language, HOW_CAN_I_HELP)
    labels = person.screen.button_texts
    assert labels[:4] == [chat.t(language, entry) for entry in MENU_ENTRIES]
    assert labels[4:] == [
        chat.button(language, "Settings", "⚙"),
        chat.button(language, "Emergency", "🆘"),
        chat.button(language, "Exit", "✕"),
    ]


async def test_an_unknown_telegram_language_gets_russian_and_can_choose(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="de")
    await chat.person.send("hello")  # any first message opens the conversation
    assert chat.sees("ru", CHOOSE_LANGUAGE)
    await chat.person.press("English")
    assert chat.sees("en", WHICH_COUNTRY)


async def test_choices_survive_start_and_a_restart(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="ru")
    await chat.onboard("tg", "TJ")
    person = chat.person
    await person.send("/start")
    assert chat.sees("tg", HOW_CAN_I_HELP)  # no second welcome: the choice was kept

    await offline.restart()
    # A button of the screen shown before the restart still works: state is in the database.
    await person.press(chat.button("tg", "Settings", "⚙"))
    assert any(chat.t("tg", "Tajikistan") in text for text in person.new_texts())
    assert any(LANGUAGE_NAMES["tg"] in text for text in person.new_texts())


async def test_language_and_country_change_from_commands_and_settings(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ru")
    person = chat.person
    await chat.onboard("ru", "KZ")

    await person.send("/language")
    assert person.screen.button_texts[0] == "✓ " + LANGUAGE_NAMES["ru"]
    await person.press(LANGUAGE_NAMES["uz"])
    assert chat.sees("uz", HOW_CAN_I_HELP)

    await person.send("/country")
    assert "✓ " + chat.t("uz", "Kazakhstan") in person.screen.button_texts
    await person.press(chat.t("uz", "Uzbekistan"))
    assert chat.sees("uz", HOW_CAN_I_HELP)

    await person.press(chat.button("uz", "Settings", "⚙"))
    assert any(chat.t("uz", "Uzbekistan") in text for text in person.new_texts())
    await person.press(chat.t("uz", "Change language"))
    await person.press(LANGUAGE_NAMES["ky"])
    # Back in settings, already in the new language.
    texts = person.new_texts()
    assert any(
        LANGUAGE_NAMES["ky"] in text and chat.t("ky", "Uzbekistan") in text for text in texts
    )
    await person.press(chat.button("ky", "Main menu", "◀"))
    assert chat.sees("ky", HOW_CAN_I_HELP)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_torture_guidance_opens_and_leads_back_to_the_menu(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language)
    await chat.person.press(chat.t(language, MENU_ENTRIES[2]))
    assert chat.sees(language, "First: are you safe right now?")
    await chat.person.press(chat.button(language, "Main menu", "◀"))
    assert chat.sees(language, HOW_CAN_I_HELP)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_exit_empties_the_chat_and_any_message_reopens(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language)
    await chat.person.press(chat.button(language, "Exit", "✕"))
    left = offline.emulator.visible_messages(chat.person.user_id)
    assert [m.text for m in left] == [offline.dp["selfhelp"].exit_message[language]]
    await chat.person.send("hi")
    assert chat.sees(language, HOW_CAN_I_HELP)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_help_works_from_anywhere_and_puts_the_screen_back(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language)
    await chat.person.press(chat.button(language, "Settings", "⚙"))
    await chat.person.send("/help")
    assert chat.sees(language, HELP)
    # The settings screen is shown again below the help.
    assert chat.person.screen.button_texts[0] == chat.t(language, "Change language")
    await chat.person.send("/menu")
    assert chat.sees(language, HOW_CAN_I_HELP)


@pytest.mark.redis
async def test_with_redis_the_conversation_lives_in_redis_and_survives_a_restart(
    settings: Settings, tmp_path: Path
) -> None:
    with redis_server(tmp_path) as url:
        redis_settings = settings.model_copy(update={"redis_url": SecretStr(url)})
        async with OfflineBot(redis_settings) as offline:
            assert type(offline.dp.storage).__name__ == "EncryptedRedisStorage"  # type: ignore[union-attr]
            chat = Chat(offline, language_code="tg")
            await chat.person.send("/start")
            await chat.person.press(LANGUAGE_NAMES["tg"])
            await offline.restart()
            # Still on the country question after the restart: the state was in Redis.
            await chat.person.press(chat.t("tg", "Tajikistan"))
            assert chat.sees("tg", HOW_CAN_I_HELP)
        keys = [key async for key in Redis.from_url(url).scan_iter("fsm:*")]
        assert keys and all(str(chat.person.user_id).encode() not in key for key in keys)

"""Bad input gets a clear, kind answer in the person's language, and the way back."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from bot.config import LANGUAGES
from bot.emulator import DELETE_WINDOW_SECONDS
from bot.offline import OfflineBot
from bot.services.people import PeopleService
from tests.test_flows import HOW_CAN_I_HELP, Chat

NOT_KEPT = (
    "I can only read text and buttons, so this message was not kept. "
    "Please use the buttons below; /menu takes you to the main menu."
)
ONLY_BUTTONS = (
    "Thank you for writing. On this screen I can only follow the buttons. "
    "They are just below; /menu takes you to the main menu."
)
UNKNOWN_COMMAND = "I don't know this command. These work: /menu, /help, /language, /country."
EDITED = (
    "I noticed you edited a message. I only read new messages, so please send "
    "it again if it matters."
)
STALE = "This button no longer works. Here is the menu again."
SORRY = "Sorry, something went wrong on our side. Please try again in a moment, or send /menu."


async def settled(chat: Chat, language: str) -> None:
    await chat.onboard(language)
    await chat.person.press(chat.button(language, "Settings", "⚙"))


def screen_is_settings_again(chat: Chat, language: str) -> bool:
    return chat.person.screen.button_texts[0] == chat.t(language, "Change language") and (
        chat.person.screen.message_id == chat.person.last.message_id
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "kind", ["sticker", "photo", "voice", "video", "document", "location", "contact", "dice"]
)
async def test_media_gets_a_kind_answer_and_the_screen_back(
    offline: OfflineBot, language: str, kind: str
) -> None:
    chat = Chat(offline, language_code=language)
    await settled(chat, language)
    await chat.person.send_kind(kind)
    assert chat.sees(language, NOT_KEPT)
    assert screen_is_settings_again(chat, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("/frobnicate", UNKNOWN_COMMAND),
        ("a" * 4096, ONLY_BUTTONS),
        ("x" * 5000, ONLY_BUTTONS),
        ("<b>bold?</b> & <script>alert(1)</script> &amp; <", ONLY_BUTTONS),
        ("помогите пожалуйста", ONLY_BUTTONS),
    ],
    ids=["unknown-command", "4096-chars", "5000-chars", "html-looking", "free-text"],
)
async def test_unexpected_text_gets_a_kind_answer_and_the_screen_back(
    offline: OfflineBot, language: str, text: str, msgid: str
) -> None:
    chat = Chat(offline, language_code=language)
    await settled(chat, language)
    await chat.person.send(text)
    assert chat.sees(language, msgid)
    assert screen_is_settings_again(chat, language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_edited_message_is_acknowledged(offline: OfflineBot, language: str) -> None:
    chat = Chat(offline, language_code=language)
    await settled(chat, language)
    await chat.person.send("hello")
    await chat.person.edit_last_text("hello, changed")
    assert chat.sees(language, EDITED)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "data",
    ["garbage", "", "x" * 64, "zzzzzz\x1dlanguage:fr", "zzzzzz\x1dexit"],
    ids=["garbage", "empty", "64-bytes", "stale-intent-choice", "stale-intent-exit"],
)
async def test_forged_or_stale_buttons_are_refused_kindly(
    offline: OfflineBot, language: str, data: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language)
    await chat.person.press_forged(data or " ", message_id=chat.person.screen.message_id)
    assert chat.t(language, STALE) in chat.person.notices()
    assert chat.sees(language, HOW_CAN_I_HELP)


async def test_a_forged_choice_inside_the_current_screen_changes_nothing(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ru")
    await chat.person.send("/start")
    screen = chat.person.screen
    intent = screen.buttons[0]["callback_data"].split("\x1d")[0]
    await chat.person.press_forged(f"{intent}\x1dlanguage:fr", message_id=screen.message_id)
    assert chat.t("ru", STALE) in chat.person.notices()
    await chat.person.send("/start")
    assert chat.sees("ru", "Please choose your language:")  # no language was stored


async def test_a_button_from_before_exit_is_refused_kindly(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="ky")
    await chat.onboard("ky")
    old_id, old_data = (
        chat.person.screen.message_id,
        chat.person.screen.buttons[0]["callback_data"],
    )
    # Exit deletes the screens it can; one older than 48 hours stays, with its buttons.
    offline.emulator.advance_time(DELETE_WINDOW_SECONDS + 60)
    await chat.person.send("/exit")
    await chat.person.press_forged(old_data, message_id=old_id)
    assert chat.t("ky", STALE) in chat.person.notices()
    assert chat.sees("ky", HOW_CAN_I_HELP)


async def test_telegram_failing_for_a_moment_gets_an_apology_then_works(
    offline: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = Chat(offline, language_code="uz")
    offline.emulator.fail_next("sendMessage", 1, 500, "Internal Server Error")
    await chat.person.send("/start")
    assert chat.sees("uz", SORRY)
    caplog.clear()  # that failure was logged as an error, as it should be
    await chat.person.send("/start")
    assert chat.sees("uz", "Please choose your language:")


async def test_a_database_failing_for_a_moment_costs_nothing(
    offline: OfflineBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(offline, language_code="tg")
    await chat.onboard("tg")
    real_find = PeopleService.find
    failures = iter([True, True])

    async def flaky_find(self: PeopleService, pseudonym: str):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return await real_find(self, pseudonym)

    monkeypatch.setattr(PeopleService, "find", flaky_find)
    await chat.person.send("/start")
    assert chat.sees("tg", HOW_CAN_I_HELP)  # still known: language and country kept

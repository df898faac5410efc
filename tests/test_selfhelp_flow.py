"""'I want to feel calmer' and 'danger first', walked as a person would, in every language."""

from __future__ import annotations

import pytest

from bot.config import LANGUAGES, Settings
from bot.contacts import load_directory
from bot.offline import OfflineBot
from bot.selfhelp import load_selfhelp
from tests.test_contacts_flow import REPO_CONTACTS
from tests.test_flows import HOW_CAN_I_HELP, Chat

CONTENT = load_selfhelp(Settings().resources_dir / "selfhelp")
BOOK = load_directory(REPO_CONTACTS)
I_WANT_TO_DIE = {
    "kk": "өлгім келеді",
    "ky": "өлгүм келет",
    "tg": "мехоҳам бимирам",
    "uz": "oʻlgim keladi",
    "ru": "я хочу умереть",
    "en": "I want to die",
}
YOU_MATTER = "You matter, and you are not alone."
HOW_DO_YOU_FEEL = "How do you feel now?"


def plain(text: str) -> str:
    import re

    return re.sub(r"</?[a-z]+>", "", text).strip()


async def calmer(chat: Chat, language: str) -> None:
    await chat.person.press(chat.t(language, "I want to feel calmer"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_grounding_exercise_two_taps_from_the_menu_walked_to_the_end(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language, "KG")
    grounding = CONTENT.exercises()[0]
    await calmer(chat, language)  # tap 1
    await chat.person.press("🌿 " + grounding.title[language])  # tap 2
    assert plain(grounding.intro[language])[:40] in (chat.person.last.text or "")
    for step in grounding.steps:
        await chat.person.press(chat.button(language, "Next", "▶"))
        assert plain(step[language])[:40] in (chat.person.last.text or "")
    await chat.person.press(chat.button(language, "Next", "▶"))
    assert chat.sees(language, HOW_DO_YOU_FEEL)
    await chat.person.press(chat.t(language, "Worse"))
    # Someone to talk to is offered when it got worse.
    assert chat.t(language, "Where can I get help") in chat.person.screen.button_texts
    await chat.person.press(chat.t(language, "Do it again"))
    assert plain(grounding.intro[language])[:40] in (chat.person.last.text or "")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_feeling_of_the_check_in_answers_and_suggests(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language, "TJ")
    await calmer(chat, language)
    for feeling in CONTENT.feelings():
        await chat.person.press(chat.t(language, "How are you right now?"))
        await chat.person.press(feeling.label[language])
        assert plain(feeling.response[language])[:40] in (chat.person.last.text or "")
        buttons = chat.person.screen.button_texts
        for suggestion in feeling.suggestions:
            if suggestion.exercise:
                assert "🌿 " + CONTENT.exercise(suggestion.exercise).title[language] in buttons
            elif suggestion.topic:
                assert "📖 " + CONTENT.topic(suggestion.topic).title[language] in buttons
            else:
                assert chat.t(language, "Where can I get help") in buttons
        await chat.person.press(chat.button(language, "Back", "◀"))
        await chat.person.press(chat.button(language, "Back", "◀"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_topic_reads_screen_by_screen(offline: OfflineBot, language: str) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language, "UZ")
    await calmer(chat, language)
    await chat.person.press(chat.t(language, "Understand what happened"))
    for topic in CONTENT.topics():
        await chat.person.press(topic.title[language])
        for number, screen in enumerate(topic.screens):
            text = chat.person.last.text or ""
            assert plain(screen[language])[:40] in text
            assert len(text) <= 4096
            if number < len(topic.screens) - 1:
                await chat.person.press(chat.button(language, "Next", "▶"))
        if topic.contacts:  # e.g. medical care: the country's contacts follow the topic
            first = BOOK.entries("UZ", topic.contacts[0])[0]
            assert first.phones[0].display in text
        await chat.person.press(chat.t(language, "Other topics"))


async def test_an_exercise_interrupted_by_a_restart_resumes_where_it_was(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="kk")
    await chat.onboard("kk")
    breathing = CONTENT.exercises()[1]
    await calmer(chat, "kk")
    await chat.person.press("🌿 " + breathing.title["kk"])
    await chat.person.press(chat.button("kk", "Next", "▶"))
    await chat.person.press(chat.button("kk", "Next", "▶"))
    await offline.restart()
    await chat.person.press(chat.button("kk", "Next", "▶"))
    assert plain(breathing.steps[2]["kk"])[:40] in (chat.person.last.text or "")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_i_want_to_die_brings_the_crisis_numbers_first_anywhere(
    offline: OfflineBot, language: str
) -> None:
    chat = Chat(offline, language_code=language)
    await chat.onboard(language, "KG")
    places = [
        [],  # the main menu
        [
            chat.t(language, "I want to feel calmer"),
            "🌿 " + CONTENT.exercises()[0].title[language],
        ],
        [chat.t(language, "Where can I get help")],
    ]
    for path in places:
        await chat.person.send("/menu")
        for label in path:
            await chat.person.press(label)
        await chat.person.send(I_WANT_TO_DIE[language])
        first = chat.person.new_texts()[0]
        assert chat.t(language, YOU_MATTER) in first
        assert BOOK.emergency("KG")[0].phones[0].display in first
        # No "please use the buttons" after it: the crisis answer is the answer.
        assert len(chat.person.new_texts()) == 2  # the crisis message, then the screen again


async def test_danger_in_a_safety_plan_answer_is_answered_and_the_answer_kept(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ru")
    await chat.onboard("ru", "KZ")
    await calmer(chat, "ru")
    await chat.person.press(chat.t("ru", "My safety plan"))
    await chat.person.press(chat.t("ru", "Begin"))
    await chat.person.send("он говорит что убьет меня")
    assert chat.t("ru", YOU_MATTER) in chat.person.new_texts()[0]
    assert "2/5" in (chat.person.last.text or "")  # the answer was taken, on to question 2


async def test_idioms_do_not_bring_the_crisis_screen(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="ru")
    await chat.onboard("ru")
    for text in ("умираю со смеху", "I'm dying of laughter", "убить время до вечера"):
        await chat.person.send(text)
        texts = chat.person.new_texts()
        assert not any(chat.t("ru", YOU_MATTER) in t for t in texts)
        assert any(chat.t("ru", HOW_CAN_I_HELP) in t for t in texts)  # the menu, as usual


async def test_danger_before_a_country_is_chosen_shows_all_four_countries(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ky")
    await chat.person.send(I_WANT_TO_DIE["ky"])  # the very first message
    first = chat.person.new_texts()[0]
    assert chat.t("ky", YOU_MATTER) in first
    for code in ("KZ", "KG", "TJ", "UZ"):
        assert BOOK.emergency(code)[0].phones[0].display in first
    # ...and the conversation opens as for any first message.
    assert chat.sees("ky", "Please choose your language:")

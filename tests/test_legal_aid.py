"""The person's side of a legal-aid request: consent, questions with Back/Skip/Edit, the
summary, sending, the open case (write more, status, withdraw), the daily limit."""

from __future__ import annotations

import pytest

from bot.config import LANGUAGES, Settings
from bot.offline import OfflineBot
from tests.e2e import stored_bytes
from tests.operators import Operator, ops_emulator, ops_settings
from tests.test_flows import Chat

STORY = "My husband beats me <b>every</b> day & threatens 5519"
REGION_TYPED = "Kara-Suu 5520"

CONSENT = "There are five short questions. Do you want to continue?"
WHAT_ABOUT = "What is it about?"
WHERE = "Where are you?"
WHAT_HAPPENED = "What happened?"
HOW_URGENT = "How urgent is it?"
HOW_CONTACT = "How should the operators contact you?"
SUMMARY = "Your request. Please check it before sending:"
WRITE_PHONE = "Write the phone number to call."
IN_DANGER = "If you are in danger right now, call:"
ONLY_TEXT = "Only text can be sent to the team for now. Please describe it in words."
WITHDRAWN = "Your request is withdrawn. The operators will no longer see your messages."
TOO_LONG = (
    "That is {length} characters; a request holds up to {limit}. Please send a shorter "
    "version with what matters most: an operator will ask about the rest."
)
LIMIT = (
    "You have sent as many requests as one person can today. So that the line stays open "
    "for everyone, you can send a new one from {when}."
)


def code_in(text: str) -> str:
    words = [word.strip(".:") for word in text.split()]
    codes = [w for w in words if len(w) == 9 and w[4] == "-" and w.replace("-", "").isalnum()]
    assert codes, text
    return codes[-1]


async def start_request(chat: Chat, language: str, country: str = "KG") -> None:
    await chat.onboard(language, country)
    await chat.person.press(chat.t(language, "I need a lawyer"))
    assert chat.sees(language, CONSENT)
    await chat.person.press(chat.t(language, "Yes, continue"))
    assert chat.sees(language, WHAT_ABOUT)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_question_goes_back_skips_and_is_edited_from_the_summary(
    desk: OfflineBot,
    language: str,
) -> None:
    chat = Chat(desk, language_code=language)
    person = chat.person
    back = chat.button(language, "Back", "◀")
    skip = chat.button(language, "Skip", "⏭")
    await start_request(chat, language)

    # Back from the first question leads to the explanation, and forward again.
    await person.press(back)
    assert chat.sees(language, CONSENT)
    await person.press(chat.t(language, "Yes, continue"))
    await person.press(chat.t(language, "Violence at home"))
    assert chat.sees(language, WHERE)
    # The country's regions are offered; Back returns to the question before.
    assert len(person.screen.button_texts) >= 9
    await person.press(back)
    assert chat.sees(language, WHAT_ABOUT)
    await person.press(chat.t(language, "Sexual violence"))
    await person.press(skip)  # region skipped
    assert chat.sees(language, WHAT_HAPPENED)
    await person.press(back)
    assert chat.sees(language, WHERE)
    await person.send(REGION_TYPED)  # typed instead of chosen
    assert chat.sees(language, WHAT_HAPPENED)
    await person.press(skip)  # story skipped
    assert chat.sees(language, HOW_URGENT)
    await person.press(back)
    assert chat.sees(language, WHAT_HAPPENED)
    await person.send(STORY)
    await person.press(f"🟢 {chat.t(language, 'Not urgent')}")
    assert chat.sees(language, HOW_CONTACT)
    await person.press(back)
    assert chat.sees(language, HOW_URGENT)
    await person.press(f"🟠 {chat.t(language, 'Within the next days')}")
    await person.press(chat.t(language, "Only in this chat"))
    assert chat.sees(language, SUMMARY)
    summary = person.last.text or ""
    assert STORY in summary  # shown as typed, not as HTML
    assert REGION_TYPED in summary
    assert chat.t(language, "Sexual violence") in summary

    # Edit: each answer can be changed and leads straight back to the summary.
    edit = chat.button(language, "Edit", "✏️")
    await person.press(edit)
    await person.press(chat.t(language, "About"))
    await person.press(chat.t(language, "Family or property"))
    assert chat.sees(language, SUMMARY)
    assert chat.t(language, "Family or property") in (person.last.text or "")
    await person.press(edit)
    await person.press(chat.t(language, "Region or city"))
    await person.press(skip)
    assert chat.sees(language, SUMMARY)
    assert REGION_TYPED not in (person.last.text or "")
    await person.press(edit)
    await person.press(chat.t(language, "What happened"))
    await person.press(back)  # changed their mind: the summary, the story unchanged
    assert chat.sees(language, SUMMARY)
    assert STORY in (person.last.text or "")
    await person.press(edit)
    await person.press(chat.t(language, "Contact"))
    await person.press(chat.t(language, "By phone"))
    assert chat.sees(language, WRITE_PHONE)
    await person.press(back)  # the warning made them think again
    assert chat.sees(language, HOW_CONTACT)
    await person.press(chat.t(language, "By phone"))
    await person.send("0555 123 456")  # a Kyrgyz mobile number without the country code
    assert chat.sees(language, SUMMARY)
    assert "+996555123456" in (person.last.text or "")
    await person.press(edit)
    await person.press(chat.t(language, "Urgency"))
    await person.press(f"🔴 {chat.t(language, 'In danger now')}")
    assert chat.sees(language, IN_DANGER)  # the numbers first, also when changing an answer
    await person.press(back)
    assert chat.sees(language, HOW_URGENT)
    await person.press(f"🔴 {chat.t(language, 'In danger now')}")
    await person.press(chat.t(language, "Continue the request"))
    assert chat.sees(language, SUMMARY)
    assert chat.t(language, "In danger now") in (person.last.text or "")
    await person.press(edit)
    await person.press(back)
    assert chat.sees(language, SUMMARY)

    await person.press(chat.button(language, "Send", "✉️"))
    code = code_in(person.last.text or "")
    sent = chat.t(language, "Your request is sent. Its code: {code}").format(code=code)
    assert sent in (person.last.text or "")
    await desk.drain()
    card = Operator(desk).card(code)
    assert STORY.replace("<b>", "&lt;b&gt;") not in (card.text or "")  # shown, never parsed
    assert STORY in (card.text or "")
    assert chat.t("en", "Family or property") in (card.text or "")
    assert "+996555123456" in (card.text or "")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_in_danger_now_shows_the_emergency_numbers_first(
    desk: OfflineBot,
    language: str,
) -> None:
    chat = Chat(desk, language_code=language)
    await start_request(chat, language, "TJ")
    person = chat.person
    await person.press(chat.t(language, "Torture or police abuse"))
    await person.press(chat.button(language, "Skip", "⏭"))
    await person.press(chat.button(language, "Skip", "⏭"))
    await person.press(f"🔴 {chat.t(language, 'In danger now')}")
    assert chat.sees(language, IN_DANGER)
    assert "112" in (person.last.text or "")
    await person.press(chat.t(language, "Continue the request"))
    assert chat.sees(language, HOW_CONTACT)


async def test_bad_input_on_each_question_gets_a_kind_answer_and_loses_nothing(
    desk: OfflineBot,
) -> None:
    chat = Chat(desk, language_code="ky")
    person = chat.person
    await start_request(chat, "ky")
    await person.send("hello")  # typing on a question with buttons only
    assert chat.sees("ky", WHAT_ABOUT)
    await person.press(chat.t("ky", "Violence at home"))
    await person.send_kind("sticker")
    assert chat.sees("ky", WHERE)
    await person.send("x" * 300)  # not a place name
    assert chat.sees("ky", "That is long for a place name. Please write just the city or region.")
    await person.press(chat.button("ky", "Skip", "⏭"))
    await person.send("y" * 2500)
    too_long = chat.t("ky", TOO_LONG).format(length=2500, limit=2000)
    assert too_long in person.new_texts()
    assert chat.sees("ky", WHAT_HAPPENED)  # still on the question, nothing moved on
    await person.send_kind("voice")
    await person.send(STORY)
    await person.press(f"🟢 {chat.t('ky', 'Not urgent')}")
    await person.press(chat.t("ky", "By phone"))
    await person.send("call me at home please")
    assert chat.sees("ky", WRITE_PHONE)
    await person.send("/unknown")
    await person.press(chat.button("ky", "Back", "◀"))
    await person.press(chat.t("ky", "Only in this chat"))
    assert chat.sees("ky", SUMMARY)
    assert STORY in (person.last.text or "")


async def test_cancel_keeps_nothing_and_the_answers_live_encrypted_until_sent(
    desk: OfflineBot,
    settings: Settings,
) -> None:
    chat = Chat(desk, language_code="ru")
    person = chat.person
    await start_request(chat, "ru")
    await person.press(chat.t("ru", "Violence at home"))
    await person.press(chat.button("ru", "Skip", "⏭"))
    await person.send(STORY)
    assert b"threatens 5519" not in stored_bytes(settings.data_dir)  # the state is encrypted
    await person.press(f"🟢 {chat.t('ru', 'Not urgent')}")
    await person.press(chat.t("ru", "Only in this chat"))
    await person.press(chat.t("ru", "Cancel, don't send"))
    assert chat.sees("ru", "Your request was not sent. Nothing of it is kept.")
    assert chat.sees("ru", "How can I help you?")
    await desk.drain()
    assert Operator(desk).messages() == []
    assert b"threatens 5519" not in stored_bytes(settings.data_dir)


async def test_an_open_case_can_be_written_to_seen_and_withdrawn(
    desk: OfflineBot,
    settings: Settings,
) -> None:
    chat = Chat(desk, language_code="uz")
    person = chat.person
    code = await file_request(chat, "uz", "UZ")
    operator = Operator(desk)

    await person.send("/menu")
    await person.press(chat.t("uz", "I need a lawyer"))  # the open case, not a new form
    assert code in (person.last.text or "")
    assert chat.t("uz", "waiting for an operator") in (person.last.text or "")
    await person.press(chat.t("uz", "Write to the team"))
    await person.send("One more thing: he took my passport 5521")
    assert chat.sees("uz", "Sent to the team. You can write more, or go back.")
    await person.send_kind("photo")
    assert chat.sees(
        "uz", "Only text can be sent to the team for now. Please describe it in words."
    )
    await desk.drain()
    topic_texts = operator.texts(operator.topic_of(code))
    assert any("he took my passport 5521" in text for text in topic_texts)
    assert b"passport 5521" not in stored_bytes(settings.data_dir)

    await person.press(chat.button("uz", "Back", "◀"))
    await person.press(chat.t("uz", "Withdraw my request"))
    await person.press(chat.t("uz", "No, keep it"))
    assert code in (person.last.text or "")
    await person.press(chat.t("uz", "Withdraw my request"))
    await person.press(chat.t("uz", "Yes, withdraw"))
    assert chat.sees(
        "uz", "Your request is withdrawn. The operators will no longer see your messages."
    )
    await desk.drain()
    assert any(code in text and "withdrew" in text for text in operator.texts())
    # A new request can be made afterwards.
    await person.press(chat.t("uz", "I need a lawyer"))
    assert chat.sees("uz", CONSENT)


async def file_request(chat: Chat, language: str, country: str) -> str:
    await start_request(chat, language, country)
    person = chat.person
    await person.press(chat.t(language, "Violence at home"))
    await person.press(chat.button(language, "Skip", "⏭"))
    await person.send(STORY)
    await person.press(f"🟠 {chat.t(language, 'Within the next days')}")
    await person.press(chat.t(language, "Only in this chat"))
    await person.press(chat.button(language, "Send", "✉️"))
    code = code_in(person.last.text or "")
    await chat.person.offline.drain()
    return code


async def test_the_daily_limit_is_said_kindly_before_the_form(
    settings: Settings,
) -> None:
    async with OfflineBot(ops_settings(settings, cases_per_day=1), ops_emulator()) as bot:
        chat = Chat(bot, language_code="kk")
        await file_request(chat, "kk", "KZ")
        await chat.person.send("/menu")
        await chat.person.press(chat.t("kk", "I need a lawyer"))
        await chat.person.press(chat.t("kk", "Withdraw my request"))
        await chat.person.press(chat.t("kk", "Yes, withdraw"))
        await chat.person.press(chat.t("kk", "I need a lawyer"))
        limit = chat.t("kk", LIMIT).split("{when}")[0]
        assert any(limit in text for text in chat.person.new_texts())
        assert chat.t("kk", "Where can I get help") in chat.person.screen.button_texts


async def test_out_of_hours_the_24_7_lines_are_shown(settings: Settings) -> None:
    # Hours that are never now: one minute, a week away at most, never the current one.
    hours = "Mon 00:00-00:01"
    async with OfflineBot(ops_settings(settings, operators_hours=hours), ops_emulator()) as bot:
        chat = Chat(bot, language_code="en")
        await file_request(chat, "en", "KZ")
        shown = "\n".join(chat.person.new_texts())
        if "00:00–00:01" in shown and "not at work" in shown:
            assert "112" in shown  # the emergency services are among the lines shown
        else:  # the suite runs in that very minute (Monday 00:00 in Almaty)
            assert "can usually expect an answer" in shown


async def test_without_an_operators_chat_requests_are_not_taken(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="tg")
    await chat.onboard("tg", "TJ")
    await chat.person.press(chat.t("tg", "I need a lawyer"))
    assert chat.sees("tg", "A request for a lawyer")
    assert chat.t("tg", "Where can I get help") in chat.person.screen.button_texts
    assert chat.t("tg", "Yes, continue") not in chat.person.screen.button_texts


async def test_a_forged_region_or_category_is_refused(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    await start_request(chat, "en")
    person = chat.person
    category = next(
        b["callback_data"] for b in person.screen.buttons if b.get("text") == "Violence at home"
    )
    await person.press_forged(category.replace("domestic_violence", "smuggled"))
    assert person.notices() == ["This button no longer works. Here is the menu again."]
    assert chat.sees("en", "How can I help you?")

    await person.press("I need a lawyer")
    await person.press("Yes, continue")
    await person.press("Violence at home")
    region = next(b["callback_data"] for b in person.screen.buttons if b.get("text") == "Osh")
    await person.press_forged(region.replace("KG-GO", "KZ-75"))  # a region of another country
    assert chat.sees("en", "How can I help you?")
    await desk.drain()
    assert Operator(desk).messages() == []

"""'I was tortured or beaten by police', walked as a person would: safety first, the first
days, where to complain, the complaint draft as a Word document, and a lawyer from every
screen. The documents are opened with python-docx and read."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from bot.complaints import FIELDS, load_templates
from bot.config import COUNTRIES, LANGUAGES, Settings
from bot.i18n import LANGUAGE_NAMES
from bot.offline import OfflineBot
from bot.security import load_or_create_keys
from dialogs.torture.texts import QUESTIONS, SHORT, STEPS
from tests.e2e import stored_bytes
from tests.test_flows import COUNTRY_NAMES, Chat
from tests.test_legal_aid import WHAT_ABOUT, WHERE

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = load_templates(ROOT / "resources" / "complaints")

SAFE_NOW = "First: are you safe right now?"
TO_DO = "What would you like to do?"
DRAFT_INTRO = "Prepare a complaint"
SUMMARY = "Your complaint draft"
SENT = "Your answers have been deleted from the bot."
FOUR_QUESTIONS = "There are four short questions. Do you want to continue?"

# One answer per question, each with something no template could contain by chance.
ANSWERS = {
    "what_happened": "They hit me with a bottle and shouted canary7731",
    "when": "3 March, about 22:00, canary7732",
    "where": "District police station No. canary7733",
    "who": "A captain called Ruslan, badge canary7734",
    "injuries": "Broken rib, bruises canary7735",
    "medical": "City hospital, X-ray canary7736",
    "witnesses": "My cellmate Timur canary7737",
    "documents": "A certificate from the hospital canary7738",
}


def read_docx(data: bytes) -> tuple[list[str], list[str]]:
    """The paragraphs of a Word document, and the highlighted pieces of text in it."""
    document = Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    marked = [
        run.text
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    return texts, marked


def received_document(offline: OfflineBot, chat: Chat) -> bytes:
    sent = [m for m in offline.emulator.bot_messages(chat.person.user_id) if "document" in m.data]
    assert sent, "no document was sent"
    document = sent[-1].data["document"]
    assert document["file_name"] == "document.docx"  # nothing in the name says what it is
    return offline.emulator.file_content(document["file_id"])


def conversation_state(settings: Settings) -> str:
    """Every conversation state in the database, decrypted: what the bot still holds."""
    cipher = load_or_create_keys(settings).cipher()
    with sqlite3.connect(settings.data_dir / "bot.sqlite3") as connection:
        rows = connection.execute("SELECT state, data FROM fsm_records").fetchall()
    return "\n".join(cipher.decrypt(value) for row in rows for value in row if value)


async def open_guide(chat: Chat, language: str, country: str) -> None:
    await chat.onboard(language, country)
    await chat.person.press(chat.t(language, "I was tortured or beaten by police"))
    assert chat.sees(language, SAFE_NOW)


async def start_draft(chat: Chat, language: str) -> None:
    await chat.person.press(chat.t(language, "Prepare a complaint"))
    assert chat.sees(
        language,
        "I never ask for your name, address or passport. A complaint "
        "must be signed, so you write those into the document yourself.",
    )
    await chat.person.press(chat.t(language, "Start"))
    assert chat.sees(language, QUESTIONS[FIELDS[0]])


async def open_draft(chat: Chat, language: str, country: str) -> None:
    """From /start to the first question of the complaint draft."""
    await open_guide(chat, language, country)
    await chat.person.press(chat.t(language, "I am safe now"))
    await start_draft(chat, language)


async def answer_questions(chat: Chat, language: str, answers: dict[str, str | None]) -> None:
    """Each question in turn: typed when there is an answer, skipped when not."""
    for field in FIELDS:
        assert chat.t(language, QUESTIONS[field]) in (chat.person.screen.text or "")
        if answers.get(field):
            await chat.person.send(answers[field] or "")
        else:
            await chat.person.press(chat.button(language, "Skip", "⏭"))


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_draft_in_the_persons_language_is_addressed_to_their_countrys_prosecutor(
    offline: OfflineBot, settings: Settings, language: str, country: str
) -> None:
    chat = Chat(offline, language_code=language)
    await open_guide(chat, language, country)
    await chat.person.press(chat.t(language, "I am safe now"))
    assert chat.sees(language, TO_DO)
    await start_draft(chat, language)
    given = {field: ANSWERS[field] for field in FIELDS[::2]}  # every other question skipped
    await answer_questions(chat, language, given)
    if language != "ru":  # Russian, or their own language
        assert chat.person.screen.button_texts[:2] == [
            LANGUAGE_NAMES["ru"],
            LANGUAGE_NAMES[language],
        ]
        await chat.person.press(LANGUAGE_NAMES[language])
    assert chat.sees(language, SUMMARY)
    summary = chat.person.last.text or ""
    assert ANSWERS["what_happened"] in summary
    assert chat.t(language, "skipped") in summary
    await chat.person.press(chat.button(language, "Get the document", "📄"))
    assert chat.sees(language, SENT)

    template = TEMPLATES.get(country, language)
    texts, marked = read_docx(received_document(offline, chat))
    addressee = [text for text in texts if text in template.addressee()]
    assert addressee == template.addressee()  # the whole block, in order, above the heading
    assert texts.index(addressee[-1]) < texts.index(template.title()[0])
    assert any(
        "prosecutor" in line.lower() or "прокурор" in line.lower() or "prokuror" in line.lower()
        for line in addressee
    )
    body = "\n".join(texts)
    for field in FIELDS:
        if field in given:
            assert given[field] in body
        else:
            assert template.skipped[field] in marked  # a visible gap, highlighted
    # The screen after it is below the document, and the answers are gone.
    assert "document" not in chat.person.last.data
    assert "canary7731" not in conversation_state(settings)


async def test_a_russian_draft_for_a_person_who_reads_kyrgyz(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="ky")
    await open_draft(chat, "ky", "KG")
    await answer_questions(chat, "ky", {"what_happened": ANSWERS["what_happened"]})
    # Back from the choice of language: the last question again.
    await chat.person.press(chat.button("ky", "Back", "◀"))
    assert chat.sees("ky", QUESTIONS[FIELDS[-1]])
    await chat.person.press(chat.button("ky", "Skip", "⏭"))
    await chat.person.press(LANGUAGE_NAMES["ky"])
    assert LANGUAGE_NAMES["ky"] in (chat.person.last.text or "")
    # Changed their mind: the language again (Back keeps Kyrgyz), then Russian.
    await chat.person.press(chat.t("ky", "Change the language"))
    await chat.person.press(chat.button("ky", "Back", "◀"))
    assert chat.sees("ky", SUMMARY)
    assert LANGUAGE_NAMES["ky"] in (chat.person.last.text or "")
    await chat.person.press(chat.t("ky", "Change the language"))
    await chat.person.press(LANGUAGE_NAMES["ru"])
    assert LANGUAGE_NAMES["ru"] in (chat.person.last.text or "")
    await chat.person.press(chat.button("ky", "Get the document", "📄"))
    texts, _marked = read_docx(received_document(offline, chat))
    assert TEMPLATES.get("KG", "ru").addressee()[0] in texts


async def test_everything_skipped_gives_a_draft_with_every_gap_marked(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ru")
    await open_draft(chat, "ru", "TJ")
    await answer_questions(chat, "ru", {})
    # Russian needs no choice of language: straight to the summary.
    assert chat.sees("ru", SUMMARY)
    assert (chat.person.last.text or "").count(chat.t("ru", "skipped")) == len(FIELDS)
    await chat.person.press(chat.button("ru", "Get the document", "📄"))
    template = TEMPLATES.get("TJ", "ru")
    texts, marked = read_docx(received_document(offline, chat))
    assert all(template.skipped[field] in marked for field in FIELDS)
    assert "143-1" in "\n".join(texts)  # the torture article of Tajikistan's criminal code


async def test_a_long_and_an_html_looking_answer_arrive_as_typed(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="en")
    long_answer = ("They kept me standing for hours and kicked my legs. " * 80)[:4000]
    html = "<b>Officer</b> & <i>his</i> <script>friend</script> said: <lawyer>"
    await open_guide(chat, "en", "KZ")
    await chat.person.press("I am safe now")
    await start_draft(chat, "en")
    await chat.person.send(long_answer)  # what happened: 4,000 characters, taken whole
    assert chat.sees("en", QUESTIONS["when"])
    await chat.person.press(chat.button("en", "Back", "◀"))
    assert "Your answer now: They kept me standing" in (chat.person.screen.text or "")
    await chat.person.press(chat.button("en", "Skip", "⏭"))  # skipping keeps nothing
    await chat.person.press(chat.button("en", "Back", "◀"))
    await chat.person.send(long_answer)
    await chat.person.send("yesterday")
    await chat.person.send("the station on Abay street")
    await chat.person.send(html)  # who
    assert chat.sees("en", QUESTIONS["injuries"])
    for _ in FIELDS[4:]:
        await chat.person.press(chat.button("en", "Skip", "⏭"))
    await chat.person.press("English")
    summary = chat.person.last.text or ""
    assert html[:40] in summary  # shown as typed, not as formatting
    await chat.person.press(chat.button("en", "Get the document", "📄"))
    texts, _marked = read_docx(received_document(offline, chat))
    body = "\n".join(texts)
    assert long_answer.strip() in body
    assert html in body


async def test_changing_one_answer_from_the_summary(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="uz")
    await open_draft(chat, "uz", "UZ")
    await answer_questions(chat, "uz", {"where": ANSWERS["where"]})
    await chat.person.press(LANGUAGE_NAMES["uz"])
    await chat.person.press(chat.button("uz", "Change an answer", "✏️"))
    await chat.person.press(chat.t("uz", SHORT["where"]))
    assert chat.sees("uz", QUESTIONS["where"])
    await chat.person.send("Tashkent, Yunusabad district 7740")
    assert chat.sees("uz", SUMMARY)  # straight back to the summary
    assert "7740" in (chat.person.last.text or "")
    await chat.person.press(chat.button("uz", "Change an answer", "✏️"))
    await chat.person.press(chat.t("uz", SHORT["who"]))
    await chat.person.press(chat.button("uz", "Back", "◀"))  # changed their mind
    assert chat.sees("uz", SUMMARY)
    await chat.person.press(chat.button("uz", "Get the document", "📄"))
    texts, _ = read_docx(received_document(offline, chat))
    assert "Tashkent, Yunusabad district 7740" in "\n".join(texts)
    assert "235" in "\n".join(texts)  # the torture article of Uzbekistan's criminal code


async def test_no_answer_is_left_in_the_database_or_the_log(
    offline: OfflineBot, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    chat = Chat(offline, language_code="ru")
    await open_draft(chat, "ru", "KG")
    await answer_questions(chat, "ru", ANSWERS)
    # While the person answers, the answers are in the conversation state, encrypted.
    assert "canary7731" in conversation_state(settings)
    assert b"canary7731" not in stored_bytes(settings.data_dir)
    await chat.person.press(chat.button("ru", "Get the document", "📄"))
    texts, _ = read_docx(received_document(offline, chat))
    assert ANSWERS["who"] in "\n".join(texts)
    state = conversation_state(settings)
    log = "\n".join(record.getMessage() for record in caplog.records)
    for answer in ANSWERS.values():
        canary = answer.split()[-1]  # long enough never to appear in binary data by chance
        assert canary not in state
        assert canary.encode() not in stored_bytes(settings.data_dir)
        assert canary not in log

    # A second draft, left with Exit half-way: its answers go with the conversation.
    await chat.person.send("/menu")
    await chat.person.press(chat.t("ru", "I was tortured or beaten by police"))
    await chat.person.press(chat.t("ru", "I am safe now"))
    await start_draft(chat, "ru")
    await chat.person.send("Second story canary7799")
    assert "7799" in conversation_state(settings)
    await chat.person.press(chat.button("ru", "Exit", "✕"))
    assert "canary7799" not in conversation_state(settings)

    # A third, cancelled from the summary.
    await chat.person.send("/menu")
    await chat.person.press(chat.t("ru", "I was tortured or beaten by police"))
    await chat.person.press(chat.t("ru", "I am safe now"))
    await start_draft(chat, "ru")
    await chat.person.send("Third story canary7798")
    for _ in FIELDS[1:]:
        await chat.person.press(chat.button("ru", "Skip", "⏭"))
    await chat.person.press(chat.t("ru", "Cancel, delete my answers"))
    assert chat.sees("ru", "Nothing was kept: your answers are deleted.")
    assert "canary7798" not in conversation_state(settings)
    assert not [
        m
        for m in offline.emulator.bot_messages(chat.person.user_id)
        if "document" in m.data and m.message_id > 0
    ][1:]


async def test_safety_first_doctor_and_detention(offline: OfflineBot) -> None:
    chat = Chat(offline, language_code="kk")
    await open_guide(chat, "kk", "KG")
    person = chat.person
    assert chat.button("kk", "Exit", "✕") in person.screen.button_texts
    await person.press(chat.t("kk", "I need a doctor now"))
    assert chat.sees("kk", "If you need a doctor now, call:")
    assert "103" in (person.last.text or "")  # Kyrgyzstan's ambulance, from resources/
    await person.press(chat.button("kk", "Back", "◀"))
    await person.press(chat.t("kk", "I or someone close is still detained"))
    assert chat.sees("kk", "If you or someone close to you is still detained")
    await person.press(chat.t("kk", "Where to complain"))
    assert chat.t("kk", "Where to complain: {country}").format(
        country=chat.t("kk", COUNTRY_NAMES["KG"])
    ) in (person.last.text or "")
    await person.press(chat.button("kk", "Back", "◀"))
    assert chat.sees("kk", TO_DO)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_first_days_step_by_step(offline: OfflineBot, language: str) -> None:
    chat = Chat(offline, language_code=language)
    await open_guide(chat, language, "TJ")
    person = chat.person
    await person.press(chat.t(language, "I am safe now"))
    await person.press(chat.t(language, "The first days: what to do"))
    next_button = chat.button(language, "Next", "▶")
    for number, step in enumerate(STEPS, start=1):
        screen = person.screen
        assert f"{number}/{len(STEPS)}" in (screen.text or "")
        assert chat.t(language, step).split("\n")[-1] in (screen.text or "")
        assert chat.button(language, "Ask a lawyer", "⚖️") in screen.button_texts
        assert chat.button(language, "Exit", "✕") in screen.button_texts
        if number < len(STEPS):
            await person.press(next_button)
    # The last step leads on: where to complain, or a complaint.
    assert next_button not in person.screen.button_texts
    assert chat.t(language, "Prepare a complaint") in person.screen.button_texts
    await person.press(chat.button(language, "Back", "◀"))
    assert f"{len(STEPS) - 1}/{len(STEPS)}" in (person.screen.text or "")
    await person.press(chat.t(language, "Contents"))
    assert chat.sees(language, TO_DO)


@pytest.mark.parametrize("country", COUNTRIES)
async def test_where_to_complain_lists_the_countrys_bodies_from_resources(
    offline: OfflineBot, country: str
) -> None:
    chat = Chat(offline, language_code="en")
    await open_guide(chat, "en", country)
    await chat.person.press("I am safe now")
    await chat.person.press("Where to complain")
    book = offline.dp["contacts"].book if offline.dp is not None else None
    assert book is not None
    shown = []
    while True:
        shown.append(chat.person.screen.text or "")
        if "▶" not in chat.person.screen.button_texts:
            break
        await chat.person.press("▶")
    text = "\n".join(shown)
    entries = book.entries(country, "torture")
    assert entries
    for entry in entries:
        assert entry.name["en"] in text
        for phone in entry.phones:
            assert phone.display in text
    assert "prosecutor" in text.lower()
    assert all(len(screen) <= 4096 for screen in shown)


async def test_ask_a_lawyer_knows_it_is_about_torture(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="ky")
    await open_guide(chat, "ky", "KG")
    person = chat.person
    await person.press(chat.t("ky", "I am safe now"))
    await person.press(chat.t("ky", "The first days: what to do"))
    await person.press(chat.button("ky", "Ask a lawyer", "⚖️"))
    assert chat.sees("ky", FOUR_QUESTIONS), person.new_texts()
    await person.press(chat.t("ky", "Yes, continue"))
    assert chat.sees("ky", WHERE)  # not asked what it is about
    assert not chat.sees("ky", WHAT_ABOUT)
    await person.press(chat.button("ky", "Back", "◀"))
    assert chat.sees("ky", FOUR_QUESTIONS)
    await person.press(chat.t("ky", "Yes, continue"))
    await person.press(chat.button("ky", "Skip", "⏭"))
    await person.press(chat.button("ky", "Skip", "⏭"))
    await person.press(f"🟢 {chat.t('ky', 'Not urgent')}")
    await person.press(chat.t("ky", "Only in this chat"))
    assert chat.t("ky", "Torture or police abuse") in (person.last.text or "")


async def test_danger_words_in_an_answer_bring_the_numbers_first_and_the_answer_is_kept(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="ru")
    await open_draft(chat, "ru", "KZ")
    await chat.person.send("я больше не хочу жить после этого")
    texts = chat.person.new_texts()
    assert any("112" in text for text in texts[:1])  # the crisis numbers come first
    assert chat.sees("ru", QUESTIONS["when"])  # and the answer was taken


async def test_bad_input_in_a_question_is_answered_kindly_and_loses_nothing(
    offline: OfflineBot,
) -> None:
    chat = Chat(offline, language_code="tg")
    await open_draft(chat, "tg", "TJ")
    await chat.person.send(ANSWERS["what_happened"])
    for kind in ("photo", "sticker", "voice"):
        await chat.person.send_kind(kind)
        assert chat.sees("tg", QUESTIONS["when"])  # the same question again, below
    await chat.person.send("/nonsense")
    assert chat.sees(
        "tg", "I don't know this command. These work: /menu, /help, /language, /country."
    )
    await chat.person.press(chat.button("tg", "Back", "◀"))
    assert "7731" in (chat.person.screen.text or "")  # the first answer is still there
    await chat.person.press_forged("aiogd_forged")
    assert chat.person.screen is not None


def test_every_question_and_step_is_translated() -> None:
    # The catalogs are checked as a whole elsewhere; here: the guide's own texts exist.
    assert len(STEPS) == 7
    assert tuple(QUESTIONS) == FIELDS
    assert json.dumps(SHORT)


async def test_telegram_failing_to_take_the_document_loses_no_answer(
    offline: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = Chat(offline, language_code="ru")
    await open_draft(chat, "ru", "KZ")
    await answer_questions(chat, "ru", ANSWERS)
    offline.emulator.fail_next("sendDocument", 1, 500, "Internal Server Error")
    await chat.person.press(chat.button("ru", "Get the document", "📄"))
    assert chat.sees("ru", "Sorry, something went wrong on our side.")
    caplog.clear()  # that failure was logged as an error, as it should be
    await chat.person.press(chat.button("ru", "Get the document", "📄"))  # the same screen
    texts, _ = read_docx(received_document(offline, chat))
    assert all(answer in "\n".join(texts) for answer in ANSWERS.values())

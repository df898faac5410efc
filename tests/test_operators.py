"""The operators' side: topics and cards, Claim/Resolve/Reopen, relays both ways, /cases and
/case, reminders, undeliverable answers, deleted topics, forged buttons, retention, and that
operators never learn who a person is."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.db.models import utcnow
from bot.offline import OfflineBot
from dialogs.operators.cards import CLOSED_FOR_PERSON, CaseAction
from tests.e2e import stored_bytes
from tests.operators import COLLEAGUE, OPS, Operator, ops_emulator, ops_settings
from tests.test_flows import Chat
from tests.test_legal_aid import STORY, code_in, file_request, start_request

BLOCK = "⛔ Block"
PERSON_ID = 771234567
PERSON_NAME = "Gulnara"
PERSON_USERNAME = "gulnara_k_1990"


def desk_of(offline: OfflineBot):  # type: ignore[no-untyped-def]
    assert offline.dp is not None
    return offline.dp["case_desk"]


def calls_to_operators(offline: OfflineBot) -> list[str]:
    """Every request the bot made that concerns the operators' chat, as JSON text."""
    return [
        json.dumps(params, ensure_ascii=False, default=str)
        for _method, params in offline.emulator.calls
        if str(params.get("chat_id")) == str(OPS)
    ]


async def test_round_trip_in_kyrgyz_and_operators_never_learn_who_asked(
    desk: OfflineBot, settings: Settings
) -> None:
    chat = Chat(desk, language_code="ky", user_id=PERSON_ID)
    desk.emulator.add_private_user(
        PERSON_ID, PERSON_NAME, last_name="Karimova", username=PERSON_USERNAME, language_code="ky"
    )
    person = chat.person
    code = await file_request(chat, "ky", "KG")
    operator = Operator(desk)

    # A topic named by code, category and country, with the card first.
    topic = operator.topic_of(code)
    name = next(t.name for t in desk.emulator.topics(OPS) if t.message_thread_id == topic)
    assert name == f"🟠 {code} · Violence at home · KG"
    card = operator.card(code)
    assert STORY in (card.text or "")
    assert "Кыргызча" in (card.text or "")
    assert card.button_texts == ["Claim", "Resolve", BLOCK]

    toasts = await operator.press("Claim", card)
    assert toasts == ["The case is yours."]
    card = operator.card(code)
    assert "claimed by operator #" in (card.text or "")
    assert card.button_texts == ["Resolve", BLOCK]

    await operator.write(code, "Саламатсызбы! Сиз азыр коопсуз жердесизби? <i>test</i>")
    answer = person.last.text or ""
    team = chat.t("ky", "The support team · request {code}").format(code=code)
    assert team in answer
    assert "Саламатсызбы! Сиз азыр коопсуз жердесизби? <i>test</i>" in answer  # not parsed
    assert "Aida" not in answer and "aida_operator" not in answer

    await operator.write(code, "! note for colleagues: call the shelter first")
    assert "note for colleagues" not in "\n".join(person.new_texts())
    assert "note for colleagues" not in (person.last.text or "")

    await person.send("/menu")
    await person.press(chat.t("ky", "I need a lawyer"))
    assert chat.t("ky", "an operator is working on it") in (person.last.text or "")
    await person.press(chat.t("ky", "Write to the team"))
    await person.send("Ооба, эжемдикиндемин 6611")
    await desk.drain()
    assert any("Ооба, эжемдикиндемин 6611" in text for text in operator.texts(topic))

    card = operator.card(code)
    await operator.press("Resolve", card)
    card = operator.card(code)
    assert card.button_texts == [
        "Helped",
        "Referred elsewhere",
        "No answer from the person",
        "Not eligible",
        "Back",
    ]
    toasts = await operator.press("Helped", card)
    assert toasts == ["Resolved. The person has been told."]
    closed = chat.t("ky", CLOSED_FOR_PERSON).format(code=code)
    assert closed in (person.last.text or "")
    assert operator.card(code).button_texts == ["Reopen", BLOCK]

    # After closing, nothing goes to the person any more; the operator is told why.
    await operator.write(code, "One more thing")
    assert "One more thing" not in (person.last.text or "")
    assert any("Not sent: this case is closed." in text for text in operator.texts(topic))

    # Nothing said to the operators' chat names the person.
    for call in calls_to_operators(desk):
        assert str(PERSON_ID) not in call
        assert PERSON_NAME not in call and "Karimova" not in call
        assert PERSON_USERNAME not in call
    # Nothing anyone typed is stored readable.
    stored = stored_bytes(settings.data_dir)
    # Needles with a space or Cyrillic: digits alone occur by chance in keys and tokens.
    assert "эжемдикиндемин 6611".encode() not in stored
    assert b"threatens 5519" not in stored


async def test_reopen_waits_for_the_person_before_writing_to_them(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="ru")
    code = await file_request(chat, "ru", "KZ")
    operator = Operator(desk)
    card = operator.card(code)
    await operator.press("Resolve", card)
    await operator.press("No answer from the person", operator.card(code))
    toasts = await operator.press("Reopen", operator.card(code))
    assert toasts == ["Reopened. The person can be written to once they write again."]
    assert "claimed by operator" in (operator.card(code).text or "")
    await operator.write(code, "Are you there?")
    assert any(
        "Not sent: the case was reopened" in t for t in operator.texts(operator.topic_of(code))
    )
    assert "Are you there?" not in (chat.person.last.text or "")
    # The person writes: from now on they can be answered.
    await chat.person.send("/menu")
    await chat.person.press(chat.t("ru", "I need a lawyer"))
    await chat.person.press(chat.t("ru", "Write to the team"))
    await chat.person.send("Я здесь")
    await operator.write(code, "Thank you for writing back")
    assert "Thank you for writing back" in (chat.person.last.text or "")


async def test_a_second_operator_cannot_claim_a_taken_case(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "UZ")
    first, second = Operator(desk), Operator(desk, COLLEAGUE)
    assert await desk_of(desk).remind(now=utcnow() + timedelta(days=1)) == 1
    await desk.drain()
    reminder = second.messages()[-1]
    await first.press("Claim", first.card(code))
    # The colleague presses the reminder's Claim, still on their screen.
    toasts = await second.press("Claim", reminder)
    assert len(toasts) == 1
    assert toasts[0].startswith("Operator #") and toasts[0].endswith("already claimed this case.")


async def test_cases_lists_open_cases_and_case_shows_one(desk: OfflineBot) -> None:
    operator = Operator(desk)
    await operator.send_in_general("/cases")
    assert operator.texts()[-1] == "No open cases. 🌿"

    first = await file_request(Chat(desk, language_code="en", user_id=5001), "en", "KZ")
    second = Chat(desk, language_code="en", user_id=5002)
    await second.onboard("en", "TJ")
    await second.person.press("I need a lawyer")
    await second.person.press("Yes, continue")
    await second.person.press("Torture or police abuse")
    await second.person.press("⏭ Skip")
    await second.person.press("⏭ Skip")
    await second.person.press("🔴 In danger now")
    await second.person.press("Continue the request")
    await second.person.press("Only in this chat")
    await second.person.press("✉️ Send")
    await desk.drain()
    await operator.press("Claim", operator.card(first))

    await operator.send_in_general("/cases")
    listing = operator.texts()[-1]
    lines = listing.splitlines()
    assert lines[0] == "Open cases, unclaimed and urgent first:"
    assert lines[2].startswith("🔴") and "Torture or police abuse · TJ" in lines[2]
    assert first in lines[3] and "claimed by operator" in lines[3]

    await operator.send_in_general(f"/case {first.lower().replace('-', '')}")
    shown = operator.messages()[-1]
    assert (shown.text or "").startswith(f"📁 Case {first}")
    assert "Open the topic" in shown.button_texts
    await operator.send_in_general("/case NOPE")
    assert operator.texts()[-1].startswith("There is no such case")


async def test_unclaimed_cases_are_announced_again_urgent_ones_sooner(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KG")  # "within the next days"
    operator = Operator(desk)
    desk_service = desk_of(desk)
    assert await desk_service.remind(now=utcnow() + timedelta(minutes=30)) == 0
    assert await desk_service.remind(now=utcnow() + timedelta(minutes=61)) == 1
    await desk.drain()
    reminder = operator.messages()[-1]
    assert reminder.data.get("message_thread_id") is None  # in General, where everyone looks
    assert f"Case {code} has waited" in (reminder.text or "")
    assert "Open the topic" in reminder.button_texts
    # Announced just now: not again at once.
    assert await desk_service.remind(now=utcnow() + timedelta(minutes=62)) == 0
    # Claimed from the reminder: its buttons go, and it is never announced again.
    await operator.press("Claim", reminder)
    assert desk.emulator.message(OPS, reminder.message_id).buttons == []
    assert await desk_service.remind(now=utcnow() + timedelta(days=3)) == 0


async def test_a_blocked_bot_is_reported_in_the_topic(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    desk.emulator.block_bot(chat.person.user_id)
    await operator.write(code, "Hello?")
    await desk.drain()
    assert any(
        "could not be delivered" in text for text in operator.texts(operator.topic_of(code))
    )


async def test_a_deleted_topic_is_made_again_with_its_card(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    old = operator.topic_of(code)
    desk.emulator.call("deleteForumTopic", {"chat_id": OPS, "message_thread_id": old})
    await chat.person.send("/menu")
    await chat.person.press("I need a lawyer")
    await chat.person.press("Write to the team")
    await chat.person.send("Are you still there 7788")
    await desk.drain(retries=True)
    new = operator.topic_of(code)
    assert new != old
    texts = operator.texts(new)
    # The card again (so the new topic says what the case is), and the message that found
    # the old topic gone: nothing lost.
    assert sum(text.startswith(f"📁 Case {code}") for text in texts) == 1
    assert sum("Are you still there 7788" in text for text in texts) == 1


async def test_a_forged_case_button_outside_the_group_does_nothing_and_is_logged(
    desk: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    forged = CaseAction(action="claim", code=code.replace("-", "")).pack()
    with caplog.at_level(logging.WARNING):
        await chat.person.press_forged(forged)
    assert "Refused a case button (claim) pressed outside the operators' chat" in caplog.text
    assert str(chat.person.user_id) not in caplog.text
    assert chat.person.notices() == ["This button no longer works. Here is the menu again."]
    card = Operator(desk).card(code)
    assert card.button_texts == ["Claim", "Resolve", BLOCK]  # still unclaimed

    # A forged outcome from inside the group changes nothing either.
    bad = CaseAction(action="outcome", code=code.replace("-", ""), outcome="bribed").pack()
    update = desk.emulator.user_presses_button(
        Operator(desk).user_id, data=bad, forged=True, chat_id=OPS, message_id=card.message_id
    )
    await desk.deliver(update)
    assert Operator(desk).card(code).button_texts == ["Claim", "Resolve", BLOCK]


async def test_only_text_is_relayed_and_edits_are_not(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    topic = operator.topic_of(code)
    update = desk.emulator.user_sends_photo(operator.user_id, chat_id=OPS, message_thread_id=topic)
    await desk.deliver(update)
    await desk.drain()
    assert operator.texts(topic)[-1].startswith("Only text is relayed to the person")
    await operator.write(code, "First version")
    mine = [m for m in desk.emulator.messages_in(OPS) if not m.from_bot][-1]
    await desk.deliver(
        desk.emulator.user_edits_message(
            operator.user_id, mine.message_id, "Second version", chat_id=OPS
        )
    )
    await desk.drain()
    assert operator.texts(topic)[-1].startswith("Edits are not relayed")
    assert "Second version" not in (chat.person.last.text or "")


async def test_telegram_failing_for_a_while_loses_and_doubles_nothing(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    emulator = desk.emulator
    await start_request(chat, "en", "KZ")
    await chat.person.press("Violence at home")
    await chat.person.press("⏭ Skip")
    await chat.person.press("⏭ Skip")
    await chat.person.press("🟢 Not urgent")
    await chat.person.press("Only in this chat")
    # From here on only the outbox sends new messages (the dialog edits its screen).
    emulator.fail_next("createForumTopic", times=1, status=500)
    emulator.fail_next(
        "sendMessage",
        times=2,
        status=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
    )
    await chat.person.press("✉️ Send")
    code = code_in(chat.person.last.text or "")
    await desk.drain(retries=True)
    operator = Operator(desk)
    assert len(emulator.topics(OPS)) == 1
    assert sum((text or "").startswith("📁") for text in operator.texts()) == 1

    emulator.fail_next("sendMessage", times=1, status=502, description="Bad Gateway")
    await operator.write(code, "Answer through a bad gateway")
    await desk.drain(retries=True)
    answers = [
        m
        for m in emulator.bot_messages(chat.person.user_id)
        if "Answer through a bad gateway" in (m.text or "")
    ]
    assert len(answers) == 1


async def test_closed_cases_are_deleted_after_the_retention_period(
    settings: Settings,
) -> None:
    async with OfflineBot(ops_settings(settings, case_retention_days=30), ops_emulator()) as bot:
        chat = Chat(bot, language_code="en")
        code = await file_request(chat, "en", "KZ")
        operator = Operator(bot)
        await operator.press("Resolve", operator.card(code))
        await operator.press("Helped", operator.card(code))
        service = desk_of(bot)
        assert await service.purge(now=utcnow() + timedelta(days=29)) == 0
        assert await service.purge(now=utcnow() + timedelta(days=31)) == 1
        await operator.send_in_general(f"/case {code}")
        assert operator.texts()[-1].startswith("There is no such case")


async def test_long_messages_are_relayed_whole_in_parts(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    topic = operator.topic_of(code)
    long_text = " ".join(f"<word{n}>&" for n in range(600))[:4096]  # Telegram's maximum
    await chat.person.send("/menu")
    await chat.person.press("I need a lawyer")
    await chat.person.press("Write to the team")
    await chat.person.send(long_text)
    await desk.drain()
    parts = [t.split("\n", 1)[1] for t in operator.texts(topic) if "The person writes" in t]
    assert len(parts) == 2
    assert " ".join(parts) == long_text

    await operator.write(code, long_text)
    answers = [
        (m.text or "").split("\n\n", 1)[1]
        for m in desk.emulator.bot_messages(chat.person.user_id)
        if "The support team" in (m.text or "")
    ]
    assert len(answers) == 2
    assert " ".join(answers) == long_text


async def test_words_of_danger_are_marked_for_the_operators(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    person = chat.person
    await start_request(chat, "en", "KZ")
    await person.press("Violence at home")
    await person.press("⏭ Skip")
    await person.send("He said hes going to kill me when he comes back")
    await person.press("🟠 Within the next days")
    await person.press("Only in this chat")
    await person.press("✉️ Send")
    code = code_in(person.last.text or "")
    await desk.drain()
    operator = Operator(desk)
    danger = "Words of danger: the bot showed the person the emergency numbers."
    assert danger in (operator.card(code).text or "")
    await operator.press("Claim", operator.card(code))
    assert danger in (operator.card(code).text or "")  # still there when the card is redrawn

    await person.send("/menu")
    await person.press("I need a lawyer")
    await person.press("Write to the team")
    await person.send("Thank you, I am fine for now")
    await person.send("he is hitting me right now")
    await desk.drain()
    relayed = [t for t in operator.texts(operator.topic_of(code)) if "The person writes" in t]
    assert [danger in text for text in relayed] == [False, True]


async def test_a_request_sent_while_telegram_is_down_arrives_after_a_restart(
    desk: OfflineBot,
) -> None:
    chat = Chat(desk, language_code="en")
    await start_request(chat, "en", "KG")
    await chat.person.press("Violence at home")
    await chat.person.press("⏭ Skip")
    await chat.person.press("⏭ Skip")
    await chat.person.press("🟢 Not urgent")
    await chat.person.press("Only in this chat")
    desk.emulator.fail_next("createForumTopic", times=1, status=502, description="Bad Gateway")
    await chat.person.press("✉️ Send")
    code = code_in(chat.person.last.text or "")
    await desk.flush_outbox()
    await desk.restart()  # the bot goes down while the topic waits for Telegram
    await desk.drain(retries=True)
    operator = Operator(desk)
    assert len(desk.emulator.calls_to("createForumTopic")) == 2  # failed once, then made
    assert len(desk.emulator.topics(OPS)) == 1
    assert operator.card(code).button_texts == ["Claim", "Resolve", BLOCK]
    assert sum(text.startswith("📁") for text in operator.texts()) == 1


async def test_writing_to_a_request_closed_meanwhile_says_it_was_not_sent(
    desk: OfflineBot,
) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    await chat.person.send("/menu")
    await chat.person.press("I need a lawyer")
    await chat.person.press("Write to the team")
    await operator.press("Resolve", operator.card(code))
    await operator.press("Not eligible", operator.card(code))
    await chat.person.send("Hello? 9090")
    assert any(t.startswith("Your request has been closed") for t in chat.person.new_texts())
    assert chat.sees("en", "Your request is closed.")
    await desk.drain()
    assert not any("9090" in text for text in operator.texts())


async def test_a_group_without_topics_keeps_requests_until_an_admin_fixes_it(
    desk: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    desk.emulator.set_group_rights(OPS, is_forum=False)
    chat = Chat(desk, language_code="en")
    with caplog.at_level(logging.WARNING):
        code = await file_request(chat, "en", "KZ")
    assert "Turn on Topics in the operators' group" in caplog.text
    assert desk.emulator.topics(OPS) == []
    desk.emulator.set_group_rights(OPS, is_forum=True)  # the admin turns Topics on
    await desk.drain(retries=True)
    assert Operator(desk).card(code).button_texts == ["Claim", "Resolve", BLOCK]


async def test_requests_wait_while_the_bot_is_out_of_the_group(
    desk: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    desk.emulator.set_group_rights(OPS, bot_in_group=False)  # removed by mistake
    chat = Chat(desk, language_code="en")
    with caplog.at_level(logging.WARNING):
        code = await file_request(chat, "en", "KZ")
    assert "Add it back to the operators' group" in caplog.text
    assert desk.emulator.topics(OPS) == []
    desk.emulator.set_group_rights(OPS, bot_in_group=True)
    await desk.drain(retries=True)
    assert Operator(desk).card(code).button_texts == ["Claim", "Resolve", BLOCK]


async def test_an_unknown_command_in_a_topic_is_not_relayed(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    await operator.write(code, "/start")
    assert operator.texts(operator.topic_of(code))[-1].startswith("Only /cases and /case work")
    assert "/start" not in (chat.person.last.text or "")


async def test_a_person_can_answer_by_replying_to_the_support_team(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="ky")
    code = await file_request(chat, "ky", "KG")
    operator = Operator(desk)
    await operator.write(code, "Сиз кайсы шаардасыз?")
    answer = chat.person.last
    await chat.person.send("/menu")  # anywhere in the bot
    update = desk.emulator.user_sends_text(
        chat.person.user_id, "Ошто турам 2718", reply_to_message_id=answer.message_id
    )
    await desk.deliver(update)
    await desk.drain()
    assert chat.t("ky", "Sent to the support team (request {code}).").format(code=code) in (
        chat.person.last.text or ""
    )
    assert any("Ошто турам 2718" in t for t in operator.texts(operator.topic_of(code)))
    # A reply to any other message of the bot goes to the flows as before.
    menu = chat.person.screen
    update = desk.emulator.user_sends_text(
        chat.person.user_id, "hello 2719", reply_to_message_id=menu.message_id
    )
    await desk.deliver(update)
    await desk.drain()
    assert not any("2719" in t for t in operator.texts())


async def test_an_update_delivered_twice_is_handled_once(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    await chat.person.send("/menu")
    await chat.person.press("I need a lawyer")
    await chat.person.press("Write to the team")
    update = desk.emulator.user_sends_text(chat.person.user_id, "Only once please 5150")
    await desk.deliver(update)
    await desk.deliver(update)  # a webhook redelivery after a lost answer
    await desk.drain()
    operator = Operator(desk)
    relayed = [t for t in operator.texts(operator.topic_of(code)) if "5150" in t]
    assert len(relayed) == 1


async def test_the_card_follows_changes_made_elsewhere(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    assert await desk_of(desk).remind(now=utcnow() + timedelta(days=1)) == 1
    await desk.drain()
    reminder = operator.messages()[-1]
    await operator.press("Claim", reminder)  # on the reminder in General, not on the card
    card = operator.card(code)
    assert "claimed by operator #" in (card.text or "")
    assert card.button_texts == ["Resolve", BLOCK]

    await chat.person.send("/menu")
    await chat.person.press("I need a lawyer")
    await chat.person.press("Withdraw my request")
    await chat.person.press("Yes, withdraw")
    await desk.drain()
    card = operator.card(code)
    assert "withdrawn by the person" in (card.text or "")
    assert card.button_texts == [BLOCK]  # only Block is left to press


async def test_answering_an_unclaimed_case_shows_it_claimed_on_the_card(desk: OfflineBot) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator = Operator(desk)
    await operator.write(code, "Hello, I am looking at your request.")
    card = operator.card(code)
    assert "claimed by operator #" in (card.text or "")
    assert card.button_texts == ["Resolve", BLOCK]

"""Operators block a person who abuses the service, and a supervisor lifts the block.

Through the emulated Telegram: Block on the case card with a reason closes the person's case
without telling them why; their next request is refused with one neutral text in their
language, while self-help, contacts and the emergency numbers work as before; only an
administrator or the creator of the operators' group can unblock; stale and forged buttons
change nothing twice. The service refuses a blocked person on every path, and "forget me" does
not lift a block.
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from bot.db.cases import Case, CaseRepository
from bot.db.models import PersonBlock
from bot.db.repositories import UserRepository
from bot.offline import OfflineBot
from bot.services.cases import (
    AlreadyBlocked,
    CaseNotFound,
    NotBlocked,
    PersonBlocked,
    UnknownChoice,
)
from dialogs.operators.cards import CaseAction
from tests.operators import COLLEAGUE, OPERATOR, OPS, Operator
from tests.test_cases import OP1, OP2, OTHER, PERSON, STORY, Env, env  # noqa: F401
from tests.test_flows import Chat
from tests.test_legal_aid import CONSENT, code_in, file_request
from tests.test_legal_aid import STORY as TYPED_STORY

BLOCK = "⛔ Block"
UNBLOCK = "🔓 Unblock"
REASONS = [
    "Spam or flooding",
    "Insults or threats to operators",
    "Fake or repeated requests",
    "Another reason",
    "Cancel",
]
REFUSED = "Requests to the operators cannot be sent from this account right now."
STILL_HERE = (
    "Self-help, the contacts of your country and the emergency numbers are still here for you."
)
SUPERVISOR = 9003


def desk_of(offline: OfflineBot):  # type: ignore[no-untyped-def]
    assert offline.dp is not None
    return offline.dp["case_desk"]


async def trail(offline: OfflineBot, code: str) -> list[tuple[str, str, object]]:
    """The audit trail of a case: (actor, action, when)."""
    assert offline.dp is not None
    async with offline.dp["resources"].sessions() as session:
        case_id = await session.scalar(select(Case.id).where(Case.code == code.replace("-", "")))
        assert case_id is not None
        return [(e.actor, e.action, e.at) for e in await CaseRepository(session).events(case_id)]


async def press_data(offline: OfflineBot, user_id: int, data: str, message_id: int) -> list[str]:
    """A button press with the given data (stale or forged) on a message of the group; the
    toasts shown in answer."""
    emulator = offline.emulator
    before = len(emulator.calls_to("answerCallbackQuery"))
    update = emulator.user_presses_button(
        user_id, data=data, forged=True, chat_id=OPS, message_id=message_id
    )
    await offline.deliver(update)
    await offline.drain()
    return [call.get("text", "") for call in emulator.calls_to("answerCallbackQuery")[before:]]


def data(action: str, code: str, reason: str = "") -> str:
    return CaseAction(action=action, code=code.replace("-", ""), outcome=reason).pack()


async def block(operator: Operator, code: str, reason: str) -> list[str]:
    await operator.press(BLOCK, operator.card(code))
    assert operator.card(code).button_texts == REASONS
    return await operator.press(reason, operator.card(code))


@pytest.mark.parametrize("language", ["ky", "uz"])
async def test_a_blocked_person_is_refused_neutrally_and_keeps_every_other_help(
    desk: OfflineBot, language: str
) -> None:
    chat = Chat(desk, language_code=language)
    person = chat.person
    code = await file_request(chat, language, "KG")
    operator = Operator(desk)
    await operator.write(code, "Hello, we read your request.")
    answer = person.last
    told_before = len(desk.emulator.bot_messages(person.user_id))

    # Block shows the reasons and a Cancel; Cancel puts the card back as it was.
    await operator.press(BLOCK, operator.card(code))
    assert operator.card(code).button_texts == REASONS
    await operator.press("Cancel", operator.card(code))
    assert operator.card(code).button_texts == ["Resolve", BLOCK]
    toasts = await block(operator, code, "Insults or threats to operators")
    assert toasts == ["Blocked. Their case is closed; the person is not told why."]

    card = operator.card(code)
    assert "resolved: the person was blocked" in (card.text or "")
    assert "The person is blocked (Insults or threats to operators)" in (card.text or "")
    assert card.button_texts == [UNBLOCK]
    topic = operator.texts(operator.topic_of(code))
    assert any(
        re.match(r"⛔ Operator #[0-9a-f]{8} blocked the person: Insults or threats", text)
        for text in topic
    )
    # The person is told nothing: neither the block nor a closing message.
    assert len(desk.emulator.bot_messages(person.user_id)) == told_before

    # A new request: one neutral answer in their language, no form, no reason.
    await person.send("/menu")
    await person.press(chat.t(language, "I need a lawyer"))
    assert chat.sees(language, REFUSED)
    assert chat.sees(language, STILL_HERE)
    assert not chat.sees(language, CONSENT)
    shown = "\n".join(person.new_texts())
    assert "Insults" not in shown and chat.t(language, "Insults or threats to operators") not in (
        shown
    )
    assert person.screen.button_texts == [
        chat.t(language, "Where can I get help"),
        chat.button(language, "Main menu", "◀"),
        chat.button(language, "Emergency", "🆘"),
        chat.button(language, "Exit", "✕"),
    ]
    # The emergency numbers and the contacts are one tap away; self-help works as before.
    await person.press(chat.button(language, "Emergency", "🆘"))
    assert chat.sees(language, "In danger right now? Call:")
    await person.send("/menu")
    await person.press(chat.t(language, "I need a lawyer"))
    await person.press(chat.t(language, "Where can I get help"))
    assert chat.sees(language, "Choose a topic to see every contact, with hours and places:")
    await person.send("/menu")
    await person.press(chat.t(language, "I want to feel calmer"))
    assert chat.t(language, "How are you right now?") in person.screen.button_texts
    assert not chat.sees(language, REFUSED)

    # "Ask a lawyer" from the torture guidance is refused the same way.
    await person.send("/menu")
    await person.press(chat.t(language, "I was tortured or beaten by police"))
    await person.press(chat.t(language, "I am safe now"))
    await person.press(chat.t(language, "The first days: what to do"))
    await person.press(chat.button(language, "Ask a lawyer", "⚖️"))
    assert chat.sees(language, REFUSED)

    # Their words no longer reach the operators, not even as a reply to the support team.
    update = desk.emulator.user_sends_text(
        person.user_id, "Are you there 4711", reply_to_message_id=answer.message_id
    )
    await desk.deliver(update)
    await desk.drain()
    assert not any("4711" in text for text in operator.texts())

    # The audit trail: who did what and when, never what was written.
    events = await trail(desk, code)
    assert [action for _actor, action, _at in events][-2:] == ["operator_wrote", "blocked:abuse"]
    actor, _action, at = events[-1]
    assert actor == desk_of(desk).operator(OPERATOR) and at is not None
    assert all(TYPED_STORY not in f"{a} {b}" for a, b, _ in events)


async def test_only_a_supervisor_can_unblock_and_then_requests_are_taken_again(
    desk: OfflineBot,
) -> None:
    emulator = desk.emulator
    chat = Chat(desk, language_code="en")
    person = chat.person
    code = await file_request(chat, "en", "KZ")
    operator, colleague = Operator(desk), Operator(desk, COLLEAGUE)
    await block(operator, code, "Spam or flooding")

    # A plain operator: a clear answer, on the card and with the command alike.
    assert await operator.press(UNBLOCK, operator.card(code)) == [
        "Only a supervisor (an admin of this group) can unblock a person."
    ]
    await operator.write(code, f"/unblock {code}")
    assert operator.texts(operator.topic_of(code))[-1] == (
        "Only a supervisor (an admin of this group) can unblock a person."
    )
    assert operator.card(code).button_texts == [UNBLOCK]
    # Telegram was asked once: the answer is remembered for a while.
    asked = [c for c in emulator.calls_to("getChatMember") if c["user_id"] == str(OPERATOR)]
    assert len(asked) == 1

    # An administrator of the group can.
    emulator.set_member_status(OPS, COLLEAGUE, "administrator")
    toasts = await colleague.press(UNBLOCK, colleague.card(code))
    assert toasts == ["Unblocked. The person can send requests again."]
    card = operator.card(code)
    assert "blocked" in (card.text or "")  # its outcome: closed by the block
    assert "The person is blocked" not in (card.text or "")
    assert card.button_texts == ["Reopen", BLOCK]
    assert any(
        re.match(r"🔓 Supervisor #[0-9a-f]{8} unblocked the person", text)
        for text in operator.texts(operator.topic_of(code))
    )
    events = await trail(desk, code)
    assert [(actor, action) for actor, action, _at in events][-2:] == [
        (desk_of(desk).operator(OPERATOR), "blocked:spam"),
        (desk_of(desk).operator(COLLEAGUE), "unblocked"),
    ]

    # The person can send a request again.
    await person.send("/menu")
    await person.press("I need a lawyer")
    assert chat.sees("en", CONSENT)
    await person.press("Yes, continue")
    await person.press("Family or property")
    await person.press("⏭ Skip")
    await person.press("⏭ Skip")
    await person.press("🟢 Not urgent")
    await person.press("Only in this chat")
    await person.press("✉️ Send")
    second = code_in(person.last.text or "")
    await desk.drain()
    assert second != code

    # The group's creator can too, with the command, from General.
    await block(operator, second, "Fake or repeated requests")
    emulator.add_private_user(SUPERVISOR, "Madina")
    emulator.add_member(OPS, SUPERVISOR)
    emulator.set_member_status(OPS, SUPERVISOR, "creator")
    await Operator(desk, SUPERVISOR).send_in_general(f"/unblock {second.lower()}")
    assert operator.texts()[-1] == "Unblocked. The person can send requests again."
    assert operator.card(second).button_texts == ["Reopen", BLOCK]
    await person.send("/menu")
    await person.press("I need a lawyer")
    assert chat.sees("en", CONSENT)


async def test_stale_and_forged_block_buttons_change_nothing_twice(
    desk: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    operator, colleague = Operator(desk), Operator(desk, COLLEAGUE)
    card = operator.card(code)

    # A forged reason, a case that does not exist, a block from a private chat: nothing.
    with caplog.at_level(logging.WARNING):
        forged = data("block_for", code, "bribed")
        assert await press_data(desk, OPERATOR, forged, card.message_id) == [""]
        await chat.person.press_forged(data("block_for", code, "spam"))
    assert "Refused a case button with a forged action or outcome" in caplog.text
    assert "Refused a case button (block_for) pressed outside the operators' chat" in caplog.text
    toasts = await press_data(
        desk, OPERATOR, data("block_for", "ACDE3467", "spam"), card.message_id
    )
    assert toasts == [
        "There is no such case (it may have been deleted after the retention period)."
    ]
    assert operator.card(code).button_texts == ["Claim", "Resolve", BLOCK]
    assert not any(action.startswith("blocked") for _a, action, _t in await trail(desk, code))

    # Two operators choose a reason on the same list: the first blocks, the second is told.
    await operator.press(BLOCK, card)
    stale = data("block_for", code, "abuse")
    assert await operator.press("Spam or flooding", operator.card(code)) == [
        "Blocked. Their case is closed; the person is not told why."
    ]
    assert await press_data(desk, COLLEAGUE, stale, card.message_id) == [
        "The person is already blocked."
    ]
    assert operator.card(code).button_texts == [UNBLOCK]  # the card shows the truth
    blocks = [a for _o, a, _t in await trail(desk, code) if a.startswith("blocked")]
    assert blocks == ["blocked:spam"]
    lines = [t for t in operator.texts(operator.topic_of(code)) if t.startswith("⛔ Operator")]
    assert len(lines) == 1

    # Claim, Resolve and Reopen pressed on an old screen do nothing to a blocked person's case.
    assert await press_data(desk, OPERATOR, data("claim", code), card.message_id) == [
        "This case is closed."
    ]
    assert await press_data(desk, OPERATOR, data("reopen", code), card.message_id) == [
        "The person is blocked: a supervisor must unblock them before reopening."
    ]

    # Unblock pressed twice (a double tap): once.
    desk.emulator.set_member_status(OPS, COLLEAGUE, "administrator")
    assert await colleague.press(UNBLOCK, colleague.card(code)) == [
        "Unblocked. The person can send requests again."
    ]
    assert await press_data(desk, COLLEAGUE, data("unblock", code), card.message_id) == [
        "The person is not blocked (any more)."
    ]
    unblocks = [a for _o, a, _t in await trail(desk, code) if a == "unblocked"]
    assert unblocks == ["unblocked"]
    # Nobody's id or name is in the log.
    assert str(OPERATOR) not in caplog.text and str(COLLEAGUE) not in caplog.text


# ---- the service: no path bypasses a block ---------------------------------------------------


async def test_the_service_refuses_a_blocked_person_on_every_path(env: Env) -> None:  # noqa: F811
    first = await env.submit(story=STORY)
    blocked, closed = await env.run(lambda cases: cases.block(first.code, OP1, "abuse"))
    assert blocked.blocked == "abuse" and blocked.status == "resolved"
    assert blocked.outcome == "blocked"
    assert closed is not None and closed.code == first.code
    assert (await env.row(first.code)).chat is None  # their chat id is forgotten at once

    with pytest.raises(PersonBlocked):
        await env.submit()
    assert await env.run(lambda cases: cases.person_wrote(env.pseudonym(PERSON), PERSON)) is None
    with pytest.raises(PersonBlocked):
        await env.run(lambda cases: cases.reopen(first.code, OP2))
    with pytest.raises(AlreadyBlocked):
        await env.run(lambda cases: cases.block(first.code, OP2, "spam"))
    with pytest.raises(UnknownChoice):
        await env.run(lambda cases: cases.block(first.code, OP2, "bribed"))
    shown = await env.run(lambda cases: cases.by_code(first.code))
    assert shown is not None and shown.blocked == "abuse"
    # Someone else is not concerned.
    assert (await env.submit(OTHER)).status == "open"

    assert await env.events(first.code) == [
        ("person", "submitted"),
        (OP1, "blocked:abuse"),
    ]
    unblocked = await env.run(lambda cases: cases.unblock(first.code, OP2))
    assert unblocked.blocked is None
    with pytest.raises(NotBlocked):
        await env.run(lambda cases: cases.unblock(first.code, OP2))
    assert (await env.events(first.code))[-1] == (OP2, "unblocked")
    assert (await env.submit()).status == "open"


async def test_blocking_from_an_older_case_closes_the_open_one(env: Env) -> None:  # noqa: F811
    old = await env.submit()
    await env.run(lambda cases: cases.resolve(old.code, OP1, "helped"))
    new = await env.submit()
    _view, closed = await env.run(lambda cases: cases.block(old.code, OP2, "fake"))
    assert closed is not None and closed.code == new.code
    assert closed.status == "resolved" and closed.outcome == "blocked"
    assert (await env.events(new.code))[-1] == (OP2, "blocked:fake")
    assert (await env.events(old.code))[-1] == (OP2, "blocked:fake")


async def test_forget_me_does_not_lift_a_block(env: Env) -> None:  # noqa: F811
    case = await env.submit()
    await env.run(lambda cases: cases.block(case.code, OP1, "spam"))
    async with env.sessions() as session, session.begin():
        assert await UserRepository(session).delete(env.pseudonym(PERSON))
    async with env.sessions() as session:
        remaining = await session.scalar(select(PersonBlock.reason))
        assert remaining == "spam"  # the block holds no content: a reason, who, when
    with pytest.raises(PersonBlocked):
        await env.submit()
    with pytest.raises(CaseNotFound):  # the case went with the profile
        await env.run(lambda cases: cases.unblock(case.code, OP2))

"""The operators' chat: case buttons, /cases, /case and /unblock, and what operators write in
a case's topic (relayed to the person, as "the support team").

Any operator can block a person who abuses the service (Block on the card, with a reason); only
a supervisor (an administrator or the creator of the group) can lift a block.

Only the chat whose id is OPERATORS_CHAT_ID is served. A case button or command anywhere else
(a forged button in a private chat, the bot added to another group) does nothing to any case
and is logged without who pressed it; another group is left (dialogs/foreign_chats.py).
In the operators' chat the bot answers only its commands and what is written in a case's
topic: talk in General or in a topic operators made for themselves is none of its business.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.cases import (
    AlreadyBlocked,
    AlreadyClaimed,
    CannotReopen,
    CaseAlreadyOpen,
    CaseClosed,
    CaseError,
    CaseNotFound,
    CaseView,
    NotBlocked,
    PersonBlocked,
    UnknownChoice,
)
from bot.services.casework import CaseDesk, Relay
from dialogs.operators.cards import CaseAction, CaseCards, operator_tag
from dialogs.operators.supervisors import Supervisors

logger = logging.getLogger(__name__)

NOTE_PREFIX = "!"
"""A message starting with this stays among operators (a note), and is not relayed."""
MAX_LISTED = 30

CLAIMED_TOAST = N_("The case is yours.")
ALREADY_CLAIMED = N_("Operator {operator} has already claimed this case.")
CLOSED = N_("This case is closed.")
NOT_FOUND = N_("There is no such case (it may have been deleted after the retention period).")
CANNOT_REOPEN = N_("Only a resolved case can be reopened.")
OTHER_OPEN = N_("The person has another open case meanwhile: {code}.")
RESOLVED_TOAST = N_("Resolved. The person has been told.")
REOPENED_TOAST = N_("Reopened. The person can be written to once they write again.")
BLOCKED_TOAST = N_("Blocked. Their case is closed; the person is not told why.")
ALREADY_BLOCKED = N_("The person is already blocked.")
UNBLOCKED_TOAST = N_("Unblocked. The person can send requests again.")
NOT_BLOCKED = N_("The person is not blocked (any more).")
ONLY_SUPERVISOR = N_("Only a supervisor (an admin of this group) can unblock a person.")
REOPEN_BLOCKED = N_("The person is blocked: a supervisor must unblock them before reopening.")
UNBLOCK_USAGE = N_("Write the code after the command, for example: /unblock K7MQ-4XT9")
NOT_SENT_CLOSED = N_("Not sent: this case is closed. Reopen it first to write to the person.")
NOT_SENT_NO_CHAT = N_(
    "Not sent: the case was reopened, and the person has not written since. Their chat is "
    "kept only while they are in touch; their next message makes it possible again."
)
ONLY_TEXT = N_("Only text is relayed to the person; this message was not sent.")
UNKNOWN_COMMAND = N_("Only /cases and /case work here. This message was not sent to the person.")
NO_CASES = N_("No open cases. 🌿")
OPEN_CASES = N_("Open cases, unclaimed and urgent first:")
CASE_USAGE = N_("Write the code after the command, for example: /case K7MQ-4XT9")


def create_router(chat_id: int | None) -> Router:
    router = Router(name="operators")
    router.callback_query.register(on_case_button, CaseAction.filter())
    if chat_id is None:
        return router
    ours = F.chat.id == chat_id
    # Any other button there (none the bot made; a forged one) gets no menu of the flows.
    router.callback_query.register(on_other_button, F.message.chat.id == chat_id)
    router.message.register(on_cases, ours, Command("cases"))
    router.message.register(on_case, ours, Command("case"))
    router.message.register(on_unblock, ours, Command("unblock"))
    router.message.register(on_topic_message, ours, F.is_topic_message, F.message_thread_id)
    router.message.register(on_general_message, ours)
    router.edited_message.register(on_edited, ours)
    return router


def _cards(desk: CaseDesk) -> CaseCards:
    assert isinstance(desk.texts, CaseCards)
    return desk.texts


async def on_case_button(
    callback: CallbackQuery,
    callback_data: CaseAction,
    case_desk: CaseDesk,
    session: AsyncSession,
    supervisors: Supervisors,
    bot: Bot,
) -> None:
    message = callback.message
    chat_id = message.chat.id if message is not None else None
    if case_desk.chat_id is None or chat_id != case_desk.chat_id:
        # Never whose press it was: the log must not name people.
        logger.warning(
            "Refused a case button (%s) pressed outside the operators' chat",
            callback_data.action,
        )
        raise SkipHandler  # the button guard answers it like any unknown button
    cards = _cards(case_desk)
    code, action = callback_data.code, callback_data.action
    operator_id = callback.from_user.id
    found = await case_desk.find(session, code)
    on_card = _is_card(found, message)
    try:
        if found is None:
            raise CaseNotFound(code)
        if action == "claim":
            case = await case_desk.claim(session, code, operator_id, on_card=on_card)
            toast = cards.t(CLAIMED_TOAST)
        elif action == "outcome":
            case = await case_desk.resolve(
                session, code, operator_id, callback_data.outcome, on_card=on_card
            )
            toast = cards.t(RESOLVED_TOAST)
        elif action == "reopen":
            case = await case_desk.reopen(session, code, operator_id, on_card=on_card)
            toast = cards.t(REOPENED_TOAST)
        elif action == "block_for":
            reason = callback_data.outcome
            case = await case_desk.block(session, code, operator_id, reason, on_card=on_card)
            toast = cards.t(BLOCKED_TOAST)
        elif action == "unblock":
            operator = case_desk.operator(operator_id)
            assert case_desk.chat_id is not None
            if not await supervisors.check(bot, case_desk.chat_id, operator_id, operator):
                await callback.answer(cards.t(ONLY_SUPERVISOR), show_alert=True)
                return
            case = await case_desk.unblock(session, code, operator_id, on_card=on_card)
            toast = cards.t(UNBLOCKED_TOAST)
        elif action in ("resolve", "back", "block"):
            await _redraw(
                callback,
                cards,
                found,
                on_card,
                outcomes=action == "resolve",
                reasons=action == "block",
            )
            await callback.answer()
            return
        else:
            raise UnknownChoice("action", action)
    except AlreadyClaimed as error:
        await callback.answer(cards.t(ALREADY_CLAIMED).format(operator=f"#{error.by}"), True)
        return
    except CaseClosed:
        await callback.answer(cards.t(CLOSED), show_alert=True)
        return
    except CaseNotFound:
        await callback.answer(cards.t(NOT_FOUND), show_alert=True)
        return
    except CannotReopen:
        await callback.answer(cards.t(CANNOT_REOPEN), show_alert=True)
        return
    except CaseAlreadyOpen as error:
        await callback.answer(cards.t(OTHER_OPEN).format(code=error.code), show_alert=True)
        return
    except (AlreadyBlocked, NotBlocked) as error:
        # A double press, or a colleague a moment before: show the card as it is now.
        current = await case_desk.find(session, code)
        if current is not None:
            await _redraw(callback, cards, current, on_card)
        toast = ALREADY_BLOCKED if isinstance(error, AlreadyBlocked) else NOT_BLOCKED
        await callback.answer(cards.t(toast), show_alert=True)
        return
    except PersonBlocked:
        await callback.answer(cards.t(REOPEN_BLOCKED), show_alert=True)
        return
    except (CaseError, UnknownChoice):
        logger.warning("Refused a case button with a forged action or outcome")
        await callback.answer()
        return
    tag = operator_tag(case_desk.operator(operator_id))
    logger.info("Case %s: %s by operator %s", case.code, action, tag)
    await _redraw(callback, cards, case, on_card)
    await callback.answer(toast)


def _is_card(case: CaseView | None, message: object) -> bool:
    """Whether the pressed message is the case's card in its topic (redrawn right here; a
    press anywhere else has the card brought up to date through the outbox)."""
    return (
        isinstance(message, Message)
        and case is not None
        and message.is_topic_message is True
        and message.message_thread_id == case.topic_id
        and message.message_id == case.card_message_id
    )


async def _redraw(
    callback: CallbackQuery,
    cards: CaseCards,
    case: CaseView,
    on_card: bool,
    *,
    outcomes: bool = False,
    reasons: bool = False,
) -> None:
    """Show the case's new state on the pressed message: the card gets its new text, another
    message (a reminder, a /case copy) its buttons, and loses them once the case is taken.
    `outcomes`, `reasons`: the choices of Resolve or Block instead of the usual buttons."""
    message = callback.message
    if not isinstance(message, Message):
        return
    keyboard = InlineKeyboardMarkup.model_validate(
        cards.card_keyboard(case, outcomes=outcomes, reasons=reasons)
    )
    # Editing the pressed message answers the press itself, like a dialog redrawing its
    # screen; it is not a new message, so it does not go through the outbox. If it fails,
    # the case has changed all the same and the next press shows the truth.
    with suppress(TelegramBadRequest):
        if on_card:
            await message.edit_text(cards.card_text(case), reply_markup=keyboard)
        elif outcomes or reasons or (case.is_active and case.claimed_by is None):
            await message.edit_reply_markup(reply_markup=keyboard)
        else:
            await message.edit_reply_markup(reply_markup=None)


async def _reply(message: Message, case_desk: CaseDesk, session: AsyncSession, text: str) -> None:
    """Answer in the operators' chat, in the same topic, through the outbox."""
    assert case_desk.chat_id is not None
    await case_desk.outbox.enqueue(
        session,
        chat_id=case_desk.chat_id,
        text=text,
        kind="operators_reply",
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def on_cases(message: Message, case_desk: CaseDesk, session: AsyncSession) -> None:
    cards = _cards(case_desk)
    cases = await case_desk.open_cases(session)
    if not cases:
        await _reply(message, case_desk, session, cards.t(NO_CASES))
        return
    lines = [cards.t(OPEN_CASES), ""]
    lines += [cards.summary_line(case) for case in cases[:MAX_LISTED]]
    if len(cases) > MAX_LISTED:
        lines.append(f"… +{len(cases) - MAX_LISTED}")
    await _reply(message, case_desk, session, "\n".join(lines))


async def on_case(
    message: Message, command: CommandObject, case_desk: CaseDesk, session: AsyncSession
) -> None:
    cards = _cards(case_desk)
    if not command.args:
        await _reply(message, case_desk, session, cards.t(CASE_USAGE))
        return
    case = await case_desk.find(session, command.args.strip())
    if case is None:
        await _reply(message, case_desk, session, cards.t(NOT_FOUND))
        return
    text, keyboard = cards.card(case)
    link = case_desk.topic_link(case)
    if link:
        keyboard["inline_keyboard"].append([{"text": cards.t(N_("Open the topic")), "url": link}])
    assert case_desk.chat_id is not None
    await case_desk.outbox.enqueue(
        session,
        chat_id=case_desk.chat_id,
        text=text,
        kind="operators_reply",
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_markup=keyboard,
    )


async def on_unblock(
    message: Message,
    command: CommandObject,
    case_desk: CaseDesk,
    session: AsyncSession,
    supervisors: Supervisors,
    bot: Bot,
) -> None:
    """`/unblock CODE`: a supervisor lifts the block of the person of that case."""
    cards = _cards(case_desk)
    if message.from_user is None or case_desk.chat_id is None:
        return
    if not command.args:
        await _reply(message, case_desk, session, cards.t(UNBLOCK_USAGE))
        return
    user_id = message.from_user.id
    operator = case_desk.operator(user_id)
    if not await supervisors.check(bot, case_desk.chat_id, user_id, operator):
        await _reply(message, case_desk, session, cards.t(ONLY_SUPERVISOR))
        return
    try:
        case = await case_desk.unblock(session, command.args.strip(), user_id)
    except CaseNotFound:
        await _reply(message, case_desk, session, cards.t(NOT_FOUND))
        return
    except NotBlocked:
        await _reply(message, case_desk, session, cards.t(NOT_BLOCKED))
        return
    logger.info("Case %s: unblock by operator %s", case.code, operator_tag(operator))
    if not (message.is_topic_message and message.message_thread_id == case.topic_id):
        # The event line goes to the case's topic; say it here too.
        await _reply(message, case_desk, session, cards.t(UNBLOCKED_TOAST))


async def on_topic_message(message: Message, case_desk: CaseDesk, session: AsyncSession) -> None:
    cards = _cards(case_desk)
    if message.from_user is None or (message.from_user.is_bot and message.sender_chat is None):
        return
    if message.text is not None and message.text.startswith(NOTE_PREFIX):
        return  # a note among operators
    assert message.message_thread_id is not None
    if not await _is_case_topic(case_desk, session, message.message_thread_id):
        return  # a topic operators made for themselves
    if message.text is not None and message.text.startswith("/"):
        # An unknown command is never relayed: the person would get "/start@bot".
        await _reply(message, case_desk, session, cards.t(UNKNOWN_COMMAND))
        return
    if message.text is None:
        if _is_content(message):
            await _reply(message, case_desk, session, cards.t(ONLY_TEXT))
        return  # service messages (topic edited, members joined …)
    result = await case_desk.operator_writes(
        session, message.message_thread_id, message.from_user.id, message.text
    )
    if result.outcome is Relay.CLOSED:
        await _reply(message, case_desk, session, cards.t(NOT_SENT_CLOSED))
    elif result.outcome is Relay.NO_CHAT:
        await _reply(message, case_desk, session, cards.t(NOT_SENT_NO_CHAT))


async def _is_case_topic(case_desk: CaseDesk, session: AsyncSession, topic_id: int) -> bool:
    return await case_desk.cases(session).by_topic(topic_id) is not None


async def on_other_button(callback: CallbackQuery) -> None:
    await callback.answer()


async def on_general_message(message: Message) -> None:
    """Operators talk among themselves in General: nothing to do, and nothing is kept."""


async def on_edited(message: Message, case_desk: CaseDesk, session: AsyncSession) -> None:
    """An edit is not relayed (the person has the first version): say so in the case's topic."""
    if (
        message.is_topic_message
        and message.message_thread_id
        and message.text
        and not message.text.startswith(NOTE_PREFIX)
        and await _is_case_topic(case_desk, session, message.message_thread_id)
    ):
        await _reply(message, case_desk, session, _cards(case_desk).t(EDIT_NOT_RELAYED))


EDIT_NOT_RELAYED = N_(
    "Edits are not relayed: the person has the first version. Send a new message to correct it."
)

_CONTENT = ("photo", "video", "voice", "audio", "document", "sticker", "animation", "video_note")


def _is_content(message: Message) -> bool:
    return any(getattr(message, kind, None) is not None for kind in _CONTENT) or bool(
        message.location or message.contact or message.poll or message.dice
    )

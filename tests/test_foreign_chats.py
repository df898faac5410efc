"""The bot lives in private chats and the operators' group only: added to any other group,
supergroup or channel it says once, in a neutral line, that it works only in private chats,
and leaves; nothing about that chat or who added it is kept. In the operators' group it
answers its commands and case topics, never general chatter."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.emulator import TelegramEmulator
from bot.offline import OfflineBot
from dialogs.foreign_chats import LEAVING
from tests.e2e import stored_bytes
from tests.flow import translator
from tests.operators import OPERATOR, OPS, Operator
from tests.test_flows import Chat
from tests.test_legal_aid import file_request

ADDER = 6_402_917_385
ADDER_NAME = "Zarina"
ADDER_USERNAME = "zarina_w_1987"
TITLE = "Family Qoraqalpoq 4417"
# Long numbers no timestamp or counter in the database can match by chance.
GROUP = -1_002_731_958_462
KEPT_TABLES_ALLOWED = {"processed_updates", "alembic_version"}


def leaving(offline: OfflineBot, language: str) -> str:
    return translator(offline).gettext(LEAVING, locale=language)


def add_adder(offline: OfflineBot, language_code: str | None = "ky") -> None:
    offline.emulator.add_private_user(
        ADDER,
        ADDER_NAME,
        last_name="Usmonova",
        username=ADDER_USERNAME,
        language_code=language_code,
    )


def left(emulator: TelegramEmulator) -> list[int]:
    """The chats the bot asked to leave, in order."""
    return [int(call["chat_id"]) for call in emulator.calls_to("leaveChat")]


async def deliver_queued(offline: OfflineBot) -> None:
    """Hand the bot what Telegram queued for it (the bot's own leave comes back too)."""
    while offline.emulator.pending_update_count():
        await offline.deliver(offline.emulator.pending_updates(1)[0])


def rows_kept(settings: Settings) -> dict[str, int]:
    """Rows in every table but those that hold nothing about anyone."""
    path = settings.data_dir / "bot.sqlite3"
    assert path.exists()
    with sqlite3.connect(path) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        assert {"users", "fsm_records", "outbox"} <= set(tables)
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return {t: n for t, n in counts.items() if n and t not in KEPT_TABLES_ALLOWED}


def assert_nothing_kept(settings: Settings, *canaries: object) -> None:
    assert rows_kept(settings) == {}
    stored = stored_bytes(settings.data_dir)
    for canary in (ADDER, ADDER_NAME, ADDER_USERNAME, TITLE, *canaries):
        assert str(canary).encode() not in stored, canary


@pytest.mark.parametrize("service_message_first", [False, True])
@pytest.mark.parametrize(("app_language", "language"), [("ky", "ky"), ("de", "ru"), (None, "ru")])
async def test_added_to_a_foreign_group_it_says_so_once_and_leaves(
    desk: OfflineBot,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    service_message_first: bool,
    app_language: str | None,
    language: str,
) -> None:
    emulator = desk.emulator
    add_adder(desk, app_language)
    updates = emulator.user_adds_bot_to_group(ADDER, GROUP, title=TITLE, kind="supergroup")
    if service_message_first:  # Telegram does not promise an order
        updates.reverse()
    with caplog.at_level(logging.INFO):
        for update in updates:
            await desk.deliver(update)
        await deliver_queued(desk)  # the bot's own leave comes back as my_chat_member
        await desk.drain()

    # One neutral line, in the adder's Telegram language or else DEFAULT_LANGUAGE, then gone.
    assert [m.text for m in emulator.bot_messages(GROUP)] == [leaving(desk, language)]
    assert left(emulator) == [GROUP]
    assert (await desk.bot.get_chat_member(GROUP, desk.bot.id)).status == "left"
    # The log names the group's id, for an admin setting up OPERATORS_CHAT_ID; never a person.
    assert f"set OPERATORS_CHAT_ID={GROUP}" in caplog.text
    for canary in (ADDER, ADDER_NAME, ADDER_USERNAME, TITLE):
        assert str(canary) not in caplog.text
    assert_nothing_kept(settings, GROUP)


async def test_added_to_a_group_before_any_operators_chat_is_set_it_leaves_too(
    offline: OfflineBot,
) -> None:
    add_adder(offline, "kk")
    for update in offline.emulator.user_adds_bot_to_group(ADDER, title=TITLE, kind="group"):
        await offline.deliver(update)
    [group] = left(offline.emulator)
    assert [m.text for m in offline.emulator.bot_messages(group)] == [leaving(offline, "kk")]


@pytest.mark.parametrize("can_post", [False, True])
async def test_added_to_a_channel_it_leaves(
    desk: OfflineBot, settings: Settings, can_post: bool
) -> None:
    add_adder(desk)
    [update] = desk.emulator.user_adds_bot_to_group(
        ADDER, GROUP, title=TITLE, kind="channel", as_admin=True, can_post_messages=can_post
    )
    await desk.deliver(update)
    await deliver_queued(desk)
    # Where it may not post it just leaves; where it may, the one line first.
    expected = [leaving(desk, "ky")] if can_post else []
    assert [m.text for m in desk.emulator.bot_messages(GROUP)] == expected
    assert left(desk.emulator) == [GROUP]
    assert_nothing_kept(settings, GROUP)


async def test_a_message_from_a_group_it_is_still_in_makes_it_leave_once(
    desk: OfflineBot, settings: Settings
) -> None:
    emulator = desk.emulator
    add_adder(desk, "tg")
    # Added before the bot knew to leave: it is a plain member there.
    emulator.add_supergroup(GROUP, TITLE, is_forum=False, members=[ADDER], bot_is_admin=False)
    first = emulator.user_sends_text(ADDER, "/start@survivor_help_test_bot", chat_id=GROUP)
    # Written while the bot was still there: Telegram had queued it before the bot left.
    second = emulator.user_sends_text(ADDER, "hello? 58213", chat_id=GROUP)
    await desk.deliver(first)
    await desk.deliver(second)
    await deliver_queued(desk)
    await desk.drain()
    assert [m.text for m in emulator.bot_messages(GROUP)] == [leaving(desk, "tg")]
    assert left(emulator) == [GROUP]
    assert_nothing_kept(settings, GROUP, "58213")


async def test_a_button_pressed_in_a_foreign_group_is_answered_and_the_bot_leaves(
    desk: OfflineBot,
) -> None:
    emulator = desk.emulator
    add_adder(desk, "uz")
    emulator.add_supergroup(GROUP, TITLE, is_forum=False, members=[ADDER], bot_is_admin=False)
    assert desk.bot is not None
    # A message with a button the bot left there long ago (a forged press would do the same).
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Menu", callback_data="menu")]]
    )
    old = await desk.bot.send_message(GROUP, "Old message", reply_markup=markup)
    await desk.deliver(emulator.user_presses_button(ADDER, "Menu", chat_id=GROUP))
    assert left(emulator) == [GROUP]
    texts = [m.text for m in emulator.bot_messages(GROUP) if m.message_id != old.message_id]
    assert texts == [leaving(desk, "uz")]
    # (the fixture checks that the press was answered)


async def test_a_post_in_a_channel_it_is_still_in_makes_it_leave_silently(
    desk: OfflineBot,
) -> None:
    emulator = desk.emulator
    add_adder(desk)
    emulator.user_adds_bot_to_group(ADDER, GROUP, title=TITLE, kind="channel", as_admin=True)
    emulator.drop_updates_before(10**9)  # added before the bot knew to leave
    await desk.deliver(emulator.user_posts_in_channel(ADDER, GROUP, "Today's news"))
    assert left(emulator) == [GROUP]
    assert emulator.bot_messages(GROUP) == []  # nothing broadcast to the channel's readers


async def test_failing_telegram_calls_are_warnings_and_it_tries_to_leave_again(
    desk: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = desk.emulator
    add_adder(desk, "en")
    emulator.add_supergroup(GROUP, TITLE, is_forum=False, members=[ADDER], bot_is_admin=False)
    emulator.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    emulator.fail_next("leaveChat", status=500)
    with caplog.at_level(logging.WARNING):
        await desk.deliver(emulator.user_sends_text(ADDER, "hi", chat_id=GROUP))
    assert "Could not say goodbye" in caplog.text and "Could not leave" in caplog.text
    assert (await desk.bot.get_chat_member(GROUP, desk.bot.id)).status == "member"
    # The next message from there: no second line (it was tried once), and it leaves now.
    await desk.deliver(emulator.user_sends_text(ADDER, "hi again", chat_id=GROUP))
    assert emulator.bot_messages(GROUP) == []
    assert (await desk.bot.get_chat_member(GROUP, desk.bot.id)).status == "left"


async def test_added_again_later_it_says_so_again(desk: OfflineBot) -> None:
    emulator = desk.emulator
    add_adder(desk, "en")
    for _ in range(2):
        for update in emulator.user_adds_bot_to_group(ADDER, GROUP, kind="supergroup"):
            emulator.advance_time(5)
            await desk.deliver(update)
        await deliver_queued(desk)
    assert [m.text for m in emulator.bot_messages(GROUP)] == [leaving(desk, "en")] * 2
    assert left(emulator) == [GROUP, GROUP]


async def test_the_operators_chat_is_not_left_and_chatter_there_gets_no_answer(
    desk: OfflineBot,
) -> None:
    emulator = desk.emulator
    assert desk.bot is not None
    operator = Operator(desk)
    # An admin removes the bot by mistake and adds it back: it stays.
    emulator.set_group_rights(OPS, bot_in_group=False)
    for update in emulator.user_adds_bot_to_group(OPERATOR, OPS, kind="supergroup", as_admin=True):
        await desk.deliver(update)
    assert left(emulator) == []

    # A topic operators made for themselves (the emulator opens it through the Bot API).
    coffee = (await desk.bot.create_forum_topic(OPS, "Coffee")).message_thread_id
    before = len(emulator.bot_messages(OPS))
    chatter: list[dict[str, Any]] = [
        emulator.user_sends_text(OPERATOR, "Good morning, everyone!", chat_id=OPS),
        emulator.user_sends_text(
            OPERATOR, "Who wants tea?", chat_id=OPS, message_thread_id=coffee
        ),
        emulator.user_sends_text(OPERATOR, "/start", chat_id=OPS, message_thread_id=coffee),
        emulator.user_sends_photo(OPERATOR, chat_id=OPS, message_thread_id=coffee),
        emulator.user_sends_sticker(OPERATOR, chat_id=OPS),
    ]
    for update in chatter:
        await desk.deliver(update)
    tea = chatter[1]["message"]["message_id"]
    await desk.deliver(
        emulator.user_edits_message(OPERATOR, tea, "Who wants coffee?", chat_id=OPS)
    )
    # A button that is not a case's (forged): answered without a word, no menu of the flows.
    card = (await desk.bot.send_message(OPS, "x")).message_id
    await desk.deliver(
        emulator.user_presses_button(
            OPERATOR, data="m:x", forged=True, chat_id=OPS, message_id=card
        )
    )
    await desk.drain()
    assert len(emulator.bot_messages(OPS)) == before + 1  # only the "x" this test sent
    assert left(emulator) == []

    # Case topics and commands still work.
    chat = Chat(desk, language_code="en")
    code = await file_request(chat, "en", "KZ")
    await operator.write(code, "/start")
    assert operator.texts(operator.topic_of(code))[-1].startswith("Only /cases and /case work")
    await operator.send_in_general("/cases")
    assert code in operator.texts()[-1]

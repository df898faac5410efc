"""The Telegram emulator must refuse what Telegram refuses, with Telegram's words, because flow
tests and the offline chat trust it; and the fake Bot API server must behave like Telegram over
HTTP, because the end-to-end tests run the real bot process against it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.emulator import (
    EmulatorError,
    EmulatorSession,
    TelegramEmulator,
    TelegramError,
)
from tests.fake_telegram import FakeTelegramServer, run_fake_telegram

USER = 501
GROUP = -1001500000001
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons
        ]
    )


def make_bot(emulator: TelegramEmulator, session: Any = None, token: str | None = None) -> Bot:
    # The same defaults as production (bot/app.py): HTML parse mode, no link previews.
    return Bot(
        token or emulator.token,
        session=session if session is not None else EmulatorSession(emulator),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


@pytest.fixture
def emulator() -> TelegramEmulator:
    emulator = TelegramEmulator()
    emulator.add_private_user(USER, "Aigerim", language_code="kk", started=True)
    return emulator


@pytest.fixture
async def bot(emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    bot = make_bot(emulator)
    yield bot
    await bot.session.close()


# ---- sending and HTML ----------------------------------------------------------------------


async def test_sent_text_is_parsed_html_with_utf16_offsets(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    sent = await bot.send_message(USER, "🆘 <b>Помощь</b> &amp; <i>поддержка</i>")

    assert sent.text == "🆘 Помощь & поддержка"
    assert sent.from_user is not None and sent.from_user.id == bot.id
    stored = emulator.last_bot_message(USER)
    assert stored is not None and stored.message_id == sent.message_id
    # The emoji is two UTF-16 code units, so "Помощь" starts at 3, not 2.
    assert stored.entities == [
        {"type": "bold", "offset": 3, "length": 6},
        {"type": "italic", "offset": 12, "length": 9},
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<p>Текст</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("Привет <br>", 'Unsupported start tag "br" at byte offset 13'),  # bytes, not chars
        ("<b>жирный", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_refused_like_telegram(
    bot: Bot, emulator: TelegramEmulator, html: str, reason: str
) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER, html)

    assert error.value.message == f"Bad Request: can't parse entities: {reason}"
    assert emulator.bot_messages(USER) == []


async def test_supported_html_and_a_bare_ampersand_are_accepted(bot: Bot) -> None:
    html = (
        '<a href="https://example.org/help">link</a> <tg-spoiler>s</tg-spoiler> '
        '<blockquote expandable>q</blockquote> <pre><code class="language-python">x</code></pre>'
        " AT&T &#1046;"
    )
    sent = await bot.send_message(USER, html)

    assert sent.text == "link s q x AT&T Ж"  # "&T" is no entity: Telegram keeps it as text
    assert [(entity.type, entity.url or entity.language) for entity in sent.entities or []] == [
        ("text_link", "https://example.org/help"),
        ("spoiler", None),
        ("expandable_blockquote", None),
        ("pre", "python"),
    ]


async def test_text_length_is_counted_in_utf16_after_parsing(bot: Bot) -> None:
    await bot.send_message(USER, "а" * 4096)  # Cyrillic: 8192 bytes, but 4096 characters
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>")  # tags do not count
    await bot.send_message(USER, "🆘" * 2048)

    for too_long in ("а" * 4097, "🆘" * 2049):
        with pytest.raises(TelegramBadRequest) as error:
            await bot.send_message(USER, too_long)
        assert error.value.message == "Bad Request: message is too long"


async def test_empty_and_blank_texts_are_refused(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER, "")
    assert error.value.message == "Bad Request: message text is empty"

    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER, "<b> </b>\n")
    assert error.value.message == "Bad Request: message must be non-empty"

    sent = await bot.send_message(USER, "\n  <b>hi</b>  \n")  # Telegram trims, like here
    assert sent.text == "hi"


# ---- editing, deleting ---------------------------------------------------------------------


async def test_edit_replaces_text_and_drops_keyboard_unless_repeated(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    sent = await bot.send_message(USER, "Choose", reply_markup=keyboard(("Yes", "y")))

    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text(
            "Choose", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Yes", "y"))
        )
    assert error.value.message == NOT_MODIFIED

    edited = await bot.edit_message_text("Chosen", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.edit_date is not None
    stored = emulator.message(USER, sent.message_id)
    assert (stored.text, stored.reply_markup) == ("Chosen", None)
    assert stored.history[0]["text"] == "Choose"

    with pytest.raises(TelegramBadRequest) as error:  # nothing left to remove
        await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    assert error.value.message == NOT_MODIFIED


async def test_edit_of_unknown_or_foreign_message_is_refused(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert error.value.message == "Bad Request: message to edit not found"

    incoming = emulator.user_sends_text(USER, "hello")["message"]
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text("x", chat_id=USER, message_id=incoming["message_id"])
    assert error.value.message == "Bad Request: message can't be edited"


async def test_delete_rules_and_the_48_hour_window(bot: Bot, emulator: TelegramEmulator) -> None:
    own = await bot.send_message(USER, "mine")
    incoming = emulator.user_sends_text(USER, "theirs")["message"]["message_id"]
    old = await bot.send_message(USER, "old")

    assert await bot.delete_message(USER, own.message_id)
    assert await bot.delete_message(USER, incoming)  # bots may delete incoming in private
    with pytest.raises(TelegramBadRequest) as error:
        await bot.delete_message(USER, own.message_id)
    assert error.value.message == "Bad Request: message to delete not found"

    emulator.advance_time(48 * 3600 + 1)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.delete_message(USER, old.message_id)
    assert error.value.message == "Bad Request: message can't be deleted for everyone"
    assert [message.text for message in emulator.visible_messages(USER)] == ["old"]
    assert [event.kind for event in emulator.events(USER)] == [
        "new",
        "new",
        "new",
        "deleted",
        "deleted",
    ]


# ---- keyboards and button presses ----------------------------------------------------------


async def test_callback_data_is_limited_to_64_bytes(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard(("A", "x" * 64)))

    for data in ("x" * 65, "ж" * 33):  # 33 Cyrillic letters are 66 bytes
        with pytest.raises(TelegramBadRequest) as error:
            await bot.send_message(USER, "too long", reply_markup=keyboard(("A", data)))
        assert error.value.message == "Bad Request: BUTTON_DATA_INVALID"


async def test_buttons_need_an_action_and_a_valid_url(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Just text")]]
            ),
        )
    assert error.value.message == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
        "inline keyboard"
    )

    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Call", url="tel:+77001234567")]]
            ),
        )
    assert error.value.message == (
        "Bad Request: inline keyboard button URL 'tel:+77001234567' is invalid: "
        "Unsupported URL protocol"
    )

    sent = await bot.send_message(
        USER,
        "x",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Site", url="https://example.org")]]
        ),
    )
    assert sent.reply_markup is not None


async def test_button_press_stays_pending_until_answered_once(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    await bot.send_message(USER, "Menu", reply_markup=keyboard(("✕ Exit", "exit")))
    update = emulator.user_presses_button(USER, re.compile("Exit"))
    query = update["callback_query"]
    assert query["data"] == "exit" and query["message"]["text"] == "Menu"
    assert [q["id"] for q in emulator.unanswered_callback_queries()] == [query["id"]]

    with pytest.raises(TelegramBadRequest) as error:
        await bot.answer_callback_query(query["id"], text="x" * 201)
    assert error.value.message == "Bad Request: MESSAGE_TOO_LONG"
    assert emulator.unanswered_callback_queries() != []

    assert await bot.answer_callback_query(query["id"], text="Closed")
    assert emulator.unanswered_callback_queries() == []
    assert emulator.events(USER)[-1].text == "Closed"
    with pytest.raises(TelegramBadRequest) as error:
        await bot.answer_callback_query(query["id"])
    assert error.value.message == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_only_buttons_currently_on_the_message_can_be_pressed(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    sent = await bot.send_message(USER, "Menu", reply_markup=keyboard(("Old", "old")))
    await bot.edit_message_reply_markup(
        chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("New", "new"))
    )

    with pytest.raises(EmulatorError, match="no button"):
        emulator.user_presses_button(USER, "Old", message_id=sent.message_id)
    forged = emulator.user_presses_button(USER, data="admin:delete-all", forged=True)
    assert forged["callback_query"]["data"] == "admin:delete-all"


# ---- people, chats, topics -----------------------------------------------------------------


async def test_chats_the_bot_cannot_reach(bot: Bot, emulator: TelegramEmulator) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(999, "hi")
    assert error.value.message == "Bad Request: chat not found"

    emulator.add_private_user(502, "Dilnoza")  # has never written to the bot
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(502, "hi")
    emulator.user_sends_text(502, "/start")
    assert (await bot.send_message(502, "hi")).chat.id == 502


async def test_blocked_user_gives_403_and_a_my_chat_member_update(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    update = emulator.block_bot(USER)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"

    with pytest.raises(TelegramForbiddenError) as error:
        await bot.send_message(USER, "Are you there?")
    assert error.value.message == "Forbidden: bot was blocked by the user"

    emulator.unblock_bot(USER)
    await bot.send_message(USER, "Welcome back")


async def test_a_bot_added_to_a_group_is_told_and_can_leave_it(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    joined, added = emulator.user_adds_bot_to_group(USER, title="Family", kind="group")
    updates = await bot.get_updates()  # parsed by aiogram, as from Telegram
    assert [u.update_id for u in updates] == [joined["update_id"], added["update_id"]]
    change = updates[0].my_chat_member
    assert change is not None and change.chat.type == "group" and change.chat.id < 0
    assert change.from_user.id == USER
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    service = updates[1].message
    assert service is not None and service.new_chat_members is not None
    assert [member.id for member in service.new_chat_members] == [bot.id]
    group = change.chat.id
    await bot.send_message(group, "Hello")

    assert await bot.leave_chat(group) is True
    left = (await bot.get_updates(offset=updates[-1].update_id + 1))[-1].my_chat_member
    assert left is not None and left.from_user.id == bot.id  # its own change, from itself
    assert left.new_chat_member.status == "left"
    assert (await bot.get_chat_member(group, bot.id)).status == "left"
    for call in (bot.send_message(group, "Still here?"), bot.leave_chat(group)):
        with pytest.raises(TelegramForbiddenError) as error:
            await call
        assert error.value.message == "Forbidden: bot is not a member of the group chat"
    # What people write there no longer reaches the bot.
    emulator.drop_updates_before(10**6)
    emulator.user_sends_text(USER, "Where did it go?", chat_id=group)
    assert emulator.pending_update_count() == 0

    again, _ = emulator.user_adds_bot_to_group(USER, group, as_admin=True)
    assert again["my_chat_member"]["new_chat_member"]["status"] == "administrator"
    await bot.send_message(group, "Back")
    with pytest.raises(EmulatorError):
        emulator.user_adds_bot_to_group(USER, group)  # it is in already
    with pytest.raises(TelegramBadRequest) as error:
        await bot.leave_chat(USER)
    assert error.value.message == (
        "Bad Request: chat member status can't be changed in private chats"
    )


async def test_a_channel_takes_the_bot_as_admin_and_posting_needs_the_right(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    with pytest.raises(EmulatorError):
        emulator.user_adds_bot_to_group(USER, kind="channel")  # only as an administrator
    updates = emulator.user_adds_bot_to_group(
        USER, title="News", kind="channel", as_admin=True, can_post_messages=False
    )
    assert len(updates) == 1  # no service message in a channel
    [update] = await bot.get_updates()
    change = update.my_chat_member
    assert change is not None and change.chat.type == "channel"
    assert change.new_chat_member.status == "administrator"
    assert change.new_chat_member.can_post_messages is False
    channel = change.chat.id
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(channel, "Hello")
    assert error.value.message == "Bad Request: need administrator rights in the channel chat"
    post = emulator.user_posts_in_channel(USER, channel, "Today's news")["channel_post"]
    assert post["sender_chat"]["id"] == channel and "from" not in post  # nobody named
    with pytest.raises(EmulatorError):
        emulator.user_sends_text(USER, "x", chat_id=channel)

    await bot.leave_chat(channel)
    with pytest.raises(TelegramForbiddenError) as error:
        await bot.send_message(channel, "Hello")
    assert error.value.message == "Forbidden: bot is not a member of the channel chat"
    emulator.user_adds_bot_to_group(USER, channel, kind="channel", as_admin=True)
    sent = await bot.send_message(channel, "Hello")
    assert sent.sender_chat is not None and sent.sender_chat.id == channel


async def test_forum_topics(bot: Bot, emulator: TelegramEmulator) -> None:
    emulator.add_supergroup(GROUP, "Operators", members=[USER])
    topic = await bot.create_forum_topic(GROUP, "Case 17")

    sent = await bot.send_message(GROUP, "New case", message_thread_id=topic.message_thread_id)
    assert (sent.message_thread_id, sent.is_topic_message) == (topic.message_thread_id, True)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(GROUP, "x", message_thread_id=topic.message_thread_id + 100)
    assert error.value.message == "Bad Request: message thread not found"

    assert await bot.close_forum_topic(GROUP, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.close_forum_topic(GROUP, topic.message_thread_id)
    assert error.value.message == "Bad Request: TOPIC_NOT_MODIFIED"

    me = await bot.get_chat_member(GROUP, bot.id)
    assert me.status == "administrator"
    assert (await bot.get_chat_member(GROUP, USER)).status == "member"
    reply = emulator.user_sends_text(
        USER, "taking it", chat_id=GROUP, message_thread_id=topic.message_thread_id
    )
    assert reply["message"]["is_topic_message"] is True

    emulator.add_supergroup(GROUP - 1, "Plain group", is_forum=False)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.create_forum_topic(GROUP - 1, "x")
    assert error.value.message == "Bad Request: the chat is not a forum"


async def test_members_are_promoted_to_admins_and_the_creator_is_told_apart(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    emulator.add_private_user(502, "Dilnoza")
    emulator.add_private_user(503, "Timur")
    emulator.add_supergroup(GROUP, "Operators", members=[USER, 502])
    assert (await bot.get_chat_member(GROUP, USER)).status == "member"

    emulator.set_member_status(GROUP, USER, "administrator")
    admin = await bot.get_chat_member(GROUP, USER)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.can_manage_chat and not admin.can_promote_members
    emulator.set_member_status(GROUP, 502, "creator")
    assert isinstance(await bot.get_chat_member(GROUP, 502), ChatMemberOwner)
    with pytest.raises(EmulatorError):
        emulator.set_member_status(GROUP, USER, "creator")  # one owner per group
    with pytest.raises(EmulatorError):
        emulator.set_member_status(GROUP, 503, "administrator")  # not a member
    assert (await bot.get_chat_member(GROUP, 503)).status == "left"

    emulator.set_member_status(GROUP, USER, "member")  # demoted
    assert (await bot.get_chat_member(GROUP, USER)).status == "member"


async def test_command_menu_is_validated_per_language(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="menu", description="Меню")], language_code="ru")
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["menu"]
    assert await bot.get_my_commands(language_code="kk") == []

    with pytest.raises(TelegramBadRequest) as error:
        await bot.set_my_commands([BotCommand(command="Menu", description="x")])
    assert error.value.message == "Bad Request: BOT_COMMAND_INVALID"
    with pytest.raises(TelegramBadRequest) as error:
        await bot.set_my_commands(
            [BotCommand(command="menu", description="x")], language_code="kaz"
        )
    assert error.value.message == "Bad Request: invalid language code specified"


# ---- updates, faults, session --------------------------------------------------------------


async def test_get_updates_offset_confirms_earlier_updates(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    ids = [emulator.user_sends_text(USER, text)["update_id"] for text in ("a", "b", "c")]

    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.message.text for u in await bot.get_updates(offset=ids[1]) if u.message] == [
        "b",
        "c",
    ]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]  # "a" is gone for good
    assert await bot.get_updates(offset=ids[-1] + 1) == []

    await bot.get_updates(allowed_updates=["message"])
    await bot.send_message(USER, "x", reply_markup=keyboard(("B", "b")))
    emulator.user_presses_button(USER, "B")  # not asked for: Telegram does not queue it
    assert emulator.pending_update_count() == 0


async def test_rate_limit_fault_becomes_telegram_retry_after(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    emulator.fail_next("sendMessage", 1, 429, "Too Many Requests: retry after 5", retry_after=5)

    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(USER, "first")
    assert error.value.retry_after == 5
    assert "Too Many Requests: retry after 5" in error.value.message
    assert emulator.bot_messages(USER) == []  # the failed call did nothing

    await bot.send_message(USER, "second")
    assert [m.text for m in emulator.bot_messages(USER)] == ["second"]


async def test_server_error_fault_applies_to_any_method(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    emulator.fail_next(None, 2, 500, "Internal Server Error")

    with pytest.raises(TelegramServerError):
        await bot.get_me()
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER, "x")
    assert (await bot.get_me()).username == emulator.bot_user["username"]
    assert [name for name, _ in emulator.calls] == ["getMe", "sendMessage", "getMe"]
    assert [name for name, _ in emulator.errors] == ["getMe", "sendMessage"]


async def test_calls_are_logged_as_telegram_receives_them(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    await bot.send_message(USER, "x", reply_markup=keyboard(("A", "a")))

    params = emulator.calls_to("sendMessage")[0]
    assert params["chat_id"] == str(USER)  # form data: scalars are strings
    assert params["reply_markup"] == '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    assert params["parse_mode"] == "HTML"


async def test_unknown_method_and_wrong_token(emulator: TelegramEmulator) -> None:
    with pytest.raises(TelegramError) as error:
        emulator.call("sendTelepathy", {})
    assert (error.value.status, error.value.description) == (404, "Not Found")
    with pytest.raises(EmulatorError):  # real, but not emulated: a gap, not a 404
        emulator.call("sendInvoice", {})

    stranger = make_bot(emulator, token="7000001:someone-elses-token")
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await stranger.session.close()


async def test_dispatcher_polls_the_emulator_in_process(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Hello", reply_markup=keyboard(("Next", "next")))

    @dp.callback_query(F.data == "next")
    async def next_step(callback: CallbackQuery) -> None:
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("Step 2")
        await callback.answer()

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        emulator.user_sends_text(USER, "/start")
        await wait_until(lambda: emulator.last_bot_message(USER) is not None)
        emulator.user_presses_button(USER, "Next")
        await wait_until(lambda: not emulator.unanswered_callback_queries())
    finally:
        await dp.stop_polling()
        await polling

    assert [m.text for m in emulator.visible_messages(USER)] == ["/start", "Step 2"]
    assert emulator.errors == []


async def wait_until(condition: Any, seconds: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


# ---- the fake Bot API server over HTTP -----------------------------------------------------


@pytest.fixture
async def server(emulator: TelegramEmulator) -> AsyncIterator[FakeTelegramServer]:
    async with run_fake_telegram(emulator) as server:
        yield server


@pytest.fixture
async def http_bot(emulator: TelegramEmulator, server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = make_bot(emulator, session=AiohttpSession(api=server.api))
    yield bot
    await bot.session.close()


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def test_http_get_me_send_and_errors(http_bot: Bot, emulator: TelegramEmulator) -> None:
    assert (await http_bot.get_me()).username == emulator.bot_user["username"]

    sent = await http_bot.send_message(USER, "<b>Hi</b>", reply_markup=keyboard(("A", "a")))
    assert sent.text == "Hi" and emulator.last_bot_message(USER) is not None

    with pytest.raises(TelegramBadRequest) as error:
        await http_bot.send_message(USER, "<div>x</div>")
    assert error.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0'
    )


async def test_http_wrong_token_is_unauthorized(
    emulator: TelegramEmulator, server: FakeTelegramServer
) -> None:
    bot = make_bot(emulator, session=AiohttpSession(api=server.api), token="7000001:not-the-token")
    with pytest.raises(TelegramUnauthorizedError):
        await bot.get_me()
    await bot.session.close()


async def test_http_long_poll_returns_as_soon_as_an_update_exists(
    http_bot: Bot, emulator: TelegramEmulator
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(http_bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()  # held open, like Telegram

    emulator.user_sends_text(USER, "I need help")
    updates = await asyncio.wait_for(poll, 3)

    assert [u.message.text for u in updates if u.message] == ["I need help"]
    assert loop.time() - started < 3


async def test_http_second_poller_terminates_the_first(http_bot: Bot) -> None:
    first = asyncio.create_task(http_bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(http_bot.get_updates(timeout=1))

    with pytest.raises(TelegramConflictError) as error:
        await asyncio.wait_for(first, 3)
    assert "terminated by other getUpdates request" in error.value.message
    assert await second == []


async def test_webhook_delivery_with_secret_and_retry(
    http_bot: Bot, emulator: TelegramEmulator, server: FakeTelegramServer
) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    async with serve(app) as url:
        assert await http_bot.set_webhook(f"{url}/hook", secret_token="s3cret-Token_1")
        update = emulator.user_sends_text(USER, "hello")
        await server.wait_for(lambda _: len(received) >= 2, description="a redelivery")

        info = await http_bot.get_webhook_info()
        with pytest.raises(TelegramConflictError) as error:
            await http_bot.get_updates()

    assert [body["update_id"] for body, _ in received] == [update["update_id"]] * 2
    assert {secret for _, secret in received} == {"s3cret-Token_1"}
    assert [delivery.status for delivery in server.deliveries] == [500, 200]
    assert info.pending_update_count == 0
    assert info.last_error_message is not None and "500" in info.last_error_message
    assert error.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )


async def test_webhook_reply_in_the_response_is_executed(
    http_bot: Bot, emulator: TelegramEmulator, server: FakeTelegramServer
) -> None:
    # What bot/runner.py does: aiogram answers the webhook with the handler's method.
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"Got: {message.text}")

    app = web.Application()
    SimpleRequestHandler(dp, http_bot, handle_in_background=False, secret_token="secret").register(
        app, path="/hook"
    )
    async with serve(app) as url:
        await http_bot.set_webhook(f"{url}/hook", secret_token="secret")
        emulator.user_sends_text(USER, "ping")
        reply = await server.wait_for_bot_message(USER, contains="Got: ping")

    assert reply.from_bot
    assert server.emulator_errors == []


async def test_polling_bot_over_http(
    http_bot: Bot, emulator: TelegramEmulator, server: FakeTelegramServer
) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Welcome", reply_markup=keyboard(("Continue", "go")))

    @dp.callback_query(F.data == "go")
    async def go(callback: CallbackQuery) -> None:
        await callback.answer("Saved")

    polling = asyncio.create_task(
        dp.start_polling(
            http_bot, handle_signals=False, polling_timeout=2, close_bot_session=False
        )
    )
    try:
        emulator.user_sends_text(USER, "/start")
        welcome = await server.wait_for_bot_message(USER, contains="Welcome")
        emulator.user_presses_button(USER, "Continue", message_id=welcome.message_id)
        await server.wait_for(
            lambda emu: not emu.unanswered_callback_queries(),
            description="the button press to be answered",
        )
    finally:
        await dp.stop_polling()
        await polling

    assert emulator.events(USER)[-1].text == "Saved"
    assert emulator.errors == []

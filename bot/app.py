"""The composition root: one factory builds the bot for polling, webhook, the offline chat
and the tests alike, so what is tested is what runs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram_dialog import setup_dialogs
from aiogram_dialog.api.protocols import MessageManagerProtocol
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import dialogs
from bot import dialog_ids
from bot.alerts import OperatorAlerts
from bot.chat_journal import ChatJournal
from bot.complaints import ComplaintTemplates, TemplatesError, load_templates
from bot.complaints.templates import SUFFIX as TEMPLATE_SUFFIX
from bot.config import LANGUAGES, Settings
from bot.contacts import ContactBook, ContactsWatcher
from bot.contacts import load_paths as load_contacts
from bot.danger import DangerDetector, DangerListError, load_detector
from bot.db.engine import create_engine, create_session_factory
from bot.i18n import N_, PersonLocaleMiddleware, create_i18n
from bot.middlewares.database import DatabaseMiddleware
from bot.middlewares.journal import JournalMiddleware, JournalRequests
from bot.middlewares.throttling import (
    Counters,
    MemoryCounters,
    RedisCounters,
    ThrottlingMiddleware,
)
from bot.operators_chat import check_operators_chat
from bot.outbox import Outbox, OutboxWorker
from bot.regions import REGIONS_FILE, Regions, RegionsError, load_regions
from bot.reloading import FilesWatcher
from bot.security import Cipher, load_or_create_keys
from bot.selfhelp import SelfHelp, SelfHelpError, load_selfhelp
from bot.services.casework import CaseDesk, DeskThreads
from bot.services.hours import HoursError, OperatorHours
from bot.services.privacy import Privacy
from bot.services.retention import Periods, Retention
from bot.startup import StartupCalls
from bot.storage import EncryptedRedisStorage, PseudonymousKeyBuilder, SqlStorage
from dialogs import errors
from dialogs.danger import DangerMiddleware
from dialogs.operators.cards import CaseCards
from dialogs.operators.supervisors import Supervisors

logger = logging.getLogger(__name__)

COMPLAINTS = "complaints"
"""resources/complaints: the complaint templates, one folder per country."""


@dataclass
class Resources:
    """Long-lived things the dispatcher owns and closes on shutdown."""

    engine: AsyncEngine
    storage: BaseStorage
    isolation: BaseEventIsolation
    i18n: I18n
    contacts: ContactsWatcher
    outbox: Outbox
    sessions: async_sessionmaker[AsyncSession]
    cipher: Cipher
    desk: CaseDesk
    watchers: list[FilesWatcher]
    journal: ChatJournal
    retention: Retention
    worker: OutboxWorker | None = None  # needs the Bot, so it is made at startup
    startup: StartupCalls = field(default_factory=StartupCalls)
    """Start-up calls to Telegram, in the background until each has worked."""


class ResourcesError(Exception):
    """Files in resources/ with problems: the bot does not start (a wrong number in a crisis
    is harm). `.problems`: every one, as `file:line: what to fix`, contacts first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Content:
    """What NGO staff edit in resources/ (and the operators' hours from the settings)."""

    book: ContactBook
    selfhelp: SelfHelp
    danger: DangerDetector
    regions: Regions
    complaints: ComplaintTemplates
    hours: OperatorHours


def load_resources(settings: Settings) -> Content:
    """Everything NGO staff edit, read and validated once, every problem reported together."""
    problems: list[str] = []
    contacts = load_contacts([settings.contacts_dir])
    problems += map(str, contacts.problems)
    try:
        selfhelp = load_selfhelp(settings.resources_dir / "selfhelp")
    except SelfHelpError as error:
        problems += map(str, error.problems)
    try:
        # The whole check of the lists is `resources check`'s, the tests' and each reload's.
        danger = load_detector(settings.resources_dir / "danger", self_check=False)
    except DangerListError as error:
        problems += error.problems
    try:
        regions = load_regions(settings.resources_dir / REGIONS_FILE)
    except RegionsError as error:
        problems += error.problems
    try:
        complaints = load_templates(settings.resources_dir / COMPLAINTS)
    except TemplatesError as error:
        problems += map(str, error.problems)
    try:
        hours = OperatorHours.parse(
            settings.operators_hours, settings.operators_timezone, settings.operators_holidays
        )
    except HoursError as error:
        problems.append(str(error))
    if problems or contacts.book is None:
        raise ResourcesError(problems)
    return Content(contacts.book, selfhelp, danger, regions, complaints, hours)


def create_dispatcher(
    settings: Settings,
    *,
    message_manager: MessageManagerProtocol | None = None,
    clock: Callable[[], float] = time.time,
) -> Dispatcher:
    """Build the whole bot from settings. Nothing happens at import time; nothing is global.
    `clock`: the time the throttling counts by (the offline bot passes the emulator's)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = load_or_create_keys(settings)
    cipher = keys.cipher()
    pseudonymizer = keys.pseudonymizer()
    key_builder = PseudonymousKeyBuilder(pseudonymizer)

    engine = create_engine(settings.sqlalchemy_url)
    sessions = create_session_factory(engine)
    storage: BaseStorage
    isolation: BaseEventIsolation
    if settings.redis_url is not None and settings.redis_url.get_secret_value():
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url.get_secret_value())
        # Redis forgets a conversation unused for the retention period by itself.
        keep = timedelta(days=settings.conversation_retention_days)
        storage = EncryptedRedisStorage(redis, cipher, key_builder, state_ttl=keep, data_ttl=keep)
        isolation = RedisEventIsolation(redis, key_builder=key_builder)
        counters: Counters = RedisCounters(
            redis, settings.throttle_per_second, settings.throttle_per_minute
        )
    else:
        storage = SqlStorage(sessions, cipher, key_builder)
        # Per-person lock, so two quick taps are handled one after the other. One process
        # only: several replicas need REDIS_URL (RedisEventIsolation).
        isolation = SimpleEventIsolation()
        counters = MemoryCounters(settings.throttle_per_second, settings.throttle_per_minute)

    i18n = create_i18n(
        settings.locales_dir, settings.data_dir / "catalogs", settings.default_language
    )
    content = load_resources(settings)
    # Every message to the operators (and, later, every relay to a person) goes through the
    # outbox: stored in the database with the change that caused it, sent by one worker that
    # retries and respects Telegram's limits.
    outbox = Outbox(cipher, pseudonymizer)
    alerts = OperatorAlerts(
        settings.operators_chat_id, i18n, outbox, sessions, settings.operators_language
    )
    contacts = ContactsWatcher(
        settings.contacts_dir,
        on_error=alerts.contacts_broken,
        interval=settings.contacts_reload_seconds,
        book=content.book,
    )
    cards = CaseCards(i18n, settings.operators_language, content.regions)
    desk = CaseDesk(
        chat_id=settings.operators_chat_id,
        texts=cards,
        outbox=outbox,
        sessions=sessions,
        cipher=cipher,
        pseudonymizer=pseudonymizer,
        max_per_day=settings.cases_per_day,
        remind_after=timedelta(minutes=settings.case_reminder_minutes),
        remind_urgent_after=timedelta(minutes=settings.urgent_case_reminder_minutes),
        keep_closed=timedelta(days=settings.case_retention_days),
    )
    # Everything else NGO staff edit is reloaded the same way (contacts have their own watcher).
    watchers = [
        FilesWatcher(
            settings.resources_dir / "selfhelp",
            content.selfhelp,
            load_selfhelp,
            alerts.files_broken,
            settings.contacts_reload_seconds,
        ),
        FilesWatcher(
            settings.resources_dir / "danger",
            content.danger,
            load_detector,
            alerts.files_broken,
            settings.contacts_reload_seconds,
        ),
        FilesWatcher(
            settings.resources_dir / REGIONS_FILE,
            content.regions,
            load_regions,
            alerts.files_broken,
            settings.contacts_reload_seconds,
        ),
        FilesWatcher(
            settings.resources_dir / COMPLAINTS,
            content.complaints,
            load_templates,
            alerts.files_broken,
            settings.contacts_reload_seconds,
            suffixes=(TEMPLATE_SUFFIX,),
        ),
    ]
    resources = Resources(
        engine=engine,
        storage=storage,
        isolation=isolation,
        i18n=i18n,
        contacts=contacts,
        outbox=outbox,
        sessions=sessions,
        cipher=cipher,
        desk=desk,
        watchers=watchers,
        journal=ChatJournal(pseudonymizer, sessions),
        retention=Retention(engine, Periods.from_settings(settings)),
    )
    privacy = Privacy(desk, resources.journal)

    dp = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        disable_fsm=True,  # registered below, after the throttling
        settings=settings,
        resources=resources,
        contacts=contacts,
        selfhelp=content.selfhelp,
        danger=content.danger,
        regions=content.regions,
        complaints=content.complaints,
        operator_hours=content.hours,
        case_desk=desk,
        privacy=privacy,
        supervisors=Supervisors(),  # who may lift a block: the group's admins, asked briefly
    )
    # Floods first: a dropped update takes no per-person lock, reads no state and opens no
    # session, so aiogram's FSM middleware (dp.fsm, built by the Dispatcher from `storage`
    # and `isolation`) is registered after it rather than by the Dispatcher itself.
    dp.update.outer_middleware(
        ThrottlingMiddleware(
            counters,
            pseudonymizer,
            i18n,
            operators_chat_id=settings.operators_chat_id,
            default_language=settings.default_language,
            clock=clock,
        )
    )
    dp.update.outer_middleware(dp.fsm)
    # Runs inside aiogram's own FSM middleware and before every router's middlewares, so the
    # person's saved language is known when the locale is chosen.
    dp.update.outer_middleware(DatabaseMiddleware(sessions, pseudonymizer, cipher))
    # Inside it: every message of a private chat is noted, so Exit can delete the chat.
    dp.update.outer_middleware(JournalMiddleware(resources.journal))
    # Danger first: checked before any handler of any flow sees the message (inner middleware,
    # so it runs once the message has a handler, with the person's language already set).
    dp.message.middleware(DangerMiddleware())
    dp.edited_message.middleware(DangerMiddleware())
    dp.include_router(errors.create_router())
    dp.include_routers(*dialogs.get_routers(settings.operators_chat_id))
    dialog_ids.install()
    setup_dialogs(dp, events_isolation=isolation, message_manager=message_manager)
    # After setup_dialogs: its background-update observer must exist to get the locale too.
    PersonLocaleMiddleware(i18n).setup(dp)

    dp.startup.register(_on_startup)
    dp.shutdown.register(_on_shutdown)
    return dp


async def _on_startup(bot: Bot, resources: Resources) -> None:
    from bot.db.migrate import upgrade_to_head  # alembic is a third of a second to import

    await upgrade_to_head(resources.engine)
    # Every message the bot sends to a private chat is noted, whoever sends it.
    bot.session.middleware(JournalRequests(resources.journal))
    await resources.journal.start()
    desk = resources.desk
    resources.worker = OutboxWorker(
        resources.sessions,
        resources.cipher,
        bot,
        on_undeliverable=desk.undeliverable,
        threads=DeskThreads(desk),
    )
    resources.outbox.wake = resources.worker.wake
    await resources.worker.start()
    await desk.start()  # reminders of unclaimed cases
    await resources.retention.start()  # every hour: whatever is past its period is deleted
    await resources.contacts.start()  # the reloading; the files were read by load_resources
    for watcher in resources.watchers:
        await watcher.start()
    # Worth doing, never worth failing over: each goes on in the background until it works.
    calls = resources.startup
    calls.start("check the operators' group", lambda: check_operators_chat(bot, desk.chat_id))
    calls.start("set the command menu", lambda: set_commands(bot, resources.i18n))


async def _on_shutdown(resources: Resources) -> None:
    await resources.startup.stop()
    await resources.journal.stop()
    await resources.contacts.stop()
    for watcher in resources.watchers:
        await watcher.stop()
    await resources.desk.stop()
    await resources.retention.stop()
    if resources.worker is not None:
        await resources.worker.stop()
    await resources.storage.close()
    await resources.isolation.close()
    await resources.engine.dispose()


COMMANDS: tuple[tuple[str, str], ...] = (
    ("menu", N_("Main menu")),
    ("help", N_("What this bot is and how it works")),
    ("language", N_("Change language")),
    ("country", N_("Change country")),
    ("privacy", N_("What do you keep about me?")),
    ("forget", N_("Forget me: erase everything")),
    ("exit", N_("Close and clear this chat")),
)


async def set_commands(bot: Bot, i18n: I18n) -> None:
    """The command menu in each of the six languages (Telegram picks by the app's language).
    Errors go to the caller: at start-up, bot.startup tries again."""
    for language in (None, *LANGUAGES):
        locale = language or i18n.default_locale
        commands = [
            BotCommand(command=name, description=i18n.gettext(text, locale=locale))
            for name, text in COMMANDS
        ]
        await bot.set_my_commands(commands, language_code=language)


def create_bot(settings: Settings, session: BaseSession | None = None, **kwargs: Any) -> Bot:
    if session is None and settings.telegram_api_base:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    if settings.bot_token is None or not settings.bot_token.get_secret_value():
        raise ValueError("BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    return Bot(
        token,
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML,
            link_preview_is_disabled=True,
        ),
        **kwargs,
    )

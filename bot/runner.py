"""Running on Telegram: long polling, or a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import Resources, create_bot, create_dispatcher
from bot.config import Settings
from bot.security import load_or_create_keys
from bot.startup import keep_trying

logger = logging.getLogger(__name__)


async def run_polling(settings: Settings) -> None:
    dp = create_dispatcher(settings)
    bot = create_bot(settings)
    # A webhook left from an earlier deployment would make getUpdates fail with a conflict;
    # a Telegram that fails for a moment here costs a warning and another try.
    await keep_trying(
        "remove an earlier webhook", lambda: bot.delete_webhook(drop_pending_updates=False)
    )
    await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the pseudonym key: never an open endpoint."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    return load_or_create_keys(settings).pseudonymizer().of("webhook-secret")


def build_webhook_app(settings: Settings, dp: Dispatcher, bot: Bot) -> web.Application:
    assert settings.webhook_url
    path = urlsplit(settings.webhook_url).path or "/"
    secret = webhook_secret(settings)
    app = web.Application()
    # handle_in_background=False: Telegram gets 200 only once the update is handled, so an
    # update that was in flight when a replica died is delivered again instead of lost.
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=secret).register(
        app, path=path
    )
    app.router.add_get("/healthz", _healthz)

    async def set_webhook() -> None:
        await bot.set_webhook(
            settings.webhook_url or "",
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
        )
        logger.info(
            "Webhook registered; listening on %s:%s%s",
            settings.webhook_host,
            settings.webhook_port,
            path,
        )

    async def register_webhook(resources: Resources) -> None:
        # In the background: the server listens at once, and Telegram delivers as soon as
        # the registration has gone through, however many tries it takes.
        resources.startup.start("register the webhook", set_webhook)

    dp.startup.register(register_webhook)
    setup_application(app, dp, bot=bot)
    return app


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def run_webhook(settings: Settings) -> None:
    dp = create_dispatcher(settings)
    bot = create_bot(settings)
    app = build_webhook_app(settings, dp, bot)
    # run_app handles SIGINT/SIGTERM and runs the dispatcher's startup and shutdown hooks.
    web.run_app(app, host=settings.webhook_host, port=settings.webhook_port, print=None)

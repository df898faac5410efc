"""`python -m bot run | chat | migrate`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Settings
from bot.logs import setup_logging

NO_TOKEN = """\
BOT_TOKEN is not set, so the bot cannot connect to Telegram.

  * To run on Telegram: get a token from @BotFather and put BOT_TOKEN=... in .env
    (copy .env.example) or in the environment, then run `make run` again.
  * To try the bot offline in this terminal, without a token or network: `make chat`
    (or `python -m bot chat`).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run on Telegram (polling, or webhook if WEBHOOK_URL is set)")
    chat = commands.add_parser("chat", help="talk to the bot offline in this terminal")
    chat.add_argument("--user-language", default=None, help="Telegram language_code to pretend")
    commands.add_parser("migrate", help="apply database migrations")
    args = parser.parse_args(argv)

    settings = Settings()
    if args.command == "run":
        setup_logging(settings.log_level)
        if settings.bot_token is None or not settings.bot_token.get_secret_value():
            print(NO_TOKEN, file=sys.stderr)
            return 2
        from bot import runner

        if settings.uses_webhook:
            runner.run_webhook(settings)
        else:
            asyncio.run(runner.run_polling(settings))
        return 0
    if args.command == "migrate":
        setup_logging(settings.log_level)
        return asyncio.run(_migrate(settings))
    if args.command == "chat":
        # The conversation is on screen; only warnings go to the log.
        setup_logging("WARNING")
        from bot.terminal import run_chat

        return asyncio.run(run_chat(settings, user_language=args.user_language))
    return 1


async def _migrate(settings: Settings) -> int:
    from bot.db.engine import create_engine
    from bot.db.migrate import upgrade_to_head

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    print("Database is up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot run | chat | migrate | purge | resources check | resources stale | keys`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.logs import setup_logging

if TYPE_CHECKING:
    from pathlib import Path  # imported lazily at run time: start-up reads this module

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
    commands.add_parser("purge", help="delete now whatever is past its retention period")
    resources = commands.add_parser("resources", help="check the files NGO staff edit")
    resource_commands = resources.add_subparsers(dest="resource_command", required=True)
    check = resource_commands.add_parser("check", help="validate the files NGO staff edit")
    check.add_argument("paths", nargs="*", help="files or folders (default: resources/contacts)")
    stale = resource_commands.add_parser("stale", help="list entries not checked for a while")
    stale.add_argument("--older-than", default="180d", help="e.g. 180d, 26w, 6m, 1y")
    stale.add_argument("paths", nargs="*", help="files or folders (default: resources/contacts)")
    keys = commands.add_parser("keys", help="add a new encryption key, re-encrypt stored data")
    keys.add_argument("key_command", choices=["add", "rotate"])
    args = parser.parse_args(argv)

    if args.command == "keys":
        from bot.keys_cli import main as keys_main

        return keys_main(args.key_command, Settings())

    if args.command == "resources":
        from bot.contacts import main_stale

        if args.resource_command == "check":
            return _check_resources(Settings(), args.paths)
        return main_stale(args.older_than, args.paths)

    settings = Settings()
    if args.command == "run":
        setup_logging(settings.log_level)
        if settings.bot_token is None or not settings.bot_token.get_secret_value():
            print(NO_TOKEN, file=sys.stderr)
            return 2
        from bot import runner
        from bot.app import ResourcesError

        try:
            if settings.uses_webhook:
                runner.run_webhook(settings)
            else:
                asyncio.run(runner.run_polling(settings))
        except ResourcesError as error:
            return _refuse(error)
        return 0
    if args.command == "migrate":
        setup_logging(settings.log_level)
        return asyncio.run(_migrate(settings))
    if args.command == "purge":
        return asyncio.run(_purge(settings))
    if args.command == "chat":
        # The conversation is on screen; only warnings go to the log.
        setup_logging("WARNING")
        from bot.app import ResourcesError
        from bot.terminal import run_chat

        try:
            return asyncio.run(run_chat(settings, user_language=args.user_language))
        except ResourcesError as error:
            return _refuse(error)
    return 1


def _check_resources(settings: Settings, paths: list[str]) -> int:
    """Contacts, self-help texts, danger word lists, complaint templates and regions: each
    file to its checker."""
    from pathlib import Path

    from bot.complaints import main_check as check_complaints
    from bot.contacts import main_check as check_contacts
    from bot.regions import REGIONS_FILE, check_regions_path
    from bot.selfhelp import main_check as check_selfhelp

    resources = settings.resources_dir.resolve()
    kinds: dict[str, list[str]] = {
        "contacts": [],
        "selfhelp": [],
        "danger": [],
        "complaints": [],
        "regions": [],
    }
    defaults = [str(resources / kind) for kind in ("contacts", "selfhelp", "danger", "complaints")]
    for path in paths or [*defaults, str(resources / REGIONS_FILE)]:
        resolved = Path(path).resolve()
        if resolved.name == REGIONS_FILE:
            kinds["regions"].append(path)
            continue
        kind = next(
            (k for k in kinds if resolved.is_relative_to(resources / k)),
            "contacts",  # a file elsewhere (a copy being edited) is taken for contacts
        )
        kinds[kind].append(path)
    status = 0
    for path in kinds["regions"]:
        problems = check_regions_path(Path(path))
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problems in {path}." if problems else f"{path} is fine.")
        status |= 1 if problems else 0
    if kinds["contacts"]:
        status |= check_contacts(kinds["contacts"])
    if kinds["selfhelp"]:
        status |= check_selfhelp(kinds["selfhelp"])
    if kinds["complaints"]:
        status |= check_complaints(kinds["complaints"])
    if kinds["danger"]:
        status |= _check_danger(resources / "danger", [Path(p) for p in kinds["danger"]])
    return status


def _check_danger(folder: Path, paths: list[Path]) -> int:
    """The word lists, and the labelled test cases in danger/cases/ (checked, not measured:
    `python -m bot.danger eval` measures)."""
    from bot.danger import check_danger_paths
    from bot.danger.evaluation import load_cases

    cases = folder.resolve() / "cases"
    lists = [p for p in paths if not p.resolve().is_relative_to(cases)]
    to_check = [p for p in paths if p.resolve().is_relative_to(cases)]
    if any(p.resolve() == folder.resolve() for p in lists) and cases.is_dir():
        to_check.append(cases)
    problems = check_danger_paths(lists) if lists else []
    if to_check:
        problems += load_cases(to_check)[1]
    for problem in problems:
        print(problem)
    print(
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the danger word lists "
        "and test cases."
        if problems
        else "The danger word lists and test cases are fine."
    )
    return 1 if problems else 0


def _refuse(error: Exception) -> int:
    """The bot does not start with broken files in resources/: say exactly what to fix."""
    for problem in getattr(error, "problems", []):
        print(problem, file=sys.stderr)
    print(
        "\nThe bot does not start with broken files in resources/ (a wrong number in a "
        "crisis is harm). Fix the lines above; `python -m bot resources check` checks again.",
        file=sys.stderr,
    )
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


async def _purge(settings: Settings) -> int:
    """What the running bot does every hour, once: prints how much went (counts only)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.engine import create_engine
    from bot.db.migrate import upgrade_to_head
    from bot.services.retention import Periods, Retention

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await upgrade_to_head(engine)
        erased = await Retention(engine, Periods.from_settings(settings)).purge()
    except SQLAlchemyError as error:
        print(
            f"Nothing was erased: the database failed ({type(error).__name__}).", file=sys.stderr
        )
        return 1
    finally:
        await engine.dispose()
    print(f"Erased: {erased}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot.contacts check|stale|schema`: the contact-file commands on their own.

The bot's own command line offers the same as `python -m bot resources check|stale`.
"""

from __future__ import annotations

import argparse
import sys

from bot.contacts.cli import main_check, main_stale
from bot.contacts.schema import write_schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.contacts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check contact files (default resources/contacts)")
    check.add_argument("paths", nargs="*")
    stale = commands.add_parser("stale", help="list entries not checked for a while")
    stale.add_argument("--older-than", default="180d", help="e.g. 180d, 26w, 6m (default 180d)")
    stale.add_argument("paths", nargs="*")
    commands.add_parser("schema", help="write resources/contacts/schema.json from the models")
    args = parser.parse_args(argv)
    if args.command == "check":
        return main_check(args.paths)
    if args.command == "stale":
        return main_stale(args.older_than, args.paths)
    print(f"Wrote {write_schema()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

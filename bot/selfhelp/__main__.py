"""`python -m bot.selfhelp check|schema`: the self-help file commands."""

from __future__ import annotations

import argparse
import sys

from bot.selfhelp.cli import main_check
from bot.selfhelp.schema import write_schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.selfhelp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check self-help files (default resources/selfhelp)")
    check.add_argument("paths", nargs="*", help="folders, or files (checked with their folder)")
    commands.add_parser("schema", help="write resources/selfhelp/schema.json from the models")
    args = parser.parse_args(argv)
    if args.command == "check":
        return main_check(args.paths)
    print(f"Wrote {write_schema()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

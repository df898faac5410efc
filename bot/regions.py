"""Regions and cities a person picks from in the legal-aid request form.

The list lives in `resources/regions.yaml` so that NGO staff can correct a name or add a place
without a developer. Because they edit it by hand, the loader finds every mistake at once and
names the line of each (`file:line: what is wrong, and how to fix it`), rather than stopping at
the first. Names go on Telegram buttons in six languages, so the checks aim at the mistakes
that are invisible on screen: a Latin `a` or `o` typed among Cyrillic letters, a Cyrillic
letter in Uzbek Latin, and `o'` written with a plain apostrophe instead of `oʻ` (U+02BB).

No aiogram here: the checker runs from the command line and in tests without the bot.

    python -m bot.regions [resources/regions.yaml]     # prints problems, exit status 1 if any
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config import COUNTRIES, LANGUAGES
from bot.contacts.schema import LANGUAGE_NAMES as _LANGUAGE_NAMES

REGIONS_FILE = "regions.yaml"
"""File name inside the resources folder (Settings.resources_dir)."""

MAX_NAME = 40
"""Longest name accepted; about 30 characters fit on a phone-wide Telegram button."""

CODE_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
"""ISO 3166-2 shape: country, dash, 1-3 capital letters or digits (e.g. KG-GB, KZ-75)."""

FALLBACK_LANGUAGE = "ru"
"""Read in all four countries; used only if asked for a language the file does not have."""

_KEYS = ("code", *LANGUAGES)
_CYRILLIC_ONLY = frozenset({"kk", "ky", "tg", "ru"})
_LATIN_ONLY = frozenset({"uz", "en"})
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_UZ_WRONG_MARK = re.compile(r"[oOgG]['‘’`ʼ]")


@dataclass(frozen=True)
class Region:
    """One first-level division (or city with that status) of a country."""

    code: str
    country: str
    names: Mapping[str, str] = field(hash=False)

    def name(self, language: str) -> str:
        """Name in `language`; Russian for a language the file does not have."""
        return self.names.get(language) or self.names[FALLBACK_LANGUAGE]


class Regions:
    """All regions of the service, in the order of the file (the order of the buttons)."""

    def __init__(self, regions: Iterable[Region]) -> None:
        by_country: dict[str, list[Region]] = {country: [] for country in COUNTRIES}
        self._by_code: dict[str, Region] = {}
        for region in regions:
            by_country.setdefault(region.country, []).append(region)
            self._by_code[region.code] = region
        self._by_country = {country: tuple(items) for country, items in by_country.items()}

    def replace_with(self, other: Regions) -> None:
        """Serve `other`'s content from now on (a reload while the bot runs): the handlers
        keep this object, and it changes in one step, between two updates."""
        vars(self).update(vars(other))

    def for_country(self, country: str) -> tuple[Region, ...]:
        """Regions of one country in file order; empty for a country the service lacks."""
        return self._by_country.get(country, ())

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def name(self, code: str, language: str) -> str | None:
        """Name of the region with `code`, or None if no region has that code."""
        region = self._by_code.get(code)
        return region.name(language) if region is not None else None

    def __len__(self) -> int:
        return len(self._by_code)


class RegionsError(Exception):
    """The file has problems; `problems` lists all of them, each `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_regions(path: Path) -> Regions:
    """Read and check the file; raise RegionsError with every problem if it has any."""
    regions, problems = _read(path)
    if problems:
        raise RegionsError(problems)
    return Regions(regions)


def check_regions_path(path: Path) -> list[str]:
    """Problems of the file, `file:line: what is wrong, and how to fix it`; [] when fine."""
    return _read(path)[1]


def _read(path: Path) -> tuple[list[Region], list[str]]:
    checker = _Checker(path)
    regions = checker.run()
    checker.problems.sort(key=lambda item: item[0])  # stable: same line keeps its order
    return regions, [f"{path}:{line}: {message}" for line, message in checker.problems]


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style is None and node.value in _NULLS


def _letters(text: str, script: str) -> list[str]:
    """Distinct letters of `text` whose Unicode name starts with `script` (LATIN, CYRILLIC)."""
    found: list[str] = []
    for char in text:
        if char.isalpha() and unicodedata.name(char, "").startswith(script) and char not in found:
            found.append(char)
    return found


class _Checker:
    """Walks the YAML nodes (which carry their line) and collects every problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[tuple[int, str]] = []
        self.codes: dict[str, int] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def run(self) -> list[Region]:
        root = self._compose()
        if root is None:
            return []
        if not isinstance(root, MappingNode):
            self.problem(
                _line(root),
                "the file must be a list of countries (`KZ:`, `KG:`, `TJ:`, `UZ:` at the start "
                "of a line, each followed by its regions): see the comment at the top",
            )
            return []
        regions: list[Region] = []
        seen: dict[str, int] = {}
        for key_node, value_node in root.value:
            country = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            line = _line(key_node)
            if country in seen:
                self.problem(
                    line,
                    f"`{country}:` is written twice (first on line {seen[country]}): put all "
                    f"its regions under one `{country}:` and remove the other",
                )
                continue
            seen[country] = line
            if country not in COUNTRIES:
                self.problem(
                    line,
                    f"`{country}` is not a country of the service: use one of "
                    f"{', '.join(COUNTRIES)} (capital letters), or remove this block",
                )
                continue
            regions.extend(self._country(country, value_node, line))
        for country in COUNTRIES:
            if country not in seen:
                self.problem(1, f"`{country}:` is missing: add it with the list of its regions")
        return regions

    def _compose(self) -> Node | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problem(1, "the file does not exist: restore resources/regions.yaml from git")
            return None
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            self.problem(line, "the file is not UTF-8 text: save it again as UTF-8")
            return None
        except OSError as exc:
            self.problem(1, f"the file cannot be read ({exc.strerror})")
            return None
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only: nothing is built
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            detail = (exc.problem or exc.context or "").strip()
            self.problem(
                mark.line + 1 if mark is not None else 1,
                f"the YAML cannot be read here ({detail}): check the indentation (spaces, "
                "no tabs) and put a name that contains `:` or `#` in quotes",
            )
            return None
        except yaml.YAMLError as exc:
            self.problem(1, f"the file cannot be read as YAML ({exc})")
            return None
        if root is None or _is_null(root):
            self.problem(1, "the file is empty: restore resources/regions.yaml from git")
            return None
        return root

    def _country(self, country: str, node: Node, line: int) -> list[Region]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.problem(
                line if _is_null(node) else _line(node),
                f"`{country}:` must be followed by a list of regions, each starting with "
                "`- code:` on its own line, indented under it",
            )
            return []
        regions: list[Region] = []
        names_seen: dict[tuple[str, str], int] = {}
        for item in node.value:
            region = self._entry(country, item, names_seen)
            if region is not None:
                regions.append(region)
        return regions

    def _entry(
        self, country: str, node: Node, names_seen: dict[tuple[str, str], int]
    ) -> Region | None:
        line = _line(node)
        if not isinstance(node, MappingNode):
            self.problem(
                line,
                "a region must have `code:` and a name for each language (kk, ky, tg, uz, "
                "ru, en), each on its own line: see the entries above or below",
            )
            return None
        values: dict[str, tuple[str, int]] = {}
        ok = True
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            key_line = _line(key_node)
            if key not in _KEYS:
                self.problem(
                    key_line,
                    f"unknown field `{key}`: a region has only `code` and the languages "
                    f"{', '.join(LANGUAGES)}; check the spelling or remove the line",
                )
                ok = False
                continue
            if key in values:
                self.problem(
                    key_line,
                    f"`{key}` is written twice in this region (first on line "
                    f"{values[key][1]}): keep one",
                )
                ok = False
                continue
            if not isinstance(value_node, ScalarNode) or _is_null(value_node):
                what = "the code" if key == "code" else f"the {_LANGUAGE_NAMES[key]} name"
                self.problem(key_line, f"`{key}` is empty: write {what} after `{key}: `")
                values[key] = ("", key_line)
                ok = False
                continue
            values[key] = (str(value_node.value).strip(), _line(value_node))
        for key in _KEYS:
            if key not in values:
                what = "the region's code" if key == "code" else f"the {_LANGUAGE_NAMES[key]} name"
                self.problem(
                    line,
                    f"`{key}` is missing in this region: add a line `{key}: ...` with "
                    f"{what} (all six languages are needed)",
                )
                ok = False
        code_ok = "code" in values and self._code(country, *values["code"])
        for language in LANGUAGES:
            if language in values and values[language][0]:
                ok = self._name(language, *values[language]) and ok
                key = (language, values[language][0])
                if key in names_seen:
                    self.problem(
                        values[language][1],
                        f"the {_LANGUAGE_NAMES[language]} name `{key[1]}` is already used "
                        f"on line {names_seen[key]}: two buttons would look the same; "
                        "make the names differ",
                    )
                    ok = False
                else:
                    names_seen[key] = values[language][1]
        if not (ok and code_ok):
            return None
        names = MappingProxyType({language: values[language][0] for language in LANGUAGES})
        return Region(code=values["code"][0], country=country, names=names)

    def _code(self, country: str, code: str, line: int) -> bool:
        if not CODE_PATTERN.match(code):
            self.problem(
                line,
                f"the code `{code}` is not in the form `{country}-X`: two capital letters, "
                "a dash, then 1 to 3 capital letters or digits (e.g. KG-GB, KZ-75)",
            )
            return False
        if not code.startswith(f"{country}-"):
            self.problem(
                line,
                f"the code `{code}` belongs to another country, but this region is listed "
                f"under `{country}:`: move it to the right country or fix the code",
            )
            return False
        if code in self.codes:
            self.problem(
                line,
                f"the code `{code}` is already used on line {self.codes[code]}: each region "
                "needs its own code; fix one of the two",
            )
            return False
        self.codes[code] = line
        return True

    def _name(self, language: str, name: str, line: int) -> bool:
        label = _LANGUAGE_NAMES[language]
        ok = True
        if len(name) > MAX_NAME:
            self.problem(
                line,
                f"the {label} name has {len(name)} characters, at most {MAX_NAME} fit on a "
                "button: shorten it (about 30 is best)",
            )
            ok = False
        if language in _CYRILLIC_ONLY and (latin := _letters(name, "LATIN")):
            self.problem(
                line,
                f"the {label} name `{name}` contains Latin letters ({', '.join(latin)}): "
                "retype them with the Cyrillic keyboard (Latin a, o, e, c, p, x look the same)",
            )
            ok = False
        if language in _LATIN_ONLY and (cyrillic := _letters(name, "CYRILLIC")):
            self.problem(
                line,
                f"the {label} name `{name}` contains Cyrillic letters ({', '.join(cyrillic)}): "
                "retype them with the Latin keyboard"
                + (" (Uzbek is written here in Latin script)" if language == "uz" else ""),
            )
            ok = False
        if language == "uz" and (wrong := _UZ_WRONG_MARK.search(name)):
            self.problem(
                line,
                f"the Uzbek name `{name}` writes `{wrong.group()}` with the wrong mark: "
                f"write oʻ and gʻ with ʻ (U+02BB, copy it from here: ʻ), not ' ‘ ’ or `",
            )
            ok = False
        return ok


def main(argv: list[str] | None = None) -> int:
    """Print the problems of the file (default: resources/regions.yaml); 1 if there are any."""
    args = sys.argv[1:] if argv is None else argv
    default = Path(__file__).resolve().parent.parent / "resources" / REGIONS_FILE
    path = Path(args[0]) if args else default
    problems = check_regions_path(path)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problems in {path}." if problems else f"{path} is fine.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

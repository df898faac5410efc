"""Every catalog complete, and every translation usable where it is shown."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot.config import LANGUAGES
from bot.i18n import compile_catalogs, normalize_language, read_catalog

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z-]+[^>]*>")
COMMAND = re.compile(r"/[a-z]+\b")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_WORD = re.compile(r"(?<![/{<])\b[A-Za-z]{2,}\b")
OWN_LETTERS = {"kk": "әғқңөұүһі", "ky": "ңөү", "tg": "ғӣқӯҳҷ"}


def catalog(language: str) -> Catalog:
    return read_catalog(LOCALES / language / "LC_MESSAGES" / "messages.po", locale=language)


def messages(language: str) -> list[tuple[str, str]]:
    return [(m.id, m.string) for m in catalog(language) if m.id]


def test_template_lists_every_text_in_the_code(tmp_path: Path) -> None:
    """locales/messages.pot is up to date: `python3 scripts/dev.py i18n` was run."""
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "Tr",
            "-k",
            "N_",
            "-k",
            "__",
            "-k",
            "lazy_ngettext:1,2",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            "bot",
            "dialogs",
        ],
        cwd=LOCALES.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    fresh = pot.read_text(encoding="utf-8")
    committed = (LOCALES / "messages.pot").read_text(encoding="utf-8")
    ids = re.compile(r'^msgid "(.*)"$', re.M)
    assert set(ids.findall(fresh)) == set(ids.findall(committed))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    template_ids = {m.id for m in read_catalog(LOCALES / "messages.pot") if m.id}
    translated = {msgid for msgid, text in messages(language) if text}
    assert template_ids - translated == set(), f"untranslated in {language}"
    assert not [m.id for m in catalog(language) if m.id and m.fuzzy], "fuzzy entries left"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_tags_and_commands(language: str) -> None:
    for msgid, text in messages(language):
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid
        assert TAG.findall(text) == TAG.findall(msgid), msgid
        assert sorted(COMMAND.findall(text)) == sorted(COMMAND.findall(msgid)), msgid
        assert "&" not in text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


@pytest.mark.parametrize("language", ["kk", "ky", "tg"])
def test_cyrillic_languages_use_their_own_letters_and_no_latin(language: str) -> None:
    texts = [text for _, text in messages(language)]
    joined = "\n".join(texts)
    assert all(letter in joined.lower() for letter in OWN_LETTERS[language][:2])
    for text in texts:
        stripped = TAG.sub("", PLACEHOLDER.sub("", COMMAND.sub("", text)))
        assert not LATIN_WORD.findall(stripped), text


def test_uzbek_is_latin_with_proper_o_and_g() -> None:
    texts = [text for _, text in messages("uz")]
    for text in texts:
        assert not CYRILLIC.search(text), text
        # oʻ and gʻ with U+02BB, not an apostrophe or a backtick.
        assert not re.search(r"[OoGg]['`‘’]", text), text
    assert any("ʻ" in text for text in texts)


def test_compiled_catalogs_fall_back_to_russian(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    for language in LANGUAGES:
        folder = locales / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        text = {"ru": "Привет", "kk": ""}.get(language, "Hello")
        (folder / "messages.po").write_text(
            f'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "Hello"\nmsgstr "{text}"\n',
            encoding="utf-8",
        )
    from gettext import GNUTranslations

    out = compile_catalogs(locales, tmp_path / "out")
    with (out / "kk" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        assert GNUTranslations(handle).gettext("Hello") == "Привет"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ru", "ru"), ("uz-Latn", "uz"), ("en-US", "en"), ("kk", "kk"), ("de", None), (None, None)],
)
def test_telegram_language_codes_map_to_ours(code: str | None, expected: str | None) -> None:
    assert normalize_language(code) == expected

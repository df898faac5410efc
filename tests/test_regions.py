"""The region list NGO staff edit: the real file, and the messages a broken copy gets.

The messages are what staff see, so the tests pin the line and the words of each problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import COUNTRIES, LANGUAGES
from bot.regions import (
    RegionsError,
    check_regions_path,
    load_regions,
)

REAL_FILE = Path(__file__).resolve().parent.parent / "resources" / "regions.yaml"

EXPECTED_CODES = {
    "KZ": {
        "KZ-71", "KZ-75", "KZ-79", "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27",
        "KZ-31", "KZ-33", "KZ-35", "KZ-39", "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61",
        "KZ-62", "KZ-63",
    },
    "KG": {"KG-GB", "KG-GO", "KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y"},
    "TJ": {"TJ-DU", "TJ-SU", "TJ-KT", "TJ-RA", "TJ-GB"},
    "UZ": {
        "UZ-TK", "UZ-QR", "UZ-AN", "UZ-BU", "UZ-FA", "UZ-JI", "UZ-NG", "UZ-NW", "UZ-QA",
        "UZ-SA", "UZ-SI", "UZ-SU", "UZ-TO", "UZ-XO",
    },
}  # fmt: skip


def _entry(code: str, tag: str = "", **names: str) -> str:
    """YAML of one region; default names (a word and a tag, by default the code's digits)
    are valid in every script and differ between regions with different tags."""
    tag = tag or code.split("-")[1]
    defaults = {
        "kk": f"Аймақ {tag}",
        "ky": f"Аймак {tag}",
        "tg": f"Минтақа {tag}",
        "uz": f"Hudud {tag}",
        "ru": f"Регион {tag}",
        "en": f"Region {tag}",
    }
    defaults.update(names)
    lines = [f"  - code: {code}"] + [f"    {lang}: {text}" for lang, text in defaults.items()]
    return "\n".join(lines) + "\n"


def _valid_text() -> str:
    return "".join(f"{country}:\n" + _entry(f"{country}-1") for country in COUNTRIES)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing fragment, so tests do not count by hand."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(found) >= occurrence, f"{fragment!r} is not in the test file"
    return found[occurrence - 1]


def _problem_at(problems: list[str], path: Path, line: int, *words: str) -> str:
    """The one problem reported at path:line that contains all words."""
    prefix = f"{path}:{line}: "
    matching = [p for p in problems if p.startswith(prefix) and all(w in p for w in words)]
    assert len(matching) == 1, f"expected one problem at line {line} with {words}: {problems}"
    return matching[0]


# --- the real file -----------------------------------------------------------------------


def test_real_file_has_no_problems() -> None:
    assert check_regions_path(REAL_FILE) == []


def test_real_file_counts_and_codes_per_country() -> None:
    regions = load_regions(REAL_FILE)
    counts = {country: len(regions.for_country(country)) for country in COUNTRIES}
    assert counts == {"KZ": 20, "KG": 9, "TJ": 5, "UZ": 14}
    for country, codes in EXPECTED_CODES.items():
        assert {region.code for region in regions.for_country(country)} == codes
        assert all(region.country == country for region in regions.for_country(country))
    assert len(regions) == 48


def test_real_file_lists_the_capital_first() -> None:
    regions = load_regions(REAL_FILE)
    firsts = {country: regions.for_country(country)[0].code for country in COUNTRIES}
    assert firsts == {"KZ": "KZ-71", "KG": "KG-GB", "TJ": "TJ-DU", "UZ": "UZ-TK"}


def test_real_file_names() -> None:
    regions = load_regions(REAL_FILE)
    assert regions.name("KG-GB", "ky") == "Бишкек"
    assert regions.name("UZ-TK", "uz") == "Toshkent shahri"
    assert regions.name("UZ-FA", "uz") == "Fargʻona viloyati"
    assert regions.name("UZ-QR", "uz") == "Qoraqalpogʻiston Respublikasi"
    assert regions.name("KZ-19", "ru") == "Алматинская область"
    assert regions.name("KZ-75", "en") == "Almaty"
    bishkek = regions.get("KG-GB")
    assert bishkek is not None
    assert bishkek.country == "KG"
    assert set(bishkek.names) == set(LANGUAGES)


def test_unknown_code_language_and_country() -> None:
    regions = load_regions(REAL_FILE)
    assert regions.get("KG-ZZ") is None
    assert regions.name("KG-ZZ", "ru") is None
    assert regions.for_country("RU") == ()
    osh = regions.get("KG-GO")
    assert osh is not None
    assert osh.name("de") == osh.name("ru") == "Ош"  # a language the file lacks: Russian


def test_names_cannot_be_changed_after_loading() -> None:
    region = load_regions(REAL_FILE).get("TJ-DU")
    assert region is not None
    with pytest.raises(TypeError):
        region.names["en"] = "Stalinabad"  # type: ignore[index]


# --- a broken copy -----------------------------------------------------------------------


def test_valid_copy_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, _valid_text())
    assert check_regions_path(path) == []
    assert load_regions(path).name("TJ-1", "tg") == "Минтақа 1"


def test_broken_copy_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    text = (
        "KZ:\n"
        + _entry("KZ-1")
        + "  - code: KZ-2\n    kk: Атырау\n    ky: Атырау\n    tg: Атирау\n"
        "    uz: Atirau\n    ru: Атырау\n"  # no `en`
        + _entry("KZ-1", tag="9")  # the code again
        + _entry("KZ-3", kk="Aлматы")  # Latin A
        + _entry("KG-4")  # Kyrgyz code under KZ
        + "KG:\n"
        + _entry("KG-1", uz="Farg'ona viloyati")
        + "TJ:\n"
        + _entry("TJ-1")
        + "UZ:\n"
        + _entry("UZ-1")
        + "RU:\n"
        + _entry("RU-1")
    )
    path = _write(tmp_path, text)
    problems = check_regions_path(path)

    missing = _problem_at(problems, path, _line_of(text, "code: KZ-2"), "`en` is missing")
    assert "English" in missing
    duplicate = _problem_at(
        problems, path, _line_of(text, "code: KZ-1", 2), "`KZ-1` is already used"
    )
    assert f"on line {_line_of(text, 'code: KZ-1')}" in duplicate
    latin = _problem_at(problems, path, _line_of(text, "kk: Aлматы"), "Latin letters (A)")
    assert "Kazakh" in latin
    apostrophe = _problem_at(problems, path, _line_of(text, "Farg'ona"), "wrong mark")
    assert "ʻ" in apostrophe
    assert "g'" in apostrophe
    _problem_at(problems, path, _line_of(text, "RU:"), "`RU` is not a country")
    _problem_at(problems, path, _line_of(text, "code: KG-4"), "`KG-4` belongs to another country")
    assert len(problems) == 6, problems
    assert problems == sorted(problems, key=lambda p: int(p.split(":")[1]))

    with pytest.raises(RegionsError) as raised:
        load_regions(path)
    assert raised.value.problems == problems


def test_uz_with_cyrillic_and_kk_with_latin_o(tmp_path: Path) -> None:
    text = _valid_text().replace("uz: Hudud 1", "uz: Худуд 1", 1)
    text = text.replace("tg: Минтақа 1", "tg: Mинтaқa 1", 1)
    path = _write(tmp_path, text)
    problems = check_regions_path(path)
    uz = _problem_at(problems, path, _line_of(text, "Худуд"), "Cyrillic letters")
    assert "Х, у, д" in uz
    _problem_at(problems, path, _line_of(text, "Mинтaқa"), "Tajik", "Latin letters (M, a)")
    assert len(problems) == 2, problems


def test_other_apostrophes_in_uz(tmp_path: Path) -> None:
    for mark in ("‘", "’", "`"):
        text = _valid_text().replace("uz: Hudud 1", f"uz: Qo{mark}qon", 1)
        path = _write(tmp_path, text)
        problems = check_regions_path(path)
        assert len(problems) == 1, problems
        _problem_at(problems, path, _line_of(text, "Qo"), f"o{mark}", "wrong mark")
    text = _valid_text().replace("uz: Hudud 1", "uz: Qoʻqon", 1)
    assert check_regions_path(_write(tmp_path, text)) == []


def test_code_shape_unknown_field_empty_and_long_names(tmp_path: Path) -> None:
    long_name = "Очень длинное название области для кнопки"  # 41 characters
    text = (
        _valid_text()
        .replace("code: KG-1", "code: kg-1", 1)
        .replace("    ru: Регион 1\n", "    ru: Регион 1\n    de: Region 1\n", 1)
        .replace("en: Region 1", "en:", 1)
        .replace("ru: Регион 1", f"ru: {long_name}", 1)
    )
    path = _write(tmp_path, text)
    problems = check_regions_path(path)
    _problem_at(problems, path, _line_of(text, "kg-1"), "not in the form")
    _problem_at(problems, path, _line_of(text, "de: Region"), "unknown field `de`")
    _problem_at(problems, path, _line_of(text, "en:"), "`en` is empty")
    _problem_at(problems, path, _line_of(text, long_name), "41 characters", "at most 40")
    assert len(problems) == 4, problems


def test_missing_country_and_empty_list(tmp_path: Path) -> None:
    text = "KZ:\n" + _entry("KZ-1") + "KG:\nTJ: []\n"
    path = _write(tmp_path, text)
    problems = check_regions_path(path)
    _problem_at(problems, path, 1, "`UZ:` is missing")
    _problem_at(problems, path, _line_of(text, "KG:"), "`KG:` must be followed by a list")
    _problem_at(problems, path, _line_of(text, "TJ:"), "`TJ:` must be followed by a list")
    assert len(problems) == 3, problems


def test_same_name_twice_in_a_country(tmp_path: Path) -> None:
    text = _valid_text().replace("KG:\n", "KG:\n" + _entry("KG-2", ru="Регион 1"), 1)
    path = _write(tmp_path, text)
    problems = check_regions_path(path)
    # Occurrence 1 is in KZ (another list, so allowed); 2 is KG-2; 3 is KG-1 after it.
    twice = _problem_at(problems, path, _line_of(text, "ru: Регион 1", 3), "already used")
    assert f"on line {_line_of(text, 'ru: Регион 1', 2)}" in twice
    assert len(problems) == 1, problems


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = _valid_text().replace("    en: Region 1\n", "    en: Region 1\n\ten: tab\n", 1)
    path = _write(tmp_path, text)
    problems = check_regions_path(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{_line_of(text, 'tab')}: the YAML cannot be read")


def test_missing_and_non_mapping_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert check_regions_path(missing) == [
        f"{missing}:1: the file does not exist: restore resources/regions.yaml from git"
    ]
    path = _write(tmp_path, "- KZ\n- KG\n")
    problems = check_regions_path(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: the file must be a list of countries")

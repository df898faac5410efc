"""The matching rules that let a short list find what people mean, each on a small list."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.danger import DangerDetector, load_detector
from bot.danger.normalise import key, keys, normalise


def _detector(tmp_path: Path, **lists: str) -> DangerDetector:
    for language, body in lists.items():
        (tmp_path / f"{language}.yaml").write_text(body, encoding="utf-8")
    return load_detector(tmp_path)


def _kind(detector: DangerDetector, text: str) -> str | None:
    match = detector.check(text)
    return match.kind if match else None


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("olgim keledi", "өлгім келеді"),  # Kazakh in Latin letters
        ("ölgim keledı", "өлгім келеді"),  # the Kazakh Latin alphabet
        ("meni uryp jatyr", "мені ұрып жатыр"),
        ("menya byut", "меня бьют"),
        ("menia b'iut", "меня бьют"),
        ("xochu umeret", "хочу умереть"),
        ("khochu umeret", "хочу умереть"),
        ("murdan mekhoham", "мурдан мехоҳам"),
        ("komektesingder", "көмектесіңдер"),
    ],
)
def test_one_reading_key_for_both_alphabets(typed: str, listed: str) -> None:
    assert keys(normalise(typed)) == [key(word) for word in normalise(listed)]


def test_latin_typed_text_finds_the_cyrillic_phrase(tmp_path: Path) -> None:
    detector = _detector(
        tmp_path,
        kk="suicide:\n  - өлгім келеді\nviolence_now:\n  - мені ұрып жатыр\n",
        ru="violence_now:\n  - меня бьет\n",
        en="suicide:\n  - want to die\n",
    )
    assert _kind(detector, "olgim keledi") == "suicide"
    assert _kind(detector, "meni urip jatyr komektesinder") == "violence_now"
    assert _kind(detector, "on menya b'yot") == "violence_now"
    # English is read as written: "dye" is not "die" there.
    assert _kind(detector, "i want to dye my hair") is None
    assert _kind(detector, "i want to die") == "suicide"


def test_uzbek_cyrillic_finds_the_uzbek_latin_phrase(tmp_path: Path) -> None:
    detector = _detector(tmp_path, uz="suicide:\n  - ozimni oldir*\n  - oʻlgim kelyapti\n")
    for text in ("ўзимни ўлдираман", "узимни улдирмокчиман", "ўлгим келяпти", "улгим келяпти"):
        assert _kind(detector, text) == "suicide", text
    # Written with the mark in the list, the plain spelling means "I want to take it".
    assert _kind(detector, "kitob olgim kelyapti") is None
    assert _kind(detector, "o'lgim kelyapti") == "suicide"


def test_one_short_word_of_a_phrase_may_have_a_typo(tmp_path: Path) -> None:
    detector = _detector(
        tmp_path, ru="suicide:\n  - хочу умереть\nviolence_now:\n  - меня бьют\n  - спасите\n"
    )
    assert _kind(detector, "хчоу умереть") == "suicide"  # two letters swapped in хочу
    assert _kind(detector, "мнея бьют") == "violence_now"
    assert _kind(detector, "мена бьют") == "violence_now"
    assert _kind(detector, "мнея бют") == "violence_now"  # a missing ь is no typo at all
    # Not two typos in short words, and not a word that alone is the whole phrase.
    assert _kind(detector, "мнея бяют") is None
    assert _kind(detector, "пасите") is None
    # The first letter must be right: «хочу» is not «почу».
    assert _kind(detector, "почу умереть") is None


def test_a_stem_never_runs_into_a_turkic_negative_suffix(tmp_path: Path) -> None:
    detector = _detector(
        tmp_path,
        kk="self_harm:\n  - өзімді кес*\ndanger_now:\n  - мені өлтір*\n",
        uz="self_harm:\n  - ozimni kes*\n",
    )
    assert _kind(detector, "өзімді кесемін") == "self_harm"
    assert _kind(detector, "өзімді кестім кеше") == "self_harm"
    assert _kind(detector, "енді өзімді кеспеймін") is None  # I no longer cut myself
    assert _kind(detector, "мені өлтірмекші") == "danger_now"  # -мек: about to, not a negation
    assert _kind(detector, "ol meni oltirmeydi") is None
    assert _kind(detector, "endi o'zimni kesmayman") is None
    assert _kind(detector, "o'zimni kesdim") == "self_harm"


def test_english_spelt_out_negations_read_as_contractions(tmp_path: Path) -> None:
    detector = _detector(tmp_path, en="suicide:\n  - dont want to live\n")
    assert _kind(detector, "I do not want to live anymore") == "suicide"
    assert _kind(detector, "i dont want to live") == "suicide"
    assert normalise("he will not stop, I can not") == ["he", "wont", "stop", "i", "cant"]


def test_calm_context_cancels_talk_about_the_topic_in_its_sentence(tmp_path: Path) -> None:
    detector = _detector(
        tmp_path,
        ru=(
            "suicide:\n  - самоубийств*\n  - хочу умереть\n"
            "violence_now:\n  - меня бьют\n"
            "calm_context:\n  - что такое\n  - как помочь подруге\n"
        ),
    )
    assert _kind(detector, "что такое самоубийство?") is None
    assert _kind(detector, "как помочь подруге она говорит хочу умереть") is None
    # Another sentence is not talk about the topic.
    assert _kind(detector, "что такое жизнь. я хочу умереть") == "suicide"
    # Never violence or danger: those are answered whatever the sentence.
    assert _kind(detector, "что такое, меня бьют") == "violence_now"


def test_calm_context_is_a_list_heading_the_check_accepts(tmp_path: Path) -> None:
    detector = _detector(tmp_path, ru="suicide:\n  - суицид*\ncalm_context:\n  - в новостях\n")
    assert detector.counts()["ru"]["calm_context"] == 1


def test_a_typo_in_a_stem_never_hides_a_negation(tmp_path: Path) -> None:
    detector = _detector(
        tmp_path,
        kk="suicide:\n  - өлгім келе*\nself_harm:\n  - өзімді жарақатта*\n",
    )
    assert _kind(detector, "өлгім келеді") == "suicide"
    assert _kind(detector, "өлгім келмейді") is None  # a short stem gets no typo
    assert _kind(detector, "өзімді жарақаттадым") == "self_harm"
    assert _kind(detector, "өзімді жарқаттадым") == "self_harm"  # one letter left out
    assert _kind(detector, "өзімді жарақаттамаймын") is None
    assert _kind(detector, "өзімді жарқаттамаймын") is None  # a typo, then the negation


def test_a_short_word_looked_up_alone_is_found_with_a_swap_or_a_gap(tmp_path: Path) -> None:
    detector = _detector(tmp_path, en="danger_now:\n  - help me\n  - sos\n")
    for text in ("hlep me", "hep me pls", "help me"):
        assert _kind(detector, text) == "danger_now", text
    # Not both words wrong, and not a word that is a phrase by itself.
    assert _kind(detector, "hlep mi") is None
    assert _kind(detector, "oss") is None


def test_a_stem_ending_in_y_goes_on_into_ya_and_yu(tmp_path: Path) -> None:
    detector = _detector(tmp_path, uz="suicide:\n  - hammasiga nuqta qoy*\n")
    for text in ("hammasiga nuqta qo'yaman", "hammasiga nuqta qoyaman", "hammasiga nuqta qoydim"):
        assert _kind(detector, text) == "suicide", text
    assert _kind(detector, "ҳаммасига нуқта қўяман") == "suicide"

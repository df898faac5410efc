"""Danger first: recognise words about immediate danger, violence now, self-harm or suicide.

Whatever flow a person is in, any text they type is checked; on a match the bot shows the
emergency and crisis numbers of their country first (survivor-safety rule 6). The words are
in `resources/danger/kk.yaml`, `ky.yaml`, `tg.yaml`, `uz.yaml`, `ru.yaml` and `en.yaml`,
which NGO staff extend. **All six lists are checked for every text**, whatever language the
person chose: people mix Russian into Kazakh, Kyrgyz, Tajik and Uzbek, and write Russian in
Latin letters.

**A list file** has up to five headings, each followed by phrases, one per line:

    suicide:          # thoughts or plans of suicide
      - хочу умереть
    self_harm:        # hurting oneself
    violence_now:     # being beaten, attacked, raped right now; someone breaking in
    danger_now:       # in danger: he will kill me, locked in, he is coming back, help now
    not_danger:       # idioms that must not count: умираю со смеху, killing time
    calm_context:     # talk about the topic: что такое, в новостях, как помочь подруге

**Phrase syntax** (also explained at the top of every list):

* Words are matched as whole words, in the order written. One other word may stand between
  two phrase words: `хочу умереть` also finds «хочу сейчас умереть». That word may not be a
  negation (не, ни, not, never, no, don't, емес, жоқ, эмес, emas, yoʻq): «он меня не бьет» is
  not «он меня бьет».
* `...` between two words (spaces around it) lets up to three other words stand there:
  `маро ... маҳкам кард`.
* `*` at the end of a word lets the word go on: `суицид*` finds суицид, суицида,
  суицидальные. At least 3 letters before it; never at the start or in the middle of a word.
  Nothing else (`?`, `|`, brackets) has a meaning: write one variant per line.
* Capital letters, punctuation, emoji and repeated letters («помогитееее») do not matter.
  ё is е. The letters ә ғ қ ң ө ұ ү һ і (kk, ky), ӣ ӯ ҳ ҷ (tg) and ў (Cyrillic uz) also match
  the plain letters typed for them on a Russian keyboard (а г к н о у у х и, и у х ч, у): write
  a phrase once with its own letters; the plain spelling is found too.
* Latin letters that look like Cyrillic ones (a, o, e, c, p, x, y, k, m, t, H, B) are read in
  the alphabet of the rest of the word, and the other way round: «пoмoгитe» typed with some
  Latin letters is «помогите».
* Uzbek: ʻ ' ` ‘ ’ ʼ after o and g are all the same mark. A word written **without** the mark
  (`ozimni oldir*`) finds both «oʻzimni oʻldiraman» and «ozimni oldiraman»; a word written
  **with** it (`oʻlgim kelyapti`) finds only texts that have the mark, because without it the
  word means something else (olgim kelyapti: I want to buy it). Elsewhere apostrophes are
  ignored (don't = dont).
* **Typos (edit-distance rule):** a phrase word of 6 or more letters (for a word with `*`,
  6 or more letters before it) also matches a typed word with one typo (one letter missing,
  extra or wrong, or two neighbouring letters swapped) provided its first three letters are
  right: «суицыд» (суицид*), "suicde" (suicide), «самоубиство», «хочеться». In a danger
  phrase of several words, one more word may have a typo if it has 4 or more letters (a stem:
  5 or more before *) and its first letter is right: «хчоу умереть», «мнея бьют»; the other
  words must be right. Calming phrases get no such allowance. A missing ь or ъ is no typo.
* **Alphabets (the reading key, normalise.key):** kk, ky, tg, ru and uz phrases are matched
  through a key where Cyrillic and the informal Latin spellings coincide (х/h/x/kh, ж/j/zh,
  ы/и/y/ı, я/ya/ia, ш/sh, ч/ch, ё/yo, қ/q/k…): «өлгім келеді» finds "olgim keledi", «меня
  бьют» finds "menya byut". Uzbek phrases in Latin also find Uzbek typed in Cyrillic, where
  oʻ is ў (typed у). English is matched as typed.
* **Negations.** Besides the gap rule above, in kk, ky and uz lists a `*` never runs into a
  negative suffix (ма ме ба бе па пе мо бо по, ma: «өзімді кес*» does not find кеспеймін),
  and a typo never adds or removes one (kelmadi is not keladi). English "do not", "can not",
  "will not" are read as dont, cant, wont.

**Idioms.** A `not_danger` phrase cancels only a danger phrase that overlaps it in the text:
«умираю со смеху» cancels «умираю», but «умираю со смеху, а потом хочу умереть» still
counts. The check reports a danger phrase that an idiom would always cancel.

**Calm context.** A `calm_context` phrase («что такое», «в новостях», «как помочь подруге»)
cancels suicide and self_harm phrases in the same sentence (split at . ! ? ; and new lines),
never violence_now or danger_now.

**Kind priority.** When a text holds several, `check` returns the most urgent:
suicide, then violence_now, then danger_now, then self_harm (see `PRIORITY`); within a kind,
the earliest in the text; for a phrase in several lists, the person's language if given.

**Checking an edit:** `python -m bot.danger check` (or with files/folders as arguments) lists
every problem as `file:line: message` — unknown kind, empty phrase, a phrase that could never
match, a misplaced `*` or `...`, a duplicate (also one that differs only in capitals, ё/е or
special letters), a YAML syntax error with its line — and exits with 1 if there is any.
`python -m bot.danger eval [PATH]` measures the lists on the labelled messages of
`resources/danger/cases/` (see evaluation.py); `python -m bot.danger bench` prints how long a
check of a 5,000-character text takes.

**Privacy.** The detector keeps nothing of the texts it checks, and this package never logs;
a `DangerMatch` names the list entry that matched, never the person's words. Callers must not
log the text either (rule 3).

Public API:

    load_detector(directory: Path) -> DangerDetector   # raises DangerListError(.problems)
    check_danger_paths(paths) -> list[str]              # "file:line: message", [] when fine
    detector.check(text) -> DangerMatch | None          # .kind .language .phrase .line
    detector.check(text, language="kk")                 # the person's language breaks ties
    detector.check_all(text) -> list[DangerMatch]       # every match, most urgent first
    DEFAULT_DIRECTORY, DANGER_KINDS, PRIORITY, normalise(text) -> list[str]
"""

from bot.danger.detector import (
    ALL_KINDS,
    DANGER_KINDS,
    NOT_DANGER,
    PRIORITY,
    DangerDetector,
    DangerMatch,
    Phrase,
)
from bot.danger.loader import (
    DEFAULT_DIRECTORY,
    DangerListError,
    check_danger_paths,
    load_detector,
)
from bot.danger.normalise import normalise

__all__ = [
    "ALL_KINDS",
    "DANGER_KINDS",
    "DEFAULT_DIRECTORY",
    "NOT_DANGER",
    "PRIORITY",
    "DangerDetector",
    "DangerListError",
    "DangerMatch",
    "Phrase",
    "check_danger_paths",
    "load_detector",
    "normalise",
]

"""Match keys for names in every script, a looser key for transliterations, ranked suggestions.

Two tiers, so that a name matches what a reader would call the same name and
nothing else:

* ``name_key`` (exact tier): Unicode NFKC, case-folded, combining marks dropped
  (accents, Arabic harakat and hamza seats, Hebrew points), punctuation and
  spacing dropped; the letters and digits of every script are kept, so
  ``Україна`` and ``Росія`` stay two names. Latin letters that do not decompose
  (``ł``, ``ø``, ``đ``, ``ı``) are transliterated, so ``Łódź`` is ``Lodz``.
  Digits of any script are read as their value (``٣`` is ``3``).
* ``loose_key`` (looser tier, for transliterated names): the name in Latin
  letters (anyascii), leading Arabic articles dropped (``al-``, ``ash-``,
  ``ال``...), words that name the kind of unit (``raion``, ``oblast``)
  dropped and (``loose_keys``) a Slavic adjective also read as the name of
  its centre (``Бахмутський район`` is ``Bakhmut``), Cyrillic ``г`` read as ``g`` and as ``h``
  (Russian and Ukrainian romanisation: ``Луганська`` is ``Luhansk``), a final ``-eh``/``-ah`` read as ``-e``/``-a``, and each word
  reduced to its first letter, its consonants with doubled letters collapsed,
  and whether it ends in a vowel: ``Sheikh Khodr`` and ``Sheikh Kheder``, ``Haydariya`` and
  ``al-Haydariyeh``, ``Qasr`` and ``Qaser`` share one. It is loose on purpose,
  so callers use it only when it points at exactly one candidate, and say so.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic articles as transliterated (sun-letter assimilation gives ash-, as-, ad-, ...).
ARTICLES = frozenset("al el il ul el as ash ad adh at ath ar az an aj at ad".split())
# Words that say what kind of unit a name is ('Бахмутський район' is the raion of Bakhmut), in Latin letters.
UNIT_WORDS = frozenset(
    "raion rayon raioni oblast oblasti hromada hromady misto gorod district municipality "
    "governorate muhafazah nahiya qada".split()
)
# Slavic adjective endings that make a unit's name from its centre's (Bakhmutskyi, Donetska): the centre is
# the stem or the stem + 'sk' (Bakhmut, Donetsk), so both are tried.
_ADJECTIVE = re.compile(r"^([a-z]{3,}?)sk(?:yi|ii|iy|yy|y|a|e|aya|aia|oe|oye)$")
_CYRILLIC_GHE = re.compile("[Гг]")
_ARABIC_ARTICLE = re.compile(r"^(ال|وال|بال)(?=\w{2,})")
_VOWELS = set("aeiouy")
_WORD = re.compile(r"[0-9a-z]+")
_APOSTROPHES = re.compile(r"['’‘`ʼʿʾ´]")
_DIGIT_GAP = re.compile(r"(?<=\d) +(?=\d)")
_PARENS = re.compile(r"\s*[(\[]([^)\]]*)[)\]]\s*")


@lru_cache(maxsize=1 << 20)  # a districts file and its log: every distinct label once
def name_key(text: str) -> str:
    """Exact-tier match key: every script's letters and digits, nothing else.

    "Sheikh Sa'eed", "sheikh sa’eed" and "SHEIKH SAEED" share one key;
    "Україна" and "Росія" do not; "Łódź" and "Lodz" do.
    """
    text = str(text)
    if text.isascii():  # NFKC and NFKD leave ASCII as it is: each character's fate is in _ASCII_KEY
        key = text.lower().translate(_ASCII_KEY)
    else:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
        key = "".join(_key_char(c) or _gap(c) for c in folded)
    # Dropped punctuation between two numbers still parts them: 'g1-10' and 'g11-0' are two codes.
    return _DIGIT_GAP.sub("·", key).replace(" ", "")


def _gap(c: str) -> str:
    """A space where spacing, punctuation or a symbol stood (it may part two numbers); nothing for the rest."""
    return " " if c.isspace() or unicodedata.category(c)[0] in "PSZ" else ""


def _key_char(c: str) -> str:
    category = unicodedata.category(c)
    if category == "Nd":
        return str(unicodedata.decimal(c))
    if category[0] == "N" or category in ("Ll", "Lu", "Lt", "Lo"):
        return _latin_fold(c) if c > "\x7f" else c
    return ""  # marks (Mn, Mc), modifier letters such as ʼ and ʿ, tatweel, punctuation, spaces


# What name_key makes of each ASCII character (after lower()): the same rules as _key_char and _gap.
_ASCII_KEY = str.maketrans({chr(i): (_key_char(chr(i)) or _gap(chr(i))) for i in range(128)})


# name_keys joins ASCII texts with NUL, which _ASCII_KEY drops: here it is kept, to split the keys apart again.
_ASCII_KEY_JOINED = {**_ASCII_KEY, 0: "\x00"}


def name_keys(texts) -> list[str]:
    """name_key of each text; the ASCII ones (most district ids and names) in one pass over their join.

    The join goes through the same steps as name_key (lower, _ASCII_KEY, the digit gap, no spaces) once:
    NUL parts the texts, is neither a space nor a digit (no step reaches across it) and is in none of them
    (checked; else each text is keyed alone).
    """
    texts = list(map(str, texts))
    plain = list(filter(str.isascii, texts))
    joined = "\x00".join(plain)
    if len(plain) < 2 or joined.count("\x00") != len(plain) - 1:
        return [name_key(t) for t in texts]
    keys = _DIGIT_GAP.sub("·", joined.lower().translate(_ASCII_KEY_JOINED)).replace(" ", "").split("\x00")
    if len(plain) == len(texts):
        return keys
    ascii_keys = iter(keys)
    return [next(ascii_keys) if t.isascii() else name_key(t) for t in texts]


def _latin_fold(c: str) -> str:
    """A Latin letter without a decomposition (ł, ø, đ, ı, æ) in plain Latin; any other script as it is."""
    if not unicodedata.name(c, "").startswith("LATIN"):
        return c
    from anyascii import anyascii

    return anyascii(c).lower() or c


@lru_cache(maxsize=1 << 20)
def loose_key(text: str) -> str:
    """Looser-tier key for transliterated names (see the module docstring); '' when nothing is left."""
    words = [_skeleton(w) for w in _latin_words(str(text))]
    return " ".join(w for w in words if w)


@lru_cache(maxsize=1 << 20)
def loose_keys(text: str) -> frozenset:
    """The looser-tier keys of a name: `loose_key`, and with a Slavic adjective read as its centre's name."""
    words = _latin_words(str(text))
    forms = [[w] for w in words]
    for i, w in enumerate(words):
        m = _ADJECTIVE.match(w)
        if m:
            forms[i] = [w, m.group(1), m.group(1) + "sk"]
    keys = {" ".join(_skeleton(w) for w in combo) for combo in _product(forms)}
    if _CYRILLIC_GHE.search(str(text)):  # Г is G in Russian romanisation, H in Ukrainian: Lugansk and Luhansk
        keys |= loose_keys(_CYRILLIC_GHE.sub(lambda m: "H" if m.group() == "Г" else "h", str(text)))
    return frozenset(k for k in keys if k.strip())


def _product(forms: list[list[str]]):
    from itertools import islice, product

    return islice(product(*forms), 16)  # a name has few adjectives: a bound, not a search


def _latin_words(text: str) -> list[str]:
    """The words of a name in lower-case Latin letters, Arabic articles dropped."""
    from anyascii import anyascii

    text = unicodedata.normalize("NFKC", text)
    # An Arabic-script article is part of its word (الحيدرية): drop it before transliterating.
    text = " ".join(_ARABIC_ARTICLE.sub("", w) for w in text.split())
    latin = _APOSTROPHES.sub("", anyascii(text).lower())
    words = _WORD.findall(latin)
    kept = [w for w in words if w not in ARTICLES and w not in UNIT_WORDS]
    return kept or words


def _skeleton(word: str) -> str:
    if word.isdigit() or len(word) == 1:
        return word
    if len(word) > 3 and word[-1] == "h" and word[-2] in "ae":
        word = word[:-1]  # ta marbuta written -eh / -ah
    out = word[0]
    for c in word[1:]:
        if c in _VOWELS or c == out[-1]:
            continue
        out += c
    # Whether a word ends in a vowel survives transliteration (Haydariya, -iyeh) but not a typo (Delat, Delta).
    return out + "a" if word[-1] in _VOWELS else out


def without_parentheses(text: str) -> list[str]:
    """'Masaken Hanano (Hanano)' -> ['Masaken Hanano', 'Hanano']: the name and each bracketed part."""
    parts = [p.strip() for p in _PARENS.findall(text)]
    outside = _PARENS.sub(" ", text).strip()
    return [p for p in [outside, *parts] if p and p != text]


def suggest(word: str, candidates, n: int = 3, cutoff: float = 60.0) -> list[str]:
    """Up to n candidates that look like `word`, best first."""
    return [c for c, _ in scored(word, candidates, n, cutoff)]


def scored(word: str, candidates, n: int = 3, cutoff: float = 60.0) -> list[tuple[str, float]]:
    """Up to n (candidate, score 0-100) pairs, best first: rapidfuzz WRatio on the Latin spellings."""
    from rapidfuzz import fuzz, process

    by_form: dict[str, str] = {}
    for c in candidates:
        by_form.setdefault(fuzzy_form(c), c)
    found = process.extract(fuzzy_form(word), list(by_form), scorer=fuzz.WRatio, limit=n, score_cutoff=cutoff)
    return [(by_form[form], score) for form, score, _ in found]


@lru_cache(maxsize=65536)
def fuzzy_form(text: str) -> str:
    """The spelling fuzzy matching compares: Latin letters, words kept apart, articles dropped."""
    return " ".join(_latin_words(str(text)))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (rapidfuzz)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)

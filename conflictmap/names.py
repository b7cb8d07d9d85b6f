"""Match keys for names in every script, a looser key for transliterations, ranked suggestions.

Two tiers, so that a name matches what a reader would call the same name and
nothing else:

* ``name_key`` (exact tier): Unicode NFKC, case-folded, combining marks dropped
  (accents, Arabic harakat and hamza seats, Hebrew points), punctuation and
  spacing dropped; Arabic letters typed for one another read as one (Persian ``ی`` and alef
  maksura ``ى`` as ``ي``, ``ک`` as ``ك``, ``ٱ`` as ``ا``: Arabic search does the same, and no place
  name is told apart by them); the letters and digits of every script are kept, so
  ``Україна`` and ``Росія`` stay two names. Latin letters that do not decompose
  (``ł``, ``ø``, ``đ``, ``ı``) are transliterated, so ``Łódź`` is ``Lodz``.
  Digits of any script are read as their value (``٣`` is ``3``).
* ``loose_key`` / ``loose_keys`` (looser tier, for transliterated names): the name in Latin
  letters (anyascii), leading Arabic articles dropped (``al-``, ``ash-``, ``ال``...), words that
  name the kind of unit (``raion``, ``oblast``) dropped, Cyrillic ``г`` read as ``g`` and as ``h``
  (Russian and Ukrainian romanisation: ``Луганськ`` is ``Luhansk``), a final ``-eh``/``-ah`` read as
  ``-e``/``-a``, and each word reduced to its skeleton (``_skeleton``): its first letter, its consonants
  with doubled letters once, and a mark where a run of vowels stands, whichever vowels they are.
  ``Kupyansk`` and ``Kupiansk``, ``Kharkov`` and ``Kharkiv`` share one; ``Toretsk`` and ``Troitsk``
  do not (their vowels stand in different places). A vowel just before a word's last consonant may be
  written or not (``Qasr``/``Qaser``, ``Karm``/``Karam``, ``Khodr``/``Kheder``: Arabic short vowels).
* ``centre_readings`` (the log's text only): a Slavic adjective read as the name of the unit's
  centre, in the ways Ukrainian and Russian make the adjective (``Бахмутський район`` is ``Bakhmut``,
  ``Сватівський`` is ``Svatove``, ``Токмацький`` is ``Tokmak``). A district's own name is never read
  so: the raion ``Pokrovske`` is not the town ``Pokrov``.

The looser tier is loose on purpose, so callers use it only when it points at exactly one
candidate, and say so.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic articles as transliterated (sun-letter assimilation gives ash-, as-, ad-, ...).
ARTICLES = frozenset("al el il ul el as ash ad adh at ath ar az an aj at ad".split())
# Words that say what kind of unit a name is ('Бахмутський район' is the raion of Bakhmut), in Latin letters,
# each with the kind it names (a plural or another spelling of the same word is the same kind).
UNIT_KINDS = {
    "raion": "raion", "rayon": "raion", "raioni": "raion", "oblast": "oblast", "oblasti": "oblast",
    "hromada": "hromada", "hromady": "hromada", "misto": "city", "gorod": "city", "district": "district",
    "municipality": "municipality", "governorate": "governorate", "muhafazah": "governorate",
    "nahiya": "nahiya", "qada": "qada",
}  # fmt: skip
UNIT_WORDS = frozenset(UNIT_KINDS)
# A Slavic adjective a log may name a unit by: the masculine and feminine of -ський/-ский (Бахмутський район,
# Донецька область), and -зький where ж or з meets the suffix (Запорізький). The neuter -ське/-ское is left
# alone: it is a town's own name (Покровське, Кіровське), not the adjective of another town's.
_ADJECTIVE = re.compile(r"^([a-z]{3,}?)([sz])k(?:yi|ii|iy|yy|y|ij|a|aya|aia|aja)$")
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
        key = "".join(_key_char(c) or _gap(c) for c in folded.translate(_ARABIC_LETTERS))
    # Dropped punctuation between two numbers still parts them: 'g1-10' and 'g11-0' are two codes.
    return _DIGIT_GAP.sub("·", key).replace(" ", "")


# Arabic-script letters typed for one another, one letter as the hamza seats are: Persian yeh and alef maksura
# (final yeh without its dots, as Egypt and keyboards write it: الدولى) are yeh, keheh is kaf, alef wasla is alef.
_ARABIC_LETTERS = str.maketrans({"\u06cc": "\u064a", "\u0649": "\u064a", "\u06a9": "\u0643", "\u0671": "\u0627"})


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
    return words_key(_latin_words(str(text)))


def words_key(words) -> str:
    """The looser-tier key of a name's Latin words."""
    return " ".join(k for k in map(_skeleton, words) if k)


@lru_cache(maxsize=1 << 20)
def loose_keys(text: str) -> frozenset:
    """The looser-tier keys of a name: `loose_key` of each of its spellings (Cyrillic Г as G and as H)."""
    return frozenset(k for k in map(words_key, latin_spellings(text)) if k)


@lru_cache(maxsize=1 << 20)
def latin_spellings(text: str) -> tuple:
    """The name's Latin words, once for each way of reading it (Г is G in Russian romanisation, H in Ukrainian:
    Lugansk and Luhansk), as tuples of words."""
    text = str(text)
    spellings = [text]
    if _CYRILLIC_GHE.search(text):
        spellings.append(_CYRILLIC_GHE.sub(lambda m: "H" if m.group() == "Г" else "h", text))
    return tuple(dict.fromkeys(tuple(_latin_words(t)) for t in spellings))


@lru_cache(maxsize=1 << 20)
def centre_readings(text: str) -> tuple:
    """The name with each Slavic adjective in it read as its centre's name: (words, by_spelling) pairs, words a
    tuple of Latin words; () when it has none. Only for a log's text: a district named in the adjective form
    keeps its name.

    'Бахмутський район' gives (('bakhmut',), False), (('bakhmutsk',), False), ...: the candidates of
    `_centres`. A reading made by a sound change (Токмацький: Tokmak) has by_spelling True: it stands only for
    a name spelled so (`plain_spelling`), not for any name of its looser key (Khmelnyk is not Khmilnyk).
    """
    from itertools import islice, product

    readings = []
    for words in latin_spellings(text):
        forms = [[(w, False), *_centres(w)] for w in words]
        if any(len(f) > 1 for f in forms):  # a name has few adjectives: a bound, not a search
            for combo in islice(product(*forms), 1, 256):  # the first is the name as written
                readings.append((tuple(w for w, _ in combo), any(by for _, by in combo)))
    return tuple(dict.fromkeys(readings))


# The endings a centre's name may have where its adjective has none: Balta, Lenine, Saky, Cherkasi (anyascii),
# Zaporizhia.
_FINAL_VOWELS = ("a", "e", "y", "i", "ia")


def _centres(word: str) -> list[tuple[str, bool]]:
    """The names a Slavic adjective may be made from, in Latin letters, each with whether it is made by a sound
    change (so stands only for a name spelled so): every regular formation, since a log's adjective may name any
    of them (Покровський is the raion of Pokrovsk or of Pokrovske)."""
    m = _ADJECTIVE.match(word)
    if m is None:
        return []
    stem, s = m.groups()
    # Bakhmut, Donetsk, Kakhovka, Pokrovske, Dolynska (-ка, -ське, -ська drop before -ський); Saky, Svatove (o is
    # i: the key does not count which vowel)
    keyed = [stem, stem + "sk", stem + "ka", stem + "ske", stem + "ska", *(stem + end for end in _FINAL_VOWELS)]
    keyed = keyed if s == "s" else []
    changed = []
    if s == "z":  # ж, з + -ський is -зький: Zaporizhzhia, Zbarazh; Khartsyzk keeps its -zk
        changed += [stem + "zh", stem + "zk", *(stem + "zh" + end for end in _FINAL_VOWELS)]
    if s == "s" and stem.endswith("t"):  # к and ць + -ський are -цький: Tokmak, Pryluky, Korets
        changed += [stem[:-1] + "k", stem + "s", *(stem[:-1] + "k" + end for end in _FINAL_VOWELS)]
    if re.search("[aeiouy]n$", stem):  # -не, -на + -ський: Роздольненський (Rozdolne), Попаснянський (Popasna)
        bare = re.sub("(?<=n)[aeiouy]+n$", "", stem)
        changed += [stem[:-1], *(bare + end for end in _FINAL_VOWELS)]
    if re.search("[iyo]v$", stem):  # -ки + -ський is -ківський: Олешківський (Oleshky)
        changed += [stem[:-2] + end for end in _FINAL_VOWELS]
    if s == "s" and stem[-1] in _VOWELS:  # с and х drop before -ський: Одеська (Odesa), Черкаський, Волноваський
        changed += [stem + cons + end for cons in ("s", "kh") for end in _FINAL_VOWELS]
    found = {form: False for form in keyed}
    for form in changed:
        found.setdefault(form, True)
    return list(found.items())


def plain_spelling(latin: str) -> str:
    """Latin words as spelled, but for the letters romanisations trade (y, j and i; a doubled letter once):
    'leninskiy' (anyascii) and 'Leninskyi' (the national system) are spelled alike; 'rozdolne' and 'rozdilna' not."""
    return re.sub(r"(.)\1+", r"\1", latin.replace("y", "i").replace("j", "i"))


def unit_kinds(text: str) -> frozenset:
    """The kinds of unit a name's words say ('Київська область': oblast), for telling 'Kyiv Oblast' from 'Kyiv'."""
    from anyascii import anyascii

    latin = _APOSTROPHES.sub("", anyascii(unicodedata.normalize("NFKC", str(text))).lower())
    return frozenset(UNIT_KINDS[w] for w in _WORD.findall(latin) if w in UNIT_KINDS)


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
    """A word as the looser tier compares it: its first letter, then its consonants (a doubled one once) and '.'
    where a run of vowels stands ('kupiansk', 'kupyansk': 'k.p.nsk'). The place of the vowels counts, not which
    they are: 'toretsk' is 't.r.tsk', 'troitsk' 'tr.tsk' (Toretsk is not Troitske)."""
    if word.isdigit() or len(word) == 1:
        return word
    if len(word) > 3 and word[-1] == "h" and word[-2] in "ae":
        word = word[:-1]  # ta marbuta written -eh / -ah
    out = word[0]
    for c in word[1:]:
        mark = "." if c in _VOWELS else c
        if mark != out[-1] and not (mark == "." and out[-1] in _VOWELS):
            out += mark
    # A vowel just before the last consonant may be written or not: Arabic short vowels (Qasr and Qaser, Karm and
    # Karam, Khodr and Kheder) and Slavic fleeting ones. Not when it is the word's only vowel (Bar is not Br).
    body, end = (out[:-1], ".") if out.endswith(".") else (out, "")
    if end and word[-1] in "iy":  # the ending's kind survives transliteration: -yi, -iy, -y, -i are one, -e another
        end = "i"  # (Pervomaiskyi is not Pervomaiske, Kryvyi is Krivoy)
    before = body[:-3]
    if len(body) > 3 and body[-2] == "." and body[-3] not in _VOWELS and ("." in before or before[:1] in _VOWELS):
        body = body[:-2] + body[-1]
    # Whether a word ends in a vowel survives transliteration (Haydariya, -iyeh) but not a typo (Delat, Delta).
    return body + end


def without_parentheses(text: str) -> list[str]:
    """'Masaken Hanano (Hanano)' -> ['Masaken Hanano', 'Hanano']: the name and each bracketed part."""
    parts = [p.strip() for p in _PARENS.findall(text)]
    outside = _PARENS.sub(" ", text).strip()
    return [p for p in [outside, *parts] if p and p != text]


def suggest(word: str, candidates, n: int = 3, cutoff: float = 60.0) -> list[str]:
    """Up to n candidates that look like `word`, best first."""
    return [c for c, _ in scored(word, candidates, n, cutoff)]


# A candidate in another script than the word is compared through its transliteration, which for Arabic has no
# short vowels ('الشعار' is 'lsh`r'): weak evidence where names in the word's own script could be offered instead.
CROSS_SCRIPT_CUTOFF = 80.0


def scored(word: str, candidates, n: int = 3, cutoff: float = 60.0) -> list[tuple[str, float]]:
    """Up to n (candidate, score 0-100) pairs: rapidfuzz WRatio on the Latin spellings, the candidates in the word's
    script first ('Jisr al-Haj' is offered Latin names before Arabic ones), best first within each; where there are
    such candidates, one in another script must score CROSS_SCRIPT_CUTOFF."""
    from rapidfuzz import fuzz, process

    by_form: dict[str, str] = {}
    for c in candidates:
        by_form.setdefault(fuzzy_form(c), c)
    found = process.extract(fuzzy_form(word), list(by_form), scorer=fuzz.WRatio, limit=n * 5, score_cutoff=cutoff)
    script = script_of(word)
    same = [(by_form[f], score) for f, score, _ in found if script_of(by_form[f]) == script]
    others = [(by_form[f], score) for f, score, _ in found if script_of(by_form[f]) != script]
    if same or any(script_of(c) == script for c in by_form.values()):
        others = [(c, score) for c, score in others if score >= CROSS_SCRIPT_CUTOFF]
    return (same + others)[:n]


@lru_cache(maxsize=65536)
def script_of(text: str) -> str:
    """The script of a name's first letter ('LATIN', 'ARABIC', 'CYRILLIC', ...), '' when it has none."""
    letter = next((c for c in str(text) if c.isalpha()), "")
    if not letter or letter.isascii():
        return "LATIN" if letter else ""
    return unicodedata.name(letter, "").split(" ")[0]


@lru_cache(maxsize=65536)
def fuzzy_form(text: str) -> str:
    """The spelling fuzzy matching compares: Latin letters, words kept apart, articles dropped."""
    return " ".join(_latin_words(str(text)))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (rapidfuzz)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)

"""Which district a name in a log means: ids, names, other names, aliases, then a looser tier.

Order of lookup, first hit wins:

1. the id as written (``16``, ``16.0``);
2. an alias from an aliases file (``--aliases``), which may stand for several
   districts or for none (``-``: a place the record names that has no polygon);
3. the exact-tier key (``names.name_key``) of an id, a name or another name of a
   district (an Arabic ``name_ar`` field, the names merged by ``--dissolve``);
4. the looser tier (``names.loose_keys``, Arabic articles and transliteration),
   tried on the name and on its bracketed and unbracketed parts, as written and
   with its Slavic adjectives read as centres' names (``names.centre_readings``:
   ``Сватівський район`` is Svatove; a district's name is never read so). Several
   districts found are narrowed to one spelled as the name or one of its readings
   (``names.plain_spelling``) with no unit word the name lacks (``Київ`` is 'Kyiv', not 'Kyiv
   Oblast'), else to the one whose unit word the name has (``Київська область`` is 'Kyiv
   Oblast', not 'Kyiv'). Used only when that leaves one district,
   and recorded so the caller can report it.

Two districts whose different names share an exact key would be merged by
every lookup: ``name_collisions`` lists them so that loading can refuse the file.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .errors import InputError
from .model import id_text
from .names import (
    centre_readings,
    fuzzy_form,
    latin_spellings,
    loose_key,
    loose_keys,
    name_key,
    name_keys,
    plain_spelling,
    suggest,
    unit_kinds,
    without_parentheses,
    words_key,
)

NO_DISTRICT = "-"  # an alias target: the place has no polygon; rows naming it are left out
# What a baseline snapshot's default row is called (changelist.DEFAULT_ROWS): no district anywhere else.
EVERY_DISTRICT = ("*", "default", "all", "(default)")


@dataclass
class Alias:
    targets: tuple  # district positions; () for NO_DISTRICT
    text: str  # the alias as written
    where: str  # file and line, for messages


@dataclass
class Lookups:
    """What a batch of lookups needed beyond an exact match, for the caller to report once."""

    loose: dict = field(default_factory=lambda: defaultdict(list))  # (text, idx) -> wheres
    skipped: dict = field(default_factory=lambda: defaultdict(list))  # alias text -> wheres
    unmatched: dict = field(default_factory=lambda: defaultdict(list))  # text -> wheres (for --write-aliases)
    matched_loose: dict = field(default_factory=dict)  # text -> idx, kept after reporting
    # A change list's own column naming the polygons of each row (polygon_names): text -> {cell: wheres}.
    listed: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    listed_column: str = ""  # that column's name, for messages


class DistrictIndex:
    """Looks up districts by id, name, other names, aliases and (reported) looser spellings."""

    def __init__(self, ids, names, aliases=None, strict_names: bool = False):
        self.ids = as_list(ids)
        self.names = as_list(names)
        self.other_names = [tuple(a) for a in as_list(aliases)] if aliases is not None else [() for _ in self.ids]
        self.strict_names = strict_names
        self.exact = dict(zip(self.ids, range(len(self.ids))))
        self._by_key: dict[str, set[int]] | None = None
        self._by_name: dict[str, set[int]] | None = None
        self._by_loose: dict[str, set[int]] | None = None
        self._by_plain: dict[str, set[int]] | None = None
        self._id_clashes: set[int] | None = None
        self._by_number: dict | None = None
        self.aliases: dict[str, Alias] = {}
        self.lookups = Lookups()
        self._memo: dict[str, tuple] = {}

    def _labels(self):
        return district_labels(self.names, self.other_names)

    # The key tables are built on the first lookup that is not an exact id: a log that names its districts by
    # id (most machine-made ones) never needs them (50k districts: 0.13 s).
    @property
    def by_key(self) -> dict[str, set[int]]:
        """Name key of an id -> districts."""
        if self._by_key is None:
            self._by_key = positions_by_key(name_keys(self.ids), range(len(self.ids)))
        return self._by_key

    @property
    def by_name(self) -> dict[str, set[int]]:
        """Name key of a name or other name -> districts."""
        if self._by_name is None:
            labels = list(self._labels())
            self._by_name = positions_by_key(name_keys([text for _, text in labels]), [i for i, _ in labels])
        return self._by_name

    @property
    def by_loose(self) -> dict[str, set[int]]:
        """Looser-tier key -> districts, built on the first lookup that needs it (most logs name districts exactly)."""
        if self._by_loose is None:
            self._by_loose = defaultdict(set)
            for i, label in self._labels():
                for key in loose_keys(label):
                    self._by_loose[key].add(i)
        return self._by_loose

    def add_alias(self, text: str, target: str, where: str) -> None:
        """Map a reported spelling to its district(s) ('a; b' for several, '-' for none)."""
        key = name_key(text)
        if not key:
            raise InputError(f"{where}: empty alias; give the name as the record writes it")
        if key in self.aliases:
            raise InputError(
                f"{where}: alias {text!r} is given twice (also {self.aliases[key].where}); keep one line per alias"
            )
        targets = () if target.strip() == NO_DISTRICT else tuple(self._target(t, text, where) for t in _split(target))
        if not target.strip():
            raise InputError(
                f"{where}: alias {text!r} has no district; give a district id or name, or '-' for a place with no polygon"
            )
        clash = self.by_name.get(key) or self.by_key.get(key)
        if clash and set(clash) != set(targets):
            other = ", ".join(sorted(repr(self.names[i]) for i in clash))
            raise InputError(
                f"{where}: alias {text!r} is also the name of district {other}; "
                "an alias must not rename another district"
            )
        self.aliases[key] = Alias(targets, text, where)
        self._memo.clear()

    def _target(self, text: str, alias: str, where: str) -> int:
        hits = self.exact_hits(text)
        if hits is None:
            near = suggest(text, self.names)
            hint = f"; closest: {', '.join(near)}" if near else ""
            raise InputError(
                f"{where}: alias {alias!r} points at {text!r}, which is no district{hint}; "
                "give a district id or name from the districts file"
            )
        if len(hits) > 1:
            raise InputError(
                f"{where}: alias {alias!r} points at {text!r}, which names several districts "
                f"(ids {', '.join(sorted(self.ids[i] for i in hits))}); use the id"
            )
        return next(iter(hits))

    def exact_hits(self, text: str) -> set[int] | None:
        """Districts an id, name or other name points at exactly (tiers 1 and 3), or None.

        An id as written wins over another id of its key ('a-1' is not 'a1'), never over another district's
        name: 'B' that is the id of one district and the name of another finds both (ambiguous)."""
        key = name_key(text)
        idx = self.exact.get(text, self.exact.get(id_text(text)))  # '16.0' from a spreadsheet is id 16
        if idx is not None:
            return {idx, *self._named_not_by_id(key, idx)}
        return (self.by_key.get(key, set()) | self.by_name.get(key, set())) or None

    def _named_not_by_id(self, key: str, idx: int) -> set[int]:
        """Districts other than idx with a name of this key, but for those whose id has it (no name field)."""
        return {j for j in self.by_name.get(key, ()) if j != idx and name_key(self.ids[j]) != key}

    @property
    def id_clashes(self) -> set[int]:
        """Districts whose id is another district's name: a log's exact id must not find them alone."""
        if self._id_clashes is None:
            # The keys alone first (two bulk passes): a log that names districts by id then builds neither
            # key table when no id shares a key with a name (50k districts: 0.03 s against 0.1 s).
            labels = [text for _, text in self._labels()]
            shared = set(name_keys(self.ids)).intersection(name_keys(labels))
            self._id_clashes = {i for key in shared for i in self.by_key[key] if self._named_not_by_id(key, i)}
        return self._id_clashes

    def find_all(self, text: str, where: str) -> tuple:
        """The districts a log cell names: usually one, several for a group alias, none for a '-' alias."""
        if text in self.exact and self.exact[text] not in self.id_clashes:
            return (self.exact[text],)
        hit = self._memo.get(text)
        if hit is None:  # a log repeats its names: each distinct text is resolved once (errors are not kept)
            hit = self._memo[text] = self._resolve(text, where)
        found, kind = hit
        if kind == "skipped":
            self.lookups.skipped[self.aliases[name_key(text)].text].append(where)
        elif kind == "loose":
            self.lookups.loose[(text, found[0])].append(where)
        return found

    def read_as(self, text: str) -> str:
        """How find_all read a name it found: 'exact', 'alias', 'skipped' (a '-' alias) or 'loose'."""
        return "exact" if text in self.exact else self._memo[text][1]

    def _resolve(self, text: str, where: str) -> tuple[tuple, str]:
        alias = self.aliases.get(name_key(text))
        if alias is not None:
            return alias.targets, "alias" if alias.targets else "skipped"
        hits = self.exact_hits(text)
        if hits and len(hits) == 1:
            return tuple(hits), "exact"
        if hits:
            raise InputError(f"{where}: district {text!r} is ambiguous {self._ambiguous(text, hits)}")
        return (self._loose(text, where),), "loose"

    def _ambiguous(self, text: str, hits: set[int]) -> str:
        """Why an exact name finds several districts, and how to name one."""
        key = name_key(text)
        by_id = {i for i in hits if i == self.exact.get(text, self.exact.get(id_text(text)))}
        by_id |= {i for i in hits if name_key(self.ids[i]) == key}
        if not by_id or by_id == hits:
            return f"(ids {', '.join(sorted(self.ids[i] for i in hits))}); use the id, or an aliases file"
        named = ", ".join(sorted(self.ids[i] for i in hits - by_id))
        return (
            f"(the id of {', '.join(sorted(repr(self.names[i]) for i in by_id))} and the name of district {named}); "
            f"write the name {' or '.join(sorted(repr(self.names[i]) for i in by_id))} or the id {named} of the one "
            "meant"
        )

    def _loose(self, text: str, where: str) -> int:
        hits = self.loose_hits(text)
        if len(hits) == 1:
            idx = next(iter(hits))
            if self.strict_names:
                raise InputError(
                    f"{where}: district {text!r} is not an exact name; it matches {self.names[idx]!r} "
                    "only by a looser spelling (--strict-names); add it to an aliases file"
                )
            self.lookups.matched_loose[text] = idx
            return idx
        self.lookups.unmatched[text].append(where)
        if hits:  # the looser tier is used only when it finds one district: name the ones it found
            names = [self.names[i] for i in hits]
            # Districts that share their name can be told apart only by id.
            how = "its id" if len(set(names)) < len(names) else "the districts file's name or id"
            raise InputError(
                f"{where}: district {text!r} is ambiguous: by a looser spelling it matches {self._shown(hits)}; "
                f"write it as {how}, or map the spelling to one with --aliases"
            )
        if text.strip().casefold() in EVERY_DISTRICT:
            raise InputError(
                f"{where}: district {text!r} is no district; a {text.strip()!r} row (every district not listed) is "
                "read only in a baseline snapshot (log from-changes --baseline); in a control log give who holds "
                "the districts before their first row with --initial ACTOR, or one row per district"
            )
        same = self._same_number(text)
        if same:  # '01' for id 1: a spreadsheet's leading zero, or a code; ids are matched as written, never so
            shown = " or ".join(repr(self.ids[i]) + (f" ({self.names[i]!r})" if self.names[i] != self.ids[i] else "")
                                for i in same)  # fmt: skip
            raise InputError(
                f"{where}: unknown district {text!r}; did you mean the id {shown}, the same number? Write the id "
                "as the districts file does, or map the spelling to it with --aliases"
            )
        near = suggest(text, self.names + [n for more in self.other_names for n in more])
        hint = f"; closest: {', '.join(near)}" if near else ""
        raise InputError(
            f"{where}: unknown district {text!r}{_mixed_scripts(text)}{hint}; use a district id or name "
            "from the districts file, or map the spelling to one with --aliases"
        )

    def _same_number(self, text: str) -> list[int]:
        """Districts whose id is the number `text` is, written otherwise ('01' and '1', '2' and '2.00'), at most 3."""
        number = _number(text)
        if number is None:
            return []
        if self._by_number is None:  # built on the first unknown number (a log of names never needs it)
            self._by_number = defaultdict(list)
            for i, did in enumerate(self.ids):
                if (value := _number(did)) is not None:
                    self._by_number[value].append(i)
        return self._by_number.get(number, [])[:3]

    def _shown(self, hits, limit: int = 5) -> str:
        """'Pokrovsk', 'Pokrovske' (ids added where names repeat), at most `limit` of them."""
        names = [self.names[i] for i in hits]
        shown = sorted(
            (repr(self.names[i]) + (f" (id {self.ids[i]})" if names.count(self.names[i]) > 1 else "")) for i in hits
        )
        more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
        return f"{len(shown)} districts, " + ", ".join(shown[:limit]) + more

    def loose_hits(self, text: str) -> set[int]:
        """Districts the looser tier finds for a name, its bracketed parts and the rest (see module doc)."""
        hits: set[int] = set()
        for form in [text, *without_parentheses(text)]:
            exact = self.exact_hits(form) if form != text else None
            hits |= exact or self._loose_form(form)
        return hits

    def _loose_form(self, form: str) -> set[int]:
        """The looser tier on one form, as written and with its adjectives read as centres; then narrowed."""
        readings = centre_readings(form)
        spellings = latin_spellings(form) + tuple(words for words, _ in readings)
        hits = self._by_keys(latin_spellings(form) + tuple(words for words, by in readings if not by))
        hits |= self._by_spelling(words for words, by in readings if by)
        if len(hits) > 1:  # the same spelling (but for y/i) is better evidence than a looser one
            written = {plain_spelling(" ".join(words)) for words in spellings}
            spelled = {i for i in hits if self._spelled(i) & written}
            hits = _one_or_all(hits, spelled)
            if len(hits) > 1 and not unit_kinds(form):  # 'Київ' reads 'Kyiv' as it is: 'Kyiv Oblast' adds a word
                hits = _one_or_all(hits, {i for i in spelled if not self._kinds(i)})
        if len(hits) > 1 and unit_kinds(form):  # 'Київська область': the oblast, not the city of Kyiv
            hits = _one_or_all(hits, {i for i in hits if self._kinds(i) & unit_kinds(form)})
        return hits

    def _by_keys(self, spellings) -> set[int]:
        return set().union(*(self.by_loose.get(words_key(words), set()) for words in spellings))

    def _by_spelling(self, spellings) -> set[int]:
        if self._by_plain is None:
            self._by_plain = defaultdict(set)
            for i, label in self._labels():
                self._by_plain[plain_spelling(fuzzy_form(label))].add(i)
        return set().union(*(self._by_plain.get(plain_spelling(" ".join(words)), set()) for words in spellings))

    def _spelled(self, i: int) -> set[str]:
        """District i's names in Latin letters, as plain_spelling writes them."""
        return {plain_spelling(fuzzy_form(label)) for label in self._labels_of(i)}

    def _kinds(self, i: int) -> frozenset:
        return frozenset().union(*(unit_kinds(label) for label in self._labels_of(i)))

    def _labels_of(self, i: int) -> tuple:
        return tuple(dict.fromkeys(label for label in (self.names[i], *self.other_names[i]) if label))


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")


def _number(text):
    """The value of an id or label written as a decimal number, else None."""
    from decimal import Decimal

    text = str(text).strip()
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def _mixed_scripts(text: str) -> str:
    """' (Cyrillic and Latin letters in one word ...)' for a name a look-alike letter may have made unknown."""
    from .io import garbled_word

    bad = garbled_word(text) if not text.isascii() else None
    if not bad or not bad[1].endswith("letters in one word"):
        return ""
    word = "" if bad[0] == text.strip() else f" ({bad[0]!r})"
    return f" (it has {bad[1]}{word}: look-alike letters; write it in one script)"


def _one_or_all(hits: set[int], chosen: set[int]) -> set[int]:
    """The one chosen district, when exactly one is; else every hit (still ambiguous)."""
    return chosen if len(chosen) == 1 else hits


_PARTS = re.compile(r"\s*(?:[,;/()\[\]]|\band\b|\be\.g\.|\bincl\.)\s*")


def suggestion(index: DistrictIndex, text: str) -> dict:
    """What an aliases file could map an unmatched name to, and how sure that is.

    A name that lists places ('Karm al-Maysar, Karm al-Tahhan, Karm al-Qaterji')
    gives the districts its parts match exactly or by the looser tier; any other
    name its closest district when the spellings are close (rapidfuzz ratio
    of at least FUZZY_CUTOFF on Latin spellings or on loose keys); else '-'.
    """
    parts = [p for p in _PARTS.split(text) if p and p.strip()]
    found, missing = [], []
    for part in parts if len(parts) > 1 else []:
        hits = index.exact_hits(part) or index.loose_hits(part)
        (found.append(index.names[next(iter(hits))]) if hits and len(hits) == 1 else missing.append(part))
    if found:
        rest = f"; no district for {', '.join(repr(m) for m in missing)}" if missing else ""
        return {"district": "; ".join(dict.fromkeys(found)), "match": f"parts{rest}"}
    best = closest_score(text, index.names)
    if best:
        return {"district": best[0], "match": f"close spelling ({best[1]:.0f}/100)"}
    return {"district": NO_DISTRICT, "match": "no district looks like it; '-' leaves its rows out"}


@dataclass
class Listed:
    """The districts a cell of a change list's polygon column names (listed_districts)."""

    found: list  # district positions, in the cell's order
    missing: list  # the parts that name no one district ('probable match', 'several Old City units')
    examples: bool  # the cell gives examples ('e.g.', 'incl.', 'and others'): it may cover more


_EXAMPLES = re.compile(r"\be\.g\.|\bincl\.|\bincluding\b|\band others\b|\betc\b", re.IGNORECASE)


def listed_districts(index: DistrictIndex, cells) -> Listed:
    """The districts named by the cells of a polygon column ('as-Sakhour; as-Sakhour I'): each part
    exactly or by the looser tier, as `suggestion` reads the parts of a reported name."""
    found, missing, examples = [], [], False
    for cell in cells:
        examples = examples or bool(_EXAMPLES.search(cell))
        for part in (p.strip() for p in _PARTS.split(cell)):
            if not part:
                continue
            hits = index.exact_hits(part) or index.loose_hits(part)
            if hits and len(hits) == 1:
                found.append(next(iter(hits)))
            else:
                missing.append(part)
    return Listed(list(dict.fromkeys(found)), list(dict.fromkeys(missing)), examples)


def column_suggestion(index: DistrictIndex, text: str) -> dict | None:
    """The suggestion the change list's own polygon column gives for a name, or None when it names no district.

    The column is its author's matching, so it is the first proposal; the `match` says it comes from the
    column, what in it names no district, and when it only gives examples. It is a proposal to review,
    never applied: the aliases file is where the user accepts it. `column` names the column, `found` the
    districts' positions (neither is written to the aliases file).
    """
    cells = list(index.lookups.listed.get(text, {}))
    if not cells:
        return None
    listed = listed_districts(index, cells)
    if not listed.found:
        return None
    notes = [f"{index.lookups.listed_column} column"]
    if len(cells) > 1:
        notes.append(f"its rows give {len(cells)} different lists, all taken")
    if listed.missing:
        notes.append(f"no district for {', '.join(repr(m) for m in listed.missing)}")
    if listed.examples:
        notes.append("it gives examples: add the other districts it covers")
    return {
        "district": "; ".join(index.names[i] for i in listed.found),
        "match": "; ".join(notes),
        "column": index.lookups.listed_column,
        "found": tuple(listed.found),
    }


FUZZY_CUTOFF = 85.0


def closest_score(text: str, candidates) -> tuple[str, float] | None:
    """The candidate most like `text` by whole-name similarity, if at least FUZZY_CUTOFF."""
    from rapidfuzz import fuzz

    best = None
    for c in candidates:
        score = max(fuzz.ratio(fuzzy_form(text), fuzzy_form(c)), fuzz.ratio(loose_key(text), loose_key(c)))
        if score >= FUZZY_CUTOFF and (best is None or score > best[1]):
            best = (c, score)
    return best


def positions_by_key(keys, positions) -> defaultdict:
    """key -> the set of positions given with it (mostly one each: made in one pass, repeats gathered after)."""
    keys, positions = list(keys), list(positions)
    table = defaultdict(set, zip(keys, ({p} for p in positions)))
    if len(table) < len(keys):
        repeated = {k for k, n in Counter(keys).items() if n > 1}
        for k in repeated:
            table[k] = set()
        for k, p in zip(keys, positions):
            if k in repeated:
                table[k].add(p)
    return table


def as_list(values) -> list:
    """A list of the values (Series.tolist converts a column at once; iterating a pyarrow-backed one is slow)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


def district_labels(names, other_names):
    """(position, label) for each district's name and other names, each label once."""
    if len(other_names) >= len(names) and not any(other_names):  # no other names (the common case): each name
        yield from ((i, name) for i, name in enumerate(names) if name)
        return
    for i, (name, more) in enumerate(zip(names, other_names)):
        for label in dict.fromkeys((name, *more)):
            if label:
                yield i, label


def name_collisions(ids, names, other_names=None) -> list[tuple[str, str, str, str]]:
    """(name, id, other name, other id) for districts whose different names share an exact key."""
    ids, names = as_list(ids), as_list(names)
    if other_names is None:  # names only (the common case): one label each
        labels = [(i, name) for i, (name, did) in enumerate(zip(names, ids)) if name and name != did]
    else:
        other_names = [tuple(a) for a in as_list(other_names)]
        # No name field: ids that differ only in punctuation are still told apart by the exact id.
        labels = [(i, label) for i, label in district_labels(names, other_names) if label != ids[i]]
    keys = name_keys([label for _, label in labels])
    shared = {k for k, n in Counter(keys).items() if n > 1}  # a key held by one label can collide with nothing
    seen: dict[str, tuple[str, int]] = {}
    found = []
    for (i, label), key in zip(labels, keys):
        if key not in shared:
            continue
        if key in seen and seen[key][1] != i and seen[key][0] != label:
            first, j = seen[key]
            found.append((first, ids[j], label, ids[i]))
        seen.setdefault(key, (label, i))
    return found


def _split(target: str) -> list[str]:
    return [t.strip() for t in target.split(";") if t.strip()]

"""Names, dates and actors: the small vocabulary shared by every layer (no heavy imports)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UsageError
from .names import edit_distance, name_key, suggest

UNKNOWN = "unknown"
CONTESTED = "contested"
BUILTIN_ACTORS = (UNKNOWN, CONTESTED)

_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_SERIAL = re.compile(r"^\d{5}(\.0+)?$")
_INT_FLOAT = re.compile(r"^-?\d+\.0+$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
MIN_YEAR, MAX_YEAR = 1678, 2261  # the dates pandas can hold (nanoseconds since 1970)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of spreadsheet serial dates (1900 date system)


def closest(word: str, candidates, n: int = 3) -> list[str]:
    """Up to n candidates that look like `word`, best first (names.suggest: rapidfuzz on Latin spellings)."""
    return suggest(word, candidates, n=n, cutoff=50.0)


def near_names(names) -> list[tuple[str, str]]:
    """Pairs of names whose match keys are one edit apart (two for long names): likely typos of each other.

    Names that differ in a digit ('brigade 1', 'brigade 2') are different on purpose.
    """
    keys = [(name_key(n), n) for n in names]
    pairs = []
    for i, (a, name_a) in enumerate(keys):
        for b, name_b in keys[i + 1:]:
            if a == b or min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 2:
                continue
            allowed = 2 if min(len(a), len(b)) >= 9 else 1
            if edit_distance(a, b) <= allowed and _same_digits(a, b):
                pairs.append((name_a, name_b))
    return pairs


def _same_digits(a: str, b: str) -> bool:
    return [c for c in a if c.isdigit()] == [c for c in b if c.isdigit()]


def parse_date(text, where: str = "") -> dt.date:
    """An ISO 8601 date (YYYY-MM-DD, a time part is ignored), or an InputError saying how to fix it."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    raw = str(text).strip()
    prefix = f"{where}: " if where else ""
    day = _iso_day(raw)
    if day is not None:
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise InputError(f"{prefix}date {raw!r} is out of range (years {MIN_YEAR}-{MAX_YEAR}); check the year")
        return day
    hint = "write dates as YYYY-MM-DD"
    m = _DMY.match(raw)
    if m:
        hint = f"write it as ISO 8601, e.g. {m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d} if it is day/month/year"
    elif _SERIAL.match(raw):
        # A spreadsheet exported the cell's serial day number instead of the date.
        day = EXCEL_EPOCH + dt.timedelta(days=int(float(raw)))
        hint = f"it looks like a spreadsheet serial day number ({day.isoformat()}); format the column as YYYY-MM-DD before exporting"
    raise InputError(f"{prefix}date {raw!r} is not an ISO 8601 date; {hint}")


def _iso_day(raw: str) -> dt.date | None:
    """YYYY-MM-DD, optionally with a time part after 'T' or a space (ignored); anything else is None."""
    if len(raw) > 10 and raw[10] in "T " and _TIME.match(raw[11:]):
        raw = raw[:10]
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def parse_option_date(text: str, option: str) -> dt.date:
    """A date given on the command line; a bad one is a usage error (exit 2)."""
    try:
        return parse_date(text)
    except InputError:
        raise UsageError(f"{option} {text!r} is not a date; give it as YYYY-MM-DD") from None


def id_text(value) -> str:
    """An id as plain text: 16, 16.0, '16.0' and '16' are one id; None and NaN are ''.

    Spreadsheets and GDAL turn integer ids into floats; '04' keeps its zero (codes are text).
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.split(".")[0] if _INT_FLOAT.match(text) else text


def span_error(options: tuple[str, str], given: tuple, first: dt.date, last: dt.date) -> str:
    """Why a date span is empty, naming only the options the user gave (a bound left out is the log's own)."""
    low, high = options
    if given[1] is None:
        return f"{low} {first} is after the last date of the log ({last}); give an earlier {low}, or a later {high}"
    if given[0] is None:
        return f"{high} {last} is before the first date of the log ({first}); give a later {high}, or an earlier {low}"
    return f"{low} {first} is after {high} {last}; give {low} on or before {high}"


def clean_label(text) -> str:
    """Trim and collapse whitespace: 'rebels  ' and 'rebels' are one actor."""
    return " ".join(str(text).split())


@dataclass
class Actors:
    """Canonical actor names, aliases, colours and groups (from an optional TOML file).

    Without a file every name in the log is its own actor, matched by name_key so
    that 'Rebels ' and 'rebels' are one (but 'Україна' and 'Росія' two); with a
    file an unknown name is an error.
    """

    names: list[str] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    strict: bool = False
    _lookup: dict[str, str] = field(default_factory=dict)
    _aliases: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        for b in BUILTIN_ACTORS:
            self._lookup.setdefault(name_key(b), b)

    def add(self, name: str, aliases=()) -> None:
        if name not in self.names:
            self.names.append(name)
        for label in (name, *aliases):
            self._lookup[name_key(label)] = name
        self._aliases.setdefault(name, []).extend(a for a in aliases if a != name)

    def canonical(self, label, where: str = "") -> str:
        """The canonical name for a label from the log or the command line."""
        text = clean_label(label)
        found = self._lookup.get(name_key(text))
        if found:
            return found
        if self.strict:
            known = ", ".join(sorted(self.names + list(BUILTIN_ACTORS)))
            near = closest(text, self.names)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            prefix = f"{where}: " if where else ""
            raise InputError(
                f"{prefix}unknown actor {text!r}{hint}; known actors: {known}; "
                "add it (or an alias) to the actors file"
            )
        self.add(text)
        return text

    def register(self, labels) -> None:
        """Without an actors file: fix one spelling per name before reading rows.

        'Rebels' and 'rebels' are one actor, shown in its most frequent spelling
        (the smallest on a tie), whatever the order of the rows.
        """
        tally: dict[str, int] = defaultdict(int)
        for label in labels:
            tally[label] += 1
        self.register_counts(tally)

    def register_counts(self, tally: dict) -> None:
        """`register` for labels already counted (label -> number of rows)."""
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for label, n in tally.items():
            text = clean_label(label)
            if text and name_key(text) not in self._lookup:
                counts[name_key(text)][text] += n
        for spellings in counts.values():
            self.add(min(spellings, key=lambda t: (-spellings[t], t)))

    def labels(self, name: str) -> list[str]:
        """Every label that reads as `name`: the name itself and its aliases (as match keys allow)."""
        return [name] + sorted(self._aliases.get(name, []))

    def is_group(self, name: str) -> bool:
        return any(name_key(g) == name_key(name) for g in self.groups)

    def members(self, name: str) -> list[str]:
        """The actors a name stands for: a group's members, or the actor itself."""
        for group, members in self.groups.items():
            if name_key(group) == name_key(name):
                return list(members)
        return [self.canonical(name)]

    def resolve_query(self, name: str, option: str) -> list[str]:
        """Members for an actor named on the command line; unknown names are usage errors."""
        if self.is_group(name):
            return self.members(name)
        found = self._lookup.get(name_key(clean_label(name)))
        if not found:
            from conflictmap.names import suggest

            choices = sorted(set(self.names) | set(self.groups) | set(BUILTIN_ACTORS))
            close = suggest(name, choices, n=1, cutoff=80.0)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(f"{option} {name!r} is not an actor of this dataset; {hint}known: {', '.join(choices)}")
        return [found]


_HEX_COLOUR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def _colour(text: str, where: str) -> str:
    """A colour maps can use: #rgb/#rrggbb hex, or a name matplotlib knows (checked only for names)."""
    if _HEX_COLOUR.match(text):
        return text
    from matplotlib.colors import is_color_like  # only for named colours: keeps start-up light

    if not is_color_like(text):
        raise InputError(f"{where}: {text!r} is not a colour; give a hex code such as \"#b2182b\" or a name such as \"darkred\"")
    return text


def _string_list(value, where: str, example: str) -> list[str]:
    """A TOML list of names; a bare string would otherwise be read letter by letter."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: give a list of names, e.g. {example}")
    return value


def read_toml(path: Path, missing: Exception, what: str) -> dict:
    """A TOML file as a dict; `missing` is raised when it does not exist, bad TOML is an InputError."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise missing from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a TOML file; {what}") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied; check the file's permissions") from None
    except RecursionError:
        raise InputError(f"{path}: not valid TOML (nested too deeply); {what}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc}); {what}") from None


def actors_from_table(rows: list[dict]) -> tuple[Actors, str | None]:
    """Actors and the initial holder from a GeoPackage's actors table (export.actors_table)."""
    actors = Actors(strict=any(r.get("kind") == "strict" and r.get("name") == "true" for r in rows))
    initial = None
    for r in rows:
        split = [v.strip() for v in (r.get("value") or "").split(";") if v.strip()]
        if r.get("kind") == "actor":
            actors.add(r["name"], split)
            if r.get("colour"):
                actors.colours[r["name"]] = r["colour"]
        elif r.get("kind") == "group":
            actors.groups[r["name"]] = split
        elif r.get("kind") == "initial":
            initial = r["name"] or None
    return actors, initial


def load_actors(path: str | Path | None) -> Actors:
    """Read an actors TOML file ([actors.NAME] aliases/colour, [groups] NAME = [members])."""
    if path is None:
        return Actors()
    path = Path(path)
    data = read_toml(path, InputError(f"{path}: actors file not found; check the path given to --actors"),
                     "see data/aleppo-2016/actors.toml for the layout of an actors file")
    table = data.get("actors")
    if not isinstance(table, dict) or not table:
        raise InputError(f"{path}: no [actors.NAME] tables found; see data/aleppo-2016/actors.toml for the layout")
    _known_keys(data, ACTORS_FILE_KEYS, f"{path}", "a key")
    actors = Actors(strict=True)
    owner: dict[str, str] = {name_key(b): b for b in BUILTIN_ACTORS}
    for name, spec in table.items():
        if not isinstance(spec, dict):
            raise InputError(f"{path} [actors.{name}]: give a table (aliases = [...], colour = \"#...\"), not {type(spec).__name__}")
        _known_keys(spec, ACTOR_KEYS, f"{path} [actors.{name}]", "a key")
        aliases = _string_list(spec.get("aliases", []), f"{path} [actors.{name}] aliases", '["regime", "SAA"]')
        for label in (name, *aliases):
            # One label naming two actors would silently merge them.
            other = owner.setdefault(name_key(label), clean_label(name))
            if other != clean_label(name):
                raise InputError(f"{path} [actors.{name}]: {label!r} also names {other!r}; give each actor its own names")
        actors.add(clean_label(name), [clean_label(a) for a in aliases])
        colour = spec.get("colour") or spec.get("color")
        if colour:
            actors.colours[clean_label(name)] = _colour(str(colour), f"{path} [actors.{name}] colour")
    groups = data.get("groups") or {}
    if not isinstance(groups, dict):
        raise InputError(f"{path}: groups must be a table of lists, e.g. [groups] rebels = [\"faction a\", \"faction b\"], not {groups!r:.40}")
    for group, members in groups.items():
        where = f"{path} [groups] {group}"
        members = _string_list(members, where, '["faction a", "faction b"]')
        if not members:
            raise InputError(f"{where}: the group is empty; list its members or remove it")
        if name_key(group) in owner:  # a group named like an actor or alias: a query could mean either
            raise InputError(f"{where}: {group!r} is also a name of the actor {owner[name_key(group)]!r}; give the group a name of its own")
        actors.groups[clean_label(group)] = [actors.canonical(m, where) for m in members]
    return actors


ACTORS_FILE_KEYS = ("actors", "groups", "confidence")  # confidence: the order of the levels (conflictmap.confidence)
ACTOR_KEYS = ("aliases", "colour", "color", "display")  # display: the name report sentences use (report.display_names)


def _known_keys(table: dict, known, where: str, what: str) -> None:
    """A misspelt key ('alias' for 'aliases') would be ignored silently."""
    unknown = [k for k in table if k not in known]
    if unknown:
        near = closest(unknown[0], known)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise InputError(f"{where}: unknown key {unknown[0]!r}{hint}; known keys: {', '.join(known)}")

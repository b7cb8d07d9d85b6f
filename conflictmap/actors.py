"""Actors: canonical names, aliases, colours and groups, from an optional TOML file or a GeoPackage's
actors table (no heavy imports)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UsageError
from .io import label as source_label, read_toml
from .model import BUILTIN_ACTORS, clean_label, closest
from .names import name_key

__all__ = ["Actors", "load_actors", "actors_from_table"]


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
    # Without a file: the spellings `register` read as one actor (name -> spellings), beyond case alone.
    merged: dict[str, list[str]] = field(default_factory=dict)

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
            known = ", ".join(sorted({*self.names, *BUILTIN_ACTORS}))  # an actors file may declare contested too
            near = closest(text, self.names)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            prefix = f"{where}: " if where else ""
            raise InputError(
                f"{prefix}unknown actor {text!r}{hint}; known actors: {known}; add it (or an alias) to the actors file"
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
            name = min(spellings, key=lambda t: (-spellings[t], t))
            self.add(name)
            if len({t.casefold() for t in spellings}) > 1:  # 'Rebels' and 'rebels' are plainly one: not noted
                self.merged[name] = sorted(spellings)

    def merged_note(self, source: str):
        """One note naming the spellings read as one actor without an actors file ('alpha inc', 'Alpha-Inc'), or
        None: they are one by the match key, but a reader may mean them as two."""
        if not self.merged:
            return None
        from .errors import Problem

        shown = "; ".join(
            f"{', '.join(map(repr, spellings))} as {name!r}" for name, spellings in sorted(self.merged.items())
        )
        return Problem(
            "note",
            source,
            f"actor spellings read as one actor (case, accents and punctuation aside): {shown}; "
            "if they are two actors, rename one in the log (an actors file cannot keep them apart)",
        )

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
        raise InputError(
            f'{where}: {text!r} is not a colour; give a hex code such as "#b2182b" or a name such as "darkred"'
        )
    return text


def _string_list(value, where: str, example: str) -> list[str]:
    """A TOML list of names; a bare string would otherwise be read letter by letter."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: give a list of names, e.g. {example}")
    return value


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
    path, shown = Path(path), source_label(path)  # "-" is stdin
    data = read_toml(
        path,
        InputError(f"{shown}: actors file not found; check the path given to --actors"),
        "see data/aleppo-2016/actors.toml for the layout of an actors file",
    )
    table = data.get("actors")
    if not isinstance(table, dict) or not table:
        raise InputError(f"{shown}: no [actors.NAME] tables found; see data/aleppo-2016/actors.toml for the layout")
    _known_keys(data, ACTORS_FILE_KEYS, f"{shown}", "a key")
    actors = Actors(strict=True)
    owner: dict[str, str] = {name_key(b): b for b in BUILTIN_ACTORS}
    for name, spec in table.items():
        if not isinstance(spec, dict):
            raise InputError(
                f'{shown} [actors.{name}]: give a table (aliases = [...], colour = "#..."), not {type(spec).__name__}'
            )
        _known_keys(spec, ACTOR_KEYS, f"{shown} [actors.{name}]", "a key")
        aliases = _string_list(spec.get("aliases", []), f"{shown} [actors.{name}] aliases", '["regime", "SAA"]')
        for label in (name, *aliases):
            # One label naming two actors would silently merge them.
            other = owner.setdefault(name_key(label), clean_label(name))
            if other != clean_label(name):
                raise InputError(
                    f"{shown} [actors.{name}]: {label!r} also names {other!r}; give each actor its own names"
                )
        actors.add(clean_label(name), [clean_label(a) for a in aliases])
        colour = spec.get("colour") or spec.get("color")
        if colour:
            actors.colours[clean_label(name)] = _colour(str(colour), f"{shown} [actors.{name}] colour")
    groups = data.get("groups") or {}
    if not isinstance(groups, dict):
        raise InputError(
            f'{shown}: groups must be a table of lists, e.g. [groups] rebels = ["faction a", "faction b"], not {groups!r:.40}'
        )
    for group, members in groups.items():
        where = f"{shown} [groups] {group}"
        members = _string_list(members, where, '["faction a", "faction b"]')
        if not members:
            raise InputError(f"{where}: the group is empty; list its members or remove it")
        if name_key(group) in owner:  # a group named like an actor or alias: a query could mean either
            raise InputError(
                f"{where}: {group!r} is also a name of the actor {owner[name_key(group)]!r}; give the group a name of its own"
            )
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

"""Aliases files: reported spellings mapped to district ids or names (`--aliases FILE`).

Two shapes are read as they are:

* a table (CSV, TSV, ...) with columns ``alias,district``; ``district`` may list
  several districts separated by ``;`` (a reported area made of several units)
  or be ``-`` (a place the record names that has no polygon: rows naming it are
  left out, with a warning). Other columns (``match``, ``note``) are ignored, so
  the file ``validate --write-aliases`` writes reads back as it is.
* the JSON of ``neighbourhood-name-variants.json``: an object of entries, each
  with ``original_name`` and lists ``alternative_english``/``alternative_arabic``
  (and ``original_name_a``). A spelling listed under several entries names all
  of them, so it is left out of the aliases (a log using it stays ambiguous and
  says so) instead of being given to one of them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .errors import Checks, InputError
from .io import decode_text, label, read_records, read_source_bytes, shown_columns
from .matching import DistrictIndex, column_suggestion, name_collisions, suggestion
from .names import name_key

ALIAS_COLUMNS = ("alias", "spelling", "reported", "name_as_reported", "variant")
TARGET_COLUMNS = ("district", "district_id", "id", "name", "target", "polygon")
VARIANT_LISTS = ("alternative_english", "alternative_arabic", "alternatives", "aliases")


def read_aliases(source, encoding: str | None = None) -> list[tuple[str, str, str]]:
    """(alias, district, where) triples from an aliases file, in file order."""
    name = label(source)
    if str(source).lower().endswith(".json") or _json_object_on_stdin(source, encoding):
        doc = _json(source, name, encoding)
        if isinstance(doc, dict) and doc and all(isinstance(v, dict) for v in doc.values()):
            return _variants(doc, name)
        if isinstance(doc, dict) and all(isinstance(v, str) for v in doc.values()):
            return [(k, v, f"{name} key {k!r}") for k, v in doc.items()]
    records = read_records(source, encoding, "aliases file", "alias,district")
    if not records:
        raise InputError(f"{name}: no aliases; expected a header 'alias,district' and one line per spelling")
    alias_col = _column(records, ALIAS_COLUMNS, name)
    target_col = _column(records, TARGET_COLUMNS, name)
    return [
        (r.get(alias_col, ""), r.get(target_col, ""), r["_where"])
        for r in records
        if r.get(alias_col, "") or r.get(target_col, "")
    ]


def _json_object_on_stdin(source, encoding: str | None) -> bool:
    """stdin ('-') has no suffix: a name-variants JSON is told from a table by being one JSON object."""
    if str(source) != "-":
        return False
    text = decode_text(read_source_bytes(source), label(source), encoding).lstrip()
    try:
        return text.startswith("{") and isinstance(json.loads(text), dict)
    except (json.JSONDecodeError, RecursionError):
        return False  # NDJSON (an object per line), or not JSON at all: read as a table of rows


def _json(source, name: str, encoding: str | None):
    try:
        return json.loads(decode_text(read_source_bytes(source), name, encoding))
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from None


def _column(records, choices, name: str) -> str:
    present = [k for k in records[0] if k != "_where"]
    found = next((c for c in choices if c in present), None)
    if found is None:
        raise InputError(
            f"{name}: no {choices[0]!r} column (columns: {shown_columns(present)}); "
            "an aliases file has the columns alias,district"
        )
    return found


def _variants(doc: dict, name: str) -> list[tuple[str, str, str]]:
    """Every spelling of every entry, except those that several entries claim."""
    owners: dict[str, set[str]] = defaultdict(set)
    rows = []
    for key, entry in doc.items():
        target = entry.get("original_name") or entry.get("name")
        if not isinstance(target, str) or not target.strip():
            raise InputError(f"{name} entry {key!r}: no original_name; each entry names its district in original_name")
        spellings = [entry.get("original_name_a") or ""]
        for listed in VARIANT_LISTS:
            value = entry.get(listed) or []
            spellings += value if isinstance(value, list) else [value]
        for text in dict.fromkeys(s for s in spellings if isinstance(s, str) and s.strip()):
            owners[name_key(text)].add(target)
            rows.append((text, target, f"{name} entry {key!r}"))
    kept = {(name_key(r[0]), r[1]): r for r in reversed(rows)}  # entries repeating a spelling for one district: one row
    return [
        r
        for r in rows
        if kept.get((name_key(r[0]), r[1])) is r
        and len(owners[name_key(r[0])]) == 1
        and name_key(r[0]) != name_key(r[1])
    ]


def apply_aliases(index: DistrictIndex, sources, encoding: str | None = None) -> None:
    """Add every alias of every file to the index (a file's errors name its line)."""
    for source in sources:
        if str(source) != "-" and not Path(str(source)).exists():
            raise InputError(f"{source}: aliases file not found; check the path given to --aliases")
        here: set[str] = set()
        for text, target, where in read_aliases(source, encoding):
            key = name_key(text)
            if key in index.aliases and key not in here:
                del index.aliases[key]  # a later file corrects an earlier one (a reviewed file after a shared list)
            here.add(key)
            if not _already_exact(index, text, target):
                index.add_alias(text, target, where)


def _already_exact(index: DistrictIndex, text: str, target: str) -> bool:
    """An alias that only repeats a district's own name (the variants file lists it too) adds nothing."""
    hits = index.exact_hits(text)
    return bool(hits) and len(hits) == 1 and index.exact_hits(target) == hits


def district_index(districts, inputs, checks=None, source: str = "") -> DistrictIndex:
    """The lookup for a loaded districts frame: its names and other names, the aliases files, --strict-names."""
    checks = checks or Checks()
    index = DistrictIndex(districts["id"], districts["name"], districts.get("aliases"), inputs.strict_names)
    checks.attempt(apply_aliases, index, inputs.aliases, inputs.encoding, where=_first(inputs.aliases))
    return index


def check_names(districts, source: str, checks) -> None:
    """Two districts whose different names share a match key are an error naming both:
    every lookup by either name would merge them."""
    for name, did, other, other_id in name_collisions(districts["id"], districts["name"], districts.get("aliases")):
        checks.add(
            "error",
            source,
            f"districts {did!r} ({name!r}) and {other_id!r} ({other!r}) have names that match "
            "as one (case, accents and punctuation aside); rename one so that each name finds one district",
        )


def _first(paths) -> str:
    return label(paths[0]) if paths else ""


SUGGESTED_COLUMNS = ["alias", "district", "match", "rows"]


def suggested_aliases(index: DistrictIndex) -> list[dict]:
    """Rows for an aliases file to review: every unmatched name with its suggestion, and every
    name the looser tier matched (so that an accepted file makes them exact), in the log's order.

    Where the log is a change list with its own column naming the polygons (polygon_names), that
    column's districts are the first proposal (`column` is True in those rows); a looser match it
    agrees with says so."""
    rows = []
    for text, wheres in index.lookups.unmatched.items():
        proposed = column_suggestion(index, text) or _unlisted(index, text, suggestion(index, text))
        rows.append({"alias": text, **proposed, "rows": _rows(wheres)})
    for text, idx in index.lookups.matched_loose.items():
        rows.append({"alias": text, **_loose_row(index, text, idx), "rows": ""})
    return rows


def _unlisted(index: DistrictIndex, text: str, proposed: dict) -> dict:
    """A suggestion made without the polygon column, saying when the column has a cell that names no district."""
    cells = list(index.lookups.listed.get(text, {}))
    if not cells:
        return proposed
    shown = " / ".join(repr(c) for c in cells)
    return {**proposed, "match": f"{proposed['match']}; {index.lookups.listed_column} {shown} names no district"}


def _loose_row(index: DistrictIndex, text: str, idx: int) -> dict:
    """A name the looser tier matched: the column's districts when it names others, else the match."""
    listed = column_suggestion(index, text)
    if listed is None:
        return {"district": index.names[idx], "match": "looser spelling"}
    if listed["found"] == (idx,):
        return {
            "district": index.names[idx],
            "match": f"looser spelling, as the {index.lookups.listed_column} column says",
        }
    return {**listed, "match": f"{listed['match']}; the looser spelling found only {index.names[idx]!r}"}


def _rows(wheres: list[str]) -> str:
    lines = [w.rsplit(" ", 1)[-1] for w in wheres]
    return ("line " if wheres and " line " in wheres[0] else "") + ", ".join(lines)


def aliases_csv(rows: list[dict]) -> str:
    """The suggestions as CSV (alias,district,match,rows), read back as it is by --aliases (a bare \\r is quoted)."""
    from .escape import csv_line

    return csv_line(SUGGESTED_COLUMNS) + "".join(csv_line([row.get(c, "") for c in SUGGESTED_COLUMNS]) for row in rows)

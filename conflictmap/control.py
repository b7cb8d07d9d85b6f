"""The control log: rows (date, district, controller, share) checked and normalised.

After loading, the shares of every (district, date) group sum to exactly 1: a
remainder is an explicit `unknown` row, so every later figure can sum shares
without special cases.
"""

from __future__ import annotations

from collections import defaultdict

from .errors import FAILED, Checks, InputError
from .io import label, read_records
from .model import UNKNOWN, Actors, closest, id_text, name_key, parse_date

REQUIRED = ("date", "district", "controller")
SYNONYMS = {
    "district": ("district_id", "districtid", "neighbourhood", "neighborhood", "unit", "area", "id", "name"),
    "controller": ("actor", "holder", "controlled_by", "control", "side"),
    "date": ("day", "as_of", "date_in_force"),
}
OPTIONAL = ("share", "source", "confidence", "note")
SHARE_TOLERANCE = 1e-9
LOG_COLUMNS = ["idx", "district", "date", "controller", "share", "source", "confidence", "note", "where"]


class DistrictIndex:
    """Looks up a district by id or name, insensitive to case, accents and punctuation."""

    def __init__(self, ids, names, aliases=None):
        self.ids = list(ids)
        self.names = list(names)
        self.exact = {d: i for i, d in enumerate(self.ids)}
        self.by_key: dict[str, set[int]] = defaultdict(set)
        for i, d in enumerate(self.ids):
            self.by_key[name_key(d)].add(i)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        for i, n in enumerate(self.names):
            self.by_name[name_key(n)].add(i)
        for i, more in enumerate(aliases if aliases is not None else ()):
            for n in more:
                self.by_name[name_key(n)].add(i)

    def find(self, text: str, where: str) -> int:
        if text in self.exact:
            return self.exact[text]
        if id_text(text) in self.exact:  # '16.0' from a spreadsheet is id 16 (its name key '160' is not)
            return self.exact[id_text(text)]
        key = name_key(text)
        for table in (self.by_key, self.by_name):
            hits = table.get(key)
            if hits and len(hits) == 1:
                return next(iter(hits))
            if hits:
                shown = ", ".join(sorted(self.ids[i] for i in hits))
                raise InputError(f"{where}: district {text!r} is ambiguous (ids {shown}); use the id")
        near = closest(text, self.names + self.ids)
        hint = f"; closest: {', '.join(near)}" if near else ""
        raise InputError(f"{where}: unknown district {text!r}{hint}; use a district id or name from the districts file")


def _columns(records, source: str) -> dict[str, str]:
    # JSON records may leave optional keys out: the columns are every key seen, in first-seen order.
    present = list(dict.fromkeys(k for rec in records for k in rec if k != "_where"))
    mapping = {}
    for col in REQUIRED + OPTIONAL:
        if col in present:
            mapping[col] = col
            continue
        alt = next((s for s in SYNONYMS.get(col, ()) if s in present and s not in mapping.values()), None)
        if alt:
            mapping[col] = alt
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        _check_header(present, source)
        hints = [f"{c!r} (is {near[0]!r} a misspelling?)" if (near := closest(c, present)) else repr(c) for c in missing]
        raise InputError(f"{source}: no {' or '.join(hints)} column; columns: {', '.join(present) or 'none'}; the log needs date, district, controller")
    return mapping


def _check_header(present: list[str], source: str) -> None:
    """A first line of data instead of a header is its own mistake, with its own fix."""
    for value in present:
        try:
            parse_date(value)
        except InputError:
            continue
        raise InputError(f"{source}: the first line ({', '.join(present)}) is data, not a header; "
                         "add a header line such as 'date,district,controller'")


def _share(text: str, where: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise InputError(f"{where}: share {text!r} is not a number; give a fraction between 0 and 1") from None
    if not 0 <= value <= 1 + SHARE_TOLERANCE:
        raise InputError(f"{where}: share {text!r} is not between 0 and 1; give the fraction of the district held (e.g. 0.5 for half)")
    return value


def parse_rows(records, source: str, index: DistrictIndex, actors: Actors, checks: Checks | None = None) -> list[dict]:
    """Checked rows: dates parsed, districts resolved, actors canonical, shares numeric.

    The first bad value raises; with `checks` collecting, every bad value of
    every row is recorded and the rows that have one are left out.
    """
    checks = checks or Checks()
    cols = _columns(records, source)
    if not actors.strict and "controller" in cols:
        actors.register([rec.get(cols["controller"], "") for rec in records])
    rows = []
    for rec in records:
        get = lambda c: rec.get(cols.get(c, ""), "") if c in cols else ""  # noqa: E731
        if not get("date") and not get("district") and not get("controller"):
            continue
        row = _parse_row(get, rec["_where"], index, actors, checks)
        if row is not None:
            rows.append(row)
    return rows


def _empty_controller(text: str, where: str) -> None:
    if not text:
        raise InputError(f"{where}: empty controller; name who holds the district (or 'unknown')")


def _parse_row(get, where: str, index: DistrictIndex, actors: Actors, checks: Checks) -> dict | None:
    """One row, each value checked in turn (the first failure raises unless collecting)."""
    values = [
        checks.attempt(_empty_controller, get("controller"), where, where=where),
        checks.attempt(index.find, get("district"), where, where=where),
        checks.attempt(parse_date, get("date"), where, where=where),
        checks.attempt(actors.canonical, get("controller"), where, where=where) if get("controller") else None,
        checks.attempt(_share, get("share"), where, where=where),
    ]
    if any(v is FAILED for v in values):
        return None
    _, idx, date, controller, share = values
    return {
        "idx": idx, "district": index.ids[idx], "date": date, "controller": controller, "share": share,
        "source": get("source"), "confidence": get("confidence"), "note": get("note"), "where": where,
    }


def _settle_group(group: list[dict], checks: Checks) -> list[dict]:
    """Rows of one district on one date with shares that sum to exactly 1 (none when collecting an error)."""
    group = _drop_duplicates(group, checks)
    first = group[0]
    if len(group) > 1 and any(r["share"] is None for r in group):
        controllers = sorted({r["controller"] for r in group})
        checks.add("error", _join_wheres([r["where"] for r in group]),
                   f"district {first['district']!r} has {len(group)} rows on {first['date']} "
                   f"({', '.join(controllers)}), some without shares; give each a share, or keep one row")
        return []
    merged: dict[str, dict] = {}
    # Summed in a fixed order (not the file's), so a shuffled log gives the same bits.
    for r in sorted(group, key=lambda r: (r["controller"], -1.0 if r["share"] is None else r["share"])):
        share = 1.0 if r["share"] is None else r["share"]
        if r["controller"] in merged:
            merged[r["controller"]]["share"] += share
        else:
            merged[r["controller"]] = {**r, "share": share}
    total = sum(r["share"] for r in merged.values())
    if total > 1 + SHARE_TOLERANCE:
        checks.add("error", _join_wheres([r["where"] for r in group]), f"shares of {first['district']!r} on {first['date']} sum to {total:g} (over 1); correct them so they sum to at most 1")
        return []
    out = sorted((r for r in merged.values() if r["share"] > 0), key=lambda r: r["controller"])
    if total < 1 - SHARE_TOLERANCE:
        out.append({**first, "controller": UNKNOWN, "share": 1 - total, "source": "", "confidence": "", "note": "remainder of shares"})
        if UNKNOWN in merged:
            out = _combine_unknown(out)
    return out


def _drop_duplicates(group: list[dict], checks: Checks) -> list[dict]:
    """Rows repeating a (controller, share) of the same district and date: one is kept, with a warning.

    Which one is kept does not depend on the order of the file (sorted by the
    row's own values), so a shuffled log gives the same result.
    """
    ordered = sorted(group, key=lambda r: (r["controller"], r["share"] is None, r["share"] or 0.0,
                                           r["source"], r["confidence"], r["note"]))
    kept: dict[tuple, dict] = {}
    for r in ordered:
        kept.setdefault((r["controller"], r["share"]), r)
    if len(kept) < len(group):
        first = ordered[0]
        checks.add("warning", _join_wheres([r["where"] for r in group]),
                   f"duplicate rows for {first['district']!r} on {first['date']}; kept one of each")
    return list(kept.values())


def _join_wheres(wheres: list[str]) -> str:
    """'log.csv line 7, line 8': the file named once."""
    prefix = wheres[0].rsplit(" ", 2)[0] + " "
    return ", ".join([wheres[0]] + [w.removeprefix(prefix) for w in wheres[1:]])


def _combine_unknown(rows: list[dict]) -> list[dict]:
    unknown = sum(r["share"] for r in rows if r["controller"] == UNKNOWN)
    kept = [r for r in rows if r["controller"] != UNKNOWN]
    base = next(r for r in rows if r["controller"] == UNKNOWN)
    return kept + [{**base, "share": unknown}]


def load_control(source, index: DistrictIndex, actors: Actors, checks: Checks | None = None):
    """The normalised control log as a DataFrame (LOG_COLUMNS) and the problems found.

    With `checks` collecting (validate), bad rows are recorded there and left out.
    """
    problems: list = []
    checks = checks or Checks(problems)
    rows = parse_rows(read_log_records(source), label(source), index, actors, checks)
    return settle(rows, checks), problems


def read_log_records(source) -> list[dict]:
    """The raw records of a control log; a log without rows is an error."""
    records = read_records(source)
    if not records:
        raise InputError(f"{label(source)}: no rows; expected a header 'date,district,controller' and one row per change")
    return records


def settle(rows: list[dict], checks: Checks | None = None):
    """Parsed rows as the log DataFrame: one group per (district, date), shares summing to 1."""
    import pandas as pd

    groups: dict[tuple, list] = defaultdict(list)
    for r in rows:
        groups[(r["idx"], r["date"])].append(r)
    settled = [r for key in sorted(groups) for r in _settle_group(groups[key], checks or Checks())]
    frame = pd.DataFrame(settled, columns=LOG_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def empty_log():
    import pandas as pd

    frame = pd.DataFrame({c: [] for c in LOG_COLUMNS})
    frame["date"] = pd.to_datetime(frame["date"])
    frame["idx"] = frame["idx"].astype(int)
    frame["share"] = frame["share"].astype(float)
    return frame

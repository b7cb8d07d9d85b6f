"""The control log: rows (date, district, controller, share) checked and normalised.

After loading, the shares of every (district, date) group sum to exactly 1: a
remainder is an explicit `unknown` row, so every later figure can sum shares
without special cases.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from .errors import FAILED, Checks, InputError, Problem
from .io import garbled_word, label, looks_like_column, read_records, shown_columns
from .matching import DistrictIndex
from .tolerance import SHARE_TOLERANCE
from .model import CONTESTED, UNKNOWN, closest, near_names, parse_date
from .names import name_key
from .actors import Actors

__all__ = ["DistrictIndex", "future_problem", "load_control", "parse_rows", "settle"]

REQUIRED = ("date", "district", "controller")
SYNONYMS = {
    "district": ("district_id", "districtid", "neighbourhood", "neighborhood", "unit", "area", "id", "name"),
    "controller": (
        "actor",
        "holder",
        "controlled_by",
        "control",
        "side",
        "to",
        "to_actor",
        "to_controller",
        "new_controller",
    ),
    "date": ("day", "as_of", "date_in_force"),
    "from": ("from_actor", "from_controller", "previous", "previous_controller", "old_controller"),
    "source": ("source_url", "url", "sources", "reported_by"),
    "confidence": ("grade", "certainty", "status"),
    "note": ("notes", "comment", "comments"),
}
# A change list (the public record: date, place, from, to) names the place as reported.
DISTRICT_PREFIXES = ("neighbourhood", "neighborhood", "district")
# ... and may say which polygons its author matched that place to: a proposal for the aliases file, never
# used in place of the name (control.column_problems, matching.column_suggestion).
# (Not a bare 'polygon' or 'polygons': that may be a geometry as WKT.)
POLYGON_COLUMNS = ("polygon_names", "polygon_name", "polygon_ids", "matched_polygons", "matched_names")
OPTIONAL = ("share", "source", "confidence", "note", "from")
LOG_COLUMNS = ["idx", "district", "date", "controller", "share", "source", "confidence", "note", "where", "from"]


def _columns(records, source: str) -> dict[str, str]:
    # JSON records may leave optional keys out: the columns are every key seen, in first-seen order.
    present = list(dict.fromkeys(k for rec in records for k in rec if k != "_where"))
    mapping = {}
    for col in REQUIRED + OPTIONAL:
        if col in present:
            mapping[col] = col
            continue
        alt = next((s for s in SYNONYMS.get(col, ()) if s in present and s not in mapping.values()), None)
        if alt is None and col == "district":
            alt = next((p for p in present if p.startswith(DISTRICT_PREFIXES)), None)
        if alt:
            mapping[col] = alt
    polygons = next((c for c in POLYGON_COLUMNS if c in present and c not in mapping.values()), None)
    if polygons:
        mapping["polygons"] = polygons
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        _check_header(present, source)
        hints = [
            f"{c!r} (is {near[0]!r} a misspelling?)"
            if (near := closest(c, [p for p in present if looks_like_column(p)]))
            else repr(c)
            for c in missing
        ]
        raise InputError(
            f"{source}: no {' or '.join(hints)} column; columns: {shown_columns(present)}; the log needs date, district, controller"
        )
    return mapping


def _check_header(present: list[str], source: str) -> None:
    """A first line of data instead of a header is its own mistake, with its own fix."""
    for value in present:
        try:
            parse_date(value)
        except InputError:
            continue
        raise InputError(
            f"{source}: the first line ({shown_columns(present)}) is data, not a header; "
            "add a header line such as 'date,district,controller'"
        )


# A decimal comma (0,5 or 50,5%: European Excel). A share is at most 1 (or 100%), so it cannot be a thousands
# separator (1,000 would be 1000): the comma has one reading (claims refuse it, where a measure in km² may be 1,250).
_DECIMAL_COMMA_SHARE = re.compile(r"\d*,\d+\s*%?")


def _share(text: str, where: str) -> float | None:
    if text == "":
        return None
    number = text.replace(",", ".") if _DECIMAL_COMMA_SHARE.fullmatch(text) else text
    try:
        value = float(number.rstrip("%")) / (100 if number.endswith("%") else 1)
    except ValueError:
        raise InputError(f"{where}: share {text!r} is not a number; give a fraction between 0 and 1") from None
    if not 0 <= value <= 1 + SHARE_TOLERANCE:
        raise InputError(
            f"{where}: share {text!r} is not between 0 and 1; give the fraction of the district held (e.g. 0.5 for half)"
        )
    return value


def parse_rows(records, source: str, index: DistrictIndex, actors: Actors, checks: Checks | None = None) -> list[dict]:
    """Checked rows: dates parsed, districts resolved, actors canonical, shares numeric.

    The first bad value raises; with `checks` collecting, every bad value of
    every row is recorded and the rows that have one are left out. A row whose
    district is an alias of several districts gives one row per district; one
    whose place has no district (alias '-') gives none. Names matched only by the
    looser tier, rows left out and actor labels that look like typos are
    reported once each (notes and warnings in `checks`).
    """
    checks = checks or Checks()
    cols = _columns(records, source)
    headers = [rec["_where"] for rec in records if _repeats_header(rec)]
    if headers:
        records = [rec for rec in records if not _repeats_header(rec)]
        checks.add_problem(_header_problem(headers))
    if not actors.strict and "controller" in cols:
        labels = [rec.get(cols[c], "") for c in ("controller", "from") if c in cols for rec in records]
        actors.register(labels)
        for problem in filter(None, [*actor_typos(actors, records, cols, source), actors.merged_note(source)]):
            checks.add_problem(problem)
    garbled = garbled_labels(records, cols, source)
    if garbled:
        checks.add_problem(garbled)
    rows = []
    resolved: dict[str, set] = {}  # name -> the districts it was read as, for names the polygon column lists
    for rec in records:
        get = lambda c: rec.get(cols.get(c, ""), "") if c in cols else ""  # noqa: E731
        if not get("date") and not get("district") and not get("controller"):
            continue
        found = _parse_row(get, rec["_where"], index, actors, checks)
        rows += found or []
        if get("polygons"):
            index.lookups.listed[get("district")][get("polygons")].append(rec["_where"])
            if found is not None:
                resolved[get("district")] = {r["idx"] for r in found}
    if "polygons" in cols and isinstance(index, DistrictIndex):
        index.lookups.listed_column = cols["polygons"]
        for problem in column_problems(index, resolved):
            checks.add_problem(problem)
    for problem in lookup_problems(index, source):
        checks.add_problem(problem)
    return rows


def _repeats_header(rec: dict) -> bool:
    """A row that is the header line again (two exports joined one after the other)."""
    columns = [c for c in rec if c != "_where" and c]
    return bool(columns) and all(str(rec[c]).lower() == c for c in columns)


def _header_problem(wheres: list[str]) -> Problem:
    """One warning for the header lines repeated among the rows (skipped)."""
    more = f" (and {_count(len(wheres) - 1, 'more line')})" if len(wheres) > 1 else ""
    return Problem(
        "warning",
        wheres[0] + more,
        "repeats the header line (two files joined?); it is skipped: delete it to silence this",
    )


def _empty_controller(text: str, where: str) -> None:
    if not text:
        raise InputError(f"{where}: empty controller; name who holds the district (or 'unknown')")


def _districts(index: DistrictIndex, text: str, where: str) -> list[int]:
    if not text:
        raise InputError(f"{where}: empty district; give the district's id or name (or delete the row)")
    return index.find_all(text, where)


def _parse_row(get, where: str, index: DistrictIndex, actors: Actors, checks: Checks) -> list[dict] | None:
    """The rows one record gives, each value checked in turn (the first failure raises unless collecting,
    and gives None when collecting); none for a place an alias marks as having no district."""
    values = [
        checks.attempt(_empty_controller, get("controller"), where, where=where),
        checks.attempt(_districts, index, get("district"), where, where=where),
        checks.attempt(parse_date, get("date"), where, where=where),
        checks.attempt(actors.canonical, get("controller"), where, where=where) if get("controller") else None,
        checks.attempt(_share, get("share"), where, where=where),
        checks.attempt(actors.canonical, get("from"), where, where=where) if get("from") else "",
    ]
    if any(v is FAILED for v in values):
        return None
    _, found, date, controller, share, previous = values
    return [
        {
            "idx": idx,
            "district": index.ids[idx],
            "name": index.names[idx],  # for messages (_shown)
            "date": date,
            "controller": controller,
            "share": share,
            "source": get("source"),
            "confidence": get("confidence"),
            "note": get("note"),
            "where": where,
            "from": previous,
        }
        for idx in found
    ]


def column_problems(index: DistrictIndex, resolved: dict[str, set]) -> list[Problem]:
    """A warning for each name read as other districts than the change list's own polygon column names.

    `resolved`: name -> the districts its rows were read as (none for a '-' alias). A name that matched
    nothing has its error already, and the column's districts are its --write-aliases proposal.
    """
    from .matching import listed_districts

    column = index.lookups.listed_column
    problems = []
    for text, cells in index.lookups.listed.items():
        if text not in resolved:
            continue
        listed = listed_districts(index, list(cells))
        # A cell of examples ('e.g. Souq al-Madina') agrees with any reading that includes them.
        agrees = set(listed.found) <= resolved[text] if listed.examples else set(listed.found) == resolved[text]
        if not listed.found or agrees:
            continue
        wheres = _by_line([w for group in cells.values() for w in group])
        more = f" (and {_count(len(wheres) - 1, 'more row')})" if len(wheres) > 1 else ""
        named = "; ".join(index.names[i] for i in listed.found)
        problems.append(
            Problem(
                "warning",
                wheres[0] + more,
                f"{_read_as(index, text, resolved[text])}, but the change list's {column} column names "
                f"{named!r}; {_column_fix(index, text)}",
            )
        )
    return problems


def _read_as(index: DistrictIndex, text: str, found: set) -> str:
    how = index.read_as(text)
    named = repr("; ".join(index.names[i] for i in sorted(found)))
    if how == "skipped":
        return f"{text!r} is left out ('-' in {index.aliases[name_key(text)].where})"
    if how == "alias":
        return f"{text!r} is read as {named} by the alias in {index.aliases[name_key(text)].where}"
    if how == "loose":
        return f"{text!r} matched {named} by a looser spelling"
    return f"{text!r} is the name of {named}"


def _column_fix(index: DistrictIndex, text: str) -> str:
    how = index.read_as(text)
    if how in ("skipped", "alias"):
        return "if the column is right, correct the alias (a later --aliases file overrides it)"
    if how == "loose":
        return "if the column is right, map the name in an aliases file (validate --write-aliases proposes it)"
    return "the name is a district's own, so check the row: only editing it changes what it names"


def lookup_problems(index: DistrictIndex, source: str) -> list[Problem]:
    """One note per name matched by the looser tier, one warning for the rows left out ('-' aliases)."""
    problems = []
    for (text, idx), wheres in index.lookups.loose.items():
        more = f" (and {_count(len(wheres) - 1, 'more row')})" if len(wheres) > 1 else ""
        problems.append(
            Problem(
                "note",
                wheres[0] + more,
                f"{text!r} matched {index.names[idx]!r} by a looser spelling "
                "(an article, a transliteration, a unit word such as raion); add it to an aliases file to make it exact, or use --strict-names to refuse it",
            )
        )
    skipped = index.lookups.skipped
    if skipped:
        shown = "; ".join(
            f"{text!r} ({', '.join(w.removeprefix(source).strip() for w in wheres)})"
            for text, wheres in skipped.items()
        )
        total = sum(len(w) for w in skipped.values())
        problems.append(
            Problem(
                "warning",
                source,
                f"{_count(total, 'row')} left out: they name places the aliases file marks "
                f"as having no district ('-'): {shown}",
            )
        )
    index.lookups.loose.clear()
    skipped.clear()
    return problems


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


LABEL_COLUMNS = ("controller", "from", "district")


def garbled_labels(records, cols: dict, source: str) -> Problem | None:
    """One warning for a log whose actor or district labels look wrongly decoded ('Укра╖на': KOI8-U read as
    koi8-r), naming the first such label and its line."""
    found, judged = [], {}  # a log repeats its labels: each distinct one is judged once
    for rec in records:
        for col in LABEL_COLUMNS:
            text = rec.get(cols[col], "") if col in cols else ""
            if not isinstance(text, str) or text.isascii():
                continue
            bad = judged[text] if text in judged else judged.setdefault(text, garbled_word(text))
            if bad:
                found.append((text, bad, rec["_where"]))
    if not found:
        return None
    text, (word, why), where = found[0]
    more = f" (and {_count(len(found) - 1, 'more label')})" if len(found) > 1 else ""
    return Problem(
        "warning",
        source,
        f"{where.removeprefix(source).strip()}: {text!r} has {why}{'' if word == text else f' ({word!r})'}{more}: "
        "the file may be read in the "
        "wrong encoding; name its encoding with --encoding (KOI8-U read as koi8-r shows box-drawing characters "
        "where і, ї, є stand), or fix the spelling",
    )


def actor_typos(actors: Actors, records, cols: dict, source: str) -> list[Problem]:
    """Without an actors file: a warning for each pair of actor labels one or two letters apart."""
    uses: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        for col in ("controller", "from"):
            text = rec.get(cols.get(col, ""), "") if col in cols else ""
            if text:
                uses[actors.canonical(text)].append(rec["_where"])
    problems = []
    for a, b in near_names(sorted(uses)):
        rare, common = sorted((a, b), key=lambda n: (len(uses[n]), n))
        shown = ", ".join(w.removeprefix(source).strip() for w in uses[rare][:3]) + (
            " ..." if len(uses[rare]) > 3 else ""
        )
        problems.append(
            Problem(
                "warning",
                source,
                f"actors {rare!r} ({_count(len(uses[rare]), 'row')}: {shown}) and {common!r} "
                f"({_count(len(uses[common]), 'row')}) differ by a letter or two; if they are one actor, "
                "fix the spelling or give an actors file (--actors) with an alias",
            )
        )
    return problems


def _settle_group(group: list[dict], checks: Checks) -> list[dict]:
    """Rows of one district on one date with shares that sum to exactly 1 (none when collecting an error)."""
    group = _drop_duplicates(group, checks)
    first = group[0]
    if len(group) > 1 and any(r["share"] is None for r in group):
        controllers = sorted({r["controller"] for r in group})
        checks.add(
            "error",
            _join_wheres([r["where"] for r in group]),
            f"district {_shown(first)} has {len(group)} rows on {first['date']} "
            f"({', '.join(controllers)}), some without shares; give each a share, or keep one row",
        )
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
        checks.add(
            "error",
            _join_wheres([r["where"] for r in group]),
            f"shares of {_shown(first)} on {first['date']} sum to {total:g} (over 1); correct them so they sum to at most 1",
        )
        return []
    out = sorted((r for r in merged.values() if r["share"] > 0), key=lambda r: r["controller"])
    if total < 1 - SHARE_TOLERANCE:
        out.append(
            {
                **first,
                "controller": UNKNOWN,
                "share": 1 - total,
                "source": "",
                "confidence": "",
                "note": "remainder of shares",
                "from": "",
            }
        )
        if UNKNOWN in merged:
            out = _combine_unknown(out)
    return out


def _shown(row: dict) -> str:
    """A row's district for messages: "'Kupiansk' (id 74538382B18579699267219)", or its id when that is its name."""
    name = row.get("name")
    return f"{name!r} (id {row['district']})" if name and name != row["district"] else repr(row["district"])


def _drop_duplicates(group: list[dict], checks: Checks) -> list[dict]:
    """Rows repeating a (controller, share) of the same district and date: one is kept, with a warning.

    Which one is kept does not depend on the order of the file (sorted by the
    row's own values), so a shuffled log gives the same result.
    """
    ordered = sorted(
        group,
        key=lambda r: (r["controller"], r["share"] is None, r["share"] or 0.0, r["source"], r["confidence"], r["note"]),
    )
    kept: dict[tuple, dict] = {}
    for r in ordered:
        kept.setdefault((r["controller"], r["share"]), r)
    if len(kept) < len(group):
        first = ordered[0]
        checks.add(
            "warning",
            _join_wheres([r["where"] for r in group]),
            f"duplicate rows for {_shown(first)} on {first['date']}; kept one of each",
        )
    return list(kept.values())


def _by_line(wheres: list[str]) -> list[str]:
    """'log.csv line 7' places in ascending line order."""
    return sorted(wheres, key=lambda w: int(n) if (n := w.rsplit(" ", 1)[-1]).isdigit() else 0)


def _join_wheres(wheres: list[str]) -> str:
    """'log.csv line 7, line 8': the file named once, the lines in ascending order (a group is sorted by
    controller, not by line)."""
    wheres = _by_line(wheres)
    prefix = wheres[0].rsplit(" ", 2)[0] + " "
    return ", ".join([wheres[0]] + [w.removeprefix(prefix) for w in wheres[1:]])


def _combine_unknown(rows: list[dict]) -> list[dict]:
    unknown = sum(r["share"] for r in rows if r["controller"] == UNKNOWN)
    kept = [r for r in rows if r["controller"] != UNKNOWN]
    base = next(r for r in rows if r["controller"] == UNKNOWN)
    return kept + [{**base, "share": unknown}]


def load_control(
    source,
    index: DistrictIndex,
    actors: Actors,
    checks: Checks | None = None,
    encoding: str | None = None,
    initial: str = UNKNOWN,
    today: dt.date | None = None,
):
    """The normalised control log as a DataFrame (LOG_COLUMNS) and the problems found.

    With `checks` collecting (validate), bad rows are recorded there and left out.
    A `from` that disagrees with the log is a warning here (validate makes it an error);
    so are rows dated after `today` (default: the clock's; see future_problem).
    """
    problems: list = []
    checks = checks or Checks(problems)
    log = None if checks.collect else fast_log(source, index, actors, checks, encoding)
    if log is None:
        rows = parse_rows(read_log_records(source, encoding), label(source), index, actors, checks)
        for problem in from_problems(rows, initial):
            checks.add_problem(problem)
        log = settle(rows, checks)
    future = future_problem(log, today)
    if future:
        checks.add_problem(future)
    return log, problems


FUTURE_SLACK = dt.timedelta(days=1)  # a log kept where the date is already tomorrow (a time zone ahead) is fine
SHOWN_LINES = 3


def future_problem(log, today: dt.date | None = None) -> Problem | None:
    """One warning for the rows of a log (LOG_COLUMNS frame) dated after today: almost always a typo in the
    year (2061 for 2016), and the last date of the log is every command's default date.

    `today` is for tests; otherwise this is the one place the clock is read. A row dated tomorrow passes.
    """
    import pandas as pd

    today = today or dt.date.today()
    late = log.loc[log["date"] > pd.Timestamp(today + FUTURE_SLACK), ["date", "where"]]
    if not len(late):
        return None
    wheres = _by_line(list(dict.fromkeys(late["where"].tolist())))  # a remainder row repeats its row's place
    last = late["date"].max().date().isoformat()
    shown = _join_wheres(wheres[:SHOWN_LINES])
    if len(wheres) == 1:
        return Problem(
            "warning",
            shown,
            f"date {last} is after today ({today.isoformat()}); a typo? commands default to the log's last "
            f"date, so without --date they show {last}: correct the row, or give --date",
        )
    more = f" (and {_count(len(wheres) - SHOWN_LINES, 'more row')})" if len(wheres) > SHOWN_LINES else ""
    first = late["date"].min().date().isoformat()
    span = last if first == last else f"{first} to {last}"
    return Problem(
        "warning",
        shown + more,
        f"{len(wheres)} rows are dated after today ({today.isoformat()}): {span}; typos? commands default to "
        f"the log's last date, so without --date they show {last}: correct the rows, or give --date",
    )


LOG_ROLE = "control log (CSV, TSV, JSON or NDJSON rows of date, district, controller)"


def read_log_records(source, encoding: str | None = None) -> list[dict]:
    """The raw records of a control log; a log without rows is an error."""
    records = read_records(source, encoding, LOG_ROLE)
    if not records:
        raise InputError(
            f"{label(source)}: no rows; expected a header 'date,district,controller' and one row per change"
        )
    return records


def from_problems(rows: list[dict], initial: str = UNKNOWN, level: str = "warning") -> list[Problem]:
    """Rows whose `from` is not a holder of the district on the day before, by the log itself.

    The state in force on the day before a row dated D is given by the
    district's rows of the latest date before D (all of them, for a split
    district), or by `initial` before its first row. An unknown state cannot
    contradict anything, and a contested one is consistent with a change from
    any side.
    """
    held: dict[int, dict] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        held[r["idx"]][r["date"]].add(r["controller"])
    problems = []
    for r in sorted((r for r in rows if r.get("from")), key=lambda r: (r["date"], r["where"])):
        earlier = [d for d in held[r["idx"]] if d < r["date"]]
        since = max(earlier) if earlier else None
        state = held[r["idx"]][since] if since else {initial}
        if r["from"] in state or state & {UNKNOWN, CONTESTED}:
            continue
        before = (r["date"] - dt.timedelta(days=1)).isoformat()
        basis = f"(since {since.isoformat()})" if since else "(its initial holder)"
        holders = " and ".join(repr(c) for c in sorted(state))
        problems.append(
            Problem(
                level,
                r["where"],
                f"{r['district']!r} changes from {r['from']!r}, but the log has it held by "
                f"{holders} on {before} {basis}; check the row or the one before it",
            )
        )
    return problems


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


# ---------------------------------------------------------------- the column-wise reader
#
# A large log is mostly the same few district names, dates and actors repeated:
# each distinct value is checked once and the columns are mapped, and groups of
# one plain row (the common case) are settled with array operations. Whatever
# is unusual (a bad value, a looser name match, an alias for several districts,
# a `from` column, actor labels that look like typos, duplicate rows) returns
# None, and the row-by-row reader above runs instead: it is the one definition
# of every error and warning, with its row numbers, so both readers give the
# same log and the same messages (tests/test_control_fast.py checks it).


def fast_log(source, index: DistrictIndex, actors: Actors, checks: Checks, encoding: str | None = None):
    """The settled log read column-wise, or None when the row-by-row reader must decide."""
    from .io import read_columns

    table = read_columns(source, encoding)
    if table is None:
        return None
    frame, lines = table
    if not len(frame):
        return None
    name = label(source)
    try:
        cols = _columns([dict.fromkeys(frame.columns, "")], name)
    except InputError:
        return None
    if "from" in cols or "polygons" in cols or "controller" not in cols:
        return None
    get = lambda c: frame[cols[c]] if c in cols else None  # noqa: E731
    mapped = _mapped_values(get, index, actors, name)
    if mapped is None:
        return None
    idx, dates, controllers, shares = mapped
    return _settle_columns(frame, get, lines, name, idx, dates, controllers, shares, index, checks)


def _mapped_values(get, index: DistrictIndex, actors: Actors, name: str):
    """Districts, dates, controllers and shares mapped from their distinct values; None on anything unusual."""
    import numpy as np
    import pandas as pd

    controller = get("controller")
    if (controller == "").any() or (get("district") == "").any() or (get("date") == "").any():
        return None
    labels = (*controller.cat.categories, *get("district").cat.categories)
    if any(garbled_word(t) for t in labels if isinstance(t, str) and not t.isascii()):
        return None  # a warning with its line: the row reader gives it
    if not actors.strict:
        tally = controller.value_counts()
        actors.register_counts(dict(zip(tally.index, tally.to_numpy())))
        if near_names(sorted({actors.canonical(t) for t in tally.index})) or actors.merged:
            return None  # the row reader warns of the typos and notes the merged spellings
    try:
        places, where_place = _district_places(get("district"), index, name)
        days, where_day = _distinct(get("date"), lambda t: parse_date(t, name))
        holders, where_holder = _distinct(controller, lambda t: actors.canonical(t, name))
        share = get("share")
        fractions, where_share = (
            _distinct(share, lambda t: _share(t, name))
            if share is not None
            else ([None], np.zeros(len(controller), dtype=np.int64))
        )
    except InputError:
        return None
    if index.lookups.loose or index.lookups.skipped or any(len(p) != 1 for p in places):
        index.lookups.loose.clear()
        index.lookups.skipped.clear()
        return None
    idx = np.asarray([p[0] for p in places], dtype=np.int64)[where_place]
    dates = pd.to_datetime(pd.Series(days)).to_numpy()[where_day]
    shares = np.asarray([np.nan if f is None else f for f in fractions], dtype=float)[where_share]
    codes, named = pd.factorize(np.asarray(holders, dtype=object))  # labels of one actor: one value
    return idx, dates, (np.asarray(named, dtype=object), codes[where_holder]), shares


def _district_places(column, index: DistrictIndex, name: str):
    """_distinct of index.find_all over the district column; the labels that are ids (most logs name
    districts by id) looked up at once: find_all answers an id by its position and records nothing."""
    import numpy as np
    import pandas as pd

    texts = column.cat.categories
    ids = pd.Index(index.ids)
    if not ids.is_unique:  # index.exact keeps the last of ids written twice: ask it
        return _distinct(column, lambda t: index.find_all(t, name))
    found = ids.get_indexer(texts)
    places = [(p,) for p in found.tolist()]
    # An id that is another district's name is ambiguous: find_all says so.
    for k in np.flatnonzero((found < 0) | np.isin(found, list(index.id_clashes))).tolist():
        places[k] = index.find_all(texts[k], name)
    return places, column.cat.codes.to_numpy()


def _distinct(column, check):
    """`check` of each distinct value of a column (a Categorical from io.read_columns), and each row's position."""
    return [check(u) for u in column.cat.categories], column.cat.codes.to_numpy()


def _settle_columns(frame, get, lines, name: str, idx, dates, controllers, shares, index, checks: Checks):
    """The settled log: single plain rows as they are, every other group through _settle_group.

    The plain rows are put in (district, date) order first (numpy.lexsort) and the
    frame is built once in that order, its text columns straight from the
    distinct values (_text_column), so no column of a million strings is sorted.
    """
    import numpy as np
    import pandas as pd

    day = dates.astype("datetime64[D]").astype(np.int64)
    single = ~pd.Series(idx * 1_000_000 + day).duplicated(keep=False).to_numpy()
    plain = single & (np.isnan(shares) | (np.abs(shares - 1.0) <= SHARE_TOLERANCE))
    rows = np.flatnonzero(plain)
    rows = rows[np.lexsort((day[rows], idx[rows]))]
    ids = index.ids
    fast = _log_rows(get, rows, name, lines, idx, dates, controllers, np.where(np.isnan(shares), 1.0, shares), ids)
    rest = np.flatnonzero(~plain)
    if not len(rest):
        return fast
    records = _log_rows(get, rest, name, lines, idx, dates, controllers, shares, ids)
    records = records.assign(date=records["date"].dt.date).to_dict("records")
    for r in records:  # the row reader's None for 'no share given' (a float column would hold NaN)
        r["share"] = None if r["share"] != r["share"] else float(r["share"])
        r["idx"] = int(r["idx"])
        r["name"] = index.names[r["idx"]]
    fast = pd.concat([fast, settle(records, checks)], ignore_index=True)
    fast["share"] = fast["share"].astype(float)
    return fast.sort_values(["idx", "date"], kind="stable").reset_index(drop=True)[LOG_COLUMNS]


def _log_rows(get, rows, name: str, lines, idx, dates, controllers, shares, ids):
    """LOG_COLUMNS of the given rows of the table, in that order (`controllers`: the actors, each row's)."""
    import numpy as np
    import pandas as pd

    def text(column):
        values = get(column)
        if values is None:
            return _text_column(np.full(len(rows), "", dtype=object))
        return _text_column(values.cat.categories.to_numpy(dtype=object), values.cat.codes.to_numpy()[rows])

    return pd.DataFrame(
        {
            "idx": idx[rows],
            "district": _text_column(np.asarray(ids, dtype=object), idx[rows]),
            "date": dates[rows],
            "controller": _text_column(controllers[0], controllers[1][rows]),
            "share": shares[rows].astype(float),
            "source": text("source"),
            "confidence": text("confidence"),
            "note": text("note"),
            "where": _where(name, lines[rows]),
            "from": _text_column(np.full(len(rows), "", dtype=object)),
        },
        columns=LOG_COLUMNS,
    )


def _text_dtype():
    """The dtype pandas gives a column of Python strings (str on pyarrow in pandas 3, object before)."""
    import pandas as pd

    return pd.Series(["text"]).dtype


def _text_column(values, take=None):
    """A text column of values[take] (values[...] without `take`), of the dtype pandas would give it,
    built in pyarrow when that is its storage (no million Python strings converted one by one)."""
    import numpy as np
    import pandas as pd

    dtype = _text_dtype()
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        array = pa.array(values, type=pa.string())
        return pd.Series(array if take is None else array.take(pa.array(take)), dtype=dtype)
    return pd.Series(values if take is None else np.asarray(values, dtype=object)[take], dtype=dtype)


def _where(name: str, lines):
    """'file line N' for each row."""
    import pandas as pd

    dtype = _text_dtype()
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        joined = pc.binary_join_element_wise(f"{name} line ", pc.cast(pa.array(lines), pa.string()), "")
        return pd.Series(joined, dtype=dtype)
    return pd.Series([f"{name} line {n}" for n in lines.tolist()], dtype=dtype)

"""A control log from a change list (the public record: date, place, from, to) and a baseline.

The record reports *changes*; the log needs *states*. The log is the baseline
snapshot (a row for every district it covers, on the baseline date) followed
by one row per district named by each change, its `from` kept so that every
later reading checks it against the state before it.

A baseline is stated compactly: a snapshot table `district,controller` whose
row `*` (or `default`) covers every district it does not list, and/or
`infer_baseline`: a district the snapshot leaves open starts with the `from`
of its first change (what the record itself says it was).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .aliases import check_names, district_index
from .control import from_problems, future_problem, parse_rows, read_log_records
from .districts import districts_of
from .errors import Checks, InputError, Problem, UsageError
from .io import label
from .matching import EVERY_DISTRICT
from .model import UNKNOWN, parse_date
from .actors import load_actors

DEFAULT_ROWS = EVERY_DISTRICT  # the row that covers every district the snapshot does not list
FROM_CHANGES_COLUMNS = ["date", "district", "controller", "share", "source", "confidence", "note", "from"]


@dataclass
class ChangeLog:
    rows: list[dict]  # FROM_CHANGES_COLUMNS, sorted by date then district
    problems: list[Problem] = field(default_factory=list)
    baseline_date: dt.date | None = None
    changes: int = 0  # change rows read
    inferred: int = 0  # districts whose baseline came from their first change's `from`


def from_changes(
    inputs,
    changes,
    baseline=None,
    baseline_date: dt.date | None = None,
    default: str | None = None,
    infer_baseline: bool = False,
) -> ChangeLog:
    """Build a log from the change list `changes` and a baseline (see the module docstring)."""
    if baseline is None and default is None and not infer_baseline:
        raise UsageError("give a baseline: --baseline SNAPSHOT, --default ACTOR, or --infer-baseline")
    problems: list[Problem] = []
    checks = Checks(problems)
    actors = load_actors(inputs.actors)
    districts, fields, _ = districts_of(inputs)
    problems += fields.problems
    check_names(districts, label(inputs.districts), checks)
    index = district_index(districts, inputs, checks, label(inputs.districts))
    change_rows = parse_rows(read_log_records(changes, inputs.encoding), label(changes), index, actors, checks)
    if not change_rows:
        raise InputError(f"{label(changes)}: no change names a district; nothing to build a log from")
    first_change = min(r["date"] for r in change_rows)
    listed, fallback, day = _baseline(baseline, baseline_date, default, index, actors, inputs, checks)
    if day > first_change:
        raise UsageError(
            f"the baseline date {day} is after the first change ({first_change}); give an earlier --baseline-date"
        )
    inferred = _inferred(change_rows, {r["idx"] for r in listed}, day) if infer_baseline else []
    covered = {r["idx"] for r in listed + inferred}
    defaults = (
        [{**fallback, "idx": i, "district": d} for i, d in enumerate(index.ids) if i not in covered] if fallback else []
    )
    rows = listed + inferred + defaults + change_rows
    problems += from_problems(rows, UNKNOWN)
    future = future_problem(_dated(change_rows))
    problems += [future] if future else []
    out = sorted((_plain(r) for r in rows), key=lambda r: (r["date"], r["district"], r["controller"]))
    return ChangeLog(out, problems, day, len(change_rows), len(inferred))


def _baseline(path, day, default, index, actors, inputs, checks):
    """The snapshot's rows, the default row for districts nothing else covers (or None), and the baseline date.

    Precedence: a district the snapshot lists, then (with infer_baseline) the
    `from` of its first change, then the default.
    """
    rows: list[dict] = []
    listed_default = None
    if path is not None:
        records = read_log_records(path, inputs.encoding)
        day = day or _snapshot_date(records, path)
        for rec in records:  # the snapshot's rows are all on the baseline date
            rec["date"] = day.isoformat() if day else ""
        wanted = [r for r in records if _district_cell(r).strip().lower() not in DEFAULT_ROWS]
        defaults = [r for r in records if _district_cell(r).strip().lower() in DEFAULT_ROWS]
        if len(defaults) > 1:
            raise InputError(f"{defaults[1]['_where']}: a second default row; keep one '*' row")
        listed_default = defaults[0] if defaults else None
        if wanted:
            rows = parse_rows(wanted, label(path), index, actors, checks)
    if day is None:
        raise UsageError("the baseline has no date: give --baseline-date (or a date column in the snapshot)")
    actor = default or (listed_default and _controller_cell(listed_default))
    fallback = None
    if actor:
        where = listed_default["_where"] if listed_default and not default else "--default"
        fallback = {
            "date": day,
            "controller": actors.canonical(actor, where),
            "share": None,
            "source": "",
            "confidence": "",
            "note": "baseline default",
            "where": where,
            "from": "",
        }
    for r in rows:
        r["date"] = day
    return rows, fallback, day


def _district_cell(rec: dict) -> str:
    return next((rec[k] for k in ("district", "district_id", "neighbourhood", "name", "id") if k in rec), "")


def _controller_cell(rec: dict) -> str:
    return next((rec[k] for k in ("controller", "actor", "holder", "side") if k in rec), "")


def _snapshot_date(records, path) -> dt.date | None:
    days = {parse_date(r["date"], r["_where"]) for r in records if r.get("date")}
    if len(days) > 1:
        raise InputError(
            f"{label(path)}: the snapshot has {len(days)} dates ({', '.join(sorted(map(str, days)))}); "
            "a baseline is one date"
        )
    return next(iter(days), None)


def _inferred(change_rows, covered: set, day: dt.date) -> list[dict]:
    """Baseline rows from the `from` of each uncovered district's first change."""
    first: dict[int, dict] = {}
    for r in sorted(change_rows, key=lambda r: (r["date"], r["where"])):
        first.setdefault(r["idx"], r)
    return [
        {
            **r,
            "date": day,
            "controller": r["from"],
            "share": None,
            "from": "",
            "note": f"baseline inferred from the change on {r['date']}",
        }
        for i, r in first.items()
        if i not in covered and r["from"]
    ]


def _dated(rows: list[dict]):
    """The date and place of each row, as the log frame has them (for control.future_problem)."""
    import pandas as pd

    return pd.DataFrame({"date": pd.to_datetime([r["date"] for r in rows]), "where": [r["where"] for r in rows]})


def _plain(r: dict) -> dict:
    share = "" if r["share"] is None else repr(float(r["share"]))
    return {
        "date": r["date"].isoformat(),
        "district": r["district"],
        "controller": r["controller"],
        "share": share,
        "source": r["source"],
        "confidence": r["confidence"],
        "note": r["note"],
        "from": r.get("from", ""),
    }


def log_csv(log: ChangeLog) -> str:
    """The log as CSV text (FROM_CHANGES_COLUMNS), ready for --control (a bare \\r in a name is quoted: escape.csv_line)."""
    from .escape import csv_line

    return csv_line(FROM_CHANGES_COLUMNS) + "".join(
        csv_line([row.get(c, "") for c in FROM_CHANGES_COLUMNS]) for row in log.rows
    )

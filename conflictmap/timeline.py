"""Shares per actor over a grid of dates, computed as change events and cumulative sums.

Every log group (the rows of one district on one date) holds its district from
its date until the district's next group: as events, +share for each of its
actors on its date and -share on the next group's date. Before its first group
a district is held wholly by `ds.initial`. Summing the events that fall on or
before each grid date (a bincount and a cumulative sum) gives the holdings on
every date at once: the cost is linear in log rows + dates x actors, with no
per-date loop over districts. The value on any date equals figures.shares().
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import InputError, UsageError
from .baseline import Baseline
from .figures import baseline_weights, measures, pct_name, reported_actors
from .tolerance import NOISE
from .model import CONTESTED, UNKNOWN, span_error
from .transfer import from_members

__all__ = ["timeline", "date_grid", "holdings", "wide"]

STEP = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
MAX_GRID = 200_000  # a typo like --every 1d over centuries should fail fast, not fill memory
LAST = {CONTESTED: 1, UNKNOWN: 2}  # categories of their own go after the actors, in charts too


def parse_step(text: str) -> tuple[int, str]:
    """'1d', '7d', '2w', '1m', '1y' -> (count, unit); a bad step is a usage error."""
    m = STEP.match(str(text))
    if not m or int(m.group(1)) == 0:
        raise UsageError(f"--every {text!r} is not a step; give a number and a unit: 1d, 7d, 2w, 1m (month) or 1y")
    return int(m.group(1)), m.group(2).lower()


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, clamped to the month's last day (31 Jan + 1m = 28/29 Feb)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def stepped_dates(start: dt.date, end: dt.date, every: str) -> list[dt.date]:
    """start, start + step, ... up to end, and end itself as the last point even when off the step
    (--end defaults to the log's last date: a weekly series must not stop short of the latest state)."""
    return _with_end(_steps(start, end, every), end)


def _with_end(dates: list[dt.date], end: dt.date) -> list[dt.date]:
    return dates if dates and dates[-1] == end else dates + [end]


def _steps(start: dt.date, end: dt.date, every: str) -> list[dt.date]:
    """start, start + step, ... up to end (inclusive)."""
    count, unit = parse_step(every)
    if unit in ("d", "w"):
        days = count * (7 if unit == "w" else 1)
        n = (end - start).days // days + 1
        if n > MAX_GRID:
            raise UsageError(f"--every {every} gives {n:,} dates between {start} and {end}; choose a longer step")
        return [start + dt.timedelta(days=k * days) for k in range(n)]
    months = count * (12 if unit == "y" else 1)
    out = []
    while (day := _add_months(start, months * len(out))) <= end:
        out.append(day)
    return out


def date_grid(
    ds: Dataset, start: dt.date | None = None, end: dt.date | None = None, every: str | None = None
) -> list[dt.date]:
    """The dates of a timeline: each date of the log in [start, end] (plus start and end when given), or a fixed step."""
    if not len(ds.log) and (start is None or end is None):
        raise InputError("the control log is empty; give a log with --control (or both --start and --end)")
    first, last = start or ds.first_date, end or ds.last_date
    if first > last:
        raise UsageError(span_error(("--start", "--end"), (start, end), first, last))
    if every:
        return stepped_dates(first, last, every)
    dates = {d for d in ds.dates if first <= d <= last} | {d for d in (start, end) if d is not None}
    return sorted(dates)


def _days(values) -> np.ndarray:
    """Dates (datetime64 or date objects) as integer days since 1970-01-01."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


NEVER = np.iinfo(np.int64).max
BEFORE_ALL = -(2**62)  # the day of the initial holder's +1: before any date


def _sorted_log(ds: Dataset):
    """The log as arrays sorted by (district, day): idx, day, actor code, share; actor names; initial's code."""
    log = ds.log
    codes, names = pd.factorize(pd.concat([log["controller"], pd.Series([ds.initial])], ignore_index=True), sort=True)
    idx = log["idx"].to_numpy(dtype=np.int64)
    day = _days(log["date"].to_numpy())
    order = np.lexsort((day, idx))
    share = log["share"].to_numpy(dtype=float)
    return idx[order], day[order], codes[:-1][order], share[order], list(names), codes[-1]


def _group_ends(idx: np.ndarray, day: np.ndarray):
    """Per row, the day its group stops being in force (NEVER for a district's last group), and
    per district with rows, the idx and day of its first group."""
    starts = np.ones(len(idx), dtype=bool)
    starts[1:] = (idx[1:] != idx[:-1]) | (day[1:] != day[:-1])
    g_idx, g_day = idx[starts], day[starts]
    same_next = g_idx[1:] == g_idx[:-1]
    g_end = np.full(len(g_idx), NEVER)
    g_end[:-1][same_next] = g_day[1:][same_next]  # the same district's next group replaces it
    first = np.ones(len(g_idx), dtype=bool)
    first[1:] = ~same_next
    return g_end[np.cumsum(starts) - 1], g_idx[first], g_day[first]


def _events(ds: Dataset):
    """Every +/- event as (day, actor code, signed share, district idx), and the actor names.

    Each row is +share on its day and -share when its group ends; the initial
    holder is +1 for every district before all dates and -1 on its first row.
    """
    idx, day, actor, share, names, initial = _sorted_log(ds)
    end, first_idx, first_day = _group_ends(idx, day)
    ended = end != NEVER
    n = len(ds.districts)
    days = np.concatenate([np.full(n, BEFORE_ALL), first_day, day, end[ended]])
    codes = np.concatenate([np.full(n + len(first_idx), initial), actor, actor[ended]])
    signed = np.concatenate([np.ones(n), -np.ones(len(first_idx)), share, -share[ended]])
    where = np.concatenate([np.arange(n), first_idx, idx, idx[ended]])
    return days, codes, signed, where, names


def _grid(dates) -> np.ndarray:
    grid = _days(dates)
    if len(grid) > 1 and (np.diff(grid) <= 0).any():
        raise UsageError("timeline dates must be strictly increasing")
    return grid


def holdings(
    ds: Dataset, dates: list[dt.date], weights: np.ndarray | None = None
) -> tuple[list[str], dict[str, np.ndarray]]:
    """Per measure, an array [date, actor] of what each actor holds on each date (unrounded)."""
    days, codes, signed, where, names = _events(ds)
    grid = _grid(dates)
    # An event dated e is in force on every grid date >= e.
    slot = np.searchsorted(grid, days, side="left")
    cell = slot * len(names) + codes
    size = (len(grid) + 1) * len(names)
    weights = np.ones(len(ds.districts)) if weights is None else weights
    out = {}
    for measure, per_district in measures(ds).items():
        amount = signed * (weights * per_district)[where]
        held = np.bincount(cell, weights=amount, minlength=size).reshape(len(grid) + 1, len(names))
        out[measure] = np.cumsum(held, axis=0)[: len(grid)]
    return names, out


def district_shares(ds: Dataset, dates: list[dt.date], subset: np.ndarray) -> tuple[list[str], np.ndarray]:
    """[district in subset, date, actor] shares, from the same events restricted to `subset`."""
    days, codes, signed, where, names = _events(ds)
    grid = _grid(dates)
    position = np.full(len(ds.districts), -1)
    position[subset] = np.arange(len(subset))
    mine = position[where] >= 0
    slot = np.searchsorted(grid, days[mine], side="left")
    cell = (position[where[mine]] * (len(grid) + 1) + slot) * len(names) + codes[mine]
    size = len(subset) * (len(grid) + 1) * len(names)
    held = np.bincount(cell, weights=signed[mine], minlength=size).reshape(len(subset), len(grid) + 1, len(names))
    return names, np.cumsum(held, axis=1)[:, : len(grid)]


def _baseline_holdings(ds: Dataset, dates, baseline: dt.date, members: list[str]):
    """Holdings over the grid of what `members` held on `baseline` (conflictmap.transfer rule).

    Districts the members held wholly are linear (their holders now, weighted
    by 1) and go through the event sums; only districts they held in part need
    the per-district transfer rule, on those districts alone.
    """
    weights = baseline_weights(ds, baseline, members)
    whole = np.abs(weights - 1) <= NOISE
    names, held = holdings(ds, dates, np.where(whole, 1.0, 0.0))
    partial = np.flatnonzero(~whole & (weights > 0))
    if len(partial):
        _, then = district_shares(ds, [baseline], partial)
        _, now = district_shares(ds, dates, partial)
        amounts = from_members(then, now, np.isin(names, members))  # [district, date, actor]
        for measure, per_district in measures(ds).items():
            held[measure] += np.einsum("k,kta->ta", per_district[partial], amounts)
    return names, held, weights


def actor_order(names, amounts: np.ndarray) -> list[int]:
    """Actors by total holding over the timeline, largest first; contested, then unknown, last."""
    totals = amounts.sum(axis=0)
    return sorted(range(len(names)), key=lambda i: (LAST.get(names[i], 0), -totals[i], names[i]))


def timeline(
    ds: Dataset,
    start: dt.date | None = None,
    end: dt.date | None = None,
    every: str | None = None,
    baseline: Baseline | None = None,
) -> pd.DataFrame:
    """Long form: one row per (date, actor) with districts, area_km2, [population], absolute and percent.

    Every actor of the log (and the initial holder, and the baseline actors)
    appears on every date, with 0 where it holds nothing, so the table pivots
    cleanly. With a baseline the universe is what its members held on its
    date, weighted by their share then, exactly as in figures.shares().

    Parameters
    ----------
    ds : Dataset
    start, end : datetime.date, optional
        The first and last dates (default: the log's).
    every : str, optional
        A fixed step (1d, 7d, 2w, 1m, 1y) instead of the dates of the log.
    baseline : Baseline, optional
    """
    dates = date_grid(ds, start, end, every)
    members = list(baseline.members) if baseline else []
    if baseline is None:
        weights = np.ones(len(ds.districts))
        names, held = holdings(ds, dates)
    else:
        names, held, weights = _baseline_holdings(ds, dates, baseline.date, members)
    for measure, per_district in measures(ds).items():
        total = float((weights * per_district).sum())
        held[measure][np.abs(held[measure]) <= NOISE * max(total, 1.0)] = 0.0
    # The same rows as figures.shares(): contested and unknown (and baseline actors) even when 0.
    names, held = _with_actors(names, held, reported_actors(ds, members))
    order = actor_order(names, held["districts"])
    columns = {
        "date": np.repeat(np.asarray(dates, dtype=object), len(order)),
        "actor": np.tile(np.asarray(names, dtype=object)[order], len(dates)),
    }
    for measure, per_district in measures(ds).items():
        values = held[measure][:, order]
        total = float((weights * per_district).sum())
        columns[measure] = values.ravel()
        # At most the whole, as in figures.shares: above 100 is rounding.
        columns[pct_name(measure)] = (
            np.minimum(values / total * 100, 100.0) if total else np.zeros_like(values)
        ).ravel()
    return pd.DataFrame(columns)


def _with_actors(names, held, extra):
    """Add zero columns for actors that must be reported but appear nowhere in the log (a baseline actor, contested)."""
    missing = [a for a in extra if a not in names]
    if not missing:
        return names, held
    pad = {m: np.hstack([v, np.zeros((v.shape[0], len(missing)))]) for m, v in held.items()}
    return names + missing, pad


def wide(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """A column per actor (in the long table's actor order), a row per date."""
    order = list(dict.fromkeys(table["actor"]))
    out = table.pivot(index="date", columns="actor", values=column)[order]
    out.columns.name = None
    return out.reset_index()

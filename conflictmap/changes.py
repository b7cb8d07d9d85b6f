"""What changed between two dates: the districts that changed hands, gains and losses, the transition matrix.

A district's state is the set of (controller, share) of its log group in
force (figures.state_on semantics); a change is a group whose state differs
from the one before it. Re-stating the same controller is not a change.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import InputError, UsageError
from .figures import controller_labels, measures, reported_actors, state_on
from .tolerance import NOISE, SHARE_DIGITS
from .model import span_error
from .transfer import share_matrix, total_flows

__all__ = [
    "changes",
    "gains_losses",
    "transition_matrix",
    "moved_area",
    "change_summary",
    "matrix_table",
    "window",
    "is_fractional",
]

BEFORE = pd.Timestamp.min  # the date of the virtual "initial holder" group


def window(ds: Dataset, since: dt.date | None = None, until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """D0 and D1 of a comparison; by default the first and the last date of the log.

    None means the caller left the bound out, so an error names the log's date
    rather than an option the user never gave.
    """
    if since is None and not len(ds.log):
        raise InputError("the control log is empty; give a log with --control")
    d0 = since or ds.first_date
    d1 = until or ds.last_date or d0
    if d0 > d1:
        raise UsageError(span_error(("--since", "--until"), (since, until), d0, d1))
    return d0, d1


def _groups(ds: Dataset) -> pd.DataFrame:
    """One row per log group plus a virtual initial group per district: idx, date, key (the state).

    The key spells the group's (controller, share) pairs in controller order, so
    two groups hold a district the same way exactly when their keys are equal.
    """
    log = ds.log.sort_values(["idx", "date", "controller"], kind="stable")
    # Shares to 6 decimals: a move of less than a millionth of a district is float or digitising noise.
    pairs = (log["controller"] + "=" + log["share"].map(lambda v: f"{v:.{SHARE_DIGITS}f}") + ";").to_numpy(dtype=object)
    starts = _starts(log["idx"].to_numpy(), log["date"].to_numpy())
    head = log.iloc[starts]
    keys = np.add.reduceat(pairs, starts) if len(pairs) else np.array([], dtype=object)  # string concatenation
    n = len(ds.districts)
    groups = pd.concat(
        [
            pd.DataFrame({"idx": np.arange(n), "date": BEFORE, "key": f"{ds.initial}={1.0:.{SHARE_DIGITS}f};"}),
            pd.DataFrame({"idx": head["idx"].to_numpy(), "date": head["date"].to_numpy(), "key": keys}),
        ],
        ignore_index=True,
    )
    return groups.sort_values(["idx", "date"], kind="stable").reset_index(drop=True)


def _starts(idx: np.ndarray, date: np.ndarray) -> np.ndarray:
    """Positions where a new (district, date) group begins in rows sorted by district and date."""
    new = np.ones(len(idx), dtype=bool)
    new[1:] = (idx[1:] != idx[:-1]) | (date[1:] != date[:-1])
    return np.flatnonzero(new)


def transitions(
    ds: Dataset, since: dt.date | None = None, until: dt.date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every change of state in (since, until]: (idx, date, gid_from, gid_to) and the groups the gids index."""
    since, until = window(ds, since, until)
    groups = _groups(ds)
    groups["gid"] = groups.index
    d0, d1 = pd.Timestamp(since), pd.Timestamp(until)
    base = groups[groups["date"] <= d0].groupby("idx").tail(1)
    inside = groups[(groups["date"] > d0) & (groups["date"] <= d1)]
    seq = pd.concat([base, inside]).sort_values(["idx", "date"], kind="stable")
    prev_key = seq.groupby("idx")["key"].shift()
    prev_gid = seq.groupby("idx")["gid"].shift()
    changed = prev_key.notna() & (seq["key"] != prev_key)
    out = seq[changed]
    return pd.DataFrame(
        {
            "idx": out["idx"].to_numpy(),
            "date": out["date"].to_numpy(),
            "gid_from": prev_gid[changed].to_numpy(dtype=int),
            "gid_to": out["gid"].to_numpy(),
        }
    ), groups


def _group_rows(ds: Dataset, groups: pd.DataFrame, gids) -> pd.DataFrame:
    """The log rows of the groups `gids` (the initial holder's row for a virtual group), sorted by gid."""
    gid = groups.set_index(["idx", "date"])["gid"]
    log = ds.log.assign(gid=gid.reindex(pd.MultiIndex.from_frame(ds.log[["idx", "date"]])).to_numpy())
    initial = groups[groups["date"] == BEFORE]
    first = pd.DataFrame({"gid": initial["gid"].to_numpy(), "controller": ds.initial, "share": 1.0, "source": ""})
    rows = pd.concat([log[["gid", "controller", "share", "source"]], first], ignore_index=True)
    return rows[rows["gid"].isin(gids)].sort_values(["gid", "controller"], kind="stable")


def changes(
    ds: Dataset,
    since: dt.date | None = None,
    until: dt.date | None = None,
    every_change: bool = False,
    shifts: bool = False,
) -> pd.DataFrame:
    """Districts that changed hands between `since` and `until`, with the date of the change.

    A district changed hands when its largest holder changed (for a split
    district, the set of holders tied for the largest share); `moved_km2` is the
    area that moved between actors, Σ of the share gains × the district's km²
    (its whole area for a whole-district change). With `shifts`, districts whose
    shares moved while the largest holder stayed (an overlay's 0.077 → 0.078)
    are listed too, with changed_hands false.

    The window defaults to the first and last dates of the log (see window()).
    The date is that of the last change in the window (from then on the district
    is as on `until`). With every_change, each change in (since, until] is a
    row, so a district that changed and changed back is listed twice.
    """
    table = _all_changes(ds, since, until, every_change)
    return table if shifts else table[table["changed_hands"]].reset_index(drop=True)


def is_fractional(ds: Dataset) -> bool:
    """Is the log one of measured area shares (an overlay's), so that area, not districts, is the figure?

    A hand log with a few split districts (0.5 / 0.5, as reported) stays a log
    of districts. Measured shares are told by the overlay's note, or by shares
    no reporter would write (more than three decimals, e.g. 0.0769).
    """
    if not len(ds.log):
        return False
    share = ds.log["share"].to_numpy(dtype=float)
    measured = np.abs(share * 1000 - np.round(share * 1000)) > 1e-6
    noted = ds.log["note"].fillna("").astype(str).str.startswith("zones overlay")
    return bool(measured.any() or noted.any())


def moved_area(
    ds: Dataset, since: dt.date | None = None, until: dt.date | None = None, matrix: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The km² that moved from one actor to another between the dates: the off-diagonal of the matrix."""
    matrix = transition_matrix(ds, since, until) if matrix is None else matrix
    moved = matrix[(matrix["from"] != matrix["to"]) & (matrix["area_km2"] > 0)]
    return moved[["from", "to", "area_km2"]].reset_index(drop=True)


def _all_changes(ds: Dataset, since, until, every_change: bool) -> pd.DataFrame:
    moves, groups = transitions(ds, since, until)
    if not every_change:
        last = moves.groupby("idx").tail(1).set_index("idx")
        first = moves.groupby("idx").head(1).set_index("idx")
        last["gid_from"] = first["gid_from"]
        keys = groups["key"].to_numpy()
        moves = last[keys[last["gid_from"]] != keys[last["gid_to"]]].reset_index()
    return _describe(ds, moves, groups)


def _describe(ds: Dataset, moves: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    labels, share_maps, sources = _group_text(_group_rows(ds, groups, np.union1d(moves["gid_from"], moves["gid_to"])))
    d = ds.districts
    idx = moves["idx"].to_numpy(dtype=int)
    out = pd.DataFrame(
        {
            "id": d["id"].to_numpy()[idx],
            "name": d["name"].to_numpy()[idx],
            "date": [t.date().isoformat() for t in moves["date"]],
            "from": [labels[g] for g in moves["gid_from"]],
            "to": [labels[g] for g in moves["gid_to"]],
            "from_shares": [share_maps[g] for g in moves["gid_from"]],
            "to_shares": [share_maps[g] for g in moves["gid_to"]],
            "area_km2": d["area_km2"].to_numpy(dtype=float)[idx],
        }
    )
    pairs = list(zip(moves["gid_from"], moves["gid_to"]))
    moved = np.array([_moved(share_maps[a], share_maps[b]) for a, b in pairs], dtype=float)
    out["moved_km2"] = moved * out["area_km2"].to_numpy(dtype=float)
    out["changed_hands"] = np.array([_largest(share_maps[a]) != _largest(share_maps[b]) for a, b in pairs], dtype=bool)
    if ds.has_population:
        out["population"] = d["population"].to_numpy(dtype=float)[idx]
    out["source"] = [sources[g] for g in moves["gid_to"]]
    return out.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def _moved(then: dict, now: dict) -> float:
    """The share of a district that went from one actor to another: Σ of the gains."""
    return float(sum(max(0.0, v - then.get(c, 0.0)) for c, v in now.items()))


def _largest(shares: dict) -> frozenset:
    """The holders of the largest share (several when tied): who a district counts for."""
    top = max(shares.values(), default=0.0)
    return frozenset(c for c, v in shares.items() if v >= top - NOISE)


def _group_text(rows: pd.DataFrame) -> tuple[dict, dict, dict]:
    """Per gid: the controller label (figures.controller_labels), the {controller: share} map and the sources joined."""
    gid, controller, share = rows["gid"].to_numpy(), rows["controller"].to_numpy(), rows["share"].to_numpy(dtype=float)
    labels = controller_labels(rows[["gid", "controller", "share"]].rename(columns={"gid": "idx"})).to_dict()
    share_maps: dict = {}
    sources: dict = {}
    for g, c, v, src in zip(gid, controller, share, rows["source"].to_numpy()):
        share_maps.setdefault(g, {})[c] = float(v)
        found = sources.setdefault(g, [])
        if src and src not in found:
            found.append(src)
    return labels, share_maps, {g: "; ".join(v) for g, v in sources.items()}


def transition_matrix(ds: Dataset, since: dt.date | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """Long form: from (controller on since), to (controller on until), districts, area_km2, [population].

    Inside a split district the conflictmap.transfer rule says who took what
    from whom, so every row sums to the actor's holding on `since` and every
    column to its holding on `until`, by count, km² and people, as
    figures.shares() reports them.
    """
    since, until = window(ds, since, until)
    then, now = state_on(ds, since), state_on(ds, until)
    actors = reported_actors(ds)  # the same rows and columns as the share tables, whatever the window
    n = len(ds.districts)
    s0, s1 = share_matrix(then, actors, n), share_matrix(now, actors, n)
    table = pd.DataFrame({"from": np.repeat(actors, len(actors)), "to": np.tile(actors, len(actors))})
    for name, per_district in measures(ds).items():
        table[name] = total_flows(s0, s1, per_district).ravel()
    return table


def matrix_table(matrix: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One measure of the long matrix as a grid: a row per controller on D0 (column "from"), a column
    per controller on D1, plus a "total" column (what each held on D0) and a "total" row (on D1)."""
    grid = matrix.pivot(index="from", columns="to", values=measure)
    grid["total"] = grid.sum(axis=1)
    grid.loc["total"] = grid.sum(axis=0)
    grid.columns.name = None
    return grid.reset_index(names="from")


def gains_losses(
    ds: Dataset, since: dt.date | None = None, until: dt.date | None = None, matrix: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per actor: gained, lost and net (districts, km², people) between the dates, and net km² per day.

    Gains are what flows in from other controllers in the transition matrix,
    losses what flows out; net = holding on `until` - holding on `since`.
    """
    since, until = window(ds, since, until)
    matrix = transition_matrix(ds, since, until) if matrix is None else matrix
    moved = matrix[matrix["from"] != matrix["to"]]
    present = [m for m in ("districts", "area_km2", "population") if m in matrix.columns]
    gained = moved.groupby("to")[present].sum()
    lost = moved.groupby("from")[present].sum()
    actors = sorted(set(matrix["from"]))
    out = pd.DataFrame({"actor": actors})
    for m in present:
        g, lo = gained[m].reindex(actors, fill_value=0.0).to_numpy(), lost[m].reindex(actors, fill_value=0.0).to_numpy()
        out[f"gained_{m}"], out[f"lost_{m}"], out[f"net_{m}"] = g, lo, g - lo
    days = (until - since).days
    out["net_area_km2_per_day"] = out["net_area_km2"] / days if days else np.nan
    return out.sort_values(["net_districts", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def change_summary(ds: Dataset, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Gains/losses per actor and the transition matrix, with the window they cover (defaults as in window())."""
    since, until = window(ds, since, until)
    matrix = transition_matrix(ds, since, until)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "days": (until - since).days,
        "actors": gains_losses(ds, since, until, matrix),
        "matrix": matrix,
    }

"""Figures on a date: who holds what, and shares by count, area and population.

Pure functions over a Dataset; every result is a DataFrame with unrounded values.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .dataset import Dataset
from .districts import other_name_columns
from .errors import InputError
from .baseline import Baseline
from .text import share as show_share
from .tolerance import EXACT
from .model import CONTESTED, UNKNOWN
from .transfer import from_members, share_matrix

__all__ = [
    "status",
    "shares",
    "describe",
    "state_on",
    "controller_labels",
    "held_weights",
    "baseline_weights",
    "reported_actors",
    "measures",
    "of_what",
    "MEASURES",
]

MEASURES = ("districts", "area_km2", "population")


NAT = np.iinfo(np.int64).min  # NaT as datetime64[ns] integers


def _timestamp(date: dt.date | None, ds: Dataset) -> pd.Timestamp:
    date = date or ds.last_date
    return pd.Timestamp(date) if date else pd.Timestamp.max.normalize()


def state_on(ds: Dataset, date: dt.date | None = None) -> pd.DataFrame:
    """Holdings on a date: one row per (district, controller) with shares summing to 1 per district.

    A district's state is given by its rows with the latest date <= `date`;
    before its first row it is held wholly by `ds.initial` (date NaT).
    """
    # numpy, not groupby: commands and checks ask for many dates, and pandas' fixed costs were most of a call.
    log = ds.log
    when = log["date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    idx = log["idx"].to_numpy(dtype=np.int64)
    past = (when <= _timestamp(date, ds).value) & (when != NAT)
    latest = np.full(len(ds.districts), NAT)
    np.maximum.at(latest, idx[past], when[past])
    rows = np.flatnonzero(past & (when == latest[idx]))  # each district's rows of its latest date by then
    held = np.zeros(len(ds.districts), dtype=bool)
    held[idx[rows]] = True
    before = np.flatnonzero(~held)
    initial = pd.DataFrame(
        {
            "idx": before,
            "district": ds.districts["id"].to_numpy()[before],
            "date": pd.NaT,
            "controller": ds.initial,
            "share": 1.0,
            "source": "",
            "confidence": "",
            "note": "before the first row of the log",
            "where": "",
            "from": "",
        }
    )
    frames = [f for f in (log.take(rows), initial) if len(f)]
    state = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames or [initial])[0]
    controllers, _ = pd.factorize(state["controller"], sort=True)  # codes in the labels' order
    order = np.lexsort((controllers, state["idx"].to_numpy()))
    return state.take(order).reset_index(drop=True)


def reported_actors(ds: Dataset, extra=()) -> list[str]:
    """The rows of every share table, the same on every date: each actor of the whole log, the initial
    holder, `extra` (baseline actors), and always contested and unknown (0 when nobody), so that
    categories are never dropped and scripts diffing daily output see stable rows."""
    return sorted(set(ds.log["controller"].unique()) | {ds.initial, CONTESTED, UNKNOWN} | set(extra))


def _label(group: pd.DataFrame) -> str:
    if len(group) == 1 and group["share"].iloc[0] >= 1 - EXACT:
        return group["controller"].iloc[0]
    ordered = group.sort_values(["share", "controller"], ascending=[False, True])
    return "; ".join(f"{c} {show_share(s)}" for c, s in zip(ordered["controller"], ordered["share"]))


def _split_labels(state: pd.DataFrame) -> pd.Series:
    """controller_labels of districts with several rows, one group at a time."""
    return state.groupby("idx")[["controller", "share"]].apply(_label)


def controller_labels(state: pd.DataFrame) -> pd.Series:
    """Per district idx: 'rebels', or 'government 0.5; kurdish forces 0.5' for a split district.

    A district held wholly by one controller is labelled with its name in one vectorised step; only the
    (few) split districts go through the per-group Python."""
    idx = state["idx"].to_numpy()
    size = state.groupby("idx")["idx"].transform("size").to_numpy()
    whole = (size == 1) & (state["share"].to_numpy(dtype=float) >= 1 - EXACT)
    labels = pd.Series(
        state["controller"].to_numpy(dtype=object)[whole], index=pd.Index(idx[whole], name="idx"), dtype=object
    )
    if (~whole).any():
        labels = pd.concat([labels, _split_labels(state[~whole])])
    return labels.sort_index()


def status(ds: Dataset, date: dt.date | None = None) -> pd.DataFrame:
    """One row per district: id, name, controller label, shares, date in force, area, population, source,
    the confidence of the rows in force, and the district's other names (name_ar, ...: districts.other_name_columns).

    Parameters
    ----------
    ds : Dataset
    date : datetime.date, optional
        Default: the log's last date. A district with no row by then is held by `ds.initial`.

    Returns
    -------
    pandas.DataFrame
        In district order; `controller` is 'rebels' or 'government 0.5; kurdish forces 0.5' (text.share).
    """
    state = state_on(ds, date)
    groups = state.groupby("idx")
    d = ds.districts
    out = pd.DataFrame(
        {
            "id": d["id"],
            "name": d["name"],
            "controller": controller_labels(state).reindex(d.index),
            "shares": groups.apply(
                lambda g: dict(zip(g["controller"], g["share"].astype(float))), include_groups=False
            ).reindex(d.index),
            "date_in_force": groups["date"].first().reindex(d.index).map(_iso),
            "area_km2": d["area_km2"],
        }
    )
    if ds.has_population:
        out["population"] = d["population"]
    out["source"] = groups["source"].agg(lambda s: "; ".join(dict.fromkeys(x for x in s if x))).reindex(d.index)
    out["confidence"] = confidence_in_force(state, len(d))
    for column, values in other_name_columns(d, ds.fields, set(out.columns)).items():
        out[column] = values
    return out.sort_values("id", kind="stable").reset_index(drop=True)


def confidence_in_force(state: pd.DataFrame, count: int) -> np.ndarray:
    """Per district, the confidence of the rows in force (a split district's distinct labels joined with
    '; '), None before its first row or when the log gives none: how sure the holder on the date is."""
    labels = state["confidence"].fillna("").astype(str).str.strip()
    named = state.assign(confidence=labels)[labels != ""].drop_duplicates(["idx", "confidence"])
    joined = named.groupby("idx")["confidence"].agg("; ".join).reindex(range(count))
    return joined.to_numpy(dtype=object)


def _iso(value) -> str | None:
    return None if pd.isna(value) else value.date().isoformat()


def held_weights(ds: Dataset, date: dt.date | None, actors: list[str]) -> np.ndarray:
    """Per district, the share held by any of `actors` on the date (a group sums its members)."""
    return _weights(state_on(ds, date), actors, len(ds.districts))


def _weights(state: pd.DataFrame, actors: list[str], n: int) -> np.ndarray:
    mine = state[state["controller"].isin(actors)]
    weights = np.zeros(n)
    np.add.at(weights, mine["idx"].to_numpy(dtype=int), mine["share"].to_numpy(dtype=float))
    return weights


def baseline_weights(ds: Dataset, day: dt.date, members: list[str], state: pd.DataFrame | None = None) -> np.ndarray:
    """held_weights of a baseline universe: what `members` held on `day` (its `state` when the caller has it);
    an InputError when that is nothing."""
    weights = _weights(state_on(ds, day) if state is None else state, members, len(ds.districts))
    if not weights.any():
        raise InputError(
            f"{', '.join(members)} held no district on {day.isoformat()}, so there is nothing to take a "
            "share of; choose a --baseline date on which they held some, or another --baseline-actor"
        )
    return weights


def population_gaps(ds: Dataset) -> list:
    """A warning when some districts have no population: population figures count them as 0 people, so the
    totals and population_pct are of the districts with one (the denominator is stated, the gap named)."""
    from .errors import Problem
    from .io import label
    from .text import people

    if not ds.has_population:
        return []
    d = ds.districts
    missing = d["population"].isna().to_numpy()
    if not missing.any():
        return []
    ids = d["id"][missing].tolist()
    shown = ", ".join(repr(i) for i in ids[:5]) + (" ..." if len(ids) > 5 else "")
    counted = int((~missing).sum())
    return [
        Problem(
            "warning",
            label(ds.inputs.districts) if ds.inputs.districts else "",
            f"no population for {len(ids)} district{'s' if len(ids) > 1 else ''} ({shown}): population figures "
            f"leave {'them' if len(ids) > 1 else 'it'} out (population_pct is of the {counted} districts with one, "
            f"{people(d['population'].sum())} people); give every district a population",
        )
    ]


def measures(ds: Dataset) -> dict[str, np.ndarray]:
    """Per measure (districts, area_km2 and, when known, population), its amount per district."""
    d = ds.districts
    out = {"districts": np.ones(len(d)), "area_km2": d["area_km2"].to_numpy(dtype=float)}
    if ds.has_population:
        out["population"] = np.nan_to_num(d["population"].to_numpy(dtype=float))
    return out


def shares(
    ds: Dataset, date: dt.date | None = None, by: str = "districts", baseline: Baseline | None = None
) -> pd.DataFrame:
    """Per actor: districts, area_km2 and population held on `date`, absolute and percent.

    A split district counts fractionally. With a baseline, the universe is what
    its members held on its date (each district weighted by their share then):
    "of what the rebels held on 15 November, how much does each actor hold
    now". Inside a split district the part that moved follows
    conflictmap.transfer (each side keeps min(share then, share now)).

    Parameters
    ----------
    ds : Dataset
    date : datetime.date, optional
        Default: the log's last date.
    by : str
        The measure rows are sorted by: districts, area_km2 or population.
    baseline : Baseline, optional

    Returns
    -------
    pandas.DataFrame
        One row per actor (contested and unknown always): districts, area_km2, population and their _pct.
    """
    state = state_on(ds, date)
    actors = reported_actors(ds, list(baseline.members) if baseline else [])
    now = share_matrix(state, actors, len(ds.districts))
    if baseline is None:
        amounts, weights = now, np.ones(len(ds.districts))
    else:
        amounts, weights = _from_baseline(ds, baseline.date, list(baseline.members), actors, now)
    columns, totals = {"actor": actors}, {}
    for name, per_district in measures(ds).items():
        columns[name] = per_district @ amounts
        totals[name] = float(weights @ per_district)
    out = pd.DataFrame(columns)
    for name, total in totals.items():
        # An actor holds at most the whole (shares <= 1 per district): above 100 is the two sums' rounding
        # (126.06 km² of 126.06 gave 100.00000000000003), so it is 100.
        out[pct_name(name)] = np.minimum(out[name] / total * 100, 100.0) if total else 0.0
    out = out[["actor"] + [c for name in totals for c in (name, pct_name(name))]]
    sort_key = by if by in out.columns else "districts"
    return out.sort_values([sort_key, "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _from_baseline(ds: Dataset, baseline: dt.date, members: list[str], actors: list[str], now: np.ndarray):
    """Per district and actor, the part of what `members` held on `baseline` that the actor holds now."""
    then_state = state_on(ds, baseline)
    weights = baseline_weights(ds, baseline, members, then_state)
    actors_then = sorted(set(actors) | set(then_state["controller"]))
    then = share_matrix(then_state, actors_then, len(ds.districts))
    position = [actors_then.index(a) for a in actors]
    now_full = np.zeros_like(then)
    now_full[:, position] = now
    amounts = from_members(then, now_full, np.isin(actors_then, members))
    # An actor that held part of the universe then but nothing now still belongs in the table.
    return amounts[:, position], weights


def pct_name(measure: str) -> str:
    """The percent column of a measure: districts_pct, area_pct, population_pct."""
    return "districts_pct" if measure == "districts" else measure.replace("_km2", "") + "_pct"


def of_what(ds: Dataset, measures=MEASURES) -> list[str]:
    """What a share table's figures are of, where its column names do not say it (for titles and headers):
    km² measured on the districts' land inside a land mask, districts summed from shares (district-equivalents).
    `measures`: the ones the table shows."""
    from .changes import is_fractional
    from .land import on_land
    from .text import count

    out = []
    if "area_km2" in measures and ds.inputs.land:
        out.append(f"km² of {on_land(f'the {count(len(ds.districts))} districts', ds.inputs.land)}")
    if "districts" in measures and is_fractional(ds):
        out.append("districts are district-equivalents, sums of shares")
    return out


def describe(ds: Dataset) -> dict:
    """What `info` prints: the districts, the log, the actors, the problems."""
    d = ds.districts
    log = ds.log
    minx, miny, maxx, maxy = (float(v) for v in d.total_bounds)
    counts = log.groupby("controller").size().sort_index() if len(log) else pd.Series(dtype=int)
    return {
        "districts": {
            "source": ds.inputs.districts,
            "count": int(len(d)),
            "area_km2": float(d["area_km2"].sum()),
            "crs": ds.source_crs,
            "bbox": [minx, miny, maxx, maxy],
            "fields": {"id": ds.fields.id, "name": ds.fields.name, "population": ds.fields.population},
            "population": float(np.nansum(d["population"])) if ds.has_population else None,
            "merged_by_dissolve": ds.fields.dissolved,
            "other_name_fields": list(ds.fields.alt_names),
            "duplicate_ids": _duplicates(ds.fields),
        },
        "control": {
            "source": ds.inputs.control,
            "rows": int(log["where"].nunique()) if len(log) else 0,
            "first_date": _iso_date(ds.first_date),
            "last_date": _iso_date(ds.last_date),
            "dates": len(ds.dates),
            "districts_in_log": int(log["idx"].nunique()) if len(log) else 0,
            "initial": ds.initial,
        },
        "actors": {str(k): int(v) for k, v in counts.items()},
        "problems": [p.as_dict() for p in ds.problems],
    }


def _duplicates(fields) -> dict | None:
    """Features sharing an id (info keeps them): how many, which, and whether their names agree."""
    if not fields.duplicates:
        return None
    mixed = sorted(i for i, names in fields.duplicates.items() if len(set(names)) > 1)
    return {
        "ids": len(fields.duplicates),
        "features": sum(len(n) for n in fields.duplicates.values()),
        "by_id": {i: names for i, names in fields.duplicates.items()},
        "ids_with_different_names": mixed,
        "hint": fields.unique_hint,
    }


def _iso_date(value) -> str | None:
    return value.isoformat() if value else None

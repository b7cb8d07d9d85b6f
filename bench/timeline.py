"""Benchmark: a full daily timeline (count and area) against a per-date pandas loop, measured in the same run.

    /work/venv/bin/python bench/timeline.py                  # 1k, 10k, 50k districts x 1,000 dates
    /work/venv/bin/python bench/timeline.py --sizes 10000 --baseline-dates 0   # baseline on every date

The dataset is built in memory (no files): N districts, an initial snapshot on
day 0, then on average 5 changes per district spread over 1,000 days, 10% of
them split 50/50 and 5% with a partial share (the rest `unknown`), as a
normalised log (what Dataset.log holds after loading).

The baseline is the straightforward approach: for each date, filter the log
to rows on or before it, keep each district's latest rows, group by
controller. It is timed on `--baseline-dates` evenly spaced dates (default
50) and scaled to all dates (its cost per date does not depend on the other
dates); both results are compared on those dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conflictmap.control import LOG_COLUMNS  # noqa: E402
from conflictmap.dataset import Dataset  # noqa: E402
from conflictmap.actors import Actors  # noqa: E402
from conflictmap.timeline import timeline  # noqa: E402

ACTORS = ["government", "rebels", "kurdish forces", "islamic state", "contested"]
START = dt.date(2020, 1, 1)


def synthetic(n: int, days: int = 1000, changes_per_district: float = 5.0, seed: int = 1) -> Dataset:
    rng = np.random.default_rng(seed)
    n_changes = int(n * changes_per_district)
    idx = np.concatenate([np.arange(n), rng.integers(0, n, n_changes)])
    day = np.concatenate([np.zeros(n, dtype=int), rng.integers(1, days, n_changes)])
    keys = np.unique(idx * days + day)  # one group per (district, day)
    idx, day = keys // days, keys % days
    kind = rng.random(len(idx))
    first = rng.integers(0, len(ACTORS), len(idx))
    second = (first + rng.integers(1, len(ACTORS), len(idx))) % len(ACTORS)
    split, partial = kind < 0.10, (kind >= 0.10) & (kind < 0.15)
    rows_idx = np.concatenate([idx, idx[split], idx[partial]])
    rows_day = np.concatenate([day, day[split], day[partial]])
    controller = np.array(ACTORS + ["unknown"], dtype=object)
    rows_actor = np.concatenate(
        [controller[first], controller[second[split]], np.full(partial.sum(), "unknown", dtype=object)]
    )
    share = np.where(split, 0.5, np.where(partial, 0.7, 1.0))
    rows_share = np.concatenate([share, np.full(split.sum(), 0.5), np.full(partial.sum(), 0.3)])
    dates = pd.Timestamp(START) + pd.to_timedelta(rows_day, unit="D")
    log = pd.DataFrame(
        {
            "idx": rows_idx,
            "district": [f"d{i}" for i in rows_idx],
            "date": dates,
            "controller": rows_actor,
            "share": rows_share,
            "source": "",
            "confidence": "",
            "note": "",
            "where": "",
            "from": "",
        }
    )
    log = log[LOG_COLUMNS].sort_values(["idx", "date", "controller"], kind="stable").reset_index(drop=True)
    districts = pd.DataFrame(
        {
            "id": [f"d{i}" for i in range(n)],
            "name": [f"District {i}" for i in range(n)],
            "area_km2": rng.uniform(0.5, 50.0, n),
        }
    )
    return Dataset(districts=districts, log=log, actors=Actors())


def baseline_loop(ds: Dataset, dates) -> dict:
    """The per-date pandas loop: filter, latest rows per district, group by controller."""
    log = ds.log
    area = ds.districts["area_km2"].to_numpy()
    out = {}
    for day in dates:
        past = log[log["date"] <= pd.Timestamp(day)]
        latest = past.groupby("idx")["date"].transform("max")
        current = past[past["date"] == latest]
        weighted = current.assign(area_km2=current["share"].to_numpy() * area[current["idx"].to_numpy()])
        table = weighted.groupby("controller")[["share", "area_km2"]].sum().rename(columns={"share": "districts"})
        missing = np.setdiff1d(np.arange(len(area)), current["idx"].unique())
        if len(missing):  # districts before their first row: the initial holder
            table.loc[ds.initial] = table.reindex([ds.initial]).fillna(0).iloc[0] + [len(missing), area[missing].sum()]
        out[day] = table
    return out


def timed(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def check(fast: pd.DataFrame, slow: dict) -> float:
    """Largest difference between the two results on the baseline's dates (districts and km²)."""
    worst = 0.0
    for day, table in slow.items():
        rows = fast[fast["date"] == day].set_index("actor")
        for measure in ("districts", "area_km2"):
            mine = rows[measure].reindex(table.index, fill_value=0.0)
            worst = max(worst, float(np.abs(mine - table[measure]).max()))
            others = rows[measure].drop(index=table.index, errors="ignore")
            worst = max(worst, float(np.abs(others).max()) if len(others) else 0.0)
    return worst


def run(n: int, days: int, baseline_dates: int) -> dict:
    ds = synthetic(n, days)
    end = START + dt.timedelta(days=days - 1)
    full = lambda: timeline(ds, START, end, "1d")  # noqa: E731
    seconds, table = timed(full)
    mib = peak_mib(full)
    grid = [START + dt.timedelta(days=k) for k in range(days)]
    picked = (
        grid
        if baseline_dates <= 0
        else [grid[i] for i in np.linspace(0, days - 1, min(baseline_dates, days)).astype(int)]
    )
    base_seconds, slow = timed(lambda: baseline_loop(ds, picked), repeat=1)
    base_full = base_seconds / len(picked) * days
    return {
        "districts": n,
        "log_rows": len(ds.log),
        "dates": days,
        "actors": table["actor"].nunique(),
        "seconds": seconds,
        "peak_mib": mib,
        "baseline_dates": len(picked),
        "baseline_seconds": base_full,
        "speedup": base_full / seconds,
        "max_diff": check(table, slow),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="district counts, comma-separated")
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--baseline-dates", type=int, default=50, help="dates the baseline loop is timed on (0: all)")
    args = parser.parse_args()
    print(f"full daily timeline (count and area), {args.days} dates; baseline: per-date pandas filter/groupby loop")
    print(
        f"{'districts':>9} {'log rows':>9} {'timeline s':>10} {'peak MiB':>8} {'baseline s':>10} {'speed-up':>8} "
        f"{'us/(row+date*actor)':>19} {'max |diff|':>10}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        r = run(n, args.days, args.baseline_dates)
        unit = r["seconds"] / (r["log_rows"] + r["dates"] * r["actors"]) * 1e6
        est = "" if r["baseline_dates"] == r["dates"] else "*"
        print(
            f"{r['districts']:>9,} {r['log_rows']:>9,} {r['seconds']:>10.3f} {r['peak_mib']:>8.1f} "
            f"{r['baseline_seconds']:>9.2f}{est or ' '} {r['speedup']:>7.0f}x {unit:>19.3f} {r['max_diff']:>10.1e}",
            flush=True,
        )
    if args.baseline_dates > 0:
        print(
            f"* baseline timed on {args.baseline_dates} evenly spaced dates and scaled to {args.days} (--baseline-dates 0 for all)"
        )
    print("target: 10k districts x 1,000 dates under 1 s and 1 GB, at least 10x faster than the baseline")


if __name__ == "__main__":
    main()

"""Benchmark: front movement over a 100x100 grid of districts (10k) and 100 dates, against a dissolve baseline.

    python bench/movement.py                      # 10k districts, 100 dates, baseline on 10 steps
    python bench/movement.py --side 50 --dates 20 # smaller

The dataset is built in memory: square districts of 0.01° near 48°N (a DeepState-like latitude); on day 0
the west half is held by `west`, the rest by `east`. On each of the next dates the front advances by one
column along a random band of rows (a ragged front), so every step moves area and reshapes the line.

The baseline is the straightforward GIS approach: per step, dissolve each side's districts on both dates
(shapely.union_all), take the gained area as new-west minus old-west and the front as the intersection of
the two sides' dissolved boundaries, both measured geodesically. It is timed on `--baseline-steps` steps
and scaled to all steps; its km² and front km are compared with conflictmap's on those steps.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402

from conflictmap import geodesy  # noqa: E402
from conflictmap.control import LOG_COLUMNS  # noqa: E402
from conflictmap.dataset import Dataset  # noqa: E402
from conflictmap.actors import Actors  # noqa: E402
from conflictmap.movement import stepped_movement  # noqa: E402

START = dt.date(2024, 1, 1)
SIZE = 0.01


def synthetic(side: int, n_dates: int, seed: int = 1) -> tuple[Dataset, list[dt.date]]:
    rng = np.random.default_rng(seed)
    col, row = np.meshgrid(np.arange(side), np.arange(side))
    col, row = col.ravel(), row.ravel()
    geoms = shapely.box(30 + col * SIZE, 48 + row * SIZE, 30 + (col + 1) * SIZE, 48 + (row + 1) * SIZE)
    front = np.full(side, side // 2)  # per row: the first column held by `east`
    records = [(i, START, "west" if col[i] < front[row[i]] else "east") for i in range(side * side)]
    dates = [START + dt.timedelta(days=7 * k) for k in range(n_dates)]
    for day in dates[1:]:
        lo = rng.integers(0, side)
        band = np.arange(lo, min(side, lo + side // 4))
        for r in band:
            if front[r] < side:
                records.append((int(r * side + front[r]), day, "west"))
                front[r] += 1
    idx = np.array([r[0] for r in records])
    log = pd.DataFrame(
        {
            "idx": idx,
            "district": [f"d{i}" for i in idx],
            "date": pd.to_datetime([r[1] for r in records]),
            "controller": [r[2] for r in records],
            "share": 1.0,
            "source": "",
            "confidence": "",
            "note": "",
            "where": "",
            "from": "",
        }
    )
    log = (
        log[[c for c in LOG_COLUMNS if c in log.columns]]
        .sort_values(["idx", "date"], kind="stable")
        .reset_index(drop=True)
    )
    districts = gpd.GeoDataFrame(
        {
            "id": [f"d{i}" for i in range(side * side)],
            "name": [f"D {i}" for i in range(side * side)],
            "area_km2": geodesy.area_km2(geoms),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    return Dataset(districts=districts, log=log, actors=Actors()), dates


def holders(ds: Dataset, day: dt.date) -> np.ndarray:
    log = ds.log[ds.log["date"] <= pd.Timestamp(day)]
    last = log.sort_values("date", kind="stable").drop_duplicates("idx", keep="last")
    out = np.empty(len(ds.districts), dtype=object)
    out[last["idx"].to_numpy()] = last["controller"].to_numpy()
    return out


def baseline_step(ds: Dataset, d0: dt.date, d1: dt.date) -> tuple[float, float]:
    geoms = np.asarray(ds.districts.geometry.values)
    h0, h1 = holders(ds, d0), holders(ds, d1)
    west0, east0 = shapely.union_all(geoms[h0 == "west"]), shapely.union_all(geoms[h0 == "east"])
    west1 = shapely.union_all(geoms[h1 == "west"])
    gained = shapely.difference(west1, west0)
    front = shapely.line_merge(shapely.intersection(west0.boundary, east0.boundary))
    return float(geodesy.area_km2([gained])[0]), float(geodesy.length_km([front])[0])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", type=int, default=100)
    ap.add_argument("--dates", type=int, default=100)
    ap.add_argument("--baseline-steps", type=int, default=10)
    args = ap.parse_args(argv)
    ds, dates = synthetic(args.side, args.dates)
    print(f"{len(ds.districts):,} districts, {len(dates)} dates, {len(ds.log):,} log rows")
    t = time.perf_counter()
    table = stepped_movement(ds, dates)
    ours = time.perf_counter() - t
    steps = len(dates) - 1
    print(f"conflictmap front-movement: {ours:.2f} s for {steps} steps ({ours / steps * 1e3:.0f} ms a step)")
    picked = np.linspace(0, steps - 1, min(args.baseline_steps, steps)).astype(int)
    t = time.perf_counter()
    base = [baseline_step(ds, dates[i], dates[i + 1]) for i in picked]
    theirs = (time.perf_counter() - t) / len(picked) * steps
    print(f"dissolve baseline: {theirs:.2f} s for {steps} steps (timed on {len(picked)}, scaled)")
    print(f"ratio baseline / conflictmap: {theirs / ours:.1f}x")
    worst_area = worst_front = 0.0
    for i, (area, front) in zip(picked, base):
        row = table[(table["since"] == dates[i].isoformat()) & (table["actor"] == "west")]
        worst_area = max(worst_area, abs(float(row["area_km2"].sum()) - area) / area)
        worst_front = max(worst_front, abs(float(row["front_km"].iloc[0]) - front) / front)
    print(
        f"largest difference from the baseline on those steps: km² {worst_area:.2e}, front km {worst_front:.2e} (relative)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

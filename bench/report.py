"""Benchmark: `report` (json, md, html) against the separate figure and picture calls it stands for, in the same run.

    /work/venv/bin/python bench/report.py                   # 1k and 5k districts x 200 dates
    /work/venv/bin/python bench/report.py --sizes 500 --days 50

The dataset is built in memory: N square districts on a grid (geometry for the
map, geodesic areas from conflictmap.geodesy) and the synthetic log of
bench/timeline.py (5 changes per district on average, 10% split, 5% partial).

The baseline is what a user without `report` would run: shares on the date,
baseline shares, changes and gains/losses since the previous date (the json
and md reports), plus the map and the timeline chart as SVG (html). The ratio
report / baseline shows what building sentences and rendering adds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timeline import START, synthetic  # noqa: E402
from conflictmap import geodesy  # noqa: E402
from conflictmap.baseline import Baseline  # noqa: E402
from conflictmap.changes import changes, gains_losses  # noqa: E402
from conflictmap.figures import shares  # noqa: E402
from conflictmap.plots import map_figure, timeline_figure  # noqa: E402
from conflictmap.report import make_report, previous_date  # noqa: E402
from conflictmap.timeline import timeline  # noqa: E402


def with_grid(ds, size: float = 0.01):
    """Give the synthetic districts square polygons on a grid near Aleppo, and their geodesic areas."""
    import geopandas as gpd
    import shapely

    n = len(ds.districts)
    side = int(np.ceil(np.sqrt(n)))
    col, row = np.arange(n) % side, np.arange(n) // side
    x0, y0 = 37.0 + col * size, 36.0 + row * size
    boxes = shapely.box(x0, y0, x0 + size, y0 + size)
    frame = ds.districts.drop(columns="area_km2")
    ds.districts = gpd.GeoDataFrame(frame, geometry=boxes, crs="EPSG:4326")
    ds.districts["area_km2"] = geodesy.area_km2(np.asarray(boxes))
    return ds


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def figures(ds, day, since, baseline) -> None:
    shares(ds, day)
    shares(ds, day, "districts", baseline)
    changes(ds, since, day)
    gains_losses(ds, since, day)


def pictures(ds, day, baseline) -> None:
    for fig in (
        map_figure(ds, day, baseline),
        timeline_figure(ds, timeline(ds, START, day, None, baseline), "districts", baseline),
    ):
        fig.savefig(io.BytesIO(), format="svg")


def run(n: int, days: int, repeat: int) -> list[tuple]:
    ds = with_grid(synthetic(n, days))
    day = START + dt.timedelta(days=days - 1)
    since, baseline = previous_date(ds, day), Baseline(START, ("government",), "government")
    options = {"date": day, "baseline": baseline}
    base_fig = timed(lambda: figures(ds, day, since, baseline), repeat)
    base_pic = timed(lambda: pictures(ds, day, baseline), repeat)  # the first run also warms matplotlib's caches
    rows = []
    for fmt, baseline in (("json", base_fig), ("md", base_fig), ("html", base_fig + base_pic)):
        seconds = timed(lambda: make_report(ds, fmt, **options), repeat)
        size = len(make_report(ds, fmt, **options).encode())
        rows.append((n, len(ds.log), fmt, seconds, baseline, seconds / baseline, size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="district counts, comma-separated")
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    args = parser.parse_args()
    print(
        f"report on the last of {args.days} dates, baseline {START}; baseline: the separate calls (figures; + map and chart for html)"
    )
    print(
        f"{'districts':>9} {'log rows':>9} {'format':>6} {'report s':>9} {'baseline s':>10} {'ratio':>6} {'bytes':>10}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        for r in run(n, args.days, args.repeat):
            print(f"{r[0]:>9,} {r[1]:>9,} {r[2]:>6} {r[3]:>9.3f} {r[4]:>10.3f} {r[5]:>6.2f} {r[6]:>10,}")


if __name__ == "__main__":
    main()

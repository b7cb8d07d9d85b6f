"""Benchmark: front lines across street gaps on the bundled CSR Aleppo sample, by --gap.

    python bench/frontline.py                  # 2016-11-28, gaps 10 15 30 60 120 and the detected one
    python bench/frontline.py --dates 2016-11-15 2016-12-07 --gaps 10 60
    python bench/frontline.py --baseline       # also the straightforward version (about a minute a gap)

For each gap, prints the government-rebels length and the seconds of:

- conflictmap: frontline.front_lines_at, bridging exactly the gap (Voronoi diagram of points sampled along the
  boundaries near another holder, its edges between two holders kept where the
  sides are within the gap and face each other);
- baseline: the straightforward version of the same rule (a Voronoi diagram of
  points every metre along every boundary, the cells united per holder, the
  boundary between two holders' unions cut in 1 m pieces and tested one by one);
  the lengths must agree (within about 1%: the baseline's pieces are coarser);
- old: the method of commit b417a61 (the part of a boundary from which a
  perpendicular reaches the other side within the gap), read from git when the
  checkout has its history, for the speed and the lengths before the change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictmap import frontline  # noqa: E402
from conflictmap.dataset import load_dataset  # noqa: E402
from conflictmap.figures import state_on  # noqa: E402
from conflictmap.project import Inputs  # noqa: E402

SAMPLE = ROOT / "data" / "aleppo-2016"
OLD_COMMIT = "b417a61"
PAIR = ("government", "rebels")


def seconds(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def pair_km(lines) -> float:
    rows = lines[(lines["actor_a"] == PAIR[0]) & (lines["actor_b"] == PAIR[1])]
    return float(rows["length_km"].sum())


def baseline_km(ds, date, gap_m: float) -> float:
    """The same rule, the straightforward way: every boundary sampled every metre, unions of cells per holder."""
    from pyproj import Geod

    geoms = np.asarray(ds.districts.geometry.values)
    holder, _ = frontline.main_holder(state_on(ds, date), len(geoms))
    to_metric, to_lonlat = frontline._local_metric(geoms)
    metric = shapely.transform(geoms, to_metric, interleaved=False)
    coords, own = shapely.get_coordinates(shapely.segmentize(shapely.boundary(metric), 1.0), return_index=True)
    coords = coords + np.random.default_rng(0).uniform(-1e-3, 1e-3, coords.shape)  # no cocircular points
    points = shapely.multipoints(coords)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(points, extend_to=shapely.buffer(shapely.envelope(points), gap_m), ordered=True)
    )
    side = {actor: shapely.union_all(cells[holder[own] == actor]) for actor in PAIR}
    between = shapely.intersection(shapely.boundary(side[PAIR[0]]), shapely.boundary(side[PAIR[1]]))
    start, end, _ = frontline._segments(shapely.get_parts(shapely.segmentize(shapely.line_merge(between), 1.0)))
    middle = shapely.points((start + end) / 2)
    held = {actor: shapely.union_all(metric[holder == actor]) for actor in PAIR}
    near = [
        shapely.get_coordinates(shapely.shortest_line(middle, held[actor])).reshape(-1, 2, 2)[:, 1] for actor in PAIR
    ]
    to_a, to_b = near[0] - (start + end) / 2, near[1] - (start + end) / 2
    dist_a, dist_b = np.hypot(*to_a.T), np.hypot(*to_b.T)
    cosine = (to_a * to_b).sum(axis=1) / np.maximum(dist_a * dist_b, 1e-12)
    keep = (
        (dist_a > 0) & (dist_b > 0) & (dist_a + dist_b <= gap_m) & (cosine <= np.cos(np.radians(frontline.MIN_ANGLE)))
    )
    pieces = shapely.transform(
        shapely.linestrings(np.stack([start[keep], end[keep]], axis=1)), to_lonlat, interleaved=False
    )
    geod = Geod(ellps="WGS84")
    return sum(geod.geometry_length(p) for p in pieces) / 1e3


def old_module():
    """conflictmap/frontline.py as of OLD_COMMIT, imported beside the current one; None without git history."""
    try:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:conflictmap/frontline.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "frontline_old.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("conflictmap.frontline_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dates", nargs="+", default=["2016-11-28"])
    parser.add_argument("--gaps", type=float, nargs="+", default=[10, 15, 30, 60, 120])
    parser.add_argument("--baseline", action="store_true", help="also time the straightforward version (slow)")
    args = parser.parse_args()
    ds = load_dataset(
        Inputs(
            districts=str(SAMPLE / "districts.geojson"),
            control=str(SAMPLE / "control.csv"),
            actors=str(SAMPLE / "actors.toml"),
        )
    )
    old = old_module()
    if old is None:
        print(f"(no git history here: the old method of {OLD_COMMIT} is not timed)")
    for day in (dt.date.fromisoformat(d) for d in args.dates):
        print(f"{day}  {PAIR[0]}-{PAIR[1]}, {len(ds.districts)} districts")
        for gap in [*args.gaps, None]:
            # A given gap is bridged exactly (front_lines_at), as the baseline does; the commands widen it to the
            # detected bridging (front_lines), which is the last row.
            run = (
                (lambda: frontline.front_lines(ds, day))
                if gap is None
                else (lambda: frontline.front_lines_at(ds, day, gap))
            )
            took, result = seconds(run)
            label = f"{gap:g} m" if gap is not None else "detected"
            line = f"  --gap {label:>9}  conflictmap {pair_km(result.lines):7.3f} km {took:6.3f} s"
            if gap is not None and args.baseline:
                slow, km = seconds(lambda: baseline_km(ds, day, gap), repeat=1)
                line += f"  baseline {km:7.3f} km {slow:6.2f} s ({slow / took:4.1f}x)"
            if old is not None:
                was, result = seconds(lambda: old.front_lines(ds, day, gap))
                line += f"  old {pair_km(result.lines):7.3f} km {was:6.3f} s"
            print(line)


if __name__ == "__main__":
    main()

"""Benchmark: validate's overlap check against a baseline measured in the same run.

    /work/venv/bin/python bench/validate.py               # 1k and 5k districts
    /work/venv/bin/python bench/validate.py --sizes 1000  # quick
    /work/venv/bin/python bench/validate.py --shared      # also the Ukraine raions from ../shared/data

Districts: a grid of square cells, every tenth one pushed a third of a cell
east so that it overlaps its neighbour (the overlaps to find).

- conflictmap.validate.overlap_problems: STRtree candidate pairs, touching
  pairs dropped with one vectorised predicate, intersections as shapely
  arrays, geodesic areas of the overlaps only.
- baseline: the straightforward check, an intersection and its geodesic area
  for every pair whose bounding boxes meet (geopandas sjoin, then a Python loop).
Both must report the same pairs. Also: `validate` end to end (load + every check)
against loading the districts alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictmap import geodesy  # noqa: E402
from conflictmap.districts import load_districts  # noqa: E402
from conflictmap.project import Inputs  # noqa: E402
from conflictmap.validate import OVERLAP_TOLERANCE, overlap_problems, validate  # noqa: E402


def grid(n: int):
    import geopandas as gpd

    side = int(np.ceil(np.sqrt(n)))
    size = 0.01
    col, row = np.arange(n) % side, np.arange(n) // side
    x0 = 36.0 + col * size + np.where(np.arange(n) % 10 == 5, size / 3, 0.0)
    y0 = 36.0 + row * size
    cells = shapely.box(x0, y0, x0 + size, y0 + size)
    return gpd.GeoDataFrame(
        {"id": [f"c{i:06d}" for i in range(n)], "name": [f"cell {i}" for i in range(n)]}, geometry=cells, crs=4326
    )


def baseline_pairs(gdf) -> set:
    import geopandas as gpd

    joined = gpd.sjoin(gdf[["geometry"]], gdf[["geometry"]], predicate="intersects")
    area = gdf["area_km2"].to_numpy()
    geoms = gdf.geometry.values
    found = set()
    for i, j in zip(joined.index, joined["index_right"]):
        if i >= j:
            continue
        inter = geoms[i].intersection(geoms[j])
        overlap = (
            geodesy.area_km2([inter])[0]
            if inter.geom_type in ("Polygon", "MultiPolygon")
            else sum(geodesy.area_km2([p])[0] for p in shapely.get_parts(inter))
        )
        if overlap > OVERLAP_TOLERANCE * min(area[i], area[j]):
            found.add((gdf["id"].iloc[i], gdf["id"].iloc[j]))
    return found


def ids_of(problems) -> set:
    out = set()
    for p in problems:
        a, b = p.message.split("'")[1], p.message.split("'")[3]
        out.add(tuple(sorted((a, b))))
    return out


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run(label: str, path: Path) -> None:
    gdf, _, _ = load_districts(path)
    t_fast, fast = timed(overlap_problems, gdf, str(path))
    t_slow, slow = timed(baseline_pairs, gdf)
    assert ids_of(fast) == {tuple(sorted(p)) for p in slow}, "the two checks disagree"
    t_load, _ = timed(load_districts, path)
    t_all, result = timed(validate, Inputs(districts=str(path)))
    print(
        f"{label:>22} {len(gdf):>6} districts  {len(fast):>4} overlaps   "
        f"vectorised {t_fast:7.3f}s  baseline {t_slow:7.3f}s  ratio {t_slow / t_fast:6.1f}x   "
        f"validate {t_all:6.2f}s = {t_all / t_load:4.2f}x loading alone ({t_load:5.2f}s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--shared", action="store_true", help="also the Ukraine raions of ../shared/data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"grid{n}.gpkg"
            grid(n).to_file(path)
            run("grid", path)
    if args.shared:
        path = ROOT.parent / "shared" / "data" / "ukraine" / "adm2-raions.geojson"
        if path.exists():
            run("ukraine adm2 raions", path)
        else:
            print("../shared/data is absent: skipped the raions")


if __name__ == "__main__":
    main()

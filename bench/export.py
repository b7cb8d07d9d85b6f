"""Benchmark: export writers and front lines, each against a baseline measured in the same run.

    /work/venv/bin/python bench/export.py              # 1k and 10k districts
    /work/venv/bin/python bench/export.py --sizes 1000 # quick
    /work/venv/bin/python bench/export.py --shared     # also the Ukraine raions from ../shared/data

Districts: a grid of cells with jittered edges, ~40 vertices each, shared
edges identical between neighbours (built from one lattice of points).
Control: four actors holding regions cut by wavy lines, 5% of the cells split.

- GeoJSON / GeoJSONSeq: conflictmap's streaming writer (RFC 7946, 6 decimals)
  against GDAL's own writer through pyogrio (RFC7946=YES, COORDINATE_PRECISION=6)
  and geopandas' to_json(); all write the same districts layer.
- GeoPackage / FlatGeobuf: seconds only (pyogrio does the work either way).
- Front lines: the vectorised STRtree + shapely array version against the
  straightforward one (geopandas sjoin, then one intersection per pair in a
  Python loop, then a union per actor pair); the lengths must agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictmap import export as ex  # noqa: E402
from conflictmap.dataset import load_dataset  # noqa: E402
from conflictmap.figures import state_on  # noqa: E402
from conflictmap.frontline import front_lines, main_holder  # noqa: E402
from conflictmap.geodesy import length_km  # noqa: E402
from conflictmap.project import Inputs  # noqa: E402

ORIGIN = (30.0, 45.0)
EXTENT = 6.0  # degrees, whatever the number of cells
PER_EDGE = 10  # lattice steps per cell edge: 40 vertices a cell
ACTORS = ("government", "rebels", "kurdish forces", "contested")


def lattice_cells(n_cells: int, seed: int = 1) -> np.ndarray:
    """About n_cells valid polygons tiling the extent; neighbours share their edge points exactly."""
    side = int(round(np.sqrt(n_cells)))
    points = side * PER_EDGE + 1
    step = EXTENT / (points - 1)
    rng = np.random.default_rng(seed)
    grid_x, grid_y = np.meshgrid(np.arange(points) * step + ORIGIN[0], np.arange(points) * step + ORIGIN[1])
    grid_x += rng.uniform(-0.3, 0.3, grid_x.shape) * step  # small enough that no edge crosses another
    grid_y += rng.uniform(-0.3, 0.3, grid_y.shape) * step
    i, j = np.divmod(np.arange(side * side), side)
    k = np.arange(PER_EDGE)
    r0, c0 = (i * PER_EDGE)[:, None], (j * PER_EDGE)[:, None]
    rows = np.concatenate([r0 + 0 * k, r0 + k, r0 + PER_EDGE + 0 * k, r0 + PER_EDGE - k], axis=1)
    cols = np.concatenate([c0 + k, c0 + PER_EDGE + 0 * k, c0 + PER_EDGE - k, c0 + 0 * k], axis=1)
    rows, cols = np.concatenate([rows, rows[:, :1]], axis=1), np.concatenate([cols, cols[:, :1]], axis=1)
    return shapely.polygons(np.stack([grid_x[rows, cols], grid_y[rows, cols]], axis=-1))


def write_inputs(folder: Path, n_cells: int) -> Inputs:
    import geopandas as gpd

    cells = lattice_cells(n_cells)
    ids = [f"c{k}" for k in range(len(cells))]
    gpd.GeoDataFrame({"id": ids}, geometry=cells, crs=4326).to_file(folder / "districts.gpkg", driver="GPKG")
    centre = shapely.get_coordinates(shapely.centroid(cells))
    u = (centre[:, 0] - ORIGIN[0]) / EXTENT + 0.1 * np.sin(centre[:, 1] * 3)
    v = (centre[:, 1] - ORIGIN[1]) / EXTENT + 0.1 * np.sin(centre[:, 0] * 5)
    region = (u > 0.5).astype(int) + 2 * (v > 0.6).astype(int)
    split = np.random.default_rng(2).uniform(size=len(cells)) < 0.05
    lines = ["date,district,controller,share"]
    for cid, r, s in zip(ids, region, split):
        if s:
            lines += [f"2020-01-01,{cid},{ACTORS[r]},0.6", f"2020-01-01,{cid},{ACTORS[(r + 1) % 4]},0.4"]
        else:
            lines.append(f"2020-01-01,{cid},{ACTORS[r]},")
    (folder / "control.csv").write_text("\n".join(lines) + "\n")
    return Inputs(districts=str(folder / "districts.gpkg"), control=str(folder / "control.csv"))


def seconds(fn, repeat: int = 3):
    """Best of `repeat` runs (the machine is shared) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def naive_front_lines(ds, date):
    """The straightforward version: sjoin for neighbours, then Python loops over pairs and actor pairs."""
    import geopandas as gpd

    d = ds.districts
    holder, _ = main_holder(state_on(ds, date), len(d))
    pairs = gpd.sjoin(d[["geometry"]], d[["geometry"]], predicate="intersects")
    pieces: dict[tuple, list] = {}
    geoms = d.geometry.values
    for i, j in zip(pairs.index, pairs["index_right"]):
        if i < j and holder[i] != holder[j]:
            line = geoms[i].boundary.intersection(geoms[j])
            if line.length > 0:
                pieces.setdefault(tuple(sorted((holder[i], holder[j]))), []).append(line)
    return {pair: float(length_km([shapely.line_merge(shapely.union_all(parts))])[0]) for pair, parts in pieces.items()}


def bench_writers(ds, layer, folder: Path) -> None:
    import pyogrio

    n = len(layer.frame)
    req = ex.make_request("districts", "geojson", "-")
    seq = ex.make_request("districts", "geojsonseq", "-")
    # All write a file in the same folder (no fsync), so the comparison is like for like.
    mine, _ = seconds(lambda: _to_file(layer.frame, req, folder / "cm.geojson"))
    mine_seq, _ = seconds(lambda: _to_file(layer.frame, seq, folder / "cm.geojsons"))
    size = (folder / "cm.geojson").stat().st_size
    options = {"RFC7946": "YES", "COORDINATE_PRECISION": 6, "WRITE_NAME": "NO"}
    gdal, _ = seconds(
        lambda: pyogrio.write_dataframe(layer.frame, folder / "gdal.geojson", driver="GeoJSON", layer_options=options)
    )
    gdal_seq, _ = seconds(
        lambda: pyogrio.write_dataframe(
            layer.frame,
            folder / "gdal.geojsons",
            driver="GeoJSONSeq",
            layer_options={"RS": "NO", "COORDINATE_PRECISION": 6},
        )
    )
    gpd_json, _ = seconds(lambda: layer.frame.to_json())
    print(
        f"  geojson     conflictmap {mine:7.3f} s  GDAL {gdal:7.3f} s ({gdal / mine:4.1f}x)  geopandas.to_json {gpd_json:7.3f} s ({gpd_json / mine:4.1f}x)  "
        f"{size / 1e6:.1f} MB, {n / mine:,.0f} features/s"
    )
    print(f"  geojsonseq  conflictmap {mine_seq:7.3f} s  GDAL {gdal_seq:7.3f} s ({gdal_seq / mine_seq:4.1f}x)")
    for fmt in ("gpkg", "fgb"):
        request = ex.make_request("districts", fmt, str(folder / f"out.{fmt}"))
        took, _ = seconds(lambda: ex.write_file(layer, request, ds), repeat=1)
        print(
            f"  {fmt:<11} conflictmap {took:7.3f} s (pyogrio, atomic rename{', + control table' if fmt == 'gpkg' else ''})"
        )


def _to_file(frame, request, path: Path) -> None:
    with open(path, "wb") as fh:
        ex.write_text(frame, fh, request)


def bench_front(ds, date, baseline: bool) -> None:
    fast, result = seconds(lambda: front_lines(ds, date))
    got = {(r["actor_a"], r["actor_b"]): r["length_km"] for r in result.lines.to_dict("records")}
    line = f"  frontline   conflictmap {fast:7.3f} s  {len(got)} actor pairs, {sum(got.values()):,.1f} km"
    if baseline:
        slow, expected = seconds(lambda: naive_front_lines(ds, date), repeat=1)
        worst = max((abs(got[k] - v) / v for k, v in expected.items()), default=0.0)
        same = set(got) == set(expected)
        line += f"  naive loop {slow:7.3f} s ({slow / fast:4.1f}x)  same pairs: {same}, max rel. diff {worst:.1e}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--shared", action="store_true", help="also the Ukraine raions of ../shared/data")
    args = parser.parse_args()
    day = dt.date(2020, 1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            inputs = write_inputs(folder, n)
            ds = load_dataset(inputs)
            print(
                f"{len(ds.districts):,} districts, {int(shapely.get_num_coordinates(np.asarray(ds.districts.geometry.values)).sum()):,} vertices"
            )
            took, layer = seconds(lambda: ex.build_layer(ds, ex.make_request(), day), repeat=1)
            print(f"  districts layer built in {took:.3f} s")
            bench_writers(ds, layer, folder)
            bench_front(ds, day, baseline=True)
        shared = ROOT.parent / "shared" / "data" / "ukraine" / "adm2-raions.geojson"
        if args.shared and shared.exists():
            bench_shared(shared, folder)


def bench_shared(path: Path, folder: Path) -> None:
    import pyogrio

    raw = pyogrio.read_dataframe(path)
    east = shapely.get_x(shapely.centroid(np.asarray(raw.geometry.values))) > 36
    log = folder / "raions.csv"
    log.write_text(
        "date,district,controller\n"
        + "".join(f"2022-01-01,{i},{'russia' if e else 'ukraine'}\n" for i, e in zip(raw["shapeID"], east))
    )
    ds = load_dataset(Inputs(districts=str(path), control=str(log)))
    print(f"Ukraine raions ({len(ds.districts)}), east of 36°E 'russia' (a made-up split, for timing)")
    bench_front(ds, dt.date(2022, 1, 1), baseline=True)


if __name__ == "__main__":
    main()

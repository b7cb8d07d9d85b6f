"""Benchmark: zone overlay, conflictmap's engine against geopandas.overlay (and tobler).

Synthetic districts: a grid of cells with ragged edges (~100 vertices each,
shared edges identical between neighbours, so the cells tile the area like
real districts). Synthetic zones: an occupied area bounded by a wiggly front
line, with pockets and islands, of ~10k and ~100k vertices. Per date, prints
the seconds of each engine measured in this run, the ratio to
geopandas.overlay (the baseline) and the largest relative difference of the
per-district areas. Then one multi-date run on one process and on a 2-worker
local Dask cluster, side by side. Then the land mask: cutting the cells to a
100k-vertex coast once, and one date's overlay on the cut cells.

    python bench/overlay.py                 # 1k, 10k, 50k cells; 50k x geopandas skipped
    python bench/overlay.py --full          # also geopandas.overlay on 50k cells (minutes)
    python bench/overlay.py --quick         # 1k and 10k cells, 10k-vertex zones only

tobler is timed when importable; it is not a dependency of the project (it
pulls in rasterio, statsmodels, scipy), so install it on the side to compare.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely

ORIGIN = (30.0, 45.0)  # lon, lat of the grid's south-west corner (a Ukraine-like latitude)
EXTENT = 6.0  # degrees: the grid covers EXTENT x EXTENT whatever the number of cells
EDGE_POINTS = 25  # points per cell edge, corners included: 4 x 24 + 1 = 97 vertices a cell


def _edge_offsets(rng, shape, amplitude):
    """Perpendicular jitter along edges, zero at the corners (so cells stay valid)."""
    t = np.linspace(0, 1, EDGE_POINTS)
    taper = np.sin(np.pi * t)
    return rng.uniform(-1, 1, shape + (EDGE_POINTS,)) * taper * amplitude


def ragged_cells(n_cells: int, seed: int = 1) -> np.ndarray:
    """About n_cells polygons tiling EXTENT x EXTENT degrees, ~97 vertices each, ragged edges.

    Offsets stay under 0.15 of a cell and vanish towards the corners, so
    neighbouring edges never cross: every cell is valid and cells never overlap.
    """
    side = int(round(np.sqrt(n_cells)))
    size = EXTENT / side
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, EDGE_POINTS)
    x0, y0 = ORIGIN
    # Horizontal edges: row i (0..side), cell column j; vertical edges: column j (0..side), row i.
    hx = x0 + (np.arange(side)[None, :, None] + t) * size + np.zeros((side + 1, 1, 1))
    hy = y0 + np.arange(side + 1)[:, None, None] * size + _edge_offsets(rng, (side + 1, side), 0.15 * size)
    vy = y0 + (np.arange(side)[:, None, None] + t) * size + np.zeros((1, side + 1, 1))
    vx = x0 + np.arange(side + 1)[None, :, None] * size + _edge_offsets(rng, (side, side + 1), 0.15 * size)
    i, j = np.divmod(np.arange(side * side), side)
    ring_x = np.concatenate(
        [hx[i, j], vx[i, j + 1][:, 1:], hx[i + 1, j][:, ::-1][:, 1:], vx[i, j][:, ::-1][:, 1:]], axis=1
    )
    ring_y = np.concatenate(
        [hy[i, j], vy[i, j + 1][:, 1:], hy[i + 1, j][:, ::-1][:, 1:], vy[i, j][:, ::-1][:, 1:]], axis=1
    )
    return shapely.polygons(np.stack([ring_x, ring_y], axis=-1))


def _blob(cx, cy, radius, n, rng):
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = radius * (1 + 0.25 * rng.uniform(-1, 1, n))
    ring = np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)])
    return np.vstack([ring, ring[:1]])


def zone(vertices: int, shift: float = 0.0, seed: int = 7):
    """The occupied area: east of a wiggly front line, with holes, plus islands west of it.

    About 80% of the vertices are on the front line, the rest on 20 holes and
    20 islands. `shift` moves the front east (degrees): a second date.
    """
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    n_front = int(vertices * 0.8)
    y = np.linspace(y0 - 1, y0 + EXTENT + 1, n_front)
    phase = np.linspace(0, 6 * np.pi, n_front)
    x = (
        x0
        + EXTENT * 0.55
        + shift
        + 0.6 * np.sin(phase)
        + 0.2 * np.sin(7.3 * phase)
        + 0.01 * rng.uniform(-1, 1, n_front)
    )
    far = x0 + EXTENT + 2
    shell = np.vstack([np.column_stack([x, y]), [[far, y[-1]], [far, y[0]], [x[0], y[0]]]])
    per_ring = max(8, (vertices - n_front) // 40)
    holes = [_blob(x0 + EXTENT * 0.85, y0 + EXTENT * (k + 0.5) / 20, 0.05, per_ring, rng) for k in range(20)]
    islands = [_blob(x0 + EXTENT * 0.15, y0 + EXTENT * (k + 0.5) / 20, 0.05, per_ring, rng) for k in range(20)]
    main = shapely.Polygon(shell, holes)
    return shapely.make_valid(shapely.MultiPolygon([main] + [shapely.Polygon(r) for r in islands]))


def time_it(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def run_conflictmap(engine, z):
    return engine.covered_km2(z)


def run_geopandas(engine, districts, z):
    import geopandas as gpd

    left = gpd.GeoDataFrame({"district": np.arange(len(districts))}, geometry=districts, crs=4326)
    right = gpd.GeoDataFrame({"actor": ["a"]}, geometry=[z], crs=4326)
    pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=True)
    out = np.zeros(len(districts))
    np.add.at(out, pieces["district"].to_numpy(), engine.measure.km2(pieces.geometry.values))
    return out


def run_tobler(engine, districts, z):
    import geopandas as gpd
    from tobler.area_weighted import area_interpolate

    crs = engine.measure.transformer.target_crs
    target = gpd.GeoDataFrame(geometry=districts, crs=4326).to_crs(crs)
    source = gpd.GeoDataFrame(geometry=[z], crs=4326).to_crs(crs)
    source["km2"] = source.area / 1e6  # extensive, spread by the share of the zone each district takes
    # allocate_total=False: divide by the whole zone area, so each district gets area(zone ∩ district)
    return area_interpolate(source, target, extensive_variables=["km2"], allocate_total=False)["km2"].to_numpy()


def max_rel_diff(a, b) -> float:
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
    return float(rel.max()) if len(rel) else 0.0


def have_tobler() -> bool:
    try:
        import tobler.area_weighted  # noqa: F401
    except ImportError:
        return False
    return True


def single_date_table(cells_list, vertex_list, full: bool) -> None:
    from conflictmap.overlay import Overlay

    tobler = have_tobler()
    print(
        f"{'cells':>6} {'zone vtx':>9} {'conflictmap s':>14} {'geopandas s':>12} {'speed-up':>9} {'tobler s':>9} "
        f"{'diff gpd':>9} {'diff tobler':>11}"
    )
    for n in cells_list:
        districts = ragged_cells(n)
        build, engine = time_it(lambda: Overlay(districts))
        for vertices in vertex_list:
            z = zone(vertices)
            t_cm, ours = time_it(run_conflictmap, engine, z)
            t_gp = t_tb = d_gp = d_tb = None
            if full or n < 50_000:
                t_gp, theirs = time_it(run_geopandas, engine, districts, z)
                d_gp = max_rel_diff(ours, theirs)
                if tobler:
                    t_tb, theirs = time_it(run_tobler, engine, districts, z)
                    d_tb = max_rel_diff(ours, theirs)
            ratio = f"{t_gp / t_cm:.0f}x" if t_gp else "-"
            print(
                f"{len(districts):>6} {shapely.get_num_coordinates(z):>9} {t_cm:>14.3f} {_shown(t_gp, '.3f'):>12} "
                f"{ratio:>9} {_shown(t_tb, '.3f') if tobler else 'n/a':>9} {_shown(d_gp, '.1e'):>9} "
                f"{_shown(d_tb, '.1e') if tobler else 'n/a':>11}"
            )
        print(f"{'':>6} (index build for {len(districts)} cells: {build:.3f} s, once for all dates)")
    if tobler:
        print(
            "tobler intersects in the projected plane (edges straight in the projection, not in lon/lat), "
            "so its areas differ slightly: ~1e-5, up to ~1e-3 on slivers"
        )


def _shown(value, spec: str) -> str:
    return "skipped" if value is None else format(value, spec)


def multi_date_table(n_cells: int, vertices: int, dates: int) -> None:
    from conflictmap.distributed import run_dates

    districts = ragged_cells(n_cells)
    work = [{0: zone(vertices, shift=0.02 * k, seed=k)} for k in range(dates)]
    head = f"{dates} dates x {len(districts)} cells x {vertices}-vertex zones:"
    t_one, one = time_it(run_dates, districts, work, "fraction", None)
    try:
        import distributed
    except ImportError:
        print(f"{head} one process {t_one:.2f} s; dask not installed (pip install 'conflictmap[dask]')")
        return
    t_local, local = time_it(run_dates, districts, work, "fraction", "local:2")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        t_running, running = time_it(run_dates, districts, work, "fraction", cluster.scheduler_address)
    same = all(np.array_equal(a, b) and np.array_equal(a, c) for a, b, c in zip(one, local, running))
    print(
        f"{head} one process {t_one:.2f} s | dask local:2 {t_local:.2f} s (cluster start included) | "
        f"running 2-worker cluster {t_running:.2f} s ({t_one / t_running:.2f}x) | identical results: {same}"
    )


def coast(vertices: int, seed: int = 11):
    """A land mask: the grid west of a wiggly north-south coast (~65% of it), `vertices` points on the coast."""
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    y = np.linspace(y0 - 1, y0 + EXTENT + 1, vertices)
    phase = np.linspace(0, 10 * np.pi, vertices)
    x = x0 + EXTENT * 0.65 + 0.3 * np.sin(phase) + 0.005 * rng.uniform(-1, 1, vertices)
    ring = np.vstack([np.column_stack([x, y]), [[x0 - 1, y[-1]], [x0 - 1, y[0]], [x[0], y[0]]]])
    return shapely.Polygon(ring)


def mask_table(n_cells: int, vertices: int, mask_vertices: int) -> None:
    """The land mask: cutting the districts once, then the per-date overlay on the cut districts."""
    from conflictmap.land import mask_geometries
    from conflictmap.overlay import Overlay

    districts = ragged_cells(n_cells)
    land = coast(mask_vertices)
    t_cut, cut = time_it(mask_geometries, districts, land)
    t_gp, pieces = time_it(lambda: shapely.intersection(districts, land))  # the plain way: every cell ∩ mask
    engine = Overlay(cut)
    z = zone(vertices)
    t_cm, ours = time_it(run_conflictmap, engine, z)
    t_plain, _ = time_it(run_conflictmap, Overlay(districts), z)
    diff = max_rel_diff(engine.measure.km2(cut), engine.measure.km2(pieces))
    print(
        f"land mask ({mask_vertices}-vertex coast) on {len(districts)} cells: cut once {t_cut:.3f} s "
        f"(plain shapely.intersection of every cell {t_gp:.3f} s, {t_gp / t_cut:.0f}x; areas differ by {diff:.1e}); "
        f"then one {vertices}-vertex zone {t_cm:.3f} s on the cut cells against {t_plain:.3f} s without the mask"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also run geopandas.overlay/tobler on 50k cells (minutes)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k cells, 10k-vertex zones only")
    parser.add_argument("--dates", type=int, default=8, help="dates for the one-process vs Dask run (default 8)")
    args = parser.parse_args()
    cells = [1_000, 10_000] if args.quick else [1_000, 10_000, 50_000]
    vertices = [10_000] if args.quick else [10_000, 100_000]
    print("Per date: seconds for one zone over all cells (index built once, shown below each size)")
    single_date_table(cells, vertices, args.full)
    if not args.full and not args.quick:
        print("50k cells x geopandas.overlay/tobler skipped (minutes each); run with --full to include them")
    print()
    mask_table(10_000, 10_000 if args.quick else 100_000, 100_000)
    print()
    multi_date_table(10_000, 10_000 if args.quick else 100_000, args.dates)


if __name__ == "__main__":
    main()

"""Benchmark: people per district from a 10,000 x 10,000 cell raster over 10,000 districts, against rasterstats.

    python bench/raster.py                         # 10k x 10k cells, 100 x 100 districts, rasterstats on 500
    python bench/raster.py --cells 2000 --side 20  # smaller

The raster (float32, tiled GeoTIFF in a temporary folder, about 400 MB at full size) covers 1° x 1° near
48°N with random people per cell; the districts are a 100 x 100 grid of squares over it, shifted by a third
of a cell so that every district boundary cuts cells. conflictmap (exactextract, coverage-weighted) is timed
on all districts; rasterstats' zonal_stats (its per-feature loop over rasterio windows, cell-centre rule) on
`--baseline` districts and scaled. Their sums differ by the cells cut by boundaries (rasterstats gives a cut
cell wholly to the district holding its centre): the relative difference is printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rasterio  # noqa: E402
from rasterio.transform import Affine  # noqa: E402

from conflictmap.raster import zonal_sums  # noqa: E402


def write_raster(path: Path, cells: int, seed: int = 1) -> Affine:
    size = 1.0 / cells
    transform = Affine(size, 0, 30.0, 0, -size, 49.0)
    rng = np.random.default_rng(seed)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=cells,
        width=cells,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=transform,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        nodata=-1,
    ) as dst:
        step = 1000
        for top in range(0, cells, step):
            rows = min(step, cells - top)
            block = rng.uniform(0, 5, (rows, cells)).astype("float32")
            dst.write(block, 1, window=rasterio.windows.Window(0, top, cells, rows))
    return transform


def districts(side: int, cells: int) -> np.ndarray:
    shift = 1.0 / cells / 3
    edge = (1.0 - 2 * shift) / side  # stay inside the raster
    col, row = np.meshgrid(np.arange(side), np.arange(side))
    x0 = 30.0 + shift + col.ravel() * edge
    y0 = 48.0 + shift + row.ravel() * edge
    return shapely.box(x0, y0, x0 + edge, y0 + edge)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--side", type=int, default=100)
    ap.add_argument("--baseline", type=int, default=500)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.tif"
        t = time.perf_counter()
        write_raster(path, args.cells)
        print(f"raster {args.cells:,} x {args.cells:,} cells written in {time.perf_counter() - t:.1f} s")
        geoms = districts(args.side, args.cells)
        t = time.perf_counter()
        ours = zonal_sums(geoms, path)
        took = time.perf_counter() - t
        print(f"conflictmap (exactextract): {took:.1f} s for {len(geoms):,} districts")
        try:
            from rasterstats import zonal_stats
        except ImportError:
            print("rasterstats is not installed: no baseline (pip install rasterstats)")
            return 0
        picked = np.linspace(0, len(geoms) - 1, min(args.baseline, len(geoms))).astype(int)
        t = time.perf_counter()
        theirs = np.array([s["sum"] or 0.0 for s in zonal_stats(list(geoms[picked]), str(path), stats=["sum"])])
        scaled = (time.perf_counter() - t) / len(picked) * len(geoms)
        print(f"rasterstats zonal_stats: {scaled:.1f} s for {len(geoms):,} districts (timed on {len(picked)}, scaled)")
        print(f"ratio rasterstats / conflictmap: {scaled / took:.1f}x")
        diff = np.abs(ours[picked] - theirs) / ours[picked]
        print(
            f"per-district difference from rasterstats (cut cells): median {np.median(diff):.2e}, largest {diff.max():.2e}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

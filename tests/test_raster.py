"""Population from a raster: zonal sums against numpy sums of a GeoTIFF the test writes."""

import json

import numpy as np
import pytest

rasterio = pytest.importorskip("rasterio")
pytest.importorskip("exactextract")
from rasterio.transform import Affine  # noqa: E402

from tests.helpers import ROOT  # noqa: E402

CELL = 0.005  # four cells of 0.005° per 0.01° square: each square is 2 x 2 cells
# Row 0 is the top row (latitude 0.015..0.02): C D on top, A B below, as in tests/conftest.py.
PEOPLE = np.arange(1, 17, dtype="float32").reshape(4, 4) * 10


def write_raster(path, data=PEOPLE, crs="EPSG:4326", origin=(0.0, 0.02), nodata=-1):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=data.shape[0],
        width=data.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=Affine(CELL, 0, origin[0], 0, -CELL, origin[1]),
        nodata=nodata,
    ) as dst:
        dst.write(data, 1)
    return path


def by_numpy():
    """People per square, by slicing the array: A rows 2-3 cols 0-1, B rows 2-3 cols 2-3, C rows 0-1 cols 0-1, D rows 0-1 cols 2-3."""
    return {"A": PEOPLE[2:, :2].sum(), "B": PEOPLE[2:, 2:].sum(), "C": PEOPLE[:2, :2].sum(), "D": PEOPLE[:2, 2:].sum()}


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_status_population_is_the_sum_of_the_cells(cli_json, squares_args, tmp_path, cache):
    raster = write_raster(tmp_path / "people.tif")
    rows = {r["id"]: r["population"] for r in cli_json("status", *squares_args, "--population-raster", raster)}
    assert rows == pytest.approx(by_numpy(), rel=1e-9)
    assert len(list(cache.glob("population-*.npy"))) == 1  # cached for the next run


def test_shares_split_a_districts_people_by_share(cli_json, squares_args, tmp_path):
    raster = write_raster(tmp_path / "people.tif")
    people = by_numpy()
    rows = {
        r["actor"]: r for r in cli_json("share", "--date", "2020-03-01", *squares_args, "--population-raster", raster)
    }
    # 2020-03-01: government holds A, C, D and half of B (people assumed spread evenly within B).
    expected = people["A"] + people["B"] / 2 + people["C"] + people["D"]
    assert rows["government"]["population"] == pytest.approx(expected, rel=1e-9)
    assert rows["government"]["population_pct"] == pytest.approx(expected / sum(people.values()) * 100, rel=1e-9)


def test_a_cell_cut_by_a_boundary_is_shared_by_coverage(tmp_path):
    from shapely import box

    from conflictmap.raster import zonal_sums

    raster = write_raster(tmp_path / "people.tif")
    # lon 0.0025..0.0125 over the bottom rows: half of column 0, all of column 1, half of column 2.
    got = zonal_sums([box(0.0025, 0, 0.0125, 0.01)], raster)[0]
    rows = PEOPLE[2:]
    assert got == pytest.approx(0.5 * rows[:, 0].sum() + rows[:, 1].sum() + 0.5 * rows[:, 2].sum(), rel=1e-6)


def test_nodata_cells_count_as_nobody(tmp_path):
    from shapely import box

    from conflictmap.raster import zonal_sums

    data = PEOPLE.copy()
    data[3, 0] = -1  # nodata
    got = zonal_sums([box(0, 0, 0.01, 0.01)], write_raster(tmp_path / "gap.tif", data))[0]
    assert got == pytest.approx(PEOPLE[2:, :2].sum() - PEOPLE[3, 0], rel=1e-9)


def test_the_cache_is_keyed_by_the_raster(cli_json, squares_args, tmp_path):
    raster = write_raster(tmp_path / "people.tif")
    first = cli_json("status", *squares_args, "--population-raster", raster)
    write_raster(raster, PEOPLE * 2)  # the same file rewritten: new size or time, new sums
    import os

    os.utime(raster, ns=(os.stat(raster).st_atime_ns, os.stat(raster).st_mtime_ns + 10**9))
    second = cli_json("status", *squares_args, "--population-raster", raster)
    assert [r["population"] * 2 for r in first] == pytest.approx([r["population"] for r in second])


def test_zones_area_counts_the_people_in_each_zone(cli_json, tmp_path):
    raster = write_raster(tmp_path / "people.tif")
    folder = tmp_path / "zones"
    folder.mkdir()
    ring = [[0, 0], [0.01, 0], [0.01, 0.02], [0, 0.02], [0, 0]]  # the west column: squares A and C
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    (folder / "2020-01-01.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    rows = cli_json("zones", "area", folder, "--actor", "rebels", "--population-raster", raster)
    assert rows[0]["population"] == pytest.approx(by_numpy()["A"] + by_numpy()["C"], rel=1e-9)


BAD = ROOT / "tests" / "bad_inputs"


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("r_no_crs.tif", "r_no_crs.tif: the raster has no CRS"),
        ("r_elsewhere.tif", "r_elsewhere.tif: the raster (100, 50, 100.02, 50.02 in EPSG:4326) does not overlap"),
    ],
)
def test_bad_rasters(cli, squares_args, name, fragment):
    result = cli("share", *squares_args, "--population-raster", BAD / name, "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_bad_raster_files_are_what_their_names_say():
    # Written by write_raster(..., crs=None) and write_raster(..., origin=(100.0, 50.02)).
    with rasterio.open(BAD / "r_no_crs.tif") as src:
        assert src.crs is None and src.shape == (2, 2)
    with rasterio.open(BAD / "r_elsewhere.tif") as src:
        assert src.crs.to_epsg() == 4326 and tuple(src.bounds) == pytest.approx((100.0, 50.0, 100.02, 50.02))


def test_ukraine_oblasts_from_a_uniform_raster(cli_json, shared_data, tmp_path):
    # One person per 0.1° cell over Ukraine: an oblast holds (its area in square degrees) / 0.01 people, the
    # coverage fractions being planar in the raster's CRS; computed here with shapely on the same polygons.
    import geopandas as gpd

    oblasts = shared_data / "ukraine" / "adm1-oblasts.geojson"
    frame = gpd.read_file(oblasts)
    minx, miny, maxx, maxy = frame.total_bounds
    width, height = int(np.ceil((maxx - minx) / 0.1)) + 2, int(np.ceil((maxy - miny) / 0.1)) + 2
    data = np.ones((height, width), dtype="float32")
    raster = tmp_path / "uniform.tif"
    with rasterio.open(
        raster,
        "w",
        driver="GTiff",
        height=height,
        width=width,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(0.1, 0, minx - 0.1, 0, -0.1, maxy + 0.1),
    ) as dst:
        dst.write(data, 1)
    rows = {
        r["name"]: r["population"] for r in cli_json("status", "--districts", oblasts, "--population-raster", raster)
    }
    import shapely

    # Square degrees on purpose: the raster's cells are 0.1° squares in lon/lat.
    expected = dict(zip(frame["shapeName"], shapely.area(shapely.make_valid(frame.geometry.values)) / 0.01))
    assert len(rows) == 27
    for name, people in expected.items():
        assert rows[name] == pytest.approx(people, rel=1e-3), name

"""map --basemap: local raster tiles under the districts, reprojected from Web Mercator row by row.

The tiles come from tests/tiles.py: each pixel's colour names the Mercator row it stands for, so a
pixel read back from the map says which row was drawn there; the row expected is computed in the
test by the closed formula (tests.tiles.mercator_row), not by the pyproj call conflictmap makes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from conflictmap.basemap import tile_source
from conflictmap.dataset import load_dataset
from conflictmap.plots import BASEMAP_ALPHA, actor_colours, map_figure
from conflictmap.project import Inputs
from tests.tiles import decode, mercator_row, write_folder, write_mbtiles
from tests.helpers import ukraine_overlay

# Two 10 x 10 degree districts, far enough north for Mercator to bend: A 40-50N, B 50-60N, both 10-20E.
BOXES = {"A": (10, 40, 20, 50), "B": (10, 50, 20, 60)}
VIEW = (5, 35, 25, 65)  # W,S,E,N: a margin of bare tiles round the districts
ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors & <b>test</b> $5'


@pytest.fixture
def boxes(tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"id": k, "name": k},
            "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
        }
        for k, (w, s, e, n) in BOXES.items()
    ]
    districts = tmp_path / "boxes.geojson"
    districts.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller\n2020-01-01,A,rebels\n2020-01-01,B,government\n")
    return {"districts": str(districts), "control": str(log), "dir": tmp_path}


@pytest.fixture
def mbtiles(tmp_path):
    # Zooms 3 and 4; the map (about 990 px across 20 degrees) would want zoom 6, so zoom 4 is the nearest.
    return write_mbtiles(tmp_path / "t.mbtiles", VIEW, [3, 4], ATTRIBUTION)


def drawn(boxes, source):
    """The map's pixels (RGBA, rows from the top) and a function giving the pixel at a lon/lat."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    ds = load_dataset(Inputs(districts=boxes["districts"], control=boxes["control"]))
    fig = map_figure(ds, None, bbox=VIEW, basemap=tile_source(str(source)))
    FigureCanvasAgg(fig).draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    ax = fig.axes[0]

    def at(lon, lat):
        x, y = ax.transData.transform((lon, lat))
        return pixels[int(pixels.shape[0] - y), int(x)]

    return ds, pixels, at


def test_bare_tiles_show_the_mercator_row_of_their_latitude(boxes, mbtiles):
    _, _, at = drawn(boxes, mbtiles)
    for lat in (38, 45, 55, 63.5):  # west of the districts (lon 7): tiles alone
        row, zoom = decode(at(7, lat))
        assert zoom == 4
        assert abs(row - mercator_row(lat, 4)) <= 1.5, lat
    # The check can fail: a plain stretch of the tiles' rows between the view's edges puts 55N elsewhere.
    top, bottom = mercator_row(65, 4), mercator_row(35, 4)
    linear = top + (65 - 55) / 30 * (bottom - top)
    assert abs(linear - mercator_row(55, 4)) > 20


def test_districts_are_drawn_see_through_over_the_tiles(boxes, mbtiles):
    ds, _, at = drawn(boxes, mbtiles)
    colours = actor_colours(ds, ["rebels", "government"])
    for actor, (lon, lat) in (("rebels", (15, 45)), ("government", (15, 57))):
        rgb = np.array([int(colours[actor][k : k + 2], 16) for k in (1, 3, 5)])
        row = int(mercator_row(lat, 4))
        tile = np.array([row % 256, row // 256, 44])
        expected = BASEMAP_ALPHA * rgb + (1 - BASEMAP_ALPHA) * tile
        assert np.abs(at(lon, lat)[:3].astype(float) - expected).max() <= 3, actor


def test_a_tile_folder_and_a_file_template_draw_what_the_mbtiles_draws(boxes, mbtiles, tmp_path):
    folder = write_folder(tmp_path / "xyz", VIEW, [3, 4])
    _, from_mbtiles, _ = drawn(boxes, mbtiles)
    _, from_folder, _ = drawn(boxes, folder)
    _, from_template, _ = drawn(
        boxes, (folder / "{z}" / "{x}" / "{y}.png").as_uri().replace("%7B", "{").replace("%7D", "}")
    )
    # The pictures differ only in the footer's credit line (the sources' names and attributions): compare the maps.
    map_rows = slice(0, int(from_mbtiles.shape[0] * 0.85))
    assert np.array_equal(from_mbtiles[map_rows], from_folder[map_rows])
    assert np.array_equal(from_folder[map_rows], from_template[map_rows])


def test_attribution_goes_into_the_credit_line_as_text(cli, boxes, mbtiles, tmp_path):
    out = tmp_path / "m.svg"
    result = cli("map", "-d", boxes["districts"], "-c", boxes["control"], "--basemap", mbtiles, "-o", out)
    assert result.exit_code == 0, result.output
    texts = ["".join(t.itertext()) for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert "basemap: © OpenStreetMap contributors & test $5" in texts  # HTML tags dropped, & and $ as written
    assert "<a href" not in out.read_text(encoding="utf-8")


def test_same_bytes_twice_and_the_mbtiles_is_never_written(cli, boxes, mbtiles, tmp_path):
    before = mbtiles.read_bytes()
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    args = ["map", "-d", boxes["districts"], "-c", boxes["control"], "--basemap", mbtiles]
    assert cli(*args, "-o", a).exit_code == 0 and cli(*args, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert mbtiles.read_bytes() == before
    assert sorted(p.name for p in mbtiles.parent.iterdir() if p.name.startswith("t.mbtiles")) == [
        "t.mbtiles"
    ]  # no journal


def test_network_sources_are_refused(cli, boxes, tmp_path):
    out = tmp_path / "m.png"
    result = cli(
        "map", "-d", boxes["districts"], "--basemap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "-o", out
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "never fetches tiles from the network" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "case, fragments",
    [
        ("b_not_sqlite.mbtiles", ("not an MBTiles file", "SQLite")),
        ("b_vector_tiles.mbtiles", ("'pbf'", "vector tiles")),
        ("b_truncated.mbtiles", ("unreadable SQLite file", "complete copy")),
        ("b_tiles_elsewhere.mbtiles", ("no tiles over the map's view",)),
    ],
)
def test_bad_tile_files_are_one_line_exit_1(cli, boxes, tmp_path, case, fragments):
    from tests.helpers import BAD

    out = tmp_path / "m.png"
    result = cli("map", "-d", boxes["districts"], "-c", boxes["control"], "--basemap", BAD / case, "-o", out)
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    for fragment in (case, *fragments):
        assert fragment in result.stderr
    assert list(tmp_path.glob("m.*")) == [] and not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_on_the_bundled_sample(cli, tmp_path):
    """Aleppo over zoom-12 tiles: every district pixel is a blend, the footer credits the tiles."""
    tiles = write_mbtiles(tmp_path / "aleppo.mbtiles", (37.0, 36.05, 37.3, 36.35), [12], "test tiles, CC0")
    out = tmp_path / "m.png"
    result = cli("map", "--basemap", tiles, "-o", out)
    assert result.exit_code == 0, result.output
    from PIL import Image

    image = np.asarray(Image.open(out).convert("RGB"))
    blue = image[:, :, 2]
    # Bare tiles have blue 52 (40 + zoom 12); under a district it mixes with the holder's colour.
    assert (blue == 52).mean() > 0.05 and ((blue != 52) & (blue != 255)).mean() > 0.05


def test_on_the_ukraine_overlay(cli, shared_data, tmp_path):
    log, ukraine = ukraine_overlay(cli, shared_data, tmp_path)
    tiles = write_mbtiles(tmp_path / "ua.mbtiles", (21, 43, 41, 53), [5, 6], "test tiles")
    out = tmp_path / "ua.png"
    result = cli("map", "-d", ukraine / "adm1-oblasts.geojson", "-c", log, "--basemap", tiles, "-o", out)
    assert result.exit_code == 0, result.output
    from PIL import Image

    image = np.asarray(Image.open(out).convert("RGB"))
    assert ((image[:, :, 2] == 46) | (image[:, :, 2] == 45)).mean() > 0.03  # bare tiles (zoom 5 or 6) round the country
    assert len(np.unique(image.reshape(-1, 3)[::7], axis=0)) > 200  # the tiles' rows show through the districts

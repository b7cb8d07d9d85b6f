"""Front lines from zones (frontline.zone_front_lines, `frontline ZONES --clip`, `export --layer frontline --zones`).

Fixture, 0.1° boxes at the equator: the clip ("the country") is lon 0..0.2, lat 0..0.1; the zone holds
its eastern half, drawn up to lon 0.1999 (11 m short of the clip's east edge, as real zones are drawn a
little inside a coast). The front is the meridian lon 0.1 from lat 0 to 0.1, whose geodesic length
pyproj.Geod gives independently; the zone's north, south and east edges lie on (or just inside) the
clip's boundary and are no front.
"""

import json

import pytest
from pyproj import Geod

from tests.helpers import box_coords, cell_area_km2, write_zones

FRONT_KM = Geod(ellps="WGS84").line_length([0.1, 0.1], [0.0, 0.1]) / 1000


@pytest.fixture
def country(tmp_path):
    clip = write_zones(tmp_path / "country.geojson", [({}, box_coords(0, 0, 0.2, 0.1))])
    folder = tmp_path / "zones"
    folder.mkdir()
    write_zones(folder / "zones_2024-01-01.geojson", [({}, box_coords(0.1, 0, 0.1999, 0.1))])
    write_zones(folder / "zones_2024-02-01.geojson", [({}, box_coords(0.15, 0, 0.1999, 0.1))])
    return {"clip": clip, "zones": folder}


def test_frontline_from_zones_by_date(cli_json, country):
    rows = cli_json("frontline", country["zones"], "--actor", "russia", "--clip", country["clip"])
    assert [(r["date"], r["actor"]) for r in rows] == [("2024-01-01", "russia"), ("2024-02-01", "russia")]
    assert rows[0]["length_km"] == pytest.approx(FRONT_KM, rel=1e-3)
    assert rows[1]["length_km"] == pytest.approx(FRONT_KM, rel=1e-3)  # the line moved east, same length


def test_export_writes_the_zone_front(cli, country, tmp_path):
    out = tmp_path / "front.geojson"
    done = cli(
        "export",
        "--layer",
        "frontline",
        "--zones",
        country["zones"],
        "--actor",
        "russia",
        "--clip",
        country["clip"],
        "--date",
        "2024-01-15",
        "-o",
        out,
    )
    assert done.exit_code == 0, done.output
    (feature,) = json.loads(out.read_text())["features"]
    assert feature["properties"]["date"] == "2024-01-01"  # the snapshot in force on 2024-01-15
    assert feature["properties"]["length_km"] == pytest.approx(FRONT_KM, rel=1e-3)
    xs = [x for line in feature["geometry"]["coordinates"] for x, _ in line]
    assert min(xs) == pytest.approx(0.1, abs=1e-6) and max(xs) == pytest.approx(0.1, abs=1e-6)


def test_zones_movement_measures_the_same_front(cli_json, country):
    # The zone loses lon 0.1..0.15 to the rest. Its D0 front is the meridian lon 0.1 only: its north and
    # south edges lie on the clip's boundary and its east edge 11 m inside it, and neither is front (the
    # construction before frontline.ZoneFront counted that east edge too: twice FRONT_KM).
    lines = cli_json("frontline", country["zones"], "--actor", "russia", "--clip", country["clip"])
    rows = cli_json(
        "zones", "movement", country["zones"], "--actor", "russia", "--rest", "ukraine", "--clip", country["clip"]
    )
    assert [(r["actor"], r["from"]) for r in rows] == [("ukraine", "russia")]
    assert rows[0]["front_km"] == lines[0]["length_km"]
    assert rows[0]["front_km"] == pytest.approx(FRONT_KM, rel=1e-3)
    # The farthest point lost is on lon 0.15, 0.05° of the equator from the old front.
    far = Geod(ellps="WGS84").inv(0.1, 0.0, 0.15, 0.0)[2] / 1000
    assert rows[0]["max_advance_km"] == pytest.approx(far, rel=1e-3)


def test_a_redrawn_coast_is_no_advance(cli_json, country, tmp_path):
    # Russia advances 0.01° west (lon 0.1 -> 0.09) and its map redraws the "coast", the east edge, 5.6 m
    # further out on lat 0.05..0.1. Both count in km²; the maximum advance is the strip's 0.01° of the
    # equator, not the sliver's ~11 km from the front (it touches the old zone only far from the front).
    folder = tmp_path / "advance"
    folder.mkdir()
    write_zones(folder / "zones_2024-01-01.geojson", [({}, box_coords(0.1, 0, 0.1999, 0.1))])
    ring = [[0.09, 0], [0.1999, 0], [0.1999, 0.05], [0.19995, 0.05], [0.19995, 0.1], [0.09, 0.1], [0.09, 0]]
    write_zones(folder / "zones_2024-02-01.geojson", [({}, [ring])])
    (row,) = cli_json("zones", "movement", folder, "--actor", "russia", "--rest", "ukraine", "--clip", country["clip"])
    assert (row["actor"], row["from"]) == ("russia", "ukraine")
    area = cell_area_km2(0.09, 0, 0.1, 0.1) + cell_area_km2(0.1999, 0.05, 0.19995, 0.1)
    assert row["area_km2"] == pytest.approx(area, rel=1e-6)
    assert row["front_km"] == pytest.approx(FRONT_KM, rel=1e-3)
    assert row["max_advance_km"] == pytest.approx(Geod(ellps="WGS84").inv(0.09, 0, 0.1, 0)[2] / 1000, rel=1e-3)


def test_movement_rest_is_not_the_zone_actor(cli, country):
    # It gave rows of russia gaining from russia, exit 0.
    args = ("zones", "movement", country["zones"], "--actor", "russia", "--rest", "russia", "--clip", country["clip"])
    done = cli(*args)
    assert done.exit_code == 2, done.output
    assert done.stderr.strip() == (
        "conflictmap: error: --rest russia is the zone actor; --rest names who holds the area no zone covers"
    )


def test_zone_front_needs_a_clip(cli, country):
    done = cli("frontline", country["zones"], "--actor", "russia")
    assert done.exit_code == 2 and "--clip" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_deepstate_front_is_about_a_thousand_km(cli_json, shared_data):
    # Public figures put the front line at roughly 1,000-1,300 km in 2024-2026; the coasts of Crimea and
    # the Sea of Azov and the border with Russia are not part of it.
    ukraine = shared_data / "ukraine"
    files = sorted((ukraine / "zones-deepstate").glob("*.geojson"))
    rows = cli_json(
        "frontline", files[0], files[-1], "--actor", "russia", "--clip", ukraine / "national-boundary.geojson"
    )
    assert len(rows) == 2 and all(1000 < r["length_km"] < 1600 for r in rows)

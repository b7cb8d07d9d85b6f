"""Land masks (conflictmap.land, `--land`, `overlay --clip`): districts measured on their part inside the mask.

Hand-checkable: the four 0.01° squares (A B bottom row, C D top row). The mask
"coast" is lat 0.015, so C and D lose their northern half to the "sea"; the
expected km² come from the closed-form cell areas of tests/conftest.py.
"""

import csv
import json
import re

import numpy as np
import pytest

from conflictmap.errors import InputError
from tests.helpers import cell_area_km2, squares_area
from tests.helpers import box_coords, write_zones


def write_mask(path, x0, y0, x1, y1):
    return write_zones(path, [({}, box_coords(x0, y0, x1, y1))])


@pytest.fixture
def coast(tmp_path):
    """Land is lat < 0.015: A and B whole, the southern half of C and D."""
    return write_mask(tmp_path / "land.geojson", -0.01, -0.01, 0.03, 0.015)


def half_top():
    return cell_area_km2(0.00, 0.01, 0.01, 0.015)


def test_apply_mask_cuts_districts_to_the_land(squares, coast):
    from conflictmap.districts import load_districts
    from conflictmap.land import load_land

    places, _, _ = load_districts(squares["districts"])
    cut, mask, problems = load_land(places, coast)
    area = dict(zip(cut["id"], cut["area_km2"]))
    assert area["A"] == pytest.approx(squares_area("A"), rel=1e-6)  # wholly inside: kept as it is
    assert area["C"] == pytest.approx(half_top(), rel=1e-6)
    assert area["D"] == pytest.approx(cell_area_km2(0.01, 0.01, 0.02, 0.015), rel=1e-6)
    sea = squares_area("C") + squares_area("D") - area["C"] - area["D"]
    assert mask.outside_km2 == pytest.approx(sea, rel=1e-6)
    assert mask.cut == 2 and mask.emptied == ()
    assert any("outside it" in str(p) for p in problems)


def test_a_mask_that_covers_no_district_is_a_data_error(squares, tmp_path):
    from conflictmap.districts import load_districts
    from conflictmap.land import load_land

    far = write_mask(tmp_path / "far.geojson", 10, 10, 11, 11)
    places, _, _ = load_districts(squares["districts"])
    with pytest.raises(InputError, match="covers none of the districts"):
        load_land(places, far)


def test_share_by_area_counts_land_only(cli, cli_json, squares, coast):
    rows = cli_json(
        "status",
        "--districts",
        squares["districts"],
        "--control",
        squares["control"],
        "--land",
        coast,
        "--date",
        "2020-01-15",
    )
    area = {r["id"]: r["area_km2"] for r in rows}
    assert area["C"] == pytest.approx(half_top(), rel=1e-6)
    table = {
        r["actor"]: r
        for r in cli_json(
            "share",
            "--districts",
            squares["districts"],
            "--control",
            squares["control"],
            "--land",
            coast,
            "--date",
            "2020-01-15",
        )
    }
    land = squares_area("A") + squares_area("B") + half_top() + cell_area_km2(0.01, 0.01, 0.02, 0.015)
    held = squares_area("A") + squares_area("B")  # the rebels' A and B lie wholly on land
    assert table["rebels"]["area_pct"] == pytest.approx(100 * held / land, rel=1e-6)
    assert table["rebels"]["districts"] == 2  # counts do not change: a district is a district


def test_project_file_names_the_land_mask(cli_json, squares, coast, tmp_path):
    proj = tmp_path / "proj.toml"
    proj.write_text(f'districts = "{squares["districts"]}"\ncontrol = "{squares["control"]}"\nland = "land.geojson"\n')
    rows = cli_json("status", "--project", proj, "--date", "2020-01-15")
    assert {r["id"]: r["area_km2"] for r in rows}["C"] == pytest.approx(half_top(), rel=1e-6)


def test_output_may_not_overwrite_the_mask(cli, squares, coast):
    done = cli("export", "--districts", squares["districts"], "--land", coast, "-o", coast)
    assert done.exit_code == 2 and "input" in done.stderr


@pytest.fixture
def land_zone(tmp_path):
    """The zone holds everything south of lat 0.015 (land and sea alike), and lon 0.02..0.03 in no district."""
    folder = tmp_path / "zones"
    folder.mkdir()
    write_zones(folder / "zones_2024-01-01.geojson", [({}, box_coords(-0.01, -0.01, 0.03, 0.015))])
    return folder


def test_overlay_with_a_land_mask_gives_the_land_to_its_holder(cli, squares, land_zone, coast):
    base = ["overlay", land_zone, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"], "-f", "json"]
    plain = {(r["district"], r["controller"]): r["share"] for r in json.loads(cli(*base).stdout)}
    assert plain[("C", "russia")] == pytest.approx(half_top() / squares_area("C"), rel=1e-6)  # sea went to ukraine
    done = cli(*base, "--clip", coast)
    assert done.exit_code == 0, done.output
    masked = {(r["district"], r["controller"]): r["share"] for r in json.loads(done.stdout)}
    assert masked == pytest.approx(
        {("A", "russia"): 1.0, ("B", "russia"): 1.0, ("C", "russia"): 1.0, ("D", "russia"): 1.0}
    )
    # Always reported: the zone's land in no district (lon 0.02..0.03, lat 0..0.015 by the mask and the zone)
    # and the district area outside the mask.
    nowhere = (
        cell_area_km2(0.02, -0.01, 0.03, 0.015)
        + cell_area_km2(-0.01, -0.01, 0.0, 0.015)
        + cell_area_km2(0.0, -0.01, 0.02, 0.0)
    )
    shown = float(re.search(r"in no district: up to ([\d,.]+) km²", done.stderr).group(1).replace(",", ""))
    assert shown == pytest.approx(nowhere, abs=0.05 + 1e-3 * nowhere)  # displayed to 0.1 km², measured within 0.1%
    sea = squares_area("C") + squares_area("D") - half_top() - cell_area_km2(0.01, 0.01, 0.02, 0.015)
    shown = float(re.search(r"outside the land mask: ([\d,.]+) km²", done.stderr).group(1).replace(",", ""))
    assert shown == pytest.approx(sea, abs=0.05)
    # And the mask's land no district covers: the mask less the districts' land (lon 0..0.02, lat 0..0.015).
    short = cell_area_km2(-0.01, -0.01, 0.03, 0.015) - cell_area_km2(0.0, 0.0, 0.02, 0.015)
    shown = float(
        re.search(r"the districts' land is ([\d,.]+) km² \([\d.]+%\) short of the mask's", done.stderr)
        .group(1)
        .replace(",", "")
    )
    assert shown == pytest.approx(short, abs=0.05)


def test_overlay_coverage_adds_up(squares, land_zone, coast):
    from conflictmap.districts import load_districts
    from conflictmap.land import load_land
    from conflictmap.overlay import overlay_result
    from conflictmap.zones import load_zones

    places, _, _ = load_districts(squares["districts"])
    places, mask, _ = load_land(places, coast)
    result = overlay_result(places, load_zones([land_zone], actor="russia"), rest="ukraine", mask=mask.geometry)
    row = result.coverage.iloc[0]
    zone_on_land = cell_area_km2(-0.01, -0.01, 0.03, 0.015)  # the zone lies wholly inside the mask
    assert row["zone_km2"] == pytest.approx(zone_on_land, rel=1e-3)  # engine's equal-area measure: within 0.1%
    assert row["in_districts_km2"] == pytest.approx(places["area_km2"].sum(), rel=1e-3)
    assert row["outside_km2"] == pytest.approx(row["zone_km2"] - row["in_districts_km2"])


def test_a_district_with_no_land_is_unknown_not_rest(cli, squares, land_zone, tmp_path):
    south = write_mask(tmp_path / "south.geojson", -0.01, -0.01, 0.03, 0.01)  # C and D lie wholly at "sea"
    done = cli(
        "overlay",
        land_zone,
        "--actor",
        "russia",
        "--rest",
        "ukraine",
        "-d",
        squares["districts"],
        "--clip",
        south,
        "-f",
        "json",
    )
    assert done.exit_code == 0, done.output
    rows = {r["district"]: r for r in json.loads(done.stdout)}
    assert rows["C"]["controller"] == "unknown" and "no land" in rows["C"]["note"]
    assert rows["A"]["controller"] == "russia"
    assert "wholly outside the land mask" in done.stderr


def test_deepstate_on_raions_with_the_national_land_mask(cli, cli_json, shared_data, tmp_path):
    """Sevastopol: the raions reach into the sea, the zones do not. With the land boundary as mask the
    Sevastopol raions with land are Russian-held; Gagarin, which in this geoBoundaries file lies wholly at
    sea (checked here with shapely), is unknown rather than Ukrainian.

    share --by area on the overlay's log and zones area --clip, on six of the DeepState dates. They do not
    agree by themselves (the share is 5.5-5.8% lower): the raions leave 11,929 km² of the land boundary
    uncovered, and 6,280-6,350 km² of the zone lie there: the Sivash lagoon, which the 2015 land boundary
    counts as land (2,898 km²); the Feodosia and Sudak municipalities, missing from this raions file
    (879 km²); spits and peninsulas the simplified raions cut off (Kinburn, Tendra, Arabat, the Crimean
    coast) and strips along the Russian border where they fall short of the land boundary (about 800 km²
    in Luhansk, Donetsk, Kharkiv and Sumy oblasts). The identities checked, each within 0.5% (they hold
    within 1e-6): the share equals zones area clipped to the districts' land (the land boundary ∩ the union
    of the raions, computed here with shapely), and the share plus the zone km² in no district (zones area
    --clip minus that) equals zones area --clip; the overlay reports the largest of the latter, and how far
    the districts' land falls short of the mask.
    """
    import re

    import pyogrio
    import shapely
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    raions, boundary = ukraine / "adm2-raions.geojson", ukraine / "national-boundary.geojson"
    # Every fifth snapshot and the last (6 of 26 dates, 2024-2026): the identities are per date, and
    # tests/test_clip_area.py compares zones area --clip with a plain intersection on all 26.
    every = sorted((ukraine / "zones-deepstate").glob("*.geojson"))
    files = every[::5] + ([every[-1]] if (len(every) - 1) % 5 else [])
    log = tmp_path / "log.csv"
    done = cli("overlay", *files, "--actor", "russia", "--rest", "ukraine", "-d", raions, "--clip", boundary, "-o", log)
    assert done.exit_code == 0, done.output
    assert "in no district" in done.stderr and "outside the land mask" in done.stderr
    features = json.loads(raions.read_text())["features"]
    ids = {f["properties"]["shapeName"]: f["properties"]["shapeID"] for f in features}
    shares: dict = {}
    for r in csv.DictReader(log.open(encoding="utf-8")):  # the log's rows are in force until the next
        if r["date"] != shares.get(r["district"], ("", {}))[0]:
            shares[r["district"]] = (r["date"], {})
        shares[r["district"]][1][r["controller"]] = float(r["share"])
    for name in ("Nakhimovskyi", "Leninskyi", "Balakavaskyi"):
        assert shares[ids[name]][1]["russia"] > 0.99, shares[ids[name]]
    assert shares[ids["Gagarin"]][1] == {"unknown": 1.0}
    gagarin = next(shapely.geometry.shape(f["geometry"]) for f in features if f["properties"]["shapeName"] == "Gagarin")
    land = shapely.make_valid(shapely.from_geojson(boundary.read_text()))
    assert not shapely.intersects(shapely.make_valid(gagarin), land)

    # The districts' land, on its own: the land boundary ∩ the union of the raions.
    union = shapely.union_all(shapely.make_valid(np.asarray(pyogrio.read_dataframe(raions).geometry.values)))
    covered = shapely.intersection(land, union)
    covered = shapely.multipolygons(shapely.get_parts(covered)[shapely.get_type_id(shapely.get_parts(covered)) == 3])
    districts_land = tmp_path / "districts-land.geojson"
    districts_land.write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(covered)})
    )
    geod = Geod(ellps="WGS84")
    short = (
        sum(abs(geod.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(land))
        - sum(abs(geod.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(covered))
    ) / 1e6
    assert 11_000 < short < 13_000
    shown = re.search(r"the districts' land is ([\d,.]+) km²", done.stderr).group(1)
    assert float(shown.replace(",", "")) == pytest.approx(short, rel=5e-3)

    whole = {
        r["date"]: r["area_km2"] for r in cli_json("zones", "area", *files, "--actor", "russia", "--clip", boundary)
    }
    on_districts = {
        r["date"]: r["area_km2"]
        for r in cli_json("zones", "area", *files, "--actor", "russia", "--clip", districts_land)
    }
    held = {
        r["date"]: r["area_km2"]
        for r in cli_json("timeline", "-d", raions, "-c", log, "--land", boundary)
        if r["actor"] == "russia"
    }
    assert len(every) == 26 and len(held) == len(whole) == len(on_districts) == len(files) == 6
    nowhere = {day: whole[day] - on_districts[day] for day in whole}  # the zone km² in no district
    for day in whole:
        assert held[day] == pytest.approx(on_districts[day], rel=5e-3), day
        assert held[day] + nowhere[day] == pytest.approx(whole[day], rel=5e-3), day
        assert 0.05 < 1 - held[day] / whole[day] < 0.06, day  # without the identity they do not agree
    worst = max(nowhere, key=nowhere.get)
    reported = re.search(r"in no district: up to ([\d,.]+) km² \([\d.]+% of it, (\S+)\)", done.stderr)
    assert float(reported.group(1).replace(",", "")) == pytest.approx(nowhere[worst], rel=5e-3)
    assert reported.group(2) == worst
    last = {r["actor"]: r for r in cli_json("share", "-d", raions, "-c", log, "--land", boundary, "--by", "area")}
    assert last["russia"]["area_km2"] == pytest.approx(held[max(held)], rel=1e-9)


def test_a_log_made_on_land_asks_for_its_mask(cli, cli_json, squares, land_zone, coast, tmp_path):
    # overlay --clip writes the mask's file name into the note column; share on that log without --land warns
    # (its km² would include C's and D's "sea": the full squares), and with --land it does not.
    log = tmp_path / "log.csv"
    done = cli("overlay", land_zone, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"])
    assert done.exit_code == 0 and "warning: no land mask (--clip)" in done.stderr  # --rest named, no mask
    made = cli(
        "overlay", land_zone, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"],
        "--clip", coast, "-o", log,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "no land mask" not in made.stderr
    notes = {row["note"] for row in csv.DictReader(log.open(encoding="utf-8"))}
    assert notes == {'zones overlay, rule fraction, land mask "land.geojson"'}
    bare = cli("share", "-d", squares["districts"], "-c", log, "--by", "area", "-f", "json")
    assert bare.exit_code == 0
    (line,) = [x for x in bare.stderr.splitlines() if "land mask" in x]
    assert "log.csv" in line and "give --land land.geojson" in line
    # Its km² are the whole squares, sea included: what the warning is about.
    assert sum(r["area_km2"] for r in json.loads(bare.stdout)) == pytest.approx(sum(map(squares_area, "ABCD")))
    masked = cli("share", "-d", squares["districts"], "-c", log, "--land", coast, "--by", "area", "-f", "json")
    assert masked.exit_code == 0 and "which is not given here" not in masked.stderr
    # Another mask is a warning naming both; a mask's name with a comma and a semicolon survives the note column.
    other = write_mask(tmp_path / "other, v2; x.geojson", -0.01, -0.01, 0.03, 0.015)
    done = cli("share", "-d", squares["districts"], "-c", log, "--land", other, "-f", "json")
    assert done.exit_code == 0 and "warning: " in done.stderr
    assert "made by overlay with the land mask land.geojson, not " in done.stderr
    log2 = tmp_path / "log2.csv"
    made = cli("overlay", land_zone, "--actor", "russia", "-d", squares["districts"], "--clip", other, "-o", log2)
    assert made.exit_code == 0, made.output
    bare = cli("share", "-d", squares["districts"], "-c", log2, "-f", "json")
    assert "give --land other, v2; x.geojson (or land =" in bare.stderr


def test_a_log_made_without_a_mask_read_with_one_is_warned(cli, squares, land_zone, coast, tmp_path):
    # The zone holds all land (lat < 0.015). Without --clip, C's and D's "sea" halves go to ukraine, so the
    # log gives russia half of C: read with --land that half is applied to C's land only (russia 50% of C's
    # land, where the zone holds all of it). A warning says so and how to remake the log.
    log = tmp_path / "bare.csv"
    made = cli("overlay", land_zone, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"], "-o", log)
    assert made.exit_code == 0, made.output
    done = cli("share", "-d", squares["districts"], "-c", log, "--land", coast, "--by", "area", "-f", "json")
    assert done.exit_code == 0
    (line,) = [x for x in done.stderr.splitlines() if "without a land mask" in x]
    assert line.startswith("conflictmap: warning: ") and "bare.csv" in line
    assert "measured on the districts' full area" in line and "remake the log with overlay --clip" in line
    held = {r["actor"]: r["area_km2"] for r in json.loads(done.stdout)}
    c_land = half_top()  # C's land: lat 0.01..0.015; the log's share of it is C's land / C's whole square
    assert held["ukraine"] == pytest.approx(
        2 * c_land * (1 - c_land / squares_area("C")), rel=1e-3
    )  # C and D alike (equal cells up to 1e-4 relative): the sea's share is now put on land
    # The log remade with the mask is not warned, and gives russia all the land.
    good = tmp_path / "good.csv"
    assert cli("overlay", land_zone, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"],
               "--clip", coast, "-o", good).exit_code == 0  # fmt: skip
    right = cli("share", "-d", squares["districts"], "-c", good, "--land", coast, "--by", "area", "-f", "json")
    assert "without a land mask" not in right.stderr
    held = {r["actor"]: r["area_km2"] for r in json.loads(right.stdout)}
    assert held.get("ukraine", 0.0) == pytest.approx(0, abs=1e-9)

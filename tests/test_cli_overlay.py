"""`conflictmap overlay` through the CLI: squares by hand, the log fed back to `share`, real DeepState zones."""

import csv
import io
import json

import pytest

from tests.helpers import cell_area_km2, squares_area
from tests.helpers import box_coords, write_zones

KEYS = ["date", "district", "controller", "share", "source", "note"]


@pytest.fixture
def zones_dir(tmp_path):
    """Two dated zone files over the four squares (A B bottom row, C D top row, 0.01° each).

    2024-01-01: lon -0.01..0.016, lat -0.01..0.01 -> A whole, B's western 0.006°, C/D only touched.
    2024-02-01: lon -0.01..0.02 -> A and B whole.
    """
    folder = tmp_path / "zones"
    folder.mkdir()
    write_zones(folder / "deepstatemap_data_20240101.geojson", [({}, box_coords(-0.01, -0.01, 0.016, 0.01))])
    write_zones(folder / "deepstatemap_data_20240201.geojson", [({}, box_coords(-0.01, -0.01, 0.02, 0.01))])
    return folder


def b_share():
    return cell_area_km2(0.01, 0, 0.016, 0.01) / cell_area_km2(0.01, 0, 0.02, 0.01)


def test_log_rows_by_hand(cli_json, squares, zones_dir):
    rows = cli_json("overlay", zones_dir, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"])
    assert all(list(r) == KEYS for r in rows)
    first = {(r["district"], r["controller"]): r["share"] for r in rows if r["date"] == "2024-01-01"}
    assert first == pytest.approx(
        {
            ("A", "russia"): 1.0,
            ("B", "russia"): b_share(),
            ("B", "ukraine"): 1 - b_share(),
            ("C", "ukraine"): 1.0,
            ("D", "ukraine"): 1.0,
        }
    )
    second = [(r["district"], r["controller"], r["share"]) for r in rows if r["date"] == "2024-02-01"]
    assert second == [("B", "russia", pytest.approx(1.0))]  # only the district that changed
    assert all("rule fraction" in r["note"] for r in rows)


def test_log_feeds_share(cli, cli_json, squares, zones_dir, tmp_path):
    log = tmp_path / "log.csv"
    done = cli("overlay", zones_dir, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"], "-o", log)
    assert done.exit_code == 0, done.output
    assert done.stdout == ""  # the log went to the file
    table = {r["actor"]: r for r in cli_json("share", "-d", squares["districts"], "-c", log, "--date", "2024-01-15")}
    russia = cell_area_km2(0, 0, 0.01, 0.01) + cell_area_km2(0.01, 0, 0.016, 0.01)
    assert table["russia"]["area_km2"] == pytest.approx(russia, rel=1e-6)
    total = sum(squares_area(k) for k in "ABCD")
    assert table["ukraine"]["area_km2"] == pytest.approx(total - russia, rel=1e-6)
    assert table["russia"]["districts"] == pytest.approx(1 + b_share(), rel=1e-9)


def test_majority_rule_is_recorded(cli_json, squares, zones_dir):
    rows = cli_json(
        "overlay",
        zones_dir,
        "--actor",
        "russia",
        "--rest",
        "ukraine",
        "-d",
        squares["districts"],
        "--rule",
        "majority",
        "--every-date",
    )
    assert {r["share"] for r in rows} == {1.0}
    first = {r["district"]: r["controller"] for r in rows if r["date"] == "2024-01-01"}
    assert first == {"A": "russia", "B": "russia", "C": "ukraine", "D": "ukraine"}  # B is 60% russian
    assert all("rule majority" in r["note"] for r in rows)


def test_min_share_keeps_the_rest(cli_json, squares, zones_dir):
    # 2024-01-01: B is russia 0.6 / the rest 0.4 (cell-area formula). --min-share 0.5 drops only zone
    # actors' slivers: ukraine, who holds the area no zone covers, keeps its 0.4.
    rows = cli_json(
        "overlay", zones_dir, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"], "--min-share", "0.5"
    )
    first = {r["controller"]: r["share"] for r in rows if r["date"] == "2024-01-01" and r["district"] == "B"}
    assert first == pytest.approx({"russia": b_share(), "ukraine": 1 - b_share()}, rel=1e-9)
    assert all("zone shares under 0.5" in r["note"] for r in rows)


def test_min_share_help_says_what_is_kept(cli):
    done = cli("overlay", "--help")
    assert done.exit_code == 0
    text = " ".join(done.stdout.replace("│", " ").split())  # unwrapped, without the panel's borders
    assert "other real actors (zone actors and a named --rest such as ukraine) are scaled up" in text
    assert "unknown and contested are never dropped nor rescaled" in text
    assert "no real actor left to take the sliver stays as it is" in text


@pytest.fixture
def sliver_zone(tmp_path):
    """russia over lon -0.01..0.0103: A whole, about 3% of B (its western 0.0003°), C/D only touched."""
    return write_zones(tmp_path / "deepstatemap_data_20240101.geojson", [({}, box_coords(-0.01, -0.01, 0.0103, 0.01))])


def sliver():
    return cell_area_km2(0.01, 0, 0.0103, 0.01) / cell_area_km2(0.01, 0, 0.02, 0.01)  # about 0.03


def test_min_share_with_one_zone_actor_gives_the_sliver_to_the_rest(cli_json, squares, sliver_zone):
    # The DeepState case: russia only, --rest ukraine. B's russia 0.03 < 0.05 goes to ukraine: B is ukraine's.
    rows = cli_json(
        "overlay",
        sliver_zone,
        "--actor",
        "russia",
        "--rest",
        "ukraine",
        "-d",
        squares["districts"],
        "--min-share",
        "0.05",
    )
    held = {(r["district"], r["controller"]): r["share"] for r in rows}
    assert held == {("A", "russia"): 1.0, ("B", "ukraine"): 1.0, ("C", "ukraine"): 1.0, ("D", "ukraine"): 1.0}
    assert all("zone shares under 0.05 dropped" in r["note"] for r in rows)


def test_min_share_never_gives_a_sliver_to_unknown(cli_json, squares, sliver_zone):
    # The rest is unknown: no real actor takes russia's 0.03, so B stays as measured.
    rows = cli_json("overlay", sliver_zone, "--actor", "russia", "-d", squares["districts"], "--min-share", "0.05")
    b = {r["controller"]: r["share"] for r in rows if r["district"] == "B"}
    assert b == pytest.approx({"russia": sliver(), "unknown": 1 - sliver()}, rel=1e-9)


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_shares_are_always_floats(cli, squares, zones_dir, fmt):
    # QA: "share": 1 next to 0.997...: whole shares are written 1.0 (A is wholly russian on 2024-01-01).
    done = cli("overlay", zones_dir, "--actor", "russia", "--rest", "ukraine", "-d", squares["districts"], "-f", fmt)
    assert done.exit_code == 0, done.output
    if fmt == "csv":
        shares = [r["share"] for r in csv.DictReader(io.StringIO(done.stdout))]
        assert "1.0" in shares and all("." in v for v in shares)
        return
    rows = json.loads(done.stdout) if fmt == "json" else [json.loads(line) for line in done.stdout.splitlines()]
    assert '"share": 1.0' in done.stdout and all(type(r["share"]) is float for r in rows)


def test_csv_is_the_default_format(cli, squares, zones_dir):
    done = cli("overlay", zones_dir, "--actor", "russia", "-d", squares["districts"])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == KEYS
    assert {r["controller"] for r in rows} == {"russia", "unknown"}  # no --rest: the rest is unknown


def test_output_never_overwrites_an_input(cli, squares, zones_dir, tmp_path):
    # A zone file named .json, a name a JSON log could have: refused as an input.
    target = tmp_path / "deepstatemap_data_20240101.json"
    target.write_text((zones_dir / "deepstatemap_data_20240101.geojson").read_text())
    before = target.read_text()
    done = cli("overlay", target, "--actor", "russia", "-d", squares["districts"], "-o", target)
    assert done.exit_code == 2
    assert "also an input" in done.stderr and target.read_text() == before
    # Named .geojson, the suffix already says it is no log: refused too.
    geojson = zones_dir / "deepstatemap_data_20240101.geojson"
    done = cli("overlay", geojson, "--actor", "russia", "-d", squares["districts"], "-o", geojson, "-f", "csv")
    assert done.exit_code == 2 and "the suffix .geojson means geojson, not -f csv" in done.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--actor", "russia"], "--districts"),
        (["--actor", "russia", "-d", "{d}", "--rule", "majority", "--min-share", "0.1"], "--min-share"),
        (["--actor", "russia", "-d", "{d}", "--min-share", "1.5"], "outside 0..1"),
        (["--actor", "russia", "-d", "{d}", "-o", "{tmp}/log.xyz"], "format"),
        (["--actor", "russia", "--actor-field", "side", "-d", "{d}"], "not both"),
        (["--actor", "russia", "-d", "{d}", "--scheduler", "local:zero"], "local:N"),
        (
            ["--actor", "russia", "--rest", "Russia", "-d", "{d}"],
            "--rest Russia is the zone actor; --rest names who holds the area no zone covers",
        ),
    ],
)
def test_usage_errors_exit_2(cli, squares, zones_dir, tmp_path, args, message):
    args = [a.format(d=squares["districts"], tmp=tmp_path) for a in args]
    done = cli("overlay", zones_dir, *args)
    assert done.exit_code == 2, done.output
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_rest_named_by_the_zones_own_field_is_a_usage_error(cli, squares, tmp_path):
    # The actor comes from the features (field 'actor'), so the clash is seen once they are read; before
    # this check every district went to russia, exit 0.
    folder = tmp_path / "fielded"
    folder.mkdir()
    write_zones(folder / "zones_2024-01-01.geojson", [({"actor": "russia"}, box_coords(-0.01, -0.01, 0.016, 0.01))])
    done = cli("overlay", folder, "--actor-field", "actor", "--rest", "russia", "-d", squares["districts"])
    assert done.exit_code == 2, done.output
    assert done.stderr.strip() == (
        "conflictmap: error: --rest russia is the zone actor; --rest names who holds the area no zone covers"
    )
    assert done.stdout == ""


def test_zones_without_actor_are_a_data_error(cli, squares, zones_dir):
    done = cli("overlay", zones_dir, "-d", squares["districts"])
    assert done.exit_code == 1, done.output
    assert "zones carry no actor field" in done.stderr and "--actor NAME" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_nzz_file_is_read_with_its_semantics(cli, squares, tmp_path):
    # nochange over A, losses over B: A is Russian, B is not (losses are what Russia lost).
    path = write_zones(
        tmp_path / "2024-07-08.json",
        [
            ({"type": "nochange", "date": "2024-07-05"}, box_coords(0, 0, 0.01, 0.01)),
            ({"type": "losses", "date": "2024-07-05"}, box_coords(0.01, 0, 0.02, 0.01)),
        ],
        wrap="value",
    )
    done = cli("overlay", path, "--rest", "ukraine", "-d", squares["districts"], "-f", "json")
    assert done.exit_code == 0, done.output
    rows = {r["district"]: (r["date"], r["controller"]) for r in json.loads(done.stdout)}
    assert rows["A"] == ("2024-07-05", "russia") and rows["B"] == ("2024-07-05", "ukraine")
    assert "read as NZZ" in done.stderr


def test_scheduler_gives_the_same_log(cli, squares, zones_dir):
    pytest.importorskip("distributed", reason="dask.distributed not installed")
    args = ["overlay", zones_dir, "--actor", "russia", "-d", squares["districts"], "-f", "json"]
    alone = cli(*args)
    on_dask = cli(*args, "--scheduler", "local:2")
    assert alone.exit_code == 0 and on_dask.exit_code == 0, on_dask.output
    assert json.loads(on_dask.stdout) == json.loads(alone.stdout)


def test_deepstate_over_ukraine(cli, cli_json, shared_data, tmp_path):
    # The national boundary as one district: the Russian share per date is the occupied share of Ukraine.
    # Independent check: pyproj.Geod on a plain shapely intersection (first date), and public figures of ~18-20%.
    import shapely
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    log = tmp_path / "ua.json"
    # Six of the 26 snapshots, the first (checked below) among them: every date's share of Ukraine is in
    # tests/test_zones.py::test_deepstate_in_ukraine_is_18_to_20_percent.
    files = sorted((ukraine / "zones-deepstate").glob("*.geojson"))[::5]
    done = cli(
        "overlay",
        *files,
        "--actor",
        "russia",
        "--rest",
        "ukraine",
        "-d",
        ukraine / "national-boundary.geojson",
        "-o",
        log,
    )
    assert done.exit_code == 0, done.output
    rows = json.loads(log.read_text())
    russia = [r for r in rows if r["controller"] == "russia"]
    assert len(russia) == 6 and all(0.175 < r["share"] < 0.20 for r in russia)
    geod = Geod(ellps="WGS84")
    boundary = shapely.from_geojson((ukraine / "national-boundary.geojson").read_text())
    zone = shapely.from_geojson((ukraine / "zones-deepstate" / "deepstatemap_data_20240708.geojson").read_text())
    boundary, zone = shapely.union_all(shapely.get_parts(boundary)), shapely.union_all(shapely.get_parts(zone))
    expected = abs(geod.geometry_area_perimeter(zone.intersection(boundary))[0]) / abs(
        geod.geometry_area_perimeter(boundary)[0]
    )
    assert russia[0]["share"] == pytest.approx(expected, rel=1e-3)
    table = {
        r["actor"]: r
        for r in cli_json("share", "-d", ukraine / "national-boundary.geojson", "-c", log, "--date", "2024-07-08")
    }
    assert table["russia"]["area_pct"] == pytest.approx(expected * 100, rel=1e-3)


def test_deepstate_over_raions_sums_to_the_raions(cli_json, shared_data):
    # Shares of each raion sum to 1, and the Russian km² (share x raion area) equal an independent
    # pyproj.Geod measure of the zone cut to the union of the raions, within 0.1%.
    import shapely
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    zone_file = ukraine / "zones-deepstate" / "deepstatemap_data_20240801.geojson"
    rows = cli_json(
        "overlay", zone_file, "--actor", "russia", "--rest", "ukraine", "-d", ukraine / "adm2-raions.geojson"
    )
    per_district = {}
    for r in rows:
        per_district[r["district"]] = per_district.get(r["district"], 0) + r["share"]
    assert len(per_district) == 495 and all(v == pytest.approx(1.0) for v in per_district.values())
    geod = Geod(ellps="WGS84")
    features = json.loads((ukraine / "adm2-raions.geojson").read_text())["features"]
    raions = {f["properties"]["shapeID"]: shapely.make_valid(shapely.geometry.shape(f["geometry"])) for f in features}
    area = {k: abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for k, g in raions.items()}
    russian_km2 = sum(r["share"] * area[r["district"]] for r in rows if r["controller"] == "russia")
    zone = shapely.union_all(shapely.get_parts(shapely.from_geojson(zone_file.read_text())))
    expected = abs(geod.geometry_area_perimeter(zone.intersection(shapely.union_all(list(raions.values()))))[0]) / 1e6
    assert russian_km2 == pytest.approx(expected, rel=1e-3)

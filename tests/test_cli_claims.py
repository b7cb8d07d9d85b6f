"""conflictmap claims check on the four squares (tests/conftest.py) and on the bundled sample."""

import csv

import pytest

from tests.helpers import FIXTURES, ROOT, squares_area

SAMPLE = ROOT / "data" / "aleppo-2016"

# tests/fixtures/squares_claims.csv, by hand from SQUARES_LOG: on 2020-03-01 the government holds A, half of B, C and D; on 2020-02-15
# A is contested and B split government 0.5 / kurdish forces 0.5. Populations 1000, 2000, 3000, 4000.
CLAIMS = (FIXTURES / "squares_claims.csv").read_text(encoding="utf-8")


@pytest.fixture
def claims_file(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS)
    return path


def test_figures_and_verdicts_by_hand(cli_json, squares_args, claims_file):
    rows = cli_json("claims", "check", claims_file, *squares_args)
    assert [r["line"] for r in rows] == [2, 3, 4, 5, 6, 7]
    got = {r["line"]: r for r in rows}
    assert got[2]["figure"] == pytest.approx(75.0) and got[2]["verdict"] == "consistent"
    assert got[3]["figure"] == pytest.approx(2.5) and got[3]["verdict"] == "lower"
    assert got[3]["difference"] == pytest.approx(-0.5) and got[3]["tolerance"] == pytest.approx(0.15)
    assert got[4]["figure"] == pytest.approx(9000) and got[4]["verdict"] == "consistent"
    assert got[5]["figure"] == pytest.approx(90.0) and got[5]["difference"] == pytest.approx(0.0)
    assert got[6]["figure"] == pytest.approx(100.0) and got[6]["actors_summed"] == "all but rebels"
    area = {k: squares_area(k) for k in "ABCD"}
    government = (area["A"] + area["B"] / 2 + area["C"] + area["D"]) / sum(area.values()) * 100
    assert got[7]["figure"] == pytest.approx(government, rel=1e-9)
    assert got[7]["difference"] == pytest.approx(government - 70, rel=1e-9)
    assert got[7]["verdict"] == ("higher" if government - 70 > 5 else "consistent")
    assert got[2]["of"] == "districts of what rebels held on 2020-01-01"


def test_fail_on_mismatch_prints_then_exits_1(cli, squares_args, claims_file):
    result = cli("claims", "check", claims_file, *squares_args, "--format", "csv", "--fail-on-mismatch")
    assert result.exit_code == 1
    assert len(list(csv.DictReader(result.stdout.splitlines()))) == 6
    assert "claims are outside their tolerance" in result.stderr and "Traceback" not in result.output
    assert cli("claims", "check", claims_file, *squares_args, "--tolerance", "100", "--fail-on-mismatch").exit_code == 0


def test_sample_claims_match_the_share_command(cli_json):
    """Each sample claim's figure is the share command's figure for the same date, baseline and actor(s)."""
    rows = cli_json("claims", "check", SAMPLE / "claims.csv")
    claims = list(csv.DictReader(open(SAMPLE / "claims.csv", encoding="utf-8")))
    assert len(rows) == len(claims) == 16
    for row, claim in zip(rows, claims):
        baseline = (
            ["--baseline", claim["baseline_date"], "--baseline-actor", claim["baseline_actor"]]
            if claim["baseline_date"]
            else []
        )
        table = {r["actor"]: r[row["measure"]] for r in cli_json("share", "--date", claim["date"], *baseline)}
        if claim["actor"].startswith("not "):
            expected = sum(v for a, v in table.items() if a != claim["actor"][4:])
        else:
            expected = table[claim["actor"]]
        assert row["figure"] == pytest.approx(expected), claim["claim"]


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("claims_unknown_measure.csv", "claims_unknown_measure.csv line 3: unknown measure 'hectares'"),
        ("claims_unparseable_value.csv", "claims_unparseable_value.csv line 2: value 'most' is not a number"),
        (
            "claims_range_low_above_high.csv",
            "claims_range_low_above_high.csv line 4: range '90-80' has its low end above",
        ),
        ("claims_unknown_actor.csv", "claims_unknown_actor.csv line 2: actor 'goverment' is not an actor"),
        ("claims_decimal_comma.csv", "claims_decimal_comma.csv line 3: value '62,5' has a decimal comma"),
        ("claims_percent_over_100.csv", "claims_percent_over_100.csv line 2: value '150' is not a percent"),
        ("claims_empty.csv", "claims_empty.csv: empty file; expected a header line 'date,actor,measure,value'"),
    ],
)
def test_bad_claims_files(cli, squares_args, name, fragment):
    result = cli("claims", "check", ROOT / "tests" / "bad_inputs" / name, *squares_args, "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_readme_shows_what_the_command_prints(cli):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- claims-check:start -->", 1)[1].split("<!-- claims-check:end -->", 1)[0]
    result = cli("-q", "claims", "check", SAMPLE / "claims.csv", "--format", "markdown")
    table = result.stdout.split("\n", 2)[2].strip()  # without the title line
    assert result.exit_code == 0 and table in block


def test_ukraine_claim_on_an_overlaid_deepstate_log(cli, cli_json, shared_data, tmp_path):
    """'Russia holds about 18% of Ukraine' on 2024-07-08, against a log overlaid from that DeepState snapshot;
    the figure is checked against the zone's share of the oblasts' area computed here with shapely and pyproj."""
    import geopandas as gpd
    import shapely
    from pyproj import Geod

    ukraine = shared_data / "ukraine"
    zone_file = ukraine / "zones-deepstate" / "deepstatemap_data_20240708.geojson"
    oblasts = ukraine / "adm1-oblasts.geojson"
    log = tmp_path / "log.csv"
    made = cli("-q", "overlay", zone_file, "--actor", "russia", "--rest", "ukraine", "-d", oblasts, "-o", log)
    assert made.exit_code == 0, made.output
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "date,actor,measure,value,who\n2024-07-08,russia,area_pct,18,illustrative\n"
        "2024-07-08,not russia,area_pct,>80,illustrative\n"
    )
    rows = cli_json("claims", "check", claims, "-d", oblasts, "-c", log, "--tolerance", "2")
    geod = Geod(ellps="WGS84")
    land = shapely.union_all(shapely.make_valid(gpd.read_file(oblasts).geometry.values))
    zone = shapely.union_all(shapely.make_valid(gpd.read_file(zone_file).geometry.values))
    area = lambda g: abs(geod.geometry_area_perimeter(g)[0])  # noqa: E731
    share = area(shapely.intersection(zone, land)) / area(land) * 100
    assert rows[0]["figure"] == pytest.approx(share, rel=5e-3)
    assert rows[1]["figure"] == pytest.approx(100 - share, rel=5e-3)
    assert rows[0]["verdict"] == ("consistent" if abs(share - 18) <= 2 else ("higher" if share > 18 else "lower"))


def test_with_a_land_mask_the_of_column_says_land(cli_json, squares, tmp_path):
    # The mask is lat < 0.015: A and B whole, the south half of C and D; on 2020-03-01 the government holds
    # A, half of B, C and D. km² and their percent are of the districts' land; district counts are not.
    from tests.helpers import box_coords, cell_area_km2, write_zones

    mask = write_zones(tmp_path / "land.geojson", [({}, box_coords(-0.01, -0.01, 0.03, 0.015))])
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "date,actor,measure,value\n"
        "2020-03-01,government,area_pct,90\n2020-03-01,government,area_km2,3\n2020-03-01,government,districts_pct,87.5\n"
    )
    rows = cli_json("claims", "check", claims, "-d", squares["districts"], "-c", squares["control"], "--land", mask)
    got = {r["line"]: r for r in rows}
    assert got[2]["of"] == "km² of all 4 districts' land inside land.geojson"
    assert got[3]["of"] == "km² of land inside land.geojson"
    assert got[4]["of"] == "districts of all 4 districts"
    half = cell_area_km2(0, 0.01, 0.01, 0.015)  # the land half of C (and, in the same band, of D)
    land = squares_area("A") + squares_area("B") + 2 * half
    assert got[3]["figure"] == pytest.approx(squares_area("A") + squares_area("B") / 2 + 2 * half, rel=1e-4)
    assert got[2]["figure"] == pytest.approx(100 * got[3]["figure"] / land, rel=1e-4)

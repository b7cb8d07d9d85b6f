"""conflictmap frontline through the CLI: json keys, tabular formats, warnings on stderr."""

import csv
import io
import json

import pytest

from tests.helpers import GAPPED_LOG, MIDDLE_COLUMN, TOP_OF_BOTTOM_ROW, inset_squares


def test_json_keys_and_length(cli_json, squares_args):
    # 2020-02-15: A contested against government on its top edge and against B's tied government/kurdish
    # forces on its right edge; B's top edge faces the government, so the kurdish half (see tests/test_frontline.py).
    rows = cli_json("frontline", *squares_args, "--date", "2020-02-15")  # longest first
    assert rows == [
        {
            "actor_a": "contested",
            "actor_b": "government",
            "length_km": pytest.approx(TOP_OF_BOTTOM_ROW + MIDDLE_COLUMN, rel=1e-9),
        },
        {"actor_a": "government", "actor_b": "kurdish forces", "length_km": pytest.approx(TOP_OF_BOTTOM_ROW, rel=1e-9)},
        {"actor_a": "contested", "actor_b": "kurdish forces", "length_km": pytest.approx(MIDDLE_COLUMN, rel=1e-9)},
    ]


def test_csv_is_unrounded(cli, squares_args):
    result = cli("frontline", *squares_args, "--date", "2020-01-01", "--format", "csv")
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["actor_a"], row["actor_b"]) == ("government", "rebels")
    assert float(row["length_km"]) == pytest.approx(2 * TOP_OF_BOTTOM_ROW, rel=1e-9)
    assert len(row["length_km"]) > 8  # full precision, not the 2 decimals of the table


def test_table_and_markdown_round_for_display(cli, squares_args):
    for fmt in ("table", "markdown"):
        result = cli("frontline", *squares_args, "--date", "2020-01-01", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert f"{2 * TOP_OF_BOTTOM_ROW:.2f}" in result.stdout


def test_no_front_is_an_empty_list(cli_json, squares_args):
    assert cli_json("frontline", *squares_args, "--date", "2020-01-01", "--gap", "0")[0]["actor_a"] == "government"
    # Before the log every district is unknown: one side, no front.
    assert cli_json("frontline", *squares_args, "--date", "2019-01-01") == []


def test_gapped_districts_warn_and_gap_bridges(cli, cli_json, tmp_path):
    districts = tmp_path / "gapped.geojson"
    districts.write_text(json.dumps(inset_squares(2e-5)))
    log = tmp_path / "log.csv"
    log.write_text(GAPPED_LOG)
    args = ["--districts", districts, "--control", log]
    result = cli("frontline", *args, "--gap", "0", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "--gap" in result.stderr and "share no boundary" in result.stderr
    result = cli("frontline", *args, "--format", "json")  # by default the gaps are detected and bridged
    assert result.exit_code == 0 and "bridge gaps up to 10 m" in result.stderr
    assert json.loads(result.stdout)[0]["length_km"] > 2 * TOP_OF_BOTTOM_ROW * 0.99
    rows = cli_json("frontline", *args, "--gap", "10")
    assert [(r["actor_a"], r["actor_b"]) for r in rows] == [("government", "rebels")]
    assert rows[0]["length_km"] > 2 * TOP_OF_BOTTOM_ROW * 0.99


def test_gap_adds_no_stubs_to_shared_boundaries(cli_json, squares_args):
    # The review's repro: on 2020-01-15 the front is the line lat 0.01°, lon 0..0.02° (two top edges of
    # the bottom row); --gap 10 used to add 10 m up every edge running away from it.
    for gap in ("0", "10"):
        rows = cli_json("frontline", *squares_args, "--date", "2020-01-15", "--gap", gap)
        assert [(r["actor_a"], r["actor_b"]) for r in rows] == [("government", "rebels")]
        assert rows[0]["length_km"] == pytest.approx(2 * TOP_OF_BOTTOM_ROW, abs=1e-3)  # ±1 m


def test_bad_date_is_usage_error(cli, squares_args):
    result = cli("frontline", *squares_args, "--date", "2020-13-01")
    assert result.exit_code == 2
    assert "--date" in result.stderr


def test_on_the_bundled_sample(cli):
    # No inputs: the Aleppo sample. Its CSR polygons are separated by streets (about 8 m) and avenues: the
    # gaps are detected and bridged by themselves, and a note says how far; --gap 0 turns the bridging off.
    result = cli("frontline", "--date", "2016-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "typical gap about 8 m" in result.stderr and "bridge gaps up to 60 m wide" in result.stderr
    rows = json.loads(result.stdout)
    assert all(r["actor_a"] < r["actor_b"] and r["length_km"] > 0 for r in rows)
    assert {"government", "rebels"} <= {a for r in rows for a in (r["actor_a"], r["actor_b"])}
    result = cli("frontline", "--date", "2016-12-01", "--gap", "0", "--format", "json")
    # Without bridging only the few metres where polygons really touch are left: a 6 m stretch between a
    # government district and one split 0.5/0.5 with the Kurdish forces (a tie counts for both holders).
    assert result.exit_code == 0 and sum(r["length_km"] for r in json.loads(result.stdout)) < 0.01
    assert "share no boundary" in result.stderr and "up to 60 m here" in result.stderr


def test_a_log_of_zone_shares_points_to_the_zones_front(cli, squares, squares_args, tmp_path):
    # An overlay's log (its note column says so): the front between districts follows district boundaries,
    # not the zones' edges; a note points to the commands that measure those. A hand log gets no such note.
    log = tmp_path / "overlay.csv"
    log.write_text(
        "date,district,controller,share,note\n"
        '2024-07-08,A,russia,0.6123,"zones overlay, rule fraction"\n'
        '2024-07-08,A,ukraine,0.3877,"zones overlay, rule fraction; area no zone covers"\n'
        '2024-07-08,B,ukraine,1,"zones overlay, rule fraction; area no zone covers"\n'
        '2024-08-01,B,russia,1,"zones overlay, rule fraction"\n'
    )
    args = ["-d", squares["districts"], "-c", log, "-f", "csv"]
    front = cli("frontline", *args)
    assert front.exit_code == 0, front.output
    assert "note: this log holds shares measured from zones by overlay" in front.stderr
    assert "conflictmap frontline ZONES --clip" in front.stderr
    moved = cli("front-movement", *args)
    assert moved.exit_code == 0, moved.output
    assert "conflictmap zones movement ZONES --clip" in moved.stderr
    for command in ("frontline", "front-movement"):
        assert "measured from zones" not in cli(command, *squares_args).stderr


def test_a_geographic_format_points_to_export(cli, squares_args, tmp_path):
    # frontline writes tables; the lines themselves are in export --layer frontline: the error says so.
    result = cli("frontline", *squares_args, "-f", "geojson")
    assert result.exit_code == 2 and result.stdout == ""
    assert "use conflictmap export --layer frontline -f geojson" in result.stderr.splitlines()[0]
    out = tmp_path / "front.gpkg"
    result = cli("frontline", *squares_args, "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert f"use conflictmap export --layer frontline -o {out}" in result.stderr
    assert "use conflictmap" not in cli("frontline", *squares_args, "-f", "xml").stderr  # not a geographic format

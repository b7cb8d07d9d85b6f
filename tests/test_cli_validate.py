"""conflictmap validate through the CLI: exit codes, every --format, stderr summary."""

import csv
import io
import json

import pytest

from tests.helpers import SQUARES_LOG

# Two errors (line 3: bad date, line 5: unknown district) and, with --until 2020-01-31, a warning per later row.
TWO_ERRORS = SQUARES_LOG.replace("2020-01-01,B,rebels", "2020-1-1,B,rebels").replace(
    "2020-01-01,D,", "2020-01-01,Delat,"
)


@pytest.fixture
def bad_log(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(TWO_ERRORS)
    return str(path)


def test_clean_inputs_exit_0_with_nothing_on_stderr(cli, squares_args):
    result = cli("validate", *squares_args, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [] and result.stderr == ""


def test_errors_exit_1_and_are_all_listed(cli, squares, bad_log):
    result = cli("validate", "--districts", squares["districts"], "--control", bad_log, "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(r["level"], r["file"], r["location"]) for r in rows] == [
        ("error", bad_log, "line 3"),
        ("error", bad_log, "line 5"),
    ]
    assert "'2020-1-1'" in rows[0]["message"] and "'Delat'" in rows[1]["message"]
    assert result.stderr.strip().splitlines() == [
        f"conflictmap: error: 2 errors, 0 warnings in {squares['districts']}, {bad_log}"
    ]


def test_warnings_only_exit_0(cli, squares_args):
    result = cli("validate", *squares_args, "--until", "2020-02-15", "--format", "json")
    assert result.exit_code == 0
    # SQUARES_LOG has one row after 2020-02-15: line 9, dated 2020-03-01.
    assert [(r["level"], r["location"]) for r in json.loads(result.stdout)] == [("warning", "line 9")]
    assert "conflictmap: warning: 0 errors, 1 warning" in result.stderr


def test_quiet_keeps_the_listing_and_drops_the_warning_line(cli, squares_args):
    result = cli("-q", "validate", *squares_args, "--until", "2020-02-15", "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 1 and result.stderr == ""


def test_bad_until_is_a_usage_error(cli, squares_args):
    result = cli("validate", *squares_args, "--until", "tomorrow")
    assert result.exit_code == 2 and "--until 'tomorrow'" in result.stderr


@pytest.fixture
def listing(cli, squares, bad_log):
    """validate on the bad log with --until: 2 errors + 4 warnings, in every format."""

    def run(fmt):
        result = cli(
            "validate",
            "--districts",
            squares["districts"],
            "--control",
            bad_log,
            "--until",
            "2020-01-31",
            "--format",
            fmt,
        )
        assert result.exit_code == 1
        return result.stdout

    return run


def test_every_format_lists_the_same_problems(listing):
    expected = json.loads(listing("json"))
    # 2 errors (lines 3 and 5) and rows after 2020-01-31 on lines 6, 7, 8, 9.
    assert [r["location"] for r in expected] == ["line 3", "line 5", "line 6", "line 7", "line 8", "line 9"]
    assert [json.loads(line) for line in listing("ndjson").splitlines()] == expected
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        assert list(csv.DictReader(io.StringIO(listing(fmt)), delimiter=delimiter)) == expected
    markdown = listing("markdown").splitlines()
    assert markdown[2] == "| level | file | location | message |" and len(markdown) == 4 + len(expected)
    table = listing("table")
    assert "Validation: 2 errors, 4 warnings" in table
    assert sum(line.startswith("│ warning") for line in table.splitlines()) == 4


def test_output_is_deterministic(listing):
    assert listing("csv") == listing("csv")


def test_bundled_sample_has_no_error(cli):
    result = cli("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r for r in json.loads(result.stdout) if r["level"] == "error"] == []


def test_real_ukraine_raions_with_a_copied_raion(cli, shared_data, tmp_path):
    data = json.loads((shared_data / "ukraine" / "adm2-raions.geojson").read_text(encoding="utf-8"))
    first = data["features"][0]
    copy = json.loads(json.dumps(first))
    copy["properties"]["shapeID"] = "COPY"
    data["features"].append(copy)
    path = tmp_path / "raions.geojson"
    path.write_text(json.dumps(data))
    result = cli("validate", "--districts", path, "--format", "json")
    assert result.exit_code == 0, result.output
    overlaps = [r for r in json.loads(result.stdout) if "overlap" in r["message"]]
    # The copy covers its original entirely (100%); geoBoundaries ADM2 has no other overlap over 0.1%.
    assert len(overlaps) == 1
    assert f"'{first['properties']['shapeID']}'" in overlaps[0]["message"] and "'COPY'" in overlaps[0]["message"]
    assert "(100% of the smaller)" in overlaps[0]["message"]
    assert overlaps[0]["location"] == f"features 1 and {len(data['features'])}"

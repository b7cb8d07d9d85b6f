"""`conflictmap changes` through the CLI, on the four squares (hand figures in conftest.SQUARES_LOG)."""

import csv
import io

import pytest

from tests.helpers import SQUARES_LOG, squares_area

KEYS = [
    "id",
    "name",
    "date",
    "from",
    "to",
    "from_shares",
    "to_shares",
    "area_km2",
    "moved_km2",
    "changed_hands",
    "population",
    "source",
]


def test_json_rows_by_hand(cli_json, squares_args):
    # Since 01-01 until the last date (03-01): B split on 02-01, A to the government on 03-01.
    rows = cli_json("changes", *squares_args, "--since", "2020-01-01")
    assert all(list(r) == KEYS for r in rows)
    assert [(r["id"], r["date"], r["from"], r["to"]) for r in rows] == [
        ("B", "2020-02-01", "rebels", "government 0.5; kurdish forces 0.5"),
        ("A", "2020-03-01", "rebels", "government"),
    ]
    assert rows[0]["to_shares"] == {"government": 0.5, "kurdish forces": 0.5}
    assert rows[1]["area_km2"] == pytest.approx(squares_area("A"), rel=1e-6)
    assert rows[1]["population"] == 1000
    assert rows[1]["source"] == "s3"


def test_until_limits_the_window(cli_json, squares_args):
    rows = cli_json("changes", *squares_args, "--since", "2020-01-01", "--until", "2020-02-15")
    assert {(r["id"], r["to"]) for r in rows} == {("A", "contested"), ("B", "government 0.5; kurdish forces 0.5")}


def test_all_lists_changes_that_were_reversed(cli_json, squares, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(SQUARES_LOG + "2020-04-01,A,rebels,,s4\n")
    args = ["--districts", squares["districts"], "--control", log, "--since", "2020-01-01"]
    default = cli_json("changes", *args)
    assert "A" not in {r["id"] for r in default}  # rebels on 01-01 and again on 04-01
    every = cli_json("changes", *args, "--all")
    assert [(r["date"], r["to"]) for r in every if r["id"] == "A"] == [
        ("2020-02-01", "contested"),
        ("2020-03-01", "government"),
        ("2020-04-01", "rebels"),
    ]


def test_summary_json_identities_against_share(cli_json, squares_args):
    summary = cli_json("changes", *squares_args, "--since", "2020-01-01", "--until", "2020-03-01", "--summary")
    assert (summary["since"], summary["until"], summary["days"]) == ("2020-01-01", "2020-03-01", 60)
    d0 = {r["actor"]: r for r in cli_json("share", *squares_args, "--date", "2020-01-01")}
    d1 = {r["actor"]: r for r in cli_json("share", *squares_args, "--date", "2020-03-01")}
    for measure in ("districts", "area_km2", "population"):
        rows, columns = {}, {}
        for cell in summary["matrix"]:
            rows[cell["from"]] = rows.get(cell["from"], 0) + cell[measure]
            columns[cell["to"]] = columns.get(cell["to"], 0) + cell[measure]
        for actor in set(rows) | set(d0):
            assert rows.get(actor, 0) == pytest.approx(d0.get(actor, {}).get(measure, 0), abs=1e-9), (actor, measure)
        for actor in set(columns) | set(d1):
            assert columns.get(actor, 0) == pytest.approx(d1.get(actor, {}).get(measure, 0), abs=1e-9), (actor, measure)
    actors = {r["actor"]: r for r in summary["actors"]}
    # By hand: government gains A and half of B (1.5); rebels lose A and B (2).
    assert actors["government"]["gained_districts"] == pytest.approx(1.5)
    assert actors["rebels"]["net_districts"] == pytest.approx(-2)
    assert actors["rebels"]["net_population"] == pytest.approx(-3000)


def test_summary_csv_is_the_per_actor_table(cli, squares_args):
    result = cli("changes", *squares_args, "--since", "2020-01-01", "--summary", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_actor = {r["actor"]: r for r in rows}
    assert float(by_actor["kurdish forces"]["gained_districts"]) == pytest.approx(0.5)
    assert float(by_actor["contested"]["net_districts"]) == 0  # reported, not dropped


def test_matrix_csv_long_form(cli, squares_args):
    result = cli("changes", *squares_args, "--since", "2020-01-01", "--matrix", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["from", "to", "districts", "area_km2", "population"]
    cells = {(r["from"], r["to"]): float(r["districts"]) for r in rows}
    assert cells[("rebels", "government")] == pytest.approx(1.5)
    assert cells[("rebels", "kurdish forces")] == pytest.approx(0.5)
    assert cells[("government", "government")] == pytest.approx(2)


def test_table_summary_has_the_matrix_with_totals(cli, squares_args):
    result = cli("changes", *squares_args, "--since", "2020-01-01", "--summary")
    assert result.exit_code == 0, result.output
    assert "Gains and losses 2020-01-01 → 2020-03-01 (60 days)" in result.stdout
    assert "Transition matrix, districts" in result.stdout
    assert "Transition matrix, km²" in result.stdout


def test_table_leaves_out_long_sources(cli, squares_args):
    result = cli("changes", *squares_args, "--since", "2020-01-01")
    assert result.exit_code == 0, result.output
    assert "Changed hands between 2020-01-01 and 2020-03-01: 2 row(s)" in result.stdout
    assert "source" not in result.stdout


def test_default_since_is_the_first_date(cli_json, squares_args):
    rows = cli_json("changes", *squares_args)
    assert {r["id"] for r in rows} == {"A", "B"}


@pytest.mark.parametrize(
    "args,message",
    [
        (["--since", "15/11/2016"], "--since"),
        (["--since", "2020-03-01", "--until", "2020-01-01"], "after"),
    ],
)
def test_usage_errors_exit_2(cli, squares_args, args, message):
    result = cli("changes", *squares_args, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_runs_on_the_bundled_sample(cli_json):
    # No inputs: the sample. Identity: every change's `to` is the district's status on the last date.
    rows = cli_json("changes")
    status = {r["id"]: r["controller"] for r in cli_json("status")}
    assert rows, "the sample's log has changes"
    for r in rows:
        assert status[r["id"]] == r["to"]


@pytest.mark.parametrize(
    "args, said, unsaid",
    [
        # SQUARES_LOG runs from 2020-01-01 to 2020-03-01; the bound not given is the log's date, not an option.
        (["--since", "2020-03-15"], "--since 2020-03-15 is after the last date of the log (2020-03-01)", "--until"),
        (["--until", "2019-12-01"], "--until 2019-12-01 is before the first date of the log (2020-01-01)", "--since"),
    ],
)
def test_errors_name_only_the_options_given(cli, squares_args, args, said, unsaid):
    result = cli("changes", *squares_args, *args)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert said in line
    assert unsaid not in line.split(";")[0]


def test_no_log_is_a_data_error(cli, squares):
    # Districts without a control log: there is no first date to default --since to.
    result = cli("changes", "--districts", squares["districts"])
    assert result.exit_code == 1, result.output
    assert "the control log is empty" in result.stderr


def test_markdown_matrix_totals_by_hand(cli, squares_args):
    result = cli("changes", *squares_args, "--since", "2020-01-01", "--summary", "--format", "markdown")
    assert result.exit_code == 0, result.output
    block = result.stdout.split("**Transition matrix, districts")[1].split("\n\n")[1]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in block.splitlines()]
    header = rows[0]
    body = {r[0]: dict(zip(header, r)) for r in rows[2:]}
    assert header == ["from \\ to", "contested", "government", "kurdish forces", "rebels", "unknown", "total"]
    # By hand: held on 01-01 government 2, rebels 2; on 03-01 government 3.5, kurdish forces 0.5; 4 districts.
    # The log splits a district, so every cell has its decimals (not "2" in one column and "3.50" in the next).
    assert (body["government"]["total"], body["rebels"]["total"]) == ("2.00", "2.00")
    assert (body["total"]["government"], body["total"]["kurdish forces"], body["total"]["total"]) == (
        "3.50",
        "0.50",
        "4.00",
    )
    assert all(cell.endswith(tuple(f".{d:02d}" for d in range(100))) for row in rows[2:] for cell in row[1:])

"""-o/--output of every tabular command (cli.options.tabular_output), outputs whose suffix must say their
format, '-' (stdin) for every input that reads it, and a stdout that cannot be written."""

import csv
import io
import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from tests.helpers import FIXTURES, SQUARES_LOG, box_coords, write_zones


@pytest.fixture
def zones_file(tmp_path):
    """One dated zone over A and the west of B (tests/test_cli_overlay.py draws the same box)."""
    return write_zones(tmp_path / "zones_2024-01-01.geojson", [({}, box_coords(-0.01, -0.01, 0.016, 0.01))])


@pytest.fixture
def claims_file(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text((FIXTURES / "squares_claims.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def tabular(squares_args, claims_file, zones_file) -> dict:
    """Every tabular command, with inputs."""
    return {
        "share": ["share", *squares_args],
        "status": ["status", *squares_args],
        "changes": ["changes", *squares_args],
        "changes --summary": ["changes", "--summary", *squares_args],
        "timeline": ["timeline", *squares_args],
        "frontline": ["frontline", *squares_args],
        "front-movement": ["front-movement", *squares_args],
        "info": ["info", *squares_args],
        "validate": ["validate", *squares_args],
        "claims check": ["claims", "check", claims_file, *squares_args],
        "zones area": ["zones", "area", zones_file, "--actor", "russia"],
        "zones movement": ["zones", "movement", zones_file, "--actor", "russia", "--rest", "ukraine"],
    }


COMMANDS = [
    "share",
    "status",
    "changes",
    "changes --summary",
    "timeline",
    "frontline",
    "front-movement",
    "info",
    "validate",
    "claims check",
    "zones area",
    "zones movement",
]


# Each command with one format (the four in turn: the suite stays fast), the format taken from the suffix.
@pytest.mark.parametrize(
    "command, fmt", [(c, ["csv", "json", "markdown", "table"][i % 4]) for i, c in enumerate(COMMANDS)]
)
def test_the_file_holds_what_stdout_shows(cli, squares_args, claims_file, zones_file, tmp_path, command, fmt):
    args = tabular(squares_args, claims_file, zones_file)[command]
    out = tmp_path / f"out.{ {'markdown': 'md', 'table': 'txt'}.get(fmt, fmt) }"
    to_stdout = cli("-q", *args, "-f", fmt)
    to_file = cli("-q", *args, "-o", out)  # the format from the suffix (.txt: the table)
    assert to_stdout.exit_code == to_file.exit_code == 0, (to_stdout.output, to_file.output)
    assert to_file.stdout == ""
    assert out.read_text(encoding="utf-8") == to_stdout.stdout
    assert [p.name for p in tmp_path.iterdir() if "conflictmap-partial" in p.name] == []


@pytest.mark.parametrize("suffix, parse", [(".json", json.loads), (".ndjson", None), (".tsv", None)])
def test_the_suffix_picks_the_format(cli, cli_json, squares_args, tmp_path, suffix, parse):
    out = tmp_path / f"shares{suffix}"
    assert cli("share", *squares_args, "-o", out).exit_code == 0
    expected = cli_json("share", *squares_args)
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        assert json.loads(text) == expected
    elif suffix == ".ndjson":
        assert [json.loads(line) for line in text.splitlines()] == expected
    else:
        rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
        assert [r["actor"] for r in rows] == [r["actor"] for r in expected]


@pytest.mark.parametrize(
    "name, fmt, message",
    [
        ("x.csv", "json", "-o {out}: the suffix .csv means csv, not -f json; change the suffix or drop -f"),
        ("x.md", "table", "-o {out}: the suffix .md means markdown, not -f table; change the suffix or drop -f"),
        ("x.html", None, "-o {out}: the suffix .html means html, which this command does not write"),
        ("x.geojson", "csv", "-o {out}: the suffix .geojson means geojson, not -f csv"),
    ],
)
def test_a_suffix_that_says_another_format_is_a_usage_error(cli, squares_args, tmp_path, name, fmt, message):
    out = tmp_path / name
    result = cli("share", *squares_args, "-o", out, *(["-f", fmt] if fmt else []))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"conflictmap: error: {message.format(out=out)}"), lines
    assert list(tmp_path.glob("x.*")) == []


def test_md_and_markdown_agree_with_a_md_file(cli, squares_args, tmp_path):
    for fmt in ("md", "markdown"):
        assert cli("share", *squares_args, "-o", tmp_path / "s.md", "-f", fmt).exit_code == 0


def test_a_failed_run_leaves_yesterdays_file_intact(cli, squares, tmp_path):
    out = tmp_path / "shares.csv"
    out.write_text("yesterday\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(SQUARES_LOG + "2020-04-01,Alpah,rebels,,s4\n")  # a district that does not exist: exit 1
    result = cli("share", "-d", squares["districts"], "-c", bad, "-o", out)
    assert result.exit_code == 1 and "Alpah" in result.stderr
    assert out.read_text() == "yesterday\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_validate_writes_its_problems_and_still_exits_1(cli, squares, tmp_path):
    # An error in the inputs is validate's data: the table is complete, so it is written (and the exit is 1).
    bad = tmp_path / "bad.csv"
    bad.write_text(SQUARES_LOG + "2020-04-01,Alpah,rebels,,s4\n")
    out = tmp_path / "problems.json"
    result = cli("validate", "-d", squares["districts"], "-c", bad, "-o", out)
    assert result.exit_code == 1
    problems = json.loads(out.read_text())
    assert any(p["level"] == "error" and "Alpah" in p["message"] for p in problems)


def test_an_output_that_is_an_input_is_refused(cli, squares, claims_file):
    before = open(squares["control"], "rb").read()
    result = cli("share", "-d", squares["districts"], "-c", squares["control"], "-o", squares["control"])
    assert result.exit_code == 2 and "also an input" in result.stderr
    assert open(squares["control"], "rb").read() == before
    # An input the Inputs do not know: the claims file of claims check.
    text = claims_file.read_text()
    result = cli(
        "claims", "check", claims_file, "-d", squares["districts"], "-c", squares["control"], "-o", claims_file
    )
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"conflictmap: error: output {claims_file} is also the CLAIMS file; choose another output path"
    )
    assert claims_file.read_text() == text


def test_validate_output_and_write_aliases_must_differ(cli, squares, tmp_path):
    out = tmp_path / "x.csv"
    result = cli("validate", "-d", squares["districts"], "-c", squares["control"], "-o", out, "--write-aliases", out)
    assert result.exit_code == 2 and "is also the --write-aliases file" in result.stderr
    assert not out.exists()


def test_timeline_plot_with_an_output_writes_both(cli, squares_args, tmp_path):
    chart, table = tmp_path / "t.png", tmp_path / "t.csv"
    result = cli("timeline", *squares_args, "--plot", chart, "-o", table)
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert table.read_text() == cli("timeline", *squares_args, "-f", "csv").stdout
    # Without -o, --plot still draws the chart instead of printing the table.
    assert cli("timeline", *squares_args, "--plot", chart).stdout == ""


def test_an_output_to_a_named_pipe_is_written_as_a_stream(cli, squares_args, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.update(text=fifo.read_text()))
    reader.start()
    result = cli("share", *squares_args, "-o", fifo)
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert got["text"] == cli("share", *squares_args, "-f", "csv").stdout
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe: no file renamed over it


# -- suffixes that must say what the file holds (overlay's log, validate --write-aliases; report: test_cli_report)


@pytest.mark.parametrize(
    "name, fmt, message",
    [
        ("log.md", None, "the suffix .md means markdown, which this command does not write"),
        ("log.md", "markdown", "a control log file is csv, tsv, json or ndjson, which --control reads back"),
        ("log.txt", "markdown", "a control log file is csv, tsv, json or ndjson"),
        ("log.csv", "json", "the suffix .csv means csv, not -f json"),
    ],
)
def test_overlay_writes_only_logs_that_read_back(cli, squares, zones_file, tmp_path, name, fmt, message):
    out = tmp_path / name
    result = cli(
        "overlay", zones_file, "--actor", "russia", "-d", squares["districts"], "-o", out, *(["-f", fmt] if fmt else [])
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_overlay_markdown_still_goes_to_the_screen(cli, squares, zones_file):
    result = cli("overlay", zones_file, "--actor", "russia", "-d", squares["districts"], "-f", "markdown")
    assert result.exit_code == 0 and result.stdout.startswith("**Control log from zones")


def test_write_aliases_is_csv_in_a_csv_file(cli, squares, tmp_path):
    out = tmp_path / "aliases.json"
    result = cli("validate", "-d", squares["districts"], "-c", squares["control"], "--write-aliases", out)
    assert result.exit_code == 2
    assert f"--write-aliases {out}: the suffix .json means json, which this command does not write" in result.stderr
    assert not out.exists()


# -- '-' reads stdin for every input that can: one of them per run


def test_actors_from_stdin_equal_actors_from_the_file(cli, squares_args):
    path = FIXTURES.parent / "bad_inputs" / "c_actors.toml"
    actors = path.read_text(encoding="utf-8")
    from_file = cli("share", *squares_args, "--actors", path, "-f", "csv")
    from_stdin = cli("share", *squares_args, "--actors", "-", "-f", "csv", input=actors)
    assert from_file.exit_code == from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout


def test_aliases_from_stdin_name_the_district(cli, squares, tmp_path):
    log = tmp_path / "alfa.csv"
    log.write_text(SQUARES_LOG.replace("2020-02-01,Alpha,", "2020-02-01,Alfa,"))
    args = ["status", "-d", squares["districts"], "-c", log, "--date", "2020-02-15", "-f", "json"]
    assert cli(*args).exit_code == 1  # 'Alfa' is no district without the alias
    for aliases in (
        "alias,district\nAlfa,A\n",  # a CSV table
        json.dumps({"x": {"original_name": "Alpha", "alternative_english": ["Alfa"]}}),  # a name-variants JSON
    ):
        result = cli(*args, "--aliases", "-", input=aliases)
        assert result.exit_code == 0, result.output
        assert {r["id"]: r["controller"] for r in json.loads(result.stdout)}["A"] == "contested"


def test_zones_from_stdin(cli, zones_file, tmp_path):
    dated = json.loads(zones_file.read_text())
    for feature in dated["features"]:
        feature["properties"]["date"] = "2024-01-01"  # stdin has no file name to hold the date
    from_file = cli("zones", "area", zones_file, "--actor", "russia", "-f", "csv")
    from_stdin = cli("zones", "area", "-", "--actor", "russia", "-f", "csv", input=json.dumps(dated))
    assert from_stdin.exit_code == from_file.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout
    undated = cli("zones", "area", "-", "--actor", "russia", input=zones_file.read_text())
    assert undated.exit_code == 1
    assert "<stdin>: no file name to date it (stdin), and no date field" in undated.stderr


@pytest.mark.parametrize(
    "args, names",
    [
        (["share", "-d", "-", "-c", "-"], "--districts and --control"),
        (["share", "-c", "-", "--actors", "-", "-d", "x.geojson"], "--control and --actors"),
        (["share", "--actors", "-", "--aliases", "-"], "--actors and --aliases"),
        (["claims", "check", "-", "-c", "-", "-d", "x.geojson"], "--control and CLAIMS"),
        (["zones", "area", "-", "--clip", "-"], "ZONES and --clip"),
        (["overlay", "-", "-d", "-"], "ZONES and --districts"),
    ],
)
def test_a_second_stdin_is_a_usage_error(cli, args, names):
    result = cli(*args, input="")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"conflictmap: error: {names} cannot both read stdin ('-'); give one of them as a file"
    ]


@pytest.mark.parametrize("option", ["--project", "--population-raster"])
def test_options_that_do_not_read_stdin_say_so(cli, squares_args, option):
    result = cli("share", *squares_args, option, "-", input="")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"conflictmap: error: {option} does not read stdin ('-'); give the file"


# -- a stdout that cannot be written


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", [["-q", "status"], ["-q", "export"], ["-q", "share", "-f", "json"]])
def test_a_full_stdout_is_one_line_naming_stdout(tmp_path, args):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "conflictmap", *args], stdout=full, stderr=subprocess.PIPE, cwd=tmp_path, timeout=120
        )
    assert done.returncode == 1
    assert done.stderr.decode().strip().splitlines() == [
        "conflictmap: error: stdout: cannot write the output: no space left on device; free some space where "
        "stdout goes, or write to a file with -o FILE"
    ]


def test_sqlite_style_flags_are_on_every_tabular_command(cli):
    # One decorator gives them all -f and -o (with '-' as the default, stdout).
    for words in [c.split() for c in COMMANDS if c != "changes --summary"]:
        text = cli(*words, "--help").stdout
        assert "--output" in text and "-o" in text and "--format" in text, words


def test_dash_is_stdout_and_writes_no_file(cli, squares_args, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("share", *squares_args, "-o", "-", "-f", "csv")
    assert result.exit_code == 0 and result.stdout == cli("share", *squares_args, "-f", "csv").stdout
    assert list(work.iterdir()) == []


def test_an_output_that_is_a_link_updates_the_file_it_points_to(cli, squares_args, tmp_path):
    # A cron job's latest.csv -> runs/real.csv: the atomic rename put a plain file where the link was, and the
    # file it pointed to kept yesterday's figures.
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / "real.csv"
    real.write_text("yesterday\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    done = cli("share", *squares_args, "-o", link)
    assert done.exit_code == 0, done.output
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert real.read_text() == cli("share", *squares_args, "-f", "csv").stdout

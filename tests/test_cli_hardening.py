"""Hardening (issue 12) through the CLI: no wrong figure from an ambiguous input, names that stay text,
closed pipes and a closed stdout. The one-file defects are in tests/bad_inputs/; these need generated inputs."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import re
import subprocess
import sys

import click.testing
import pytest

from tests.helpers import ROOT, SQUARES, squares_area, squares_geojson
from tests.helpers import box_coords, write_zones


def one_error_line(result, *fragments):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unexpected" not in lines[0] and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# -- CRS traps that need a generated file


def test_geocentric_4328_is_refused(cli, tmp_path):
    data = squares_geojson()
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4328"}}
    path = tmp_path / "geocentric.geojson"
    path.write_text(json.dumps(data))
    result = cli("share", "-d", path, "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    # GDAL reads the deprecated EPSG:4328 as its successor EPSG:4978, WGS 84 geocentric.
    one_error_line(result, "geocentric.geojson", "EPSG:4978", "geocentric")


def test_utm_zone_used_a_little_beyond_its_band_still_works(cli_json, tmp_path):
    # A country a little wider than its UTM band is common (the margin is 10°): the squares at lon 0..0.02
    # stored in UTM 32N (band 6°E..12°E) are still measured, geodesically, as the same squares.
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, 32632, always_xy=True)
    data = squares_geojson()
    for feature in data["features"]:
        ring = feature["geometry"]["coordinates"][0]
        feature["geometry"]["coordinates"][0] = [list(to_utm.transform(x, y)) for x, y in ring]
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}}
    path = tmp_path / "utm32.geojson"
    path.write_text(json.dumps(data))
    rows = {r["id"]: r for r in cli_json("status", "--districts", path)}
    for key in SQUARES:  # UTM edges are straight in metres, not along parallels: agree to 1e-4
        assert rows[key]["area_km2"] == pytest.approx(squares_area(key), rel=1e-4)


# -- ambiguous inputs


def test_districts_layer_picks_one_layer_of_a_geopackage(cli, cli_json, squares):
    path = ROOT / "tests" / "bad_inputs" / "d_two_polygon_layers.gpkg"
    rows = cli_json("status", "-d", path, "--districts-layer", "districts_2020", "-c", squares["control"])
    assert {r["id"]: r["controller"] for r in rows} == {
        "A": "government",
        "B": "government 0.5; kurdish forces 0.5",
        "C": "government",
        "D": "government",
    }
    wrong = cli("status", "-d", path, "--districts-layer", "districts_2021")
    assert wrong.exit_code == 2 and wrong.stdout == ""
    one_error_line(wrong, "d_two_polygon_layers.gpkg", "no layer 'districts_2021'", "districts_2016, districts_2020")


def test_dissolve_gives_the_same_bytes_whatever_the_feature_order(cli, tmp_path):
    # Id 120 shared by two names (as in the CSR polygons): the merged name is both, in sorted order.
    data = squares_geojson()
    data["features"][1]["properties"].update(id="A", name="ash-Sheikh Taha")
    data["features"][0]["properties"]["name"] = "The Public Park"
    outputs = []
    for seed in (1, 2, 3):
        shuffled = dict(data, features=random.Random(seed).sample(data["features"], 4))
        path = tmp_path / f"shuffled{seed}.geojson"
        path.write_text(json.dumps(shuffled))
        result = cli("export", "-d", path, "--dissolve", "-o", tmp_path / f"out{seed}.geojson")
        assert result.exit_code == 0, result.output
        assert "named 'The Public Park / ash-Sheikh Taha'" in result.stderr
        outputs.append((tmp_path / f"out{seed}.geojson").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    merged = [f["properties"] for f in json.loads(outputs[0])["features"] if f["properties"]["id"] == "A"][0]
    assert merged["name"] == "The Public Park / ash-Sheikh Taha"
    assert merged["area_km2"] == pytest.approx(squares_area("A") + squares_area("B"), rel=1e-6)


# -- names that break formats


RAW_MARKUP = re.compile(r"<(script|img|b)\b|(?<!\\)\]\(")  # an HTML tag from the data, or an unescaped link


@pytest.fixture
def odd_names(tmp_path):
    """The squares with names that are hostile to CSV, Markdown and HTML, and a log with such sources."""
    data = squares_geojson()
    names = {
        "A": "Al\rpha",
        "B": "Be\nta <script>alert(1)</script>",
        "C": "[Gamma](http://evil) <img src=x onerror=alert(1)>",
        "D": "$5 and $6 \\ back",
    }
    for feature in data["features"]:
        feature["properties"]["name"] = names[feature["properties"]["id"]]
    districts = tmp_path / "odd.geojson"
    districts.write_text(json.dumps(data))
    log = tmp_path / "odd.csv"
    log.write_text(
        "date,district,controller,source\n2020-01-01,A,rebels,<script>s</script>\n2020-01-01,B,rebels,s\n"
        "2020-01-01,C,government,[x](http://e)\n2020-01-01,D,$5 and $6,s\n"
        "2020-02-01,A,government,<b>bold</b>\n2020-02-01,B,government,s\n2020-02-01,C,the $\\foo$ front,s\n"
    )
    return {"districts": str(districts), "control": str(log), "names": names}


def test_csv_keeps_a_bare_carriage_return_inside_its_field(cli, odd_names):
    result = cli("status", "-d", odd_names["districts"], "-c", odd_names["control"], "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 4  # no extra row from the \r
    assert {r["id"]: r["name"] for r in rows} == odd_names["names"]


def test_markdown_table_is_one_line_per_district_with_no_raw_html(cli, odd_names):
    result = cli("status", "-d", odd_names["districts"], "-c", odd_names["control"], "--format", "markdown")
    assert result.exit_code == 0, result.output
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 4  # header, rule, one line per district
    text = result.stdout
    assert not RAW_MARKUP.search(text), RAW_MARKUP.search(text)
    assert "&lt;script&gt;" in text and "\\[Gamma\\](http://evil)" in text and "Be<br>ta" in text


def test_markdown_report_escapes_names_and_sources(cli, odd_names, tmp_path):
    out = tmp_path / "report.md"
    result = cli("report", "-d", odd_names["districts"], "-c", odd_names["control"], "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    # The changed districts are listed by name, a line break shown as <br> as in status -f markdown (markdown_text).
    assert "Be<br>ta &lt;script&gt;" in text
    assert not RAW_MARKUP.search(text), RAW_MARKUP.search(text)
    assert "&lt;b&gt;bold&lt;/b&gt;" in text


def test_map_draws_dollar_names_as_text(cli, odd_names, tmp_path):
    # Actors '$5 and $6' (mathtext italics) and 'the $\\foo$ front' (a mathtext parse error): names are text.
    out = tmp_path / "map.png"
    result = cli("map", "-d", odd_names["districts"], "-c", odd_names["control"], "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning") == 0 and out.stat().st_size > 0


# -- closed pipes: one behaviour (exit 0, nothing on stderr about it) for every command that writes to stdout


@pytest.fixture
def streaming_commands(squares, tmp_path):
    zones = tmp_path / "zones"
    zones.mkdir()
    write_zones(zones / "deepstatemap_data_20240101.geojson", [({}, box_coords(-0.01, -0.01, 0.016, 0.01))])
    changes = tmp_path / "changes.csv"
    changes.write_text("date,district,from,to,source\n2020-02-01,B,rebels,government,s2\n")
    baseline = tmp_path / "baseline.csv"
    baseline.write_text("district,controller\n*,government\n")
    data = ["-d", squares["districts"], "-c", squares["control"]]
    return {
        "info": ["info", *data],
        "status": ["status", *data],
        "share": ["share", *data],
        "changes": ["changes", *data, "--since", "2020-01-01"],
        "timeline": ["timeline", *data],
        "frontline": ["frontline", *data],
        "export": ["export", *data],
        "validate": ["validate", *data],
        "report": ["report", *data, "-o", "-", "--format", "md"],
        "overlay": ["overlay", zones, "--actor", "russia", "-d", squares["districts"]],
        "zones area": ["zones", "area", zones, "--actor", "russia"],
        "log from-changes": [
            "log",
            "from-changes",
            changes,
            "-d",
            squares["districts"],
            "--baseline",
            baseline,
            "--baseline-date",
            "2020-01-01",
        ],
    }


class ClosedPipe(Exception):
    pass


@pytest.fixture
def closed_stdout(monkeypatch):
    """Make every write to the runner's stdout fail as a pipe whose reader has gone does."""
    original = click.testing._NamedTextIOWrapper.write

    def write(self, text):
        if self.name == "<stdout>" and text:
            raise BrokenPipeError(32, "Broken pipe")
        return original(self, text)

    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "write", write)


# export streams bytes to stdout's buffer, past this wrapper: test_a_real_closed_pipe_exits_0 covers it.
@pytest.mark.parametrize(
    "command",
    [
        "info",
        "status",
        "share",
        "changes",
        "timeline",
        "frontline",
        "validate",
        "report",
        "overlay",
        "zones area",
        "log from-changes",
    ],
)
def test_a_closed_pipe_ends_every_command_with_0(cli, streaming_commands, closed_stdout, command):
    result = cli(*streaming_commands[command])
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    assert "unexpected" not in result.stderr and "Broken pipe" not in result.stderr


@pytest.mark.parametrize("args", [["status", "--format", "csv"], ["export"], ["zones", "--help"]])
def test_a_real_closed_pipe_exits_0(args, tmp_path):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write, as with `| true`
    try:
        done = subprocess.run(
            [sys.executable, "-m", "conflictmap", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr and b"unexpected" not in done.stderr


def test_a_closed_stdout_is_a_usage_error_and_a_file_output_still_works(tmp_path):
    run = lambda *args: subprocess.run(
        [sys.executable, "-m", "conflictmap", *args],
        stdout=subprocess.DEVNULL,  # noqa: E731
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        timeout=120,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    to_stdout = run("share", "--format", "csv")
    assert to_stdout.returncode == 2
    assert (
        to_stdout.stderr.decode().strip().splitlines()[-1]
        == "conflictmap: error: stdout is closed (>&-); redirect it to a file or give -o FILE"
    )
    to_file = run("report", "-o", "r.md")
    assert to_file.returncode == 0, to_file.stderr.decode()
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")


# -- security: the mode of a replaced output, and no file content in error lines


def test_a_replaced_output_keeps_its_mode_and_a_new_one_gets_the_umask(cli, squares, tmp_path):
    out = tmp_path / "report.md"
    args = ["report", "-d", squares["districts"], "-c", squares["control"], "-o", out]
    assert cli(*args).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    out.chmod(0o600)  # kept private by its owner
    assert cli(*args).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o600


def test_an_error_line_never_copies_a_line_of_a_file_that_is_not_a_table(cli, squares, tmp_path):
    secrets = tmp_path / ".env"
    secrets.write_text("api_token=sk-live-0123456789abcdef\nDB_PASSWORD=hunter2\n")
    result = cli("status", "-d", squares["districts"], "-c", secrets)
    assert result.exit_code == 1 and result.stdout == ""
    line = one_error_line(result, ".env", "no 'date'", "not shown", "is this file a table?")
    for secret in ("api_token", "sk-live", "hunter2", "DB_PASSWORD"):
        assert secret not in line


def test_an_error_line_shows_the_column_names_of_a_real_table(cli, squares, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("day,place,holder=x\n2020-01-01,A,rebels\n")
    result = cli("status", "-d", squares["districts"], "-c", log)
    assert result.exit_code == 1
    one_error_line(result, "columns: day, place (1 not shown")


# -- litter: temporary files a killed run left behind


def test_stale_temporaries_of_the_output_are_removed_on_the_next_write(cli, squares, tmp_path):
    out = tmp_path / "out.geojson"
    stale = tmp_path / ".out.geojson.conflictmap-partial-k1ll3d.geojson"
    journal = tmp_path / ".out.geojson.conflictmap-partial-k1ll3d.geojson-journal"
    running = tmp_path / ".out.geojson.conflictmap-partial-n0w.geojson"  # a writer of this run (started after us)
    other = tmp_path / ".other.geojson.conflictmap-partial-k1ll3d.geojson"  # another output's: not ours to remove
    for path in (stale, journal, running, other):
        path.write_text("partial")
    old = 1_000_000_000  # 2001: long before this run
    for path in (stale, journal, other):
        os.utime(path, (old, old))
    result = cli("export", "-d", squares["districts"], "-c", squares["control"], "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted([running.name, other.name])


# -- crashes that were "unexpected ...": each is one ordinary line now


def test_a_device_is_refused_as_an_input(cli, squares):
    for args in (["-d", squares["districts"], "-c", "/dev/zero"], ["-d", "/dev/zero"]):
        result = cli("status", *args)
        assert result.exit_code == 1 and result.stdout == ""
        one_error_line(result, "/dev/zero: is a device, not a file")


@pytest.fixture
def fifo(tmp_path):
    """A named pipe fed by a thread, as `-d <(cat file)` gives: GDAL cannot seek it."""
    import threading

    def make(data: bytes, name="pipe"):
        path = tmp_path / name
        os.mkfifo(path)

        def feed():
            with open(path, "wb") as stream:
                with contextlib.suppress(BrokenPipeError):
                    stream.write(data)

        threading.Thread(target=feed, daemon=True).start()
        return path

    return make


def test_districts_from_a_pipe_are_read_like_stdin(cli_json, squares, fifo):
    path = fifo(open(squares["districts"], "rb").read())
    rows = cli_json("share", "-d", path, "-c", squares["control"])
    assert rows == cli_json("share", "-d", squares["districts"], "-c", squares["control"])


def test_a_pipe_is_read_up_to_a_cap(cli, squares, fifo, monkeypatch):
    from conflictmap import io as cio

    monkeypatch.setattr(cio, "MAX_STREAM_BYTES", 64)  # 2 GiB in real use; small here to stay fast
    path = fifo(open(squares["control"], "rb").read())
    result = cli("status", "-d", squares["districts"], "-c", path)
    assert result.exit_code == 1 and result.stdout == ""
    one_error_line(result, f"{path}: more than 64 bytes from a stream", "save it to a file first")


def test_stdin_closed_is_a_usage_error(monkeypatch):
    from conflictmap import io as cio
    from conflictmap.errors import UsageError

    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(UsageError, match="stdin is closed"):
        cio.read_source_bytes("-")


@pytest.mark.parametrize("option", ["--actors", "--project"])
def test_a_folder_as_a_toml_file(cli, squares, tmp_path, option):
    result = cli("status", "-d", squares["districts"], option, tmp_path)
    assert result.exit_code == 1 and result.stdout == ""
    one_error_line(result, f"{tmp_path}: is a folder, not a TOML file")


def test_a_file_name_that_is_not_utf8(cli, squares, tmp_path):
    name = os.fsdecode(b"bad\xffname.geojson")  # what Python makes of a Latin-1 name on a UTF-8 system
    path = tmp_path / name
    path.write_bytes(open(squares["districts"], "rb").read())
    assert cli("status", "-d", path, "-c", squares["control"], "--format", "csv").exit_code == 0
    shown = cli("status", "-d", path, "-c", tmp_path / os.fsdecode(b"log\xfe.csv"))
    assert shown.exit_code == 1
    one_error_line(shown, "log\\xfe.csv: file not found")
    out = tmp_path / "map.png"
    mapped = cli("map", "-d", path, "-c", squares["control"], "-o", out)
    assert mapped.exit_code == 0, mapped.output
    exported = cli("export", "-d", path, "-c", squares["control"], "-o", tmp_path / os.fsdecode(b"out\xfe.gpkg"))
    assert exported.exit_code == 0, exported.output
    assert os.fsdecode(b"out\xfe.gpkg") in os.listdir(tmp_path)


def test_a_170_character_actor_name_keeps_the_legend_on_the_page(cli, squares, tmp_path):
    long_name = "the joint operations room of the northern front and its allied local defence units " * 2
    long_name = long_name.strip()[:170]
    log = tmp_path / "long.csv"
    log.write_text(f"date,district,controller\n2020-01-01,A,{long_name}\n2020-01-01,B,rebels\n")
    short = cli("map", "-d", squares["districts"], "-c", squares["control"], "-o", tmp_path / "short.png")
    result = cli("map", "-d", squares["districts"], "-c", log, "-o", tmp_path / "long.png")
    assert short.exit_code == 0 and result.exit_code == 0, result.output
    assert "Warning" not in result.stderr and ".py:" not in result.stderr  # no raw library warning
    from matplotlib.image import imread

    # The page keeps its size (the legend is wrapped, not pushed past the edge).
    assert imread(tmp_path / "long.png").shape == imread(tmp_path / "short.png").shape


def test_legend_name_wraps_and_cuts():
    from conflictmap.plots import LEGEND_LINES, LEGEND_WIDTH, legend_name

    shown = legend_name("word " * 60)
    lines = shown.split("\n")
    assert len(lines) == LEGEND_LINES and all(len(line) <= LEGEND_WIDTH for line in lines) and shown.endswith("…")
    assert legend_name("rebels") == "rebels"


@pytest.mark.parametrize("command", [["export"], ["report"], ["map"], ["timeline", "--plot"]])
def test_an_unwritable_output_folder_is_a_usage_error_before_any_work(cli, squares, tmp_path, monkeypatch, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # The suite may run as root, for whom every folder is writable: os.access stands for the kernel's answer.
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(locked) else real_access(path, mode))
    target = locked / {"export": "x.geojson", "report": "x.html", "map": "x.png", "timeline": "x.png"}[command[0]]
    option = ["-o", target] if command[0] != "timeline" else [target]
    result = cli(*command, *option, "-d", squares["districts"], "-c", squares["control"])
    assert result.exit_code == 2, result.output
    one_error_line(result, f"{locked} is not writable")
    assert list(locked.iterdir()) == []


def test_a_zone_across_the_antimeridian_is_refused(cli, tmp_path):
    zones = tmp_path / "zones"
    zones.mkdir()
    crossing = [[[179.99, 0.0], [-179.99, 0.0], [-179.99, 0.01], [179.99, 0.01], [179.99, 0.0]]]
    write_zones(zones / "deepstatemap_data_20240101.geojson", [({}, box_coords(0, 0, 0.01, 0.01)), ({}, crossing)])
    result = cli("zones", "area", zones, "--actor", "russia", "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    one_error_line(result, "deepstatemap_data_20240101.geojson feature 2", "antimeridian")


def test_stdin_closed_through_the_command_line(squares, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "conflictmap", "status", "-d", squares["districts"], "-c", "-"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        timeout=120,
        preexec_fn=lambda: os.close(0),
    )  # as `<&-` leaves it
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().strip().splitlines() == [
        "conflictmap: error: '-' reads stdin, but stdin is closed; give a file, or pipe the data in"
    ]

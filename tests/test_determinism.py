"""The same inputs give the same bytes: every command, every format, run twice; and
the order of log rows and district features does not change a byte of the figures.

A cron job diffs today's output with yesterday's: any difference must come from the data.
"""

import json

import pytest
import typer.main

from conflictmap.cli.app import app
from tests.helpers import ROOT, shuffled
from tests.helpers import FIXTURES

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "markdown")
INPUTS = "{inputs}"  # stands for --districts/--control of the four squares
ZONES = "{zones}"  # two dated zone files (see the zones fixture)
DISTRICTS = "{districts}"

# Per command, the option sets to run (each in every format). A new command must be added here.
TABULAR = {
    "info": [[INPUTS]],
    "status": [[INPUTS], [INPUTS, "--date", "2020-02-15"], [INPUTS, "--confidence", "confirmed"]],
    "share": [
        [INPUTS],
        [INPUTS, "--date", "2020-02-15", "--by", "area"],
        [INPUTS, "--baseline", "2020-01-01", "--baseline-actor", "rebels"],
        [INPUTS, "--range"],
        [INPUTS, "--confidence", "confirmed"],
    ],
    "changes": [[INPUTS], [INPUTS, "--all"], [INPUTS, "--summary"], [INPUTS, "--matrix"]],
    "timeline": [
        [INPUTS],
        [INPUTS, "--every", "7d"],
        [INPUTS, "--baseline", "2020-01-01", "--baseline-actor", "rebels", "--by", "area"],
        [INPUTS, "--range"],
    ],
    "frontline": [[INPUTS], [INPUTS, "--date", "2020-02-15"]],
    "validate": [[INPUTS], [INPUTS, "--until", "2020-01-15"]],
    "zones area": [[ZONES, "--actor", "rebels"]],
    "zones movement": [[ZONES, "--actor", "rebels", "--rest", "government"]],
    "claims check": [
        [str(FIXTURES / "squares_claims.csv"), INPUTS],
        [str(FIXTURES / "squares_claims.csv"), INPUTS, "--tolerance", "1"],
    ],
    "front-movement": [[INPUTS], [INPUTS, "--every", "14d"], [INPUTS, "--since", "2020-02-01", "--gap", "5"]],
    "overlay": [[ZONES, "--actor", "rebels", "--rest", "government", "--districts", DISTRICTS]],
}
# Commands that write files (or GeoJSON to stdout): option sets naming their output.
FILES = {
    "export": [
        ["-o", "out.geojson"],
        ["-o", "-", "--format", "geojsonseq"],
        ["-o", "out.fgb"],
        ["-o", "out.gpkg"],
        ["--layer", "frontline", "-o", "front.geojson"],
        ["--layer", "changes", "--since", "2020-01-01", "-o", "changes.geojson"],
        ["--layer", "gains", "--since", "2020-01-01", "-o", "gains.geojson"],
        ["--layer", "gains", "--since", "2020-01-01", "-o", "gains.gpkg"],
    ],
    "map": [["-o", "map.png"], ["-o", "map.svg"], ["--range", "-o", "map.png"], ["-o", "map.html"]],
    "animate": [["-o", "a.gif", "--every", "14d"]],
    "timeline --plot": [["--plot", "chart.png"], ["--plot", "chart.svg"]],
    "report": [
        ["-o", "report.md"],
        ["-o", "report.json"],
        ["-o", "report.html"],
        ["--baseline", "2020-01-01", "--baseline-actor", "rebels", "--since", "2020-01-01", "-o", "report.html"],
        ["-o", "-", "--format", "md"],
        ["--range", "-o", "report.html"],
        ["--range", "-o", "report.json"],
    ],
}


# Commands whose byte-identity is tested in their own module.
ELSEWHERE = {"log": "tests/test_cli_log.py::test_from_changes_is_byte_identical"}


def registered():
    return set(typer.main.get_command(app).commands)


def test_every_command_is_covered():
    covered = {name.split()[0] for name in (*TABULAR, *FILES, *ELSEWHERE)}
    assert registered() <= covered, f"add {registered() - covered} to test_determinism"


@pytest.fixture
def zones(tmp_path):
    """Two dated zones of 'rebels' over the squares: A and half of B, then the west half of A and C."""
    folder = tmp_path / "zones"
    folder.mkdir()
    rings = {
        "2020-01-01": [[0, 0], [0.015, 0], [0.015, 0.01], [0, 0.01], [0, 0]],
        "2020-02-01": [[0, 0], [0.005, 0], [0.005, 0.02], [0, 0.02], [0, 0]],
    }
    for day, ring in rings.items():
        feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        (folder / f"{day}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return str(folder)


@pytest.fixture
def expand(squares, squares_args, zones):
    def run(options):
        out = []
        for option in options:
            out += {INPUTS: squares_args, ZONES: [zones], DISTRICTS: [squares["districts"]]}.get(option, [option])
        return out

    return run


TABULAR_RUNS = [
    pytest.param(command, options, fmt, id=f"{command}{''.join(options)}-{fmt}")
    for command, option_sets in TABULAR.items()
    for options in option_sets
    for fmt in FORMATS
]


@pytest.mark.parametrize("command, options, fmt", TABULAR_RUNS)
def test_tabular_output_is_byte_identical(cli, expand, command, options, fmt):
    assert command.split()[0] in registered(), f"{command} is not a command"
    args = [*command.split(), *expand(options), "--format", fmt]
    first, second = cli(*args), cli(*args)
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes


FILE_RUNS = [
    pytest.param(command, *options.values, marks=options.marks, id=f"{command}{''.join(options.values[0])}")
    if hasattr(options, "marks")
    else pytest.param(command, options, id=f"{command}{''.join(options)}")
    for command, option_sets in FILES.items()
    for options in option_sets
]


@pytest.mark.parametrize("command, options", FILE_RUNS)
def test_files_are_byte_identical(cli, squares_args, tmp_path, monkeypatch, command, options):
    name = command.split()[0]
    assert name in registered(), f"{name} is not a command"
    outputs = []
    for run in ("a", "b"):
        folder = tmp_path / run
        folder.mkdir()
        monkeypatch.chdir(folder)
        result = cli(name, *squares_args, *options)
        assert result.exit_code == 0, result.output
        written = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        outputs.append((result.stdout_bytes, written))
    assert outputs[0] == outputs[1]


# -- order of the inputs

ORDER_FREE = [
    ["status"],
    ["status", "--date", "2020-02-15"],
    ["share"],
    ["share", "--date", "2020-02-15", "--by", "population"],
    ["share", "--date", "2020-03-01", "--baseline", "2020-01-01", "--baseline-actor", "rebels"],
    ["changes", "--all"],
    ["changes", "--summary"],
    ["timeline"],
    ["frontline", "--date", "2020-02-15"],
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("options", ORDER_FREE, ids=" ".join)
def test_shuffled_inputs_give_identical_figures(cli, squares, tmp_path, seed, options):
    original = ["--districts", squares["districts"], "--control", squares["control"]]
    for fmt in ("csv", "json"):
        expected = cli(*options, *original, "--format", fmt)
        got = cli(*options, *shuffled(tmp_path, squares["districts"], squares["control"], seed), "--format", fmt)
        assert expected.exit_code == 0 and got.exit_code == 0, got.output
        assert got.stdout_bytes == expected.stdout_bytes


SAMPLE = ROOT / "data" / "aleppo-2016"


@pytest.mark.parametrize(
    "command",
    [
        ["status", "--date", "2016-12-01"],
        ["share", "--date", "2016-12-01"],
        ["share", "--baseline", "2016-11-15", "--baseline-actor", "rebels", "--date", "2016-12-13"],
    ],
    ids=" ".join,
)
def test_shuffled_bundled_sample_gives_identical_figures(cli, tmp_path, command):
    original = ["--districts", str(SAMPLE / "districts.geojson"), "--control", str(SAMPLE / "control.csv")]
    expected = cli(*command, *original, "--format", "csv")
    assert expected.exit_code == 0, expected.output
    got = cli(*command, *shuffled(tmp_path, SAMPLE / "districts.geojson", SAMPLE / "control.csv", 7), "--format", "csv")
    assert got.stdout_bytes == expected.stdout_bytes

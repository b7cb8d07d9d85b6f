"""The option checks every command shares (cli/options.py): baselines, --by, and file outputs checked up front."""

import datetime as dt
import json

import pytest

from conflictmap.cli.options import By, baseline_date, check_measure, check_output
from conflictmap.errors import UsageError
from conflictmap.project import Inputs

# Every command that writes a file, with its output option.
WRITERS = {
    "report": ["report", "-o"],
    "map": ["map", "-o"],
    "timeline": ["timeline", "--plot"],
    "export": ["export", "-o"],
    "overlay": ["overlay", "zones.geojson", "-o"],
    "share": ["share", "-o"],  # every tabular command takes -o through one decorator (cli.options.tabular_output)
}
SUFFIX = {
    "report": "r.md",
    "map": "m.png",
    "timeline": "t.png",
    "export": "x.geojson",
    "overlay": "log.csv",
    "share": "s.csv",
}


def test_baseline_date_needs_both_options():
    assert baseline_date(None, None) is None
    assert baseline_date(dt.date(2016, 11, 15), "rebels") == dt.date(2016, 11, 15)
    for given in ((dt.date(2016, 11, 15), None), (None, "rebels")):
        with pytest.raises(UsageError, match="--baseline and --baseline-actor go together"):
            baseline_date(*given)


@pytest.mark.parametrize("option", ["--date", "--baseline", "--since", "--until"])
def test_every_date_option_is_parsed_by_one_parser(cli, option):
    # cli.options.as_date: a bad date is a usage error naming the option and the value, before any work.
    command = {"--since": "changes", "--until": "changes"}.get(option, "share")
    extra = ["--baseline-actor", "rebels"] if option == "--baseline" else []
    result = cli(command, option, "15/11/2016", *extra)
    assert result.exit_code == 2
    assert f"conflictmap: error: {option} '15/11/2016' is not a date; give it as YYYY-MM-DD" in result.stderr


class NoPopulation:
    has_population = False


def test_check_measure():
    assert [check_measure(NoPopulation, b) for b in (By.count, By.area)] == ["districts", "area_km2"]
    with pytest.raises(UsageError, match="--by population needs a population field"):
        check_measure(NoPopulation, By.population)


def test_check_output(tmp_path, squares):
    check_output("-", Inputs())  # stdout: nothing to check
    check_output(tmp_path / "new.md", Inputs(districts=squares["districts"]))  # a new file in an existing folder
    with pytest.raises(UsageError, match=r"-o .*: folder .*missing does not exist"):
        check_output(tmp_path / "missing" / "r.md", Inputs())
    with pytest.raises(UsageError, match="is a folder"):
        check_output(tmp_path, Inputs())
    with pytest.raises(UsageError, match="also an input"):
        check_output(squares["control"], Inputs(districts=squares["districts"], control=squares["control"]))
    with pytest.raises(UsageError, match="also an input"):
        check_output(squares["control"], [squares["control"]])


def test_check_output_knows_the_project_file_inputs(tmp_path, squares):
    project = tmp_path / "conflictmap.toml"
    project.write_text(f'districts = "{squares["districts"]}"\ncontrol = "{squares["control"]}"\n')
    with pytest.raises(UsageError, match="also an input"):
        check_output(squares["control"], Inputs(project=str(project)))


@pytest.mark.parametrize("command", list(WRITERS))
def test_missing_output_folder_fails_before_loading(cli, tmp_path, command):
    # The inputs do not exist either: loading them would be exit 1 "file not found", so exit 2 about
    # the folder shows the output was checked first, before any work.
    missing = tmp_path / "no" / "such" / "folder" / SUFFIX[command]
    result = cli(*WRITERS[command], missing, "--districts", tmp_path / "absent.geojson")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"conflictmap: error: {WRITERS[command][-1]} {missing}: folder {missing.parent} does not exist; "
        "create it or choose another path"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["report", "map", "timeline", "export"])
def test_input_as_output_fails_before_loading(cli, squares, tmp_path, command):
    # The control log (named .svg, a name every writer but report accepts with its --format; .md for report)
    # given as the output.
    # The districts file does not exist: exit 2 "also an input" shows nothing was loaded, and the log is intact.
    log = tmp_path / ("log.md" if command == "report" else "log.svg")  # a report's suffix must say its format
    log.write_text(open(squares["control"]).read())
    fmt = {"export": ["-f", "geojson"]}.get(command, [])
    result = cli(*WRITERS[command], log, "--districts", tmp_path / "absent.geojson", "--control", log, *fmt)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"conflictmap: error: output {log} is also an input; choose another output path"
    ]
    assert log.read_text() == open(squares["control"]).read()


@pytest.mark.parametrize("command", ["share", "timeline", "map", "report"])
def test_baseline_pairing_is_one_check(cli, squares_args, tmp_path, command):
    out = {"map": ["-o", tmp_path / "m.png"], "report": ["-o", tmp_path / "r.md"]}.get(command, [])
    result = cli(command, *squares_args, *out, "--baseline-actor", "rebels")
    assert result.exit_code == 2, result.output
    assert "--baseline and --baseline-actor go together" in result.stderr
    assert list(tmp_path.glob("[mr].*")) == []


@pytest.mark.parametrize("command", ["share", "timeline"])
def test_by_population_needs_a_population_field(cli, squares, tmp_path, command):
    import json

    data = json.loads(open(squares["districts"]).read())
    for feature in data["features"]:
        del feature["properties"]["population"]
    path = tmp_path / "nopop.geojson"
    path.write_text(json.dumps(data))
    result = cli(command, "--districts", path, "--control", squares["control"], "--by", "population")
    assert result.exit_code == 2
    assert "--by population needs a population field" in result.stderr


# -- quiet fallbacks said once, in one place (cli/options.py load / query_date) --------------------------

NO_LOG = "conflictmap: warning: no control log given: every district is held by {}"
BEFORE = (
    "conflictmap: warning: 2019-12-31 is before the first date of the log (2020-01-01): "
    "districts are shown as before their first row ({})"
)


@pytest.mark.parametrize("initial", [None, "rebels"])
def test_districts_without_a_log_warn_once(cli, squares, initial):
    more = ["--initial", initial] if initial else []
    result = cli("share", "--districts", squares["districts"], *more, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [NO_LOG.format(initial or "unknown")]
    # And it is true: the initial holder holds all four squares.
    assert {r["actor"]: r["districts"] for r in json.loads(result.stdout)}[initial or "unknown"] == 4


def test_no_warning_with_a_log(cli, squares_args):
    result = cli("share", *squares_args, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""


# The squares' log starts on 2020-01-01: each of these asks about 2019-12-31.
BEFORE_LOG = {
    "share": ["share", "--date", "2019-12-31", "--format", "json"],
    "status": ["status", "--date", "2019-12-31", "--format", "json"],
    "export": ["export", "--date", "2019-12-31"],
    "report": ["report", "--date", "2019-12-31", "-o", "-", "--format", "json"],
    "timeline": ["timeline", "--start", "2019-12-31", "--format", "json"],
}


@pytest.mark.parametrize("command", list(BEFORE_LOG))
def test_a_date_before_the_log_warns(cli, squares_args, command):
    result = cli(*BEFORE_LOG[command], *squares_args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [BEFORE.format("unknown")]


def test_a_map_before_the_log_warns(cli, squares_args, tmp_path):
    result = cli("map", "--date", "2019-12-31", "-o", tmp_path / "m.png", *squares_args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [BEFORE.format("unknown")]


def test_the_warning_names_the_initial_holder_and_quiet_silences_it(cli, squares_args):
    loud = cli("share", "--date", "2019-12-31", "--initial", "rebels", *squares_args, "--format", "json")
    assert loud.stderr.splitlines() == [BEFORE.format("rebels")]
    # What it warns about: on 2019-12-31 the initial holder holds all four squares.
    assert {r["actor"]: r["districts"] for r in json.loads(loud.stdout)}["rebels"] == 4
    quiet = cli("share", "-q", "--date", "2019-12-31", "--initial", "rebels", *squares_args, "--format", "json")
    assert quiet.stderr == "" and quiet.stdout == loud.stdout


@pytest.mark.parametrize("args", [["share", "--date", "2020-01-01"], ["timeline", "--start", "2020-01-01"], ["share"]])
def test_no_warning_from_the_first_date_on(cli, squares_args, args):
    result = cli(*args, *squares_args, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""

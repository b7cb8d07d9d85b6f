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
    assert result.stderr.splitlines()[0] == (
        f"conflictmap: error: {option} '15/11/2016' is not an ISO 8601 date; "
        "write it as ISO 8601, e.g. 2016-11-15 if it is day/month/year"
    )


@pytest.mark.parametrize(
    "given, message",
    [
        # The library's words (model.parse_date) after the option and the value, not a generic "not a date".
        ("12.12.2016", "is not an ISO 8601 date; write it as ISO 8601, e.g. 2016-12-12 if it is day/month/year"),
        ("9999-12-31", "is out of range (years 1678-2261); check the year"),
        (
            "2016-12-12T25:99",
            "is not an ISO 8601 date; '25:99' is not a time of day (HH:MM from 00:00 to 23:59, an offset up to "
            "±14:00); write the day alone, 2016-12-12: the time is not used",
        ),
        ("2016/12/12", "is not an ISO 8601 date; write dates as YYYY-MM-DD"),
    ],
)
def test_a_bad_date_option_keeps_the_library_hint(cli, squares_args, given, message):
    result = cli("share", "--date", given, *squares_args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"conflictmap: error: --date {given!r} {message}"
    assert result.stdout == ""


TIME_UNUSED = (
    "conflictmap: note: {option} '{given}': dates are whole days with no time zone here, so {unused} not used: "
    "the date is {day}, as written"
)


def test_a_time_and_offset_are_not_used_and_said_so(cli_json, cli, squares_args):
    # 2020-02-29T23:30-05:00 is 04:30 UTC on 1 March, when A went to the government: the figures are those of
    # 29 February as written (by hand: the government holds C, D and half of B, 2.5 squares), not of 1 March (3.5).
    given = "2020-02-29T23:30:00-05:00"
    result = cli("share", "--date", given, *squares_args, "--format", "json")
    assert result.exit_code == 0, result.output
    note = TIME_UNUSED.format(option="--date", given=given, unused="the time and its offset are", day="2020-02-29")
    assert result.stderr.splitlines() == [note]
    held = {r["actor"]: r["districts"] for r in json.loads(result.stdout)}
    assert held == {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2020-02-29", *squares_args)}
    assert held["government"] == 2.5
    quiet = cli("-q", "share", "--date", given, *squares_args, "--format", "json")
    assert quiet.stderr == "" and quiet.stdout == result.stdout


def test_a_time_without_offset_is_said_unused_for_any_date_option(cli, squares_args):
    result = cli("changes", "--since", "2020-01-01 12:00", *squares_args, "--format", "json")
    assert result.exit_code == 0, result.output
    note = TIME_UNUSED.format(option="--since", given="2020-01-01 12:00", unused="the time is", day="2020-01-01")
    assert result.stderr.splitlines() == [note]


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
    # A report's and an export's suffix must agree with their format (a .txt says nothing, so -f decides).
    log = tmp_path / {"report": "log.md", "export": "log.txt"}.get(command, "log.svg")
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


# The same warning from the commands that take a span or a date of their own.
BEFORE_SPAN = {
    "changes": ["changes", "--since", "2019-12-31", "--format", "json"],
    "frontline": ["frontline", "--date", "2019-12-31", "--gap", "0", "--format", "json"],
    "front-movement": ["front-movement", "--since", "2019-12-31", "--gap", "0", "--format", "json"],
    "report --since": ["report", "--since", "2019-12-31", "-o", "-", "--format", "json"],
}


@pytest.mark.parametrize("command", list(BEFORE_SPAN))
def test_a_span_or_date_before_the_log_warns(cli, squares_args, command):
    result = cli(*BEFORE_SPAN[command], *squares_args)
    assert result.exit_code == 0, result.output
    assert others(result.stderr) == [BEFORE.format("unknown")]


def others(stderr: str) -> list[str]:
    """stderr without front-movement's warning of a pair with no front on D0 (true of the squares: on 2019-12-31
    everything is unknown, and from 2020-01-01 A becomes contested), which is not what these tests are about."""
    return [line for line in stderr.splitlines() if "had no front on D0" not in line]


def test_frontline_before_the_log_is_empty_and_says_why(cli_json, squares_args):
    # Every square is unknown on 2019-12-31: one holder, no front (the warning above says why the table is empty).
    assert cli_json("frontline", "--date", "2019-12-31", "--gap", "0", *squares_args) == []


# The squares' log ends on 2020-03-01. A date up to STALE_DAYS (7) after it is quiet: a daily cron job run the
# day after the last row, or a week later, is not nagged; from the 8th day on it is warned about.
AFTER = (
    "conflictmap: warning: {} is {} days after the last date of the log (2020-03-01): "
    "districts are shown as on 2020-03-01"
)
AFTER_LOG = {
    "share": ["share", "--date", "{}", "--format", "json"],
    "status": ["status", "--date", "{}", "--format", "json"],
    "export": ["export", "--date", "{}"],
    "report": ["report", "--date", "{}", "-o", "-", "--format", "json"],
    "timeline": ["timeline", "--end", "{}", "--format", "json"],
    "changes": ["changes", "--until", "{}", "--format", "json"],
    "frontline": ["frontline", "--date", "{}", "--gap", "0", "--format", "json"],
    "front-movement": ["front-movement", "--since", "2020-03-01", "--until", "{}", "--gap", "0", "--format", "json"],
}


@pytest.mark.parametrize("command", list(AFTER_LOG))
def test_a_date_long_after_the_log_warns(cli, squares_args, command):
    args = [a.format("2020-03-09") for a in AFTER_LOG[command]]
    result = cli(*args, *squares_args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [AFTER.format("2020-03-09", 8)]


@pytest.mark.parametrize("command", list(AFTER_LOG))
@pytest.mark.parametrize("day", ["2020-03-02", "2020-03-08"])
def test_no_warning_up_to_a_week_after_the_log(cli, squares_args, command, day):
    result = cli(*[a.format(day) for a in AFTER_LOG[command]], *squares_args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


SPANS_OUTSIDE = {
    "export --since": ["export", "--layer", "changes", "--since", "2019-12-31", "--date", "2020-03-09"],
    "timeline --range": ["timeline", "--range", "--start", "2019-12-31", "--end", "2020-03-09", "-f", "json"],
    "report": ["report", "--since", "2019-12-31", "--date", "2020-03-09", "-o", "-", "-f", "json"],
}


@pytest.mark.parametrize("command", list(SPANS_OUTSIDE))
def test_a_span_over_both_ends_of_the_log_warns_for_each(cli, squares_args, command):
    result = cli(*SPANS_OUTSIDE[command], *squares_args)
    assert result.exit_code == 0, result.output
    # (--range also warns that the squares' log has no confidence column: true, and not what this is about.)
    lines = [line for line in result.stderr.splitlines() if "has a confidence" not in line]
    assert lines == [BEFORE.format("unknown"), AFTER.format("2020-03-09", 8)]


def test_an_animation_over_both_ends_of_the_log_warns_for_each(cli, squares_args, tmp_path):
    out = tmp_path / "a.gif"
    result = cli("animate", "--start", "2019-12-31", "--end", "2020-03-09", "--every", "1m", "-o", out, *squares_args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [BEFORE.format("unknown"), AFTER.format("2020-03-09", 8)]
    assert out.stat().st_size > 0


def test_a_map_long_after_the_log_warns(cli, squares_args, tmp_path):
    result = cli("map", "--date", "2030-01-01", "-o", tmp_path / "m.png", *squares_args)
    assert result.exit_code == 0, result.output
    # 2020-03-01 to 2030-01-01: 3,593 days (10 years, 2 of them leap years after March 2020: 2024 and 2028).
    assert (dt.date(2030, 1, 1) - dt.date(2020, 3, 1)).days == 3593
    assert result.stderr.splitlines() == [AFTER.format("2030-01-01", "3,593")]


def test_after_the_log_the_figures_are_those_of_its_last_date(cli_json, cli, squares_args):
    # What the warning says: on 2030-01-01 the squares are as on 2020-03-01 (by hand: the government holds A, C, D
    # and half of B, 3.5 districts; the kurdish forces the other half of B).
    late = {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2030-01-01", *squares_args)}
    assert late == {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2020-03-01", *squares_args)}
    assert late["government"] == 3.5 and late["kurdish forces"] == 0.5
    quiet = cli("-q", "share", "--date", "2030-01-01", *squares_args, "--format", "json")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_baseline_outside_the_log_warns_naming_the_option(cli_json, cli, squares_args):
    args = ["share", "--date", "2020-03-01", "--baseline", "2020-06-01", "--baseline-actor", "government"]
    result = cli(*args, *squares_args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["conflictmap: warning: --baseline " + AFTER.format("2020-06-01", 92)[22:]]
    # Of what the government held on 2020-06-01 (= on 2020-03-01: 3.5 districts) it holds all on 2020-03-01.
    rows = {r["actor"]: r for r in json.loads(result.stdout)}
    assert rows["government"]["districts"] == 3.5 and rows["government"]["districts_pct"] == 100.0


def test_a_baseline_actor_that_held_nothing_outside_the_log_is_the_error_alone(cli, squares_args):
    # The rebels hold nothing after 2020-03-01: the one line is the error, with no warning before it.
    result = cli("share", "--baseline", "2020-06-01", "--baseline-actor", "rebels", *squares_args)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "rebels held no district on 2020-06-01" in result.stderr


def test_claims_outside_the_log_warn_naming_their_line(cli_json, cli, squares_args, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "date,actor,measure,value,baseline_date,baseline_actor\n"
        "2019-12-31,government,districts,0,,\n"  # before the log: every square unknown
        "2020-06-01,government,districts_pct,87.5,,\n"  # after it: as on 2020-03-01, 3.5 of 4 squares
        "2020-03-01,government,districts_pct,100,2019-12-31,unknown\n"  # of what unknown held before the log: all 4
    )
    result = cli("claims", "check", claims, *squares_args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if "note:" not in line] == [
        f"conflictmap: warning: {claims} line 2: " + BEFORE.format("unknown")[22:],
        f"conflictmap: warning: {claims} line 3: " + AFTER.format("2020-06-01", 92)[22:],
        f"conflictmap: warning: {claims} line 4: baseline_date " + BEFORE.format("unknown")[22:],
    ]
    figures = [r["figure"] for r in json.loads(result.stdout)]
    assert figures == [0.0, 87.5, 87.5]


# A span wholly after the log and one whose start is after it: changes and front-movement answer alike.
@pytest.mark.parametrize("command", ["changes", "front-movement"])
def test_a_span_after_the_log_is_empty_with_the_warning(cli, squares_args, command):
    gap = ["--gap", "0"] if command == "front-movement" else []
    result = cli(command, "--since", "2020-04-01", "--until", "2020-05-01", *squares_args, *gap, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # nothing is recorded after 2020-03-01, so nothing moved
    assert result.stderr.splitlines() == [AFTER.format("2020-05-01", 61)]


@pytest.mark.parametrize("command", ["changes", "front-movement"])
def test_a_start_after_the_log_with_no_end_is_a_usage_error(cli, squares_args, command):
    gap = ["--gap", "0"] if command == "front-movement" else []
    result = cli(command, "--since", "2020-04-01", *squares_args, *gap)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "conflictmap: error: --since 2020-04-01 is after the last date of the log (2020-03-01); "
        "give an earlier --since, or a later --until"
    ]


def test_a_row_repeating_a_holder_tells_the_log_is_current(cli, squares, tmp_path):
    # The README's advice for a quiet front: a checked district's holder written again, dated the day of the check.
    log = tmp_path / "checked.csv"
    log.write_text(open(squares["control"]).read() + "2020-03-20,C,government,,checked: no change\n")
    args = ["--districts", squares["districts"], "--control", log]
    result = cli("share", "--date", "2020-03-25", *args, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    # Nothing changed hands after 2020-03-01, and validate finds nothing wrong with the row.
    assert json.loads(cli("changes", "--since", "2020-03-01", "--all", *args, "--format", "json").stdout) == []
    assert json.loads(cli("validate", *args, "--format", "json").stdout) == []

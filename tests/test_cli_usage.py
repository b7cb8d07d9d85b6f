"""Usage errors: one `conflictmap: error:` line in this tool's words, then the usage line; exit 2 (issue 16).

No rich box, no pydantic wording ("Value error,", "Input should be a valid integer"), no traceback.
"""

import pytest


def lines_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip() and "note:" not in line]


@pytest.mark.parametrize(
    "args, message",
    [
        (["share", "--by", "foo"], "conflictmap: error: --by 'foo' is not one of 'count', 'area', 'population'"),
        (["share", "--format=xml"], "conflictmap: error: --format 'xml' is not one of"),
        (["map", "-o", "m.png", "--labels", "x"], "conflictmap: error: --labels 'x' is not a whole number"),
        (["map", "-o", "m.png", "--labels", "-3"], "conflictmap: error: --labels '-3' must be 0 or more"),
        (["frontline", "--gap", "abc"], "conflictmap: error: --gap 'abc' is not a number"),
        (["share", "--nope"], "conflictmap: error: no option --nope here"),
        (["nocommand"], "conflictmap: error: no command 'nocommand'"),
        (["zones", "area"], "conflictmap: error: missing ZONES"),
        (["share", "extra"], "conflictmap: error: unexpected argument(s): extra"),
    ],
)
def test_a_usage_error_is_one_line_and_the_usage(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    lines = lines_of(result)
    assert len(lines) == 2, lines
    assert lines[0].startswith(message), lines[0]
    assert lines[1].startswith("Usage: conflictmap"), lines[1]
    assert not any(mark in result.stderr for mark in ("╭", "│", "Value error", "Input should", "Traceback"))
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["zones", "area", "z/", "--actor", "russia", "--actor", "ukraine"],
            "--actor given twice (russia, ukraine); give it once, or use --actor-field/--actor-map for several actors",
        ),
        (
            ["overlay", "z/", "--actor=russia", "--rest", "ukraine", "--actor", "ukraine"],
            "--actor given twice (russia, ukraine); give it once, or use --actor-field/--actor-map for several actors",
        ),
        (["export", "--actor", "a", "--actor", "b"], "--actor given twice (a, b); give it once"),  # no --actor-map here
        (["share", "-f", "csv", "--format=json"], "--format given twice (csv, json); give it once"),
        (
            ["share", "--date", "2016-12-01", "--date", "2016-12-02"],
            "--date given twice (2016-12-01, 2016-12-02); give it once",
        ),
    ],
)
def test_a_value_option_given_twice_is_a_usage_error(cli, args, message):
    # Click keeps the last value silently: the occupied zone came out labelled 'ukraine', exit 0.
    result = cli(*args)
    assert result.exit_code == 2, result.output
    lines = lines_of(result)
    assert len(lines) == 2 and lines[0] == f"conflictmap: error: {message}", lines
    assert result.stdout == ""


def test_the_same_value_twice_is_harmless(cli_json):
    once = cli_json("share", "--date", "2016-12-01")
    assert cli_json("share", "--date", "2016-12-01", "--date", "2016-12-01") == once


@pytest.mark.parametrize(
    "args",
    [
        ["share", "-f", "md", "-f", "markdown"],  # one choice, two spellings
        ["share", "-f", "JSON", "-f", "json"],
        ["claims", "check", "__claims__", "--tolerance", "5", "--tolerance", "5.0"],  # one number
        ["share", "-o", "a.csv", "-o", "./a.csv"],  # one path
    ],
)
def test_one_value_spelt_two_ways_is_no_contradiction(cli, args):
    from tests.helpers import ROOT

    args = [str(ROOT / "data" / "aleppo-2016" / "claims.csv") if a == "__claims__" else a for a in args]
    result = cli("-q", *args)
    assert result.exit_code == 0, result.output


def test_every_single_value_option_of_every_command_refuses_a_second_value(cli, monkeypatch):
    # Checked as click parses, before any value is converted or any file read: two different texts suffice.
    import typer
    import typer.testing

    from conflictmap.cli.app import app

    group = typer.main.get_command(app)
    # The runner builds the whole click group at every call (40 ms); 300 calls use this one.
    monkeypatch.setattr(typer.testing, "_get_command", lambda _: group)
    checked = 0
    for path, command in leaf_commands(group):
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag or param.multiple or param.count:
                continue
            name = param.opts[0]
            result = cli(*path, name, "x1", name, "x2")
            assert result.exit_code == 2, (path, name, result.output)
            assert f"{name} given twice (x1, x2)" in result.stderr, (path, name, result.stderr)
            checked += 1
    assert checked > 100  # every command's options, not a few


def leaf_commands(group, path=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


@pytest.mark.parametrize("group", ["zones", "log", "claims"])
def test_a_group_without_its_command_shows_its_help_and_no_empty_error(cli, group):
    result = cli(group)
    assert result.exit_code == 2
    assert "conflictmap: error:" not in result.stderr
    assert f"conflictmap {group} [OPTIONS] COMMAND" in result.output


def test_an_option_without_its_value(cli):
    result = cli("status", "--date")
    assert result.exit_code == 2
    assert lines_of(result)[0] == "conflictmap: error: --date needs a value"


def test_an_actor_a_letter_off_gets_a_did_you_mean(cli):
    result = cli("share", "--baseline", "2016-11-15", "--baseline-actor", "rebel")
    assert result.exit_code == 2
    assert "did you mean 'rebels'?" in result.stderr


def test_help_still_exits_0_and_a_command_error_keeps_its_code(cli, tmp_path):
    assert cli("share", "--help").exit_code == 0
    missing = tmp_path / "missing.geojson"
    result = cli("status", "--districts", missing)  # a data error (exit 1) still goes through cli.errors
    assert result.exit_code == 1
    assert lines_of(result) == [f"conflictmap: error: {missing}: file not found; check the path"]


def test_every_choice_option_takes_any_case():
    # -f JSON and --by AREA alike: a choice is a word, not a spelling (the review found -f JSON accepted and
    # --by AREA refused).
    from enum import Enum

    import typer

    from conflictmap.cli.app import app
    from conflictmap.cli.group import subcommands

    choices = 0
    for command in subcommands(typer.main.get_command(app)):
        for param in command.params:
            descriptor = getattr(param, "type_descriptor", None)
            kind = descriptor.annotation if descriptor else None
            if isinstance(kind, type) and issubclass(kind, Enum):
                choices += 1
                assert not descriptor.parameter_info.case_sensitive, (command.name, param.opts)
    assert choices >= 8  # --format of every read command, --by, --style, --rule, --layer, ...


def test_both_sides_of_a_switch_are_a_usage_error(cli, monkeypatch):
    # `--inset --no-inset` kept the last silently; every on/off pair of every command now refuses both.
    import typer
    import typer.testing

    from conflictmap.cli.app import app

    group = typer.main.get_command(app)
    monkeypatch.setattr(typer.testing, "_get_command", lambda _: group)
    checked = []
    for path, command in leaf_commands(group):
        for param in command.params:
            if param.param_type_name != "option" or not param.is_flag or not param.secondary_opts:
                continue
            on, off = param.opts[0], param.secondary_opts[0]
            result = cli(*path, on, off)
            assert result.exit_code == 2, (path, on, result.output)
            assert lines_of(result)[0] == f"conflictmap: error: {on} and {off} both given; give one of them"
            checked.append((*path, on))
    assert ("map", "--inset") in checked, checked
    same = cli("map", "--no-inset", "--no-inset", "-o", "m.png")  # one side twice: no contradiction
    assert same.exit_code == 0, same.output

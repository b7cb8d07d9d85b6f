"""cli.convert gives every option the value Typer's own converter gives, or the same error; a run of one
command (cli.app.app_for) builds that command only, with the same help, errors and output as the full app."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import typer.main
from typer._coercion import build_runtime_param

from conflictmap.cli.app import COMMANDS, app, app_for
from conflictmap.cli.convert import Lean
from conflictmap.cli.group import subcommands

# Values a command line gives: absent, texts (choices in other cases, dates, numbers, bad ones), repeats.
VALUES = [
    None,
    "",
    "json",
    "JSON",
    "Json",
    "table",
    "xml",
    "count",
    "area",
    "2016-11-15",
    "2016-13-01",
    "15/11/2016",
    "12",
    "-3",
    "0.5",
    "1e3",
    "abc",
    "true",
    True,
    False,
    ("a.csv",),
    ("a.csv", "b.csv"),
    (),
    "a.csv",
    dt.date(2016, 11, 15),
]


def parameters():
    """(command words, parameter) of every option and argument Typer made, the group's own included."""
    group = typer.main.get_command(app)
    for command in [group, *subcommands(group)]:
        for param in command.params:
            if hasattr(param, "type_descriptor"):
                yield command.name, param


def outcome(convert, value, param, ctx):
    try:
        return ("value", type(result := convert.coerce(value, param=param, ctx=ctx)), result)
    except Exception as exc:  # the error a user sees: its class and its words
        return ("error", type(exc), getattr(exc, "format_message", exc.__str__)())


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_option_converts_as_typer_does(value):
    group = typer.main.get_command(app)
    seen = set()
    for name, param in parameters():
        ctx = typer.Context(group)
        kinds = (repr(param.type_descriptor.annotation), param.type_descriptor.parameter_info.parser is not None)
        ours = outcome(Lean(param.type_descriptor), value, param, ctx)
        typers = outcome(build_runtime_param(param.type_descriptor), value, param, ctx)
        assert ours == typers, (name, param.name, value)
        seen.add(kinds)
    # Texts, flags, choices, dates, numbers and repeated texts were all compared.
    assert {k for k, _ in seen} >= {"<class 'str'>", "<class 'bool'>", "<class 'float'>", "<class 'int'>"}
    assert ("<class 'datetime.date'>", True) in seen and ("list[str]", False) in seen


def test_the_commands_of_the_app_are_the_table():
    group = typer.main.get_command(app)
    assert sorted(group.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_one_command_app_holds_that_command_only(name):
    one = typer.main.get_command(app_for(["-q", name, "--help"]))
    assert list(one.commands) == [name]


@pytest.mark.parametrize(
    "argv",
    [[], ["--help"], ["-h", "share"], ["--version"], ["shar"], ["--", "share"], ["-qv", "share"], ["--bogus"]],
)
def test_anything_but_a_command_name_gets_the_full_app(argv):
    assert app_for(argv) is app


def test_shell_completion_gets_the_full_app(monkeypatch):
    monkeypatch.setenv("_CONFLICTMAP_COMPLETE", "complete_bash")
    assert app_for(["share", "--d"]) is app


@pytest.mark.parametrize(
    "args",
    [
        ["share", "--help"],
        ["zones", "area", "--help"],
        ["-q", "status", "--help"],
        ["share", "--format", "xml"],
        ["share", "--date", "2016-13-01"],
        ["share", "--bogus"],
        ["frontline", "--gap", "abc"],
        ["share", "-f", "JSON", "-q"],
        ["status", "-f", "csv", "--date", "2016-11-15", "-q"],
        ["log", "from-changes", "--help"],
    ],
)
def test_one_command_app_answers_as_the_full_app(runner, args):
    whole = runner.invoke(app, args)
    alone = runner.invoke(app_for(args), args)
    assert (alone.exit_code, alone.stdout, alone.stderr) == (whole.exit_code, whole.stdout, whole.stderr)


def test_a_run_of_share_imports_neither_pydantic_nor_other_commands():
    code = (
        "import sys\n"
        "sys.argv = ['conflictmap', 'share', '-q', '-f', 'json', '--date', '2016-11-15']\n"
        "from conflictmap.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m == 'pydantic' or m.startswith('conflictmap.cli.commands.')),"
        " file=sys.stderr)\n"
        "import gc\nprint(gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"actor": "government"' in done.stdout
    assert done.stderr.strip().splitlines()[-2:] == ["['conflictmap.cli.commands.share']", "True"]


def test_the_app_run_as_a_library_freezes_nothing(cli):
    # gc.freeze (cli.options.long_lived) is for the conflictmap process only: under CliRunner the objects of
    # a test process must stay collectable.
    import gc

    before = gc.get_freeze_count()
    assert cli("share", "-q", "-f", "json").exit_code == 0
    assert gc.get_freeze_count() == before

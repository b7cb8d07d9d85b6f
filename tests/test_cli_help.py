"""Every command has help text, and --help stays light (no geopandas/pandas/pyogrio import)."""

import json
import subprocess
import sys

import pytest

from cli.app import app

HEAVY = ("geopandas", "pandas", "pyogrio", "matplotlib", "shapely", "pyproj")


def command_names():
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help_text(cli):
    for name in command_names():
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage" in result.stdout
        cmd = __import__("typer.main").main.get_command(app).commands[name]
        assert (cmd.help or "").strip(), f"{name} has no help text"


@pytest.mark.parametrize("args", [["--help"], ["share", "--help"], ["status", "--help"], ["info", "--help"]])
def test_help_imports_no_heavy_module(args):
    # A fresh interpreter: run the app's --help, then list which heavy modules got imported.
    code = (
        "import sys, json\n"
        "from cli.app import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == []


def test_every_command_help_is_light():
    code = (
        "import sys, json, typer.main\n"
        "from cli.app import app\n"
        "names = sorted(typer.main.get_command(app).commands)\n"
        "for n in names:\n"
        "    try:\n        app([n, '--help'])\n    except SystemExit:\n        pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_version(cli):
    from conflictmap import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout

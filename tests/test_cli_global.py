"""Global flags: -q/--quiet, -v/--verbose, --debug."""

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT, squares_geojson


@pytest.fixture
def bowtie(tmp_path):
    """The four squares with A a bow-tie: loading repairs it and warns (one line on stderr)."""
    data = squares_geojson()
    data["features"][0]["geometry"]["coordinates"] = [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]]
    path = tmp_path / "bow.geojson"
    path.write_text(json.dumps(data))
    return str(path)


def test_warning_shown_by_default(cli, bowtie):
    result = cli("status", "--districts", bowtie, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith("conflictmap: warning:") and "repaired" in result.stderr


def test_quiet_silences_warnings_not_data(cli, bowtie):
    loud = cli("status", "--districts", bowtie, "--format", "json")
    quiet = cli("-q", "status", "--districts", bowtie, "--format", "json")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == loud.stdout and len(json.loads(quiet.stdout)) == 4


def test_quiet_keeps_errors(cli, tmp_path):
    result = cli("--quiet", "status", "--districts", tmp_path / "missing.geojson")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"conflictmap: error: {tmp_path / 'missing.geojson'}: file not found; check the path"
    ]


def test_verbose_says_which_inputs_are_used(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no conflictmap.toml here: the bundled sample is used
    plain = cli("share", "--format", "json")
    verbose = cli("-v", "share", "--format", "json")
    assert plain.exit_code == verbose.exit_code == 0, verbose.output
    # By default only the note that the sample is used (one line); -v adds the full path.
    assert len(plain.stderr.splitlines()) == 1 and plain.stderr.startswith("conflictmap: note: ")
    assert "conflictmap: using districts" in verbose.stderr and "aleppo-2016" in verbose.stderr
    assert verbose.stdout == plain.stdout


def test_without_debug_an_error_is_one_line(cli, tmp_path):
    result = cli("status", "--districts", tmp_path / "missing.geojson")
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_debug_lets_the_exception_through(cli, tmp_path):
    from conflictmap.errors import InputError

    result = cli("--debug", "status", "--districts", tmp_path / "missing.geojson")
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError) and "file not found" in str(result.exception)
    assert result.exc_info[2] is not None  # the traceback object, for the interpreter to print


def test_unexpected_failure_is_one_line_without_debug_and_a_traceback_with(cli, squares_args, monkeypatch):
    import conflictmap.figures

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(conflictmap.figures, "shares", broken)
    result = cli("share", *squares_args)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "conflictmap: error: unexpected RuntimeError: something nobody expected (run with --debug for the traceback)"
    )
    debug = cli("--debug", "share", *squares_args)
    assert isinstance(debug.exception, RuntimeError)


def test_debug_prints_the_traceback_in_a_real_process(tmp_path):
    # The interpreter prints the traceback, so this one runs the real entry point.
    missing = tmp_path / "missing.geojson"
    args = [sys.executable, "-m", "conflictmap", "status", "--districts", str(missing)]
    plain = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=_env())
    debug = subprocess.run(args[:3] + ["--debug"] + args[3:], capture_output=True, text=True, cwd=tmp_path, env=_env())
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr and "InputError" in debug.stderr


def _env():
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}


# -- the global flags after the subcommand too (cli/group.py) ------------------------------------------------


def missing_input_commands(tmp_path) -> dict[str, list]:
    """A command line per kind of command, each failing with a conflictmap error (exit 1 or 2)."""
    missing = tmp_path / "missing.geojson"
    return {
        "share": ["share", "--districts", missing],  # @dataset_command
        "validate": ["validate", "--encoding", "no-such-codec"],  # @dataset_command, its own loading; validate
        # lists a missing file as a row, so an unknown encoding (a usage error) is what raises here
        "zones area": ["zones", "area", missing, "--actor", "russia"],  # a nested group's command
        "overlay": ["overlay", missing, "--actor", "russia", "-d", missing],  # its own options
    }


@pytest.mark.parametrize("command", ["share", "validate", "zones area", "overlay"])
def test_debug_before_or_after_the_subcommand(cli, tmp_path, command):
    from conflictmap.errors import ConflictmapError

    args = missing_input_commands(tmp_path)[command]
    words = len(command.split())
    plain = cli(*args)
    before = cli("--debug", *args)
    after = cli(*args[:words], "--debug", *args[words:])
    at_end = cli(*args, "--debug")
    assert plain.exit_code in (1, 2) and (plain.exception is None or isinstance(plain.exception, SystemExit))
    assert "Traceback" not in plain.stderr
    for result in (before, after, at_end):
        assert isinstance(result.exception, ConflictmapError), result.output
        assert type(result.exception) is type(before.exception) and str(result.exception) == str(before.exception)


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_quiet_after_the_subcommand(cli, bowtie, flag):
    loud = cli("status", "--districts", bowtie, "--format", "json")
    quiet = cli("status", "--districts", bowtie, flag, "--format", "json")
    assert "repaired" in loud.stderr
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout


def test_quiet_after_validate_keeps_the_data(cli, bowtie):
    # The bow-tie is a warning for validate: its summary line goes, the rows stay.
    loud = cli("validate", "--districts", bowtie, "--format", "json")
    quiet = cli("validate", "--districts", bowtie, "-q", "--format", "json")
    assert loud.exit_code == quiet.exit_code == 0
    assert "warning" in loud.stderr and quiet.stderr == ""
    assert quiet.stdout == loud.stdout and json.loads(quiet.stdout)


def test_quiet_after_zones_area(cli, tmp_path):
    from tests.helpers import write_zones

    folder = tmp_path / "zones"
    folder.mkdir()
    # A bow-tie zone: repaired, with a warning on stderr.
    write_zones(folder / "2024-08-01.geojson", [({}, [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]])])
    loud = cli("zones", "area", folder, "--actor", "russia", "--format", "json")
    quiet = cli("zones", "area", folder, "--actor", "russia", "-q", "--format", "json")
    assert loud.exit_code == quiet.exit_code == 0, quiet.output
    assert "repaired" in loud.stderr and quiet.stderr == ""
    assert quiet.stdout == loud.stdout


@pytest.mark.parametrize("flag", ["-v", "--verbose"])
def test_verbose_after_the_subcommand(cli, tmp_path, monkeypatch, flag):
    monkeypatch.chdir(tmp_path)  # the bundled sample
    result = cli("share", flag, "--format", "json")
    assert result.exit_code == 0 and "conflictmap: using districts" in result.stderr


def test_flags_after_the_subcommand_are_not_listed_twice_in_help(cli):
    result = cli("share", "--help")
    assert result.exit_code == 0 and "--debug" not in result.stdout and "--quiet" not in result.stdout

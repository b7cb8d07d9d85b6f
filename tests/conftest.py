"""Shared fixtures: a pinned CliRunner, a hand-checkable four-square dataset, ../shared data."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from tests.helpers import SHARED, SQUARES_LOG, squares_geojson  # noqa: E402 - the fixtures below use them

# Property tests (test_properties.py): the default profile runs the same 30 examples every time, with no
# example database in the checkout, so the suite is quick and repeatable; `--hypothesis-profile=thorough`
# explores 500 fresh examples per property (before a release, or when a figure's code changes).
_QUIET = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", max_examples=30, derandomize=True, **_QUIET)
settings.register_profile("thorough", max_examples=500, **_QUIET)
settings.load_profile("default")


@pytest.fixture
def squares(tmp_path):
    """Paths of the four-square districts and their log (see SQUARES_LOG)."""
    districts = tmp_path / "squares.geojson"
    districts.write_text(json.dumps(squares_geojson()))
    log = tmp_path / "squares.csv"
    log.write_text(SQUARES_LOG)
    return {"districts": str(districts), "control": str(log), "dir": tmp_path}


@pytest.fixture
def ds(squares):
    """The four-square dataset, loaded (see SQUARES_LOG)."""
    from conflictmap.dataset import load_dataset
    from conflictmap.project import Inputs

    return load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))


@pytest.fixture
def squares_args(squares):
    return ["--districts", squares["districts"], "--control", squares["control"]]


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    """Every test runs in an empty working folder: a stray ./conflictmap.toml where pytest
    was started cannot change a result."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def runner(monkeypatch):
    """A CliRunner with a pinned width and no colour, so output is terminal-independent."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


@pytest.fixture
def cli(runner):
    """Invoke conflictmap; returns the Result (stdout/stderr separate)."""
    from conflictmap.cli.app import app

    def invoke(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def cli_json(cli):
    """Invoke with --format json and return the parsed stdout (asserting exit 0)."""

    def invoke(*args):
        result = cli(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def shared_data():
    """../shared/data, or skip when this checkout has no such folder (a user's fresh clone)."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED

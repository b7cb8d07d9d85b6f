"""Shared fixtures: a pinned CliRunner, a hand-checkable four-square dataset, ../shared data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared" / "data"

# WGS84 constants for the independent (closed-form) area of a lon/lat cell.
A_WGS84 = 6378137.0
F_WGS84 = 1 / 298.257223563


def cell_area_km2(lon0, lat0, lon1, lat1) -> float:
    """Area of a lon/lat cell on the WGS84 ellipsoid, from the authalic q(φ) formula.

    Independent of pyproj: A = b²·Δλ·(q(φ1) − q(φ0)) / 2 with
    q(φ) = sinφ/(1 − e²sin²φ) + ln((1 + e sinφ)/(1 − e sinφ)) / (2e).
    Edges along parallels; for the small cells near the equator used here the
    difference from geodesic edges is far below the 1e-6 tolerance of the tests.
    """
    e2 = F_WGS84 * (2 - F_WGS84)
    e = math.sqrt(e2)
    b2 = A_WGS84**2 * (1 - e2)

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b2 * math.radians(lon1 - lon0) * (q(lat1) - q(lat0)) / 2 / 1e6


def square(lon0, lat0, size):
    ring = [[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


# Four 0.01° squares in a 2x2 block at the equator:  C D  (row 0.01..0.02)
#                                                     A B  (row 0.00..0.01)
SQUARES = {
    "A": (0.00, 0.00), "B": (0.01, 0.00), "C": (0.00, 0.01), "D": (0.01, 0.01),
}
SIZE = 0.01
POPULATION = {"A": 1000, "B": 2000, "C": 3000, "D": 4000}
NAMES = {"A": "Alpha", "B": "Beta", "C": "Gamma", "D": "Delta"}

# The log, by hand:
#   2020-01-01  A rebels, B rebels, C government, D government
#   2020-02-01  A contested; B split government 0.5 / kurdish forces 0.5
#   2020-03-01  A government
SQUARES_LOG = """date,district,controller,share,source
2020-01-01,A,rebels,,s1
2020-01-01,B,rebels,,s1
2020-01-01,C,government,,s1
2020-01-01,D,government,,s1
2020-02-01,Alpha,contested,,s2
2020-02-01,B,government,0.5,s2
2020-02-01,B,kurdish forces,0.5,s2
2020-03-01,A,government,,s3
"""


def squares_geojson(with_population=True) -> dict:
    features = []
    for key, (lon, lat) in SQUARES.items():
        props = {"id": key, "name": NAMES[key]}
        if with_population:
            props["population"] = POPULATION[key]
        features.append({"type": "Feature", "properties": props, "geometry": square(lon, lat, SIZE)})
    return {"type": "FeatureCollection", "features": features}


def squares_area(key: str) -> float:
    lon, lat = SQUARES[key]
    return cell_area_km2(lon, lat, lon + SIZE, lat + SIZE)


@pytest.fixture
def squares(tmp_path):
    """Paths of the four-square districts and their log (see SQUARES_LOG)."""
    districts = tmp_path / "squares.geojson"
    districts.write_text(json.dumps(squares_geojson()))
    log = tmp_path / "squares.csv"
    log.write_text(SQUARES_LOG)
    return {"districts": str(districts), "control": str(log), "dir": tmp_path}


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

"""The wheel installs one top-level package, `conflictmap`, with the command line inside it (issue 16)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling", reason="the test extra installs hatchling to build the wheel offline")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("conflictmap-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_has_one_top_level_package(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist() if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"conflictmap"}


def test_the_command_line_and_the_sample_are_inside_it(wheel):
    names = set(wheel.namelist())
    assert {"conflictmap/cli/app.py", "conflictmap/cli/commands/share.py", "conflictmap/__main__.py"} <= names
    assert any(name.startswith("conflictmap/_data/aleppo-2016/") for name in names)
    entry = wheel.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "conflictmap = conflictmap.cli.app:main" in entry


def test_python_dash_m_conflictmap_runs_the_command_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "conflictmap", "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("0.1.0")

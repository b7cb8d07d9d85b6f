"""The README's pictures (docs/, made by docs/make-pictures.sh on the bundled sample): there, small, not blank,
shown in the README with the commands that made them, and what those commands make today (size, frames)."""

from __future__ import annotations

import re
import shlex

import numpy as np
import pytest
from PIL import Image

from conflictmap.plots import CONVENTIONAL
from tests.helpers import ROOT

DOCS = ROOT / "docs"
SCRIPT = DOCS / "make-pictures.sh"
PICTURES = {  # file: (format, most bytes)
    "interactive-map.png": ("PNG", 250_000),
    "offensive.gif": ("GIF", 500_000),
    "changes.png": ("PNG", 200_000),
}


def commands() -> list[str]:
    """The conflictmap and chromium lines of docs/make-pictures.sh."""
    return [
        line.strip()
        for line in SCRIPT.read_text(encoding="utf-8").splitlines()
        if line.startswith(("conflictmap ", "chromium "))
    ]


def near(image, hex_colour, tolerance=6) -> int:
    rgb = np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)])
    return int((np.abs(np.asarray(image.convert("RGB")).astype(int) - rgb).max(axis=2) <= tolerance).sum())


@pytest.mark.parametrize("name", PICTURES)
def test_picture_is_small_and_not_blank(name):
    fmt, most = PICTURES[name]
    path = DOCS / name
    assert path.stat().st_size < most
    image = Image.open(path)
    assert image.format == fmt
    assert (np.asarray(image.convert("RGB")) < 200).any(axis=2).mean() > 0.05  # ink, not an empty page
    # The offensive's two sides in their conventional colours (the sample has no colours of its own).
    assert near(image, CONVENTIONAL["government"]) > 2000 and near(image, CONVENTIONAL["rebels"]) > 1000


def test_readme_shows_each_picture_with_the_commands_that_made_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in PICTURES:
        assert f"](docs/{name})" in readme
    for line in commands():
        shown = line.replace('"$docs/', "docs/").replace('"', "").replace("$work/", "$PWD/")
        assert shown in readme.replace('"', ""), shown


def test_the_readme_starts_with_its_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)[:2]
    assert blocks[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install . && conflictmap share")
    assert (
        blocks[1].strip()
        == 'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && python -m pytest'
    )


def test_the_chart_command_makes_the_same_bytes_twice_and_the_committed_size(cli, tmp_path):
    line = next(c for c in commands() if "changes.png" in c)
    args = [a.replace("$docs/", str(tmp_path) + "/") for a in shlex.split(line)[1:]]
    out = tmp_path / "changes.png"
    assert cli(*args).exit_code == 0
    first = out.read_bytes()
    assert cli(*args).exit_code == 0 and out.read_bytes() == first
    assert Image.open(out).size == Image.open(DOCS / "changes.png").size  # else: sh docs/make-pictures.sh


def test_the_animation_has_a_frame_per_date_of_the_frame_size_animate_draws():
    """Without drawing the 12 frames again (tests/test_animate.py checks the same bytes twice): the committed GIF
    has one frame per date of the sample's log, each the size one frame of today's animate is."""
    import io

    from conflictmap.animate import render
    from conflictmap.dataset import load_dataset
    from conflictmap.project import Inputs, resolve

    ds = load_dataset(resolve(Inputs()))
    frame = Image.open(io.BytesIO(render(ds, [ds.dates[-1]], workers=1)[0]))
    committed = Image.open(DOCS / "offensive.gif")
    assert committed.n_frames == len(ds.dates) and committed.size == frame.size


def test_the_screenshot_is_of_the_map_page_at_the_stated_size():
    line = next(c for c in commands() if c.startswith("chromium "))
    width, height = (int(v) for v in re.search(r"--window-size=(\d+),(\d+)", line).groups())
    assert Image.open(DOCS / "interactive-map.png").size == (width, height)

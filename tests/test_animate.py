"""conflictmap animate: one GIF frame per date, each the static map of that date; the same bytes twice."""

import io

import numpy as np
from PIL import Image

from conflictmap.animate import render
from conflictmap.dataset import load_dataset
from conflictmap.project import Inputs


def colours(frame) -> set:
    rgb = np.asarray(frame.convert("RGB")).reshape(-1, 3)
    return {"#%02x%02x%02x" % tuple(p) for p in np.unique(rgb, axis=0)}


def test_one_frame_per_date_of_the_log(cli, squares_args, tmp_path):
    out = tmp_path / "a.gif"
    result = cli("animate", *squares_args, "-o", out, "--fps", "2")
    assert result.exit_code == 0, result.output
    gif = Image.open(out)
    assert gif.n_frames == 3  # SQUARES_LOG has rows on 2020-01-01, 2020-02-01 and 2020-03-01
    assert gif.info["duration"] == 500
    frames = []
    for k in range(gif.n_frames):
        gif.seek(k)
        frames.append(gif.copy())
    assert len({f.tobytes() for f in frames}) == 3  # each date draws differently


def test_frames_are_the_maps_of_their_dates(squares):
    """A frame is map --date: the palette colours of the controllers present on that date (see plots.actor_colours)."""
    from conflictmap.plots import actor_colours

    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    first, last = (Image.open(io.BytesIO(png)) for png in render(ds, [ds.dates[0], ds.dates[-1]], workers=1))
    palette = {a: c.lower() for a, c in actor_colours(ds, ["government", "rebels", "kurdish forces"]).items()}
    # 2020-01-01: A and B rebels, C and D government; 2020-03-01: nobody is rebel-held any more.
    assert palette["rebels"] in colours(first) and palette["government"] in colours(first)
    assert palette["rebels"] not in colours(last)


def test_same_bytes_twice_and_bad_requests(cli, squares_args, tmp_path):
    a, b = tmp_path / "a.gif", tmp_path / "b.gif"
    assert cli("animate", *squares_args, "-o", a).exit_code == 0
    assert cli("animate", *squares_args, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert cli("animate", *squares_args, "-o", tmp_path / "a.mp4").exit_code == 2
    assert cli("animate", *squares_args, "-o", tmp_path / "c.gif", "--fps", "0").exit_code == 2

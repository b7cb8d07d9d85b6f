"""map --bbox and the inset locator (conflictmap.mapview): the rule, the overview's content, names kept in view."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conflictmap.dataset import load_dataset
from conflictmap.errors import UsageError
from conflictmap.mapview import parse_bbox, view_share, wants_inset
from conflictmap.plots import actor_colours, map_figure
from conflictmap.project import Inputs
from tests.helpers import ukraine_overlay

# The four 0.01-degree squares (tests/conftest.py): A at 0-0.01, 0-0.01; their extent 0-0.02 both ways.
ONE_SQUARE = "0,0,0.009,0.009"  # 0.009² / 0.02² = 20% of the extent: under the quarter of the rule


def colour_pixels(path, hex_colour) -> int:
    rgb = np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)])
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    return int((np.abs(image - rgb).max(axis=2) <= 2).sum())


def test_the_rule_by_hand():
    extent = (0, 0, 0.02, 0.02)
    assert view_share((0, 0, 0.01, 0.01), extent) == pytest.approx(0.25)
    assert view_share((-1, -1, 1, 1), extent) == 1  # a view larger than the districts shows all of them
    assert not wants_inset(None, (0, 0, 0.01, 0.01), extent, True)  # a quarter exactly: no inset
    assert wants_inset(None, (0, 0, 0.009, 0.009), extent, True)
    assert not wants_inset(None, extent, extent, False)  # the whole map never needs one
    assert wants_inset(True, extent, extent, True) and not wants_inset(False, (0, 0, 0.001, 0.001), extent, True)


def test_inset_shows_the_districts_out_of_view_and_the_views_box(squares):
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    view = parse_bbox(ONE_SQUARE)
    fig = map_figure(ds, ds.dates[0], bbox=view)
    assert len(fig.axes) == 2
    main, inset = fig.axes
    assert main.get_xlim() == (0, 0.009) and main.get_ylim() == (0, 0.009)
    (x0, x1), (y0, y1) = inset.get_xlim(), inset.get_ylim()
    assert x0 < 0 and x1 > 0.02 and y0 < 0 and y1 > 0.02  # all four squares
    from matplotlib.patches import Rectangle

    boxes = [p for p in inset.patches if isinstance(p, Rectangle)]
    assert [tuple(np.round(b.get_bbox().bounds, 9)) for b in boxes] == [(0, 0, 0.009, 0.009)]
    assert len(map_figure(ds, ds.dates[0], bbox=view, inset=False).axes) == 1


def test_inset_in_the_picture(cli, squares, squares_args, tmp_path):
    """On 2020-01-01 A is rebel, C and D government: with a view of A alone, government's colour is in the
    legend's swatch only, unless the inset shows C and D."""
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    government = actor_colours(ds, ["government", "rebels", "kurdish forces"])["government"]
    with_inset, without = tmp_path / "a.png", tmp_path / "b.png"
    args = ["map", *squares_args, "--date", "2020-01-01", "--bbox", ONE_SQUARE]
    assert cli(*args, "-o", with_inset).exit_code == 0 and cli(*args, "--no-inset", "-o", without).exit_code == 0
    swatch = colour_pixels(without, government)
    assert swatch < 1500  # the legend's swatch
    assert colour_pixels(with_inset, government) > swatch + 2000  # C and D in the overview
    again = tmp_path / "c.png"
    assert cli(*args, "-o", again).exit_code == 0 and again.read_bytes() == with_inset.read_bytes()


def test_names_stay_inside_the_view():
    """Labels on a zoomed map are inside the map's frame (a name cut by the edge reads as another name)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from conflictmap.project import resolve

    ds = load_dataset(resolve(Inputs()))
    fig = map_figure(ds, None, bbox=parse_bbox("37.13,36.18,37.19,36.23"), labels=40)
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    frame = ax.get_window_extent()
    names = set(ds.districts["name"])
    placed = [t for t in ax.texts if t.get_text() in names]
    assert len(placed) >= 10
    for text in placed:
        box = text.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text.get_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bbox", "1,2,3"], "four numbers W,S,E,N"),
        (["--bbox", "0.02,0,0.01,0.01"], "west < east"),
        (["--bbox", "10,10,11,11"], "shows none of the districts"),
        (["--inset"], "give --bbox"),
    ],
)
def test_bad_views_are_usage_errors(cli, squares_args, tmp_path, args, message):
    out = tmp_path / "m.png"
    result = cli("map", *squares_args, *args, "-o", out)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert not out.exists()


def test_parse_bbox_reads_w_s_e_n():
    assert parse_bbox(" 37.1, 36.1 ,37.2,36.3") == (37.1, 36.1, 37.2, 36.3)
    with pytest.raises(UsageError):
        parse_bbox("a,b,c,d")


def test_zoomed_map_of_the_bundled_sample(cli, tmp_path):
    out = tmp_path / "old-city.png"
    result = cli("map", "--bbox", "37.13,36.18,37.19,36.23", "--labels", "20", "-o", out)
    assert result.exit_code == 0, result.output
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape[1] == 1500 and 1000 < image.shape[0] < 1600
    assert (image < 200).any(axis=2).mean() > 0.3  # districts fill the zoomed frame


def test_zoomed_map_of_the_ukraine_overlay_has_its_inset(cli, shared_data, tmp_path):
    """Donbas from the raions overlaid with a DeepState snapshot: the overview adds Ukraine's colour (the west)."""
    log, ukraine = ukraine_overlay(cli, shared_data, tmp_path)
    from conflictmap.plots import CONVENTIONAL

    args = ["map", "-d", ukraine / "adm1-oblasts.geojson", "-c", log, "--bbox", "36.5,46.8,40.3,49.6"]
    with_inset, without = tmp_path / "a.png", tmp_path / "b.png"
    assert cli(*args, "-o", with_inset).exit_code == 0 and cli(*args, "--no-inset", "-o", without).exit_code == 0
    blue = CONVENTIONAL["ukraine"]
    assert colour_pixels(with_inset, blue) > colour_pixels(without, blue) + 3000


def test_view_options_are_for_pictures_not_the_interactive_map(cli, squares_args, tmp_path):
    result = cli("map", *squares_args, "--bbox", ONE_SQUARE, "-o", tmp_path / "m.html")
    assert result.exit_code == 2 and "--bbox" in result.stderr and "interactive map" in result.stderr

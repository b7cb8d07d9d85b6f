"""Charts and maps: files exist, have the expected size, are not blank, and use the actors' colours."""

import datetime as dt

import numpy as np
import pytest

from conflictmap.dataset import load_dataset
from conflictmap.errors import InputError, UsageError
from conflictmap.plots import CONTESTED_FACE, PALETTE, UNKNOWN_FACE, actor_colours, control_map, output_format, timeline_chart
from conflictmap.project import Inputs
from conflictmap.timeline import timeline

D = dt.date
COLOURS = {"government": "#b2182b", "rebels": "#2c7a3f", "kurdish forces": "#e6a117"}
MAP_HEIGHTS = (750, 1500)  # the map's height follows the districts' shape (5 to 10 inches)
ACTORS_TOML = "".join(f'[actors."{name}"]\ncolour = "{colour}"\n' for name, colour in COLOURS.items())


@pytest.fixture
def ds(squares, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text(ACTORS_TOML)
    return load_dataset(Inputs(districts=squares["districts"], control=squares["control"], actors=str(actors)))


def pixels(path):
    from matplotlib.image import imread

    return (imread(path)[:, :, :3] * 255).round().astype(int)


def has_colour(image, hex_colour: str, at_least: int = 50) -> bool:
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return int((np.abs(image - rgb).sum(axis=2) <= 3).sum()) >= at_least


def assert_report_picture(path, width, heights):
    assert path.stat().st_size > 20_000  # a real picture, not an empty canvas (~5 kB)
    image = pixels(path)
    assert image.shape[1] == width  # 10 inches at 150 dpi
    assert heights[0] <= image.shape[0] <= heights[1]
    not_white = (image < 250).any(axis=2).mean()
    assert 0.15 < not_white < 0.95, not_white
    return image


def test_map_png_shows_controllers_contested_and_split(ds, tmp_path):
    # 2020-02-15: C, D government; A contested; B split government 0.5 / kurdish forces 0.5 (hatched).
    out = tmp_path / "map.png"
    control_map(ds, D(2020, 2, 15), out)
    image = assert_report_picture(out, 1500, MAP_HEIGHTS)
    assert has_colour(image, COLOURS["government"], 10_000)  # C and D fill a large part of the map
    assert has_colour(image, CONTESTED_FACE, 1_000)
    assert has_colour(image, COLOURS["kurdish forces"])  # hatch over B and the legend patch
    assert not has_colour(image, COLOURS["rebels"], 1)  # rebels hold nothing on that date: not drawn


def test_map_with_baseline_outline(ds, tmp_path):
    out = tmp_path / "map.png"
    control_map(ds, D(2020, 3, 1), out, D(2020, 1, 1), ["rebels"], "rebels")
    image = assert_report_picture(out, 1500, MAP_HEIGHTS)
    assert has_colour(image, "#222222", 500)  # the dark outline of A and B


def test_map_baseline_actor_without_districts(ds, tmp_path):
    with pytest.raises(InputError, match="held no district"):
        control_map(ds, D(2020, 3, 1), tmp_path / "map.png", D(2019, 1, 1), ["rebels"], "rebels")
    assert not (tmp_path / "map.png").exists()


def test_timeline_png_uses_actor_colours(ds, tmp_path):
    out = tmp_path / "timeline.png"
    table = timeline(ds, D(2019, 12, 25), D(2020, 3, 10), "1d")
    timeline_chart(ds, table, out, "area_km2")
    image = assert_report_picture(out, 1500, (780, 780))
    for actor in ("government", "rebels", "kurdish forces"):
        assert has_colour(image, COLOURS[actor], 500), actor
    assert has_colour(image, UNKNOWN_FACE, 500)  # before the first row everything is unknown


def test_svg_output(ds, tmp_path):
    out = tmp_path / "map.svg"
    control_map(ds, None, out)
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "Control on 2020-03-01" in text  # text stays text; the default date is the last of the log


def test_unknown_picture_format(tmp_path):
    with pytest.raises(UsageError, match=r"\.png or \.svg"):
        output_format(tmp_path / "map.jpeg")


def test_never_overwrites_an_input(squares, tmp_path):
    log = tmp_path / "log.png"  # a control log with an odd name: still an input
    log.write_text(open(squares["control"]).read())
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log)))
    before = log.read_bytes()
    with pytest.raises(UsageError, match="also an input"):
        control_map(ds, None, log)
    assert log.read_bytes() == before


def test_default_colours_are_distinct_and_avoid_file_colours(ds):
    colours = actor_colours(ds, ["government", "rebels", "kurdish forces", "islamic state", "contested", "unknown"])
    assert colours["government"] == COLOURS["government"]
    assert colours["islamic state"] in PALETTE
    assert len(set(colours.values())) == 6
    assert colours["contested"] != colours["unknown"]


def test_without_actors_file_every_actor_gets_a_palette_colour(squares):
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    colours = actor_colours(ds, ["government", "rebels", "kurdish forces"])
    assert len({colours[a] for a in ("government", "rebels", "kurdish forces")}) == 3
    assert all(colours[a] in PALETTE for a in ("government", "rebels", "kurdish forces"))


def test_bad_colour_in_actors_file_is_an_input_error(squares, tmp_path):
    # Checked when the actors file is read, so validate and every command see it, not only the map.
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.government]\ncolour = "reddish"\n[actors.rebels]\n[actors."kurdish forces"]\n')
    with pytest.raises(InputError, match=r"\[actors.government\] colour: 'reddish' is not a colour"):
        load_dataset(Inputs(districts=squares["districts"], control=squares["control"], actors=str(actors)))


def test_count_is_one_function_for_maps_and_reports():
    # 2.001 districts shows as 2 (two decimals at most, no dangling point), 2.5 as 2.5, thousands grouped.
    from conflictmap import plots, report

    assert report.count is plots.count
    assert [plots.count(v) for v in (2.001, 2.5, 1234.0, 1.0)] == ["2", "2.5", "1,234", "1"]


def test_map_uses_the_shared_main_holder():
    # The map's fill and hatch come from frontline.main_holder(second=True), not a copy of it.
    from conflictmap import frontline, plots

    assert plots.main_holder is frontline.main_holder and not hasattr(plots, "_layers")

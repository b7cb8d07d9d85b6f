"""Charts and maps: files exist, have the expected size, are not blank, and use the actors' colours."""

import datetime as dt

import numpy as np
import pytest

from conflictmap.dataset import load_dataset
from conflictmap.errors import InputError, UsageError
from conflictmap.plots import (
    CONTESTED_FACE,
    PALETTE,
    UNKNOWN_FACE,
    actor_colours,
    control_map,
    output_format,
    timeline_chart,
    timeline_figure,
)
from conflictmap.project import Inputs
from conflictmap.timeline import timeline
from tests.helpers import base

D = dt.date
COLOURS = {"government": "#b2182b", "rebels": "#2c7a3f", "kurdish forces": "#e6a117"}
MAP_HEIGHTS = (750, 1500)  # the map's height follows the districts' shape (5 to 10 inches)
ACTORS_TOML = "".join(f'[actors."{name}"]\ncolour = "{colour}"\n' for name, colour in COLOURS.items())


@pytest.fixture
def coloured(squares, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text(ACTORS_TOML)
    return load_dataset(Inputs(districts=squares["districts"], control=squares["control"], actors=str(actors)))


def pixels(path):
    from matplotlib.image import imread

    return (imread(path)[:, :, :3] * 255).round().astype(int)


def has_colour(image, hex_colour: str, at_least: int = 50) -> bool:
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return int((np.abs(image - rgb).sum(axis=2) <= 3).sum()) >= at_least


def assert_report_picture(path, width, heights):
    assert path.stat().st_size > 20_000  # a real picture, not an empty canvas (~5 kB)
    image = pixels(path)
    assert image.shape[1] == width  # 10 inches at 150 dpi
    assert heights[0] <= image.shape[0] <= heights[1]
    not_white = (image < 250).any(axis=2).mean()
    assert 0.15 < not_white < 0.95, not_white
    return image


def test_map_png_shows_controllers_contested_and_split(coloured, tmp_path):
    # 2020-02-15: C, D government; A contested; B split government 0.5 / kurdish forces 0.5 (hatched).
    out = tmp_path / "map.png"
    control_map(coloured, D(2020, 2, 15), out)
    image = assert_report_picture(out, 1500, MAP_HEIGHTS)
    assert has_colour(image, COLOURS["government"], 10_000)  # C and D fill a large part of the map
    assert has_colour(image, CONTESTED_FACE, 1_000)
    assert has_colour(image, COLOURS["kurdish forces"])  # hatch over B and the legend patch
    # Rebels hold nothing on that date: not on the map (its left two thirds; the legend is on the right) ...
    assert not has_colour(image[:, :1000], COLOURS["rebels"], 1)
    assert has_colour(image[:, 1000:], COLOURS["rebels"], 100)  # ... but in the legend, with 0 (see below)


def test_map_legend_lists_every_row_of_the_share_table(coloured):
    """As share and the HTML map: actors holding nothing that day, contested and unknown, with 0, never dropped."""
    from conflictmap.figures import shares
    from conflictmap.plots import map_figure

    fig = map_figure(coloured, D(2020, 3, 1))  # SQUARES_LOG: A government, so nobody is rebel-held, none contested
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    names = [text.split("\n")[0] for text in legend if not text.startswith("split district")]  # B is split
    assert sorted(names) == sorted(shares(coloured, D(2020, 3, 1))["actor"])
    assert names[-2:] == ["contested", "unknown"]
    assert legend[names.index("rebels")].startswith("rebels\n0 districts (0.0%)")


def test_map_with_baseline_outline(coloured, tmp_path):
    out = tmp_path / "map.png"
    control_map(coloured, D(2020, 3, 1), out, base(D(2020, 1, 1), "rebels", label="rebels"))
    image = assert_report_picture(out, 1500, MAP_HEIGHTS)
    assert has_colour(image, "#222222", 500)  # the dark outline of A and B


def test_map_baseline_actor_without_districts(coloured, tmp_path):
    with pytest.raises(InputError, match="held no district"):
        control_map(coloured, D(2020, 3, 1), tmp_path / "map.png", base(D(2019, 1, 1), "rebels", label="rebels"))
    assert not (tmp_path / "map.png").exists()


def test_timeline_png_uses_actor_colours(coloured, tmp_path):
    out = tmp_path / "timeline.png"
    table = timeline(coloured, D(2019, 12, 25), D(2020, 3, 10), "1d")
    timeline_chart(coloured, table, out, "area_km2")
    image = assert_report_picture(out, 1500, (780, 780))
    for actor in ("government", "rebels", "kurdish forces"):
        assert has_colour(image, COLOURS[actor], 500), actor
    assert has_colour(image, UNKNOWN_FACE, 500)  # before the first row everything is unknown


def test_svg_output(coloured, tmp_path):
    out = tmp_path / "map.svg"
    control_map(coloured, None, out)
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


def test_default_colours_are_distinct_and_avoid_file_colours(coloured):
    colours = actor_colours(coloured, ["government", "rebels", "kurdish forces", "faction x", "contested", "unknown"])
    assert colours["government"] == COLOURS["government"]
    assert colours["faction x"] in PALETTE
    assert len(set(colours.values())) == 6
    assert colours["contested"] != colours["unknown"]


def test_without_actors_file_well_known_actors_get_conventional_colours(squares):
    from conflictmap.plots import CONVENTIONAL

    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    colours = actor_colours(ds, ["government", "rebels", "kurdish forces", "islamic state", "faction x"])
    # The documented table: government red, rebels green, Kurdish forces yellow, IS dark grey; others the palette.
    assert [colours[a] for a in ("government", "rebels", "kurdish forces", "islamic state")] == [
        CONVENTIONAL["government"],
        CONVENTIONAL["rebels"],
        CONVENTIONAL["kurdish forces"],
        CONVENTIONAL["islamic state"],
    ]
    assert colours["faction x"] in PALETTE
    two_reds = actor_colours(ds, ["government", "russia"])  # both red by convention: the second takes the palette
    assert two_reds["government"] != two_reds["russia"]


def test_bad_colour_in_actors_file_is_an_input_error(squares, tmp_path):
    # Checked when the actors file is read, so validate and every command see it, not only the map.
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.government]\ncolour = "reddish"\n[actors.rebels]\n[actors."kurdish forces"]\n')
    with pytest.raises(InputError, match=r"\[actors.government\] colour: 'reddish' is not a colour"):
        load_dataset(Inputs(districts=squares["districts"], control=squares["control"], actors=str(actors)))


def test_count_is_one_function_for_maps_and_reports():
    # 2.001 districts shows as 2 (two decimals at most, no dangling point), 2.5 as 2.5, thousands grouped.
    from conflictmap import plots, report, text

    assert report.count is plots.count is text.count
    assert [text.count(v) for v in (2.001, 2.5, 1234.0, 1.0)] == ["2", "2.5", "1,234", "1"]


def test_map_uses_the_shared_main_holder():
    # The map's fill and hatch come from frontline.main_holder(second=True), not a copy of it.
    from conflictmap import frontline, plots

    assert plots.main_holder is frontline.main_holder and not hasattr(plots, "_layers")


# -- labels that cannot be misread, the baseline's universe, margins -------------------------------------------


def test_date_labels_name_the_month_on_every_tick():
    from conflictmap.plots import date_labels

    days = [D(2016, 11, 15), D(2016, 11, 22), D(2016, 12, 1), D(2016, 12, 8), D(2017, 1, 5)]
    assert date_labels(days) == ["15 Nov 2016", "22 Nov", "1 Dec", "8 Dec", "5 Jan 2017"]
    assert date_labels([D(2016, 11, 1), D(2016, 12, 1), D(2017, 1, 1)]) == ["Nov 2016", "Dec", "Jan 2017"]
    assert date_labels([D(2015, 1, 1), D(2016, 1, 1)]) == ["2015", "2016"]


def test_chart_ticks_are_day_and_month(coloured):
    # The squares' log spans 2020-01-01 .. 2020-03-01: ticks inside January and February, e.g. "8 Jan", "1 Feb".
    import re

    from conflictmap.plots import timeline_figure

    fig = timeline_figure(coloured, timeline(coloured), "districts")
    drawn(fig)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 4
    assert all(re.fullmatch(r"\d{1,2} (Jan|Feb|Mar)( 2020)?", label) for label in labels), labels
    assert labels[0].endswith(" 2020") and not any(label.endswith(" 2020") for label in labels[1:])


def figure_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def drawn(fig):
    """The figure laid out and drawn by Agg, and its renderer (for the window extents of artists)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_baseline_chart_footer_names_its_universe(coloured):
    # On 2020-01-01 rebels held A and B: 2 of the 4 squares are the chart's 100%.
    from conflictmap.plots import timeline_figure

    table = timeline(coloured, baseline=base(D(2020, 1, 1), "rebels"))
    fig = timeline_figure(coloured, table, "districts", base(D(2020, 1, 1), "rebels"))
    footers = [t for t in figure_texts(fig) if "data:" in t]
    assert footers and footers[0].startswith("100% = 2 districts held by rebels on 2020-01-01, of 4 districts in all")


def test_chart_footer_is_below_the_date_labels(coloured):
    from conflictmap.plots import timeline_figure

    fig = timeline_figure(coloured, timeline(coloured), "districts")
    renderer = drawn(fig)
    footer = next(t for t in fig.findobj(lambda a: hasattr(a, "get_text")) if "data:" in t.get_text())
    lowest_tick = min(t.get_window_extent(renderer).y0 for t in fig.axes[0].get_xticklabels() if t.get_text())
    assert footer.get_window_extent(renderer).y1 < lowest_tick  # display y grows upwards
    assert footer.get_window_extent(renderer).y0 >= 0  # and on the page


def test_map_margins_and_scale_bar_clear_of_the_districts(coloured):
    # The four 0.01° squares: a small map, where the scale bar used to touch the polygons.
    from conflictmap.plots import SCALE_BAR_GAP, map_figure

    fig = map_figure(coloured, D(2020, 3, 1), base(D(2020, 1, 1), "rebels", label="rebels"))
    renderer = drawn(fig)
    ax = fig.axes[0]
    points = fig.dpi / 72
    districts_bottom = ax.collections[0].get_window_extent(renderer).y0
    bar = [line for line in ax.lines if line.get_linewidth() == 2.5][0]
    label = next(t for t in ax.texts if t.get_text().endswith(" km"))
    for artist in (bar, label):
        assert artist.get_window_extent(renderer).y1 <= districts_bottom - 0.5 * SCALE_BAR_GAP * points
    # The subtitle (what the outline shows) starts as far in as the title, not at the page's edge.
    texts = fig.findobj(lambda a: hasattr(a, "get_text"))
    subtitle = next(t for t in texts if t.get_text().startswith("Outlined:"))
    title_x = next(t for t in texts if t.get_text() == "Control on 2020-03-01").get_window_extent(renderer).x0
    assert subtitle.get_window_extent(renderer).x0 >= title_x - 2
    assert title_x >= 0.15 * fig.dpi  # at least 0.15 inch from the left edge


def test_a_long_footer_wraps_instead_of_squeezing_the_chart(squares, tmp_path):
    # A data file with a very long name: the footer goes on two lines; the chart keeps its width.
    import shutil

    from conflictmap.plots import timeline_figure

    long_name = tmp_path / ("aleppo-neighbourhoods-" * 5 + "2016.geojson")
    shutil.copy(squares["districts"], long_name)
    widths, footers = [], []
    for districts in (squares["districts"], str(long_name)):
        ds = load_dataset(Inputs(districts=districts, control=squares["control"]))
        fig = timeline_figure(ds, timeline(ds), "area_km2")
        renderer = drawn(fig)
        widths.append(fig.axes[0].get_window_extent(renderer).width)
        footers.append(next(t for t in figure_texts(fig) if "data:" in t))
    assert len(footers[0].splitlines()) == 1
    assert len(footers[1].splitlines()) > 1 and all(len(line) <= 150 for line in footers[1].splitlines())
    assert widths[1] == pytest.approx(widths[0], abs=1)


def test_footer_says_what_the_bundled_sample_is(squares):
    from conflictmap.plots import _footnote
    from conflictmap.project import sample_inputs

    sample = load_dataset(sample_inputs())
    assert "bundled Aleppo 2016 sample" in _footnote(sample, "area_km2") and "CSR" in _footnote(sample, "area_km2")
    own = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    assert "squares.geojson" in _footnote(own, "districts") and "sample" not in _footnote(own, "districts")


def test_baseline_outline_goes_round_the_majority_districts_only(squares, tmp_path):
    # On 2020-01-01 the rebels hold A whole and 10% of B (a sliver); C and D are the government's.
    # The outline (linewidth 1.8) must go round A only (lon 0..0.01, lat 0..0.01), not through B.
    from conflictmap.plots import map_figure

    log = tmp_path / "sliver.csv"
    log.write_text(
        "date,district,controller,share\n2020-01-01,A,rebels,\n2020-01-01,B,rebels,0.1\n"
        "2020-01-01,B,government,0.9\n2020-01-01,C,government,\n2020-01-01,D,government,\n"
    )
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log)))
    fig = map_figure(ds, D(2020, 1, 1), base(D(2020, 1, 1), "rebels", label="rebels"))
    outline = [line for line in fig.axes[0].lines if line.get_linewidth() == 1.8]
    xy = np.concatenate([line.get_xydata() for line in outline])
    assert xy[:, 0].min() == pytest.approx(0.0, abs=1e-6) and xy[:, 0].max() == pytest.approx(0.01, abs=1e-6)
    assert xy[:, 1].min() == pytest.approx(0.0, abs=1e-6) and xy[:, 1].max() == pytest.approx(0.01, abs=1e-6)
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "districts where rebels held the majority" in legend


def test_lines_style_fits_the_y_axis_to_the_data(coloured):
    # By hand from the fixture log: every share by count lies between 0% and 50% once contested and
    # kurdish forces appear, and the government goes from 50% to 100%: lines of 0..100 would fill the axis,
    # so take the district measure of the government alone through a small table.
    table = timeline(coloured)
    gov = table[table["actor"] == "government"]
    fig = timeline_figure(coloured, gov, "districts", style="lines")
    low, high = fig.axes[0].get_ylim()
    shown = gov["districts_pct"]
    span = shown.max() - shown.min()
    assert low == pytest.approx(max(0, shown.min() - 0.1 * span)) and high == pytest.approx(
        min(100, shown.max() + 0.1 * span)
    )
    assert [line.get_color() for line in fig.axes[0].lines] == [actor_colours(coloured, ["government"])["government"]]
    with pytest.raises(UsageError):
        timeline_figure(coloured, gov, "districts", style="columns")


def test_map_labels_title_and_credit(coloured):
    from conflictmap.plots import map_figure

    fig = map_figure(coloured, D(2020, 2, 15), title="Squares $1 and $2", credit="Data: s1, s2", labels=3)
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.texts if t.get_text() in ("Alpha", "Beta", "Gamma", "Delta")]
    # The four squares are equal in area: the three first by area (a stable sort keeps file order) are labelled.
    assert 1 <= len(names) <= 3
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in names]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # '$' drawn as a dollar, not mathtext, and without a backslash (the SVG text is what was given).
    assert fig._suptitle.get_text() == "Squares $1 and $2 (2020-02-15)" and not fig._suptitle.get_parse_math()
    import io

    import matplotlib

    from conflictmap.plots import literal_text

    literal_text(fig)
    svg = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(svg, format="svg")
    assert ">Squares $1 and $2 (2020-02-15)<" in svg.getvalue().decode("utf-8")
    assert any("Data: s1, s2" in t.get_text() for t in fig.texts)


def test_map_legend_says_which_districts_no_row_covers_yet(squares, tmp_path):
    from conflictmap.plots import map_figure

    log = tmp_path / "one.csv"
    log.write_text(
        "date,district,controller\n2020-01-01,A,government\n"
    )  # B, C and D have no row: the initial holder's
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log), initial="rebels"))
    legend = " ".join(t.get_text() for t in map_figure(ds, D(2020, 1, 1)).legends[0].get_texts())
    assert "3 districts with no log row yet" in legend and "held by rebels, the initial holder" in legend


def test_changes_style_draws_each_periods_gains_and_losses(coloured):
    # The squares log: each bar is an actor's area on one date minus the date before (timeline's own figures),
    # so the bars of an actor add up to its last area minus its first.
    table = timeline(coloured)
    fig = timeline_figure(coloured, table, "area_km2", style="changes")
    bars = [p for p in fig.axes[0].patches]
    colours = actor_colours(coloured, list(table["actor"]))
    for actor in ("government", "rebels"):
        own = [b.get_height() for b in bars if np.allclose(b.get_facecolor()[:3], _rgb(colours[actor]))]
        series = table[table["actor"] == actor].sort_values("date")["area_km2"].to_numpy()
        assert sum(own) == pytest.approx(series[-1] - series[0], abs=1e-9)
    assert fig._suptitle.get_text() == "Gained and lost per period (km²)"


def _rgb(colour):
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def test_bars_style_stacks_each_dates_shares(coloured):
    # The squares' log (SQUARES_LOG) by hand: on 2020-02-01 A contested, B government 0.5 / kurdish forces 0.5,
    # C and D government: government 62.5%, kurdish forces 12.5%, contested 25% of the districts.
    table = timeline(coloured)
    fig = timeline_figure(coloured, table, "districts", style="bars")
    bars = [p for p in fig.axes[0].patches if p.get_height() > 0]
    dates = sorted(set(table["date"]))
    assert len({round(b.get_x(), 6) for b in bars}) == len(dates)  # one stack per date
    feb = [b for b in bars if round(b.get_x()) == round(np.datetime64(D(2020, 2, 1), "D").astype(float))]
    assert sorted(round(b.get_height(), 9) for b in feb) == [12.5, 25.0, 62.5]
    assert max(b.get_y() + b.get_height() for b in feb) == pytest.approx(100)


def test_a_long_baseline_subtitle_wraps_between_actors_and_keeps_them_all(tmp_path):
    import json

    from conflictmap.plots import map_figure
    from tests.helpers import square

    # 12 squares held by rebels on 01-01; on 02-01 eleven of them go one each to eleven actors with long
    # names, so each actor has 1 of 12 (8.3%) and the rebels keep the last one (8.3%).
    actors = [f"armed group number {k} of the northern front" for k in range(10)] + ["contested"]
    features = [
        {"type": "Feature", "properties": {"id": f"D{i}"}, "geometry": square(i % 4 * 0.01, i // 4 * 0.01, 0.01)}
        for i in range(12)
    ]
    (tmp_path / "d.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    log = ["date,district,controller"] + [f"2020-01-01,D{i},rebels" for i in range(12)]
    log += [f"2020-02-01,D{i},{actor}" for i, actor in enumerate(actors)]
    (tmp_path / "c.csv").write_text("\n".join(log) + "\n")
    ds = load_dataset(Inputs(districts=str(tmp_path / "d.geojson"), control=str(tmp_path / "c.csv")))
    subtitle = map_figure(ds, D(2020, 2, 1), base(D(2020, 1, 1), "rebels")).axes[0].get_title(loc="left")
    lines = subtitle.split("\n")
    assert len(lines) > 3 and all(len(line) <= 100 for line in lines)
    for actor in [*actors, "rebels"]:
        assert any(f"{actor} 8.3%" in line for line in lines)  # listed, and on one line
    assert subtitle.endswith("(by count)")


def test_the_date_locator_ticks_every_span_without_a_warning():
    # Matplotlib's own AutoDateLocator warns for 26-37 months at up to 5 ticks (the report's bare chart of
    # 2024-07-08..2026-08-22); ours must pick an interval for every span from a day to 11 years.
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from conflictmap.plots import date_locator

    start = np.datetime64("2024-07-08")
    fig, ax = plt.subplots()
    ax.plot([start, start + 4000], [0, 1])
    for days in [1, 2, 5, 30, 90, 364, 700, 776, 800, 1000, 1100, 1500, 4000]:
        for low, high in ((3, 5), (4, 10)):
            ax.set_xlim(start, start + days)
            locator = date_locator(low, high)
            ax.xaxis.set_major_locator(locator)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lo, hi = ax.get_xlim()
                ticks = [t for t in locator() if lo <= t <= hi]
            assert not caught, (days, high, [str(w.message) for w in caught])
            assert 2 <= len(ticks) <= high + 1, (days, high, len(ticks))
    plt.close(fig)


def test_names_with_tabs_and_bidi_overrides_are_drawn_visibly_without_a_missing_glyph(tmp_path):
    """No 'Glyph 9 missing from font' (a tab drew a box) and no reversed text (U+202E): escape.picture_text."""
    import warnings

    from conflictmap.plots import control_map
    from tests.helpers import odd_names_inputs

    districts, log = odd_names_inputs(tmp_path)
    ds = load_dataset(Inputs(districts=str(districts), control=str(log)))
    out = tmp_path / "m.svg"  # svg.fonttype none: the SVG keeps the drawn text as text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        control_map(ds, D(2020, 2, 1), out, labels=4)
    assert not [w for w in caught if "Glyph" in str(w.message)]
    svg = out.read_text(encoding="utf-8")
    assert ">line and tab<" in svg and "\t" not in svg  # the second line of A's label (a line break is kept)
    assert ">\\u202eRLO reversed\\u202c name<" in svg and "\u202e" not in svg
    assert ">$\\alpha$ math $5 and $6<" in svg  # and still no mathtext


def test_a_pages_legend_shows_control_characters_as_the_picture_does(squares, tmp_path):
    """legend_entries (the HTML report's legend beside its pictures): an actor's U+202E is shown as \\u202e."""
    from conflictmap.plots import legend_entries, map_picture

    log = tmp_path / "log.csv"
    log.write_text("date,district,controller\n2020-01-01,A,\u202eRLO\u202c\tside\n")
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log)))
    labels = [e["label"] for e in legend_entries(map_picture(ds, D(2020, 1, 1), bare=True)[1])]
    assert any(label.startswith("\\u202eRLO\\u202c side\n") for label in labels), labels
    assert not any("\u202e" in label or "\t" in label for label in labels)

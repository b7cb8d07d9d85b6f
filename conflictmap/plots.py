"""Pictures for reports: the timeline chart and the control map (matplotlib, Agg, no pyplot state).

matplotlib is imported inside the functions: the CLI's --help never pays for it.
Files are written atomically and never over an input.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .errors import InputError, UsageError
from .figures import pct_name
from .frontline import main_holder
from .names import name_key
from .project import SAMPLE_CREDIT, is_sample
from .escape import picture_text
from .io import atomic_path, check_not_input, text_of_path
from .baseline import Baseline
from .text import area, count, districts, people, percent, signed
from .tolerance import NOISE
from .model import CONTESTED, UNKNOWN
from .timeline import LAST

__all__ = [
    "control_map",
    "map_figure",
    "map_picture",
    "timeline_chart",
    "timeline_figure",
    "timeline_picture",
    "zones_chart",
    "actor_colours",
    "map_colours",
    "output_format",
    "save",
]

PICTURE_SUFFIXES = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
# tab10 without its grey: grey is kept for contested and unknown.
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]
# Colours readers of conflict maps expect, for actors the actors file gives none (matched by name key):
# government/regime and Russia red, Ukraine blue, Kurdish forces yellow, rebels/opposition green, IS dark grey.
CONVENTIONAL = {
    **dict.fromkeys(("government", "regime", "syrian government", "saa", "syrian arab army"), "#b2182b"),
    **dict.fromkeys(("russia", "russian forces", "russian federation", "russian army"), "#c62828"),
    **dict.fromkeys(("ukraine", "ukrainian forces", "ukrainian army", "afu"), "#1f5fbf"),
    **dict.fromkeys(("kurdish forces", "ypg", "sdf", "ypg/sdf", "kurds"), "#e6a117"),
    **dict.fromkeys(("rebels", "opposition", "fsa", "free syrian army", "armed opposition"), "#2c7a3f"),
    **dict.fromkeys(("islamic state", "isis", "isil", "daesh", "is"), "#3d3d3d"),
}
CONTESTED_FACE, CONTESTED_HATCH, CONTESTED_LINES = "#c4c4c4", "xxx", "#5a5a5a"
UNKNOWN_FACE, UNKNOWN_EDGE = "#f2f2f2", "#c8c8c8"
BORDER = "#ffffff"
MEASURE_WORDS = {"districts": "districts", "area_km2": "area", "population": "population"}
INK = "#222222"
# A second holder with less than this share is not hatched: a raion 97% one side's, its 3% sliver
# mostly coastline mismatch, drawn hatched would read as a contested band (the legend says so).
HATCH_MIN = 0.05


def output_format(path) -> str:
    """png/svg/pdf from the file name; anything else is a usage error."""
    fmt = PICTURE_SUFFIXES.get(Path(str(path)).suffix.lower())
    if not fmt:
        raise UsageError(f"{path}: unknown picture format; name the file .png or .svg (or .pdf)")
    return fmt


def actor_colours(ds: Dataset, actors) -> dict[str, str]:
    """Colours from the actors file; then the conventional colour of a well-known actor (CONVENTIONAL);
    the others get palette colours nobody uses yet, in a stable order."""
    return colours_for(ds.actors, actors, ds.inputs.actors)


def map_colours(ds: Dataset, state, table) -> dict[str, str]:
    """The colour the map of a date gives each actor: actor_colours of the actors in its shares `table`
    (figures.shares) and its `state` (figures.state_on). `export` fills its features with the same."""
    return actor_colours(ds, list(table["actor"]) + list(state["controller"]))


def colours_for(model, actors, source=None) -> dict[str, str]:
    """actor_colours for an Actors model (from `source`, the actors file, when there is one)."""
    given = _checked_colours(model, source)
    used = {c.lower() for c in given.values()}
    free = [c for c in PALETTE if c.lower() not in used] or PALETTE
    out = {CONTESTED: CONTESTED_FACE, UNKNOWN: UNKNOWN_FACE}
    known = [a for a in model.names if a in actors] + sorted(a for a in actors if a not in model.names)
    conventional = {name_key(k): c for k, c in CONVENTIONAL.items()}
    for actor in known:  # a conventional colour, unless the file or an earlier actor already uses it
        colour = conventional.get(name_key(actor))
        if actor not in out and actor not in given and colour and colour.lower() not in used:
            out[actor] = colour
            used.add(colour.lower())
    free = [c for c in free if c.lower() not in used] or PALETTE
    spare = iter(free * (len(known) // len(free) + 1))
    for actor in known:
        if actor in out:
            continue
        out[actor] = given.get(actor) or next(spare)
    return out


def _checked_colours(model, source=None) -> dict[str, str]:
    """The actors file's colours, each one matplotlib understands, or an InputError naming it."""
    if not model.colours:  # no file colours: matplotlib (0.15 s to import) is not needed, e.g. by export
        return {}
    from matplotlib.colors import is_color_like

    for actor, colour in model.colours.items():
        if not is_color_like(colour):
            raise InputError(
                f"{source or 'actors file'}: colour {colour!r} of {actor!r} is not a colour; "
                "write it as '#rrggbb' or a name such as 'darkred'"
            )
    return dict(model.colours)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=150, layout="constrained")
    fig.patch.set_facecolor("white")
    return fig


def save(fig, path, ds: Dataset) -> None:
    """Write the figure atomically, refusing to overwrite an input."""
    fmt = output_format(path)
    check_not_input(path, ds.inputs.paths())
    import matplotlib

    # No creation date and fixed SVG ids: the same data gives the same bytes (a cron job can diff them).
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    # SVG keeps its text as text (editable in Inkscape or Illustrator, searchable), not glyph outlines.
    settings = {"svg.fonttype": "none", "svg.hashsalt": "conflictmap"}
    literal_text(fig)
    with atomic_path(path) as tmp, matplotlib.rc_context(settings):
        fig.savefig(tmp, format=fmt, metadata=metadata, facecolor="white")


def literal_text(fig) -> None:
    """Every text of the figure drawn as written: names are text, never mathtext ('$5 and $6', a backslash),
    and their control characters visible (escape.picture_text: a tab, a bidi override). Called before the
    figure is drawn or measured (lay_out), so a label is measured as it is drawn; calling it again is harmless."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
        shown = picture_text(text.get_text())
        if shown != text.get_text():
            text.set_text(shown)


def lay_out(fig) -> None:
    """The figure laid out (text sizes measured) without drawing pixels: the literal text is what is measured."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    literal_text(fig)
    fig.draw_without_rendering()


# ---------------------------------------------------------------------------------------------- timeline


STYLES = ("stacked", "lines", "bars", "changes")


def timeline_figure(
    ds: Dataset, table, by: str = "districts", baseline: Baseline | None = None, style: str = "stacked"
):
    """Each actor's share (percent of the --by measure) over the timeline's dates: stacked step areas, or
    (style 'lines') one step line per actor on a y axis fitted to the data, so that 17.1 -> 18.3% shows, or
    (style 'bars') a stacked bar per date (for a few dates, e.g. --every 1m)."""
    return timeline_picture(ds, table, by, baseline, style)[0]


def timeline_picture(
    ds: Dataset,
    table,
    by: str = "districts",
    baseline: Baseline | None = None,
    style: str = "stacked",
    bare: bool = False,
):
    """(figure, legend handles, legend title) of timeline_figure; `bare` as for map_picture: the axes alone,
    BARE_WIDTH wide, BARE_FONT text, the legend, title and footer left to the page."""
    from matplotlib.patches import Patch

    baseline_actor = baseline.label if baseline else None
    baseline = baseline.date if baseline else None  # below: the baseline's date

    actors = list(dict.fromkeys(table["actor"]))
    dates = sorted(set(table["date"]))
    values = (
        table.pivot(index="date", columns="actor", values=pct_name(by)).reindex(index=dates, columns=actors).to_numpy()
    )
    x = _step_edges(dates)
    values = np.vstack([values, values[-1:]])  # the last state drawn for one step, else it has no width
    colours = actor_colours(ds, actors)

    if style not in STYLES:
        raise UsageError(f"--style {style!r}: choose one of {', '.join(STYLES)}")
    if style == "changes":
        return changes_figure(ds, table, by), [], ""
    fig = _figure(BARE_WIDTH, 3.5) if bare else _figure(10, 5.2)
    ax = fig.add_subplot()
    handles = []
    if style == "lines":
        for actor, column in zip(actors, values.T):
            if np.nanmax(np.abs(column)) > 0:  # an actor at 0% throughout would only flatten the axis
                ax.step(x, column, where="post", color=colours[actor], linewidth=2)
                handles.append(
                    _legend_patch(Patch, actor, colours[actor], f"{legend_name(actor)}  {percent(column[-1])}")
                )
    elif style == "bars":
        handles = _share_bars(ax, dates, values[:-1], actors, colours)
    else:
        layers = ax.stackplot(x, values.T, step="post", colors=[colours[a] for a in actors], linewidth=0)
        for actor, layer, column in zip(actors, layers, values.T):
            if actor == CONTESTED:
                layer.set_hatch(CONTESTED_HATCH)
                layer.set_edgecolor(CONTESTED_LINES)
            handles.append(_legend_patch(Patch, actor, colours[actor], f"{legend_name(actor)}  {percent(column[-1])}"))
    text = BARE_FONT if bare else 9
    if baseline is not None:
        ax.axvline(np.datetime64(baseline), color=INK, linestyle="--", linewidth=1.2)
        ax.annotate(
            f" baseline {baseline.isoformat()}",
            (np.datetime64(baseline), 100),
            fontsize=text - 1,
            color=INK,
            ha="left",
            va="bottom",
            annotation_clip=False,
        )
    label = _y_label(by, baseline, baseline_actor)
    _percent_axes(ax, x, textwrap.fill(label, 28) if bare else label, text)
    if style == "lines":
        _fit_y(ax, values)
    title = f"share on {dates[-1].isoformat()}"
    if bare:
        return fig, handles, title
    _chart_legend(fig, handles, title)
    fig.suptitle(_timeline_title(by, dates, baseline, baseline_actor), fontsize=12, color=INK, x=0.02, ha="left")
    universe = _universe(table, by, baseline, baseline_actor) if baseline is not None else None
    _footer(ax, _footnote(ds, by, universe=universe), below=24)  # under the date labels
    return fig, handles, title


def _share_bars(ax, dates, values, actors, colours) -> list:
    """A stacked bar of the actors' shares for each period: from its date, 80% of the way to the next (the
    last for the step of _step_edges), as the stacked areas draw a state until the next date; legend handles."""
    from matplotlib.patches import Patch

    edges = _step_edges(dates).astype("datetime64[s]").astype(float) / 86400  # days, matplotlib's date unit
    width = 0.8 * np.diff(edges)
    bottom = np.zeros(len(dates))
    handles = []
    for actor, column in zip(actors, np.nan_to_num(values.astype(float)).T):
        bars = ax.bar(edges[:-1], column, width, bottom=bottom, align="edge", color=colours[actor], linewidth=0)
        if actor == CONTESTED:
            for bar in bars:
                bar.set_hatch(CONTESTED_HATCH)
                bar.set_edgecolor(CONTESTED_LINES)
        bottom += column
        handles.append(_legend_patch(Patch, actor, colours[actor], f"{legend_name(actor)}  {percent(column[-1])}"))
    return handles


def _chart_legend(fig, handles, title: str) -> None:
    """A chart's legend, outside the axes on the right (the timeline and the changes charts)."""
    fig.legend(
        handles=handles,
        title=title,
        loc="outside right upper",
        frameon=False,
        fontsize=9,
        title_fontsize=9,
        alignment="left",
        borderaxespad=1.2,
    )


def _footer(ax, text: str, below: float) -> None:
    """The small print, `below` points under the axes, from the figure's left margin.

    An annotation of the axes (not a figure text) so that the constrained layout makes room for it.
    """
    ax.annotate(
        text,
        xy=(0.02, 0),
        xycoords=("figure fraction", "axes fraction"),
        xytext=(0, -below),
        textcoords="offset points",
        fontsize=7,
        color="#666666",
        ha="left",
        va="top",
        annotation_clip=False,
    )


def _universe(table, by: str, baseline: dt.date, actor: str) -> str:
    """'70 districts held by rebels on 2016-11-15': the 100% of a baseline chart (any date's rows add up to it)."""
    first = table[table["date"] == table["date"].iloc[0]]
    text = f"{count(first['districts'].sum())} districts held by {actor} on {baseline.isoformat()}"
    if by == "area_km2":
        text += f" ({area(first['area_km2'].sum())})"
    elif by == "population":
        text += f" ({people(first['population'].sum())} people)"
    return text


UNIT_WORDS = {"districts": "districts", "area_km2": "km²", "population": "people"}


def changes_figure(ds: Dataset, table, by: str = "area_km2"):
    """Bars of what each actor gained (up) and lost (down) in each period between the timeline's dates,
    in the --by measure: the chart posted monthly of DeepState-style maps (timeline --every 1m)."""
    from matplotlib.patches import Patch

    actors = [a for a in dict.fromkeys(table["actor"])]
    dates = sorted(set(table["date"]))
    if len(dates) < 2:
        raise UsageError("a chart of changes needs at least two dates; give a longer span or a shorter --every")
    values = (
        table.pivot(index="date", columns="actor", values=by).reindex(index=dates, columns=actors).to_numpy(dtype=float)
    )
    moved = np.diff(values, axis=0)  # per period (between consecutive dates) and actor
    shown = [i for i, a in enumerate(actors) if np.abs(moved[:, i]).max() > NOISE]
    colours = actor_colours(ds, actors)
    fig = _figure(10, 5.2)
    ax = fig.add_subplot()
    ends = np.asarray(dates[1:], dtype="datetime64[D]")
    span = np.diff(np.asarray(dates, dtype="datetime64[D]")).astype(float)
    width = np.maximum(span * 0.8 / max(len(shown), 1), 0.2)
    for k, i in enumerate(shown):
        offset = (k - (len(shown) - 1) / 2) * width
        ax.bar(
            ends.astype("datetime64[s]").astype(float) / 86400 + offset - span / 2,
            moved[:, i],
            width=width,
            color=colours[actors[i]],
            linewidth=0,
        )
    ax.axhline(0, color=INK, linewidth=0.8)

    ax.xaxis.set_major_locator(date_locator(4, 10))
    ax.xaxis.set_major_formatter(_date_formatter())
    ax.set_ylabel(f"{UNIT_WORDS[by]} gained (+) or lost (−) in the period", color=INK)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=9)
    handles = [
        _legend_patch(
            Patch, actors[i], colours[actors[i]], f"{actors[i]}  net {signed(moved[:, i].sum(), lambda v: f'{v:,.1f}')}"
        )
        for i in shown
    ]
    _chart_legend(fig, handles, f"{dates[0].isoformat()} to {dates[-1].isoformat()}")
    fig.suptitle(f"Gained and lost per period ({UNIT_WORDS[by]})", fontsize=12, color=INK, x=0.02, ha="left")
    _footer(ax, _footnote(ds, by), below=24)
    return fig


def zones_figure(table, actors, clip_name: str | None = None):
    """Each zone actor's km² over the snapshots (step lines, the y axis fitted to the data), and with a clip
    the percentage of it on a second axis: the series people quote ('18% of Ukraine')."""

    names = list(dict.fromkeys(table["actor"]))
    colours = colours_for(actors, names)
    fig = _figure(10, 5.2)
    ax = fig.add_subplot()
    for actor in names:
        rows = table[table["actor"] == actor].sort_values("date")
        days = np.asarray(rows["date"], dtype="datetime64[D]")
        ax.step(days, rows["area_km2"], where="post", color=colours[actor], linewidth=2, label=actor)
        ax.plot(days, rows["area_km2"], "o", color=colours[actor], markersize=3)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_ylabel("km² held" + (f" within {clip_name}" if clip_name else ""), color=INK)
    if "clip_pct" in table:
        share = ax.secondary_yaxis("right", functions=_pct_axis(table))
        share.set_ylabel(f"% of {clip_name}", color=INK)
        share.yaxis.set_major_formatter(lambda v, _: f"{v:.1f}%")
    ax.xaxis.set_major_locator(date_locator(4, 10))
    ax.xaxis.set_major_formatter(_date_formatter())
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines["top"].set_visible(False)
    ax.legend(frameon=False, fontsize=9, loc="best")
    dates = sorted(set(table["date"]))
    fig.suptitle(f"Zone areas, {dates[0]} to {dates[-1]}", fontsize=12, color=INK, x=0.02, ha="left")
    return fig


def _pct_axis(table):
    """km² <-> % of the clip, from the table's own ratio (clip_pct = area_km2 / clip km² × 100)."""
    held = table[table["area_km2"] > 0]
    ratio = float((held["clip_pct"] / held["area_km2"]).median()) if len(held) else 0.0
    return (lambda km2: km2 * ratio, lambda pct: pct / ratio if ratio else pct)


def zones_chart(table, path, actors, clip_name: str | None = None, inputs=()) -> None:
    """Write zones_figure atomically (never over an input)."""
    import matplotlib

    fmt = output_format(path)
    check_not_input(path, list(inputs))
    with atomic_path(path) as tmp, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "conflictmap"}):
        zones_figure(table, actors, clip_name).savefig(
            tmp,
            format=fmt,
            metadata={"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {}),
            facecolor="white",
        )


def _fit_y(ax, values) -> None:
    """A y range round the lines drawn (a tenth of their span either side, within 0-100%)."""
    shown = values[:, np.nanmax(np.abs(values), axis=0) > 0]
    low, high = float(np.nanmin(shown)), float(np.nanmax(shown))
    pad = max((high - low) * 0.1, 0.5)
    ax.set_ylim(max(0.0, low - pad), min(100.0, high + pad))


def _percent_axes(ax, x, label: str, fontsize: float = 9) -> None:
    """0-100% on y with a light grid, concise dates on x, no top or right frame."""

    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, 100)
    ax.set_ylabel(label, color=INK, fontsize=fontsize + 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    # Fewer ticks in big type: a bare chart is half as wide and its labels bigger.
    ax.xaxis.set_major_locator(date_locator(3, 5 if fontsize > 9 else 10))
    ax.xaxis.set_major_formatter(_date_formatter())
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=fontsize)


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_labels(days: list[dt.date]) -> list[str]:
    """Tick labels that cannot be misread: '15 Nov 2016', '22 Nov', '1 Dec' (the year on the first tick and
    where it changes); 'Nov 2016', 'Dec' for ticks on the 1st of months; '2016' for ticks on 1 January.
    English month names whatever the machine's locale."""
    if days and all(d.month == 1 and d.day == 1 for d in days):
        return [str(d.year) for d in days]
    monthly = all(d.day == 1 for d in days)
    labels = []
    for i, d in enumerate(days):
        text = MONTH_NAMES[d.month - 1] if monthly else f"{d.day} {MONTH_NAMES[d.month - 1]}"
        labels.append(text + f" {d.year}" if i == 0 or d.year != days[i - 1].year else text)
    return labels


def date_locator(minticks: int, maxticks: int):
    """Matplotlib's AutoDateLocator, able to tick every span from a day to decades.

    On its own, for 26 to 37 months at up to 5 ticks (the report's bare chart of DeepState's 2024-2026
    snapshots) it finds no month interval within its rule (interval × (maxticks − 1) must cover the
    span; its largest is 6), warns and falls back to 6. Allowing one more tick for months (6-monthly
    ticks over 26 months make 4 or 5) and a 12-month interval (up to 48 months, where yearly ticks take
    over at 3 years) leaves no span without an interval.
    """
    import matplotlib.dates as mdates

    every = mdates.AutoDateLocator().intervald  # one entry per frequency the locator tries
    most = {freq: maxticks for freq in every} | {mdates.MONTHLY: maxticks + 1}
    locator = mdates.AutoDateLocator(minticks=minticks, maxticks=most)
    locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]
    return locator


def _date_formatter():
    """A matplotlib formatter writing date_labels() (a day number alone, as in '15 22 Dec 08', reads as the wrong month)."""
    from matplotlib.dates import num2date
    from matplotlib.ticker import Formatter

    class DayMonth(Formatter):
        def __call__(self, x, pos=None):
            return date_labels([num2date(x).date()])[0]

        def format_ticks(self, values):
            return date_labels([num2date(v).date() for v in values])

    return DayMonth()


def _step_edges(dates) -> np.ndarray:
    """The dates and one more edge: the last state is drawn for a typical step, at most a tenth of the span
    (two snapshots two years apart would otherwise draw the last one for two years past its date)."""
    x = np.asarray(dates, dtype="datetime64[D]")
    step = np.median(np.diff(x)).astype("timedelta64[D]") if len(x) > 1 else np.timedelta64(1, "D")
    if len(x) > 1:
        step = min(step, ((x[-1] - x[0]) / 10).astype("timedelta64[D]"))
    return np.append(x, x[-1] + max(step, np.timedelta64(1, "D")))


LEGEND_WIDTH = 40  # characters a legend line may take before it is wrapped
LEGEND_LINES = 3  # lines an actor's name may take before it is cut with '…'


def legend_name(name: str) -> str:
    """An actor's name as the legend shows it: wrapped, and cut after LEGEND_LINES lines (a 170-character name
    would otherwise push the legend, and the map with it, off the page)."""
    import textwrap

    lines = textwrap.wrap(str(name), LEGEND_WIDTH, break_long_words=True) or [""]
    if len(lines) > LEGEND_LINES:
        lines = lines[:LEGEND_LINES]
        lines[-1] = lines[-1][: LEGEND_WIDTH - 1] + "…"
    return "\n".join(lines)


def _legend_patch(Patch, actor, colour, label):
    """An actor's legend key (its gid 'actor': a page's legend sets the name apart, see legend_entries)."""
    if actor == CONTESTED:
        return Patch(
            facecolor=colour, edgecolor=CONTESTED_LINES, hatch=CONTESTED_HATCH, linewidth=0, label=label, gid="actor"
        )
    return Patch(
        facecolor=colour,
        edgecolor=UNKNOWN_EDGE if actor == UNKNOWN else colour,
        linewidth=0.6,
        label=label,
        gid="actor",
    )


def _y_label(by: str, baseline, baseline_actor) -> str:
    unit = {"districts": "% of districts", "area_km2": "% of area (km²)", "population": "% of population"}[by]
    if baseline is not None:
        return f"{unit} held by {baseline_actor} on {baseline.isoformat()}"
    return unit


def _timeline_title(by: str, dates, baseline, baseline_actor) -> str:
    span = f"{dates[0].isoformat()} to {dates[-1].isoformat()}"
    if baseline is not None:
        return f"What {baseline_actor} held on {baseline.isoformat()}: who holds it, {span}"
    return f"Share of {MEASURE_WORDS[by]} held by each actor, {span}"


def _footnote(ds: Dataset, by: str, timeline: bool = True, universe: str | None = None) -> str:
    """What the chart covers; with a baseline, its universe first (the 100% is not every district)."""
    parts = [
        f"100% = {universe}, of {len(ds.districts)} districts in all" if universe else f"{len(ds.districts)} districts"
    ]
    if by == "area_km2":
        parts.append(f"{area(ds.districts['area_km2'].sum())} (geodesic, WGS84)")
    sources = [text_of_path(Path(p).name) for p in (ds.inputs.districts, ds.inputs.control) if p]
    if is_sample(ds.inputs.districts):
        parts.append("data: " + SAMPLE_CREDIT)
    elif sources:
        parts.append("data: " + ", ".join(sources))
    if timeline:
        parts.append("split districts count by share")
    return _lines(parts)


def _lines(parts: list[str], width: int = 150) -> str:
    """Parts joined by ' · ', a new line before a part that would pass `width` characters: a 10-inch page holds
    about 170 characters of 7-point text, and a longer footer would squeeze the chart to make room."""
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 3 + len(part) > width:
            lines.append(part)
        else:
            lines[-1] += " · " + part
    return "\n".join(lines)


def timeline_chart(
    ds: Dataset, table, path, by: str = "districts", baseline: Baseline | None = None, style: str = "stacked"
) -> None:
    """timeline_figure written to `path` (png, svg or pdf), atomically."""
    output_format(path)
    save(timeline_figure(ds, table, by, baseline, style), path, ds)


# ---------------------------------------------------------------------------------------------------- map


def _path(geom):
    """A matplotlib Path for a (Multi)Polygon, exteriors counter-clockwise and holes clockwise."""
    import shapely
    from matplotlib.path import Path as MPath

    vertices, codes = [], []
    for poly in shapely.get_parts(_oriented(geom)):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:  # an empty ring (a district with no land inside a land mask): nothing to draw
                continue
            vertices.append(xy)
            codes.append(np.r_[MPath.MOVETO, np.full(len(xy) - 2, MPath.LINETO), MPath.CLOSEPOLY])
    if not vertices:
        return MPath(np.zeros((0, 2)))
    return MPath(np.concatenate(vertices), np.concatenate(codes).astype(np.uint8))


def _oriented(geom):
    """Exteriors counter-clockwise, holes clockwise, so holes stay empty under any fill rule."""
    import shapely

    return shapely.orient_polygons(geom)  # shapely >= 2.1, as pyproject.toml requires


def map_figure(ds: Dataset, date: dt.date | None, *options, **keywords):
    """The control map (map_picture, with its options) with its legend, title and footer."""
    return map_picture(ds, date, *options, **keywords)[0]


BARE_WIDTH = 5.0  # inches: a bare picture (for a web page) shown ~380 px wide on a phone keeps 11-point text at 11 px
BARE_FONT = 11


def map_picture(
    ds: Dataset,
    date: dt.date | None,
    baseline: Baseline | None = None,
    title: str | None = None,
    credit: str | None = None,
    labels: int = 0,
    unsure=None,
    *,
    bbox=None,
    inset: bool | None = None,
    basemap=None,
    bare: bool = False,
):
    """(figure, legend handles): districts coloured by controller; split districts hatched in the second
    controller's colour.

    `bare`: the map alone, BARE_WIDTH wide, with no legend, title or footer: a web page writes those as
    text beside it (report_render.html_legend), legible on a phone where text inside a scaled picture is not.

    `title` replaces 'Control on DATE' (the date is kept after it), `credit` adds a source line to the
    footer, and `labels` names up to that many of the largest districts, skipping any whose name would
    overlap one already placed or leave its district. `bbox` (W, S, E, N) shows only that part, with an
    inset locator by mapview's rule (or `inset` True/False); `basemap` (a basemap.TileSource) draws its
    tiles under the districts, which are then drawn see-through (BASEMAP_ALPHA).
    """
    from .mapview import draw_inset, view_of, wants_inset
    from .figures import baseline_weights, shares, state_on

    date = date or ds.last_date
    weights = None
    if baseline is not None:
        weights = baseline_weights(ds, baseline.date, list(baseline.members))
    state = state_on(ds, date)
    first, _, second = main_holder(state, len(ds.districts), second=True, second_min=HATCH_MIN)
    table = shares(ds, date)
    colours = map_colours(ds, state, table)

    extent = tuple(float(v) for v in ds.districts.total_bounds)
    view = view_of(ds.districts, bbox)
    fig = _figure(BARE_WIDTH, _map_height(view, BARE_WIDTH - 0.2, 0.3)) if bare else _figure(10, _map_height(view))
    # Margins (inches) round the map, the titles and the legend: none of them flush with the page's edge.
    fig.get_layout_engine().set(w_pad=0.2, h_pad=0.12)
    ax = fig.add_subplot()
    paths = [_path(g) for g in ds.districts.geometry.values]
    alpha = BASEMAP_ALPHA if basemap is not None else 1.0
    _fill(ax, paths, first, colours, alpha)
    _hatch(ax, paths, first, second, colours)
    # Every row of the share table, held or not (contested and unknown always): the legend lists what can be
    # on the map, the same rows on every date (an animation's legend does not jump), as the HTML map's does.
    handles = _map_legend(ds, table, legend_order(table), colours, split=np.not_equal(second, None).any())
    before = int(state.loc[state["date"].isna(), "idx"].nunique()) if len(ds.log) else 0
    if before:  # not reported but assumed: say so, next to the shares it changes
        from matplotlib.patches import Patch

        handles.append(
            Patch(
                facecolor="none",
                edgecolor="none",
                label=f"{districts(before)} with no log row yet:\nshown as held by {ds.initial}, the initial holder",
            )
        )
    if unsure is not None and unsure[0].any():  # conflictmap.confidence.depends_on_unsure (map --range)
        handles.append(_unsure(ax, paths, unsure))
    if weights is not None:
        handles.append(_outline(ax, ds, weights, baseline.label, baseline.date))
        if not bare:
            ax.set_title(_baseline_note(ds, date, baseline), fontsize=9, color=INK, loc="left")
    _frame(ax, view, zoomed=bbox is not None, fontsize=BARE_FONT if bare else 8)
    attribution = None
    if basemap is not None:
        attribution = basemap.draw(ax, fig)
    if bare:
        return fig, handles
    legend = fig.legend(
        handles=handles,
        loc="outside right upper",
        frameon=False,
        fontsize=8.5,
        borderaxespad=1.5,
        title=_legend_title(ds),
        title_fontsize=9,
        alignment="left",
        labelspacing=0.9,
    )
    when = date.isoformat() if date else "(no log)"
    heading = f"{title} ({when})" if title else f"Control on {when}"
    fig.suptitle(heading, fontsize=13, color=INK, x=0.02, ha="left", fontweight="bold", parse_math=False)
    footer = _footnote(ds, "area_km2", timeline=False)
    if bbox is not None:
        footer += f"\nview {_bbox_text(view)} (W,S,E,N); the shares are of all {len(ds.districts)} districts"
    footer += "".join(f"\n{line}" for line in (credit, attribution) if line)
    fig.text(0.02, 0.005, footer, fontsize=7, color="#666666", ha="left", va="bottom", parse_math=False)
    # The footer is no part of the layout: keep its lines' height free below the map and the legend.
    lines = footer.count("\n") + 1
    bottom = (lines * 7 * 1.25 / 72 + 0.05) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    if wants_inset(inset, view, extent, bbox is not None):
        draw_inset(
            fig, ax, legend, paths, [colours[a or UNKNOWN] for a in first], ds.districts.geometry.values, extent, view
        )
    if labels:
        _labels(fig, ax, ds, labels, view)
    return fig, handles


def legend_entries(handles) -> list[dict]:
    """The legend handles of map_picture / timeline_picture as plain data for a page to draw:
    label (lines split at '\n'), face and edge colours ('#rrggbb' or None), hatch ('', 'xxx', '////', '...'),
    line ('dashed' or None) for the baseline outline, and actor (True for an actor's key, False for a note)."""
    from matplotlib.colors import to_hex
    from matplotlib.lines import Line2D

    out = []
    for handle in handles:
        label = picture_text(handle.get_label())  # as the picture would draw it: no bidi override, no tab
        if isinstance(handle, Line2D):
            out.append(
                {
                    "label": label,
                    "face": None,
                    "edge": to_hex(handle.get_color()),
                    "hatch": "",
                    "line": "dashed",
                    "actor": False,
                }
            )
            continue
        face, edge = handle.get_facecolor(), handle.get_edgecolor()
        out.append(
            {
                "label": label,
                "face": to_hex(face) if face[3] > 0 else None,
                "edge": to_hex(edge) if edge[3] > 0 else None,
                "hatch": handle.get_hatch() or "",
                "line": None,
                "actor": handle.get_gid() == "actor",
            }
        )
    return out


BASEMAP_ALPHA = 0.6  # district colours over a basemap: the streets and rivers show through


def _bbox_text(view) -> str:
    return ",".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in view)


def _labels(fig, ax, ds: Dataset, most: int, view=None) -> None:
    """Names of the largest districts in view at a point inside each, greedily: a label that would overlap
    one already placed, or stick out of its own district's box, is left out."""
    import shapely

    geoms = np.asarray(ds.districts.geometry.values)
    sizes = ds.districts["area_km2"].to_numpy(dtype=float)
    if view is not None:  # districts outside the view have no room on the map
        sizes = np.where(shapely.intersects(geoms, shapely.box(*view)), sizes, -1.0)
    order = [i for i in np.argsort(-sizes, kind="stable")[:most] if sizes[i] >= 0]
    lay_out(fig)  # the layout first: label boxes are measured where they will be drawn
    renderer = fig.canvas.get_renderer()
    placed = []
    for i in order:
        geom = geoms[i]
        if geom is None or geom.is_empty:
            continue
        if view is not None:  # the name inside the part of the district in view
            geom = shapely.intersection(geom, shapely.box(*view))
            if geom.is_empty:
                continue
        point = shapely.point_on_surface(geom)
        text = ax.text(
            point.x,
            point.y,
            picture_text(ds.districts["name"].iloc[i]),
            fontsize=6.5,
            color=INK,
            parse_math=False,
            ha="center",
            va="center",
            clip_on=True,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.7},
        )
        box = text.get_window_extent(renderer)
        lon0, lat0 = ax.transData.inverted().transform((box.x0, box.y0))
        lon1, lat1 = ax.transData.inverted().transform((box.x1, box.y1))
        inside = (
            shapely.box(*geom.bounds)
            .buffer(max(lon1 - lon0, lat1 - lat0) * 0.25)
            .contains(shapely.box(lon0, lat0, lon1, lat1))
        )
        if view is not None:  # and inside the view: a name cut by the map's edge reads as another name
            inside = inside and shapely.box(*view).contains(shapely.box(lon0, lat0, lon1, lat1))
        if not inside or any(box.overlaps(other) for other in placed):
            text.remove()
            continue
        placed.append(box)


def _unsure(ax, paths, unsure):
    """Districts whose holder rests on a row below the confidence asked for: dotted, with a legend entry.

    `unsure` is (per-district mask, the least sure level that counts), from map --range.
    """
    unsure, level = unsure
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, PathPatch

    ax.add_collection(
        PatchCollection(
            [PathPatch(paths[i]) for i in np.flatnonzero(unsure)],
            facecolors="none",
            edgecolors=INK,
            hatch="...",
            linewidths=0,
        )
    )
    return Patch(
        facecolor="white",
        edgecolor=INK,
        hatch="...",
        linewidth=0,
        label=f"holder rests on a row less sure\nthan {level} ({int(unsure.sum())} districts)",
    )


def _fill(ax, paths, first, colours, alpha: float = 1.0) -> None:
    """Each district in its main controller's colour, with white seams between districts."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    holders = [a or UNKNOWN for a in first]
    # Unknown districts get a grey edge, else their pale fill melts into the page.
    edges = [UNKNOWN_EDGE if a == UNKNOWN else BORDER for a in holders]
    from matplotlib.colors import to_rgba

    ax.add_collection(
        PatchCollection(
            [PathPatch(p) for p in paths],
            facecolors=[to_rgba(colours[a], alpha) for a in holders],
            edgecolors=edges,
            linewidths=0.5,
            zorder=1,
        )
    )


def _hatch(ax, paths, first, second, colours) -> None:
    """Contested districts cross-hatched in dark grey; split districts hatched in the second controller's colour."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    contested = np.flatnonzero(first == CONTESTED)
    if len(contested):
        ax.add_collection(
            PatchCollection(
                [PathPatch(paths[i]) for i in contested],
                facecolors="none",
                edgecolors=CONTESTED_LINES,
                hatch=CONTESTED_HATCH,
                linewidths=0,
            )
        )
    split = np.not_equal(second, None)
    for actor in sorted(set(second[split])):
        idx = np.flatnonzero(split & (second == actor))
        colour = CONTESTED_LINES if actor == CONTESTED else colours[actor]
        ax.add_collection(
            PatchCollection(
                [PathPatch(paths[i]) for i in idx], facecolors="none", edgecolors=colour, hatch="////", linewidths=0
            )
        )


def legend_order(table) -> list[str]:
    """The actors of a share table by districts held, largest first; contested, then unknown, last (as in
    the timeline). The static and the HTML map's legends list them so."""
    amount = dict(zip(table["actor"], table["districts"]))
    return sorted(amount, key=lambda a: (LAST.get(a, 0), -amount[a], a))


def _map_legend(ds: Dataset, held, actors, colours, split: bool) -> list:
    from matplotlib.patches import Patch

    rows = held.set_index("actor")
    fractional = _fractional(ds)
    handles = []
    for actor in actors:
        r = rows.loc[actor]
        text = f"{legend_name(actor)}\n{districts(r['districts'])} ({percent(r['districts_pct'])}), {area(r['area_km2'])} ({percent(r['area_pct'])})"
        if fractional:  # measured shares: km² first, counts as district-equivalents
            text = f"{legend_name(actor)}\n{area(r['area_km2'])} ({percent(r['area_pct'])}), {count(r['districts'])} district-eq."
        if ds.has_population:
            text += f"\npop. {people(r['population'])} ({percent(r['population_pct'])})"
        handles.append(_legend_patch(Patch, actor, colours[actor], text))
    if split:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="#777777",
                hatch="////",
                linewidth=0,
                label=f"split district: hatched in the colour\nof a second controller holding ≥{HATCH_MIN:.0%}",
            )
        )
    return handles


def _legend_title(ds: Dataset) -> str:
    if _fractional(ds):
        return (
            "area (km²) and district-equivalents, with population"
            if ds.has_population
            else "area (km²) and district-equivalents"
        )
    return "share of districts, area (km²) and population" if ds.has_population else "share of districts and area (km²)"


MAJORITY = 0.5  # the outline goes round the districts the baseline actor held more than half of


def _outline(ax, ds: Dataset, weights, label: str, baseline: dt.date):
    """The outline of what the baseline actor held on D0: the districts where it held the majority.

    Not every district where it held any share: a sliver (coastline mismatch, an
    overlay's boundary district) would draw the line through land it never held.
    """
    import shapely
    from matplotlib.lines import Line2D

    style = dict(color=INK, linewidth=1.8, linestyle=(0, (4, 1.5)))
    text = f"held by {label} on {baseline.isoformat()}\n(districts where {label} held the majority)"
    mask = weights > MAJORITY
    if not mask.any():
        return Line2D([0], [0], **style, label=f"{label} held the majority of no district\non {baseline.isoformat()}")
    outline = shapely.boundary(held_area(ds, mask))
    for line in shapely.get_parts(outline):
        xy = np.asarray(line.coords)
        ax.plot(xy[:, 0], xy[:, 1], **style, solid_capstyle="round")
    return Line2D([0], [0], **style, label=text)


def held_area(ds: Dataset, mask):
    """The union of the districts in `mask` with the slivers between them closed.

    Neighbouring polygons in real files rarely share edges exactly: a buffer out and back in (about
    0.2% of the map's extent) makes the outline the edge of the held area, not every internal seam.
    """
    import shapely

    held = np.asarray(ds.districts.geometry.values)[mask]
    minx, miny, maxx, maxy = ds.districts.total_bounds
    gap = 0.002 * max(maxx - minx, maxy - miny)
    return shapely.buffer(shapely.union_all(shapely.buffer(held, gap, join_style="mitre")), -gap, join_style="mitre")


def _baseline_note(ds: Dataset, date, baseline: Baseline) -> str:
    from .figures import shares

    by_area = _fractional(ds)  # shares from zones: the area is the figure, not a count of districts
    key = "area" if by_area else "districts"
    table = shares(ds, date, "area_km2" if by_area else "districts", baseline)
    label = baseline.label
    # Every actor with a share, contested and unknown included, so that the line sums to 100 (float noise is no share).
    held = table[table[f"{key}_pct"] > 100 * NOISE]
    entries = [f"{r.actor} {percent(getattr(r, key + '_pct'))}," for r in held.itertuples()]
    entries[-1] = f"{entries[-1][:-1]} (by {'area' if by_area else 'count'})"
    when = date.isoformat() if date else "the last date"
    what = f"the area {label} held" if by_area else f"the districts {label} held"
    # Each actor's entry ("kurdish forces 4.3%,") is one word when wrapping, so a line never ends inside it:
    # textwrap breaks at ASCII whitespace only, and a no-break space holds the entry together.
    text = (
        f"Outlined: the districts where {label} held the majority on {baseline.date.isoformat()}. "
        f"Of {what} then, on {when}: " + " ".join(e.replace(" ", "\u00a0") for e in entries)
    )
    lines = textwrap.wrap(text, 100, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines).replace("\u00a0", " ")


def _fractional(ds: Dataset) -> bool:
    from .changes import is_fractional

    return is_fractional(ds)


def _map_height(view, map_width: float = 6.6, margins: float = 1.6) -> float:
    """Figure height (inches) that fits the view's shape (W, S, E, N) at a 10-inch width (legend on the right)."""
    minx, miny, maxx, maxy = view
    lat = math.radians((miny + maxy) / 2)
    shape = ((maxy - miny) * 1.11 or 0.01) / (((maxx - minx) * 1.04 or 0.01) * max(math.cos(lat), 0.01))
    return min(max(map_width * shape + margins, 5.0), 10.0)


def _frame(ax, view, zoomed: bool = False, fontsize: float = 8) -> None:
    """Lon/lat extent with the right aspect at this latitude, no axes, a scale bar in km.

    The whole map: a strip below the districts holds the scale bar. A zoomed view (--bbox) is exactly
    the box asked for, framed, with the scale bar on a white ground in its lower left corner.
    """
    minx, miny, maxx, maxy = view
    width, height = (maxx - minx) or 0.01, (maxy - miny) or 0.01
    mid = (miny + maxy) / 2
    ax.set_aspect(1 / max(math.cos(math.radians(mid)), 0.01))
    ax.set_xticks([])
    ax.set_yticks([])
    if zoomed:
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        for spine in ax.spines.values():
            spine.set_edgecolor("#888888")
        _framed_scale_bar(ax, minx, maxx, mid, fontsize)
        return
    ax.set_xlim(minx - width * 0.02, maxx + width * 0.02)
    ax.set_ylim(miny - height * 0.12, maxy + height * 0.02)  # a strip below the districts for the scale bar
    ax.set_axis_off()
    _scale_bar(ax, minx, maxx, miny, mid, fontsize)


SCALE_BAR_GAP = 16  # points between the lowest district and the scale bar, whatever the map's size


def _scale_bar(ax, x0, x1, y, lat, fontsize: float = 8) -> None:
    """A bar of a round number of km (about a fifth of the map's width), measured geodesically at mid-latitude,
    SCALE_BAR_GAP points below `y` (the districts' bottom), its label on its right: it never touches a district."""
    from matplotlib.transforms import offset_copy

    km, degrees = _bar_length(x0, x1, lat)
    bar = offset_copy(ax.transData, fig=ax.figure, y=-SCALE_BAR_GAP, units="points")
    label = offset_copy(ax.transData, fig=ax.figure, x=5, y=-SCALE_BAR_GAP, units="points")
    ax.plot([x0, x0 + degrees], [y, y], color=INK, linewidth=2.5, solid_capstyle="butt", transform=bar, clip_on=False)
    ax.text(x0 + degrees, y, f"{km:g} km", ha="left", va="center", fontsize=fontsize, color=INK, transform=label)


def _framed_scale_bar(ax, x0, x1, lat, fontsize: float = 8) -> None:
    """The scale bar of a zoomed map: in its lower left corner on a white box (districts lie under it)."""
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    km, degrees = _bar_length(x0, x1, lat)
    bar = AnchoredSizeBar(
        ax.transData,
        degrees,
        f"{km:g} km",
        "lower left",
        pad=0.4,
        borderpad=0.6,
        sep=3,
        color=INK,
        frameon=True,
        size_vertical=0,
        label_top=False,
        fontproperties=FontProperties(size=fontsize),
    )
    bar.patch.set(facecolor="white", edgecolor="none")
    bar.size_bar.get_children()[0].set_linewidth(2.5)  # the bar: a line as thick as the whole map's
    bar.set_zorder(6)
    ax.add_artist(bar)


def _bar_length(x0, x1, lat) -> tuple[float, float]:
    """(km, degrees of longitude) of a round bar about a fifth of x0..x1 wide at latitude `lat`."""
    from .geodesy import WGS84

    _, _, width_m = WGS84.inv(x0, lat, x1, lat)
    km = _nice(width_m / 1000 / 5)
    return km, (x1 - x0) * km * 1000 / width_m


def _nice(value: float) -> float:
    """The largest of 1, 2, 5 x 10^k not above value."""
    power = 10 ** math.floor(math.log10(value))
    return max(m for m in (1, 2, 5) if m * power <= value) * power


def control_map(
    ds: Dataset,
    date,
    path,
    baseline: Baseline | None = None,
    title: str | None = None,
    credit: str | None = None,
    labels: int = 0,
    unsure=None,
    **view,
) -> None:
    """map_figure written to `path`; `view` holds its keyword options (bbox, inset, basemap)."""
    output_format(path)
    save(map_figure(ds, date, baseline, title, credit, labels, unsure, **view), path, ds)

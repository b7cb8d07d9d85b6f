"""What part of the districts a map shows (`map --bbox`) and the inset locator that says where that part lies.

The map draws lon/lat with the aspect of its mid-latitude (plots._frame). A view
is a lon/lat box; without one the map shows every district. The inset is a
small overview of all districts, coloured as on the map, with the view's box
drawn on it. Rule (INSET_RULE): drawn when the view shows less than a quarter
of the districts' extent (the area of the lon/lat boxes), or
when asked for with --inset; never with --no-inset.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import UsageError

INSET_SHARE = 0.25  # a view showing less than this share of the districts' extent gets an inset by default
INSET_RULE = "an inset locator is drawn when the view shows less than a quarter of the districts' extent"
INSET_WIDTH = 0.3  # of the map's width
VIEW_COLOUR = "#111111"  # dark, with a white halo: it reads on any holder's colour


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'W,S,E,N' in degrees (lon/lat, WGS84) as four floats, or a UsageError saying what is wrong."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise UsageError(f"--bbox {text!r}: give four numbers W,S,E,N in degrees, e.g. --bbox 37.0,46.8,40.3,49.5")
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise UsageError(
            f"--bbox {text!r}: give west < east within -180..180 and south < north within -90..90 (W,S,E,N)"
        )
    return values


def view_of(districts, bbox) -> tuple[float, float, float, float]:
    """The box the map shows: `bbox`, which must meet some district, or the districts' extent."""
    import shapely

    extent = tuple(float(v) for v in districts.total_bounds)
    if bbox is None:
        return extent
    box = shapely.box(*bbox)
    if not shapely.intersects(np.asarray(districts.geometry.values), box).any():
        w, s, e, n = (round(v, 4) for v in extent)
        raise UsageError(
            f"--bbox {','.join(f'{v:g}' for v in bbox)} shows none of the districts; "
            f"they lie within {w:g},{s:g},{e:g},{n:g} (W,S,E,N)"
        )
    return tuple(float(v) for v in bbox)


def view_share(view, extent) -> float:
    """The share of the districts' extent (lon/lat box) that the view shows (0-1)."""
    w, s, e, n = extent
    iw, is_, ie, in_ = max(view[0], w), max(view[1], s), min(view[2], e), min(view[3], n)
    if ie <= iw or in_ <= is_:
        return 0.0
    whole = max(e - w, 1e-12) * max(n - s, 1e-12)
    return (ie - iw) * (in_ - is_) / whole


def wants_inset(inset: bool | None, view, extent, bbox_given: bool) -> bool:
    """--inset / --no-inset, else INSET_RULE. An inset asked for without a view has nothing to locate."""
    if inset and not bbox_given:
        raise UsageError("--inset shows where the --bbox view lies among all districts; give --bbox W,S,E,N")
    if inset is not None:
        return inset
    return bbox_given and view_share(view, extent) < INSET_SHARE


def draw_inset(fig, ax, legend, paths, fills, geoms, extent, view) -> None:
    """All districts small, in their map colours, with the view's box: under the legend when there is room
    for it there (it then hides nothing), else in the emptiest upper or right corner of the map."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch, Rectangle

    w, s, e, n = extent
    width, height = (e - w) or 0.01, (n - s) or 0.01
    stretch = 1 / max(math.cos(math.radians((s + n) / 2)), 0.01)
    inset = _beside(fig, ax, legend)
    if inset is None:
        corner = _emptiest_corner(ax, geoms)
        inset = ax.inset_axes(CORNERS[corner])
        inset.set_anchor(corner)  # the box shrinks to the overview's shape, into its corner
    inset.add_collection(
        PatchCollection([PathPatch(p) for p in paths], facecolors=fills, edgecolors="none", linewidths=0)
    )
    vw, vs, ve, vn = view
    import matplotlib.patheffects as effects

    inset.add_patch(
        Rectangle(
            (vw, vs),
            ve - vw,
            vn - vs,
            facecolor="none",
            edgecolor=VIEW_COLOUR,
            linewidth=1.6,
            path_effects=[effects.withStroke(linewidth=3.4, foreground="white")],
            zorder=3,
        )
    )
    pad = 0.04
    inset.set_xlim(w - width * pad, e + width * pad)
    inset.set_ylim(s - height * pad, n + height * pad)
    inset.set_aspect(stretch)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    inset.set_title("where the view lies", fontsize=8, color="#555555", loc="left", pad=3)
    for spine in inset.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.8)
    inset.set_zorder(5)


INSET_INCHES = (1.4, 1.1)  # the least room (width, height) under the legend that holds a useful overview
CORNERS = {
    "NE": [1 - INSET_WIDTH - 0.01, 0.99 - INSET_WIDTH, INSET_WIDTH, INSET_WIDTH],
    "NW": [0.01, 0.99 - INSET_WIDTH, INSET_WIDTH, INSET_WIDTH],
    "SE": [1 - INSET_WIDTH - 0.01, 0.01, INSET_WIDTH, INSET_WIDTH],
}


def _beside(fig, ax, legend):
    """An axes in the room between the legend's foot and the map's, or None when there is too little.

    Placed after the layout is made and kept out of it, so the map and the legend stay where they are.
    """
    from .plots import lay_out  # plots imports this module

    if legend is None:
        return None
    lay_out(fig)
    to_fig = fig.transFigure.inverted()
    box = legend.get_window_extent().transformed(to_fig)
    map_box = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    left, right = box.x0, min(1 - 0.2 / fig_w, box.x0 + 2.6 / fig_w)
    bottom, top = map_box.y0, box.y0 - 0.25 / fig_h  # a quarter inch under the legend, for the inset's title
    if (right - left) * fig_w < INSET_INCHES[0] or (top - bottom) * fig_h < INSET_INCHES[1]:
        return None
    inset = fig.add_axes([left, bottom, right - left, top - bottom])
    inset.set_in_layout(False)
    inset.set_anchor("NW")  # shrunk to the overview's shape, under the legend's left edge
    return inset


def _emptiest_corner(ax, geoms) -> str:
    """NE, NW or SE (the scale bar sits at SW): the corner where the districts cover least of the map."""
    import shapely

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    geoms = np.asarray([g for g in geoms if g is not None and not g.is_empty])
    size = INSET_WIDTH + 0.01
    corners = {"NE": (1 - size, 1 - size), "NW": (0, 1 - size), "SE": (1 - size, 0)}

    def cover(name):
        fx, fy = corners[name]
        corner = shapely.box(
            x0 + fx * (x1 - x0), y0 + fy * (y1 - y0), x0 + (fx + size) * (x1 - x0), y0 + (fy + size) * (y1 - y0)
        )
        return round(float(shapely.area(shapely.intersection(geoms, corner)).sum()) / shapely.area(corner), 3)

    return min(corners, key=cover)  # ties: the order above

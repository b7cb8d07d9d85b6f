"""Front lines on a date: where the areas of different controllers meet, with geodesic length.

A front line is the boundary shared by two districts whose controllers
differ, dissolved per actor pair (one MultiLineString per pair, actor_a <
actor_b alphabetically). Rules:

- Each district counts for one controller, its main holder: the single holder,
  or for a split district the largest holder. The log says how much of a
  district each side holds, not where, so no line can be drawn through a split
  district. A district tied for the largest share (0.5 / 0.5) has no main holder:
  each of its tied holders may hold any part of it, so its edge with a neighbour
  counts as front between the neighbour's holder and each tied holder that is not
  it (ties). No figure depends on how the actors are spelled.
- `contested` and `unknown` are controllers like any other: a boundary between
  rebel-held and contested ground is a front line of its own, not dropped.
- The outer edge of the districts is not a front line (nothing is known beyond it).
- With gap_m = 0 only boundaries the polygons really share count. Real district
  files often leave gaps (streets) between neighbours: they are detected and
  bridged as far as the file's own streets reach (resolve_gap), and gap_m can
  widen that, never narrow it: a front with a hole along every avenue looks like
  a front and is short by the avenues. Across a gap the line runs along the
  middle of the street, where the ground nearest to one district meets the
  ground nearest to the other (see _bridged_boundaries), and only where the two
  face each other: the far side of a street corner, an open edge and the open
  ground past the end of a street add nothing, so bridging wider adds length
  only where wider streets really separate the two sides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from . import geodesy
from .tolerance import EXACT, NOISE
from .dataset import Dataset
from .errors import Problem, UsageError
from .figures import state_on

__all__ = ["front_lines", "front_lines_at", "resolve_gap", "zone_front_lines", "ZoneFront", "FrontLines"]

COLUMNS = ["actor_a", "actor_b", "length_km"]
# Neighbours closer than this (metres, roughly) that share no boundary suggest a gapped file.
PROBE_M = 20.0
METRES_PER_DEGREE = 111_320.0  # along a meridian or the equator; only for the probe and the tolerances
# Boundaries closer than this (metres) are one boundary: the float noise of generated or reprojected
# coordinates (37.12 against 37.120000000000005) and vertices digitised a few mm off a neighbour's edge
# (found on the Ukraine raions) leave neighbours sharing no point, and across so narrow a gap the
# bridging's 1 mm grid (GRID_M) cannot tell the two sides apart.
TOUCH_M = 0.1
TOUCH_DEGREES = TOUCH_M / METRES_PER_DEGREE  # a degree of longitude is shorter: within TOUCH_M or less
# The least bridging (metres) when gaps are found (in steps of 5 m).
BRIDGE_STEP_M = 5
PROBE_SAMPLE = 200
# How far beside a boundary (metres) a point is taken to tell the outside of a district from its inside.
SIDE_PROBE_M = 0.01
# Across gaps the boundaries are sampled every typical gap / SPACING_PER_STREET metres (the gap, if it is
# narrower), or every gap / SPACING_PER_GAP when the districts touch, never closer than MIN_SPACING_M: the
# middle of a street comes out within a few cm, and the samples are what costs time.
SPACING_PER_STREET = 3
SPACING_PER_GAP = 10
MIN_SPACING_M = 0.5
GRID_M = 1e-3  # the sampled points are snapped to this grid (1 mm)
JITTER = 1e-3  # then moved at random by up to this fraction of the spacing (see _ridges)
# Two districts face each other across a point when, seen from it, their nearest points lie at least this
# many degrees apart: 180 across a straight street, 180 minus the angle between the two edges across a
# tapering one. Past the end of a street it closes quickly: 0.29 x the street's width out, it is 120.
MIN_ANGLE = 120.0
# Bridging found by itself doubles from 1.5 x the typical gap while doubling it still brings in more than
# SATURATION more of the districts' boundary (within reach of another district), and at most MAX_DOUBLINGS times.
SATURATION = 0.10
MAX_DOUBLINGS = 3
REACH_SAMPLE = 10_000  # boundary points (spread evenly along every boundary) for that measure


@dataclass
class FrontLines:
    lines: object  # GeoDataFrame: actor_a, actor_b, length_km, geometry (EPSG:4326)
    problems: list = field(default_factory=list)


def main_holder(state: pd.DataFrame, count: int, second: bool = False, second_min: float = 0.0) -> tuple:
    """Per district idx: the controller holding the largest share and that share.

    A tie goes to the controller first in alphabetical order: only for drawing (the map's face colour
    and hatch); figures must not depend on spelling, and use ties / sole_holder for tied districts.

    With `second`, also the next holder of a split district (the map hatches it),
    None where the district has no second holder with a share above `second_min`.
    """
    ordered = state.sort_values(["idx", "share", "controller"], ascending=[True, False, True], kind="stable")
    first = ordered.drop_duplicates("idx")
    idx = first["idx"].to_numpy(dtype=int)
    holder = np.full(count, None, dtype=object)
    share = np.zeros(count)
    holder[idx] = first["controller"].to_numpy(dtype=object)
    share[idx] = first["share"].to_numpy(dtype=float)
    if not second:
        return holder, share
    held = ordered[ordered["share"] > second_min]
    runner_up = held[held["idx"].duplicated()].drop_duplicates("idx")  # the second row of each split district
    other = np.full(count, None, dtype=object)
    other[runner_up["idx"].to_numpy(dtype=int)] = runner_up["controller"].to_numpy(dtype=object)
    return holder, share, other


def ties(state: pd.DataFrame, count: int) -> np.ndarray:
    """Per district idx: the controllers tied for its largest share (a sorted tuple of two or more), else None.

    A tie has no largest holder, so whoever main_holder names for it is an accident of spelling:
    figures count such a district for no one (sole_holder) or for each tied holder, as `changes`
    does (changes._largest, with the same NOISE tolerance).
    """
    top = state.groupby("idx")["share"].transform("max")
    at_top = state[state["share"] >= top - NOISE]
    out = np.full(count, None, dtype=object)
    for idx, names in at_top.groupby("idx")["controller"]:
        if names.nunique() > 1:
            out[int(idx)] = tuple(sorted(set(names)))
    return out


def sole_holder(state: pd.DataFrame, count: int) -> tuple[np.ndarray, np.ndarray]:
    """main_holder's (holder, share), the holder None for a district tied for the largest share (ties)."""
    holder, share = main_holder(state, count)
    holder[np.not_equal(ties(state, count), None)] = None
    return holder, share


def front_lines(ds: Dataset, date: dt.date | None = None, gap_m: float | None = None) -> FrontLines:
    """Front lines on a date, one row per actor pair, longest first.

    Where the districts leave gaps between them (streets), the gaps are bridged
    as far as the file's own streets reach (see resolve_gap: detected, and a note
    says how far); `gap_m` can widen that, never narrow it, so that the length is
    a property of the map; 0 uses shared boundaries only.

    Parameters
    ----------
    ds : Dataset
    date : datetime.date, optional
        Default: the log's last date.
    gap_m : float, optional
        The least bridging (metres, wall to wall); None: as far as the file's streets reach; 0: none.

    Returns
    -------
    FrontLines
        `lines`: actor_a, actor_b, length_km (geodesic, WGS84) and the line geometry; `problems`: notes.
    """
    geoms = np.asarray(ds.districts.geometry.values)
    typical = typical_gap(shapely.STRtree(geoms), geoms)
    gap_m, note = _resolved(geoms, gap_m, typical)
    result = _lines_at(ds, date, gap_m, geoms, typical)
    result.problems += [note] if note else []
    return result


def front_lines_at(ds: Dataset, date: dt.date | None, gap_m: float) -> FrontLines:
    """Front lines bridging gaps up to exactly `gap_m` metres wide, wall to wall (0: shared boundaries only).

    No detection and no notes about it: this is the construction itself, for
    seeing how a front depends on the bridging; commands use front_lines.
    """
    _check_gap(gap_m)
    geoms = np.asarray(ds.districts.geometry.values)
    return _lines_at(ds, date, gap_m, geoms, typical_gap(shapely.STRtree(geoms), geoms))


def _lines_at(ds: Dataset, date, gap_m: float, geoms, typical: float | None) -> FrontLines:
    state = state_on(ds, date)
    holder, share = main_holder(state, len(geoms))
    tied = ties(state, len(geoms))
    side = holder.copy()  # a tied district's side is its set of tied holders, spelled so no actor name can equal it
    side[np.not_equal(tied, None)] = [TIE + "\x1f".join(t) for t in tied[np.not_equal(tied, None)]]
    if gap_m == 0:
        a, b, lines = _touching(geoms, side)
        to_lonlat = None
    else:
        a, b, lines, to_lonlat = _bridged_boundaries(geoms, side, gap_m, typical)
    x, y, lines = _tied_pairs(side[a], side[b], lines)
    return FrontLines(_dissolve(x, y, lines, to_lonlat), _split_note(ds, share, tied))


TIE = "\x00tie\x1f"  # prefix of a tied district's side in _lines_at (no actor name starts with a NUL)


def _tied_pairs(side_a, side_b, lines):
    """Each line once per pair of actors it can separate: a tied side stands for each of its holders."""

    def members(side):
        return side[len(TIE) :].split("\x1f") if side.startswith(TIE) else [side]

    x, y, out = [], [], []
    for sa, sb, line in zip(side_a, side_b, lines):
        for p, q in dict.fromkeys((p, q) for p in members(sa) for q in members(sb) if p != q):
            x.append(p)
            y.append(q)
            out.append(line)
    return np.asarray(x, dtype=object), np.asarray(y, dtype=object), np.asarray(out, dtype=object)


def _check_gap(gap_m) -> None:
    if gap_m is None:
        return
    if not np.isfinite(gap_m):
        raise UsageError(f"--gap {gap_m:g} is not a distance; give metres (0 for shared boundaries only)")
    if gap_m < 0:
        raise UsageError(f"--gap {gap_m:g} is negative; give a distance in metres (0 for shared boundaries only)")


def _touching(geoms, holder):
    """Pairs of touching districts with different holders and the boundary they share (lon/lat), within TOUCH_M."""
    # Bounding boxes only: an exact predicate on every neighbour pair costs more than
    # intersecting the few pairs with different holders, where non-touching ones come out empty.
    i, j = _neighbours(geoms, TOUCH_DEGREES)
    keep = holder[i] != holder[j]
    i, j = i[keep], j[keep]
    # boundary ∩ polygon (not boundary ∩ boundary): a sliver of overlap still yields the line.
    shared = shapely.intersection(shapely.boundary(geoms[i]), geoms[j])
    # Where the two edges miss each other by up to TOUCH_M (float noise, a vertex a few mm off), the part of
    # one edge within TOUCH_M of the other district is longer than what they share exactly. Only there (a
    # boundary shared exactly keeps its exact line) it is taken, without the stubs it has past the ends.
    grown = np.full(len(geoms), None, dtype=object)
    near = np.unique(j)
    grown[near] = shapely.buffer(geoms[near], TOUCH_DEGREES, quad_segs=1)
    loose = shapely.intersection(shapely.boundary(geoms[i]), grown[j])
    missed = shapely.length(loose) > shapely.length(shared) + 3 * TOUCH_DEGREES
    if missed.any():
        shared[missed] = _snapped_shared(geoms[i[missed]], geoms[j[missed]], loose[missed])
    touching = shapely.length(shared) > 0
    return i[touching], j[touching], shared[touching]


def _snapped_shared(a, b, loose):
    """The boundary districts `a` and `b` share once each edge is snapped to the other's vertices within TOUCH_M;
    `loose` (the part of a's edge within TOUCH_M of b) where snapping does not find all of it."""
    edge_a, edge_b = shapely.boundary(a), shapely.boundary(b)
    edge_b = shapely.snap(edge_b, edge_a, TOUCH_DEGREES)  # also puts a's vertices on b's edge where they are near it
    edge_a = shapely.snap(edge_a, edge_b, TOUCH_DEGREES)
    line = shapely.intersection(edge_a, edge_b)
    return np.where(shapely.length(line) < shapely.length(loose) - 3 * TOUCH_DEGREES, loose, line)


def _bridged_boundaries(geoms, holder, gap_m: float, typical: float | None = None):
    """Front lines across gaps of up to gap_m metres, and boundaries really shared, for districts of different holders.

    Across a gap the front runs along the middle of the street: each point of
    the gap goes to the district nearest to it (a Voronoi diagram of points
    every `spacing` metres along the districts' boundaries), and the front is
    where the parts of two different holders meet, at points that are
    - within reach: the two districts lie at most gap_m apart across the point
      (the street, wall to wall, is at most gap_m wide), and
    - facing: seen from the point, the nearest points of the two districts lie
      at least MIN_ANGLE degrees apart (180 across a straight street). So the
      line stops where the street ends instead of running on into the open
      ground beyond, and an edge running away from the other district (an open
      edge, a corner) adds nothing, however far the bridging reaches.
    The work is done in an azimuthal equidistant projection centred on the
    districts (distortion under 0.5% across a country the size of Ukraine,
    plenty for a tolerance); the lines are measured back on the ellipsoid.
    Returns one row per stretch of line, with the pair of districts it belongs to.
    """
    to_metric, to_lonlat = _local_metric(geoms)
    metric = shapely.transform(geoms, to_metric, interleaved=False)
    tree = shapely.STRtree(metric)
    spacing = _spacing(gap_m, typical)
    points, own = _generators(metric, tree, holder, gap_m, spacing)
    start, end, first, second = _ridges(points, gap_m, spacing)
    differ = holder[own[first]] != holder[own[second]]
    start, end, first, second = start[differ], end[differ], first[differ], second[differ]
    # A ridge is equidistant from its two points, which lie on the two boundaries: only its part within
    # gap_m / 2 of them (give or take the spacing of the points) can be within reach of both boundaries.
    start, end, ridge = _within(start, end, points[first], gap_m / 2 + spacing)
    start, end, piece = _pieces(start, end, spacing)
    a, b = own[first[ridge[piece]]], own[second[ridge[piece]]]
    keep = _across(start, end, metric[a], metric[b], tree, gap_m)
    a, b, medial = _smoothed(holder, a[keep], b[keep], start[keep], end[keep], spacing)
    i, j, shared = _touching(geoms, holder)
    shared = shapely.transform(shared, to_metric, interleaved=False)
    return np.concatenate([a, i]), np.concatenate([b, j]), np.concatenate([medial, shared]), to_lonlat


def _spacing(gap_m: float, typical: float | None) -> float:
    """How far apart (metres) the boundaries are sampled: a third of the narrowest street that matters (the
    typical gap, or the gap if narrower); a tenth of the gap when the districts touch (no typical gap)."""
    finest = gap_m / SPACING_PER_GAP if typical is None else min(gap_m, typical) / SPACING_PER_STREET
    return max(MIN_SPACING_M, finest)


def _generators(metric, tree, holder, gap_m: float, spacing: float):
    """Points every `spacing` metres along the boundaries where another holder's district lies within gap_m
    (only those can be nearest to a point of a front), and the district of each.
    """
    i, j = tree.query(metric, predicate="dwithin", distance=gap_m)
    keep = holder[i] != holder[j]
    i, j = i[keep], j[keep]
    if not len(i):
        return np.zeros((0, 2)), np.zeros(0, dtype=int)
    reach = np.full(len(metric), None, dtype=object)
    near = np.unique(j)
    reach[near] = shapely.buffer(metric[near], gap_m + spacing, quad_segs=4)
    pieces = shapely.segmentize(shapely.intersection(shapely.boundary(metric[i]), reach[j]), spacing)
    coords, which = shapely.get_coordinates(pieces, return_index=True)
    # Once per point: a boundary near two other districts, or shared by two districts, is cut more than once,
    # and points a hair apart (the two copies of a shared vertex) break GEOS's Voronoi diagram: snapped to 1 mm.
    coords = np.round(coords / GRID_M) * GRID_M
    _, first = np.unique(coords, axis=0, return_index=True)
    first = np.sort(first)
    return coords[first], i[which[first]]


def _ridges(coords, gap_m: float, spacing: float):
    """The edges of the Voronoi diagram of `coords`: start, end and the positions of the two points each lies between."""
    none = np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    if len(coords) < 2:
        return none
    # Points on the two sides of a straight street that mirror each other (a regular fixture, a digitised grid)
    # are cocircular four by four, which GEOS's Voronoi diagram gets wrong (it merges runs of edges in some
    # cells and not in their neighbours). Moved by a thousandth of the spacing (a fixed seed: the same
    # input gives the same lines), they no longer are, and no line moves by more than that.
    shaken = coords + np.random.default_rng(0).uniform(-1, 1, coords.shape) * spacing * JITTER
    points = shapely.multipoints(shaken)
    frame = shapely.buffer(shapely.envelope(points), gap_m + 1.0, quad_segs=1)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame, ordered=True))
    start, end, cell = _segments(cells)  # a cell has no holes: its coordinates are its ring
    # An edge between two cells is in both rings, with the same vertices (GEOS computes each once), in
    # opposite directions: sorted by their lower and upper end, the two copies are neighbours.
    flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    low, high = np.where(flip[:, None], end, start), np.where(flip[:, None], start, end)
    order = np.lexsort((high[:, 1], high[:, 0], low[:, 1], low[:, 0]))
    low, high, cell = low[order], high[order], cell[order]
    twin = (low[1:] == low[:-1]).all(axis=1) & (high[1:] == high[:-1]).all(axis=1) & (cell[1:] != cell[:-1])
    return low[:-1][twin], high[:-1][twin], cell[:-1][twin], cell[1:][twin]


def _within(start, end, centre, radius: float):
    """The part of each segment within `radius` of its `centre`, and the position of the segment each part is of."""
    step = end - start
    rel = start - centre
    a = (step * step).sum(axis=1)
    b = 2 * (rel * step).sum(axis=1)
    c = (rel * rel).sum(axis=1) - radius * radius
    disc = b * b - 4 * a * c
    hit = (disc > 0) & (a > 0)
    root = np.sqrt(np.where(hit, disc, 0.0))
    denominator = 2 * np.where(a > 0, a, 1.0)
    t0, t1 = np.clip((-b - root) / denominator, 0, 1), np.clip((-b + root) / denominator, 0, 1)
    hit &= t1 > t0
    # The ends kept exactly where the segment is not cut, so that pieces of one line still meet.
    lo = np.where((t0 == 0)[:, None], start, start + step * t0[:, None])
    hi = np.where((t1 == 1)[:, None], end, start + step * t1[:, None])
    return lo[hit], hi[hit], np.flatnonzero(hit)


def _pieces(start, end, most: float):
    """Each segment cut into equal pieces no longer than `most`, and the position of the segment each piece is of."""
    length = np.hypot(*(end - start).T)
    count = np.maximum(1, np.ceil(length / most)).astype(int)
    which = np.repeat(np.arange(len(length)), count)
    k = np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
    n = count[which]
    step = (end - start)[which]
    lo = start[which] + step * (k / n)[:, None]
    hi = np.where((k + 1 == n)[:, None], end[which], start[which] + step * ((k + 1) / n)[:, None])
    return lo, hi, which


def _across(start, end, own, other, tree, gap_m: float) -> np.ndarray:
    """Which pieces (each between two districts `own`, `other`) lie in the gap between them, within reach and facing."""
    middle = (start + end) / 2
    points = shapely.points(middle)
    near_a = shapely.get_coordinates(shapely.shortest_line(points, own)).reshape(-1, 2, 2)[:, 1]
    near_b = shapely.get_coordinates(shapely.shortest_line(points, other)).reshape(-1, 2, 2)[:, 1]
    to_a, to_b = near_a - middle, near_b - middle
    dist_a, dist_b = np.hypot(*to_a.T), np.hypot(*to_b.T)
    width = dist_a + dist_b  # wall to wall through the point: the street's width, for a point in its middle
    real = (dist_a > 0) & (dist_b > 0)
    cosine = (to_a * to_b).sum(axis=1) / np.where(real, dist_a * dist_b, 1.0)
    inside = np.zeros(len(points), dtype=bool)
    inside[tree.query(points, predicate="within")[0]] = True
    return real & ~inside & (width <= gap_m) & (cosine <= np.cos(np.radians(MIN_ANGLE)))


def _smoothed(holder, a, b, start, end, spacing: float):
    """The pieces merged into lines per actor pair and smoothed, one row (with a pair of districts) per line.

    Voronoi edges between points on the two sides of a street zigzag a little about
    its middle (by about spacing² / 8·width); measured as they are they would
    lengthen a street by a percent or so. Simplifying by a quarter of the
    spacing takes the zigzag out and moves no line by more than that.
    """
    if not len(a):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0, dtype=object)
    lines = shapely.linestrings(np.stack([start, end], axis=1))
    x, y = holder[a], holder[b]
    swap = y < x
    table = pd.DataFrame(
        {
            "a": np.where(swap, b, a),
            "b": np.where(swap, a, b),
            "actor_a": np.where(swap, y, x),
            "actor_b": np.where(swap, x, y),
        }
    )
    rows_a, rows_b, out = [], [], []
    for _, members in table.groupby(["actor_a", "actor_b"], sort=True):
        merged = shapely.simplify(
            shapely.line_merge(shapely.multilinestrings(lines[members.index.to_numpy()])), spacing / 4
        )
        rows_a.append(members["a"].iloc[0])
        rows_b.append(members["b"].iloc[0])
        out.append(merged)
    return np.asarray(rows_a, dtype=int), np.asarray(rows_b, dtype=int), np.asarray(out, dtype=object)


def _outward(points, along, own) -> np.ndarray:
    """Unit normals to the segments through `points` (directions `along`), pointing out of `own`.

    The ring's direction is not to be trusted (input files get it wrong, overlays
    may reverse lines): the outside is where a point just beside the line is not in the district.
    """
    normal = np.column_stack([along[:, 1], -along[:, 0]])
    side = points + normal * SIDE_PROBE_M
    normal[shapely.contains_xy(own, side[:, 0], side[:, 1])] *= -1
    return normal


def _segments(parts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every two-point segment of the LineStrings `parts`: start, end and the part it belongs to."""
    coords, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    return coords[:-1][same], coords[1:][same], part[:-1][same]


def _local_metric(geoms):
    from pyproj import Transformer

    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    aeqd = f"+proj=aeqd +lat_0={(miny + maxy) / 2} +lon_0={(minx + maxx) / 2} +datum=WGS84 +units=m"
    forward = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    back = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    return forward.transform, back.transform


def _line_parts(geoms) -> tuple[np.ndarray, np.ndarray]:
    """The LineString parts of each geometry and the position of the geometry each came from.

    Intersections also yield points (districts meeting at a corner): they are no front.
    """
    parts, index = shapely.get_parts(geoms, return_index=True)
    parts, inner = shapely.get_parts(parts, return_index=True)  # collections may hold multi-parts
    index = index[inner]
    is_line = shapely.get_type_id(parts) == 1  # LineString
    return parts[is_line], index[is_line]


def _dissolve(actor_a, actor_b, lines, to_lonlat=None):
    """One row per actor pair: the union of its lines, merged, measured on the ellipsoid.

    `to_lonlat` brings lines drawn in a metric projection back to lon/lat; there
    the union is taken on a 1 mm grid, so that lines a hair apart (Voronoi edges
    GEOS gives twice where points are nearly cocircular) count once.
    """
    import geopandas as gpd

    grid = None if to_lonlat is None else GRID_M
    parts, index = _line_parts(np.asarray(lines, dtype=object))
    x, y = np.asarray(actor_a, dtype=object)[index], np.asarray(actor_b, dtype=object)[index]
    swap = y < x
    table = pd.DataFrame(
        {"actor_a": np.where(swap, y, x), "actor_b": np.where(swap, x, y), "part": np.arange(len(parts))}
    )
    rows, geoms = [], []
    for pair, members in table.groupby(["actor_a", "actor_b"], sort=True):  # a handful of actor pairs
        merged = shapely.line_merge(shapely.union_all(parts[members["part"].to_numpy()], grid_size=grid))
        if not merged.is_empty:
            rows.append(pair)
            geoms.append(merged)
    if to_lonlat is not None and geoms:
        geoms = list(shapely.transform(np.asarray(geoms, dtype=object), to_lonlat, interleaved=False))
    # Always MultiLineString: one geometry type per layer, as GIS layers want.
    geoms = [g if g.geom_type == "MultiLineString" else shapely.MultiLineString([g]) for g in geoms]
    frame = pd.DataFrame(rows, columns=COLUMNS[:2], dtype=object)
    frame["length_km"] = geodesy.length_km(np.asarray(geoms, dtype=object)) if geoms else np.zeros(0)
    out = gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)
    return out.sort_values(
        ["length_km", "actor_a", "actor_b"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def resolve_gap(geoms, gap_m: float | None = None) -> tuple[float, Problem | None]:
    """The bridging (metres) front lines use on these districts for a requested `gap_m`, and a note saying so.

    - Districts that touch: `gap_m` as given (None: 0), no note.
    - None: as far as the file's own streets reach (_reach), with a note.
    - 0: shared boundaries only, with a warning that the fronts along the gaps are missed.
    - A distance narrower than the file's streets: widened to them, with a note. A front with a hole along
      every wider street is short by them: on the CSR Aleppo neighbourhoods 10 m of bridging gives 7.9 km
      of the 17.8 km government-rebel front of 28 Nov 2016, whose avenues are 20-60 m wide.
    - A wider one: as given (open ground the user counts as front), no note.
    """
    geoms = np.asarray(geoms)
    return _resolved(geoms, gap_m, typical_gap(shapely.STRtree(geoms), geoms))


def _resolved(geoms, gap_m: float | None, typical: float | None) -> tuple[float, Problem | None]:
    _check_gap(gap_m)
    if typical is None:
        return _stray_resolved(geoms, gap_m)
    detected, apart = _reach(geoms, typical)
    if gap_m == 0:
        return 0.0, Problem(
            "warning",
            "",
            f"most neighbouring districts share no boundary (typical gap about {_metres(typical)} m, e.g. streets), "
            f"so with --gap 0 the front lines across those gaps are missed; leave --gap out to bridge them (up to "
            f"{detected} m here)",
        )
    if gap_m is not None and gap_m >= detected:
        return float(gap_m), None
    streets = (
        f"neighbouring districts do not touch (typical gap about {_metres(typical)} m, e.g. streets): front lines "
        f"bridge gaps up to {detected} m wide, beyond which wider bridging reaches little more of the districts' edges"
    )
    if gap_m is None:
        return float(detected), Problem("note", "", f"{streets}; --gap 0 for shared boundaries only, --gap N to widen")
    within = apart <= detected
    missed = (within & (apart > gap_m)).sum() / max(within.sum(), 1)
    left_out = (
        f"; --gap {gap_m:g} would leave out the {100 * missed:.0f}% of the districts' edges within {detected} m "
        "of another district that lie across wider gaps, and the fronts along them"
        if round(100 * missed)
        else ""
    )
    return float(detected), Problem(
        "note",
        "",
        f"{streets}{left_out} (--gap widens the bridging, never narrows it; --gap 0 for shared boundaries only)",
    )


def _stray_resolved(geoms, gap_m: float | None) -> tuple[float, Problem | None]:
    """_resolved for a file whose neighbours touch: the few gaps there are bridged, as far as the widest."""
    metres, where = _stray_gaps(geoms)
    if not len(metres):
        return (gap_m or 0.0), None
    bridge = _bridge_steps(metres.max())
    stray = (
        f"{len(metres)} pair(s) of neighbouring districts do not touch although the others do (up to "
        f"{_metres(metres.max())} m apart, e.g. at {where[0, 0]:.5f}, {where[0, 1]:.5f})"
    )
    if gap_m == 0:
        return 0.0, Problem(
            "warning",
            "",
            f"{stray}, so with --gap 0 the front lines between them are missed; leave --gap out to "
            f"bridge them (up to {bridge} m here)",
        )
    if gap_m is not None and gap_m >= bridge:
        return float(gap_m), None
    return float(bridge), Problem(
        "note", "", f"{stray}: front lines bridge gaps up to {bridge} m wide (--gap 0 for shared boundaries only)"
    )


def _bridge_steps(metres: float) -> int:
    """A bridging distance (metres) reaching `metres`, in steps of BRIDGE_STEP_M, at least one step."""
    return max(BRIDGE_STEP_M, int(np.ceil(metres / BRIDGE_STEP_M) * BRIDGE_STEP_M))


def _metres(value: float) -> str:
    """A gap in metres for a note: whole metres, or two digits below 1 m (a gap of 0 m reads as none)."""
    return f"{value:.0f}" if value >= 1 else f"{value:.2g}"


def _reach(geoms, typical: float) -> tuple[int, np.ndarray]:
    """The bridging distance (metres) for a file whose typical gap is `typical`: one that reaches across its streets,
    narrow and wide, and stops short of open ground, so that the front no longer depends on it.

    It starts at half as much again as the typical gap (in steps of 5 m, at
    least 5) and doubles while doubling still brings more than SATURATION more
    of the districts' edges within reach of another district (at most
    MAX_DOUBLINGS times). On the CSR Aleppo neighbourhoods: streets of about 8 m,
    avenues of 20-60 m, then open ground: 15 -> 30 -> 60 m.

    Also returns the distance from each of REACH_SAMPLE edge points to the nearest other district.
    """
    gap = _bridge_steps(typical * 1.5)
    apart = _edge_gaps(geoms, gap * 2**MAX_DOUBLINGS)
    for _ in range(MAX_DOUBLINGS):
        if (apart <= 2 * gap).sum() <= (1 + SATURATION) * (apart <= gap).sum():
            break
        gap *= 2
    return gap, apart


def _edge_gaps(geoms, cap: float) -> np.ndarray:
    """For REACH_SAMPLE points spread evenly along the districts' edges: the distance (metres) to the nearest
    other district, inf beyond `cap`."""
    to_metric, _ = _local_metric(geoms)
    metric = shapely.transform(geoms, to_metric, interleaved=False)
    rings, own = shapely.get_parts(shapely.boundary(metric), return_index=True)
    rings, inner = shapely.get_parts(rings, return_index=True)  # a multipolygon's boundary is a multi-part line
    own = own[inner]
    length = shapely.length(rings)
    count = np.maximum(1, np.round(length / (length.sum() / REACH_SAMPLE))).astype(int)
    ring = np.repeat(np.arange(len(rings)), count)
    k = np.arange(len(ring)) - np.repeat(np.cumsum(count) - count, count)
    points = shapely.line_interpolate_point(rings[ring], (k + 0.5) / count[ring] * length[ring])
    s, t = shapely.STRtree(metric).query(points, predicate="dwithin", distance=cap)
    other = t != own[ring[s]]
    s, t = s[other], t[other]
    nearest = np.full(len(points), np.inf)
    np.minimum.at(nearest, s, shapely.distance(points[s], metric[t]))
    return nearest


def typical_gap(tree, geoms) -> float | None:
    """The median gap (metres) between close neighbours that share no boundary, when most of them do not.

    Checked on up to PROBE_SAMPLE districts spread through the file: a ratio
    needs no more, and the distance query is the costly part.
    """
    sample = np.unique(np.linspace(0, len(geoms) - 1, min(len(geoms), PROBE_SAMPLE)).astype(int))
    s, t = tree.query(geoms[sample], predicate="dwithin", distance=PROBE_M / METRES_PER_DEGREE)
    s = sample[s]
    near = s != t
    s, t = s[near], t[near]
    distance = shapely.distance(geoms[s], geoms[t])
    apart = distance > TOUCH_DEGREES  # closer is touching (_touching)
    if not len(s) or apart.sum() <= len(s) / 2:
        return None
    return float(np.median(distance[apart])) * METRES_PER_DEGREE


def _neighbours(geoms, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of districts whose bounding boxes come within `reach` (degrees) of each other."""
    box = shapely.bounds(geoms) + np.array([-reach, -reach, reach, reach])
    i, j = shapely.STRtree(geoms).query(shapely.box(*box.T))
    keep = i < j
    return i[keep], j[keep]


def _stray_gaps(geoms) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours closer than PROBE_M that do not touch (within TOUCH_M): the gap (metres) and a point of it (lon/lat).

    For a file whose neighbours touch as a rule: a gap there is a vertex moved or a
    part redrawn, and the front across it is bridged (_resolved) rather than lost.
    """
    i, j = _neighbours(geoms, PROBE_M / METRES_PER_DEGREE)
    apart = ~shapely.intersects(geoms[i], geoms[j])
    i, j = i[apart], j[apart]
    line = shapely.shortest_line(geoms[i], geoms[j])
    metres = shapely.length(line) * METRES_PER_DEGREE
    stray = (metres > TOUCH_M) & (metres <= PROBE_M)
    return metres[stray], shapely.get_coordinates(shapely.centroid(line[stray]))


def _split_note(ds: Dataset, share: np.ndarray, tied: np.ndarray) -> list:
    is_tied = np.not_equal(tied, None)
    notes = []
    for which, text in (
        ((share < 1 - EXACT) & ~is_tied, "split district(s) counted for their largest holder in front lines"),
        (is_tied, "district(s) tied for the largest share: their edges count as front of each tied holder"),
    ):
        ids = ds.districts["id"].to_numpy()[np.flatnonzero(which)]
        if len(ids):
            shown = ", ".join(map(repr, ids[:5])) + (" ..." if len(ids) > 5 else "")
            notes.append(Problem("info", "", f"{len(ids)} {text}: {shown}"))
    return notes


# ------------------------------------------------------------------------------ front lines from zones

# How far out (metres) from a zone's edge the other side is looked for. Past the mismatch between a
# zone's coastline and the clip's (hundreds of metres on DeepState and the 2015 land boundary) and
# a wide river, well short of the smallest areas that matter on a national map.
ZONE_PROBE_M = 2000.0
ZONE_STEP_M = 250.0  # zone edges are cut into pieces this long, each judged on its own
ZONE_COLUMNS = ["date", "actor", "length_km"]


def zone_front_lines(zoneset, clip, probe_m: float = ZONE_PROBE_M):
    """Per date and actor: the part of the zone's edge that faces land inside `clip` the zone does not hold.

    See ZoneFront for the rule. Returns a GeoDataFrame: date, actor, length_km, geometry
    (MultiLineString, EPSG:4326).
    """
    import geopandas as gpd

    front = ZoneFront(clip, probe_m)
    rows, geoms = [], []
    for snap in zoneset.snapshots:
        for actor in zoneset.actors:
            zone = snap.zones.get(actor)
            rows.append({"date": snap.date.isoformat(), "actor": actor})
            geoms.append(front.line(zone) if zone is not None else shapely.MultiLineString())
    frame = pd.DataFrame(rows, columns=ZONE_COLUMNS[:2])
    frame["length_km"] = geodesy.length_km(np.asarray(geoms, dtype=object)) if geoms else np.zeros(0)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)


class ZoneFront:
    """The front along a zone's edge within `clip`: what `frontline ZONES` and `zones movement` both measure.

    The clip's own boundary (coasts, the international border) is not a front,
    and neither is a zone edge drawn a little inside it: a piece of the zone's
    edge counts when the point `probe_m` out from its middle, at right angles
    and away from the zone, lies inside the clip and outside the zone. The
    pieces are drawn in a local equidistant projection centred on the clip (made
    once here, so every date is judged in the same plane) and measured back on
    the ellipsoid by the caller.
    """

    def __init__(self, clip, probe_m: float = ZONE_PROBE_M):
        if clip is None:
            raise UsageError(
                "front lines from zones need --clip FILE (e.g. the national land boundary): "
                "a zone's edge is a front only where it faces land inside it"
            )
        self.to_metric, self.to_lonlat = _local_metric(np.asarray([clip], dtype=object))
        self.area = shapely.transform(clip, self.to_metric, interleaved=False)
        shapely.prepare(self.area)
        self.probe_m = probe_m

    def line(self, zone):
        """The front along `zone`'s edge: a MultiLineString in lon/lat (empty when the zone faces no land)."""
        metric = shapely.transform(zone, self.to_metric, interleaved=False)
        return shapely.transform(_facing_edges(metric, self.area, self.probe_m), self.to_lonlat, interleaved=False)


def _facing_edges(zone, area, probe_m: float):
    """The pieces of `zone`'s edge whose outward probe lands in `area` outside `zone` (metric coordinates)."""
    shapely.prepare(zone)
    start, end, _ = _segments(
        shapely.get_parts(shapely.line_merge(shapely.segmentize(shapely.boundary(zone), ZONE_STEP_M)))
    )
    step = end - start
    length = np.hypot(step[:, 0], step[:, 1])
    real = length > 0
    start, end, step, length = start[real], end[real], step[real], length[real]
    if not len(start):
        return shapely.MultiLineString()
    middle = start + step / 2
    normal = _outward(middle, step / length[:, None], zone)
    probe = middle + normal * probe_m
    faces = shapely.contains_xy(area, probe[:, 0], probe[:, 1]) & ~shapely.contains_xy(zone, probe[:, 0], probe[:, 1])
    pieces = shapely.linestrings(np.stack([start[faces], end[faces]], axis=1)) if faces.any() else np.zeros(0, object)
    merged = shapely.line_merge(shapely.multilinestrings(pieces)) if len(pieces) else shapely.MultiLineString()
    return merged if merged.geom_type == "MultiLineString" else shapely.MultiLineString([merged])

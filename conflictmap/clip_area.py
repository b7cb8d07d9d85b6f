"""A series of zones measured within a clip: each date from the date before, not from the whole clip again.

`zones area --clip` wants km²(Z ∩ C) of a zone Z on every date, C a national
boundary of 100k+ vertices. Intersecting Z with C costs GEOS the clip's
vertices inside the zone (70k for the DeepState zones) on every date. But
from one date to the next a zone changes along its front, mostly far from
the border and the coast, and for R the zone of the date before

    km²(Z ∩ C) = km²(R ∩ C) + km²(Z) - km²(R)

when Z and R differ only strictly inside C. This holds edge by edge, not only
as regions: a geodesic polygon's area is a sum over its edges (each edge's
signed area against a fixed line, conflictmap.geodesy), and both sides sum
the same edges once those Z and R share cancel. Where a change reaches C's
boundary, its difference is measured in small boxes W round those places,
C, Z and R cut to each box (P_W):

    km²(Z ∩ C) = km²(R ∩ C) + km²(Z) - km²(R)
                 + Σ_W ([km²(Z_W ∩ C_W) - km²(Z_W)] - [km²(R_W ∩ C_W) - km²(R_W)])

Each bracket is minus the part of the cut zone outside C. An edge cut at a
point of its straight lon/lat line is no longer the geodesic it was (tiling
the clip moved areas by 1.7e-7), so the identities must never cut an edge
differently for Z and R. The conditions, checked on every date (else the
zone is intersected with the whole clip):

0. Z, R and C are valid, and C's parts meet at most at single points that
   close no ring of parts (so every bounded piece of the plane outside C is
   a hole of a part);
1. every changed edge (a directed pair of vertices of Z or R, not both) lies
   strictly inside C and off every box, or in a box with MARGIN to spare;
2. a corner of each box, and a vertex of each hole of C, lies in both Z and R
   or in neither;
3. no edge of C longer than MARGIN crosses a box's side.

Why they suffice: the boundary of D = Z Δ R lies on changed edges (near any
other point Z and R have the same edges, so the same inside). By 1 it meets
no box side and, outside the boxes, not C's boundary. So each box side lies
wholly in D or wholly outside it, and so does each piece of the plane
outside C and the boxes; 2 says outside (D is bounded, and a bounded piece
touches a box side or is a hole of C, by 0). D then meets the outside of C
only inside boxes, MARGIN from their sides, where by 3 no edge of C that a
side cuts reaches. Every edge cut by C's boundary or a box side is then one
Z and R share, cut at the same point: it cancels. What is left is rounding:
the figures equal the direct intersection to 4e-14 relative on the 26
DeepState dates and 1.2e-12 on the 23 NZZ dates (tests compare them to 1e-9,
on those and on random zones).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import shapely
from shapely.errors import GEOSException

from . import geodesy
from .geometry import polygonal

__all__ = ["SeriesAreas", "changed_edges", "held_in_boxes"]

# Boxes holding more than this share of the clip's vertices cost more than the full intersection (on the
# 116k-vertex Ukrainian boundary: under 10k for a month of DeepState, 35-87k where NZZ or a mixed folder
# redraws a coast): the date is then intersected whole. Only a matter of time: either way is exact.
BOX_VERTICES = 0.25
# More changed edges than this off the clip's inside, and boxing them (quadratic in their number) costs more
# than the full intersection (a month of DeepState: at most 774; NZZ's redrawn coasts and a mixed folder: 1,200-3,700).
MOST_OUTSIDE = 1000
MARGIN = 0.05
"""Degrees (~5 km) between a change near the clip's boundary and the side of the box measuring it. Only
4 of the 116k edges of the Ukrainian boundary are longer; a longer edge crossing a box's side sends the
date to the full intersection."""


class SeriesAreas:
    """km² of zones within a clip, date after date: each from the same key's previous zone where the identities
    of the module docstring hold, else by `full(zone)` (the zone ∩ the whole clip).

    `used` counts how each figure was found: full, same (an identical zone), previous, boxes.
    """

    def __init__(self, clip, full):
        self.clip = clip
        self.full = full
        self.previous: dict = {}  # key -> (zone, its own km², its km² within the clip)
        self.used: Counter = Counter()
        self._fit: bool | None = None  # does the clip suit the identities (found on first use)
        self._holes = np.empty((0, 2))  # a vertex of each hole of the clip
        self._long = None  # the clip's edges longer than MARGIN (an STRtree)
        self._xy = np.empty((0, 2))  # the clip's vertices

    def km2(self, key, zone) -> float:
        """km² of `zone` within the clip; `key` (the actor) names the series it continues."""
        own = float(geodesy.area_km2([zone])[0])
        found = self._from_previous(zone, own, *self.previous[key]) if key in self.previous else None
        found, how = (self.full(zone), "full") if found is None else found
        self.used[how] += 1
        self.previous[key] = (zone, own, found)
        return found

    def _from_previous(self, zone, own: float, ref, ref_own: float, ref_km2: float):
        if zone.is_empty or ref.is_empty or not self._suits() or not shapely.is_valid([zone, ref]).all():
            return None
        if shapely.equals_exact(zone, ref, 0):
            return ref_km2, "same"
        edges = changed_edges(zone, ref)
        inside = shapely.contains_properly(self.clip, shapely.linestrings(edges.reshape(-1, 2, 2)))
        if (~inside).sum() > MOST_OUTSIDE:
            return None  # a coast or a border redrawn: boxing its edges costs more than the full intersection
        boxes = held_in_boxes(edge_bounds(edges), inside, MARGIN)
        points = np.vstack([boxes[:, :2], self._holes])  # a corner of each box, a vertex of each hole
        if (shapely.contains_xy(zone, *points.T) != shapely.contains_xy(ref, *points.T)).any():
            return None  # a box or a hole of the clip lies inside a change
        if len(boxes) and len(self._long.query(shapely.boundary(shapely.box(*boxes.T)), predicate="intersects")[0]):
            return None  # a long edge of the clip crosses a box's side
        if self._vertices_in(boxes) > BOX_VERTICES * len(self._xy):
            return None  # the boxes hold much of the clip (a redrawn zone): the full intersection costs less
        km2 = ref_km2 + own - ref_own
        for box in boxes:
            kept = self._kept_out(zone, ref, box)
            if kept is None:
                return None
            km2 += kept
        return km2, "boxes" if len(boxes) else "previous"

    def _suits(self) -> bool:
        """Is the clip valid, its parts meeting at most at single points that link no ring of parts? Then every
        bounded piece of the plane outside it is a hole of a part, found by a vertex of its ring. Found once;
        the clip is prepared for the tests of every date."""
        if self._fit is None:
            parts = shapely.get_parts(self.clip)
            self._fit = bool(shapely.is_valid(self.clip)) and _touch_as_a_forest(parts)
            rings, polygon = shapely.get_rings(parts, return_index=True)
            hole = np.r_[False, polygon[1:] == polygon[:-1]]  # get_rings: each polygon's exterior, then its holes
            self._holes = shapely.get_coordinates(shapely.get_point(rings[hole], 0)).reshape(-1, 2)
            self._long = shapely.STRtree(long_edges(self.clip, MARGIN))
            self._xy = shapely.get_coordinates(self.clip)
            shapely.prepare(self.clip)
        return self._fit

    def _vertices_in(self, boxes) -> int:
        """How many of the clip's vertices the boxes hold (what measuring in them costs)."""
        x, y = self._xy[:, 0], self._xy[:, 1]
        return sum(int(((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)).sum()) for x0, y0, x1, y1 in boxes)

    def _kept_out(self, zone, ref, box):
        """[km²(Z_W ∩ C_W) - km²(Z_W)] - [km²(R_W ∩ C_W) - km²(R_W)], None where a cut is not valid."""
        cuts = shapely.clip_by_rect(np.array([self.clip, zone, ref], dtype=object), *box)
        if not shapely.is_valid(cuts).all():  # clip_by_rect may give invalid polygons in degenerate cases
            return None
        cut, z, r = (polygonal(g) for g in cuts)
        try:
            parts = [polygonal(shapely.intersection(z, cut)), z, polygonal(shapely.intersection(r, cut)), r]
        except GEOSException:
            return None
        km2 = geodesy.area_km2(parts)
        return float((km2[0] - km2[1]) - (km2[2] - km2[3]))


def _touch_as_a_forest(parts) -> bool:
    """Do polygons meet only at single points, with no ring of polygons each meeting the next (which would
    enclose a piece of the plane no hole bounds)?"""
    first, second = shapely.STRtree(parts).query(parts)  # pairs whose boxes meet
    first, second = first[first < second], second[first < second]
    size = shapely.get_num_coordinates(parts)
    big = np.where(size[first] >= size[second], first, second)  # prepared, the other polygon tested against it
    small = first + second - big
    shapely.prepare(parts[big])
    meet = shapely.intersects(parts[big], parts[small])
    group = list(range(len(parts)))

    def root(i):
        while group[i] != i:
            i = group[i]
        return i

    for a, b in zip(big[meet].tolist(), small[meet].tolist()):
        if shapely.get_type_id(shapely.intersection(parts[a], parts[b])) != 0 or root(a) == root(b):
            return False  # more than one point, or a ring of polygons
        group[root(a)] = root(b)
    return True


def edges(geom) -> np.ndarray:
    """Rows (x0, y0, x1, y1) of a polygon's edges, exteriors counter-clockwise and holes clockwise (no zero-length ones)."""
    rings = shapely.get_rings(shapely.get_parts(shapely.orient_polygons(geom)))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    keep = (ring[1:] == ring[:-1]) & (xy[1:] != xy[:-1]).any(axis=1)
    return np.hstack([xy[:-1], xy[1:]])[keep]


def changed_edges(a, b) -> np.ndarray:
    """Edges of polygon `a` or `b` but not both (as directed vertex pairs, both oriented alike): where they differ."""
    both = _sorted_rows(np.concatenate([_distinct(edges(a)), _distinct(edges(b))]))
    twice = (both[1:] == both[:-1]).all(axis=1)
    return both[~(np.r_[twice, False] | np.r_[False, twice])]


def _sorted_rows(rows: np.ndarray) -> np.ndarray:
    return rows[np.lexsort(rows.T[::-1])]


def _distinct(rows: np.ndarray) -> np.ndarray:
    rows = _sorted_rows(rows)
    return rows[np.r_[True, (rows[1:] != rows[:-1]).any(axis=1)]]


def edge_bounds(edges: np.ndarray) -> np.ndarray:
    """Rows (minx, miny, maxx, maxy) of edges given as rows (x0, y0, x1, y1)."""
    return np.hstack([np.minimum(edges[:, :2], edges[:, 2:]), np.maximum(edges[:, :2], edges[:, 2:])])


def long_edges(geom, length: float) -> np.ndarray:
    """A polygon's edges longer than `length` (degrees, planar), as line strings."""
    found = edges(geom)
    found = found[np.hypot(found[:, 2] - found[:, 0], found[:, 3] - found[:, 1]) >= length]
    return shapely.linestrings(found.reshape(-1, 2, 2))


def held_in_boxes(bounds: np.ndarray, inside: np.ndarray, margin: float):
    """Disjoint boxes (rows x0, y0, x1, y1) holding each item not `inside` with `margin` to spare, every other
    item either held so or apart from all boxes; no box when every item is inside.

    `bounds` are the items' boxes (NaN for an empty item, which needs none). Boxes grow and merge until no
    item is half in one.
    """
    present = ~np.isnan(bounds).any(axis=1)
    bounds, inside = bounds[present], inside[present]
    grown = bounds + np.array([-margin, -margin, margin, margin])
    boxes = grown[~inside]
    while len(boxes):
        boxes = _merged(boxes)
        held = (
            (grown[None, :, 0] >= boxes[:, None, 0])
            & (grown[None, :, 1] >= boxes[:, None, 1])
            & (grown[None, :, 2] <= boxes[:, None, 2])
            & (grown[None, :, 3] <= boxes[:, None, 3])
        )
        half = _meet(boxes, bounds) & ~held  # closed boxes: an item touching a side is half in
        if not half.any():
            return boxes
        for k in np.flatnonzero(half.any(axis=1)):
            wanted = np.vstack([boxes[k], grown[half[k]]])
            boxes[k] = [*wanted[:, :2].min(axis=0), *wanted[:, 2:].max(axis=0)]
    return boxes


def _meet(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a x b: do the closed boxes meet?"""
    return (
        (a[:, None, 0] <= b[None, :, 2])
        & (b[None, :, 0] <= a[:, None, 2])
        & (a[:, None, 1] <= b[None, :, 3])
        & (b[None, :, 1] <= a[:, None, 3])
    )


def _merged(boxes: np.ndarray) -> np.ndarray:
    """Boxes that meet (directly or through others) replaced by the box round them, until none meet."""
    while True:
        meet = _meet(boxes, boxes)
        if meet.sum() == len(boxes):
            return boxes
        group = np.arange(len(boxes))
        while True:  # each box takes the least group of the boxes it meets: the groups of connected boxes
            least = np.where(meet, group[None, :], len(boxes)).min(axis=1)
            if (least == group).all():
                break
            group = least
        _, group = np.unique(group, return_inverse=True)
        out = np.full((group.max() + 1, 4), np.nan)
        out[:, :2], out[:, 2:] = np.inf, -np.inf
        np.minimum.at(out[:, 0], group, boxes[:, 0])
        np.minimum.at(out[:, 1], group, boxes[:, 1])
        np.maximum.at(out[:, 2], group, boxes[:, 2])
        np.maximum.at(out[:, 3], group, boxes[:, 3])
        boxes = out

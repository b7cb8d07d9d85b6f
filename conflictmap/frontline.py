"""Front lines on a date: where the areas of different controllers meet, with geodesic length.

A front line is the boundary shared by two districts whose controllers
differ, dissolved per actor pair (one MultiLineString per pair, actor_a <
actor_b alphabetically). Rules:

- Each district counts for one controller, its main holder: the single holder,
  or for a split district the largest holder (a tie goes to the actor first in
  alphabetical order). The log says how much of a district each side holds,
  not where, so no line can be drawn through a split district.
- `contested` and `unknown` are controllers like any other: a boundary between
  rebel-held and contested ground is a front line of its own, not dropped.
- The outer edge of the districts is not a front line (nothing is known beyond it).
- With gap_m = 0 only boundaries the polygons really share count. Real district
  files often leave gaps (streets) between neighbours; by default the typical
  gap is detected and bridged (detect_gap), or gap_m bridges gaps up to that
  many metres: the line is then the part of actor_a's district boundary
  that faces actor_b's district across the gap, i.e. from which a perpendicular
  of at most gap_m, drawn outwards, reaches it. Being merely within gap_m is not
  enough: every edge running away from the contact (the far side of a street
  corner) would add a stub of gap_m at each end of the contact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from . import geodesy
from .dataset import Dataset
from .errors import Problem, UsageError
from .figures import state_on
from .geometry import clip_to_boxes

COLUMNS = ["actor_a", "actor_b", "length_km"]
# Neighbours closer than this (metres, roughly) that share no boundary suggest a gapped file.
PROBE_M = 20.0
METRES_PER_DEGREE = 111_320.0  # along a meridian or the equator; only for the probe
PROBE_SAMPLE = 200
# How far beside a boundary (metres) a point is taken to tell the outside of a district from its inside.
SIDE_PROBE_M = 0.01
# Lines drawn in metres (--gap) are merged on a grid of this many metres (1 mm): the pieces cut by
# different rectangles meet at computed points a hair off the original segment.
GRID_M = 1e-3


@dataclass
class FrontLines:
    lines: object  # GeoDataFrame: actor_a, actor_b, length_km, geometry (EPSG:4326)
    problems: list = field(default_factory=list)


def main_holder(state: pd.DataFrame, count: int, second: bool = False, second_min: float = 0.0) -> tuple:
    """Per district idx: the controller holding the largest share (ties: alphabetical) and that share.

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


def front_lines(ds: Dataset, date: dt.date | None = None, gap_m: float | None = None) -> FrontLines:
    """Front lines on a date, one row per actor pair, longest first.

    `gap_m` None (the default) detects gaps between neighbours by itself: when
    most close neighbours share no boundary (streets between the polygons), the
    gaps are bridged up to a distance set from the typical gap, and a note says
    which; 0 uses shared boundaries only.
    """
    if gap_m is not None and not gap_m >= 0:
        raise UsageError(f"--gap {gap_m} is negative; give a distance in metres (0 for shared boundaries only)")
    geoms = np.asarray(ds.districts.geometry.values)
    holder, share = main_holder(state_on(ds, date), len(geoms))
    problems = _split_note(ds, share)
    if gap_m is None:
        gap_m, note = detect_gap(geoms)
        problems += [note] if note else []
    if gap_m == 0:
        a, b, lines, gapped = _shared_boundaries(geoms, holder)
        problems += [gapped] if gapped else []
        to_lonlat = None
    else:
        a, b, lines, to_lonlat = _bridged_boundaries(geoms, holder, gap_m)
    return FrontLines(_dissolve(holder[a], holder[b], lines, to_lonlat), problems)


def _shared_boundaries(geoms, holder):
    """Pairs of touching districts with different holders and the boundary they share (lon/lat)."""
    tree = shapely.STRtree(geoms)
    # Bounding boxes only: an exact predicate on every neighbour pair costs more than
    # intersecting the few pairs with different holders, where non-touching ones come out empty.
    i, j = tree.query(geoms)
    keep = (i < j) & (holder[i] != holder[j])
    i, j = i[keep], j[keep]
    # boundary ∩ polygon (not boundary ∩ boundary): a sliver of overlap still yields the line.
    shared = shapely.intersection(shapely.boundary(geoms[i]), geoms[j])
    touching = shapely.length(shared) > 0
    return i[touching], j[touching], shared[touching], _gap_warning(tree, geoms)


def _bridged_boundaries(geoms, holder, gap_m: float):
    """Pairs within gap_m metres with different holders: the parts of actor_a's boundary facing actor_b's district.

    Distances need metres, so the work is done in an azimuthal equidistant
    projection centred on the districts (distortion under 0.5% across a country
    the size of Ukraine, which is plenty for a tolerance) and the lines are
    brought back to lon/lat (after the dissolve, which must see exactly equal
    segments to merge them) to be measured geodesically. Returns one row per
    stretch of line, with the pair of districts it belongs to.
    """
    to_metric, to_lonlat = _local_metric(geoms)
    metric = shapely.transform(geoms, to_metric, interleaved=False)
    i, j = shapely.STRtree(metric).query(metric, predicate="dwithin", distance=gap_m)
    keep = (i < j) & (holder[i] != holder[j])
    i, j = i[keep], j[keep]
    # Always draw on the boundary of actor_a's district, so that lines of one pair
    # lie on one side of a street and dissolve instead of doubling up.
    first = holder[i] < holder[j]
    a, b = np.where(first, i, j), np.where(first, j, i)
    buffered = np.full(len(geoms), None, dtype=object)
    near = np.unique(b)
    buffered[near] = shapely.buffer(metric[near], gap_m)
    # Candidates: actor_a's boundary within gap_m of actor_b; of those, only what faces actor_b.
    close = shapely.intersection(shapely.boundary(metric[a]), buffered[b]) if len(a) else np.zeros(0, object)
    lines, pair = _facing(close, metric[a], metric[b], gap_m)
    return a[pair], b[pair], lines, to_lonlat


def _facing(lines, own, other, gap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The parts of `lines` (pieces of the boundary of `own`) facing `other` across at most gap_m,
    as two-point LineStrings, with the position of the pair each came from.

    A point faces `other` when the perpendicular drawn outwards from it reaches
    `other` within gap_m. Along a straight segment those points are exactly the
    projection onto it of `other` ∩ the rectangle the segment sweeps outwards
    over gap_m. In the segment's own frame (x along it from its start, y
    outwards) that rectangle is the box [0, length] x [0, gap_m], so a clip to
    a box gives the intersection and the x-extent of each part its projection:
    no sampling, no general overlay, all segments at once.
    """
    parts, pair = _line_parts(lines)
    start, end, part = _segments(parts)
    step = end - start
    length = np.hypot(step[:, 0], step[:, 1])
    real = length > 0
    start, part, step, length = start[real], part[real], step[real], length[real]
    along = step / length[:, None]
    outward = _outward(start + step / 2, along, own[pair[part]])
    corners = np.stack([start, start + step, start + step + outward * gap_m, start + outward * gap_m])
    boxes = np.column_stack([corners.min(axis=0) - GRID_M, corners.max(axis=0) + GRID_M])
    # The neighbour cut to each rectangle's bounding box first: only a few of its vertices are turned.
    local = _in_frame(clip_to_boxes(other[pair[part]], boxes), start, along, outward)
    seen = _clip_frames(local, length, gap_m)
    pieces, seg = shapely.get_parts(seen, return_index=True)
    pieces, inner = shapely.get_parts(pieces, return_index=True)  # collections may hold multi-parts
    seg = seg[inner]
    x0, _, x1, _ = shapely.bounds(pieces).T
    lo, hi = np.clip(x0, 0, length[seg]), np.clip(x1, 0, length[seg])
    keep = hi - lo > 0  # a point or a sliver ending on a side of the rectangle faces nothing
    lo, hi, seg = lo[keep], hi[keep], seg[keep]
    ends = np.stack([start[seg] + along[seg] * lo[:, None], start[seg] + along[seg] * hi[:, None]], axis=1)
    return shapely.linestrings(ends), pair[part[seg]]


def _clip_frames(local, length, gap_m: float) -> np.ndarray:
    """Each geometry ∩ its box [0, length] x [0, gap_m], the box grown by GRID_M on every side.

    Grown, so that a boundary shared with the segment (y = 0 give or take float
    noise) and the shared vertices at its ends lie inside the box, not on its
    edge, where rectangle clipping is fragile. Should GEOS still refuse a
    degenerate piece, all are done again with snap-rounding on the grid (robust, slower).
    """
    lo, hi = -GRID_M, gap_m + GRID_M
    try:
        with np.errstate(invalid="ignore"):
            return shapely.lib.clip_by_rect(local, lo, lo, length + GRID_M, hi)
    except shapely.errors.GEOSException:
        return shapely.intersection(local, shapely.box(lo, lo, length + GRID_M, hi), grid_size=GRID_M)


def _outward(points, along, own) -> np.ndarray:
    """Unit normals to the segments through `points` (directions `along`), pointing out of `own`.

    The ring's direction is not to be trusted (input files get it wrong, overlays
    may reverse lines): the outside is where a point just beside the line is not in the district.
    """
    normal = np.column_stack([along[:, 1], -along[:, 0]])
    side = points + normal * SIDE_PROBE_M
    normal[shapely.contains_xy(own, side[:, 0], side[:, 1])] *= -1
    return normal


def _in_frame(geoms, origin, x_axis, y_axis) -> np.ndarray:
    """Each geometry in its own frame: coordinates relative to its origin, on its (unit) x and y axes."""
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    offset = coords - origin[which]
    local = np.column_stack([(offset * x_axis[which]).sum(axis=1), (offset * y_axis[which]).sum(axis=1)])
    return shapely.set_coordinates(np.array(geoms, dtype=object), local)


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

    `to_lonlat` brings lines drawn in a metric projection back to lon/lat. There
    the pieces cut by different buffers meet at computed points a hair off the
    original segment, so the union snaps to a 1 mm grid for overlaps to dissolve.
    """
    import geopandas as gpd

    grid = None if to_lonlat is None else GRID_M
    parts, index = _line_parts(np.asarray(lines, dtype=object))
    x, y = np.asarray(actor_a, dtype=object)[index], np.asarray(actor_b, dtype=object)[index]
    swap = y < x
    table = pd.DataFrame({"actor_a": np.where(swap, y, x), "actor_b": np.where(swap, x, y), "part": np.arange(len(parts))})
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
    return out.sort_values(["length_km", "actor_a", "actor_b"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def detect_gap(geoms) -> tuple[float, Problem | None]:
    """The bridging distance (metres) a file needs, and a note saying so: 0 and None when neighbours touch."""
    typical = typical_gap(shapely.STRtree(geoms), geoms)
    if typical is None:
        return 0.0, None
    gap = bridging(typical)
    return float(gap), Problem("note", "", f"neighbouring districts do not touch (typical gap about {typical:.0f} m, "
                                           f"e.g. streets): front lines bridge gaps up to {gap} m; --gap 0 for shared "
                                           "boundaries only, --gap N to choose")


def bridging(typical: float) -> int:
    """A bridging distance for a typical gap: half as much again, in steps of 5 m (at least 5)."""
    return max(5, int(np.ceil(typical * 1.5 / 5) * 5))


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
    apart = ~shapely.intersects(geoms[s], geoms[t])
    if not len(s) or apart.sum() <= len(s) / 2:
        return None
    return float(np.median(shapely.distance(geoms[s[apart]], geoms[t[apart]]))) * METRES_PER_DEGREE


def _gap_warning(tree, geoms) -> Problem | None:
    """With --gap 0 on a file whose neighbours do not touch: a warning that fronts along the gaps are missed."""
    typical = typical_gap(tree, geoms)
    if typical is None:
        return None
    suggest = bridging(typical)
    return Problem(
        "warning", "",
        f"neighbouring districts share no boundary (typical gap about {typical:.0f} m, e.g. streets), so with --gap 0 "
        f"front lines along them are missed; leave --gap out to bridge them (up to {suggest} m here)",
    )


def _split_note(ds: Dataset, share: np.ndarray) -> list:
    split = np.flatnonzero(share < 1 - 1e-12)
    if not len(split):
        return []
    ids = ds.districts["id"].to_numpy()[split]
    shown = ", ".join(map(repr, ids[:5])) + (" ..." if len(ids) > 5 else "")
    return [Problem("info", "", f"{len(split)} split district(s) counted for their largest holder in front lines: {shown}")]


# ------------------------------------------------------------------------------ front lines from zones

# How far out (metres) from a zone's edge the other side is looked for. Past the mismatch between a
# zone's coastline and the clip's (hundreds of metres on DeepState and the 2015 land boundary) and
# a wide river, well short of the smallest areas that matter on a national map.
ZONE_PROBE_M = 2000.0
ZONE_STEP_M = 250.0  # zone edges are cut into pieces this long, each judged on its own
ZONE_COLUMNS = ["date", "actor", "length_km"]


def zone_front_lines(zoneset, clip, probe_m: float = ZONE_PROBE_M):
    """Per date and actor: the part of the zone's edge that faces land inside `clip` the zone does not hold.

    The clip's own boundary (coasts, the international border) is not a front,
    and neither is a zone edge drawn a little inside it: a piece of the zone's
    edge counts when the point `probe_m` out from its middle, at right angles
    and away from the zone, lies inside the clip and outside the zone. Lengths
    are geodesic (the pieces are drawn in a local equidistant projection and
    measured back on the ellipsoid). Returns a GeoDataFrame: date, actor,
    length_km, geometry (MultiLineString, EPSG:4326).
    """
    import geopandas as gpd

    if clip is None:
        raise UsageError("front lines from zones need --clip FILE (e.g. the national land boundary): "
                         "a zone's edge is a front only where it faces land inside it")
    to_metric, to_lonlat = _local_metric(np.asarray([clip], dtype=object))
    area = shapely.transform(clip, to_metric, interleaved=False)
    shapely.prepare(area)
    rows, geoms = [], []
    for snap in zoneset.snapshots:
        for actor in zoneset.actors:
            zone = snap.zones.get(actor)
            line = _facing_edges(shapely.transform(zone, to_metric, interleaved=False), area, probe_m) \
                if zone is not None else shapely.MultiLineString()
            line = shapely.transform(line, to_lonlat, interleaved=False)
            rows.append({"date": snap.date.isoformat(), "actor": actor})
            geoms.append(line)
    frame = pd.DataFrame(rows, columns=ZONE_COLUMNS[:2])
    frame["length_km"] = geodesy.length_km(np.asarray(geoms, dtype=object)) if geoms else np.zeros(0)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)


def _facing_edges(zone, area, probe_m: float):
    """The pieces of `zone`'s edge whose outward probe lands in `area` outside `zone` (metric coordinates)."""
    shapely.prepare(zone)
    start, end, _ = _segments(shapely.get_parts(shapely.line_merge(shapely.segmentize(shapely.boundary(zone), ZONE_STEP_M))))
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

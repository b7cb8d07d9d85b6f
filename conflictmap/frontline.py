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
  files often leave gaps (streets) between neighbours; gap_m bridges gaps up to
  that many metres: the line is then the part of actor_a's district boundary
  lying within gap_m of actor_b's district.
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

COLUMNS = ["actor_a", "actor_b", "length_km"]
# Neighbours closer than this (metres, roughly) that share no boundary suggest a gapped file.
PROBE_M = 20.0
METRES_PER_DEGREE = 111_320.0  # along a meridian or the equator; only for the probe
PROBE_SAMPLE = 200


@dataclass
class FrontLines:
    lines: object  # GeoDataFrame: actor_a, actor_b, length_km, geometry (EPSG:4326)
    problems: list = field(default_factory=list)


def main_holder(state: pd.DataFrame, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per district idx: the controller holding the largest share (ties: alphabetical) and that share."""
    ordered = state.sort_values(["idx", "share", "controller"], ascending=[True, False, True], kind="stable")
    first = ordered.drop_duplicates("idx")
    idx = first["idx"].to_numpy(dtype=int)
    holder = np.full(count, None, dtype=object)
    share = np.zeros(count)
    holder[idx] = first["controller"].to_numpy(dtype=object)
    share[idx] = first["share"].to_numpy(dtype=float)
    return holder, share


def front_lines(ds: Dataset, date: dt.date | None = None, gap_m: float = 0.0) -> FrontLines:
    """Front lines on a date, one row per actor pair, longest first."""
    if not gap_m >= 0:
        raise UsageError(f"--gap {gap_m} is negative; give a distance in metres (0 for shared boundaries only)")
    geoms = np.asarray(ds.districts.geometry.values)
    holder, share = main_holder(state_on(ds, date), len(geoms))
    problems = _split_note(ds, share)
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
    """Pairs within gap_m metres with different holders: actor_a's boundary within gap_m of actor_b's district.

    Distances need metres, so the work is done in an azimuthal equidistant
    projection centred on the districts (distortion under 0.5% across a country
    the size of Ukraine, which is plenty for a tolerance) and the lines are
    brought back to lon/lat (after the dissolve, which must see exactly equal
    segments to merge them) to be measured geodesically.
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
    lines = shapely.intersection(shapely.boundary(metric[a]), buffered[b]) if len(a) else np.zeros(0, object)
    return a, b, lines, to_lonlat


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

    grid = None if to_lonlat is None else 1e-3
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


def _gap_warning(tree, geoms) -> Problem | None:
    """A warning when most close neighbours do not touch: the file has gaps (e.g. streets).

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
    typical = float(np.median(shapely.distance(geoms[s[apart]], geoms[t[apart]]))) * METRES_PER_DEGREE
    suggest = max(5, int(np.ceil(typical * 1.5 / 5) * 5))
    return Problem(
        "warning", "",
        f"{apart.mean():.0%} of neighbouring district pairs share no boundary (typical gap about {typical:.0f} m, "
        f"e.g. streets), so front lines along them are missed; pass --gap {suggest} to bridge gaps up to {suggest} m",
    )


def _split_note(ds: Dataset, share: np.ndarray) -> list:
    split = np.flatnonzero(share < 1 - 1e-12)
    if not len(split):
        return []
    ids = ds.districts["id"].to_numpy()[split]
    shown = ", ".join(map(repr, ids[:5])) + (" ..." if len(ids) > 5 else "")
    return [Problem("info", "", f"{len(split)} split district(s) counted for their largest holder in front lines: {shown}")]

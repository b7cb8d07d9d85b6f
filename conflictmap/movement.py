"""How far and how fast the front moves between two dates, per actor pair.

For each pair (actor gained from other) between D0 and D1:

- `area_km2`: the km² that went from `other` to `actor` (conflictmap.transfer, as the transition matrix of `changes`, so a
  split district moves the part of its area the shares say);
- `front_km`: the geodesic length of the front between the two on D0 (conflictmap.frontline), the line
  the advance started from;
- `depth_km`: the mean advance depth, area ÷ front length;
- `max_advance_km`: the largest distance from the D0 front to a point the actor gained: the farthest
  vertex of the districts whose main holder went from `other` to `actor` (for a split district the log
  does not say where the part moved, so only districts that changed main holder count; a district tied
  for the largest share on either date has no main holder and counts for neither side), geodesic;
- `rate_km_per_day`: depth ÷ days, and `max_rate_km_per_day`: max advance ÷ days.

Zone snapshots (DeepStateMap) work the same way with the zones' own polygons: see zone_movement().
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from . import geodesy
from .changes import window
from .dataset import Dataset
from .errors import Problem, UsageError
from .figures import reported_actors, state_on
from .frontline import ZONE_PROBE_M, ZoneFront, front_lines_at, resolve_gap, sole_holder
from .transfer import share_matrix, total_flows

__all__ = ["front_movement", "stepped_movement", "zone_movement", "gains_layer"]

COLUMNS = [
    "since",
    "until",
    "days",
    "actor",
    "from",
    "area_km2",
    "front_km",
    "depth_km",
    "max_advance_km",
    "rate_km_per_day",
    "max_rate_km_per_day",
]


# A piece of ground gained or lost this close (degrees, about a centimetre) to the old zone's edge touches it:
# the differences of two zones share their edges to rounding.
TOUCH_DEG = 1e-7


class _Local:
    """An azimuthal equidistant projection centred on the districts (metres), made once per dataset.

    It only picks the farthest point and its nearest point on the front; their distance is then
    measured on the ellipsoid, so the projection's distortion does not enter the figure.
    """

    def __init__(self, geoms):
        lon, lat = shapely.centroid(shapely.box(*shapely.total_bounds(geoms))).coords[0]
        crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
        self.there = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def project(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(self.there.transform(xy[:, 0], xy[:, 1])))


def farthest_km(points_lonlat: np.ndarray, line_lonlat, local: _Local | None = None) -> float:
    """Geodesic km from `line_lonlat` to the farthest of `points_lonlat` (an (n, 2) array of lon/lat)."""
    if not len(points_lonlat) or line_lonlat is None or line_lonlat.is_empty:
        return float("nan")
    local = local or _Local(np.array([line_lonlat, shapely.multipoints(points_lonlat)], dtype=object))
    line = local.project(line_lonlat)
    x, y = local.there.transform(points_lonlat[:, 0], points_lonlat[:, 1])
    points = shapely.points(np.column_stack([x, y]))
    far = int(np.argmax(shapely.distance(points, line)))
    nearest = shapely.get_coordinates(shapely.shortest_line(points[far], line))[1]
    lon, lat = local.back.transform(nearest[0], nearest[1])
    _, _, metres = geodesy.WGS84.inv(points_lonlat[far, 0], points_lonlat[far, 1], lon, lat)
    return metres / 1e3


class _Dates:
    """What each date needs, computed once even when it is the end of one step and the start of the next."""

    def __init__(self, ds: Dataset, gap_m: float | None, resolved: bool = False):
        self.ds = ds
        self.geoms = np.asarray(ds.districts.geometry.values)
        # Once for every date, as front_lines would; `resolved`: the caller has (and said so), and gap_m is the result.
        self.gap_m, self.gap_note = (gap_m, None) if resolved else resolve_gap(self.geoms, gap_m)
        self.actors = reported_actors(ds)
        self.local = _Local(self.geoms)
        self.area = ds.districts["area_km2"].to_numpy(dtype=float)
        self._cache: dict = {}

    def on(self, day: dt.date) -> dict:
        if day not in self._cache:
            state = state_on(self.ds, day)
            self._cache = {k: v for k, v in self._cache.items() if k > day}  # steps go forward: keep little
            self._cache[day] = {
                "shares": share_matrix(state, self.actors, len(self.geoms)),
                "holder": sole_holder(state, len(self.geoms))[0],  # a tie counts for no one's strip
                "day": day,
            }
        return self._cache[day]

    def fronts(self, day: dt.date) -> dict:
        info = self.on(day)
        if "fronts" not in info:
            lines = front_lines_at(self.ds, day, self.gap_m).lines
            info["fronts"] = {
                frozenset((a, b)): (v, g)
                for a, b, v, g in zip(lines["actor_a"], lines["actor_b"], lines["length_km"], lines.geometry)
            }
        return info["fronts"]


def front_movement(
    ds: Dataset,
    since: dt.date | None = None,
    until: dt.date | None = None,
    gap_m: float | None = None,
    dates: _Dates | None = None,
    resolved: bool = False,
) -> pd.DataFrame:
    """One row per (actor, from) pair with area moved between the dates; see the module docstring.

    `gap_m` is the least bridging of the D0 front (frontline.resolve_gap); `resolved` says it is
    resolve_gap's answer already, so that the file's streets are not measured again.
    """
    since, until = window(ds, since, until)
    dates = dates or _Dates(ds, gap_m, resolved)
    days = (until - since).days
    fronts = dates.fronts(since)
    then, now = dates.on(since), dates.on(until)
    flows = total_flows(then["shares"], now["shares"], dates.area)
    rows = []
    for i, j in zip(*np.nonzero(flows > 0)):
        if i == j:
            continue
        loser, gainer = dates.actors[i], dates.actors[j]
        front, line = fronts.get(frozenset((gainer, loser)), (0.0, None))
        depth = flows[i, j] / front if front > 0 else float("nan")
        moved = (then["holder"] == loser) & (now["holder"] == gainer)
        far = (
            farthest_km(shapely.get_coordinates(dates.geoms[moved]), line, dates.local) if moved.any() else float("nan")
        )
        rows.append(
            {
                "since": since.isoformat(),
                "until": until.isoformat(),
                "days": days,
                "actor": gainer,
                "from": loser,
                "area_km2": float(flows[i, j]),
                "front_km": float(front),
                "depth_km": depth,
                "max_advance_km": far,
                "rate_km_per_day": depth / days if days else float("nan"),
                "max_rate_km_per_day": far / days if days else float("nan"),
            }
        )
    return _table(rows)


def _table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(
        ["since", "area_km2", "actor", "from"], ascending=[True, False, True, True], kind="stable"
    ).reset_index(drop=True)


def stepped_movement(
    ds: Dataset, dates: list[dt.date], gap_m: float | None = None, resolved: bool = False
) -> pd.DataFrame:
    """front_movement for each step of a date grid (consecutive dates)."""
    if len(dates) < 2:
        raise UsageError("front movement needs two dates; give --since and --until, or a longer --every window")
    cache = _Dates(ds, gap_m, resolved)
    frames = [front_movement(ds, a, b, gap_m, cache) for a, b in zip(dates[:-1], dates[1:])]
    return pd.concat(frames, ignore_index=True) if frames else _table([])


def zone_movement(zoneset, clip=None, rest: str = "rest", progress=None, problems=None) -> pd.DataFrame:
    """front_movement for dated zone polygons (DeepStateMap): per pair of consecutive snapshots and actor,
    the zone gained (new minus old) and lost (old minus new), within `clip` when given.

    The front on D0 is the one `frontline ZONES` measures (frontline.ZoneFront): the zone's edge that
    faces land inside `clip` (a national boundary) the zone does not hold, so the coast, the border
    and a zone edge drawn a little inside them are not front. Without `clip` every edge counts (say so).
    `rest` names whoever holds the ground outside every zone. The maximum advance is measured over the
    ground that touches the old zone along its front (_advanced); `problems`, a list, gets a note on the
    pieces left out because they touch no old zone.
    """
    from .zones import check_rest, clipped

    check_rest(rest, zoneset.actors)
    facing = ZoneFront(clip) if clip is not None else None
    rows, snaps, detached = [], zoneset.snapshots, []
    for n, (old, new) in enumerate(zip(snaps[:-1], snaps[1:]), start=1):
        days = (new.date - old.date).days
        for who in zoneset.actors:
            z0, z1 = old.zones.get(who), new.zones.get(who)
            if z0 is None or z1 is None:
                continue
            front_line = facing.line(z0) if facing is not None else z0.boundary
            front = float(geodesy.length_km([front_line])[0])
            local = _Local(np.array([z0, z1], dtype=object))
            for gainer, loser, part in (
                (who, rest, shapely.difference(z1, z0)),
                (rest, who, shapely.difference(z0, z1)),
            ):
                part = clipped(part, clip) if not part.is_empty else part
                area = float(geodesy.area_km2([part])[0])
                if area <= 0:
                    continue
                depth = area / front if front > 0 else float("nan")
                counted, apart = _advanced(part, z0, front_line, local)
                far = farthest_km(counted, front_line, local)
                detached += [(a, new.date.isoformat(), gainer, g) for a, g in zip(geodesy.area_km2(apart), apart)]
                rows.append(
                    {
                        "since": old.date.isoformat(),
                        "until": new.date.isoformat(),
                        "days": days,
                        "actor": gainer,
                        "from": loser,
                        "area_km2": area,
                        "front_km": front,
                        "depth_km": depth,
                        "max_advance_km": far,
                        "rate_km_per_day": depth / days if days else float("nan"),
                        "max_rate_km_per_day": far / days if days else float("nan"),
                    }
                )
        if progress:
            progress(n, len(snaps) - 1)
    if problems is not None:
        problems += _detached_note(detached)
    return _table(rows)


def _advanced(part, zone, front_line, local: _Local) -> tuple[np.ndarray, np.ndarray]:
    """(the vertices (lon/lat) of `part`, the ground gained or lost, that count for the maximum advance,
    the pieces of `part` that do not touch the old zone at all).

    Only a piece that touches the old zone's edge within ZONE_PROBE_M of the front is an advance from it.
    A piece touching the edge only farther away lies along the coast or the border, where a map redraws
    its edge by metres (DeepState 2025-09-01 -> 10-01: a few m² at Berdiansk, 112 km from the front). A
    piece not touching the old zone is a new front, e.g. entered across the international border
    (2024-12-01 -> 2025-01-02: 0.69 km² on the Sumy border, 82 km from the old front), or a hole. Neither
    is measured from the front; their km² still count.
    """
    pieces = shapely.get_parts(part)
    edge = shapely.boundary(zone)
    shapely.prepare(edge)
    touching = shapely.dwithin(pieces, edge, TOUCH_DEG)  # the differences of two zones share their edges
    counted = touching.copy()
    if counted.any() and not front_line.is_empty:
        front = local.project(front_line)
        shapely.prepare(front)
        counted[counted] = shapely.dwithin(local.project(pieces[counted]), front, ZONE_PROBE_M)
    return shapely.get_coordinates(pieces[counted]), pieces[~touching]


def _detached_note(detached: list) -> list:
    """One note for the pieces gained or lost apart from the old zone: (km², until, actor, piece) each."""
    if not detached:
        return []
    km2, until, who, piece = max(detached, key=lambda d: d[0])
    lon, lat = shapely.get_coordinates(shapely.point_on_surface(piece))[0]
    steps = len({(d[1], d[2]) for d in detached})
    return [
        Problem(
            "note",
            "zones movement",
            f"max_advance_km leaves out {len(detached)} piece(s) of ground that touch no zone of the actor "
            f"before ({steps} step(s); the largest {km2:,.2f} km² for {who}, to {until}, at {lon:.2f}E {lat:.2f}N): "
            "a new front, e.g. entered across the border, is no advance from the old one; their km² are in area_km2",
        )
    ]


# The gains layer's columns and types (export.typed): COLUMNS, area_km2 before moved_km2, then districts.
GAINS_SCHEMA = {
    **{c: str for c in ("since", "until", "actor", "from")},
    "days": int,
    **{c: float for c in COLUMNS[5:]},
    "area_km2": float,
    "moved_km2": float,
    "districts": int,
}


def gains_layer(
    ds: Dataset, since: dt.date, until: dt.date | None = None, gap_m: float | None = None, resolved: bool = False
):
    """The strips gained and lost between the dates, one feature per (actor, from) pair with area moved.

    The geometry is the union of the districts whose main holder went from `from` to `actor` (a district
    tied for the largest share on either date has none: frontline.sole_holder); a pair
    whose moved km² lies only in parts of split districts has no strip to draw and no feature (its km²
    is in front-movement). `area_km2` is the strip's geodesic area and `moved_km2` the km² that moved
    by the log's shares (split districts included), as front-movement.
    """
    import geopandas as gpd

    from .export import typed

    since, until = window(ds, since, until)
    dates = _Dates(ds, gap_m, resolved)
    table = front_movement(ds, since, until, gap_m, dates)
    then, now = dates.on(since), dates.on(until)
    geoms = []
    for actor, loser in zip(table["actor"], table["from"]):
        moved = (then["holder"] == loser) & (now["holder"] == actor)
        geoms.append(shapely.union_all(dates.geoms[moved]) if moved.any() else None)  # null: no whole district moved
    frame = table.rename(columns={"area_km2": "moved_km2"})
    frame.insert(frame.columns.get_loc("moved_km2"), "area_km2", geodesy.area_km2(geoms))
    frame["districts"] = [
        int(((then["holder"] == b) & (now["holder"] == a)).sum()) for a, b in zip(table["actor"], table["from"])
    ]
    drawn = np.array([g is not None for g in geoms], dtype=bool)
    frame = typed(frame[drawn].reset_index(drop=True), GAINS_SCHEMA)  # an empty layer keeps its types
    return gpd.GeoDataFrame(frame, geometry=[g for g in geoms if g is not None], crs=4326)

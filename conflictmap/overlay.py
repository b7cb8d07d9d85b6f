"""Overlay engine: how much of each district each actor's zone covers, fast and exact.

For one zone (the area an actor holds on a date) against all districts:

1. an STRtree over the districts gives the (zone part, district) pairs whose
   boxes overlap; a prepared-geometry `intersects` keeps those that touch;
2. districts wholly inside a zone part (prepared `contains_properly`) take
   their whole area, and districts the zone does not reach take nothing: no
   intersection is computed for either;
3. only boundary districts are intersected, the zone part first cut to the
   district's box and the district to the cut part's box
   (`shapely.clip_by_rect`), so GEOS works on a few hundred vertices instead
   of the whole zone (or the whole of a huge district).

The result is the same geometry a full `geopandas.overlay` computes (the
tests check it to 1e-9 relative). Areas are measured in a Lambert azimuthal
equal-area projection of the WGS84 ellipsoid centred on the districts (one
vectorised transform, not a Python loop per piece); it agrees with
`pyproj.Geod` within 0.1% (tested). For districts spread wider than a
continent the engine measures geodesically instead.
"""

from __future__ import annotations

import json

from dataclasses import dataclass

import numpy as np
import shapely

from . import geodesy
from .tolerance import CHANGE_TOLERANCE, WRITE_TOLERANCE
from .errors import UsageError
from .geometry import clip_to_boxes, polygonal
from .model import CONTESTED, UNKNOWN

__all__ = ["Overlay"]

RULES = ("fraction", "majority", "centroid")
# Past this extent (degrees) a single equal-area projection is no longer "local".
LOCAL_EXTENT_DEG = 40.0
MASK_WORDS = "land mask "  # in the note column, before the mask's file name (land.mask_hint reads it)


class AreaMeasure:
    """km² of lon/lat polygons: equal-area projection when local, pyproj.Geod otherwise."""

    def __init__(self, bounds):
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        self.transformer = None
        if maxx - minx <= LOCAL_EXTENT_DEG and maxy - miny <= LOCAL_EXTENT_DEG:
            from pyproj import Transformer

            lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
            laea = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m +no_defs"
            self.transformer = Transformer.from_crs("EPSG:4326", laea, always_xy=True)

    def _project(self, xy):
        x, y = self.transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    def km2(self, geometries) -> np.ndarray:
        geoms = np.asarray(geometries, dtype=object)
        if not len(geoms):
            return np.zeros(0)
        if self.transformer is None:
            return geodesy.area_km2([polygonal(g) for g in geoms])
        return shapely.area(shapely.transform(geoms, self._project)) / 1e6


def polygon_parts(zone) -> np.ndarray:
    """The polygons of a zone, as an array (empty for an empty zone)."""
    if zone is None or zone.is_empty:
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(zone)
    return parts[shapely.get_type_id(parts) == 3]


class Overlay:
    """District geometries indexed once; `covered_km2(zone)` per zone and date."""

    def __init__(self, districts):
        self.geoms = np.asarray(districts, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.bounds = shapely.bounds(self.geoms)
        self.vertices = shapely.get_num_coordinates(self.geoms)
        total = shapely.total_bounds(self.geoms)
        self.measure = AreaMeasure(total)
        self.area_km2 = self.measure.km2(self.geoms)
        self.points = _reference_points(self.geoms)
        self.point_tree = None

    def __len__(self) -> int:
        return len(self.geoms)

    def candidate_pairs(self, parts):
        """(part index, district index) of every zone part and district that intersect."""
        part_i, dist_i = self.tree.query(parts)  # bounding boxes overlap
        # A prepared geometry answers fast for the other's vertices, so the side
        # with more vertices is the prepared one: the zone for small districts,
        # the district for a huge one (a national boundary), prepared once.
        big = self.vertices[dist_i] > shapely.get_num_coordinates(parts)[part_i]
        hit = np.empty(len(part_i), dtype=bool)
        shapely.prepare(parts)
        hit[~big] = shapely.intersects(parts[part_i[~big]], self.geoms[dist_i[~big]])
        if big.any():
            shapely.prepare(self.geoms[np.unique(dist_i[big])])
            hit[big] = shapely.intersects(self.geoms[dist_i[big]], parts[part_i[big]])
        return part_i[hit], dist_i[hit]

    def covered_km2(self, zone) -> np.ndarray:
        """km² of each district inside the zone (0 for districts it does not reach)."""
        out = np.zeros(len(self.geoms))
        parts = polygon_parts(zone)
        if not len(parts):
            return out
        part_i, dist_i = self.candidate_pairs(parts)
        inside = self._inside(parts, part_i, dist_i)
        np.add.at(out, dist_i[inside], self.area_km2[dist_i[inside]])
        edge_part, edge_dist = part_i[~inside], dist_i[~inside]
        pieces = self._intersect(parts[edge_part], edge_dist)
        np.add.at(out, edge_dist, self.measure.km2(pieces))
        # Not clamped to the district's area: a piece may measure a hair more
        # (~1e-7) than its district, as the intersection adds vertices along long
        # edges, which the projection bends. Shares are clamped instead.
        return out

    def _inside(self, parts, part_i, dist_i) -> np.ndarray:
        """Pairs whose district lies wholly inside the zone part (no intersection needed)."""
        part_box, dist_box = shapely.bounds(parts)[part_i], self.bounds[dist_i]
        may = (part_box[:, :2] <= dist_box[:, :2]).all(axis=1) & (part_box[:, 2:] >= dist_box[:, 2:]).all(axis=1)
        inside = np.zeros(len(part_i), dtype=bool)
        inside[may] = shapely.contains_properly(parts[part_i[may]], self.geoms[dist_i[may]])
        return inside

    def _intersect(self, parts, dist) -> np.ndarray:
        """Zone part ∩ district for boundary pairs, each first cut to the other's box.

        The zone part is cut to the district's box, then the district to the cut
        part's box, so GEOS intersects two small local geometries even for a
        huge zone or a huge district (a national boundary). The boxes are grown
        a hair, so the cuts' new vertices lie outside the result: the pieces
        have the vertices a full overlay gives them.
        """
        if not len(dist):
            return np.empty(0, dtype=object)
        zone_cut = clip_to_boxes(parts, self.bounds[dist])
        district_cut = clip_to_boxes(self.geoms[dist], shapely.bounds(zone_cut))
        return shapely.intersection(zone_cut, district_cut)

    def holds_point(self, zone) -> np.ndarray:
        """For the centroid rule: does the zone hold each district's reference point?"""
        out = np.zeros(len(self.geoms), dtype=bool)
        parts = polygon_parts(zone)
        if len(parts):
            shapely.prepare(parts)
            if self.point_tree is None:  # built on first use: only the centroid rule needs it
                self.point_tree = shapely.STRtree(self.points)
            _, hit = self.point_tree.query(parts, predicate="intersects")
            out[hit] = True
        return out


def _reference_points(geoms) -> np.ndarray:
    """The centroid, or a point on the surface when the centroid falls outside the district."""
    points = shapely.centroid(geoms)
    outside = ~shapely.intersects(geoms, points)
    points[outside] = shapely.point_on_surface(geoms[outside])
    return points


def measure_dates(districts, snapshots: list[dict], rule: str, progress=None) -> list[np.ndarray]:
    """Per date, a (districts × actors) array: shares of each district held (fraction/majority)
    or 1/0 for whether the actor holds its reference point (centroid).

    `snapshots` holds, per date, the zones as {column index: geometry}; the work
    unit of both the single-process run and the Dask tasks.
    """
    return measure_with(Overlay(districts), snapshots, rule, progress)


def measure_with(engine: Overlay, snapshots: list[dict], rule: str, progress=None) -> list[np.ndarray]:
    """measure_dates with an engine already built (a Dask worker keeps one for all its tasks)."""
    out = []
    for i, zones in enumerate(snapshots):
        out.append(_measure(engine, zones, rule))
        if progress:
            progress(i + 1, len(snapshots))
    return out


def _measure(engine: Overlay, zones: dict, rule: str) -> np.ndarray:
    width = max(zones, default=-1) + 1
    values = np.zeros((len(engine), width))
    for col, zone in zones.items():
        if rule == "centroid":
            values[:, col] = engine.holds_point(zone)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                share = engine.covered_km2(zone) / engine.area_km2
            values[:, col] = np.clip(np.nan_to_num(share), 0.0, 1.0)
    return values


def check_rule(rule: str, min_share: float = 0.0) -> None:
    """A UsageError unless `rule` is one of RULES and min_share a fraction in 0..1 that the rule uses."""
    if rule not in RULES:
        raise UsageError(f"--rule {rule!r} is not a rule; choose one of {', '.join(RULES)}")
    if not 0 <= min_share < 1:  # also refuses NaN
        raise UsageError(f"--min-share {min_share:g} is outside 0..1; give a fraction such as 0.01")
    if min_share and rule != "fraction":
        raise UsageError(f"--min-share applies to --rule fraction only, not {rule}; drop --min-share")


def apply_rule(actor_values: np.ndarray, rule: str, min_share: float = 0.0, exempt=(), holders=()) -> np.ndarray:
    """Shares per district over [actors..., rest, contested], each row summing to 1.

    fraction: the covered shares, the rest to `rest`. A zone actor's share under
      `min_share` is dropped and the district's shares held by real actors are
      scaled up in proportion to fill it (see _drop_small). Real actors are the
      zone actors and the columns in `holders` (the rest column and the rest
      actor's own column, when --rest names an actor); `holders` are never
      dropped. The actor columns in `exempt` (actors named unknown or
      contested), an unknown rest and contested are never dropped nor rescaled.
    majority: the whole district to the largest share (rest included); an exact
      tie between the two largest makes the district `contested`.
    centroid: the whole district to the actor whose zone holds its centroid.
    """
    check_rule(rule, min_share)
    n, k = actor_values.shape
    shares = np.zeros((n, k + 2))
    covered = actor_values.sum(axis=1)
    # Zones of different actors never overlap (zones.py makes sure), so a total
    # over 1 is float noise from shared edges: scale it back.
    scale = np.where(covered > 1, covered, 1.0)
    shares[:, :k] = actor_values / scale[:, None]
    shares[:, k] = np.clip(1 - shares[:, :k].sum(axis=1), 0, 1)
    if rule == "fraction":
        real = np.zeros(k + 2, dtype=bool)
        real[:k] = True
        real[list(exempt)] = False
        real[list(holders)] = True
        droppable = real.copy()
        droppable[list(holders) + [k, k + 1]] = False
        return _drop_small(shares, min_share, droppable, real)
    if rule == "centroid":
        held = shares[:, :k] > 0
        winner = np.where(held.any(axis=1), np.argmax(held, axis=1), k)
        return _one_hot(winner, k + 2)
    candidates = shares[:, : k + 1]
    winner = np.argmax(candidates, axis=1)
    if k >= 1:
        ordered = np.sort(candidates, axis=1)
        winner[ordered[:, -1] - ordered[:, -2] <= CHANGE_TOLERANCE] = k + 1  # a tie: contested
    return _one_hot(winner, k + 2)


def _one_hot(winner: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(winner), width))
    out[np.arange(len(winner)), winner] = 1.0
    return out


def _drop_small(shares: np.ndarray, min_share: float, droppable: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Droppable shares under min_share set to 0, the district's other `real` shares scaled up to fill them.

    Columns outside `real` (unknown, contested) are never dropped nor rescaled:
    who holds nothing known and contested ground are reported as they are. A
    district with no real share left to absorb its slivers stays as it is, so
    a sliver is never handed to unknown or silently lost.
    """
    shares[shares < CHANGE_TOLERANCE] = 0.0  # slivers of float noise are never a holding
    if min_share > 0:
        small = droppable & (shares > 0) & (shares < min_share)
        takers = real & ~small
        freed = np.where(small, shares, 0.0).sum(axis=1)
        room = np.where(takers, shares, 0.0).sum(axis=1)
        moved = (freed > 0) & (room > 0)
        scale = np.divide(room + freed, room, out=np.ones_like(room), where=moved)
        shares = np.where(moved[:, None] & takers, shares * scale[:, None], shares)
        shares = np.where(moved[:, None] & small, 0.0, shares)
    return shares / shares.sum(axis=1, keepdims=True)


def changed_rows(current: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """Districts whose shares moved (by more than WRITE_TOLERANCE) since the last rows written for them."""
    if previous is None:
        return np.ones(len(current), dtype=bool)
    return (np.abs(current - previous) > WRITE_TOLERANCE).any(axis=1)


@dataclass
class OverlayResult:
    """The control log, and per (date, actor) how much of the zone the districts hold.

    `coverage` rows: date, actor, zone_km2 (the zone, inside the land mask when
    there is one), in_districts_km2 (Σ of the zone ∩ each district) and
    outside_km2 (the zone km² in no district: coastline or border mismatch, or
    districts that do not cover the whole area).
    """

    log: object
    coverage: object


def overlay_zones(districts, zoneset, *options, **keywords):
    """The control log of overlay_result (with its options; see there)."""
    return overlay_result(districts, zoneset, *options, **keywords).log


def overlay_result(
    districts,
    zoneset,
    rule: str = "fraction",
    rest: str = UNKNOWN,
    min_share: float = 0.0,
    every_date: bool = False,
    run=None,
    progress=None,
    mask=None,
    mask_label: str | None = None,
) -> OverlayResult:
    """The control log (date, district, controller, share, source, note) from dated zones.

    `districts` is the GeoDataFrame of districts.load_districts; `zoneset` a
    zones.ZoneSet. Rows are written for every district on the first date and
    then only when a district's shares change (unless `every_date`): the log
    semantics ("in force until the next row") make the two equivalent.
    `run(districts, snapshots, rule, progress)` measures the dates: by default
    measure_dates in this process; distributed.runner gives one for Dask.
    `mask` is the land mask the districts were cut to (land.apply_mask), so the
    zone km² in no district are counted on land only; `mask_label` (its file name) goes into the note
    column, so that commands reading the log can ask for the same mask (land.mask_hint).
    """
    import pandas as pd

    check_rule(rule, min_share)
    actors = list(zoneset.actors)
    columns = {a: i for i, a in enumerate(actors)}
    work = [{columns[a]: g for a, g in snap.zones.items()} for snap in zoneset.snapshots]
    geoms = np.asarray(districts.geometry.values, dtype=object)
    measured = (run or measure_dates)(geoms, work, rule, progress)
    labels = np.array(actors + [rest, CONTESTED], dtype=object)
    # min_share: unknown and contested ground are never dropped nor rescaled; a named
    # --rest actor is never dropped but takes its part of the slivers (see apply_rule).
    exempt = [i for i, a in enumerate(actors) if a in (CONTESTED, UNKNOWN)]
    holders = _holders(actors, rest)
    ids = districts["id"].to_numpy(dtype=object)
    area = _areas(districts, geoms)
    landless = area <= 0
    if mask is not None and landless.any() and UNKNOWN not in (rest, *actors):
        labels = np.append(labels, UNKNOWN)  # who holds a district with no land: nobody known
    frames, previous = [], None
    for snap, values in zip(zoneset.snapshots, measured):
        values = _fold_rest(_pad(values, len(actors)), actors, rest)
        shares = apply_rule(values, rule, min_share, exempt, holders)
        if mask is not None:
            shares = _no_land(shares, landless, actors, rest)
        keep = np.ones(len(ids), bool) if every_date else changed_rows(shares, previous)
        previous = shares if previous is None else np.where(keep[:, None], shares, previous)
        frames.append(
            _rows(
                snap,
                ids,
                labels,
                shares,
                keep,
                _note(rule, min_share, rest, mask_label),
                len(actors),
                landless & (mask is not None),
            )
        )
    columns_out = ["date", "district", "controller", "share", "source", "note"]
    log = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns_out)
    log = log.astype({"share": float})  # 1.0, never 1: one type per key in json/csv
    if rule == "centroid":  # centroid values say who holds a point, not how much area: measure the area
        measured = (run or measure_dates)(geoms, work, "fraction")
    return OverlayResult(log, coverage(zoneset, measured, area, geoms, mask))


def _areas(districts, geoms) -> np.ndarray:
    """The districts' km² (area_km2 from districts.load_districts, cut by a land mask), or measured here."""
    if "area_km2" in districts.columns:
        return districts["area_km2"].to_numpy(dtype=float)
    return AreaMeasure(shapely.total_bounds(geoms)).km2(geoms)


def coverage(zoneset, measured, area_km2, geoms, mask=None):
    """Per date and actor: the zone's km² (inside `mask`), the part in districts, the part in none.

    The zone is measured with the engine's own equal-area projection, so the
    difference is not an artefact of two ways of measuring.
    """
    import pandas as pd

    from .zones import Clip, clipped

    measure = AreaMeasure(shapely.total_bounds(geoms))
    mask = Clip(mask) if mask is not None else None
    rows = []
    for snap, values in zip(zoneset.snapshots, measured):
        for col, actor in enumerate(zoneset.actors):
            zone = snap.zones.get(actor)
            if zone is None:
                continue
            total = float(measure.km2([clipped(zone, mask)])[0])
            inside = float((values[:, col] * area_km2).sum()) if col < values.shape[1] else 0.0
            rows.append(
                {
                    "date": snap.date.isoformat(),
                    "actor": actor,
                    "zone_km2": total,
                    "in_districts_km2": inside,
                    "outside_km2": max(total - inside, 0.0),
                }
            )
    return pd.DataFrame(rows, columns=["date", "actor", "zone_km2", "in_districts_km2", "outside_km2"])


def _holders(actors: list[str], rest: str) -> list[int]:
    """The columns of the --rest actor when it is a real actor: the rest column, and its own zones'."""
    if rest in (UNKNOWN, CONTESTED):
        return []
    return [len(actors)] + ([actors.index(rest)] if rest in actors else [])


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    if values.shape[1] == width:
        return values
    out = np.zeros((values.shape[0], width))
    out[:, : values.shape[1]] = values
    return out


def _fold_rest(values: np.ndarray, actors: list[str], rest: str) -> np.ndarray:
    """When --rest names a zone actor too, the area no zone covers is that actor's (before any rule)."""
    if rest not in actors:
        return values
    values = values.copy()
    col = actors.index(rest)
    values[:, col] += np.clip(1 - values.sum(axis=1), 0, 1)
    return values


def _note(rule: str, min_share: float, rest: str, mask_label: str | None = None) -> str:
    """The note column's text: the rule, the land mask, and what min_share did."""
    # The name quoted (JSON), so that a comma or a semicolon in it does not end it (land.mask_hint reads it back).
    head = f"zones overlay, rule {rule}" + (f", {MASK_WORDS}{json.dumps(mask_label)}" if mask_label else "")
    if not min_share:
        return head
    takers = "zone actors" if rest in (UNKNOWN, CONTESTED) else f"zone actors and {rest}"
    return (
        f"{head}, zone shares under {min_share:g} dropped and given to the district's other "
        f"{takers} in proportion (unknown and contested never changed; with none of them left, unchanged)"
    )


def _no_land(shares: np.ndarray, landless: np.ndarray, actors: list[str], rest: str) -> np.ndarray:
    """A district with no land inside the mask is `unknown` (share 1), never given to --rest.

    Its shares would be 0/0: the zones are drawn on land, so no zone can hold it,
    and handing it to --rest would count sea as held.
    """
    if not landless.any():
        return shares
    columns = actors + [rest, CONTESTED]
    if UNKNOWN in columns:
        col = actors.index(UNKNOWN) if UNKNOWN in actors else len(actors)
    else:
        col = len(columns)
        shares = np.hstack([shares, np.zeros((len(shares), 1))])
    shares = shares.copy()
    shares[landless] = 0.0
    shares[landless, col] = 1.0
    return shares


def _rows(snap, ids, labels, shares, keep, note_text, rest_col, landless):
    import pandas as pd

    dist, col = np.nonzero(shares * keep[:, None])
    note = np.full(len(col), note_text, dtype=object)
    dry = landless[dist]
    note[(col == rest_col) & ~dry] += "; area no zone covers"
    note[col == rest_col + 1] += "; the largest shares tie"
    note[dry] += "; no land inside the land mask"
    return pd.DataFrame(
        {
            "date": snap.date.isoformat(),
            "district": ids[dist],
            "controller": labels[col],
            "share": shares[dist, col],
            "source": "; ".join(snap.sources),
            "note": note,
        }
    )

"""Land masks: districts measured on their part inside a mask, because sea is not land.

Administrative polygons (geoBoundaries raions, oblasts) often reach into the
sea, while zone polygons (DeepStateMap) are drawn on land only: without a mask
the sea of a coastal district goes to `--rest` and its km² count in every
share. A mask (a national land boundary) cuts each district to its part inside
it; shares, km² and maps then refer to that part, and what was cut away is
reported, never hidden. Population is left as it is (people live on the land).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from . import geodesy
from .tolerance import EXACT, NOISE
from .errors import InputError, Problem
from .geometry import polygonal
from .io import label

__all__ = ["load_land", "mask_hint", "on_land", "mask_name"]


@dataclass
class LandMask:
    """A mask and what it did to the districts."""

    source: str
    geometry: object  # one valid (Multi)Polygon, EPSG:4326
    outside_km2: float = 0.0  # district km² outside the mask (sea, another country)
    district_km2: float = 0.0  # district km² before the mask
    uncovered_km2: float = 0.0  # mask km² - the districts' km² inside it: land in no district, if none overlap
    mask_km2: float = 0.0
    cut: int = 0  # districts partly outside the mask
    emptied: tuple = ()  # ids of districts wholly outside it

    def summary(self) -> str:
        pct = 100 * self.outside_km2 / self.district_km2 if self.district_km2 else 0.0
        text = (
            f"land mask {self.source}: {self.outside_km2:,.1f} km² of the districts ({pct:.2f}%) lie outside it "
            f"and are not counted; {self.cut} district(s) cut to their part inside it; {self.uncovered()}"
        )
        return text

    def uncovered(self) -> str:
        pct = 100 * self.uncovered_km2 / self.mask_km2 if self.mask_km2 else 0.0
        return f"the districts' land is {self.uncovered_km2:,.1f} km² ({pct:.1f}%) short of the mask's"


def load_mask(source) -> tuple[LandMask, list]:
    """The mask file's polygons merged into one (read like a --clip file), with its warnings."""
    from .zones import load_clip

    geometry, problems = load_clip(source)
    return LandMask(label(source), geometry), problems


def mask_geometries(geoms, mask) -> np.ndarray:
    """Each geometry ∩ mask (an empty Polygon where it lies wholly outside).

    Uses the overlay engine's fast paths: geometries wholly inside a mask part
    are kept as they are, those the mask does not reach become empty, and only
    boundary ones are intersected, each with the mask cut to its box.
    """
    from .overlay import Overlay, polygon_parts

    geoms = np.asarray(geoms, dtype=object)
    engine = Overlay(geoms)
    parts = polygon_parts(mask)
    out = np.array([shapely.Polygon()] * len(geoms), dtype=object)
    if not len(parts) or not len(geoms):
        return out
    part_i, dist_i = engine.candidate_pairs(parts)
    inside = engine._inside(parts, part_i, dist_i)
    whole = np.unique(dist_i[inside])
    edge = ~inside & ~np.isin(dist_i, whole)
    pieces = engine._intersect(parts[part_i[edge]], dist_i[edge])
    by_district: dict = {}
    for d, piece in zip(dist_i[edge].tolist(), pieces):
        piece = polygonal(piece)
        if piece is not None and not piece.is_empty:
            by_district.setdefault(d, []).append(piece)
    for d, found in by_district.items():
        out[d] = found[0] if len(found) == 1 else polygonal(shapely.union_all(np.asarray(found, dtype=object)))
    out[whole] = geoms[whole]
    return out


def apply_mask(districts, mask: LandMask):
    """The districts cut to the mask (geometry and area_km2), and the mask with what it cut.

    A mask that covers no district is a data error: every share would be 0/0.
    """
    before = districts["area_km2"].to_numpy(dtype=float)
    cut = mask_geometries(districts.geometry.values, mask.geometry)
    after = geodesy.area_km2(cut)
    if not (after > 0).any():
        raise InputError(
            f"{mask.source}: the land mask covers none of the districts; check that it is the "
            "boundary of the same country or city, in a CRS the file declares"
        )
    out = districts.copy()
    out.geometry = cut
    out["area_km2"] = after
    moved = np.clip(before - after, 0.0, None)
    dry = after <= 0
    emptied = tuple(f"{n} ({i})" if n != i else str(i) for i, n in zip(out["id"][dry], out["name"][dry]))
    mask.outside_km2, mask.district_km2 = float(moved.sum()), float(before.sum())
    # The mask's land that no district covers (lagoons, a border drawn differently, units missing from the
    # file): zones there are in no share. A difference of areas (no union of the districts): the land in no
    # district when districts do not overlap, as the km² of every share assume.
    mask.mask_km2 = float(geodesy.area_km2([mask.geometry])[0])
    mask.uncovered_km2 = max(mask.mask_km2 - float(after.sum()), 0.0)
    mask.cut = int(((moved > NOISE * np.maximum(before, EXACT)) & (after > 0)).sum())
    mask.emptied = emptied
    return out, mask


def land_problems(mask: LandMask) -> list:
    """What the mask did, as a note (and a warning for districts with no land left)."""
    problems = [Problem("note", "", mask.summary())]
    if mask.emptied:
        problems.append(
            Problem(
                "warning",
                mask.source,
                f"{len(mask.emptied)} district(s) lie wholly outside the land "
                f"mask (first: {mask.emptied[0]}); they count with 0 km² (an overlay makes them unknown)",
            )
        )
    return problems


def load_land(districts, source):
    """apply_mask(districts, the mask read from `source`), and every problem to report."""
    mask, problems = load_mask(source)
    out, mask = apply_mask(districts, mask)
    return out, mask, problems + land_problems(mask)


def mask_hint(log, source: str, land=None) -> list:
    """A warning when the log (from `source`) was made by an overlay on another footing than the one given
    now (`land`: the mask given, or None): with a land mask that is not given, with another mask, or
    without a mask while one is given.

    Its shares were measured on one area and its km² are counted on another. A masked log read without the
    mask counts the sea (and land abroad) of coastal districts: on the geoBoundaries raions 12,024 km²
    more, 3.3% more for Russia on 22 Aug 2026. An unmasked log read with --land applies shares of land and
    sea to land km²: on the oblasts Russia gets 15.09% instead of 18.13% on 8 July 2024.
    """
    if not len(log) or "note" not in log.columns:
        return []
    # The distinct notes only: a log of millions of rows has a handful.
    notes = [str(n) for n in log["note"].dropna().unique() if str(n).startswith("zones overlay")]
    if not notes:
        return []
    mask = logged_mask(notes)
    if land is None:
        return [] if mask is None else [_unmasked_read(source, mask)]
    given = label(land)
    if mask is None:
        return [
            Problem(
                "warning",
                source,
                f"this log was made by overlay without a land mask: its shares were measured on the districts' "
                f"full area (sea and land abroad included) and are applied here to their land inside {given}; "
                f"remake the log with overlay --clip {given}",
            )
        ]
    if mask.startswith("<") or Path(given).name == mask:
        return []
    return [
        Problem(
            "warning",
            source,
            f"this log was made by overlay with the land mask {mask}, not {given}: its shares were measured on "
            f"the districts' land inside {mask}; give --land {mask}, or remake the log with overlay --clip {given}",
        )
    ]


def logged_mask(notes) -> str | None:
    """The land mask's file name an overlay wrote into its notes (None: measured without a mask)."""
    import json

    from .overlay import MASK_WORDS

    named = [n for n in notes if MASK_WORDS in n]
    if not named:
        return None
    try:
        mask, _ = json.JSONDecoder().raw_decode(named[0].split(MASK_WORDS, 1)[1])
    except ValueError:
        return None  # not a note conflictmap wrote
    return mask


def _unmasked_read(source: str, mask: str) -> Problem:
    how = "the same land mask" if mask.startswith("<") else mask  # <stdin>: no name to give back
    return Problem(
        "warning",
        source,
        f"this log was made by overlay with the land mask {mask}, which is not given here: km² include the "
        f"districts' area outside it (e.g. sea); give --land {how} (or land = in conflictmap.toml)",
    )


def on_land(districts: str, land) -> str:
    """A denominator of km²: `districts` ('all 495 districts') as it is, or with the land mask given
    ("all 495 districts' land inside national-boundary.geojson"), whose part of each district is measured."""
    return f"{districts}' land inside {mask_name(land)}" if land else districts


def mask_name(land) -> str:
    """The land mask as figures name it: its file name (as overlay writes it into the note column)."""
    return Path(label(land)).name

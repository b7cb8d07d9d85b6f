"""People per district (or per zone) from a population raster: WorldPop, GHS-POP, any GeoTIFF of people per cell.

Zonal sums are exactextract's: each cell counts by the fraction of it a polygon covers, so a cell cut
by a district boundary is shared, not given whole to one side or dropped. The polygons are
reprojected to the raster's CRS; a raster without a CRS, or one that does not overlap the polygons,
is an error. Sums per district file and raster are cached (the raster's path, size and modification
time and the districts' geometry are the key), in $CONFLICTMAP_CACHE, else $XDG_CACHE_HOME/conflictmap,
else ~/.cache/conflictmap.

Needs the optional extra: pip install 'conflictmap[raster]' (exactextract and rasterio).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import shapely

from .errors import InputError, UsageError
from .io import atomic_path, label


def _require():
    try:
        import exactextract  # noqa: F401
        import rasterio  # noqa: F401
    except ImportError:
        raise UsageError(
            "--population-raster needs the raster extra: pip install 'conflictmap[raster]' (exactextract and rasterio)"
        ) from None


def _open(path):
    import rasterio

    name = label(path)
    if not Path(path).is_file():
        raise InputError(f"{name}: population raster not found; check the path given to --population-raster")
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(
            f"{name}: not a raster GDAL can read ({' '.join(str(exc).split())[:200]}); give a GeoTIFF of people per cell"
        ) from None


def _in_raster_crs(geoms_lonlat, src, name: str):
    """The lon/lat polygons in the raster's CRS, checked against its extent."""
    import geopandas as gpd

    if src.crs is None:
        raise InputError(
            f"{name}: the raster has no CRS, so its cells cannot be placed; set it "
            "(e.g. gdal_edit.py -a_srs EPSG:4326 FILE.tif) or use a GeoTIFF that has one"
        )
    frame = gpd.GeoDataFrame(geometry=list(geoms_lonlat), crs="EPSG:4326").to_crs(src.crs)
    left, bottom, right, top = src.bounds
    box = shapely.box(min(left, right), min(bottom, top), max(left, right), max(bottom, top))
    if not shapely.intersects(box, shapely.box(*frame.total_bounds)) or not frame.intersects(box).any():
        minx, miny, maxx, maxy = frame.total_bounds
        raise InputError(
            f"{name}: the raster ({left:g}, {bottom:g}, {right:g}, {top:g} in {src.crs.to_string()}) does not "
            f"overlap the polygons ({minx:g}, {miny:g}, {maxx:g}, {maxy:g}); is it the raster of this area?"
        )
    return frame


def zonal_sums(geoms_lonlat, path) -> np.ndarray:
    """People per polygon (lon/lat polygons), coverage-weighted; nodata cells count as none."""
    _require()
    from exactextract import exact_extract

    name = label(path)
    geoms = np.asarray(geoms_lonlat, dtype=object)
    with _open(path) as src:
        frame = _in_raster_crs(geoms, src, name)
        result = exact_extract(src, frame, "sum", output="pandas")
    return np.nan_to_num(result["sum"].to_numpy(dtype=float))


def _cache_dir() -> Path:
    base = os.environ.get("CONFLICTMAP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "conflictmap"
    )
    return Path(base)


def _key(geoms, path) -> str:
    stat = Path(path).stat()
    digest = hashlib.sha256(f"{Path(path).resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for wkb in shapely.to_wkb(np.asarray(geoms, dtype=object)):
        digest.update(wkb)
    return digest.hexdigest()[:32]


def district_population(geoms_lonlat, path, cache: bool = True) -> np.ndarray:
    """zonal_sums of the districts, from the cache when this raster and these districts were seen before."""
    _require()
    if not Path(path).is_file():
        raise InputError(f"{label(path)}: population raster not found; check the path given to --population-raster")
    target = _cache_dir() / f"population-{_key(geoms_lonlat, path)}.npy"
    if cache and target.is_file():
        values = np.load(target)
        if len(values) == len(geoms_lonlat):
            return values
    values = zonal_sums(geoms_lonlat, path)
    if cache:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as tmp:
                with open(tmp, "wb") as fh:
                    np.save(fh, values)
        except OSError:
            pass  # a read-only home is no reason to fail: the figures are right, only slower next time
    return values


def with_raster_population(districts, path):
    """The districts with `population` from the raster (a population field of the file is replaced)."""
    out = districts.copy()
    out["population"] = district_population(np.asarray(districts.geometry.values), path)
    return out


def zone_population(zoneset, path, clip=None) -> dict:
    """People inside each actor's zone on each date (within `clip`): {(date iso, actor): people}."""
    from .zones import clipped

    keys, geoms = [], []
    for snap in zoneset.snapshots:
        for who in zoneset.actors:
            zone = snap.zones.get(who)
            if zone is not None:
                keys.append((snap.date.isoformat(), who))
                geoms.append(clipped(zone, clip))
    values = zonal_sums(geoms, path) if geoms else []
    return dict(zip(keys, (float(v) for v in values)))

"""Tiny raster tile sources written by the tests (MBTiles with sqlite3, XYZ folders), whose pixels say where they are.

Each tile pixel's colour encodes the global Web Mercator pixel row it stands for at its zoom:
red + 256 x green = row, blue = 40 + zoom. A test reading a map pixel back can then say which
Mercator row was drawn there and compare it with the row computed here by the closed formula
y = (1 - asinh(tan(lat)) / pi) / 2 x 2^z x 256 (independent of pyproj, which conflictmap uses).
"""

from __future__ import annotations

import io
import json
import math
import sqlite3

import numpy as np

TILE = 256


def mercator_row(lat: float, z: int) -> float:
    """Global pixel row (0 at the north edge of the square world) of a latitude at zoom z."""
    return (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * (2**z) * TILE


def tile_range(west, south, east, north, z):
    n = 2**z
    xs = range(int((west + 180) / 360 * n), int((east + 180) / 360 * n) + 1)
    ys = range(int(mercator_row(north, z) // TILE), int(mercator_row(south, z) // TILE) + 1)
    return xs, ys


def tile_png(z: int, x: int, y: int) -> bytes:
    from PIL import Image

    rows = np.arange(y * TILE, (y + 1) * TILE)
    pixels = np.zeros((TILE, TILE, 3), np.uint8)
    pixels[:, :, 0] = (rows % 256)[:, None]
    pixels[:, :, 1] = (rows // 256 % 256)[:, None]
    pixels[:, :, 2] = 40 + z
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def decode(pixel) -> tuple[int, int]:
    """(global row, zoom) of a tile pixel drawn unmixed."""
    r, g, b = (int(v) for v in pixel[:3])
    return r + 256 * g, b - 40


def write_mbtiles(path, bounds, zooms, attribution="", fmt="png"):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name text, value text)")
    db.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    meta = {
        "name": "test tiles",
        "format": fmt,
        "bounds": ",".join(map(str, bounds)),
        "minzoom": min(zooms),
        "maxzoom": max(zooms),
    }
    if attribution:
        meta["attribution"] = attribution
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    for z in zooms:
        xs, ys = tile_range(*bounds, z)
        for x in xs:
            for y in ys:
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, tile_png(z, x, y)))
    db.commit()
    db.close()
    return path


def write_folder(folder, bounds, zooms, attribution=""):
    for z in zooms:
        xs, ys = tile_range(*bounds, z)
        for x in xs:
            for y in ys:
                (folder / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
                (folder / str(z) / str(x) / f"{y}.png").write_bytes(tile_png(z, x, y))
    if attribution:
        (folder / "metadata.json").write_text(json.dumps({"attribution": attribution}))
    return folder

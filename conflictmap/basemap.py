"""Raster basemap tiles under the map, from a local source only (map --basemap).

Sources: an MBTiles file (SQLite, read with sqlite3 and Pillow), a folder of
``{z}/{x}/{y}.png`` tiles (XYZ, as QGIS "Generate XYZ tiles", gdal2tiles
--xyz or mb-util write them), or a ``file://`` or path template with ``{z}``,
``{x}`` and ``{y}`` (``{-y}`` for TMS rows). Nothing is ever fetched from the
network: an http(s) address is refused with a line saying how to get the tiles
onto the disk. Tile servers have usage policies (a daily cron job fetching
tiles breaks OpenStreetMap's), and a map that depends on a server is neither
reproducible nor offline.

Tiles are Web Mercator (EPSG:3857); the map is drawn in lon/lat at its
mid-latitude's aspect (plots._frame). Columns map linearly (x is linear in
longitude in both), rows do not: each row of the drawn image is the latitude
it stands for, sent through pyproj to Mercator and read from the tile row
there (nearest pixel). The zoom is the one whose pixels are about the map's
pixels, within the zooms the source has.

The attribution comes from the MBTiles metadata (or a folder's metadata.json,
as mb-util writes it), HTML tags removed, and goes into the map's footer.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import sqlite3
from pathlib import Path

import numpy as np

from .errors import InputError, UsageError

MAX_TILES = 256  # more tiles than this for one map: the source's zooms do not fit the view
MERCATOR_LAT = 85.0511287798  # Web Mercator stops here (the square world)
MAP_INCHES = 6.6  # about the width of the map on the page (plots._map_height): sets the zoom
TILE_FORMATS = ("png", "jpg", "jpeg", "webp")
NETWORK = ("http://", "https://", "ftp://")


def tile_source(text: str) -> "TileSource":
    """An MBTiles file, a tile folder or a local template; http(s) and missing files are refused."""
    text = str(text)
    if text.lower().startswith(NETWORK):
        raise UsageError(
            f"--basemap {text}: conflictmap never fetches tiles from the network; save them first "
            "(an MBTiles file, e.g. QGIS 'Generate XYZ tiles (MBTiles)' or gdal_translate -of MBTILES) "
            "and give that file"
        )
    if text.lower().startswith("file://"):
        from urllib.parse import unquote, urlparse

        text = unquote(urlparse(text).path)
    if "{z}" in text:
        if "{x}" not in text or ("{y}" not in text and "{-y}" not in text):
            raise UsageError(
                f"--basemap {text}: a tile template names {{z}}, {{x}} and {{y}} (or {{-y}}), "
                "e.g. tiles/{z}/{x}/{y}.png"
            )
        return FolderTiles(text)
    path = Path(text)
    if path.is_dir():
        return FolderTiles(_folder_template(path), path)
    if not path.is_file():
        raise InputError(
            f"--basemap {text}: file not found; give an MBTiles file, a tile folder or a {{z}}/{{x}}/{{y}} template"
        )
    return MBTiles(path)


class TileSource:
    """What the map needs of a tile source: its zooms, a tile, its name and attribution."""

    name = ""
    attribution = ""

    def zooms(self) -> list[int]:
        raise NotImplementedError

    def tile(self, z: int, x: int, y: int):
        """The tile at XYZ (z, x, y) as a Pillow RGBA image, or None when the source has none there."""
        raise NotImplementedError

    def credit(self) -> str:
        if self.attribution:
            return f"basemap: {self.attribution}"
        return f"basemap: {self.name} (its metadata names no attribution; add one with --credit)"

    def draw(self, ax, fig) -> str:
        """The tiles under the districts over the axes' lon/lat limits; returns the credit line."""
        limits = ax.get_xlim(), ax.get_ylim()
        (west, east), (south, north) = limits
        south, north = max(south, -MERCATOR_LAT), min(north, MERCATOR_LAT)
        z = self._zoom(west, east, fig.dpi)
        image = lonlat_image(self, z, west, south, east, north)
        if image is None:
            raise InputError(
                f"--basemap {self.name}: no tiles over the map's view ({west:.4f},{south:.4f},{east:.4f},{north:.4f}) "
                f"at zoom {z}; give tiles that cover the districts"
            )
        ax.imshow(
            image,
            extent=(west, east, south, north),
            origin="upper",
            interpolation="nearest",
            zorder=0,
            aspect=ax.get_aspect(),
        )
        ax.set_xlim(*limits[0])  # the map's frame, not the image's
        ax.set_ylim(*limits[1])
        return self.credit()

    def _zoom(self, west: float, east: float, dpi: float) -> int:
        """The zoom whose tiles have about as many pixels across the view as the map has, within the source's."""
        zooms = self.zooms()
        if not zooms:
            raise InputError(f"--basemap {self.name}: no tiles in it")
        wanted = math.log2(max(MAP_INCHES * dpi * 360 / (256 * max(east - west, 1e-9)), 1))
        return min(zooms, key=lambda z: (abs(z - wanted), -z))


def lonlat_image(source: TileSource, z: int, west: float, south: float, east: float, north: float):
    """The tiles of zoom z resampled onto a lon/lat grid over the box (rows north to south), RGBA uint8;
    None when no tile covers it. Nearest pixel: each output row reads the Mercator row of its latitude."""
    from pyproj import Transformer

    size = None
    n = 2**z
    x0, x1 = _tile_x(west, n), _tile_x(east, n)
    y0, y1 = _tile_y(north, n), _tile_y(south, n)
    count = (x1 - x0 + 1) * (y1 - y0 + 1)
    if count > MAX_TILES:
        raise InputError(
            f"--basemap {source.name}: zoom {z}, the nearest it has to the map's scale, needs {count} tiles "
            f"for this view (at most {MAX_TILES}); give tiles of a lower zoom or a smaller --bbox"
        )
    tiles = {}
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            tile = source.tile(z, x, y)
            if tile is not None:
                size = size or tile.size[0]
                if tile.size != (size, size):
                    raise InputError(
                        f"--basemap {source.name}: tile {z}/{x}/{y} is {tile.size[0]}x{tile.size[1]} pixels, "
                        f"the others {size}x{size}; tiles must be square and all one size"
                    )
                tiles[x, y] = np.asarray(tile.convert("RGBA"))
    if not tiles:
        return None
    mosaic = np.zeros(((y1 - y0 + 1) * size, (x1 - x0 + 1) * size, 4), np.uint8)  # transparent where a tile is missing
    for (x, y), pixels in tiles.items():
        mosaic[(y - y0) * size : (y - y0 + 1) * size, (x - x0) * size : (x - x0 + 1) * size] = pixels
    world = n * size  # pixels round the world at this zoom
    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    half = math.pi * 6378137.0  # EPSG:3857 spans -half..half metres both ways
    _, top = to_mercator.transform(west, north)
    _, bottom = to_mercator.transform(west, south)
    rows = max(int(round((top - bottom) / (2 * half) * world)), 1)  # as many rows as the source has over the box
    cols = max(int(round((east - west) / 360 * world)), 1)
    lons = west + (np.arange(cols) + 0.5) * (east - west) / cols
    lats = north - (np.arange(rows) + 0.5) * (north - south) / rows  # the drawn image is linear in latitude
    _, ys = to_mercator.transform(np.full(rows, west), lats)
    src_cols = np.floor((lons + 180) / 360 * world).astype(np.int64) - x0 * size
    src_rows = np.floor((half - np.asarray(ys)) / (2 * half) * world).astype(np.int64) - y0 * size
    src_cols = np.clip(src_cols, 0, mosaic.shape[1] - 1)
    src_rows = np.clip(src_rows, 0, mosaic.shape[0] - 1)
    return mosaic[src_rows[:, None], src_cols[None, :]]


def _tile_x(lon: float, n: int) -> int:
    return min(int(math.floor((lon + 180) / 360 * n)), n - 1)


def _tile_y(lat: float, n: int) -> int:
    """XYZ row (0 at the north) of a latitude."""
    phi = math.radians(max(min(lat, MERCATOR_LAT), -MERCATOR_LAT))
    return min(max(int(math.floor((1 - math.asinh(math.tan(phi)) / math.pi) / 2 * n)), 0), n - 1)


def _image(data: bytes, where: str):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(
            f"{where}: not an image Pillow reads ({' '.join(str(exc).split())[:120]}); "
            "raster tiles are PNG, JPEG or WebP"
        ) from None
    return image


def plain_attribution(text) -> str:
    """An attribution as text: HTML tags removed, entities decoded, white space folded (MBTiles allows HTML)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", str(text or ""))).split())


class MBTiles(TileSource):
    """An MBTiles 1.x file: metadata(name, value) and tiles(zoom_level, tile_column, tile_row TMS, tile_data)."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head != b"SQLite format 3\x00":
            raise InputError(
                f"--basemap {path}: not an MBTiles file (an MBTiles file is SQLite; this one starts "
                f"{head[:12]!r}); give an .mbtiles file, a tile folder or a {{z}}/{{x}}/{{y}} template"
            )
        # Read-only and immutable: an input is never written, not even a journal beside it.
        self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except sqlite3.DatabaseError as exc:
            raise InputError(f"--basemap {path}: unreadable SQLite file ({exc}); is it a complete copy?") from None
        if "tiles" not in tables:
            raise InputError(
                f"--basemap {path}: no 'tiles' table, so not an MBTiles file; tables: {', '.join(sorted(tables)) or 'none'}"
            )
        meta = dict(self._rows("SELECT name, value FROM metadata")) if "metadata" in tables else {}
        fmt = str(meta.get("format", "png")).lower()
        if fmt not in TILE_FORMATS:
            raise InputError(
                f"--basemap {path}: its tiles are {fmt!r} (metadata 'format'); only raster tiles "
                f"({', '.join(TILE_FORMATS)}) can be drawn under the map, not vector tiles"
            )
        self.attribution = plain_attribution(meta.get("attribution"))

    def zooms(self) -> list[int]:
        return [int(r[0]) for r in self._rows("SELECT DISTINCT zoom_level FROM tiles ORDER BY zoom_level")]

    def tile(self, z, x, y):
        rows = self._rows(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?", (z, x, (2**z) - 1 - y)
        )  # MBTiles rows are TMS: 0 at the south
        return _image(bytes(rows[0][0]), f"--basemap {self.path} tile {z}/{x}/{y}") if rows else None

    def _rows(self, sql: str, args=()) -> list:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:  # a cut copy can fail on any page
            raise InputError(f"--basemap {self.path}: unreadable SQLite file ({exc}); is it a complete copy?") from None


class FolderTiles(TileSource):
    """Tiles as files named by a template: DIR/{z}/{x}/{y}.png ({-y}: the TMS row)."""

    def __init__(self, template: str, folder: Path | None = None):
        self.template = template
        self.name = str(folder or template)
        root = Path(template.split("{", 1)[0] or ".")
        if not root.is_dir():
            raise InputError(f"--basemap {template}: folder {root} not found; check the path")
        self.root = root
        self.attribution = _folder_attribution(folder or root)

    def zooms(self) -> list[int]:
        head, _, _ = self.template.partition("{z}")
        parent = Path(head) if head.endswith(("/", "\\")) else Path(head).parent
        return (
            sorted(int(p.name) for p in parent.iterdir() if p.is_dir() and p.name.isdigit()) if parent.is_dir() else []
        )

    def tile(self, z, x, y):
        path = Path(
            self.template.replace("{z}", str(z))
            .replace("{x}", str(x))
            .replace("{-y}", str(2**z - 1 - y))
            .replace("{y}", str(y))
        )
        return _image(path.read_bytes(), f"--basemap {path}") if path.is_file() else None


def _folder_template(folder: Path) -> str:
    """DIR/{z}/{x}/{y}.EXT, EXT from the first tile found."""
    for z in sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name)):
        for tile in sorted(z.glob("*/*.*")):
            ext = tile.suffix.lower().lstrip(".")
            if ext in TILE_FORMATS:
                return str(folder / "{z}" / "{x}" / ("{y}." + ext))
    raise InputError(f"--basemap {folder}: no tiles named {{z}}/{{x}}/{{y}}.png (or .jpg, .webp) in this folder")


def _folder_attribution(folder: Path) -> str:
    """The attribution in DIR/metadata.json (mb-util's layout), if there is one."""
    meta = folder / "metadata.json"
    if not meta.is_file():
        return ""
    try:
        return plain_attribution(json.loads(meta.read_text(encoding="utf-8")).get("attribution"))
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise InputError(
            f"--basemap {meta}: not a JSON object ({' '.join(str(exc).split())[:120]}); fix or remove it"
        ) from None

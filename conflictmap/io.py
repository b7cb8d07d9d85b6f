"""Reading and writing files and stdin: format detection, clear errors, atomic writes."""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import glob
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from .errors import InputError, UsageError
from .escape import visible_text

VECTOR_HINT = "expected GeoJSON, GeoPackage, Shapefile, FlatGeobuf or GeoParquet"
TABLE_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".geojsonl": "ndjson",
    ".parquet": "parquet",
    ".gpkg": "gpkg",
}


def label(source) -> str:
    """How a source is named in messages: a file name that is not UTF-8 shows its bad bytes as \\xNN."""
    return "<stdin>" if str(source) == "-" else text_of_path(source)


def text_of_path(path) -> str:
    """A path as printable text: Python keeps undecodable bytes of a name as surrogates, which no stream can write."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace") if _has_surrogates(str(path)) else str(path)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


MAX_STREAM_BYTES = 2 * 1024**3  # stdin, pipes and other non-regular files: read at most this much (2 GiB)


def read_source_bytes(source) -> bytes:
    """All bytes of a file or of stdin ('-'); a device is refused and a pipe read up to MAX_STREAM_BYTES."""
    if str(source) == "-":
        return _stdin_bytes()
    path = Path(source)
    name = label(source)
    if not path.exists():
        raise InputError(f"{name}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{name}: is a folder, not a file")
    kind = path.stat().st_mode
    if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        raise InputError(f"{name}: is a device, not a file; give a file (or '-' for stdin)")
    try:
        if not stat.S_ISREG(kind):  # a pipe, e.g. -d <(curl ...)
            with open(path, "rb") as stream:
                return _capped(stream, name)
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"{name}: permission denied; check the file's permissions") from None


def read_toml(path, missing: Exception, what: str) -> dict:
    """A TOML file (or stdin, '-') as a dict; `missing` is raised when it does not exist, bad TOML is an InputError."""
    import tomllib

    name = label(path)
    try:
        text = decode_text(_stdin_bytes(), name) if str(path) == "-" else Path(path).read_text(encoding="utf-8")
        return tomllib.loads(text)
    except FileNotFoundError:
        raise missing from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a TOML file; {what}") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied; check the file's permissions") from None
    except RecursionError:
        raise InputError(f"{name}: not valid TOML (nested too deeply); {what}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: not valid TOML ({exc}); {what}") from None


def check_one_stdin(named) -> None:
    """(option, value) pairs, a value a path or a list of them: stdin gives its data once, so at most one may be '-'."""
    readers = [option for option, value in named if "-" in (value if isinstance(value, (list, tuple)) else [value])]
    readers = list(dict.fromkeys(readers))
    if len(readers) > 1:
        names = ", ".join(readers[:-1]) + " and " + readers[-1]
        if len(readers) == 2:
            raise UsageError(f"{names} cannot both read stdin ('-'); give one of them as a file")
        raise UsageError(f"{names} cannot all read stdin ('-'); give all but one of them as files")


_STDIN: dict = {}  # the stdin object read -> its bytes: a run reads stdin once, however often '-' is opened


def _stdin_bytes() -> bytes:
    """stdin's bytes, read once per stdin (a check reads an input before the load does: the second
    read of a pipe would find it empty). Keyed by the stream, so a test runner's new stdin is read anew."""
    stream = sys.stdin
    if stream is None or stream.closed:
        raise UsageError("'-' reads stdin, but stdin is closed; give a file, or pipe the data in")
    if _STDIN.get("stream") is not stream:
        _STDIN.update(stream=stream, data=_capped(stream.buffer, "<stdin>"))
    return _STDIN["data"]


def _capped(stream, name: str) -> bytes:
    data = stream.read(MAX_STREAM_BYTES + 1)
    if len(data) > MAX_STREAM_BYTES:
        raise InputError(f"{name}: more than {MAX_STREAM_BYTES:,} bytes from a stream; save it to a file first")
    return data


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _json_problem(data: bytes, name: str) -> str | None:
    """Why bytes that look like JSON are not a usable FeatureCollection, if we can tell."""
    text = data.lstrip()
    if text[:1] == b"<":
        return f"{name}: an HTML or XML page, not GeoJSON (a failed download or an error page?); fetch the file again"
    if not text[:1] in (b"{", b"["):
        return None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return (
            f"{name} line {_line_of(data, exc.start)}: not UTF-8 text; GeoJSON must be UTF-8 "
            "(re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8)"
        )
    except RecursionError:
        return f"{name}: JSON is nested too deeply to be GeoJSON"
    except json.JSONDecodeError as exc:
        return f"{name}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); the file may be truncated"
    if isinstance(doc, dict) and doc.get("type") == "Topology":
        return f"{name}: TopoJSON, not GeoJSON; convert it, e.g. mapshaper {name} -o format=geojson districts.geojson"
    if isinstance(doc, dict) and doc.get("type") not in ("FeatureCollection", "Feature"):
        keys = shown_columns(list(doc), limit=5)
        if len(doc) == 1 and isinstance(next(iter(doc.values())), dict):
            inner = next(iter(doc))
            return (
                f"{name}: a FeatureCollection wrapped in a {{{inner!r}: ...}} object, not GeoJSON; "
                f"unwrap it, e.g. jq '.{inner}' {name} > fixed.geojson"
            )
        return f'{name}: JSON object without "type": "FeatureCollection" (keys: {keys}); not GeoJSON'
    return _crs_member_problem(doc, name) or _control_character_problem(doc, name)


def _crs_member_problem(doc, name: str) -> str | None:
    """An old-style "crs" member GDAL would drop silently (reading the file as lon/lat) when PROJ does not know it."""
    member = doc.get("crs") if isinstance(doc, dict) else None
    if member is None:
        return None
    crs_name = (
        member.get("properties", {}).get("name")
        if isinstance(member, dict) and isinstance(member.get("properties"), dict)
        else None
    )
    if not isinstance(crs_name, str):
        return f'{name}: the "crs" member names no CRS; remove it (GeoJSON is lon/lat) or give the file its real CRS'
    return _unknown_crs(crs_name, name)


def _unknown_crs(crs_name: str, name: str) -> str | None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(crs_name)
    except CRSError:
        return (
            f'{name}: the "crs" member names {printable(crs_name)!r}, a CRS that PROJ does not know; '
            "give the file its real CRS (e.g. ogr2ogr -a_srs EPSG:32637) or reproject it to lon/lat"
        )
    return None


def _control_character_problem(doc, name: str) -> str | None:
    """A NUL that GDAL would cut the text at ('Al\\0pha' -> 'Al'): refused, naming the feature."""
    features = doc.get("features") if isinstance(doc, dict) else None
    for i, feature in enumerate(features if isinstance(features, list) else []):
        props = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in props.items() if isinstance(props, dict) else ():
            if isinstance(value, str) and "\x00" in value:
                return (
                    f"{name} feature {i + 1}: property {printable(key)!r} holds a NUL character "
                    f"('{printable(value)}'); remove it"
                )
    return None


_NAME_LIKE = re.compile(r"^[^\W\d][\w .()/%#-]{0,31}$")  # a column name: a word, short, no '=' or ':'


def looks_like_column(text) -> bool:
    return bool(_NAME_LIKE.match(str(text)))


def shown_columns(columns, limit: int = 8) -> str:
    """Column names for an error line, but only those that look like names.

    A 'control log' that is really another file (a .env, a config) must not have
    its first line (api_token=...) copied into stderr, which cron mails: values
    with '=', ':', quotes or more than 32 characters are left out, and counted.
    """
    columns = [str(c) for c in columns]
    names = [c for c in columns if looks_like_column(c)]
    shown = ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")
    hidden = len(columns) - len(names)
    if hidden:
        shown += f"{' ' if shown else ''}({hidden} not shown: not like column names; is this file a table?)"
    return shown or "none"


def printable(text, limit: int = 60) -> str:
    """Text safe for a one-line message: control characters as escapes, cut to `limit` characters."""
    shown = visible_text(text).replace("\r", "\\x0d").replace("\n", "\\n")  # a line break would end the message
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def read_vector(source, layer=None, encoding=None):
    """A GeoDataFrame from any file pyogrio reads, or GeoJSON bytes on stdin ('-').

    `encoding`: of a Shapefile's attributes (its DBF) that has no .cpg saying it. Without it, a DBF
    with no .cpg that GDAL read as Latin-1 is looked at (_dbf_text): the frame's attrs["read_notes"]
    then holds a warning for load_districts to give.
    """
    name = label(source)
    is_stdin = str(source) == "-" or _is_stream(source)  # GDAL cannot seek a pipe: read it into memory like '-'
    is_geojson = is_stdin or str(source).lower().endswith((".geojson", ".json"))
    if encoding and (is_geojson or Path(source).suffix.lower() in (".gpkg", ".fgb", *PARQUET_SUFFIXES)):
        raise UsageError(
            f"{name}: --districts-encoding is for Shapefiles (their .dbf); GeoJSON, GeoPackage, FlatGeobuf and "
            "GeoParquet are UTF-8 by definition"
        )
    encoding = check_encoding(encoding, "--districts-encoding") if encoding else None
    if is_geojson:
        # GDAL takes file names as UTF-8: a name that is not is read through memory like stdin.
        return _read_geojson(source, name, layer, is_stdin or _has_surrogates(str(source)))
    target = Path(source)
    if not target.exists():
        raise InputError(f"{name}: file not found; check the path")
    if target.is_file() and target.stat().st_size == 0:
        raise InputError(f"{name}: empty file; {VECTOR_HINT}")
    if target.suffix.lower() in PARQUET_SUFFIXES:
        return _read_geoparquet(target, name)
    _check_layer(target, name, layer)
    _check_dbf(target, name)
    frame = _read_with_gdal(target, name, layer, encoding)
    return frame if encoding else _dbf_text(frame, target, name, layer)


def _read_with_gdal(target, name: str, layer, encoding=None):
    """pyogrio's frame, or GDAL's reason as one line."""
    import pyogrio

    try:
        with _quiet_gdal():
            frame = pyogrio.read_dataframe(target, layer=layer, encoding=encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: its text is not {encoding} (bad byte 0x{exc.object[exc.start]:02x}); "
            "give its real encoding with --districts-encoding (e.g. cp1256, cp1251, utf-8)"
        ) from None
    except Exception as exc:  # pyogrio raises several types for unreadable data
        raise InputError(_gdal_failure(exc, name)) from exc
    if not hasattr(frame, "geometry"):  # GDAL reads a CSV, a spreadsheet or a GeoPackage table as a plain table
        where = name if layer is None else f"{name} layer {printable(layer, 40)!r}"
        columns = {str(c).strip().casefold() for c in frame.columns}
        log = (
            "; it looks like a control log, which the commands that read one take with --control"
            if columns & {"district", "controller"}
            else ""
        )
        raise InputError(
            f"{where}: no geometry (it is a table, columns: {shown_columns(frame.columns)}); "
            f"give polygons here ({VECTOR_HINT.removeprefix('expected ')}){log}"
        )
    return frame


def _dbf_text(frame, target: Path, name: str, layer):
    """The frame of a Shapefile whose DBF has no .cpg, read again in its real encoding when that is sure.

    GDAL reads such a DBF as Latin-1 (or by its language byte): an Arabic or Cyrillic one (cp1256, cp1251)
    gives mojibake names ('ÇáÃÚÌÇã' for الأعجام), a UTF-8 one 'Ø¶Ù\x87Ø±Ø©'. Those texts are bytes again once
    encoded back; bytes that are valid UTF-8 are UTF-8 (a Latin-1 text almost never is): read again as UTF-8,
    with a warning. Otherwise the encoding guessed from the words (guess_encoding, as for a control log) is
    advised when it is not a Latin-1 one.
    """
    cpg = _dbf_without_cpg(target)
    if cpg is None:
        return frame
    texts = [
        v for c in frame.columns if c != frame.geometry.name for v in frame[c] if isinstance(v, str) and not v.isascii()
    ]
    data = _as_read_bytes(dict.fromkeys(texts))
    if data is None:
        return frame
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        guess = guess_encoding(data)
        if guess is None or guess in LATIN_1_LIKE:
            return frame
        shown = guess.replace("_", "-")
        script = f" ({ENCODING_NAMES[guess]})" if guess in ENCODING_NAMES else ""
        example = max(texts[:200], key=lambda t: sum(not c.isascii() for c in t))  # the most garbled to see
        frame.attrs["read_notes"] = [
            f"no .cpg file, and its text as GDAL read it (Latin-1) looks wrongly decoded ('{printable(example, 30)}'); "
            f"it looks like {shown}{script}: read it with --districts-encoding {shown}, "
            f"or add {cpg} containing {shown.upper()}"
        ]
        return frame
    frame = _read_with_gdal(target, name, layer, "UTF-8")
    frame.attrs["read_notes"] = [
        f"no .cpg file, but its text is UTF-8 and was read as UTF-8 (add {cpg} containing UTF-8 to say so)"
    ]
    return frame


LATIN_1_LIKE = ("latin_1", "iso8859_1", "cp1252", "iso8859_15", "cp850", "cp437")


def _check_dbf(target: Path, name: str) -> None:
    """A .shp without its .dbf: GDAL reads the shapes with no field at all, and no id or name could be found."""
    import zipfile

    if target.suffix.lower() == ".shp":
        siblings = {p.suffix.lower() for p in target.parent.glob(glob.escape(target.stem) + ".*")}
        shp, where = (target.name if ".dbf" not in siblings else None), ""
    elif target.suffix.lower() == ".zip" and zipfile.is_zipfile(target):
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
        stems = {n[:-4].lower() for n in names if n.lower().endswith(".dbf")}
        shp = next((n for n in names if n.lower().endswith(".shp") and n[:-4].lower() not in stems), None)
        where = f" in {target.name}"
    else:
        return
    if shp:
        stem = Path(shp).stem
        raise InputError(
            f"{name}: {stem}.dbf is missing{where} (the Shapefile's attributes: ids and names); "
            f"put it beside {Path(shp).name}, with the .shx and .prj"
        )


def geometry_text_problem(source, number: int) -> str | None:
    """Why GeoJSON feature `number` (1 = the first) has no geometry although it has one: its coordinates are
    text ("37.11"), which GDAL drops. Only asked once that feature was read without a geometry."""
    path = Path(str(source))
    if str(source) == "-" or path.suffix.lower() not in (".geojson", ".json") or not path.is_file():
        return None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
        geometry = doc["features"][number - 1]["geometry"]
        coords = geometry["coordinates"]
    except (ValueError, RecursionError, KeyError, IndexError, TypeError):
        return None
    text = _first_text(coords)
    if text is None:
        return None
    return f"its coordinates are text ({json.dumps(text)}), not numbers; write them without quotes"


def _first_text(nested):
    """The first string in nested lists of coordinates, or None."""
    stack = [nested]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            return item
        if isinstance(item, list):
            stack.extend(reversed(item))
    return None


def _dbf_without_cpg(target: Path) -> str | None:
    """For a Shapefile (or a zipped one) with a .dbf and no .cpg naming its encoding: the .cpg to add."""
    import zipfile

    suffix = target.suffix.lower()
    if suffix in (".shp", ".dbf"):
        siblings = {p.name.lower() for p in target.parent.glob(glob.escape(target.stem) + ".*")}
        stem = target.stem.lower()
        return f"{target.stem}.cpg" if f"{stem}.dbf" in siblings and f"{stem}.cpg" not in siblings else None
    if suffix == ".zip" and zipfile.is_zipfile(target):
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
        dbf = [n for n in names if n.lower().endswith(".dbf")]
        if dbf and not any(n.lower().endswith(".cpg") for n in names):
            return f"{dbf[0][:-4]}.cpg (in {target.name})"
    return None


def _as_read_bytes(texts) -> bytes | None:
    """The bytes GDAL decoded to these texts (Latin-1, or Windows-1252 by a DBF's language byte), or None."""
    for encoding in ("latin-1", "cp1252"):
        try:
            return "\n".join(texts).encode(encoding) if texts else None
        except UnicodeEncodeError:
            continue
    return None


def _gdal_failure(exc: Exception, name: str) -> str:
    msg = _VSIMEM.sub(name, " ".join(str(exc).split()))[:200]
    return f"{name}: cannot be read as a vector file ({msg}); {VECTOR_HINT}"


def _read_geojson(source, name: str, layer, in_memory: bool):
    """GeoJSON parsed once, by GDAL.

    The Python diagnostics (_json_problem, which parse the whole document) run
    only when a scan of the bytes finds what only they can judge
    (_needs_diagnostics), or when GDAL fails: then the bytes are read as they
    always were (_read_geojson_bytes), so every message stays the same.
    """
    import pyogrio

    data = read_source_bytes(source) if in_memory else None
    if in_memory:
        needed, target = _needs_diagnostics([data]), io.BytesIO(data)
    else:
        path = _regular_file(source, name)
        try:
            with open(path, "rb") as stream:
                needed = _needs_diagnostics(iter(lambda: stream.read(SCAN_CHUNK), b""))
        except PermissionError:
            raise InputError(f"{name}: permission denied; check the file's permissions") from None
        target = (
            f"GeoJSON:{path}"  # the GeoJSON driver only, as the diagnostics would have it: no TopoJSON or ESRI JSON
        )
    if not needed:
        try:
            with _quiet_gdal():
                return pyogrio.read_dataframe(target, layer=layer)
        except Exception:
            pass  # read again below, for the message
    return _read_geojson_bytes(data if data is not None else read_source_bytes(source), name, layer)


def _read_geojson_bytes(data: bytes, name: str, layer):
    """GeoJSON bytes checked by the Python diagnostics first, then read by GDAL from memory."""
    import pyogrio

    if not data.strip():
        raise InputError(f"{name}: empty input; {VECTOR_HINT}")
    problem = _json_problem(data, name)
    if problem:
        raise InputError(problem)
    try:
        with _quiet_gdal():
            return pyogrio.read_dataframe(io.BytesIO(data), layer=layer)
    except Exception as exc:
        raise InputError(_feature_problem(data, name) or _gdal_failure(exc, name)) from exc


def _regular_file(source, name: str) -> Path:
    """The path of an input that must be a file (read_source_bytes's messages for the others)."""
    path = Path(source)
    if not path.exists():
        raise InputError(f"{name}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{name}: is a folder, not a file")
    return path


SCAN_CHUNK = 1 << 23  # bytes read at a time by the scan of a GeoJSON file
# The root object's first member is "type": "FeatureCollection" (or "Feature"), as every common writer puts it:
# then the document is no TopoJSON, no wrapped collection and no object without a type.
_GEOJSON_HEAD = re.compile(
    rb'(?:\xef\xbb\xbf)?[ \t\r\n]*\{[ \t\r\n]*"type"[ \t\r\n]*:[ \t\r\n]*"(?:FeatureCollection|Feature)"'
)
# A "crs" member as GDAL writes it: {"type": "name", "properties": {"name": "..."}}.
_CRS_MEMBER = re.compile(
    rb'"crs"[ \t\r\n]*:[ \t\r\n]*\{[ \t\r\n]*"type"[ \t\r\n]*:[ \t\r\n]*"name"[ \t\r\n]*,[ \t\r\n]*'
    rb'"properties"[ \t\r\n]*:[ \t\r\n]*\{[ \t\r\n]*"name"[ \t\r\n]*:[ \t\r\n]*"([^"\\]*)"[ \t\r\n]*\}[ \t\r\n]*\}'
)
_NUL = (b"\\u0000", b"\x00")  # a NUL escaped or raw: GDAL would cut the text at it


def _needs_diagnostics(chunks) -> str:
    """Why these bytes need the Python diagnostics, or '' when what GDAL reads can be trusted.

    Each check of _json_problem that GDAL does not make has its screen: the root
    object must open with its "type" member (TopoJSON, a wrapped collection, an
    object without "type"), the text must be UTF-8, hold no NUL and no "Topology",
    and a "crs" member must be the one GDAL writes and name a CRS that PROJ knows.
    GDAL refuses what else json.loads would (truncated or malformed JSON, nesting
    too deep), and its failure runs the diagnostics too (_read_with_gdal).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    head, tail, crs_count = None, b"", 0
    for chunk in chunks:
        if head is None:
            head = chunk
            if not _GEOJSON_HEAD.match(head):
                return "root"
        window = tail + chunk
        if any(p in window for p in _NUL) or b'"Topology"' in window:
            return "text"
        crs_count += window.count(b'"crs"')
        if not chunk.isascii() or decoder.getstate()[0]:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return "encoding"
        tail = window[-4:]  # shorter than every pattern: no match is counted twice
    if head is None:
        return "empty"
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "encoding"
    if crs_count:
        member = _CRS_MEMBER.search(head)
        if crs_count > 1 or member is None or _unknown_crs(member.group(1).decode("utf-8"), ""):
            return "crs"
    return ""


PARQUET_SUFFIXES = (".parquet", ".geoparquet")


def _is_stream(source) -> bool:
    """A path that is a pipe or a device rather than a file (-d <(cat districts.geojson), /dev/zero)."""
    try:
        return not stat.S_ISREG(os.stat(source).st_mode) and not stat.S_ISDIR(os.stat(source).st_mode)
    except (OSError, ValueError):
        return False


def _check_layer(path: Path, name: str, layer) -> None:
    """A file with several polygon layers must not be read by its first one silently: --layer names one."""
    import pyogrio

    try:
        layers = [(str(n), str(kind or "")) for n, kind in pyogrio.list_layers(path)]
    except Exception:  # unreadable: read_dataframe below gives the message
        return
    names = [n for n, _ in layers]
    if layer is not None:
        if str(layer) not in names:
            raise UsageError(
                f"{name}: no layer {printable(layer)!r}; layers: {', '.join(printable(n, 40) for n in names)}"
            )
        return
    polygons = [n for n, kind in layers if "polygon" in kind.lower() or "surface" in kind.lower()]
    if len(polygons) > 1:
        shown = ", ".join(printable(n, 40) for n in polygons[:10]) + (" ..." if len(polygons) > 10 else "")
        raise InputError(
            f"{name}: {len(polygons)} polygon layers ({shown}); name the districts layer with --districts-layer NAME"
        )


def require_pyarrow(name: str) -> None:
    """Parquet goes through pyarrow (the GDAL inside pyogrio's wheels has no Parquet driver)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(
            f"{name}: reading Parquet needs pyarrow; install it with pip install 'conflictmap[parquet]'"
        ) from None


def _read_geoparquet(path: Path, name: str):
    import geopandas as gpd

    require_pyarrow(name)
    try:
        return gpd.read_parquet(path)
    except Exception as exc:
        msg = " ".join(str(exc).split())[:200]
        raise InputError(f"{name}: cannot be read as GeoParquet ({msg}); {VECTOR_HINT}") from exc


_VSIMEM = re.compile(r"/vsimem/\S+?(?=['\s:;,)]|$)")  # pyogrio's in-memory file name means nothing to a user


def _feature_problem(data: bytes, name: str) -> str | None:
    """The first feature GDAL cannot read, for GeoJSON it rejected as a whole (e.g. an unclosed ring)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None
    features = doc.get("features") if isinstance(doc, dict) else None
    for i, feature in enumerate(features if isinstance(features, list) else []):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        for ring in _rings(geometry):
            if len(ring) < 4 or ring[0] != ring[-1]:
                return (
                    f"{name} feature {i + 1}: polygon ring is not closed (needs at least 4 points, "
                    "the last equal to the first); close the ring or re-export the file"
                )
    return None


def _rings(geometry):
    if not isinstance(geometry, dict):
        return []
    coords = geometry.get("coordinates") or []
    try:
        if geometry.get("type") == "Polygon":
            return [list(r) for r in coords]
        if geometry.get("type") == "MultiPolygon":
            return [list(r) for poly in coords for r in poly]
    except TypeError:
        return []
    return []


@contextlib.contextmanager
def _quiet_gdal():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


ENCODING_NAMES = {
    "cp1251": "Cyrillic",
    "cp1256": "Arabic",
    "cp1252": "Western European",
    "latin_1": "Western European",
    "iso8859_5": "Cyrillic",
    "koi8_r": "Cyrillic",
    "koi8_u": "Cyrillic",
    "iso8859_6": "Arabic",
    "cp1253": "Greek",
    "iso8859_7": "Greek",
    "cp1255": "Hebrew",
    "iso8859_8": "Hebrew",
    "mac_cyrillic": "Cyrillic",
}


def check_encoding(name: str, option: str = "--encoding") -> str:
    """An encoding name Python knows, normalised (cp1251, utf-8, latin-1...); a usage error otherwise."""
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(
            f"{option} {name!r} is not an encoding Python knows; give one such as cp1251, cp1256, latin-1 or utf-8"
        ) from None


# Files that are not text, by their first bytes: what they are and how to get a table out of them.
NOT_TEXT = (
    (b"PK\x03\x04", "a zip file (an Excel .xlsx workbook?)", "save the sheet as CSV UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)", "save the sheet as CSV UTF-8"),
    (b"(\xb5/\xfd", "zstd-compressed", "decompress it first (unzstd FILE)"),
    (b"7z\xbc\xaf'\x1c", "a 7-Zip archive", "extract it first (7z x FILE)"),
    (b"Rar!\x1a\x07", "a RAR archive", "extract it first (unrar x FILE)"),
    (b"%PDF-", "a PDF document", "export the table from its source as CSV"),
    (b"PAR1", "a Parquet file", "give it the .parquet suffix"),
    (b"\x89PNG", "a PNG image", "give the table itself, as CSV"),
    (b"\xff\xd8\xff", "a JPEG image", "give the table itself, as CSV"),
)
# Compressed text read as it is: gzip, bzip2 and xz (Python's own modules; pandas reads the same).
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)  # before UTF-16: FF FE 00 00 starts both


def _not_text(data: bytes, name: str) -> None:
    """A binary file given as a text table: say what it is and how to get the table (not 'not UTF-8')."""
    for magic, what, fix in NOT_TEXT:
        if data.startswith(magic):
            raise InputError(f"{name}: {what}, not a text table; {fix.replace('FILE', name)}")
    if data.startswith(b"SQLite format 3\x00"):
        if data[68:72] == b"GPKG":
            raise InputError(f"{name}: a GeoPackage, not a text table; give it the .gpkg suffix")
        raise InputError(
            f"{name}: an SQLite database, not a text table; export the table as CSV "
            f"(sqlite3 -header -csv {name} 'SELECT * FROM TABLE')"
        )


def compression(data: bytes) -> str | None:
    """'gzip', 'bz2' or 'xz' for compressed bytes, else None."""
    return next((kind for magic, kind in COMPRESSED.items() if data.startswith(magic)), None)


def uncompressed(data: bytes, name: str) -> bytes:
    """The bytes of a gzip, bzip2 or xz file decompressed (at most MAX_STREAM_BYTES), others as they are."""
    kind = compression(data)
    if kind is None:
        return data
    import bz2
    import gzip
    import lzma
    import zlib

    stream = io.BytesIO(data)
    opened = {"gzip": lambda: gzip.GzipFile(fileobj=stream), "bz2": lambda: bz2.BZ2File(stream)}
    try:
        with opened.get(kind, lambda: lzma.LZMAFile(stream))() as stream:
            out = stream.read(MAX_STREAM_BYTES + 1)
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise InputError(f"{name}: {kind}-compressed, but cut off or damaged ({exc}); fetch the file again") from None
    if len(out) > MAX_STREAM_BYTES:
        raise InputError(f"{name}: decompresses to more than {MAX_STREAM_BYTES:,} bytes; split the table")
    return out


def decode_text(data: bytes, name: str, encoding: str | None = None) -> str:
    """Text of a table: UTF-8 (with or without BOM), UTF-16 or UTF-32 with its BOM (Excel's 'Unicode text'), or
    `encoding`; gzip, bzip2 and xz files decompressed first."""
    data = uncompressed(data, name)
    _not_text(data, name)
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name} line {_line_of(data, exc.start)}: not {encoding} (bad byte 0x{data[exc.start]:02x}); "
                f"{_guess_hint(data, name)}"
            ) from None
    if data.startswith(UTF32_BOMS):
        try:
            return data.decode("utf-32")
        except UnicodeDecodeError:
            raise InputError(f"{name}: starts like UTF-32 text but is not; re-save the file as UTF-8") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: starts like UTF-16 text but is not; re-save the file as UTF-8") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} line {_line_of(data, exc.start)}: not UTF-8 (bad byte 0x{data[exc.start]:02x}); "
            f"{_guess_hint(data, name)}"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            f"{name} line {line}: NUL byte in a text table (a binary file, or UTF-16 without BOM?); re-save it as UTF-8 CSV"
        )
    return text


# The encodings tables in this field are saved in, most common first (a tie goes to the first). koi8_u before
# koi8_r: they differ only where KOI8-R has box-drawing characters and KOI8-U has і, ї, є, ґ, so a Russian file
# decodes the same either way and a Ukrainian one only with koi8_u.
COMMON_ENCODINGS = ("cp1252", "cp1251", "cp1256", "cp1250", "cp1253", "cp1255", "koi8_u", "koi8_r", "iso8859_1")
# Words as a table's cells hold them: split at spaces and ASCII punctuation only, so that a '╖' or '§' a wrong
# decoding puts inside a word stays in it (\w+ would cut 'Укра╖на' into two plausible words).
_WORDS = re.compile(r"[^\s!-/:-@\[-`{-~]+")
# Writing systems whose letters share words (Japanese mixes kanji and kana).
_SCRIPT_OF = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HALFWIDTH": "CJK"}


def guess_encoding(data: bytes) -> str | None:
    """The most likely legacy encoding of bytes that are not UTF-8, or None.

    charset-normalizer proposes candidates, but on the few short names of a
    control log its own ranking often prefers cp1250 for Cyrillic or Arabic.
    So each candidate (and each common encoding) is judged by the words it
    decodes to: in real text every word with a non-ASCII letter is in one
    script, has a natural case shape (київ, Київ, КИЇВ), holds no symbol or
    box-drawing character, no digit of another script and no more vowel points
    than letters, and, if Latin, mixes
    in plain ASCII letters (unifiées, Łódź); a wrong decoding breaks that
    (Őŕđęłâ, unifiйes, ΚθΏβ, Укра╖на, ُثزء§خء). Ties go to charset-normalizer's
    coherence, then to the more common encoding.
    """
    from charset_normalizer import from_bytes

    coherence = {e: m.coherence for m in from_bytes(data) for e in (m.could_be_from_charset or [m.encoding])}
    scores = []
    for rank, encoding in enumerate(dict.fromkeys([*COMMON_ENCODINGS, *coherence])):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        scores.append((-_natural_words(text), -round(coherence.get(encoding, 0.0), 2), rank, encoding))
    return min(scores)[3] if scores else None


def _natural_words(text: str) -> float:
    """Share of the words with a non-ASCII letter that look like words of one script (see guess_encoding)."""
    import unicodedata

    words = [w for w in _WORDS.findall(text) if not w.isascii() and any(c.isalpha() for c in w)]
    if not words:
        return 0.0
    good = 0
    for word in words:
        letters = [c for c in word if c.isalpha()]
        scripts = _scripts(letters)
        shape = (
            word.islower()
            or word.isupper()
            or (word[0].isupper() and word[1:].islower())
            or not any(c.isupper() for c in word)
        )
        latin_ok = scripts != {"LATIN"} or any(c.isascii() for c in letters)
        pure = not (scripts - {"LATIN"}) or not any(c.isascii() for c in letters)
        foreign_digit = any(c.isdigit() and not c.isascii() for c in word)
        # Vowel points on most letters, but not more points than letters (مُحَمَّد has 4 of each); KOI8 read as
        # cp1255 gives runs of Hebrew points.
        marked = sum(unicodedata.category(c) == "Mn" for c in word) > len(letters)
        good += len(scripts) == 1 and shape and latin_ok and pure and not (foreign_digit or marked or _has_symbol(word))
    return good / len(words)


def _scripts(letters) -> set[str]:
    """The scripts of non-ASCII letters, by their Unicode names (CYRILLIC, ARABIC, LATIN, ...); modifier letters
    (ʿ, ʾ) belong to none."""
    return {script for c in letters if not c.isascii() and (script := _char_script(c))}


def _has_symbol(word: str) -> bool:
    """A non-ASCII symbol inside a word: box drawing (Укра╖на), currency, § ¦ ¶ (Ð£ÐºÑ€Ð°, ُثزء§خء)."""
    return any(not c.isascii() and _char_is_symbol(c) for c in word)


# Per character, once: a names file has a few hundred distinct characters, and unicodedata.name is the cost
# of these checks (50k Arabic names: 16 µs a name uncached).
@lru_cache(maxsize=1 << 14)
def _char_script(c: str) -> str | None:
    import unicodedata

    if unicodedata.category(c) == "Lm":
        return None
    name = unicodedata.name(c, "?").split(" ")[0]
    return _SCRIPT_OF.get(name, name)


@lru_cache(maxsize=1 << 14)
def _char_is_symbol(c: str) -> bool:
    import unicodedata

    return unicodedata.category(c)[0] == "S" or c in "§¶"


def garbled_words(texts) -> list[tuple[int, str, tuple[str, str]]]:
    """(position, text, garbled_word(text)) for each text garbled_word finds wrong, in order.

    The distinct characters of all texts are judged first: texts whose letters are of one script, with no
    symbol among them (an Arabic or a Cyrillic names file), hold no garbled word, and are not read word by
    word (50k names: 0.5 s).
    """
    plain = [(i, t) for i, t in enumerate(texts) if isinstance(t, str) and not t.isascii()]
    chars = set("".join(t for _, t in plain))
    scripts = {_char_script(c) for c in chars if c.isalpha() and not c.isascii()} - {None}
    latin = any(c.isascii() and c.isalpha() for c in chars)
    if len(scripts | ({"LATIN"} if latin else set())) <= 1 and not any(_char_is_symbol(c) for c in chars):
        return []
    return [(i, t, bad) for i, t in plain if (bad := garbled_word(t))]


def garbled_word(text: str) -> tuple[str, str] | None:
    """The first word of a label that a wrong decoding would give, and what is wrong with it: a symbol or
    box-drawing character among its letters ('Укра╖на'), or letters of two scripts in one word ('Kharkіv' with a
    Cyrillic і); None if there is none."""
    for word in _WORDS.findall(text):
        if word.isascii():
            continue
        letters = [c for c in word if c.isalpha()]
        if not letters:
            continue
        symbol = next((c for c in word if _has_symbol(c)), None)
        if symbol:
            return word, f"{symbol!r} among its letters"
        scripts = _scripts(letters) | ({"LATIN"} if any(c.isascii() for c in letters) else set())
        if len(scripts) > 1:
            return word, f"{' and '.join(sorted(s.title() for s in scripts))} letters in one word"
    return None


def _guess_hint(data: bytes, name: str) -> str:
    guess = guess_encoding(data)
    if guess is None or guess.startswith("utf"):
        return "re-save the file as UTF-8, or name its encoding with --encoding"
    script = ENCODING_NAMES.get(guess)
    kind = f" ({script})" if script else ""
    if guess == "koi8_u" and data.decode("koi8_r") == data.decode("koi8_u"):
        kind = " (Cyrillic; koi8-r reads it the same)"  # no і, ї, є, ґ: Russian, or Ukrainian without them
    shown = guess.replace("_", "-")
    return (
        f"it looks like {shown}{kind}: read it with --encoding {shown}, "
        f"or re-save it as UTF-8 (e.g. iconv -f {shown} -t utf-8 {name})"
    )


COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")


def _table_kind(source, text: str) -> str:
    path = Path(str(source))
    suffix = path.suffix.lower()
    if suffix in COMPRESSED_SUFFIXES:  # log.csv.gz is a CSV
        suffix = Path(path.stem).suffix.lower()
    if suffix in TABLE_SUFFIXES:
        kind = TABLE_SUFFIXES[suffix]
        if kind == "json" and text.lstrip().startswith("{") and "\n{" in text.strip():
            return "ndjson"
        return kind
    head = text.lstrip()[:1]
    if head == "[":
        return "json"
    if head == "{":
        return "ndjson"
    return "csv"


# GeoJSON (or TopoJSON) as its root object opens, or a FeatureCollection named early in the text.
_GEOJSON_TEXT_HEAD = re.compile(r'\ufeff?\s*\{\s*"type"\s*:\s*"(FeatureCollection|Feature|Topology)"')
_COLLECTION_NEAR_HEAD = re.compile(r'"type"\s*:\s*"(FeatureCollection|Topology)"')


def _check_not_geojson(text: str, name: str, role: str) -> None:
    """A districts or zones file given as a table: say so, rather than 'line 1: invalid JSON'."""
    found = _GEOJSON_TEXT_HEAD.match(text) or (
        text.lstrip().startswith("{") and _COLLECTION_NEAR_HEAD.search(text, 0, 4096)
    )
    if found:
        kind = "TopoJSON" if found.group(1) == "Topology" else f"GeoJSON (a {found.group(1)})"
        raise InputError(
            f"{name}: this is {kind}, like a districts or zones file, not a {role}; give it with --districts "
            "(or to zones)"
        )


_PAGE_HEAD = re.compile(r"\ufeff?\s*<(!doctype|html|\?xml|head|body|!--)", re.IGNORECASE)


def _check_not_page(text: str, name: str, role: str) -> None:
    """An HTML or XML page (a failed download, a login or error page) given as a table."""
    if _PAGE_HEAD.match(text):
        raise InputError(
            f"{name}: an HTML or XML page, not a {role} (a failed download or an error page?); fetch the file "
            "again, or save the table itself as CSV"
        )


_SEP_LINE = re.compile(r"\ufeff?sep=(.)[ \t]*\r?(\n|$)")  # Excel's first line naming the delimiter: sep=;


def excel_sep(text: str) -> str | None:
    """The delimiter an Excel 'sep=' first line names ('sep=;' -> ';'), or None."""
    found = _SEP_LINE.match(text)
    return found.group(1) if found else None


def _first_line(text: str) -> str:
    """text.split("\\n", 1)[0], without copying the rest of a large text."""
    end = text.find("\n")
    return text if end < 0 else text[:end]


def _sniff_delimiter(text: str, default: str) -> str:
    """The delimiter of the header line: a semicolon-separated export reads as well as a comma one."""
    header = _first_line(text)
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else default


def read_records(
    source, encoding: str | None = None, role: str = "table of rows", header: str = "date,district,controller"
) -> list[dict]:
    """Rows of a CSV/TSV/JSON/NDJSON table as dicts of strings, each with its '_where' location.

    Text is UTF-8 (or UTF-16 with a BOM) unless `encoding` names another. `role` names
    the table in the message for a GeoJSON file given in its place ("control log"); `header`
    is the header line an empty file is told to start with.
    """
    name = label(source)
    suffix = Path(str(source)).suffix.lower()
    if suffix in (".parquet", ".gpkg"):
        return _read_frame_records(source, name)
    text = decode_text(read_source_bytes(source), name, encoding)
    if not text.strip():
        raise InputError(f"{name}: empty file; expected a header line '{header}'")
    kind = _table_kind(source, text)
    _check_not_page(text, name, role)
    if kind in ("json", "ndjson"):
        _check_not_geojson(text, name, role)
    if kind == "json":
        return _json_records(text, name)
    if kind == "ndjson":
        return _ndjson_records(text, name)
    sep = excel_sep(text)
    return _csv_records(text, name, sep or _sniff_delimiter(text, "\t" if kind == "tsv" else ","), skip=bool(sep))


def read_columns(source, encoding: str | None = None):
    """A plain CSV/TSV table read column-wise: (frame of stripped strings, line numbers).

    pyarrow.csv reads it when installed and the text holds no quote; else
    pandas' C reader. Each column is a pandas Categorical of its distinct
    stripped values, each stripped once (every category is used). None whenever
    the fast reader could differ from `read_records` in any way (not a CSV, a
    parse error, a quoted line break, a repeated column name...): the caller
    then reads row by row, which gives the exact error or warning.
    """
    import pandas as pd

    if str(source) == "-" or _is_stream(source) or Path(str(source)).suffix.lower() in (".parquet", ".gpkg"):
        return None  # a pipe can be read once only: the row reader reads it
    name = label(source)
    try:
        data = read_source_bytes(source)
        text = decode_text(data, name, encoding)
        _check_not_page(text, name, "table")
    except InputError:
        return None
    if (
        not text
        or text.isspace()
        or _table_kind(source, text) not in ("csv", "tsv")
        or "\r" in text
        or excel_sep(text)  # a first line before the header: the row reader skips it
    ):
        return None
    # The bytes themselves are the UTF-8 text when no BOM, encoding or compression came between.
    plain = encoding is None and not data.startswith((codecs.BOM_UTF8, b"\xff\xfe", b"\xfe\xff", *UTF32_BOMS))
    utf8 = data if plain and compression(data) is None else None
    del data
    delimiter = _sniff_delimiter(text, "\t" if _table_kind(source, text) == "tsv" else ",")
    filled = _filled_lines(text)
    # pandas renames a repeated column ('controller', 'controller.1'): judge repeats on the header line itself.
    given = [h.strip().lower() for h in next(csv.reader([_first_line(text)], delimiter=delimiter), [])]
    if len(set(given)) != len(given):
        return None
    read = _arrow_columns(text, delimiter, len(given), utf8) or _pandas_columns(text, delimiter)
    del utf8
    if read is None:
        return None
    header, columns = read
    rows = len(columns[0][0]) if columns else 0
    if (
        len(filled) - 1 != rows
        or len(set(header)) != len(header)
        or any(h.startswith("unnamed:") or not h for h in header)
    ):
        return None  # a quoted line break, a repeated or empty column name: line numbers or columns would differ
    frame = pd.DataFrame({h: _stripped(codes, uniques) for h, (codes, uniques) in zip(header, columns)})
    numbers = filled[1:]
    if all((frame[c] == "").any() for c in frame.columns):  # a row of empty values is no row (as for the row reader)
        keep = (frame != "").any(axis=1).to_numpy()
        frame, numbers = frame[keep].reset_index(drop=True), numbers[keep]
        frame = frame.apply(lambda column: column.cat.remove_unused_categories())
    return frame, numbers


def _pandas_columns(text: str, delimiter: str):
    """(header, [(codes, distinct values)] per column) by pandas' C reader, or None on any parse problem."""
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
            doublequote=True,
        )
    except Exception:  # any parse problem: the row reader names it
        return None
    header = [str(c).strip().lower() for c in frame.columns]
    return header, [pd.factorize(frame[c].to_numpy(dtype=object), sort=False) for c in frame.columns]


def _arrow_columns(text: str, delimiter: str, width: int, utf8: bytes | None = None):
    """(header, [(codes, distinct values)] per column) by pyarrow.csv (C++, dictionary-encoded), or None:
    pyarrow not installed, a quote in the text (quoted values go to pandas' reader, whose quoting the tests
    hold to the row reader's), a blank first line, or any parse problem (a row of another width...)."""
    if '"' in text or text[:1].isspace() or not width:
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pv
    except ImportError:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pv.read_csv(
            io.BytesIO(utf8 if utf8 is not None else text.encode("utf-8")),
            read_options=pv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=True),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, null_values=[]
            ),
        )
    except Exception:  # any parse problem: the row reader names it
        return None
    header = [h.strip().lower() for h in next(csv.reader([_first_line(text)], delimiter=delimiter))]
    columns = []
    for name in names:
        encoded = pc.dictionary_encode(table.column(name).combine_chunks())
        columns.append((encoded.indices.to_numpy(), encoded.dictionary.to_pylist()))
    return header, columns


def _stripped(codes, uniques):
    """A text column as a Categorical of its distinct stripped values (each value stripped once)."""
    import numpy as np
    import pandas as pd

    merged, categories = pd.factorize(np.asarray([u.strip() for u in uniques], dtype=object), sort=False)
    return pd.Categorical.from_codes(merged[codes], categories=pd.Index(categories, dtype=object))


_BLANK_LINE = re.compile("\n[\n \t]")  # a line break before an empty line or one starting blank


def _filled_lines(text: str):
    """Line numbers (from 1) of the lines that hold something: all of them, as a range, when none is blank."""
    import numpy as np

    count = text.count("\n") + (not text.endswith("\n"))
    end = len(text) - text.endswith("\n")  # the text without its last line break (no copy of it)
    if not (text.startswith(("\n", " ", "\t")) and end > 0 or _BLANK_LINE.search(text, 0, end)):
        return np.arange(1, count + 1, dtype=np.int64)  # no line is blank (the common case, found in one scan)
    return np.asarray([i + 1 for i, line in enumerate(text.split("\n")) if line.strip()], dtype=np.int64)


def _csv_records(text: str, name: str, delimiter: str, skip: bool = False) -> list[dict]:
    """Rows of a CSV text; `skip`: its first line is not the header (Excel's 'sep=' line)."""
    with _field_limit(len(text) + 1):
        return _csv_rows(text, name, delimiter, skip)


@contextlib.contextmanager
def _field_limit(size: int):
    """csv's limit on a value's length (131,072 characters) raised to `size` while a text is read: the text is
    in memory already, and the column-wise reader has no such limit (a long note is a note, and a field that
    swallowed a line gets the error saying so: a field count, or a quote never closed)."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, size))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _csv_rows(text: str, name: str, delimiter: str, skip: bool) -> list[dict]:
    # strict: a quote left open must be an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        if skip:
            next(reader)
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    header = [h.strip().lower() for h in header]
    _check_duplicate_columns(header, f"{name} line {reader.line_num}")
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise InputError(
                    f"{name} line {line}: {len(values)} fields for {len(header)} columns; quote values that contain '{delimiter}'"
                )
            record = dict(zip(header, (v.strip() for v in values)))
            record["_where"] = f"{name} line {line}"
            rows.append(record)
    except csv.Error as exc:
        start = rows[-1]["_where"].rsplit(" ", 1)[-1] if rows else str(1 + skip)
        if "unexpected end of data" in str(exc):
            raise InputError(
                f"{name} line {int(start) + 1}: a quote opened on this line or below is never closed; "
                "close the quote (values with commas or line breaks must be quoted on both sides)"
            ) from None
        raise InputError(f"{name} line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _check_duplicate_columns(header: list[str], where: str) -> None:
    """Two columns of one name: a dict of the row would keep the last one silently."""
    seen: dict[str, int] = {}
    for i, column in enumerate(header, start=1):
        if column and column in seen:
            raise InputError(
                f"{where}: column {printable(column, 40)!r} appears twice (columns {seen[column]} and {i}); "
                "rename or remove one of them"
            )
        seen.setdefault(column, i)


def _as_record(obj, where: str) -> dict:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected an object with date, district, controller")
    record = {str(k).strip().lower(): ("" if v is None else str(v).strip()) for k, v in obj.items()}
    record["_where"] = where
    return record


def _json_records(text: str, name: str) -> list[dict]:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise InputError(f"{name}: JSON nested too deeply; expected a list of row objects") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from None
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(
                f"{name}: a JSON object holding {len(lists)} lists, not one list of rows; expected a JSON list of "
                'row objects ([{...}, ...], or {"rows": [...]}), or NDJSON (one object per line)'
            )
        doc = lists[0]
    if not isinstance(doc, list):
        raise InputError(f"{name}: expected a JSON list of row objects")
    return [_as_record(obj, f"{name} record {i + 1}") for i, obj in enumerate(doc)]


def _ndjson_records(text: str, name: str) -> list[dict]:
    rows = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name} line {i}: invalid JSON ({exc.msg}); expected one object per line") from None
        except RecursionError:
            raise InputError(f"{name} line {i}: JSON nested too deeply; expected one flat object per line") from None
        rows.append(_as_record(obj, f"{name} line {i}"))
    return rows


def _read_frame_records(source, name: str) -> list[dict]:
    import pandas as pd

    path = Path(source)
    if not path.exists():
        raise InputError(f"{name}: file not found; check the path")
    if path.suffix.lower() == ".parquet":
        require_pyarrow(name)
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            import pyogrio

            layers = [row[0] for row in pyogrio.list_layers(path)]
            layer = "control" if "control" in layers else layers[0]
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    except Exception as exc:
        raise InputError(f"{name}: cannot read a control table ({' '.join(str(exc).split())[:160]})") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        rec = {k: ("" if _is_missing(v) else str(v).strip()) for k, v in rec.items()}
        rec["_where"] = f"{name} row {i + 1}"
        rows.append(rec)
    return rows


def read_table_layer(path, layer: str) -> list[dict] | None:
    """The rows of a named attribute table in a GeoPackage as dicts of strings, or None when it has none."""
    import pyogrio

    try:
        if layer not in [row[0] for row in pyogrio.list_layers(path)]:
            return None
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    except Exception:  # an unreadable file is reported by the control reader itself
        return None
    return [{k: ("" if _is_missing(v) else str(v)) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def same_file(a, b) -> bool:
    """True when two paths name one existing file (an output must never overwrite an input)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def check_not_input(output, inputs) -> None:
    for source in inputs:
        if source and str(source) != "-" and str(output) != "-" and same_file(output, source):
            raise UsageError(f"output {output} is also an input; choose another output path")


TEMP_TAG = ".conflictmap-partial-"  # in every temporary output name: '.report.html.conflictmap-partial-x1y2.html'
RUN_STARTED = time.time()  # temporary files of an output older than this run are left by a killed one
FULL_DISK = (errno.ENOSPC, errno.EDQUOT)


# What a file name's suffix says the file is: an output whose content is another format is refused (a
# Markdown table in x.html, CSV in x.json), so that the next tool, or conflictmap itself, reads it back.
SUFFIX_MEANS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".geojson": "geojson",
    ".geojsonl": "geojsonseq",
    ".geojsons": "geojsonseq",
    ".geojsonseq": "geojsonseq",
    ".gpkg": "gpkg",
    ".fgb": "fgb",
    ".shp": "shapefile",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".png": "png",
    ".svg": "svg",
    ".pdf": "pdf",
    ".gif": "gif",
    ".mp4": "mp4",
    ".toml": "toml",
    ".tif": "geotiff",
    ".tiff": "geotiff",
    ".xlsx": "xlsx",
    ".xls": "xls",
    ".mbtiles": "mbtiles",
}


def output_format(path, given: str | None, formats: dict, default: str | None = None, option: str = "-o") -> str:
    """The format an output is written in: `given` (-f), else the one its suffix names in `formats` (this
    command's suffix -> format), else `default` for a name whose suffix says nothing (.txt, none).

    A suffix that says the file is another format than -f, or a format this command does not write
    (x.html for a table), is a usage error naming both; without a default, so is a suffix that says nothing.
    """
    if str(path) == "-":
        return given or default
    suffix = Path(str(path)).suffix.lower()
    named = formats.get(suffix)
    means = named or SUFFIX_MEANS.get(suffix)
    shown = text_of_path(path)
    if given and means and means != given:
        raise UsageError(
            f"{option} {shown}: the suffix {suffix} means {means}, not -f {given}; change the suffix or drop -f"
        )
    if given or named:
        return given or named
    firsts = list({fmt: suffix for suffix, fmt in reversed(formats.items())}.values())[::-1]  # one per format
    wanted = (", ".join(firsts[:-1]) + " or " + firsts[-1] if len(firsts) > 1 else firsts[0]) + (
        f" (or .txt for {default})" if default else ""
    )
    if means:
        raise UsageError(
            f"{option} {shown}: the suffix {suffix} means {means}, which this command does not write; "
            f"name the file {wanted}"
        )
    if default is None:
        raise UsageError(
            f"{option} {shown}: cannot tell the format from {suffix or 'no suffix'!r}; name the file {wanted}, or give -f"
        )
    return default


def check_writable(path, option: str = "-o") -> None:
    """Before any work: the output's folder exists and may be written (an error after hours of work helps nobody)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: folder {folder} does not exist; create it or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"{option} {path}: folder {folder} is not writable; choose another path or fix its permissions"
        )
    if path.exists() and not os.access(path, os.W_OK) and not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path}: the file is not writable; choose another path or fix its permissions")


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; rename it over `path` only on success.

    A killed or failing writer leaves the previous file intact. The replacing file
    keeps the mode (and, where allowed, the group) of the file it replaces, so a
    report kept private (chmod 600) stays private; a new file gets the umask's.
    Temporary files of this output left by a killed run (older than this run)
    are removed after a successful write.
    """
    path = Path(path)
    for candidate in (path, Path(os.path.realpath(path))):  # /dev/stdout is a link too: the path as given first
        if is_stream_output(candidate):
            raise UsageError(
                f"output {text_of_path(path)} is a device or a pipe, not a file; write to stdout with -o - (and redirect it), or give a file path"
            )
    if path.is_symlink():  # a 'latest.csv' link: the file it points to is replaced, the link stays
        path = Path(os.path.realpath(path))
    check_writable(path, "output")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=text_of_path(path.suffix), dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from None
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    try:
        yield Path(tmp)
        _keep_mode(path, Path(tmp))
        os.replace(tmp, path)
    except BaseException as exc:
        for left in (tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(left)
        if isinstance(exc, Exception) and not isinstance(exc, InputError | UsageError) and _disk_full(exc, folder):
            raise _write_error(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) from None
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            raise _write_error(path, exc) from None
        raise
    remove_stale_temporaries(path)


def _temp_prefix(path: Path) -> str:
    # Writers such as GDAL take names as UTF-8: a name that is not gets its bad bytes spelt out (\xfe) in the temporary.
    return f".{text_of_path(path.name)}{TEMP_TAG}"


def _keep_mode(path: Path, tmp: Path) -> None:
    try:
        old = os.stat(path)
    except FileNotFoundError:
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    with contextlib.suppress(OSError):  # only the owner's own groups are allowed
        os.chown(tmp, -1, old.st_gid)


def _disk_full(exc: Exception, folder: Path) -> bool:
    """ENOSPC, or a writer (GDAL's SQLite: 'no such table: gpkg_contents') that failed on a folder with no space left."""
    if isinstance(exc, OSError) and exc.errno in FULL_DISK:
        return True
    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def _stream_error(path: Path, exc: OSError) -> InputError:
    why = (exc.strerror or str(exc)).lower()
    return InputError(f"{text_of_path(path)}: cannot write the output: {why}")


def _write_error(path: Path, exc: OSError) -> InputError:
    why = exc.strerror or str(exc)
    if exc.errno in FULL_DISK:
        return InputError(
            f"{path}: cannot write the output: {why.lower()}; free some space (the previous file, if any, is unchanged)"
        )
    if isinstance(exc, PermissionError):
        return UsageError(
            f"{path}: cannot write the output: permission denied; choose another path or fix its permissions"
        )
    return InputError(f"{path}: cannot write the output: {why}")


def remove_stale_temporaries(path) -> list[str]:
    """Remove the temporary files of this output that a killed run left behind (older than this run); their names."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    for left in folder.glob(glob.escape(_temp_prefix(path)) + "*"):
        try:
            if left.stat().st_mtime < RUN_STARTED and left.is_file():
                left.unlink()
                removed.append(left.name)
        except OSError:
            continue
    return removed


def is_stream_output(path) -> bool:
    """An output that is no file to replace: a device (/dev/null), a named pipe, or a path of /dev or /proc
    (/dev/stdout leads to whatever stdout is, a regular file included). Renaming a temporary over one would
    put a plain file where the device or the link was (as root, for the whole machine)."""
    absolute = os.path.abspath(str(path))
    if absolute.startswith(("/dev/", "/proc/")):
        return True
    try:
        kind = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(kind) and not stat.S_ISDIR(kind)


def write_bytes_atomic(path, data: bytes) -> None:
    """`data` as the file `path`, atomically; to a device or a pipe (/dev/stdout, a FIFO) as a stream."""
    if is_stream_output(path):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _stream_error(Path(path), exc) from None
        return
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

"""Reading and writing files and stdin: format detection, clear errors, atomic writes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from .errors import InputError, UsageError

VECTOR_HINT = "expected GeoJSON, GeoPackage, Shapefile, FlatGeobuf or GeoParquet"
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".json": "json",
                  ".ndjson": "ndjson", ".jsonl": "ndjson", ".geojsonl": "ndjson",
                  ".parquet": "parquet", ".gpkg": "gpkg"}


def label(source) -> str:
    """How a source is named in messages."""
    return "<stdin>" if str(source) == "-" else str(source)


def read_source_bytes(source) -> bytes:
    """All bytes of a file or of stdin ('-')."""
    if str(source) == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    return path.read_bytes()


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
        return (f"{name} line {_line_of(data, exc.start)}: not UTF-8 text; GeoJSON must be UTF-8 "
                "(re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8)")
    except RecursionError:
        return f"{name}: JSON is nested too deeply to be GeoJSON"
    except json.JSONDecodeError as exc:
        return f"{name}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); the file may be truncated"
    if isinstance(doc, dict) and doc.get("type") == "Topology":
        return f"{name}: TopoJSON, not GeoJSON; convert it, e.g. mapshaper {name} -o format=geojson districts.geojson"
    if isinstance(doc, dict) and doc.get("type") not in ("FeatureCollection", "Feature"):
        keys = ", ".join(list(doc)[:5])
        if len(doc) == 1 and isinstance(next(iter(doc.values())), dict):
            inner = next(iter(doc))
            return (f"{name}: a FeatureCollection wrapped in a {{{inner!r}: ...}} object, not GeoJSON; "
                    f"unwrap it, e.g. jq '.{inner}' {name} > fixed.geojson")
        return f"{name}: JSON object without \"type\": \"FeatureCollection\" (keys: {keys}); not GeoJSON"
    return None


def read_vector(source, layer=None):
    """A GeoDataFrame from any file pyogrio reads, or GeoJSON bytes on stdin ('-')."""
    import pyogrio

    name = label(source)
    is_stdin = str(source) == "-"
    if is_stdin or str(source).lower().endswith((".geojson", ".json")):
        data = read_source_bytes(source)
        if not data.strip():
            raise InputError(f"{name}: empty input; {VECTOR_HINT}")
        problem = _json_problem(data, name)
        if problem:
            raise InputError(problem)
        target = io.BytesIO(data)
    else:
        target = Path(source)
        if not target.exists():
            raise InputError(f"{name}: file not found; check the path")
        if target.is_file() and target.stat().st_size == 0:
            raise InputError(f"{name}: empty file; {VECTOR_HINT}")
        if target.suffix.lower() in PARQUET_SUFFIXES:
            return _read_geoparquet(target, name)
    try:
        with _quiet_gdal():
            return pyogrio.read_dataframe(target, layer=layer)
    except Exception as exc:  # pyogrio raises several types for unreadable data
        if isinstance(target, io.BytesIO):
            found = _feature_problem(target.getvalue(), name)
            if found:
                raise InputError(found) from exc
        msg = _VSIMEM.sub(name, " ".join(str(exc).split()))[:200]
        raise InputError(f"{name}: cannot be read as a vector file ({msg}); {VECTOR_HINT}") from exc


PARQUET_SUFFIXES = (".parquet", ".geoparquet")


def require_pyarrow(name: str) -> None:
    """Parquet goes through pyarrow (the GDAL inside pyogrio's wheels has no Parquet driver)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(f"{name}: reading Parquet needs pyarrow; install it with pip install 'conflictmap[parquet]'") from None


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
                return (f"{name} feature {i + 1}: polygon ring is not closed (needs at least 4 points, "
                        "the last equal to the first); close the ring or re-export the file")
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


ENCODING_NAMES = {"cp1251": "Cyrillic", "cp1256": "Arabic", "cp1252": "Western European", "latin_1": "Western European",
                  "iso8859_5": "Cyrillic", "koi8_r": "Cyrillic", "koi8_u": "Cyrillic", "iso8859_6": "Arabic",
                  "cp1253": "Greek", "iso8859_7": "Greek", "cp1255": "Hebrew", "iso8859_8": "Hebrew", "mac_cyrillic": "Cyrillic"}


def check_encoding(name: str, option: str = "--encoding") -> str:
    """An encoding name Python knows, normalised (cp1251, utf-8, latin-1...); a usage error otherwise."""
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"{option} {name!r} is not an encoding Python knows; give one such as cp1251, cp1256, latin-1 or utf-8") from None


def decode_text(data: bytes, name: str, encoding: str | None = None) -> str:
    """Text of a table: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's 'Unicode text'), or `encoding`."""
    if data[:4] == b"PK\x03\x04":
        raise InputError(f"{name}: a zip file (an Excel .xlsx workbook?), not a text table; save the sheet as CSV UTF-8")
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} line {_line_of(data, exc.start)}: not {encoding} (bad byte 0x{data[exc.start]:02x}); "
                             f"{_guess_hint(data, name)}") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: starts like UTF-16 text but is not; re-save the file as UTF-8") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} line {_line_of(data, exc.start)}: not UTF-8 (bad byte 0x{data[exc.start]:02x}); "
                         f"{_guess_hint(data, name)}") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(f"{name} line {line}: NUL byte in a text table (a binary file, or UTF-16 without BOM?); re-save it as UTF-8 CSV")
    return text


# The encodings tables in this field are saved in, most common first (a tie goes to the first).
COMMON_ENCODINGS = ("cp1252", "cp1251", "cp1256", "cp1250", "cp1253", "cp1255", "koi8_r", "koi8_u", "iso8859_1")
_WORDS = re.compile(r"\w+")


def guess_encoding(data: bytes) -> str | None:
    """The most likely legacy encoding of bytes that are not UTF-8, or None.

    charset-normalizer proposes candidates, but on the few short names of a
    control log its own ranking often prefers cp1250 for Cyrillic or Arabic.
    So each candidate (and each common encoding) is judged by the words it
    decodes to: in real text every word with a non-ASCII letter is in one
    script, has a natural case shape (київ, Київ, КИЇВ) and, if Latin, mixes
    in plain ASCII letters (unifiées, Łódź); a wrong decoding breaks that
    (Őŕđęłâ, unifiйes, ΚθΏβ). Ties go to charset-normalizer's coherence, then
    to the more common encoding.
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

    words = [w for w in _WORDS.findall(text) if not w.isascii()]
    if not words:
        return 0.0
    good = 0
    for word in words:
        letters = [c for c in word if c.isalpha()]
        scripts = {unicodedata.name(c, "?").split(" ")[0] for c in letters if not c.isascii()}
        shape = word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower()) or not any(c.isupper() for c in word)
        latin_ok = scripts != {"LATIN"} or any(c.isascii() for c in letters)
        pure = not (scripts - {"LATIN"}) or not any(c.isascii() for c in letters)
        good += len(scripts) == 1 and shape and latin_ok and pure
    return good / len(words)


def _guess_hint(data: bytes, name: str) -> str:
    guess = guess_encoding(data)
    if guess is None or guess.startswith("utf"):
        return "re-save the file as UTF-8, or name its encoding with --encoding"
    script = ENCODING_NAMES.get(guess)
    kind = f" ({script})" if script else ""
    shown = guess.replace("_", "-")
    return (f"it looks like {shown}{kind}: read it with --encoding {shown}, "
            f"or re-save it as UTF-8 (e.g. iconv -f {shown} -t utf-8 {name})")


def _table_kind(source, text: str) -> str:
    suffix = Path(str(source)).suffix.lower()
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


def _sniff_delimiter(text: str, default: str) -> str:
    """The delimiter of the header line: a semicolon-separated export reads as well as a comma one."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else default


def read_records(source, encoding: str | None = None) -> list[dict]:
    """Rows of a CSV/TSV/JSON/NDJSON table as dicts of strings, each with its '_where' location.

    Text is UTF-8 (or UTF-16 with a BOM) unless `encoding` names another.
    """
    name = label(source)
    suffix = Path(str(source)).suffix.lower()
    if suffix in (".parquet", ".gpkg"):
        return _read_frame_records(source, name)
    text = decode_text(read_source_bytes(source), name, encoding)
    if not text.strip():
        raise InputError(f"{name}: empty file; expected a header line 'date,district,controller'")
    kind = _table_kind(source, text)
    if kind == "json":
        return _json_records(text, name)
    if kind == "ndjson":
        return _ndjson_records(text, name)
    return _csv_records(text, name, _sniff_delimiter(text, "\t" if kind == "tsv" else ","))


def read_columns(source, encoding: str | None = None):
    """A plain CSV/TSV table read column-wise by pandas' C reader: (frame of stripped strings, line numbers).

    None whenever the fast reader could differ from `read_records` in any way
    (not a CSV, a parse error, a quoted line break, a repeated column name...):
    the caller then reads row by row, which gives the exact error or warning.
    """
    import pandas as pd

    if str(source) == "-" or Path(str(source)).suffix.lower() in (".parquet", ".gpkg"):
        return None
    name = label(source)
    try:
        text = decode_text(read_source_bytes(source), name, encoding)
    except InputError:
        return None
    if not text.strip() or _table_kind(source, text) not in ("csv", "tsv") or "\r" in text:
        return None
    delimiter = _sniff_delimiter(text, "\t" if _table_kind(source, text) == "tsv" else ",")
    filled = _filled_lines(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=object, keep_default_na=False, na_filter=False,
                            skip_blank_lines=True, engine="c", quoting=csv.QUOTE_MINIMAL, doublequote=True)
    except Exception:  # any parse problem: the row reader names it
        return None
    header = [str(c).strip().lower() for c in frame.columns]
    if len(filled) - 1 != len(frame) or len(set(header)) != len(header) or any(h.startswith("unnamed:") for h in header):
        return None  # a quoted line break, a repeated or empty column name: line numbers or columns would differ
    frame.columns = header
    frame = frame.apply(_stripped)
    numbers = filled[1:]
    if all((frame[c] == "").any() for c in frame.columns):  # a row of empty values is no row (as for the row reader)
        keep = (frame != "").any(axis=1).to_numpy()
        frame, numbers = frame[keep].reset_index(drop=True), numbers[keep]
    return frame, numbers


def _stripped(column):
    """A text column with its values stripped, each distinct value once (pandas.factorize)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(column.to_numpy(dtype=object), sort=False)
    return pd.Series(np.asarray([u.strip() for u in uniques], dtype=object)[codes], index=column.index, dtype=object)


def _filled_lines(text: str):
    """Line numbers (from 1) of the lines that hold something: all of them, as a range, when none is blank."""
    import numpy as np

    count = text.count("\n") + (not text.endswith("\n"))
    body = text.removesuffix("\n")
    if not (body.startswith(("\n", " ", "\t")) or "\n\n" in body or "\n " in body or "\n\t" in body):
        return np.arange(1, count + 1, dtype=np.int64)  # no line is blank (the common case, found with C string search)
    return np.asarray([i + 1 for i, line in enumerate(text.split("\n")) if line.strip()], dtype=np.int64)


def _csv_records(text: str, name: str, delimiter: str) -> list[dict]:
    # strict: a quote left open must be an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    header = [h.strip().lower() for h in header]
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise InputError(f"{name} line {line}: {len(values)} fields for {len(header)} columns; quote values that contain '{delimiter}'")
            record = dict(zip(header, (v.strip() for v in values)))
            record["_where"] = f"{name} line {line}"
            rows.append(record)
    except csv.Error as exc:
        start = rows[-1]["_where"].rsplit(" ", 1)[-1] if rows else "1"
        if "unexpected end of data" in str(exc):
            raise InputError(f"{name} line {int(start) + 1}: a quote opened on this line or below is never closed; "
                             "close the quote (values with commas or line breaks must be quoted on both sides)") from None
        raise InputError(f"{name} line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


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
            raise InputError(f"{name}: expected a JSON list of row objects")
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


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in the target's folder; rename it over `path` only on success.

    A killed or failing writer leaves the previous file intact and no partial file behind.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=folder)
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

"""conflictmap.io.read_vector on GeoJSON: parsed once by GDAL, the Python diagnostics only when needed,
compared with the reader it replaces (json.loads of the whole file, then GDAL on a copy in memory):
the same frame or the same error line, on the bad-input corpus, the sample, the real data and variants.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyogrio
import pytest
import shapely
from pandas.testing import assert_frame_equal

from conflictmap import io as cio
from conflictmap.errors import InputError
from tests.helpers import ROOT

BAD = Path(__file__).resolve().parent / "bad_inputs"


def old_read_vector(path: Path):
    """The reader before issue 13, kept here as the reference: diagnostics first, then GDAL on the bytes."""
    name = cio.label(path)
    data = cio.read_source_bytes(path)
    if not data.strip():
        raise InputError(f"{name}: empty input; {cio.VECTOR_HINT}")
    problem = cio._json_problem(data, name)
    if problem:
        raise InputError(problem)
    try:
        with cio._quiet_gdal():
            return pyogrio.read_dataframe(io.BytesIO(data))
    except Exception as exc:
        found = cio._feature_problem(data, name)
        if found:
            raise InputError(found) from exc
        msg = cio._VSIMEM.sub(name, " ".join(str(exc).split()))[:200]
        raise InputError(f"{name}: cannot be read as a vector file ({msg}); {cio.VECTOR_HINT}") from exc


def outcome(reader, path):
    try:
        return reader(path), None
    except InputError as exc:
        return None, str(exc)


def assert_same(path: Path) -> str | None:
    (new, new_error), (old, old_error) = outcome(cio.read_vector, path), outcome(old_read_vector, path)
    assert new_error == old_error, path.name
    if old is not None:  # geometries as WKB: NaN coordinates compare equal that way
        assert list(new.columns) == list(old.columns) and new.crs == old.crs
        assert_frame_equal(new.drop(columns=new.geometry.name), old.drop(columns=old.geometry.name))
        assert list(shapely.to_wkb(new.geometry.values)) == list(shapely.to_wkb(old.geometry.values))
    return old_error


CORPUS = sorted(p for p in BAD.iterdir() if p.suffix in (".geojson", ".json"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_bad_input_corpus_reads_as_before(path):
    assert_same(path)


def test_sample_and_real_data_read_as_before_on_the_fast_path(shared_data):
    files = [
        ROOT / "data" / "aleppo-2016" / "districts.geojson",
        shared_data / "aleppo" / "neighbourhoods-csr.geojson",
        *sorted((shared_data / "ukraine").glob("*.geojson")),
        *sorted((shared_data / "ukraine" / "zones-deepstate").glob("*.geojson"))[::6],
    ]
    for path in files:
        assert cio._needs_diagnostics([path.read_bytes()]) == ""  # GDAL alone reads them: the case being sped up
        assert assert_same(path) is None


SQUARE = {
    "type": "Feature",
    "properties": {"id": "A", "name": "Alpha"},
    "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01], [0, 0]]]},
}


def collection(**members):
    return {"type": "FeatureCollection", **members, "features": [SQUARE]}


VARIANTS = {
    "crs84 member as GDAL writes it": json.dumps(
        collection(crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    ),
    "crs member PROJ does not know": json.dumps(
        collection(crs={"type": "name", "properties": {"name": "EPSG:999999"}})
    ),
    "crs member without a name": json.dumps(collection(crs={"type": "link"})),
    "two crs members": json.dumps(collection(crs={"type": "name", "properties": {"name": "EPSG:4326"}}))[:-1]
    + ', "crs": 5}',
    "type after features": json.dumps({"features": [SQUARE], "type": "FeatureCollection"}),
    "no type": json.dumps({"features": [SQUARE]}),
    "a list of features": json.dumps([SQUARE]),
    "escaped NUL in a name": json.dumps(collection()).replace("Alpha", "Al\\u0000pha"),
    "Topology under a FeatureCollection type": json.dumps(collection(note="Topology")).replace(
        '"Topology"', '"x", "type": "Topology"'
    ),
    "BOM": "\ufeff" + json.dumps(collection()),
    "one Feature": json.dumps(SQUARE),
    "whitespace only": "  \n ",
    "latin-1 name": json.dumps(collection()).replace("Alpha", "Caf\u00e9"),
    "truncated": json.dumps(collection())[:-30],
}


@pytest.mark.parametrize("key", list(VARIANTS))
def test_variants_read_as_before(tmp_path, key):
    path = tmp_path / "districts.geojson"
    text = VARIANTS[key]
    path.write_bytes(text.encode("latin-1" if key == "latin-1 name" else "utf-8"))
    assert_same(path)


def test_a_large_file_is_scanned_in_chunks(tmp_path, monkeypatch):
    # Patterns across a chunk boundary are still found: a NUL escape, a "crs" member counted once.
    monkeypatch.setattr(cio, "SCAN_CHUNK", 7)
    path = tmp_path / "districts.geojson"
    path.write_text(VARIANTS["escaped NUL in a name"])
    assert_same(path)
    assert "NUL" in outcome(cio.read_vector, path)[1]
    path.write_text(VARIANTS["crs84 member as GDAL writes it"])
    with open(path, "rb") as stream:
        assert cio._needs_diagnostics(iter(lambda: stream.read(7), b"")) == "root"  # the head is one chunk: too short
    monkeypatch.setattr(cio, "SCAN_CHUNK", 200)
    with open(path, "rb") as stream:
        assert cio._needs_diagnostics(iter(lambda: stream.read(11), b"")) in ("root", "crs")
    assert_same(path)

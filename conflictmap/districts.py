"""District polygons: read, detect fields, check and repair geometry, measure areas once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import geodesy
from .errors import Checks, FieldError, InputError
from .geometry import by_chunks, crosses_antimeridian, lonlat_problem, polygonal
from .io import garbled_words, geometry_text_problem, label, printable, read_vector
from .matching import as_list
from .model import closest, id_text, id_texts

ID_FIELDS = ("id", "Id", "ID", "shapeID", "district_id", "districtid", "code", "pcode", "fid")
NAME_FIELDS = (
    "name",
    "NAME",
    "Name",
    "shapeName",
    "district",
    "name_en",
    "NAME_EN",
    "ADM2_EN",
    "ADM1_EN",
    "neighbourhood",
)
# Names in another script or language that a log may use instead (CSR's NAME_A is Arabic).
ALT_NAME_FIELDS = (
    "name_ar",
    "NAME_A",
    "NAME_AR",
    "name_arabic",
    "name_uk",
    "name_ua",
    "name_ru",
    "name_local",
    "NAME_LOCAL",
    "alt_name",
    "ADM2_UA",
    "ADM2_RU",
    "ADM1_UA",
    "ADM1_RU",
    "shapeName_local",
)
OTHER_NAME = "other name:"  # the districts frame's column of each other name field: 'other name:name_ar'
POP_FIELDS = ("population", "pop", "Population", "POPULATION", "POP", "pop_total", "total_pop", "inhabitants")


@dataclass
class Fields:
    """The attribute fields used for id, name and population (None when absent)."""

    id: str | None = None
    name: str | None = None
    population: str | None = None
    alt_names: tuple = ()
    duplicates: dict = field(default_factory=dict)  # id -> names of the features sharing it (kept by describe=True)
    unique_hint: str = ""
    empty_id: bool = False  # the detected id field holds no value: the names are the ids
    written: dict = field(default_factory=dict)  # feature number -> id as the file writes it, where that differs
    apart: dict = field(default_factory=dict)  # id -> (feature, feature, km): features sharing it that lie apart
    dissolved: int = 0
    problems: list = field(default_factory=list)


def detect_field(columns, wanted: str | None, candidates, role: str, option: str, source: str) -> str | None:
    """The column for a role: the one named by the user, else the first common name present."""
    if wanted:
        if wanted in columns:
            return wanted
        near = closest(wanted, columns)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise FieldError(source, wanted, option.removeprefix("--").replace("-", "_"), hint, columns)
    for cand in candidates:
        if cand in columns:
            return cand
    lowered = {c.lower(): c for c in columns}
    for cand in candidates:
        if cand.lower() in lowered:
            return lowered[cand.lower()]
    return None


def _as_text(values) -> list[str]:
    """Ids as plain strings: 16, 16.0 and '16' are the same id."""
    return id_texts(as_list(values))


def _feature(source: str, i: int, ids) -> str:
    return f"{source} feature {i + 1} (id {ids[i]!r})"


def _blank_ids(ids, source: str, field_name: str, checks: Checks, name_field: str | None = None) -> np.ndarray:
    """Mask of features without an id (each one an error)."""
    blank = np.array([not v for v in ids], dtype=bool)
    other = f", or use the names as ids (--id-field {name_field})" if name_field and blank.all() else ""
    for i in np.flatnonzero(blank):
        checks.add(
            "error", f"{source} feature {i + 1}", f"empty id in field {field_name!r}; give every district an id{other}"
        )
    return blank


def _structured(value) -> str | None:
    """What a JSON list, object or boolean value is ('a list'), or None for text and numbers.

    GDAL types a whole field as a StringList when one feature's value is a JSON list (every name then reads
    as "['Alpha']"), and writes an object as its JSON text ('{ "x": 1 }'): neither is a district's id or name.
    """
    if isinstance(value, (bool, np.bool_)):
        return "a boolean"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value in ("true", "false"):  # a JSON boolean in a field of text: GDAL writes it so, lowercase
        return "a boolean"
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return "an object" if isinstance(parsed, dict) else "a list" if isinstance(parsed, list) else None
    return None


def _all_text(column) -> bool:
    """A column of text and missing values only (a string dtype, or objects pandas infers as strings)."""
    import pandas as pd

    if str(column.dtype).startswith(("string", "str")):
        return True
    return column.dtype.kind == "O" and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")


def _check_structured(raw, field_name: str, role: str, where: str, checks: Checks) -> None:
    """An error for each feature whose id or name is a JSON list, object or boolean."""
    column = raw[field_name]
    if column.dtype.kind == "b":  # a field of booleans only (GDAL's Integer(Boolean))
        kinds = ["a boolean"] * len(column)
    elif _all_text(column):  # the usual field: only its values that look like JSON are read one by one
        suspect = column.isin(["true", "false"]).to_numpy(bool) | column.str.lstrip().str[:1].isin(["{", "["]).to_numpy(
            bool
        )
        kinds = [None] * len(column)
        for i in np.flatnonzero(suspect):
            kinds[i] = _structured(column.iloc[i])
    elif column.dtype.kind == "O":
        kinds = [_structured(v) for v in as_list(column)]
    else:
        return
    bad = [i for i, kind in enumerate(kinds) if kind]
    if len(bad) == len(column) and kinds[0] == "a list":  # a StringList field: the lists of several values
        bad = [i for i in bad if len(column.iloc[i]) != 1] or bad[:1]
    for i in bad:
        shown = printable(str(_listed(column.iloc[i])))
        checks.add(
            "error",
            f"{where} feature {i + 1}",
            f"{role} {shown} in field {field_name!r} is {kinds[i]}, not text"
            + (f" ({len(bad)} such features)" if len(bad) > 1 else "")
            + f"; give every district one {role} as text",
        )


def _listed(value):
    """A list value as JSON shows it (['Be', 'ta'], not numpy's ['Be' 'ta'])."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return json.dumps(list(value), ensure_ascii=False, default=str)
    return str(value)


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc, exactly


def _control_ids(ids, source: str, field_name: str, checks: Checks) -> np.ndarray:
    """Mask of ids holding control characters (a line break, a tab): no output format could carry them safely."""
    bad = np.array([_CONTROL_CHARACTER.search(v) is not None for v in ids], dtype=bool)
    for i in np.flatnonzero(bad):
        checks.add(
            "error",
            f"{source} feature {i + 1}",
            f"id '{printable(ids[i])}' in field {field_name!r} holds a control character "
            "(line break, tab, ...); remove it from the id",
        )
    return bad


def _garbled_names(gdf, where: str, checks: Checks) -> None:
    """One warning for names or other names that look wrongly decoded (io.garbled_word, as for a log's labels):
    'Ø¶Ù\x87Ø±Ø©' (UTF-8 read as Latin-1 and saved again), 'Укра╖на', 'Kharkіv' with a Cyrillic і."""
    names = as_list(gdf["name"])
    others = as_list(gdf["aliases"]) if "aliases" in gdf else None
    if others is None and "".join(names).isascii():
        return  # most files: ASCII names, which no wrong decoding gives
    others = others or [()] * len(names)
    labels = [(i, text) for i, (name, more) in enumerate(zip(names, others)) for text in (name, *more)]
    found = [(labels[k][0], text, bad) for k, text, bad in garbled_words([text for _, text in labels])]
    if not found:
        return
    i, text, (word, why) = found[0]
    more = f" (and {len(found) - 1} more name{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
    checks.add(
        "warning",
        f"{where} feature {i + 1}",
        f"name '{printable(text)}' has {why}{'' if word == text else f' ({printable(word)!r})'}{more}: "
        + (
            "look-alike letters of two scripts (a Cyrillic і for a Latin i) make it another name than it looks; "
            "fix the spelling"
            if why.endswith("letters in one word")
            else "the file may have been saved in a wrong encoding; re-export it as UTF-8 (a Shapefile with a "
            ".cpg naming its encoding), or fix the spelling"
        ),
    )


# The district layer of conflictmap's own export (export.district_layer): its schema tells it from a user's file.
EXPORT_FIELDS = ("controller", "controller_share", "controllers", "date_in_force", "area_km2", "fill")


def _no_land_exported(raw, gdf, where: str, checks: Checks) -> np.ndarray:
    """Our own export's districts with no land (wholly outside its --land mask) read back with 0 km², as they were
    counted: export writes them with a NULL geometry and area_km2 0. A NULL geometry elsewhere stays an error."""
    geoms = np.asarray(gdf.geometry.values)
    if not all(f in raw.columns for f in EXPORT_FIELDS):
        return np.zeros(len(geoms), dtype=bool)
    area = _numeric(raw["area_km2"])
    no_land = (shapely.is_missing(geoms) | shapely.is_empty(geoms)) & (area == 0)
    if not no_land.any():
        return no_land
    gdf.geometry = np.where(no_land, shapely.Polygon(), geoms)  # empty: the land mask's own form of "no land"
    names = gdf["name"].to_numpy()[no_land]
    checks.add(
        "note",
        where,
        f"{int(no_land.sum())} district(s) with no geometry and area_km2 0 in this export ({names[0]!r}"
        f"{' ...' if len(names) > 1 else ''}): no land inside the mask it was exported with; counted with 0 km²",
    )
    return no_land


def _numeric(column) -> np.ndarray:
    """A column as floats, NaN where a value is not a number."""
    import pandas as pd

    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _check_geometry(gdf, source: str, ids, checks: Checks, valid: np.ndarray, no_land=None) -> np.ndarray:
    """Mask of features whose geometry is unusable: missing or empty, not polygonal, NaN/infinite coordinates.

    `valid`: shapely.is_valid of each geometry. GEOS finds a NaN or infinite coordinate invalid, so only
    the invalid ones are looked at for them (tests/test_districts.py checks GEOS does).
    """
    geoms = np.asarray(gdf.geometry.values)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if no_land is not None:  # our export's districts with no land: no geometry, as intended
        missing &= ~no_land
    for i in np.flatnonzero(missing):
        checks.add(
            "error",
            _feature(source, i, ids),
            geometry_text_problem(gdf.attrs.get("path"), i + 1)
            or "empty or missing geometry; give every district a polygon or remove the feature",
        )
    wrong = ~missing & ~np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    wrong &= ~(no_land if no_land is not None else False)
    for i in np.flatnonzero(wrong):
        checks.add(
            "error",
            _feature(source, i, ids),
            f"geometry is a {geoms[i].geom_type}; districts must be Polygons or MultiPolygons ({int(wrong.sum())} such features)",
        )
    suspect = np.flatnonzero(~missing & ~wrong & ~valid)
    infinite = np.zeros(len(geoms), dtype=bool)
    infinite[suspect] = ~_finite(geoms[suspect])
    for i in np.flatnonzero(infinite):
        checks.add("error", _feature(source, i, ids), "NaN or infinite coordinates; fix or remove that feature")
    return missing | wrong | infinite


def _finite(geoms) -> np.ndarray:
    """Per geometry: are all its coordinates finite (vectorised over every vertex, in chunks)."""
    return by_chunks(geoms, _all_finite)


def _all_finite(geoms) -> np.ndarray:
    coords = shapely.get_coordinates(geoms)
    owner = np.repeat(np.arange(len(geoms)), shapely.get_num_coordinates(geoms))
    bad = np.bincount(owner, weights=~np.isfinite(coords).all(axis=1), minlength=len(geoms))
    return bad == 0


def _set_crs(gdf, source: str, checks: Checks):
    """The frame with a CRS; lon/lat is assumed only when the coordinates fit the lon/lat range (geometry.lonlat_problem)."""
    problem = lonlat_problem(gdf.crs, gdf.total_bounds)  # all geometries empty: NaN bounds, no problem
    if problem is None:
        return gdf if gdf.crs is not None else gdf.set_crs(4326)
    checks.add("error", source, problem)
    # Collecting: no geometry can be measured, but the ids still serve to check the log.
    gdf = gdf.set_geometry(np.array([shapely.Polygon()] * len(gdf), dtype=object), crs=None)
    return gdf.set_crs(4326, allow_override=True)


def _check_antimeridian(gdf, source: str, checks: Checks) -> None:
    """A polygon drawn across 180° as one ring is a small box to geodesy and a band round the globe to every planar step.

    Only a geometry more than 180° of longitude wide can hold such a jump: the others are not looked at.
    """
    geoms = np.asarray(gdf.geometry.values)
    minx, _, maxx, _ = shapely.bounds(geoms).T
    wide = np.flatnonzero(maxx - minx > 180.0)  # NaN bounds (empty): not wide, and no jump either
    crossing = wide[crosses_antimeridian(geoms[wide])] if len(wide) else wide
    for i in crossing:
        checks.add(
            "error",
            _district(source, gdf, i),
            "polygon crosses the antimeridian (180°) as one ring; "
            "split it there, e.g. ogr2ogr -wrapdateline out.geojson in.geojson",
        )
    if len(crossing):
        gdf.geometry = np.where(
            np.isin(np.arange(len(gdf)), crossing), shapely.Polygon(), np.asarray(gdf.geometry.values)
        )


def _check_areas(gdf, source: str, crs: str, checks: Checks) -> None:
    """A non-empty district whose geodesic area is NaN, infinite or 0 would skew every share."""
    area = gdf["area_km2"].to_numpy()
    present = ~shapely.is_empty(np.asarray(gdf.geometry.values))
    for i in np.flatnonzero(present & ~(np.isfinite(area) & (area > 0))):
        checks.add(
            "error",
            _district(source, gdf, i),
            f"area is {area[i]!r} km² after reading it in CRS {crs}; "
            "the coordinates do not fit that CRS: give the file its real CRS (ogr2ogr -a_srs EPSG:XXXX)",
        )


def _district(source: str, gdf, i: int) -> str:
    """'file feature N (id 'X')': the frame's index is still the feature's position, unless a dissolve merged features."""
    number = (
        int(gdf["feature"].iloc[i])
        if "feature" in gdf
        else (None if gdf.attrs.get("dissolved") else int(gdf.index[i]) + 1)
    )
    where = f"{source} feature {number}" if number else source
    return f"{where} (id {gdf['id'].iloc[i]!r})"


def _repair(gdf, source: str, ids, checks: Checks, valid: np.ndarray) -> None:
    """make_valid of the invalid polygons, with a warning (validate: one per feature, with GEOS's reason).

    `valid`: shapely.is_valid of each geometry as read. Since then a geometry may only have been
    replaced by an empty polygon (an unusable one, or all when the CRS does not fit), which is valid:
    only those found invalid then are checked again.
    """
    geoms = np.asarray(gdf.geometry.values)
    again = np.flatnonzero(~valid)
    invalid = again[~shapely.is_valid(geoms[again])]
    if not len(invalid):
        return
    fixed = shapely.make_valid(geoms[invalid])
    # make_valid may return collections with stray lines; keep the polygonal part.
    fixed = np.array([polygonal(g) for g in fixed], dtype=object)
    changed = _area_changes(geoms[invalid], fixed, gdf.crs)
    if checks.collect:  # validate: each feature, with GEOS's reason
        for n, (i, why) in enumerate(zip(invalid, shapely.is_valid_reason(geoms[invalid]))):
            checks.add(
                "warning",
                _feature(source, i, ids),
                f"invalid polygon ({why}) repaired with make_valid" + (f"; {changed[n]}" if n in changed else ""),
            )
    else:
        shown = ", ".join(repr(ids[i]) for i in invalid[:5]) + (" ..." if len(invalid) > 5 else "")
        areas = "; ".join(f"{ids[invalid[n]]!r}: {text}" for n, text in list(changed.items())[:3])
        areas += " ..." if len(changed) > 3 else ""
        checks.add(
            "warning",
            source,
            f"{len(invalid)} invalid polygon(s) repaired with make_valid (ids {shown})"
            + (f"; the repair changed an area: {areas}" if changed else ""),
        )
    geoms = geoms.copy()
    geoms[invalid] = fixed
    # A ring whose points lie on one line repairs to a line: a district of 0 km² would skew every share.
    flat = invalid[~np.isin(shapely.get_type_id(fixed), (3, 6)) | shapely.is_empty(fixed)]
    for i in flat:
        checks.add(
            "error",
            _feature(source, i, ids),
            "polygon has no area (its points lie on a line); fix or remove that feature",
        )
    geoms[flat] = shapely.Polygon()
    gdf.geometry = geoms


REPAIR_CHANGE = 0.01  # a repair that changes a district's area by more than 1% is said, with the areas


def _area_changes(before, after, crs) -> dict:
    """{position: 'area 0.87 → 1.12 km² (+29%)'} of repairs that changed a geodesic area notably.

    A hole drawn outside its shell counts against the area as drawn; make_valid makes it land (review: 0.873 to
    1.123 km²). The areas are geodesic, as every other, of the geometries in lon/lat.
    """
    import geopandas as gpd

    from .text import km2

    pair = gpd.GeoSeries(np.concatenate([before, after]), crs=crs)
    areas = geodesy.area_km2((pair if pair.crs.equals("EPSG:4326") else pair.to_crs(4326)).values)
    old, new = np.abs(areas[: len(before)]), areas[len(before) :]
    out = {}
    for n in np.flatnonzero(np.abs(new - old) > REPAIR_CHANGE * np.maximum(old, 1e-12)):
        change = f" ({(new[n] - old[n]) / old[n]:+.0%})" if old[n] > 0 else ""
        out[int(n)] = f"area {km2(old[n])} → {km2(new[n])} km²{change}"
    return out


def _dissolve(gdf, source: str, fields: Fields, checks: Checks):
    """Merge features sharing an id, the same way whatever their order in the file.

    Features are sorted by id, name and geometry first, so unions, sums and alias
    lists do not depend on the file's order; a merged district whose features
    have different names is named by all of them in sorted order ('Ashrafieh / Bani Zaid').
    """
    order = np.lexsort(
        (
            shapely.to_wkb(np.asarray(gdf.geometry.values), hex=True).astype(str),
            gdf["name"].to_numpy(dtype=str),
            gdf["id"].to_numpy(dtype=str),
        )
    )
    gdf = gdf.iloc[order]
    groups = gdf.groupby("id", sort=True)
    joined = {"name": lambda s: " / ".join(sorted(set(s)))}
    merged = groups.agg({**joined, "population": "sum"} if "population" in gdf else joined)
    names = groups["name"].nunique()
    for did in names[names > 1].index:
        checks.add(
            "warning",
            source,
            f"--dissolve merged features with id {did!r} but different names: {', '.join(sorted(set(gdf.loc[gdf.id == did, 'name'])))} "
            f"(named {merged.loc[did, 'name']!r}, the names in sorted order)",
        )
    # Every merged feature's name still finds the district in the log ("as-Sakhour" and "as-Sakhour I").
    merged["aliases"] = groups["name"].agg(lambda s: tuple(dict.fromkeys(s)))
    if "aliases" in gdf:
        others = groups["aliases"].agg(lambda s: tuple(dict.fromkeys(n for names in s for n in names)))
        merged["aliases"] = [a + tuple(n for n in o if n not in a) for a, o in zip(merged["aliases"], others)]
    for column in [c for c in gdf.columns if c.startswith(OTHER_NAME)]:  # each other name field, as `name` is joined
        merged[column] = groups[column].agg(lambda s: " / ".join(sorted({n for n in s if n})))
    merged["geometry"] = groups.geometry.agg(lambda s: shapely.union_all(np.asarray(s.values)))
    fields.dissolved = len(gdf) - len(merged)
    import geopandas as gpd

    out = gpd.GeoDataFrame(merged.reset_index(), geometry="geometry", crs=gdf.crs)
    out.attrs["dissolved"] = True
    return out


def other_name_columns(districts, fields: Fields, taken) -> dict:
    """{output column: values} of the districts' other name fields (name_ar, NAME_A, --alt-name-field), in
    district order, each named as in the districts file; a name the output already uses (`taken`) gets
    'other_' before it, whatever its case: GeoPackage (SQLite) column names are case-insensitive, so NAME
    and name cannot both be columns. A district without that name has None."""
    out: dict = {}
    used = {t.casefold() for t in taken}
    for field_name in fields.alt_names:
        column = field_name
        while column.casefold() in used:
            column = "other_" + column
        used.add(column.casefold())
        values = districts[OTHER_NAME + field_name] if OTHER_NAME + field_name in districts else [""] * len(districts)
        out[column] = [v or None for v in values]
    return out


def alt_name_fields(columns, wanted: str | None, taken, source: str) -> tuple:
    """Other name fields: those named (comma-separated) by the user, else the common ones present."""
    if wanted:
        return tuple(
            detect_field(columns, w.strip(), (), "other name", "--alt-name-field", source)
            for w in wanted.split(",")
            if w.strip()
        )
    return tuple(c for c in ALT_NAME_FIELDS if c in columns and c not in taken)


def districts_of(inputs, checks=None, describe: bool = False, population: bool = True):
    """load_districts of what an Inputs names (its file, fields, --dissolve and layer); `population` False
    skips the population field (overlay measures areas only)."""
    return load_districts(
        inputs.districts,
        inputs.id_field,
        inputs.name_field,
        inputs.population_field if population else None,
        inputs.dissolve,
        checks=checks,
        alt_name_field=inputs.alt_name_field,
        describe=describe,
        layer=inputs.districts_layer,
        encoding=inputs.districts_encoding,
    )


def load_districts(
    source,
    id_field=None,
    name_field=None,
    population_field=None,
    dissolve=False,
    checks=None,
    alt_name_field=None,
    describe=False,
    layer=None,
    encoding=None,
):
    """Districts as a GeoDataFrame in EPSG:4326 with id, name, population, area_km2 (geodesic), sorted by id.

    The first error is raised; with `checks` collecting (validate) every problem
    is recorded instead and loading carries on: a feature with an unusable
    geometry keeps its id with an empty geometry, a `feature` column keeps each
    one's position in the file, and only the first of features sharing an id is kept.
    With `describe` (info) features sharing an id are kept as they are and listed
    in `fields.duplicates`, with the advice in `fields.unique_hint`.
    Returns (districts, fields, source_crs_label).
    """
    import geopandas as gpd

    where = label(source)
    raw = read_vector(source, layer, encoding)
    if len(raw) == 0:
        raise InputError(f"{where}: no features; expected district polygons")
    columns = [c for c in raw.columns if c != raw.geometry.name]
    fields = Fields()
    checks = checks or Checks(fields.problems)
    for note in raw.attrs.get("read_notes", ()):  # how the file's text was decoded (io._dbf_text)
        checks.add("warning", where, note)
    fields.id = detect_field(columns, id_field, ID_FIELDS, "id", "--id-field", where)
    fields.name = detect_field(columns, name_field, NAME_FIELDS, "name", "--name-field", where)
    fields.population = detect_field(columns, population_field, POP_FIELDS, "population", "--population-field", where)
    if fields.population and not population_field and raw[fields.population].isna().all():
        fields.population = None  # an empty column (e.g. our own export without population) is no population field
    fields.alt_names = alt_name_fields(columns, alt_name_field, (fields.id, fields.name), where)
    if (
        fields.id
        and not id_field
        and fields.name
        and fields.name != fields.id
        and not any(map(id_text, as_list(raw[fields.id])))  # stops at the first id: one call in most files
    ):
        # Every id blank (KML's empty 'id' beside its 'Name'): the field is there but holds none.
        checks.add("warning", where, f"field {fields.id!r} holds no id; using {fields.name!r} as the id")
        fields.id = None
        fields.empty_id = True
    if fields.id is None and fields.name is None:
        raise InputError(
            f"{where}: no id field found (fields: {', '.join(columns) or 'none'}); name one with --id-field"
        )
    if fields.id is None and not fields.empty_id:
        checks.add("warning", where, f"no id field; using {fields.name!r} as the id")
    for field_name, role in ((fields.id, "id"), (fields.name, "name")):
        if field_name and field_name != (fields.id if role == "name" else None):
            _check_structured(raw, field_name, role, where, checks)
    ids = _as_text(raw[fields.id or fields.name])
    names = _as_text(raw[fields.name]) if fields.name else list(ids)
    # Only ids read as one are shown as written ('2', '2.0'): a file of distinct ids needs no table of them.
    fields.written = _written_ids(raw[fields.id or fields.name], ids) if len(set(ids)) < len(ids) else {}
    blank = _blank_ids(ids, where, fields.id or fields.name, checks, fields.name) | _control_ids(
        ids, where, fields.id or fields.name, checks
    )
    gdf = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=raw.geometry.values, crs=raw.crs)
    gdf.attrs["path"] = source  # for the reason of a missing geometry (io.geometry_text_problem)
    if fields.alt_names:  # kept per feature as a tuple of other names (a dissolve joins them), and per field
        others = [raw[f].map(lambda v: "" if v is None or v != v else str(v).strip()) for f in fields.alt_names]
        gdf["aliases"] = [tuple(dict.fromkeys(n for n in names_ if n)) for names_ in zip(*others)]
        for f, values in zip(fields.alt_names, others):  # for the outputs (status, export): as the file has them
            gdf[OTHER_NAME + f] = values.to_numpy(dtype=object)
    if not raw.attrs.get("read_notes"):
        _garbled_names(gdf, where, checks)
    if fields.population:
        gdf["population"] = _population(raw[fields.population], where, fields.population, checks)
    no_land = _no_land_exported(raw, gdf, where, checks)
    valid = shapely.is_valid(np.asarray(gdf.geometry.values))  # GEOS's check, once: the costliest step here
    unusable = _check_geometry(gdf, where, ids, checks, valid, no_land)
    if checks.collect:  # carry on: keep the id (the log may name it) without the bad geometry
        gdf["feature"] = np.arange(1, len(gdf) + 1)
        gdf.geometry = np.where(unusable, shapely.Polygon(), np.asarray(gdf.geometry.values))
    gdf = _set_crs(gdf, where, checks)
    source_crs = gdf.crs.to_string()
    _repair(gdf, where, ids, checks, valid)
    gdf = gdf[~blank]
    fields.apart = {} if dissolve else apart_ids(gdf)  # advice for a file that --dissolve does not merge
    fields.unique_hint = unique_hint(raw, fields, ids, fields.apart)
    if describe and not dissolve:
        fields.duplicates = duplicate_ids(gdf)
    else:
        gdf = _check_duplicates(gdf, where, dissolve, fields, checks, fields.unique_hint)
    gdf = gdf.to_crs(4326) if not gdf.crs.equals("EPSG:4326") else gdf
    _check_antimeridian(gdf, where, checks)
    gdf["area_km2"] = geodesy.area_km2(gdf.geometry.values)
    _check_areas(gdf, where, source_crs, checks)
    # Sorted by id, whatever the order of the features: every later sum runs in
    # the same order, so shuffled inputs give byte-identical figures.
    gdf = gdf.sort_values("id", kind="stable").reset_index(drop=True)
    return gdf, fields, source_crs


def duplicate_ids(gdf) -> dict:
    """id -> the names of the features sharing it, in file order."""
    shared = gdf[gdf["id"].duplicated(keep=False)]
    return {did: list(group["name"]) for did, group in shared.groupby("id", sort=True)}


def feature_numbers(gdf) -> np.ndarray:
    """Each feature's number in the file, as messages give it (1 = the first)."""
    return gdf["feature"].to_numpy() if "feature" in gdf else np.arange(1, len(gdf) + 1)


MANY_PARTS = 50


def apart_ids(gdf) -> dict:
    """id -> (feature, feature, km) for each id whose features are not all near one another, with the closest
    pair of features that lie apart and the gap between them.

    Parts of one unit touch or lie a street apart (Aleppo's Tishreen: three features, gaps of 24 and 52 m);
    two places of one name lie far apart (the raions Mykolaiv, in Lviv and in Mykolaiv oblast: 594 km). Near:
    a gap no wider than the larger feature's size (the square root of its area), chained (a near b near c).
    An id shared by more than MANY_PARTS features is taken as one unit in parts and not measured (pairs grow
    as the square of the parts).
    """
    duplicated = gdf["id"].duplicated(keep=False).to_numpy()
    if not duplicated.any():
        return {}
    shared = gdf[duplicated]
    geoms = np.asarray((shared.geometry if shared.crs.equals("EPSG:4326") else shared.geometry.to_crs(4326)).values)
    sizes = np.sqrt(geodesy.area_km2(geoms))
    numbers = feature_numbers(gdf)[duplicated]
    found = {}
    for did, where in shared.groupby("id", sort=False).indices.items():
        if len(where) > MANY_PARTS:
            continue
        group = {int(i): {int(i)} for i in where}  # each feature's component, merged as near pairs are found
        gaps = []
        for n, i in enumerate(where):
            for j in where[n + 1 :]:
                km = _gap_km(geoms[i], geoms[j])
                if km is not None and km <= max(sizes[i], sizes[j]):
                    merged = group[int(i)] | group[int(j)]
                    for k in merged:
                        group[k] = merged
                elif km is not None:
                    gaps.append((km, int(i), int(j)))
        apart = [(km, i, j) for km, i, j in sorted(gaps) if group[i] is not group[j]]
        if apart:
            km, i, j = apart[0]
            found[did] = (int(numbers[i]), int(numbers[j]), km)
    return found


def _gap_km(a, b) -> float | None:
    """Geodesic km between the nearest points of two lon/lat geometries; None when either is empty."""
    if a is None or b is None or a.is_empty or b.is_empty:
        return None
    (x0, y0), (x1, y1) = shapely.shortest_line(a, b).coords
    return geodesy.WGS84.inv(x0, y0, x1, y1)[2] / 1000


def apart_hint(apart: dict, unique_field: str = "") -> str:
    """What to do with features that share an id but are different places: not --dissolve."""
    did, (a, b, km) = next(iter(apart.items()))
    which = f"{did!r} names" if len(apart) == 1 else f"{len(apart)} of the ids name"
    example = f"features {a} and {b}" + (f", {did!r}," if len(apart) > 1 else "")
    how = (
        f"use a unique field as the id (--id-field {unique_field})" if unique_field else "give an id field (--id-field)"
    )
    return (
        f"{which} different places ({example} do not touch: {km:,.0f} km apart): {how} or qualify the names; "
        "--dissolve would merge them"
    )


def unique_hint(raw, fields: Fields, ids=None, apart=None) -> str:
    """How to get one district per id, judged on the file: a unique field, or a dissolve that merges only same names
    (never a dissolve when features sharing an id lie apart: `apart`, from apart_ids).

    `ids`: the id column already as text (load_districts has it), else made here.
    """
    import pandas as pd

    if ids is not None and len(set(ids)) == len(ids):
        return ""  # every id once (the common case): no hint, and no column of them made
    columns = [c for c in raw.columns if c != raw.geometry.name and c != fields.id]
    ids = pd.Series(ids, index=raw.index) if ids is not None else raw[fields.id or fields.name].map(id_text)
    if not ids.duplicated().any():
        return ""
    for column in columns:
        values = raw[column].map(id_text)
        if values.ne("").all() and not values.duplicated().any():
            return f"use a unique field as the id (--id-field {column})"
    if apart:
        return apart_hint(apart)
    if fields.name and fields.id:
        names = raw[fields.name].map(id_text)
        mixed = sorted({i for i, group in names.groupby(ids) if group.nunique() > 1})
        if mixed:
            shown = ", ".join(repr(i) for i in mixed[:3])
            return (
                f"--dissolve alone would merge different names sharing an id ({shown}); "
                f"--id-field {fields.name} --dissolve merges only features of the same name"
            )
    return "pass --dissolve to merge features that share an id"


def _written_ids(column, ids) -> dict:
    """Feature number -> the id as written, for ids read as another text ('2.0' as 2): duplicates show both."""
    written = [str(v).strip() if isinstance(v, str) else v for v in as_list(column)]
    return {i + 1: w for i, (w, t) in enumerate(zip(written, ids)) if isinstance(w, str) and w != t}


def _as_written(did: str, numbers, fields: Fields) -> str:
    """' (written '2', '2.0')' when features sharing an id write it differently, else ''."""
    forms = list(dict.fromkeys(fields.written.get(int(n), did) for n in numbers))
    return f", written {', '.join(repr(f) for f in forms)}: read as one id" if len(forms) > 1 else ""


def _check_duplicates(gdf, where: str, dissolve: bool, fields: Fields, checks: Checks, hint: str = ""):
    """Features sharing an id: an error listing them, or merged with --dissolve."""
    duplicated = gdf["id"].duplicated(keep=False)
    if not duplicated.any():
        return gdf
    if dissolve:
        return _dissolve(gdf, where, fields, checks)
    numbers = feature_numbers(gdf)
    by_id: dict[str, list[int]] = {}
    for did, number in zip(gdf["id"][duplicated], numbers[duplicated.to_numpy()]):
        by_id.setdefault(did, []).append(int(number))
    fix = f"fix the ids, or {hint}" if hint else "fix the ids or pass --dissolve to merge features that share an id"
    if fields.apart and hint == apart_hint(fields.apart):  # --dissolve is what not to do: no "fix the ids, or"
        fix = hint
    if checks.collect:  # validate lists every one; the first feature of each id stands for it
        for did, numbers in by_id.items():
            own = apart_hint({did: fields.apart[did]}, _unique_field(hint)) if did in fields.apart else fix
            checks.add(
                "error",
                f"{where} features {', '.join(map(str, numbers))}",
                f"duplicate district id {did!r}{_as_written(did, numbers, fields)}; {own}",
            )
        return gdf[~gdf["id"].duplicated()]
    dupes = list(by_id)
    shown = ", ".join(
        f"{d!r} (features {', '.join(map(str, by_id[d]))}{_as_written(d, by_id[d], fields)})" for d in dupes[:8]
    ) + (" ..." if len(dupes) > 8 else "")
    checks.add("error", where, f"{len(dupes)} duplicate district id(s): {shown}; {fix}")


def _unique_field(hint: str) -> str:
    """The field a unique_hint names as the id, if it names one."""
    found = re.search(r"use a unique field as the id \(--id-field (.+)\)$", hint)
    return found.group(1) if found else ""


def _population(column, where: str, name: str, checks: Checks):
    import pandas as pd

    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() & column.notna() & (column.astype(str).str.strip() != "")
    for i in np.flatnonzero(bad.to_numpy()):
        checks.add(
            "error", f"{where} feature {i + 1}", f"population {column.iloc[i]!r} in field {name!r} is not a number"
        )
    for i in np.flatnonzero((values < 0).to_numpy()):
        checks.add(
            "error",
            f"{where} feature {i + 1}",
            f"population {column.iloc[i]!r} in field {name!r} is negative; give a count of people (0 or more)",
        )
    return values.to_numpy(dtype=float)

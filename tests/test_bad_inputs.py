"""The bad-input corpus (tests/bad_inputs/, described in its README.md).

Each file is one real-world defect. A command on it either works (the defect
is handled: BOM, semicolons, CRLF, ...) or fails with exit 1 and one line on
stderr that names the problem and where it is (file, and line or feature);
never a traceback, never a partial output file. `validate` agrees with the
other commands on every case.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.helpers import SQUARES, cell_area_km2, squares_area, BAD


class Case(NamedTuple):
    file: str
    role: str  # districts | control | control+districts | control+actors | actors | project
    code: int  # expected exit code
    fragments: tuple = ()  # all must appear on stderr (an error, or the warning of a case that works)
    defect: str = ""
    args: tuple = ()  # options of a zone case (role "zones"); the districts file of a control+districts case
    validate_code: int | None = (
        None  # when validate is stricter than the other commands (a warning there, an error here)
    )


CASES = [
    # -- district polygons
    Case(
        "d_malformed.geojson",
        "districts",
        1,
        ("d_malformed.geojson", "invalid JSON at line 3"),
        "a comma missing between two properties",
    ),
    Case(
        "d_truncated.geojson",
        "districts",
        1,
        ("d_truncated.geojson", "invalid JSON", "truncated"),
        "download cut off two thirds of the way",
    ),
    Case("d_empty.geojson", "districts", 1, ("d_empty.geojson", "empty input"), "0 bytes"),
    Case("d_empty.gpkg", "districts", 1, ("d_empty.gpkg", "empty file"), "0-byte GeoPackage (a failed copy)"),
    Case(
        "d_empty_collection.geojson",
        "districts",
        1,
        ("d_empty_collection.geojson", "no features"),
        "a FeatureCollection with no features",
    ),
    Case(
        "d_points.geojson",
        "districts",
        1,
        ("d_points.geojson feature 1", "Point", "Polygons"),
        "a FeatureCollection of points (centroids) instead of polygons",
    ),
    Case("d_nan_coords.geojson", "districts", 1, ("d_nan_coords.geojson feature 3", "NaN"), "a NaN coordinate"),
    Case(
        "d_infinity_coords.geojson",
        "districts",
        1,
        ("d_infinity_coords.geojson feature 2", "infinite"),
        "an Infinity coordinate",
    ),
    Case(
        "d_metres_no_crs.geojson",
        "districts",
        1,
        ("d_metres_no_crs.geojson", "outside the lon/lat range", "projected"),
        "UTM metres in a GeoJSON without a crs member (read as lon/lat by GDAL)",
    ),
    Case(
        "d_lonlat_tagged_3857.geojson",
        "districts",
        1,
        ("d_lonlat_tagged_3857.geojson", "look like lon/lat degrees", "EPSG:3857", "-a_srs EPSG:4326"),
        "lon/lat coordinates with a crs member saying EPSG:3857 (read as metres: 1e-10 km² districts)",
    ),
    Case(
        "d_name_is_list.geojson",
        "districts",
        1,
        ("d_name_is_list.geojson feature 2", "is a list, not text"),
        'feature B\'s name is the JSON list ["Be", "ta"]: GDAL types the whole field as a list and every name read as "[\'Alpha\']"',
    ),
    Case(
        "d_id_is_boolean.geojson",
        "districts",
        1,
        ("d_id_is_boolean.geojson feature 3", "is a boolean, not text"),
        "feature C's id is the JSON boolean true (GDAL reads it as the text 'true')",
    ),
    Case(
        "d_id_is_object.geojson",
        "districts",
        1,
        ("d_id_is_object.geojson feature 4", "is an object, not text"),
        'feature D\'s id is the JSON object {"x": 1} (GDAL reads it as its JSON text)',
    ),
    Case(
        "d_dbf_cp1256_no_cpg.zip",
        "districts",
        0,
        (
            "looks wrongly decoded",
            "--districts-encoding cp1256",
            "d.cpg (in d_dbf_cp1256_no_cpg.zip) containing CP1256",
        ),
        "zipped Shapefile whose DBF is cp1256 (Arabic name_ar) with no .cpg: GDAL reads it as Latin-1 (ÇáÃÚÌÇã for الأعجام)",
    ),
    Case(
        "d_dbf_utf8_no_cpg.zip",
        "districts",
        0,
        ("its text is UTF-8 and was read as UTF-8", "containing UTF-8"),
        "zipped Shapefile whose DBF is UTF-8 (Ukrainian name_uk) with no .cpg: GDAL reads it as Latin-1",
    ),
    Case(
        "d_name_mixed_scripts.geojson",
        "districts",
        0,
        ("d_name_mixed_scripts.geojson feature 3", "Cyrillic and Latin letters in one word"),
        "district C named 'Gаmma' with a Cyrillic а: a look-alike of Gamma that a log spelling Gamma does not match",
    ),
    Case(
        "d_no_dbf.zip",
        "districts",
        1,
        ("d.dbf is missing", "put it beside d.shp"),
        "zipped Shapefile without its .dbf (GDAL reads the shapes with no field at all)",
    ),
    Case(
        "d_coordinates_as_text.geojson",
        "districts",
        1,
        ("d_coordinates_as_text.geojson feature 2", 'its coordinates are text ("0.02")', "without quotes"),
        'feature B has the point ["0.02", "0.0"]: coordinates as strings, which GDAL drops with the whole geometry',
    ),
    Case(
        "d_ids_2_and_2_0.geojson",
        "districts",
        1,
        ("'2' (features 2, 3, written '2', '2.0': read as one id)",),
        'ids A, 2, "2.0", D: the number 2 and the text 2.0 are one id',
    ),
    Case(
        "d_kml_names_only.kml",
        "districts",
        0,
        ("field 'id' holds no id; using 'Name' as the id",),
        "KML as Google Earth writes it: a <name> per Placemark, GDAL's 'id' field empty",
    ),
    Case(
        "d_duplicate_ids.geojson",
        "districts",
        1,
        ("d_duplicate_ids.geojson", "duplicate district id", "'B' (features 2, 4)"),
        "two features share id B",
    ),
    Case(
        "d_same_name_apart.geojson",
        "districts",
        1,
        ("'Beta' (features 2, 4)", "'Beta' names different places", "109 km apart", "--dissolve would merge them"),
        "no id field, and two features named Beta 109 km apart (the hint was --dissolve, which merges them)",
    ),
    Case(
        "d_null_geometry.geojson",
        "districts",
        1,
        ("d_null_geometry.geojson feature 3", "missing geometry"),
        'a feature with "geometry": null',
    ),
    Case(
        "d_mixed_id_types.geojson",
        "districts",
        0,
        (),
        'ids 1, "2", 3.0 and "04": numbers, text and a float in one field',
    ),
    Case(
        "d_wrapped_value.json",
        "districts",
        1,
        ("d_wrapped_value.json", "wrapped", "jq '.value'"),
        'a FeatureCollection wrapped in {"value": ...} (as the NZZ map serves it)',
    ),
    Case(
        "d_deeply_nested.geojson",
        "districts",
        1,
        ("d_deeply_nested.geojson", "nested too deeply"),
        "coordinates nested 3000 arrays deep",
    ),
    Case("d_latin1.geojson", "districts", 1, ("d_latin1.geojson line 4", "not UTF-8"), "a name in Latin-1 bytes"),
    Case(
        "d_bowtie.geojson",
        "districts",
        0,
        ("d_bowtie.geojson", "repaired", "'A'"),
        "a self-intersecting (bow-tie) polygon",
    ),
    Case(
        "d_no_id_field.geojson",
        "districts",
        1,
        ("d_no_id_field.geojson", "no id field", "label, pop_2016", "--id-field"),
        "no id or name field (fields 'label', 'pop_2016')",
    ),
    Case("d_empty_id.geojson", "districts", 1, ("d_empty_id.geojson feature 2", "empty id"), "a blank id"),
    Case(
        "d_text_population.geojson",
        "districts",
        1,
        ("d_text_population.geojson feature 4", "'about 4000'", "not a number"),
        "population 'about 4000'",
    ),
    Case(
        "d_zero_area.geojson",
        "districts",
        1,
        ("d_zero_area.geojson feature 2", "no area"),
        "a polygon whose points lie on one line",
    ),
    Case(
        "d_html_page.geojson", "districts", 1, ("d_html_page.geojson", "HTML"), "an HTML error page saved as .geojson"
    ),
    Case(
        "d_topojson.json", "districts", 1, ("d_topojson.json", "TopoJSON", "mapshaper"), "TopoJSON instead of GeoJSON"
    ),
    Case(
        "d_unclosed_ring.geojson",
        "districts",
        1,
        ("d_unclosed_ring.geojson feature 3", "not closed"),
        "a ring whose last point is not the first",
    ),
    Case("d_utm_with_crs_member.geojson", "districts", 0, (), 'UTM 31N coordinates with an old-style "crs" member'),
    Case("d_overlap.geojson", "districts", 0, (), "district B overlaps half of A (commands run; validate warns)"),
    Case(
        "d_names_share_a_key.geojson",
        "districts",
        1,
        ("d_names_share_a_key.geojson", "'A' (\"Sheikh Sa'eed\") and 'B' ('Sheikh Saeed')", "match as one"),
        "two districts named Sheikh Sa'eed and Sheikh Saeed (one name once punctuation is ignored)",
    ),
    Case(
        "c_name_is_another_id.csv",
        "control+districts",
        1,
        ("c_name_is_another_id.csv line 2", "'A' is ambiguous", "the id of 'Alpha' and the name of district D"),
        "'A' where d_name_is_another_id.geojson names district D 'A', the id of Alpha (it went to Alpha silently)",
        ("d_name_is_another_id.geojson",),
    ),
    # -- wrong figures that used to come out with exit 0 (issue 12): CRS traps, the antimeridian, ambiguous files, NUL
    Case(
        "d_utm_centimetres.geojson",
        "districts",
        1,
        ("d_utm_centimetres.geojson", "EPSG:32631", "area of use", "centimetres"),
        "the four squares in UTM 31N centimetres (were NaN km²)",
    ),
    Case(
        "d_mercator_beyond_range.geojson",
        "districts",
        1,
        ("d_mercator_beyond_range.geojson", "EPSG:3857", "area of use"),
        "Web Mercator x beyond 20,037,508 m (were 0 km², wrapped round the globe)",
    ),
    Case(
        "d_geocentric_crs.geojson",
        "districts",
        1,
        ("d_geocentric_crs.geojson", "EPSG:4978", "geocentric"),
        "a geocentric CRS (EPSG:4978; were 3.9e-9 km²)",
    ),
    Case(
        "d_unknown_crs_code.geojson",
        "districts",
        1,
        ("d_unknown_crs_code.geojson", "EPSG::999999", "PROJ does not know"),
        "a crs member naming EPSG:999999 (GDAL dropped it and read lon/lat)",
    ),
    Case(
        "d_antimeridian.geojson",
        "districts",
        1,
        ("d_antimeridian.geojson feature 1", "'A'", "antimeridian", "-wrapdateline"),
        "A drawn from 179.99° to -179.99° as one ring (a small box to geodesy, a band round the globe to planar steps)",
    ),
    Case(
        "d_two_polygon_layers.gpkg",
        "districts",
        1,
        ("d_two_polygon_layers.gpkg", "districts_2016, districts_2020", "--districts-layer"),
        "a GeoPackage with two polygon layers (the first was read silently)",
    ),
    Case(
        "d_nul_in_name.geojson",
        "districts",
        1,
        ("d_nul_in_name.geojson feature 2", "'name'", "NUL"),
        "a name 'Be\\0ta' (GDAL cut it to 'Be')",
    ),
    Case(
        "d_control_character_id.geojson",
        "districts",
        1,
        ("d_control_character_id.geojson feature 2", "'B\\n2'", "control character"),
        "an id with a line break in it",
    ),
    Case(
        "d_control_log_as_districts.csv",
        "districts",
        1,
        ("d_control_log_as_districts.csv", "no geometry", "it is a table", "date, district, controller", "--control"),
        "the control log given as districts (was an AttributeError: 'DataFrame' object has no attribute 'geometry')",
    ),
    # -- control logs (with the four good squares as districts)
    Case("c_empty.csv", "control", 1, ("c_empty.csv", "empty file"), "0 bytes"),
    Case("c_header_only.csv", "control", 1, ("c_header_only.csv", "no rows"), "a header and no rows"),
    Case("c_no_header.csv", "control", 1, ("c_no_header.csv", "is data, not a header"), "the header line is missing"),
    Case("c_bom.csv", "control", 0, (), "UTF-8 byte-order mark (Excel 'CSV UTF-8')"),
    Case("c_semicolon.csv", "control", 0, (), "semicolon-separated (European Excel)"),
    Case("c_tabs_in_csv.csv", "control", 0, (), "tab-separated values in a .csv file"),
    Case("c_crlf.csv", "control", 0, (), "Windows CRLF line endings"),
    Case("c_utf16.csv", "control", 0, (), "UTF-16 with BOM (Excel 'Unicode text')"),
    Case("c_trailing_spaces.csv", "control", 0, (), "controllers 'rebels  ' and ' Government ' (spaces, case)"),
    Case("c_percent_shares.csv", "control", 0, (), "shares written as 50%"),
    Case(
        "c_duplicate_rows.csv",
        "control",
        0,
        ("c_duplicate_rows.csv line 9", "duplicate rows", "kept one"),
        "the same row twice",
    ),
    Case(
        "c_dmy_dates.csv",
        "control",
        1,
        ("c_dmy_dates.csv line 7", "'01/02/2020'", "2020-02-01"),
        "a date written 01/02/2020 (day/month/year)",
    ),
    Case(
        "c_impossible_date.csv",
        "control",
        1,
        ("c_impossible_date.csv line 6", "'2020-02-30' does not exist", "February 2020 has 29 days"),
        "a date 2020-02-30, in the right form but no day (was 'not an ISO 8601 date; write dates as YYYY-MM-DD')",
    ),
    Case(
        "c_month_name_dates.csv",
        "control",
        1,
        ("c_month_name_dates.csv line 9", "'Mar 1'", "YYYY-MM-DD"),
        "a date written 'Mar 1' (no year)",
    ),
    Case(
        "c_excel_serial_dates.csv",
        "control",
        1,
        ("c_excel_serial_dates.csv line 9", "serial", "2020-03-01"),
        "a spreadsheet serial day number (43891) for a date",
    ),
    Case(
        "c_misspelt_column.csv",
        "control",
        1,
        ("c_misspelt_column.csv", "'controler'", "misspelling"),
        "column 'controler'",
    ),
    Case("c_share_over_one.csv", "control", 1, ("c_share_over_one.csv line 8", "'1.5'"), "a share of 1.5"),
    Case(
        "c_shares_sum_over_one.csv",
        "control",
        1,
        ("c_shares_sum_over_one.csv line 7, line 8", "sum to 1.2"),
        "shares 0.5 + 0.7 for one district and date",
    ),
    Case(
        "c_shares_sum_lines_unsorted.csv",
        "control",
        1,
        ("c_shares_sum_lines_unsorted.csv line 7, line 8:", "sum to 1.2"),
        "shares 0.7 (rebels, line 7) + 0.5 (government, line 8): named 'line 8, line 7' in controller order",
    ),
    Case("c_share_not_a_number.csv", "control", 1, ("c_share_not_a_number.csv line 7", "'half'"), "share 'half'"),
    Case(
        "c_split_without_shares.csv",
        "control",
        1,
        ("c_split_without_shares.csv line 7", "without shares"),
        "two controllers of one district on one date, no shares",
    ),
    Case(
        "c_latin1.csv",
        "control",
        1,
        ("c_latin1.csv line 8", "not UTF-8", "iconv", "--encoding cp1252"),
        "Latin-1 bytes (é)",
    ),
    Case(
        "c_cp1251.csv",
        "control",
        1,
        ("c_cp1251.csv line 2", "not UTF-8", "cp1251 (Cyrillic)", "--encoding cp1251"),
        "Cyrillic actors in cp1251 bytes",
    ),
    Case(
        "c_koi8u.csv",
        "control",
        1,
        ("c_koi8u.csv line 2", "not UTF-8", "koi8-u (Cyrillic)", "--encoding koi8-u"),
        "Ukrainian actors in KOI8-U bytes (were diagnosed as cp1256, Arabic)",
    ),
    Case(
        "c_garbled_actors.csv",
        "control",
        0,
        ("c_garbled_actors.csv", "line 2: 'Укра╖на' has '╖' among its letters", "3 more labels", "--encoding"),
        "UTF-8 actors 'Укра╖на', 'Рос╕я': KOI8-U once decoded as koi8-r (works, one warning)",
    ),
    Case(
        "c_from_contradicts_log.csv",
        "control",
        0,
        ("c_from_contradicts_log.csv line 7", "changes from 'government'", "held by 'rebels' on 2020-01-31"),
        "a 'from' column whose line 7 says B changed from the government, which the log has rebel-held (a warning; an error in validate)",
        validate_code=1,
    ),
    Case("c_nul_bytes.csv", "control", 1, ("c_nul_bytes.csv line 9", "NUL"), "a NUL byte"),
    Case("c_xlsx_renamed.csv", "control", 1, ("c_xlsx_renamed.csv", "zip", "CSV"), "an Excel workbook renamed to .csv"),
    Case("c_gzip.csv.gz", "control", 0, (), "a gzip-compressed log (was 'not UTF-8 … --encoding cp1250')"),
    Case(
        "c_zstd_renamed.csv",
        "control",
        1,
        ("c_zstd_renamed.csv: zstd-compressed, not a text table", "unzstd"),
        "a zstd-compressed log named .csv (was 'not UTF-8' with an encoding guess)",
    ),
    Case(
        "c_sqlite_renamed.csv",
        "control",
        1,
        ("c_sqlite_renamed.csv: an SQLite database, not a text table", "sqlite3 -header -csv"),
        "an SQLite database named .csv",
    ),
    Case(
        "c_html_page.csv",
        "control",
        1,
        ("c_html_page.csv: an HTML or XML page, not a control log", "fetch the file again"),
        "an HTML error page saved as the log (was 'no rows')",
    ),
    Case("c_utf32.csv", "control", 0, (), "UTF-32 with its BOM (was 'no date column')"),
    Case(
        "c_header_repeated.csv",
        "control",
        0,
        ("c_header_repeated.csv line 6: repeats the header line", "skipped"),
        "the header line again at line 6 (two exports joined; was 'unknown district 'district'')",
    ),
    Case("c_excel_sep_line.csv", "control", 0, (), "Excel's 'sep=,' first line (was '7 fields for 2 columns')"),
    Case("c_decimal_comma_shares.csv", "control", 0, (), "semicolon-separated, shares 0,5 (European Excel)"),
    Case(
        "c_mdy_dates.csv",
        "control",
        1,
        ("c_mdy_dates.csv line 9", "'03/15/2020'", "2020-03-15 if it is month/day/year"),
        "a date written 03/15/2020 (month/day/year; the hint was '2020-15-03 if it is day/month/year')",
    ),
    Case("c_iso_basic_dates.csv", "control", 0, (), "ISO 8601 basic, ordinal and week dates (20200101, 2020-032)"),
    Case("c_arabic_digit_dates.csv", "control", 0, (), "dates in Arabic-Indic digits (٢٠٢٠-٠١-٠١)"),
    Case(
        "c_serial_with_time.csv",
        "control",
        1,
        ("c_serial_with_time.csv line 9", "serial", "2020-03-01"),
        "a spreadsheet serial number with a time of day (43891.75; had no serial hint)",
    ),
    Case(
        "c_long_field.csv",
        "control",
        0,
        (),
        "a source of 140,000 characters (was 'malformed CSV (field larger than field limit)' from validate only)",
    ),
    Case(
        "c_empty_district.csv",
        "control",
        1,
        ("c_empty_district.csv line 4", "empty district"),
        "a row with no district (was “unknown district ''”)",
    ),
    Case(
        "c_empty_controller.csv",
        "control",
        1,
        ("c_empty_controller.csv line 5", "empty controller"),
        "a row with no controller",
    ),
    Case(
        "c_ragged_rows.csv",
        "control",
        1,
        ("c_ragged_rows.csv line 6", "7 fields for 5 columns"),
        "a row with an unquoted comma (7 fields for 5 columns)",
    ),
    Case(
        "c_unterminated_quote.csv",
        "control",
        1,
        ("c_unterminated_quote.csv line 6", "never closed"),
        "a quote opened and never closed",
    ),
    Case(
        "c_unknown_district.csv",
        "control",
        1,
        ("c_unknown_district.csv line 6", "'Alpah'", "Alpha"),
        "district 'Alpah' (a typo of Alpha)",
    ),
    Case(
        "c_ambiguous_name.csv",
        "control",
        1,
        ("c_ambiguous_name.csv line 6", "'Alpha (Beta)' is ambiguous", "2 districts, 'Alpha', 'Beta'", "--aliases"),
        "district 'Alpha (Beta)': its parts name two districts (was 'unknown district')",
    ),
    Case(
        "c_every_district_row.csv",
        "control",
        1,
        ("c_every_district_row.csv line 5", "'*'", "log from-changes --baseline", "--initial ACTOR"),
        "a row for district '*', which only a from-changes baseline reads (was 'unknown district')",
    ),
    Case("c_unsorted_dates.csv", "control", 0, (), "rows not in date order (commands run; validate warns)"),
    Case("c_year_typo.csv", "control", 0, (), "a row dated 2021 in a 2020 log (commands run; validate --until warns)"),
    Case(
        "c_polygon_names_disagree.csv",
        "control",
        0,
        (
            "c_polygon_names_disagree.csv line 6: 'Alpha' is the name of 'Alpha'",
            "polygon_names column names 'Alpha; Beta'",
        ),
        "a change list's own polygon_names column naming more districts than the row's name (was ignored)",
    ),
    Case(
        "c_future_date.csv",
        "control",
        0,
        ("c_future_date.csv line 9: date 2202-03-01 is after today", "default to the log's last date", "--date"),
        "a row dated 2202 for 2020, after today (was silent, and every command's default date)",
    ),
    Case(
        "c_impossible_time.csv",
        "control",
        1,
        ("c_impossible_time.csv line 7", "'2020-02-01T25:99'", "'25:99' is not a time of day", "2020-02-01"),
        "a date with the time 25:99 (was read as 2020-02-01: the time part was not checked)",
    ),
    Case(
        "c_times_with_offsets.csv",
        "control",
        0,
        (),
        "dates with times and UTC offsets (a database export): each row's day as written, never shifted by its offset",
    ),
    Case("c_truncated.json", "control", 1, ("c_truncated.json", "invalid JSON at line"), "a JSON log cut off"),
    Case(
        "c_deeply_nested.json", "control", 1, ("c_deeply_nested.json", "nested too deeply"), "3000 nested JSON arrays"
    ),
    Case(
        "c_ndjson_bad_line.ndjson",
        "control",
        1,
        ("c_ndjson_bad_line.ndjson line 3", "invalid JSON"),
        "one NDJSON line with a trailing comma",
    ),
    Case("c_wrapped_rows.json", "control", 0, (), 'rows wrapped in {"rows": [...]}'),
    Case(
        "c_deeply_nested.ndjson",
        "control",
        1,
        ("c_deeply_nested.ndjson line 1", "nested too deeply"),
        "an NDJSON line nested 10,000 arrays deep (was a RecursionError naming no file)",
    ),
    Case(
        "c_duplicate_column.csv",
        "control",
        1,
        ("c_duplicate_column.csv line 1", "'controller' appears twice", "columns 3 and 6"),
        "two controller columns (the last won silently)",
    ),
    Case(
        "c_districts_as_log.geojson",
        "control",
        1,
        ("c_districts_as_log.geojson: this is GeoJSON (a FeatureCollection)", "not a control log", "--districts"),
        "the districts GeoJSON given as the log (was 'line 1: invalid JSON', read as NDJSON)",
    ),
    # -- actors, with a log
    Case(
        "c_unknown_actor.csv",
        "control+actors",
        1,
        ("c_unknown_actor.csv line 9", "'goverment'", "did you mean 'government'"),
        "actor 'goverment' not in the actors file c_actors.toml",
    ),
    Case("c_aliases.csv", "control+actors", 0, (), "aliases 'regime' and 'YPG' (from c_actors.toml)"),
    Case(
        "a_malformed.toml", "actors", 1, ("a_malformed.toml", "TOML", "line 4"), "an actors file with an unclosed array"
    ),
    Case(
        "a_deeply_nested.toml",
        "actors",
        1,
        ("a_deeply_nested.toml", "nested too deeply"),
        "an actors file with aliases nested 10,000 arrays deep (was a RecursionError)",
    ),
    Case(
        "a_group_named_like_actor.toml",
        "actors",
        1,
        ("a_group_named_like_actor.toml [groups] rebels", "also a name of the actor 'rebels'"),
        "a group 'rebels' = [\"government\"] beside the actor rebels",
    ),
    Case(
        "a_group_named_like_alias.toml",
        "actors",
        1,
        ("a_group_named_like_alias.toml [groups] regime", "actor 'government'"),
        "a group named 'regime', an alias of the government",
    ),
    Case(
        "a_misspelt_key.toml",
        "actors",
        1,
        ("a_misspelt_key.toml [actors.government]", "'alias'", "did you mean 'aliases'", "known keys"),
        "'alias' for 'aliases' (the aliases were ignored)",
    ),
    Case(
        "a_groups_not_a_table.toml",
        "actors",
        1,
        ("a_groups_not_a_table.toml", "groups must be a table"),
        'groups = "loyal" (was an AttributeError)',
    ),
    Case(
        "a_empty_group.toml",
        "actors",
        1,
        ("a_empty_group.toml [groups] nobody", "empty"),
        "a group with no members (nobody = [])",
    ),
    # -- aliases files, with the good squares and their log
    Case(
        "a_alias_unknown_district.csv",
        "aliases",
        1,
        ("a_alias_unknown_district.csv line 2", "'Alpah', which is no district", "Alpha"),
        "an alias pointing at 'Alpah' (a typo of Alpha)",
    ),
    Case(
        "a_alias_duplicate.csv",
        "aliases",
        1,
        ("a_alias_duplicate.csv line 3", "given twice", "line 2"),
        "the alias Alfa given twice (for A and for B)",
    ),
    Case(
        "a_alias_empty.csv",
        "aliases",
        1,
        ("a_alias_empty.csv: empty file", "'alias,district'"),
        "0 bytes (the error asked for a control log's header)",
    ),
    # -- project file
    Case(
        "p_unknown_key.toml",
        "project",
        1,
        ("p_unknown_key.toml", "controll", "known keys"),
        "a project file with a misspelt key",
    ),
    Case(
        "p_unknown_encoding.toml",
        "project",
        1,
        ("p_unknown_encoding.toml", "'klingon'", "cp1251"),
        "a project file naming an encoding Python does not know",
    ),
    Case(
        "p_no_districts.toml",
        "project",
        1,
        ("p_no_districts.toml", "names no districts", "--districts FILE"),
        "a project file with settings and no districts (every command crashed; validate said 0 errors)",
    ),
    # -- land mask (--land), with the good squares and log
    Case(
        "l_far_mask.geojson",
        "land",
        1,
        ("l_far_mask.geojson", "covers none of the districts"),
        "a land mask 1000 km from every district (another country)",
    ),
    Case(
        "l_table_no_geometry.csv",
        "land",
        1,
        ("l_table_no_geometry.csv", "no geometry", "it is a table", "give polygons here"),
        "a table with no geometry as the land mask (was an AttributeError: no attribute 'crs')",
    ),
    Case(
        "l_two_districts_at_sea.geojson",
        "land",
        0,
        ("l_two_districts_at_sea.geojson", "2 district(s) lie wholly outside the land mask", "first: Gamma (C)"),
        "a land mask that leaves C and D wholly outside (their export crashed FlatGeobuf: NULL geometry)",
    ),
    # -- zone files (zones area and overlay, with the options given)
    Case(
        "z_ds_no_status_2024-08-01.geojson",
        "zones",
        1,
        ("z_ds_no_status_2024-08-01.geojson", "no feature carries a DeepState status", "--source generic"),
        "DeepState-style names (an airfield, Abkhazia) but no feature with a status of the war in Ukraine",
    ),
    Case(
        "z_actor_map_typo_2024-07-08.json",
        "zones",
        1,
        ("--actor-map label 'nochnage' matches no feature", "labels found"),
        "an NZZ file read with --actor-map 'nochnage=russia' (a typo of nochange)",
        ("--actor-map", "nochnage=russia"),
    ),
    Case(
        "z_where_nothing_2024-07-08.json",
        "zones",
        1,
        ("--where", "selects no feature", "fields: type, date"),
        "an NZZ file read with --where \"type = 'gain'\" (the value is gains)",
        ("--where", "type = 'gain'"),
    ),
    Case(
        "z_month_13_20241308.geojson",
        "zones",
        1,
        ("z_month_13_20241308.geojson: the file name holds 20241308, which is not a date", "correct the date"),
        "a zone file named with month 13 (20241308) and no date field: was 'no date in the file name'",
        ("--actor", "russia"),
    ),
    Case(
        "z_same_date",
        "zones",
        1,
        (
            "z_same_date/a_20240708.geojson and ",
            "z_same_date/b_2024-07-08.geojson both give russia's zones on 2024-07-08",
            "keep one file per date",
        ),
        "a folder of two different zone files whose names give one date (were merged into one snapshot)",
        ("--actor", "russia"),
    ),
    Case(
        "z_mixed_sources",
        "zones",
        0,
        ("the files mix 2 sources, generic (zones_20240801.geojson) and nzz (2024-07-05.json)",),
        "a folder with an NZZ file and a plain (DeepState archive style) file: a change across them is a change of map",
        ("--actor", "russia"),
    ),
    Case(
        "z_dst_offsets.geojson",
        "zones",
        0,
        (),
        "a date field of two UTC offsets (2024-02-29T23:30-05:00, 2024-03-01T01:00+03:00): were UTC days, swapped",
        ("--actor", "russia"),
    ),
]
ZONE_CASES = [c for c in CASES if c.role == "zones"]
CASES = [c for c in CASES if c.role != "zones"]
# validate checks the districts, log and actors files; a land mask is checked where it is applied.
NOT_VALIDATED = {"land"}
COMPANIONS = {"c_actors.toml", "README.md", "d_name_is_another_id.geojson"}  # files the cases use with another
# Inputs of other commands than status/export/validate, run by their own tests (claims check: tests/test_cli_claims.py).
OWN_TESTS = {
    "claims_unknown_measure.csv",
    "claims_unparseable_value.csv",
    "claims_range_low_above_high.csv",
    "claims_unknown_actor.csv",
    "claims_decimal_comma.csv",
    "claims_percent_over_100.csv",
    "claims_empty.csv",
    "conf_not_in_order.csv",
    "conf_levels.toml",
    "r_no_crs.tif",
    "r_elsewhere.tif",
    "b_not_sqlite.mbtiles",
    "b_vector_tiles.mbtiles",
    "b_truncated.mbtiles",
    "b_tiles_elsewhere.mbtiles",
}  # map --basemap: tests/test_basemap.py
COMPANIONS |= OWN_TESTS


def ids(case):
    return case.file


def command_args(case: Case, squares) -> list[str]:
    path = str(BAD / case.file)
    actors = ["--actors", str(BAD / "c_actors.toml")]
    return {
        "districts": ["--districts", path],
        "control": ["--districts", squares["districts"], "--control", path],
        "control+districts": ["--districts", str(BAD / case.args[0]) if case.args else "", "--control", path],
        "control+actors": ["--districts", squares["districts"], "--control", path, *actors],
        "actors": ["--districts", squares["districts"], "--control", squares["control"], "--actors", path],
        "aliases": ["--districts", squares["districts"], "--control", squares["control"], "--aliases", path],
        "project": ["--project", path],
        "land": ["--districts", squares["districts"], "--control", squares["control"], "--land", path],
    }[case.role]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder: nothing may be left in it but a complete output file."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


NO_LOG = "conflictmap: warning: no control log given: every district is held by unknown"


def check_stderr(result, case: Case, notes: bool = False):
    """One line (an error, or the warning of a case that works); with `notes`, notes beside it are allowed
    (zone readers say how they read a detected source, overlay how much zone fell in no district)."""
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    if notes:
        lines = [line for line in lines if not line.startswith("conflictmap: note:")]
    if case.role == "districts" and not case.code:
        # Districts without a log load, and say once that nobody is known to hold anything.
        assert lines.count(NO_LOG) == 1, result.stderr
        lines.remove(NO_LOG)
    if case.code or case.fragments:
        assert 1 <= len(lines) <= 2, result.stderr
    else:
        assert lines == [], result.stderr
    for fragment in case.fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_status(cli, squares, workdir, case):
    result = cli("status", "--format", "csv", *command_args(case, squares))
    assert result.exit_code == case.code, result.output
    check_stderr(result, case)
    if case.code:
        assert result.stdout == ""
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_export_leaves_no_partial_file(cli, squares, workdir, case):
    result = cli("export", *command_args(case, squares), "-o", workdir / "out.geojson")
    assert result.exit_code == case.code, result.output
    check_stderr(result, case)
    left = sorted(p.name for p in workdir.iterdir())
    assert left == ([] if case.code else ["out.geojson"])
    if not case.code:
        assert json.loads((workdir / "out.geojson").read_text())["type"] == "FeatureCollection"


@pytest.mark.parametrize("case", [c for c in CASES if c.role not in NOT_VALIDATED], ids=ids)
def test_validate_agrees(cli, squares, workdir, case):
    result = cli("validate", "--format", "json", *command_args(case, squares))
    code = case.code if case.validate_code is None else case.validate_code
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 1, result.stderr
    if case.role == "project":  # the project file is read before any input: a plain error
        assert case.file in result.stderr
        return
    problems = json.loads(result.stdout)
    errors = [p for p in problems if p["level"] == "error"]
    if code:
        # The error names the bad file itself (an unknown actor is a fault of the log).
        assert any(Path(p["file"]).name == case.file for p in errors), problems
    else:
        assert errors == []


@pytest.mark.parametrize("case", [c for c in CASES if c.role in ("actors", "aliases")], ids=ids)
def test_actors_and_aliases_on_stdin_fail_the_same_way(cli, squares, workdir, case):
    # --actors - and --aliases - read the same bytes: the same outcome, the file named <stdin>.
    args = ["-" if a == str(BAD / case.file) else a for a in command_args(case, squares)]
    result = cli("status", "--format", "csv", *args, input=(BAD / case.file).read_bytes())
    assert result.exit_code == case.code, result.output
    stdin_case = case._replace(fragments=tuple(f.replace(case.file, "<stdin>") for f in case.fragments))
    check_stderr(result, stdin_case)


@pytest.mark.parametrize("case", ZONE_CASES, ids=ids)
def test_zone_cases(cli, squares, workdir, case):
    path = BAD / case.file
    result = cli("zones", "area", path, *case.args, "-f", "csv")
    assert result.exit_code == case.code, result.output
    check_stderr(result, case, notes=True)
    result = cli("overlay", path, *case.args, "-d", squares["districts"], "-o", workdir / "log.csv")
    assert result.exit_code == case.code, result.output
    check_stderr(result, case, notes=True)
    assert list(workdir.iterdir()) == ([] if case.code else [workdir / "log.csv"])
    if case.file == "z_dst_offsets.geojson":  # each feature keeps the day written, not its UTC day
        days = [line.split(",")[0] for line in (workdir / "log.csv").read_text().splitlines()[1:]]
        assert sorted(set(days)) == ["2024-02-29", "2024-03-01"]


# -- the cases that work give the figures of the clean input

SAME_AS_CLEAN_LOG = [
    "c_bom.csv",
    "c_semicolon.csv",
    "c_tabs_in_csv.csv",
    "c_crlf.csv",
    "c_utf16.csv",
    "c_trailing_spaces.csv",
    "c_percent_shares.csv",
    "c_duplicate_rows.csv",
    "c_aliases.csv",
    "c_times_with_offsets.csv",  # 2020-02-01T23:30:00-05:00 is 1 February, as written (4:30 UTC on the 2nd)
    "c_gzip.csv.gz",
    "c_utf32.csv",
    "c_header_repeated.csv",
    "c_excel_sep_line.csv",
    "c_decimal_comma_shares.csv",  # 0,5 is 0.5
    "c_iso_basic_dates.csv",  # 20200101, 2020-032 (31 days of January + 1) and 2020-W09-7 (Sunday 1 March)
    "c_arabic_digit_dates.csv",
]


@pytest.mark.parametrize("name", SAME_AS_CLEAN_LOG)
def test_handled_defects_give_the_clean_figures(cli_json, squares, name):
    actors = ["--actors", str(BAD / "c_actors.toml")] if name == "c_aliases.csv" else []
    base = ["--districts", squares["districts"], *actors]
    for command in (["status", "--date", "2020-02-15"], ["share", "--date", "2020-02-15"], ["status"]):
        clean = cli_json(*command, *base, "--control", squares["control"])
        assert cli_json(*command, *base, "--control", BAD / name) == clean


@pytest.mark.parametrize("suffix", [".fgb", ".gpkg"])
def test_districts_with_no_land_export_as_null_geometries(cli, squares, workdir, suffix):
    import pyogrio

    case = next(c for c in CASES if c.file == "l_two_districts_at_sea.geojson")
    result = cli("export", *command_args(case, squares), "-o", workdir / ("out" + suffix))
    assert result.exit_code == 0, result.output
    back = pyogrio.read_dataframe(workdir / ("out" + suffix), layer="districts")
    assert sorted(back.loc[back.geometry.isna(), "id"]) == ["C", "D"] and len(back) == 4


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".fgb"])
def test_an_export_with_districts_at_sea_reads_back(cli, cli_json, squares, workdir, suffix):
    # C and D lie wholly outside the land mask: exported with NULL geometries and area_km2 0, they read back
    # as districts of 0 km² (with a note), so the export's share equals the share measured with --land.
    case = next(c for c in CASES if c.file == "l_two_districts_at_sea.geojson")
    out = workdir / ("out" + suffix)
    assert cli("export", *command_args(case, squares), "-o", out).exit_code == 0
    with_land = cli_json("share", *command_args(case, squares))
    result = cli("share", "-d", out, "-c", squares["control"], "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == with_land
    assert "2 district(s) with no geometry and area_km2 0 in this export" in result.stderr


def test_a_null_geometry_with_an_area_is_still_an_error(cli, squares, workdir):
    # Only a district the export measured as 0 km² may come back without a geometry.
    case = next(c for c in CASES if c.file == "l_two_districts_at_sea.geojson")
    out = workdir / "out.geojson"
    assert cli("export", *command_args(case, squares), "-o", out).exit_code == 0
    data = json.loads(out.read_text())
    for feature in data["features"]:
        if feature["geometry"] is None:
            feature["properties"]["area_km2"] = 1.23
    out.write_text(json.dumps(data))
    result = cli("share", "-d", out, "-c", squares["control"])
    assert result.exit_code == 1 and "empty or missing geometry" in result.stderr


def test_mixed_id_types_become_one_text_form(cli_json):
    rows = cli_json("status", "--districts", BAD / "d_mixed_id_types.geojson")
    # 1, "2" and 3.0 are the ids 1, 2, 3; "04" keeps its leading zero (codes are text).
    assert sorted(r["id"] for r in rows) == ["04", "1", "2", "3"]


def test_utm_with_crs_member_gives_geodesic_areas(cli_json):
    rows = {r["id"]: r for r in cli_json("status", "--districts", BAD / "d_utm_with_crs_member.geojson")}
    # The same four squares as the fixture, stored in UTM 31N (coordinates rounded to 0.1 mm).
    for key in SQUARES:
        assert rows[key]["area_km2"] == pytest.approx(squares_area(key), rel=1e-6)


def test_bowtie_is_repaired_to_two_triangles(cli_json):
    rows = {r["id"]: r for r in cli_json("status", "--districts", BAD / "d_bowtie.geojson")}
    # The ring (0,0)-(.01,.01)-(.01,0)-(0,.01) crosses itself: two triangles, each a quarter of the square.
    assert rows["A"]["area_km2"] == pytest.approx(cell_area_km2(0, 0, 0.01, 0.01) / 2, rel=1e-3)


def test_wrapped_json_rows_are_read(cli_json, squares):
    rows = cli_json("share", "--districts", squares["districts"], "--control", BAD / "c_wrapped_rows.json")
    # The wrapped log gives all four squares to the rebels on 2020-01-01.
    assert {r["actor"]: r["districts"] for r in rows}["rebels"] == 4


# -- the corpus and its README stay in step


def test_every_file_has_a_case_and_a_readme_row():
    files = {p.name for p in BAD.iterdir()} - COMPANIONS
    assert files == {c.file for c in CASES + ZONE_CASES}
    assert len(CASES) >= 30
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))
    assert listed == files | {"c_actors.toml"} | OWN_TESTS

"""conflictmap.values.plain: the one JSON-safe conversion used by the CLI writers, the report and the export."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd

from conflictmap.values import plain


def test_numpy_scalars_become_python_numbers():
    got = [plain(np.int64(3)), plain(np.float32(0.5)), plain(np.bool_(True))]
    assert got == [3, 0.5, True]
    assert [type(v) for v in got] == [int, float, bool]


def test_nan_and_infinities_become_none():
    assert [plain(v) for v in (math.nan, np.nan, np.float64("inf"), -math.inf, None)] == [None] * 5


def test_nested_dicts_and_lists_recursively():
    value = {1: [np.float64(1.5), (np.int64(2), np.nan)], "b": {"c": np.float64("-inf")}}
    assert plain(value) == {"1": [1.5, [2, None]], "b": {"c": None}}
    json.dumps(plain(value), allow_nan=False)  # raises if anything non-JSON is left


def test_strings_bytes_and_plain_values_pass_through():
    assert [plain(v) for v in ("x", b"y", 7, 2.5, False)] == ["x", b"y", 7, 2.5, False]


def test_every_writer_uses_it():
    # One helper for rows (values.plain_rows), used by the CLI's tabular writers and the report; the GeoJSON
    # properties go through plain too.
    from conflictmap import report
    from conflictmap.cli import output
    from conflictmap.export import _json_records
    from conflictmap.values import plain_rows

    assert output.plain_rows is plain_rows and report.plain_rows is plain_rows
    frame = pd.DataFrame({"a": [np.int64(1), np.nan], "b": [np.inf, 2.5], "c": [{"x": np.float64(0.25)}, None]})
    expected = [{"a": 1.0, "b": None, "c": {"x": 0.25}}, {"a": None, "b": 2.5, "c": None}]
    assert plain_rows(frame) == expected
    # Infinity used to reach json (allow_nan=False) from the export and fail; it is null now, as NaN is.
    assert [json.loads(r) for r in _json_records(frame)] == expected


def test_importing_it_loads_neither_numpy_nor_pandas():
    # cli/output imports it, and `conflictmap --help` must stay light.
    code = "import sys, conflictmap.values; print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

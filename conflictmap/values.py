"""Plain values: what json.dumps (with allow_nan=False) accepts.

Imports no numpy or pandas: cli/output uses it, and `conflictmap --help` must stay light.
"""

from __future__ import annotations

import math


def plain(value):
    """numpy/pandas scalars -> Python numbers, NaN and infinities -> None; dicts (str keys) and lists recursively."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> int/float/bool/str
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plain_rows(frame_or_rows) -> list[dict]:
    """A DataFrame's rows (or a list of dicts) as dicts of plain values with str keys, ready for json.dumps."""
    if hasattr(frame_or_rows, "to_dict"):
        frame_or_rows = frame_or_rows.to_dict("records")
    return [{str(k): plain(v) for k, v in row.items()} for row in frame_or_rows]

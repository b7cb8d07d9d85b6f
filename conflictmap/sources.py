"""Zone sources and what their classes mean: DeepStateMap's API export, the NZZ map, anything else.

A zone file's features carry a *label* (DeepState: the status in the
multilingual `name`; NZZ: `type`; a generic file: the actor field); a source
says which labels are held, by whom, and which are not held at all:

- DeepState API export: `name` is "Ukrainian /// English /// geoJSON.group.key".
  Occupied (`status.occupied`), Crimea and ORDLO/CADR/CALR (`territories.*`)
  are held; liberated (`status.dismissed*`) and grey zone (`status.unknown`)
  are not held; anything else (other countries' conflicts, airfields, arrows
  drawn as polygons) is dropped with a count, as are points and lines.
- NZZ (Liveuamap based): `{"value": FeatureCollection}`, `type` nochange /
  gains / losses with a `date`. `nochange` and `gains` are what the actor
  holds on that date; `losses` is what it lost, so not held. The date is the
  features' own, not the file name's.

Detection (when --source is not given) looks at the data, never at the file
name alone: NZZ is the `{"value": ...}` wrapper *and* `type` values that are
all NZZ kinds; DeepState is a `name` field whose values use the
"... /// ... /// geoJSON.x.y" form or DeepState's status words. Every other
file is generic. What was detected is always said in a note.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import UsageError
from .io import read_source_bytes

SOURCES = ("deepstate", "nzz", "generic")
NOT_HELD = "-"  # an --actor-map target: features with this label hold nothing
DEFAULT_HOLDER = "russia"  # who holds the DeepState / NZZ zones unless --actor says otherwise

NZZ_KINDS = ("nochange", "gains", "losses")
NZZ_HELD = ("nochange", "gains")

DEEPSTATE_HELD = ("occupied", "crimea", "ordlo")
DEEPSTATE_NOT_HELD = ("liberated", "grey")
DEEPSTATE_OTHER = "other"
# The key of "geoJSON.<group>.<key>" first (exact), then words of the Ukrainian and English labels.
_DS_KEYS = {
    "status.occupied": "occupied",
    "territories.crimea": "crimea",
    "territories.ordlo": "ordlo",
    "territories.cadr": "ordlo",
    "territories.calr": "ordlo",
    "territories.ordlr": "ordlo",
    "status.dismissed": "liberated",
    "status.dismissed_at": "liberated",
    "status.liberated": "liberated",
    "status.unknown": "grey",
    "status.grey": "grey",
    "status.gray": "grey",
}
_DS_WORDS = (  # order matters: "Звільнено" before "окуп", "Окупований Крим" is Crimea
    ("liberated", ("звільн", "liberat", "dismissed")),
    ("grey", ("статус невідомий", "сіра зона", "unknown status", "grey zone", "gray zone")),
    ("crimea", ("крим", "crimea")),
    ("ordlo", ("ордло", "ordlo", "cadr", "calr", "ордлр")),
    ("occupied", ("окупов", "occupied")),
)
_DS_KEY = re.compile(r"geojson\.([a-z_]+)\.([a-z0-9_#]+)", re.I)
_WRAPPED = re.compile(rb'^\s*\{\s*"([^"]+)"\s*:\s*\{')


def check_source(source: str | None) -> str | None:
    if source is None or source in SOURCES:
        return source
    raise UsageError(f"--source {source!r} is not a zone source; choose one of {', '.join(SOURCES)}")


def deepstate_class(name) -> str:
    """occupied / crimea / ordlo / liberated / grey, or other, from a DeepState feature's `name`."""
    text = " ".join(str(name or "").lower().split())
    m = _DS_KEY.search(text)
    if m:
        return _DS_KEYS.get(f"{m.group(1)}.{m.group(2)}", DEEPSTATE_OTHER)
    for kind, words in _DS_WORDS:
        if any(w in text for w in words):
            return kind
    return DEEPSTATE_OTHER


def looks_deepstate(names) -> bool:
    """Names in DeepState's "uk /// en /// geoJSON.x.y" form, or with its status words."""
    values = [str(n) for n in names if isinstance(n, str) and n.strip()]
    if not values:
        return False
    marked = sum("///" in v and _DS_KEY.search(v) is not None for v in values)
    known = sum(deepstate_class(v) != DEEPSTATE_OTHER for v in values)
    return marked > 0 or known == len(values)


def wrapped_collection(path: Path) -> tuple[str, dict] | None:
    """(key, FeatureCollection) of a JSON file holding one FeatureCollection under one key ({"value": ...})."""
    stdin = str(path) == "-"
    if not stdin and Path(path).suffix.lower() not in (".json", ".geojson"):
        return None
    if stdin:
        head = read_source_bytes(path)[:512]
    else:
        with open(path, "rb") as fh:
            head = fh.read(512)
    m = _WRAPPED.match(head)
    if not m or m.group(1).decode("utf-8", "replace") in (
        "type",
        "features",
        "crs",
        "name",
        "bbox",
        "properties",
        "geometry",
        "id",
    ):
        return None
    try:
        doc = json.loads(read_source_bytes(path) if stdin else Path(path).read_bytes())
    except (ValueError, RecursionError):
        return None  # not JSON after all: the reader gives the parse error
    if not isinstance(doc, dict):
        return None
    key = m.group(1).decode("utf-8", "replace")
    inner = doc.get(key)
    if isinstance(inner, dict) and inner.get("type") == "FeatureCollection" and (len(doc) == 1 or key == "map"):
        return key, inner
    return None


def is_nzz(collection: dict) -> bool:
    kinds = {((f or {}).get("properties") or {}).get("type") for f in collection.get("features") or []}
    return bool(kinds) and kinds <= set(NZZ_KINDS)


def parse_actor_map(text: str | None) -> dict:
    """'nochange=russia,gains=russia,losses=-' -> {label: actor or '-'}; a UsageError for a malformed map."""
    if not text:
        return {}
    out = {}
    for item in text.split(","):
        if not item.strip():
            continue
        label, sep, actor = item.partition("=")
        label, actor = label.strip(), actor.strip()
        if not sep or not label or not actor:
            raise UsageError(
                f"--actor-map {text!r}: write label=actor pairs separated by commas "
                f"(e.g. 'occupied=russia,liberated=-'; '-' for not held), not {item.strip()!r}"
            )
        if label in out and out[label] != actor:
            raise UsageError(f"--actor-map: label {label!r} is given twice ({out[label]!r} and {actor!r})")
        out[label] = actor
    return out


def default_map(source: str, holder: str) -> dict:
    """What each label of a source means: the holder's label -> holder, the others -> not held."""
    if source == "nzz":
        return {k: holder if k in NZZ_HELD else NOT_HELD for k in NZZ_KINDS}
    if source == "deepstate":
        kinds = DEEPSTATE_HELD + DEEPSTATE_NOT_HELD + (DEEPSTATE_OTHER,)
        return {k: holder if k in DEEPSTATE_HELD else NOT_HELD for k in kinds}
    return {}


def describe(source: str) -> str:
    return {
        "deepstate": "DeepStateMap API export (status from the multilingual 'name')",
        "nzz": "NZZ map export ({\"value\": ...}, 'type' nochange/gains/losses, dates from the features)",
        "generic": "generic zones",
    }[source]

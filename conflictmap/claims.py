"""Published claims checked against the data: "the army holds 85% of what the rebels held on 15 November".

A claims table has one row per published statement: `date, actor, measure, value` and optionally
`baseline_date, baseline_actor` (of what that actor held on that date), `tolerance`, `who`, `source`,
`claim`. Each row gets the figure the data gives on its date, the distance from the claimed value or
range, and a verdict: `consistent` (within the tolerance), `higher` or `lower` (the data's figure is
above or below the claim).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from .errors import InputError, UsageError
from .figures import pct_name, shares
from .io import label, read_records
from .land import mask_name, on_land
from .baseline import Baseline
from .tolerance import NOISE
from .model import parse_date

__all__ = ["read_claims", "check_claims"]

MEASURES = ("districts", "districts_pct", "area_km2", "area_pct", "population", "population_pct")
# Words published tables use for a measure. 'city' is a share of every district (no baseline).
MEASURE_WORDS = {
    "area": "area_pct",
    "territory": "area_pct",
    "neighbourhoods": "districts_pct",
    "neighborhoods": "districts_pct",
    "city": "area_pct",
    "km2": "area_km2",
    "people": "population",
}
NOT = re.compile(r"^(not|everyone but|all but)\s+", re.IGNORECASE)
NUMBER = r"[-+]?\d+(?:\.\d+)?"
RANGE = re.compile(rf"^({NUMBER})\s*(?:-|–|—|to)\s*({NUMBER})$")
BOUND = re.compile(rf"^(>=|<=|≥|≤|>|<|more than|over|at least|less than|under|at most)\s*({NUMBER})$", re.IGNORECASE)
ABOVE = (">", ">=", "≥", "more than", "over", "at least")
DEFAULT_TOLERANCE = 5.0


@dataclass(frozen=True)
class Claim:
    where: str  # 'claims.csv line 4'
    date: dt.date
    actor: str  # as written; 'not rebels' is everyone but the rebels
    measure: str  # one of MEASURES
    value: str  # as written: 85, 80-90, >70
    low: float  # the claimed range (-inf / inf for an open bound)
    high: float
    baseline_date: dt.date | None = None
    baseline_actor: str | None = None
    tolerance: float | None = None  # from the row; None: the command's
    who: str = ""
    source: str = ""
    text: str = ""


PERCENT = re.compile(r"\s*(?:%|\bper\s*cent\b|\bpercent\b|\bpct\b)\s*", re.IGNORECASE)
DECIMAL_COMMA = re.compile(r"\d,\d{1,2}(?!\d)")  # 85,5 (a decimal comma), not 1,000 (a thousands separator)


def parse_value(text: str, where: str) -> tuple[float, float]:
    """'85', '85%', '85 percent', '80-90', '>70', 'at least 70' as (low, high); an InputError for anything else."""
    raw = PERCENT.sub(" ", text).strip()
    if DECIMAL_COMMA.search(raw):
        raise InputError(
            f"{where}: value {text!r} has a decimal comma; write it with a point, e.g. {raw.replace(',', '.')}"
        )
    try:
        if RANGE.match(raw):
            low, high = (float(g) for g in RANGE.match(raw).groups())
            if low > high:
                raise InputError(
                    f"{where}: range {text!r} has its low end above its high end; write it low-high, e.g. {high:g}-{low:g}"
                )
            return low, high
        if BOUND.match(raw):
            word, number = BOUND.match(raw).groups()
            return (float(number), math.inf) if word.lower() in ABOVE else (-math.inf, float(number))
        number = float(raw) if re.fullmatch(NUMBER, raw) else math.nan  # not float()'s '85_0' (850) or '1e3'
        if math.isfinite(number):
            return number, number
    except ValueError:
        pass
    raise InputError(f"{where}: value {text!r} is not a number, a range (80-90) or a bound (>70, <30)")


def parse_measure(text: str, where: str) -> str:
    key = text.strip().lower().replace(" ", "_").replace("%", "_pct")
    key = MEASURE_WORDS.get(key, key)
    if key not in MEASURES:
        raise InputError(
            f"{where}: unknown measure {text!r}; use one of {', '.join(MEASURES)} "
            f"(or {', '.join(sorted(MEASURE_WORDS))})"
        )
    return key


def _tolerance(text: str, where: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace("%", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{where}: tolerance {text!r} is not a number >= 0")
    return value


def _claim(rec: dict) -> Claim:
    where = rec["_where"]
    get = lambda key: (rec.get(key) or "").strip()  # noqa: E731
    for key in ("date", "actor", "measure", "value"):
        if not get(key):
            raise InputError(f"{where}: no {key}; every claim needs date, actor, measure and value")
    measure = parse_measure(get("measure"), where)
    base_date, base_actor = get("baseline_date") or get("baseline"), get("baseline_actor")
    if bool(base_date) != bool(base_actor):
        raise InputError(f"{where}: baseline_date and baseline_actor go together; give both or neither")
    if base_actor and get("measure").lower() == "city":
        raise InputError(f"{where}: measure 'city' is a share of every district and takes no baseline; use area_pct")
    if base_actor and not measure.endswith("_pct"):
        raise InputError(
            f"{where}: a baseline needs a percent measure (districts_pct, area_pct, population_pct), not {measure}"
        )
    low, high = parse_value(get("value"), where)
    if not measure.endswith("_pct") and PERCENT.search(get("value")):
        raise InputError(
            f"{where}: value {get('value')!r} is a percent, but {measure} is an absolute measure; "
            f"use {pct_name(measure)} for a percent, or give the value without %"
        )
    ends = [v for v in (low, high) if math.isfinite(v)]
    if measure.endswith("_pct") and any(v < 0 or v > 100 for v in ends):
        raise InputError(
            f"{where}: value {get('value')!r} is not a percent of anything ({measure} is 0-100); "
            "check the value, or give an absolute measure (districts, area_km2, population)"
        )
    return Claim(
        where,
        parse_date(get("date"), where),
        get("actor"),
        measure,
        get("value"),
        low,
        high,
        parse_date(base_date, where) if base_date else None,
        base_actor or None,
        _tolerance(get("tolerance"), where),
        get("who"),
        get("source"),
        get("claim"),
    )


def read_claims(source, encoding: str | None = None) -> list[Claim]:
    """The claims of a CSV/TSV/JSON/NDJSON table; the first bad row is an InputError naming its line."""
    records = read_records(source, encoding, "claims table", "date,actor,measure,value")
    if not records:
        raise InputError(f"{label(source)}: no claims; expected a header line 'date,actor,measure,value'")
    missing = [c for c in ("date", "actor", "measure", "value") if c not in records[0]]
    if missing:
        raise InputError(
            f"{label(source)}: no column {', '.join(missing)}; a claims table has columns "
            "date,actor,measure,value and optionally baseline_date,baseline_actor,tolerance,who,source,claim"
        )
    return [_claim(rec) for rec in records]


def _actors(ds, claim: Claim, table) -> tuple[list[str], str]:
    """The share-table rows a claim's actor sums (a group its members, 'not X' every other row) and its label."""
    name = NOT.sub("", claim.actor)
    members = _members(ds, name, claim.where)
    if name == claim.actor:
        return members, ", ".join(members) if ds.actors.is_group(name) else members[0]
    return [a for a in table["actor"] if a not in members], f"all but {', '.join(members)}"


def _members(ds, name: str, where: str) -> list[str]:
    try:
        return ds.actors.resolve_query(name, "actor")
    except UsageError as exc:
        raise InputError(f"{where}: {exc}") from None


def _denominator(ds, claim: Claim, members: list[str] | None) -> str:
    kind = claim.measure.split("_")[0]
    unit = {"districts": "districts", "area": "km²", "population": "people"}[kind]
    land = ds.inputs.land if kind == "area" else None  # with a land mask a district's km² are its land's
    if not claim.measure.endswith("_pct"):
        return f"{unit} of land inside {mask_name(land)}" if land else unit
    if claim.baseline_date:
        return f"{unit} of what {', '.join(members)} held on {claim.baseline_date.isoformat()}"
    return f"{unit} of {on_land(f'all {len(ds.districts)} districts', land)}"


def check_claims(ds, claims: list[Claim], tolerance: float = DEFAULT_TOLERANCE, sure=None) -> list[dict]:
    """Per claim: the data's figure on its date, its distance from the claim, the tolerance and a verdict.

    `tolerance` is in percentage points for percent measures and in percent of the claimed value for
    counts, km² and people; a row's own `tolerance` column overrides it. The reported `tolerance` is
    always in the measure's unit, so that |difference| <= tolerance means consistent.

    With `sure` (the dataset of the surer changes only, conflictmap.confidence.filtered) each figure is a
    range, `figure_low`..`figure_high`, from the two datasets, and the difference is the gap between that
    range and the claim's (0 when they overlap).
    """
    tables: dict = {}
    out = []
    for claim in claims:
        if claim.measure.startswith("population") and not ds.has_population:
            raise InputError(
                f"{claim.where}: measure {claim.measure} needs a population field in the districts "
                "(--population-field) or a population raster"
            )
        base_members = _members(ds, claim.baseline_actor, claim.where) if claim.baseline_actor else None
        figures = []
        for data in (ds, sure) if sure is not None else (ds,):
            key = (id(data), claim.date, claim.baseline_date, tuple(base_members or ()))
            if key not in tables:
                base = (
                    Baseline(claim.baseline_date, tuple(base_members), claim.baseline_actor) if base_members else None
                )
                tables[key] = shares(data, claim.date, "districts", base)
            table = tables[key]
            rows, who = _actors(ds, claim, table)
            figures.append(
                float(table.loc[table["actor"].isin(rows), claim.measure].sum())
            )  # columns are named as MEASURES
        out.append(
            _verdict(claim, figures, tolerance)
            | {"actor_rows": who, "denominator": _denominator(ds, claim, base_members)}
        )
    return [_ordered(r, sure is not None) for r in out]


def _verdict(claim: Claim, figures: list[float], tolerance: float) -> dict:
    """The verdict of a figure (or of the range of figures: every row, surer changes only) on a claim."""
    given = claim.tolerance if claim.tolerance is not None else tolerance
    if claim.measure.endswith("_pct"):
        allowed = given
    else:
        finite = [abs(v) for v in (claim.low, claim.high) if math.isfinite(v)]
        allowed = given / 100 * max(finite)
    low, high = min(figures), max(figures)
    if high < claim.low:
        difference = high - claim.low
    elif low > claim.high:
        difference = low - claim.high
    else:
        difference = 0.0
    verdict = "consistent" if abs(difference) <= allowed + NOISE else ("higher" if difference > 0 else "lower")
    return {
        "claim": claim,
        "figure": figures[0],
        "figure_low": low,
        "figure_high": high,
        "difference": difference,
        "tolerance": allowed,
        "verdict": verdict,
    }


def _ordered(r: dict, with_range: bool = False) -> dict:
    c: Claim = r["claim"]
    spread = {"figure_low": r["figure_low"], "figure_high": r["figure_high"]} if with_range else {}
    return {
        "line": int(c.where.rsplit(" ", 1)[-1]) if c.where.rsplit(" ", 1)[-1].isdigit() else c.where,
        "date": c.date.isoformat(),
        "actor": c.actor,
        "measure": c.measure,
        "baseline": f"{c.baseline_actor} on {c.baseline_date.isoformat()}" if c.baseline_date else "",
        "claimed": c.value,
        "claimed_low": c.low if math.isfinite(c.low) else None,
        "claimed_high": c.high if math.isfinite(c.high) else None,
        "figure": r["figure"],
        **spread,
        "difference": r["difference"],
        "tolerance": r["tolerance"],
        "verdict": r["verdict"],
        "of": r["denominator"],
        "actors_summed": r["actor_rows"],
        "who": c.who,
        "source": c.source,
    }

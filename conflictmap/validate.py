"""Every problem in the inputs at once (`conflictmap validate`).

The loaders of districts.py and control.py run their own checks in collecting
mode (errors.Checks(collect=True)), so a check is written once and either
raises (every other command) or is listed here. This module adds the checks
that only make sense for a review of the inputs: districts overlapping each
other, a log not sorted by date, rows after the date of interest.

Levels: an *error* is what the other commands refuse (they stop on it); a
*warning* is what they accept but an analyst should look at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from . import geodesy
from .aliases import check_names, district_index, suggested_aliases
from .control import from_problems, future_problem, parse_rows, read_log_records, settle
from .dataset import initial_holder
from .districts import districts_of
from .errors import Checks, ConflictmapError, InputError, Problem
from .io import label
from .matching import Lookups
from .model import UNKNOWN, name_key
from .actors import Actors, load_actors
from .project import Inputs

OVERLAP_TOLERANCE = 0.001  # overlaps up to 0.1% of the smaller district are digitising noise
COLUMNS = ["level", "file", "location", "message"]


@dataclass
class Validation:
    """The problems found, in the order the inputs were read, and the files they refer to."""

    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)  # suggested aliases (aliases.suggested_aliases)

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for p in self.problems)

    def counts(self) -> str:
        return f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')}"

    def summary(self) -> str:
        return f"{self.counts()} in {', '.join(self.files) or 'no inputs'}"

    def rows(self) -> list[dict]:
        """One dict per problem: level, file, location in the file (line, feature), message."""
        return [{"level": p.level, **_split_where(p.where, self.files), "message": p.message} for p in self.problems]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _split_where(where: str, files: list[str]) -> dict:
    for name in sorted(files, key=len, reverse=True):
        if where == name or where.startswith(name + " "):
            return {"file": name, "location": where[len(name) :].strip()}
    return {"file": "", "location": where}


def validate(inputs: Inputs, until: dt.date | None = None, today: dt.date | None = None) -> Validation:
    """Check districts, control log and actors (already resolved by project.resolve); never raises InputError.

    `today` (default: the clock's) is the date after which log rows are flagged as likely typos."""
    checks = Checks(collect=True)
    actors = _actors(inputs, checks)
    districts = _districts(inputs, checks)
    _initial(inputs, actors, checks)
    index = _control(inputs, districts, actors, until, checks, today) if inputs.control else None
    files = [label(p) for p in (inputs.districts, inputs.control, inputs.actors, *inputs.aliases) if p]
    suggested = suggested_aliases(index) if index is not None and districts is not None else []
    return Validation(checks.problems, files, suggested)


def _record(checks: Checks, exc: ConflictmapError, source) -> None:
    """A fatal error of one input file as a problem of that file."""
    problem = Problem.from_error(exc, label(source))
    if not problem.where:  # some readers name the file as pathlib prints it ('./a.toml' -> 'a.toml')
        problem = Problem.from_error(exc, str(Path(source)))
        problem.where = problem.where.replace(str(Path(source)), label(source), 1)
    checks.add_problem(problem)


def _actors(inputs: Inputs, checks: Checks) -> Actors:
    try:
        return load_actors(inputs.actors)
    except InputError as exc:
        _record(checks, exc, inputs.actors)
        return Actors()  # carry on without: every actor name is accepted


def _districts(inputs: Inputs, checks: Checks):
    """The districts that could be read (bad features keep their id, with an empty geometry), or None."""
    if not inputs.districts:
        return None
    try:
        gdf, _, _ = districts_of(inputs, checks)
    except InputError as exc:
        _record(checks, exc, inputs.districts)
        return None
    for problem in overlap_problems(gdf, label(inputs.districts)):
        checks.add_problem(problem)
    check_names(gdf, label(inputs.districts), checks)
    return gdf


def _initial(inputs: Inputs, actors: Actors, checks: Checks) -> None:
    if inputs.initial and actors.strict:
        try:
            actors.resolve_query(inputs.initial, "--initial")
        except ConflictmapError as exc:
            checks.add("error", "--initial", str(exc))


def _control(inputs: Inputs, districts, actors: Actors, until, checks: Checks, today: dt.date | None = None):
    """Check the log; returns the district index it was read with (its lookups feed --write-aliases)."""
    source = label(inputs.control)
    index = (
        district_index(districts, inputs, checks, label(inputs.districts)) if districts is not None else AnyDistrict()
    )
    try:
        rows = parse_rows(read_log_records(inputs.control, inputs.encoding), source, index, actors, checks)
    except InputError as exc:  # unreadable, or a required column is missing: no row can be checked
        _record(checks, exc, inputs.control)
        return index
    log = settle(rows, checks)
    _confidence(inputs, log, checks)
    for problem in from_problems(rows, _initial_holder(inputs, actors), "error"):
        checks.add_problem(problem)
    order = order_problem(rows)
    if order:
        checks.add_problem(order)
    for problem in after_problems(rows, until):
        checks.add_problem(problem)
    future = future_problem(log, today)
    if future:
        checks.add_problem(future)
    return index


def _confidence(inputs: Inputs, log, checks: Checks) -> None:
    """With an order of confidence levels set (project or actors file), a label outside it is an error."""
    from .confidence import check_labels, load_levels

    try:
        levels = load_levels(inputs)
    except InputError:  # an unreadable actors or project file is reported where it is read
        return
    try:
        if levels.origin and len(log):
            check_labels(log, levels)
    except InputError as exc:
        checks.add_problem(Problem.from_error(exc, label(inputs.control)))


def _initial_holder(inputs: Inputs, actors: Actors) -> str:
    """--initial as a canonical actor ('regime' is 'government'); unknown when absent or not an actor (reported apart)."""
    try:
        return initial_holder(actors, inputs.initial)
    except ConflictmapError:
        return UNKNOWN


class AnyDistrict:
    """Stands in for the district index when the districts could not be read: every name is accepted."""

    def __init__(self):
        self.ids: list[str] = []
        self.names = self.ids
        self._seen: dict[str, int] = {}
        self.lookups = Lookups()

    def find_all(self, text: str, where: str) -> tuple:
        key = name_key(text) or text
        if key not in self._seen:
            self._seen[key] = len(self.ids)
            self.ids.append(text)
        return (self._seen[key],)


def order_problem(rows: list[dict]) -> Problem | None:
    """One warning when the log is not sorted by date: where it first goes back, and how often."""
    if len(rows) < 2:
        return None
    days = np.array([r["date"].toordinal() for r in rows])
    latest = np.maximum.accumulate(days)
    back = np.flatnonzero(days[1:] < latest[:-1]) + 1
    if not len(back):
        return None
    first = int(back[0])
    top = int(np.argmax(days[:first]))
    return Problem(
        "warning",
        rows[first]["where"],
        f"dated {rows[first]['date'].isoformat()}, after a row dated {rows[top]['date'].isoformat()} ({rows[top]['where']}): "
        f"the log is not sorted by date ({_count(len(back), 'row')} go back in time); "
        "figures do not depend on row order, but a sorted log is easier to check",
    )


def after_problems(rows: list[dict], until: dt.date | None) -> list[Problem]:
    """A warning for each row dated after the last date of interest (a typo in the year, often)."""
    if until is None:
        return []
    return [
        Problem(
            "warning",
            r["where"],
            f"dated {r['date'].isoformat()}, after --until {until.isoformat()}; check the year, or move --until",
        )
        for r in rows
        if r["date"] > until
    ]


def overlap_problems(districts, source: str, tolerance: float = OVERLAP_TOLERANCE) -> list[Problem]:
    """A warning for each pair of districts overlapping by more than `tolerance` of the smaller one.

    Candidate pairs come from an STRtree; pairs that only share a border are
    dropped before any intersection is computed; overlap areas are geodesic.
    """
    geoms = np.asarray(districts.geometry.values)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    inside = ~shapely.touches(geoms[left], geoms[right])
    left, right = left[inside], right[inside]
    overlap = _polygonal_area_km2(shapely.intersection(geoms[left], geoms[right]))
    area = districts["area_km2"].to_numpy(dtype=float)
    smaller = np.minimum(area[left], area[right])
    big = overlap > tolerance * smaller
    order = np.lexsort((right[big], left[big]))
    return [
        _overlap(districts, source, i, j, km2, km2 / small)
        for i, j, km2, small in zip(left[big][order], right[big][order], overlap[big][order], smaller[big][order])
    ]


def _polygonal_area_km2(geoms) -> np.ndarray:
    """Geodesic area of the polygonal parts (an intersection may mix polygons with shared edges)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    return np.bincount(owner, weights=geodesy.area_km2(parts), minlength=len(geoms))


def _overlap(districts, source: str, i: int, j: int, km2: float, fraction: float) -> Problem:
    ids = districts["id"].to_numpy()
    if "feature" in districts:
        features = districts["feature"].to_numpy()
        if features[j] < features[i]:  # named in file order
            i, j = j, i
        where = f"{source} features {features[i]} and {features[j]}"
    else:
        where = source
    return Problem(
        "warning",
        where,
        f"districts {ids[i]!r} and {ids[j]!r} overlap by {km2:.4g} km² ({100 * fraction:.3g}% of the smaller); "
        "that area is counted twice in totals: fix the boundaries (e.g. mapshaper -clean)",
    )

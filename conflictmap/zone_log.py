"""A control log from dated zones, as one request: what `conflictmap overlay` does, for any caller.

The command line parses its options into an OverlayRequest, calls make_log once and renders what comes
back; a script does the same without the command line. Every finding (the zones' warnings, the land
mask's, a break in the series, the zone area that fell in no district) is returned, never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pathlib import Path

from .errors import Problem, UsageError
from .model import UNKNOWN
from .project import Inputs

__all__ = ["OverlayRequest", "OverlayLog", "make_log", "coverage_note"]


@dataclass(frozen=True)
class OverlayRequest:
    """What to overlay on what, and how.

    Attributes
    ----------
    zones : tuple of str
        Zone files or folders.
    inputs : Inputs
        The districts (with their id and name fields, --dissolve), the actors file and the land mask, as
        given; a project file fills what is not given. The bundled sample is never used.
    rule : str
        fraction (area shares), majority or centroid (see overlay.check_rule).
    rest : str
        Who holds the area no zone covers.
    min_share : float
        The fraction rule's sliver threshold.
    every_date : bool
        A row for every district on every date, not only when its shares change.
    scheduler : str, optional
        Dask scheduler (distributed.runner).
    zone_options : dict
        The keyword options of zones.load_zones (actor, actor_field, date_field, from_name, allow_overlap,
        source, where, actor_map).
    """

    zones: tuple
    inputs: Inputs
    rule: str = "fraction"
    rest: str = "unknown"
    min_share: float = 0.0
    every_date: bool = False
    scheduler: str | None = None
    zone_options: dict = field(default_factory=dict)


@dataclass
class OverlayLog:
    """The log and what was found on the way: `problems` to report, `note` on the zone area in no district."""

    log: object  # DataFrame: date, district, controller, share, source, note
    districts: object  # the districts as measured (cut to the land mask when there is one)
    zoneset: object
    problems: list
    note: str


def check_request(request: OverlayRequest) -> tuple[Inputs, object]:
    """Before any data is read: the rule, the scheduler and the districts to measure (resolved inputs, run)."""
    from .distributed import runner
    from .overlay import check_rule
    from .project import resolve

    check_rule(request.rule, request.min_share)
    run = runner(request.scheduler)
    resolved = resolve(request.inputs)
    if not resolved.districts or (not request.inputs.districts and resolved.project is None):
        raise UsageError(
            "overlay needs the districts to measure: give --districts FILE (or name them in conflictmap.toml)"
        )
    return resolved, run


def make_log(request: OverlayRequest, resolved: Inputs | None = None, run=None, progress=None) -> OverlayLog:
    """The control log of `request` (see overlay.overlay_result for the rules).

    Parameters
    ----------
    request : OverlayRequest
    resolved, run : optional
        What check_request returned, when the caller checked the request before (e.g. before its
        output file was checked); else it is checked here.
    progress : callable, optional
        progress(stage) -> a callback for that stage's steps (cli.progress.ProgressBar.stage).
    """
    from .actors import load_actors
    from .overlay import overlay_result
    from .zones import check_rest, load_zones

    if resolved is None:
        resolved, run = check_request(request)
    stage = progress or (lambda name: None)
    actors = load_actors(resolved.actors)
    rest = actors.canonical(request.rest, "--rest")
    if request.zone_options.get("actor"):  # before reading anything
        check_rest(rest, [actors.canonical(request.zone_options["actor"], "--actor")])
    zoneset = load_zones(request.zones, actors=actors, progress=stage("reading zones"), **request.zone_options)
    check_rest(rest, zoneset.actors)  # actors named by a field or --actor-map
    places, mask, problems = _districts(resolved)
    result = overlay_result(
        places,
        zoneset,
        request.rule,
        rest,
        request.min_share,
        request.every_date,
        run=run,
        progress=stage("overlay"),
        mask=mask and mask.geometry,
        mask_label=mask and Path(mask.source).name,
    )
    problems = list(zoneset.problems) + problems + _breaks(result.coverage, places, zoneset)
    if mask is None and rest != UNKNOWN:
        # A warning, not a note: nothing here tells sea from land (zones and districts alone cannot), and a
        # coastal district's sea given to --rest is a wrong share (Sevastopol 71% Ukrainian), not a detail.
        problems.append(
            Problem(
                "warning",
                "",
                f"no land mask (--clip): the area no zone covers goes to {rest}, with any sea or land abroad "
                "inside the districts; if they reach into the sea or across a border (admin units often do), "
                "give the land boundary with --clip FILE (and the same file to later commands with --land)",
            )
        )
    return OverlayLog(result.log, places, zoneset, problems, coverage_note(result.coverage, mask))


def _districts(inputs: Inputs):
    """(districts, land mask or None, problems): the districts cut to the mask when there is one."""
    from .districts import districts_of

    places, fields, _ = districts_of(inputs, population=False)
    if not inputs.land:
        return places, None, list(fields.problems)
    from .land import load_land

    places, mask, problems = load_land(places, inputs.land)
    # The mask's note is part of the coverage note.
    return places, mask, list(fields.problems) + [p for p in problems if p.level != "note"]


def _breaks(coverage, places, zoneset) -> list[Problem]:
    """A step of the series that looks like a change of definition: a warning naming both files."""
    from .zones import series_breaks, sources_by_date

    table = coverage.rename(columns={"zone_km2": "area_km2"})[["date", "actor", "area_km2"]]
    return series_breaks(table, float(places["area_km2"].sum()), sources_by_date(zoneset))


def coverage_note(table, mask) -> str:
    """How much zone area fell in no district (and what the mask cut): never dropped silently."""
    from .text import area

    parts = []
    for actor, rows in table.groupby("actor", sort=True):
        worst = rows.loc[rows["outside_km2"].idxmax()]
        pct = 100 * worst["outside_km2"] / worst["zone_km2"] if worst["zone_km2"] else 0.0
        where = " inside the land mask" if mask else ""
        parts.append(
            f"{actor}'s zone{where} in no district: up to {area(worst['outside_km2'])} "
            f"({pct:.1f}% of it, {worst['date']}); not in any share"
        )
    if mask:
        parts.append(f"district area outside the land mask: {area(mask.outside_km2)} (not counted)")
        parts.append(mask.uncovered())
    return "; ".join(parts)

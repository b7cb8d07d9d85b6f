"""Districts, control log and actors loaded together; areas computed once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from .aliases import check_names, district_index
from .control import empty_log, load_control
from .districts import Fields, districts_of
from .errors import Checks, FieldError, UsageError
from .io import label
from .model import UNKNOWN
from .actors import Actors, actors_from_table, load_actors
from .project import Inputs

__all__ = ["Dataset", "load_dataset"]


@dataclass
class Dataset:
    districts: object  # GeoDataFrame: id, name, [population], area_km2, geometry (EPSG:4326)
    log: object  # DataFrame: control.LOG_COLUMNS, shares per (district, date) summing to 1
    actors: Actors
    initial: str = UNKNOWN
    fields: Fields = field(default_factory=Fields)
    source_crs: str = "EPSG:4326"
    inputs: Inputs = field(default_factory=Inputs)
    problems: list = field(default_factory=list)

    @property
    def has_population(self) -> bool:
        return "population" in self.districts.columns

    @property
    def dates(self) -> list[dt.date]:
        return [d.date() for d in sorted(self.log["date"].unique())]

    @property
    def last_date(self) -> dt.date | None:
        return self.log["date"].max().date() if len(self.log) else None

    @property
    def first_date(self) -> dt.date | None:
        return self.log["date"].min().date() if len(self.log) else None


def load_dataset(inputs: Inputs, describe: bool = False) -> Dataset:
    """Load what `inputs` names (already resolved by project.resolve).

    Parameters
    ----------
    inputs : project.Inputs
        The districts, control log, actors file, land mask and field names.
    describe : bool
        For `info`: districts sharing an id are kept and listed instead of refused.

    Returns
    -------
    Dataset
        The districts (geodesic km² on WGS84 in `area_km2`), the settled log, the actors, the initial
        holder and the non-fatal problems found (`problems`, for the caller to report).
    """
    actors = load_actors(inputs.actors)
    stored, stored_initial = stored_actors(inputs.control)
    if stored is not None and not inputs.actors:  # our own GeoPackage export carries its actors and initial holder
        actors = stored
    if stored_initial and not inputs.initial:
        inputs = replace(inputs, initial=stored_initial)
    try:
        districts, fields, source_crs = districts_of(inputs, describe=describe)
    except FieldError as exc:  # a field the project file names is that file's error, not an option's
        raise (exc.named_in(inputs.project) if exc.setting in inputs.from_project else exc) from None
    if inputs.population_raster:  # people per district from a raster (conflictmap.raster)
        from .raster import with_raster_population

        districts = with_raster_population(districts, inputs.population_raster)
    problems = list(fields.problems)
    if inputs.land:  # shares and km² of a district refer to its part inside the mask
        from .land import load_land

        districts, _, land_problems = load_land(districts, inputs.land)
        problems += land_problems
    check_names(districts, label(inputs.districts), Checks(problems))
    initial = initial_holder(actors, inputs.initial)
    if inputs.control:
        index = district_index(districts, inputs, source=label(inputs.districts))
        log, log_problems = load_control(inputs.control, index, actors, encoding=inputs.encoding, initial=initial)
        problems += log_problems
        from .land import mask_hint  # an overlay's log measured on land: its km² want the same mask

        problems += mask_hint(log, label(inputs.control), inputs.land)
    else:
        log = empty_log()
    return Dataset(districts, log, actors, initial, fields, source_crs, inputs, problems)


def stored_actors(control) -> tuple:
    """(Actors, initial) from the actors table of a GeoPackage control log written by export, else (None, None)."""
    if not control or not str(control).lower().endswith(".gpkg"):
        return None, None
    from .io import read_table_layer

    rows = read_table_layer(control, "actors")
    return actors_from_table(rows) if rows else (None, None)


def initial_holder(actors: Actors, name: str | None) -> str:
    """The controller before a district's first row; with an actors file it must be a known actor."""
    if not name:
        return UNKNOWN
    if actors.is_group(name):
        raise UsageError(f"--initial {name!r} is a group; name one actor (members: {', '.join(actors.members(name))})")
    if actors.strict:
        return actors.resolve_query(name, "--initial")[0]
    return actors.canonical(name)

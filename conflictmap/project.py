"""Where the inputs come from: options, a conflictmap.toml project file, or the bundled sample."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import InputError, UsageError
from .io import check_one_stdin, read_toml

PROJECT_FILE = "conflictmap.toml"
PATH_KEYS = ("districts", "control", "actors", "aliases", "land", "population_raster")
# Settings that describe one input file: a project's apply to the project's own file only.
DISTRICT_KEYS = (
    "id_field",
    "name_field",
    "population_field",
    "alt_name_field",
    "dissolve",
    "aliases",
    "districts_layer",
    "districts_encoding",
)
CONTROL_KEYS = ("encoding",)


@dataclass(frozen=True)
class Inputs:
    """Everything needed to load a dataset; None means 'not given'."""

    districts: str | None = None
    control: str | None = None
    actors: str | None = None
    initial: str | None = None
    id_field: str | None = None
    name_field: str | None = None
    population_field: str | None = None
    alt_name_field: str | None = None  # other name fields whose names also match (comma-separated)
    dissolve: bool = False
    districts_layer: str | None = None  # the layer of a districts file with several (a GeoPackage)
    districts_encoding: str | None = None  # of a Shapefile's DBF without a .cpg (cp1256, utf-8)
    aliases: tuple = ()  # aliases files: reported spellings -> districts
    strict_names: bool = False  # a name matched only by the looser tier is an error
    encoding: str | None = None  # of the text tables (log, aliases), when not UTF-8
    project: str | None = None
    from_project: tuple = ()  # the keys whose values came from the project file (its errors name the file)
    land: str | None = None  # land mask: districts are measured on their part inside it (conflictmap.land)
    confidence_levels: str | None = None  # "confirmed > reported > claimed > inferred" (conflictmap.confidence)
    population_raster: str | None = None  # a GeoTIFF of people per cell: population per district (conflictmap.raster)

    def paths(self) -> list[str]:
        return [p for p in (self.districts, self.control, self.actors, *self.aliases, self.project, self.land) if p]


def sample_dir() -> Path:
    """The bundled Aleppo 2016 sample: inside the installed package, else the source checkout's data/."""
    here = Path(__file__).resolve().parent
    for folder in (here / "_data" / "aleppo-2016", here.parent / "data" / "aleppo-2016"):
        if (folder / "districts.geojson").exists():
            return folder
    raise InputError("the bundled sample is missing from this installation; reinstall conflictmap or give --districts")


SAMPLE_CREDIT = (
    "the bundled Aleppo 2016 sample: Columbia CSR neighbourhood polygons (MIT), "
    "control log from public reports (data/README.md)"
)


def is_sample(path) -> bool:
    """Whether a path is a file of the bundled sample (its maps and charts say so)."""
    try:
        return bool(path) and Path(path).resolve().parent == sample_dir().resolve()
    except InputError:
        return False


def sample_inputs() -> Inputs:
    folder = sample_dir()
    return Inputs(
        districts=str(folder / "districts.geojson"),
        control=str(folder / "control.csv"),
        actors=str(folder / "actors.toml"),
    )


def read_project(path: Path) -> Inputs:
    data = read_toml(
        path,
        InputError(f"{path}: project file not found; check the path given to --project"),
        'a project file holds keys such as districts = "districts.geojson"',
    )
    known = {f.name for f in fields(Inputs)} - {"project", "from_project"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}")
    values = dict(data)
    if isinstance(values.get("aliases"), str):
        values["aliases"] = [values["aliases"]]
    for key, value in values.items():
        _check_type(path, key, value)
    for key in PATH_KEYS:  # paths in a project file are relative to the file, so cron can run anywhere
        if key == "aliases" and key in values:
            values[key] = tuple(str(path.parent / p) for p in values[key])
        elif key in values and values[key] != "-":
            values[key] = str((path.parent / values[key]))
    if "encoding" in values:
        values["encoding"] = _project_encoding(path, values["encoding"])
    return Inputs(**values, project=str(path), from_project=tuple(values))


def _check_type(path: Path, key: str, value) -> None:
    if key in ("dissolve", "strict_names"):
        ok, kind = isinstance(value, bool), "true or false"
    elif key == "aliases":
        ok, kind = (
            isinstance(value, list) and all(isinstance(v, str) for v in value),
            "a file name or a list of file names",
        )
    else:
        ok, kind = isinstance(value, str), "a string (in quotes)"
    if not ok:
        raise InputError(f"{path}: {key} must be {kind}, not {value!r}")


def _project_encoding(path: Path, name: str) -> str:
    """An encoding named in a project file: a bad name is a data error of that file (exit 1)."""
    from .io import check_encoding

    try:
        return check_encoding(name)
    except UsageError as exc:
        raise InputError(f"{path}: encoding {name!r} {str(exc).split(' is ', 1)[1]}") from None


def _own_files_only(base: Inputs, given: Inputs) -> Inputs:
    """A project's field settings describe the project's files: an explicit -d or -c drops them.

    `id_field = "NAME"` in conflictmap.toml is about the project's districts; with
    `-d other.geojson` it would pick a field of another file by accident.
    """
    dropped: dict = {}
    if given.districts and not _same_file(given.districts, base.districts):
        dropped |= {k: () if k == "aliases" else (False if k == "dissolve" else None) for k in DISTRICT_KEYS}
    if given.control and not _same_file(given.control, base.control):
        dropped |= {k: None for k in CONTROL_KEYS}
    if not dropped:
        return base
    return replace(base, **dropped, from_project=tuple(k for k in base.from_project if k not in dropped))


def _same_file(given: str, base: str | None) -> bool:
    """-d naming the project's own file by another path (../aleppo/districts.geojson) keeps its settings."""
    from .io import same_file

    if base is None or given == "-" or base == "-":
        return given == base
    return given == base or same_file(given, base)


def resolve(given: Inputs, cwd: Path | None = None) -> Inputs:
    """Fill what the options leave open from the project file, or use the sample."""
    cwd = cwd or Path.cwd()
    for option, value in (("--project", given.project), ("--population-raster", given.population_raster)):
        if value == "-":  # a project's paths are relative to its folder; GDAL reads a raster by seeking in it
            raise UsageError(f"{option} does not read stdin ('-'); give the file")
    project_path = Path(given.project) if given.project else cwd / PROJECT_FILE
    base = None
    if given.project or project_path.exists():
        base = read_project(project_path)
    elif not given.districts and not given.control:
        base = sample_inputs()
    if base is not None:
        base = _own_files_only(base, given)
        overrides = {
            f.name: getattr(given, f.name)
            for f in fields(Inputs)
            if f.name != "from_project" and getattr(given, f.name) not in (None, False, ())
        }
        kept = tuple(k for k in base.from_project if k not in overrides)
        given = replace(base, **overrides, from_project=kept)
    if base is not None and not given.districts:  # a project file without districts, and no --districts
        raise InputError(
            f'{project_path}: names no districts; add districts = "districts.geojson" (the polygons) '
            "to it, or give --districts FILE"
        )
    check_one_stdin(
        [("--districts", given.districts), ("--control", given.control), ("--actors", given.actors)]
        + [("--aliases", given.aliases), ("--land", given.land)]
    )
    if given.control and not given.districts:
        raise UsageError("--control needs --districts (the polygons the log refers to)")
    return given

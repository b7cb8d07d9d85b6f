"""Where the inputs come from: options, a conflictmap.toml project file, or the bundled sample."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import InputError, UsageError
from .model import read_toml

PROJECT_FILE = "conflictmap.toml"
PATH_KEYS = ("districts", "control", "actors", "land")


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
    dissolve: bool = False
    project: str | None = None
    from_project: tuple = ()  # the keys whose values came from the project file (its errors name the file)
    land: str | None = None  # land mask: districts are measured on their part inside it (conflictmap.land)

    def paths(self) -> list[str]:
        return [p for p in (self.districts, self.control, self.actors, self.project, self.land) if p]


def sample_dir() -> Path:
    """The bundled Aleppo 2016 sample: inside the installed package, else the source checkout's data/."""
    here = Path(__file__).resolve().parent
    for folder in (here / "_data" / "aleppo-2016", here.parent / "data" / "aleppo-2016"):
        if (folder / "districts.geojson").exists():
            return folder
    raise InputError("the bundled sample is missing from this installation; reinstall conflictmap or give --districts")


def sample_inputs() -> Inputs:
    folder = sample_dir()
    return Inputs(districts=str(folder / "districts.geojson"), control=str(folder / "control.csv"),
                  actors=str(folder / "actors.toml"))


def read_project(path: Path) -> Inputs:
    data = read_toml(path, InputError(f"{path}: project file not found; check the path given to --project"),
                     "a project file holds keys such as districts = \"districts.geojson\"")
    known = {f.name for f in fields(Inputs)} - {"project", "from_project"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}")
    for key, value in data.items():
        wanted = bool if key == "dissolve" else str
        if not isinstance(value, wanted):
            kind = "true or false" if wanted is bool else "a string (in quotes)"
            raise InputError(f"{path}: {key} must be {kind}, not {value!r}")
    values = dict(data)
    for key in PATH_KEYS:  # paths in a project file are relative to the file, so cron can run anywhere
        if key in values and values[key] != "-":
            values[key] = str((path.parent / values[key]))
    return Inputs(**values, project=str(path), from_project=tuple(values))


def resolve(given: Inputs, cwd: Path | None = None) -> Inputs:
    """Fill what the options leave open from the project file, or use the sample."""
    cwd = cwd or Path.cwd()
    project_path = Path(given.project) if given.project else cwd / PROJECT_FILE
    base = None
    if given.project or project_path.exists():
        base = read_project(project_path)
    elif not given.districts and not given.control:
        base = sample_inputs()
    if base is not None:
        overrides = {f.name: getattr(given, f.name) for f in fields(Inputs)
                     if f.name != "from_project" and getattr(given, f.name) not in (None, False)}
        kept = tuple(k for k in base.from_project if k not in overrides)
        given = replace(base, **overrides, from_project=kept)
    if given.districts == "-" and given.control == "-":
        raise UsageError("--districts and --control cannot both read stdin ('-'); give one of them as a file")
    if given.control and not given.districts:
        raise UsageError("--control needs --districts (the polygons the log refers to)")
    return given

"""Options shared by every command, added by one decorator (as sqlite-utils does).

`@dataset_command` gives a command the input options (--districts, --control,
--actors, --initial, field names, --dissolve, --project) and, through
`@tabular_output`, -f/--format and -o/--output; it packs them into an `Inputs`
and a `Format`, and routes errors through cli.errors. Commands that read no
dataset (zones area) take `@tabular_output` alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, get_args, get_origin

import typer

from conflictmap.cli.errors import guarded, report_problems, say
from conflictmap.cli.output import Format, geo_hint, output_format, writing_to
from conflictmap.errors import UsageError
from conflictmap.model import parse_option_date
from conflictmap.project import Inputs
from conflictmap.tolerance import STALE_DAYS

INPUT_PANEL = "Inputs"

# What each option's value is, as --help shows it (cli.group applies this to every command): a word a user
# reads as the thing to give, never a Python type. Options with choices show the choices instead.
METAVARS = {
    "FILE": (
        "--districts",
        "--control",
        "--actors",
        "--aliases",
        "--land",
        "--project",
        "--population-raster",
        "--output",
        "--clip",
        "--plot",
        "--write-aliases",
        "--zones",
        "--basemap",
    ),
    "DATE": ("--date", "--baseline", "--baseline-date", "--since", "--until", "--start", "--end", "--generated-at"),
    "ACTOR": ("--initial", "--baseline-actor", "--actor", "--rest", "--default", "--allow-overlap"),
    "SOURCE": ("--source",),
    "FIELD": ("--id-field", "--name-field", "--population-field", "--actor-field", "--date-field"),
    "FIELDS": ("--alt-name-field",),
    "LAYER": ("--districts-layer",),
    "ENCODING": ("--encoding", "--districts-encoding"),
    "LEVEL": ("--confidence",),
    "STEP": ("--every",),
    "METRES": ("--gap",),
    "PERCENT": ("--tolerance",),  # claims check: percentage points, or percent of an absolute claim
    "N": ("--labels", "--fps", "--precision"),
    "SHARE": ("--min-share",),
    "TEXT": ("--title", "--credit"),
    "SQL": ("--where",),
    "MAP": ("--actor-map",),
    "ADDRESS": ("--scheduler",),
    "W,S,E,N": ("--bbox",),
    "PIXELS": ("--width",),
    "ZONES": ("zones",),
    "CLAIMS": ("claims",),
    "CHANGES": ("changes",),
}
METAVAR = {name: word for word, names in METAVARS.items() for name in names}

COMMON = {
    "districts": (
        Optional[str],
        typer.Option(
            "--districts",
            "-d",
            help="District polygons: any vector file GDAL reads, or '-' for GeoJSON on stdin.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "control": (
        Optional[str],
        typer.Option(
            "--control",
            "-c",
            help="Control log (CSV, TSV, JSON, NDJSON, Parquet or GeoPackage table), or '-' for stdin.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "actors": (
        Optional[str],
        typer.Option(
            "--actors", help="Actors TOML file: canonical names, aliases, colours, groups.", rich_help_panel=INPUT_PANEL
        ),
    ),
    "initial": (
        Optional[str],
        typer.Option(
            "--initial",
            help="Controller of a district before its first log row (default: unknown).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "id_field": (
        Optional[str],
        typer.Option(
            "--id-field", help="District id field (default: detected, e.g. id, shapeID).", rich_help_panel=INPUT_PANEL
        ),
    ),
    "name_field": (
        Optional[str],
        typer.Option(
            "--name-field",
            help="District name field (default: detected, e.g. name, shapeName).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "population_field": (
        Optional[str],
        typer.Option(
            "--population-field",
            help="Population field (default: detected, e.g. population, pop).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "alt_name_field": (
        Optional[str],
        typer.Option(
            "--alt-name-field",
            help="Other name fields whose names also match, comma-separated (default: detected, e.g. NAME_A, name_ar, name_uk).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "dissolve": (
        bool,
        typer.Option(
            "--dissolve",
            help="Merge features that share an id into one district instead of failing.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "districts_layer": (
        Optional[str],
        typer.Option(
            "--districts-layer",
            help="Layer of the districts file, when it has several (a GeoPackage).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "districts_encoding": (
        Optional[str],
        typer.Option(
            "--districts-encoding",
            help="Encoding of a Shapefile's attributes (.dbf) that has no .cpg file, e.g. cp1256, cp1251, utf-8.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "aliases": (
        Optional[list[str]],
        typer.Option(
            "--aliases",
            help="Aliases file mapping reported spellings to districts: CSV alias,district or a name-variants JSON (repeatable; a later file wins).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "strict_names": (
        bool,
        typer.Option(
            "--strict-names",
            help="Refuse names matched only by a looser spelling (Arabic articles, transliteration) instead of noting them.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "encoding": (
        Optional[str],
        typer.Option(
            "--encoding",
            help="Encoding of the text tables (control log, aliases) when not UTF-8, e.g. cp1251, cp1256, latin-1.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "land": (
        Optional[str],
        typer.Option(
            "--land",
            help="Land mask (e.g. a national land boundary): shares and km² of a district are measured on its part inside it.",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "project": (
        Optional[str],
        typer.Option(
            "--project",
            help="Project file (default: ./conflictmap.toml when present; else the bundled sample).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
    "population_raster": (
        Optional[str],
        typer.Option(
            "--population-raster",
            help="GeoTIFF of people per cell (WorldPop, GHS-POP): population per district by zonal sums, instead of a population field (needs conflictmap[raster]).",
            rich_help_panel=INPUT_PANEL,
        ),
    ),
}
# The help names the choices: the metavar stays short, so it does not fold in a 100-column terminal.
FORMAT = (
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table for people; csv, tsv, json, ndjson, markdown (or md) for scripts; default: from the -o suffix, else table.",
        case_sensitive=False,
        metavar="FORMAT",
    ),
)
OUTPUT = (
    Optional[str],
    typer.Option(
        "--output",
        "-o",
        help="Write the output to this file, atomically (a failed run leaves the old file as it was); the format "
        "follows the suffix (.csv .tsv .json .ndjson .md) unless -f says it; '-' (default): stdout.",
    ),
)
# overlay writes a control log: its default format comes from the -o suffix.
LogFormatOpt = Annotated[
    Optional[Format],
    typer.Option(
        "--format",
        "-f",
        help="Output format; default: from the -o suffix, else csv (the control log).",
        case_sensitive=False,
        metavar="FORMAT",
    ),
]


def _param(name: str, spec, default=None) -> inspect.Parameter:
    kind, info = spec
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info])


def dataset_command(tabular: bool = True):
    """Decorate `fn(inputs: Inputs, fmt: Format, **own_options)` into a Typer command function
    (`fn(inputs, **own_options)` with tabular=False: a command with outputs of its own, such as export)."""

    def decorate(fn):
        if tabular:
            fn = tabular_output(fn)
        params = inspect.signature(fn).parameters
        own = [p for name, p in params.items() if name != "inputs"]
        extra = [_param(name, spec, False if spec[0] is bool else None) for name, spec in COMMON.items()]
        flags = {name: flag_of(p) for name, p in params.items()}

        @functools.wraps(fn)
        @guarded
        def wrapper(**kwargs):
            given = checked_inputs({name: kwargs.pop(name) for name in COMMON})
            check_one_stdin([(flag_of_common(n), v) for n, v in given.items()] + read_by(kwargs, flags))
            return fn(inputs=Inputs(**given), **kwargs)

        _signed(wrapper, own + extra)
        return wrapper

    return decorate


def tabular_output(fn):
    """Decorate `fn(..., fmt: Format, ...)` into a command with -f/--format and -o/--output: one place for
    every tabular command (as sqlite-utils adds its output flags with one decorator).

    -o FILE takes the format from its suffix when -f is not given (-o shares.csv: csv) and refuses a
    suffix that says the file is something else (-o x.csv -f json, -o x.html); before any work it
    refuses a missing folder and an output that is also an input. What the command emits is then written
    to FILE atomically when it is done (cli.output.writing_to): a run that fails leaves the old file intact.
    """
    params = inspect.signature(fn).parameters
    own = [p for name, p in params.items() if name != "fmt"]
    extra = [_param("fmt", (Optional[Format], FORMAT[1])), _param("output", OUTPUT)]
    flags = {name: flag_of(p) for name, p in params.items()}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        output = kwargs.pop("output") or "-"
        try:
            fmt = output_format(kwargs.pop("fmt"), output)
        except UsageError as exc:  # -o front.geojson: say which export writes it
            from conflictmap.io import text_of_path

            raise UsageError(str(exc) + geo_hint(fn.__name__, Path(output).suffix, text_of_path(output))) from None
        check_table_output(output, kwargs, flags)
        with writing_to(output):
            return fn(*args, fmt=fmt, **kwargs)

    _signed(wrapper, own + extra)
    return wrapper


def _signed(wrapper, params) -> None:
    """The signature (and annotations) Typer reads from a decorated command: ours, not the wrapped function's."""
    wrapper.__signature__ = inspect.Signature(params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    del wrapper.__wrapped__  # Typer must read our signature, not fn's


def flag_of(param: inspect.Parameter) -> str:
    """How a command line names a parameter: its long option (--clip), or an argument's name (CLAIMS)."""
    info = get_args(param.annotation)[-1] if get_origin(param.annotation) is Annotated else None
    return _long_name(info) or param.name.upper()


def flag_of_common(name: str) -> str:
    return _long_name(COMMON[name][1])


def _long_name(info) -> str | None:
    # In Annotated[..., typer.Option("--clip", ...)] Typer keeps the first name where a default would be.
    decls = (getattr(info, "default", None), *(getattr(info, "param_decls", None) or ()))
    return next((d for d in decls if isinstance(d, str) and d.startswith("--")), None)


OUTPUT_PARAMS = ("output", "plot", "write_aliases")  # '-' there is stdout, not stdin


def read_by(values: dict, flags: dict) -> list[tuple[str, object]]:
    """(flag, value) of a command's own parameters that may read a file or stdin: not its outputs."""
    return [(flags[name], v) for name, v in values.items() if name in flags and name not in OUTPUT_PARAMS]


def check_one_stdin(named) -> None:
    from conflictmap.io import check_one_stdin as check

    check([(flag, v) for flag, v in named if isinstance(v, (str, list, tuple)) and not isinstance(v, Enum)])


def check_table_output(output: str, values: dict, flags: dict) -> None:
    """-o FILE before any work: its folder exists, it is no input (the project's and the sample's files
    included) and no other file of the command (CLAIMS, --clip, --plot, --write-aliases)."""
    from conflictmap.io import same_file

    if output == "-":
        return
    inputs = next((v for v in values.values() if isinstance(v, Inputs)), [])
    check_output(output, inputs)
    for flag, value in [(flags[n], v) for n, v in values.items() if n in flags and not isinstance(v, Inputs)]:
        for path in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(path, str) and not isinstance(path, Enum) and path != "-" and same_file(output, path):
                raise UsageError(f"output {output} is also the {flag} file; choose another output path")


def checked_inputs(given: dict) -> dict:
    """Option values as Inputs fields: repeated --aliases as a tuple, --encoding a name Python knows."""
    from conflictmap.io import check_encoding

    given["aliases"] = tuple(given.get("aliases") or ())
    if given.get("encoding"):
        given["encoding"] = check_encoding(given["encoding"])
    return given


def load(inputs: Inputs, describe: bool = False):
    """Resolve (project file / sample) and load the dataset; warnings go to stderr."""
    from conflictmap.dataset import load_dataset

    resolved = resolve_inputs(inputs)
    long_lived()  # the modules just imported (pandas, geopandas, ...)
    ds = load_dataset(resolved, describe)
    long_lived()  # the dataset: the command works on it until the process ends
    report_problems(ds.problems)
    if resolved.districts and not resolved.control:
        say(f"no control log given: every district is held by {ds.initial}", "warning")
    return ds


def long_lived() -> None:
    """Leave the objects made so far out of every later garbage collection (gc.freeze), in the
    conflictmap process only (not in a process that runs the app as a library, e.g. under CliRunner).

    Python's collector looks at every object again and again while a command reads its
    inputs: the modules of pandas and geopandas, then every district and name. They live
    until the process ends, so looking costs time and finds nothing (on 10k districts, a
    sixth of the command's CPU time). Objects made later are collected as always.
    """
    from conflictmap.cli import state

    if state.own_process:
        import gc

        gc.freeze()


def resolve_inputs(inputs: Inputs) -> Inputs:
    """project.resolve, saying where the inputs come from: a note when it is the bundled sample."""
    from conflictmap.project import resolve

    resolved = resolve(inputs)
    # resolve() falls back to the sample only when no districts were given and no project file was read.
    if not inputs.districts and resolved.project is None and resolved.districts:
        folder = _shown(Path(resolved.districts).parent)
        say(f"no inputs and no ./conflictmap.toml here: using the bundled Aleppo 2016 sample ({folder})", "note")
    if not inputs.districts and resolved.districts:
        say(f"using districts {resolved.districts}", "info")
    return resolved


def _shown(path: Path) -> str:
    """A path relative to the working folder when it is inside it (data/aleppo-2016), else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def as_date(text: str, option: str = "") -> dt.date:
    """Every date option's parser: YYYY-MM-DD, or a usage error in the words of model.parse_date (the option
    and the value are put before them by cli.group). A time part is accepted and said to be unused."""
    try:
        day = parse_option_date(text, "")
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None
    if len(text.strip()) > 10:
        _say_time_unused(text.strip(), option, day)
    return day


def _say_time_unused(text: str, option: str, day: dt.date) -> None:
    """Dates (of the log, of zones) are days with no time zone: the day as written is the one asked about,
    never shifted by a time or an offset (2016-12-12T23:59:59+05:00 is 12 December, not 18:59 UTC's day)."""
    offset = text.endswith("Z") or any(sign in text[11:] for sign in "+-")
    unused = "the time and its offset are" if offset else "the time is"
    say(
        f"{option} {text!r}: dates are whole days with no time zone here, so {unused} not used: "
        f"the date is {day.isoformat()}, as written".lstrip(),
        "note",
    )


def date_option(name: str, help: str, *aliases: str):
    """A date option (`name`, its help, other spellings): the command gets a datetime.date, or None when not given."""
    return Annotated[
        Optional[dt.date], typer.Option(name, *aliases, help=help, parser=functools.partial(as_date, option=name))
    ]


DateOpt = date_option("--date", "Date (YYYY-MM-DD); default: the last date of the log.")
GapOpt = Annotated[
    Optional[float],
    typer.Option(
        "--gap",
        help="Bridge gaps between districts (e.g. streets) up to at least this many metres wide, wall to wall: the front runs along the middle of the street, where the two sides face each other; default: detected, as far as the districts' own streets reach (a note says the distance used); a smaller N does not narrow it, a larger one widens it; 0: shared boundaries only.",
    ),
]


def query_date(ds, day: dt.date | None) -> dt.date | None:
    """A --date (default: the log's last date); one before the log starts or long after it ends gets a warning."""
    day = day or ds.last_date
    warn_outside_log(ds, day)
    return day


def warn_outside_log(ds, *days: dt.date | None, label: str = "") -> None:
    """Dates the log says nothing about: the earliest of `days` before its first date, or the latest more
    than STALE_DAYS after its last (None: a bound left to the log's own date). One date, or a span's bounds.

    `label` goes before the date where the date alone would not say which one it is
    ('--baseline ', 'claims.csv line 3: ').
    """
    given = [day for day in days if day is not None]
    if not given:
        return
    for message in (before_log(ds, min(given), label), after_log(ds, max(given), label)):
        if message:
            say(message, "warning")


def before_log(ds, day: dt.date | None, label: str = "") -> str | None:
    """Before the log's first date every district is its initial holder: legal, but rarely what was meant."""
    if day is not None and ds.first_date is not None and day < ds.first_date:
        return (
            f"{label}{day.isoformat()} is before the first date of the log ({ds.first_date.isoformat()}): "
            f"districts are shown as before their first row ({ds.initial})"
        )
    return None


def after_log(ds, day: dt.date | None, label: str = "") -> str | None:
    """After the log's last date the figures stay those of that date: a log nobody updates would give
    years-old figures under today's date (a cron job's --date $(date +%F))."""
    from conflictmap.text import count

    last = ds.last_date
    if day is not None and last is not None and (day - last).days > STALE_DAYS:
        return (
            f"{label}{day.isoformat()} is {count((day - last).days)} days after the last date of the log "
            f"({last.isoformat()}): districts are shown as on {last.isoformat()}"
        )
    return None


class By(str, Enum):
    count = "count"
    area = "area"
    population = "population"


MEASURE = {By.count: "districts", By.area: "area_km2", By.population: "population"}


def check_measure(ds, by: By) -> str:
    """The figures column of a --by choice; --by population needs a population field."""
    if by == By.population and not ds.has_population:
        raise UsageError("--by population needs a population field; name it with --population-field")
    return MEASURE[by]


def baseline_date(baseline: dt.date | None, baseline_actor: str | None) -> dt.date | None:
    """--baseline, checked before any data is loaded: it goes with --baseline-actor."""
    if (baseline is None) != (baseline_actor is None):
        raise UsageError(
            "--baseline and --baseline-actor go together: give both (e.g. --baseline 2016-11-15 --baseline-actor rebels)"
        )
    return baseline


def baseline_of(ds, day: dt.date | None, baseline_actor: str | None):
    """The Baseline of --baseline D0 --baseline-actor A on this dataset (a group gives its members); None
    without a baseline. Made once per command and passed on as one value."""
    from conflictmap.baseline import Baseline

    if not (day and baseline_actor):
        return None
    base = Baseline.named(ds.actors, day, baseline_actor)
    if before_log(ds, day) or after_log(ds, day):
        from conflictmap.figures import baseline_weights

        baseline_weights(ds, day, list(base.members))  # an actor that held nothing then: that error alone
        warn_outside_log(ds, day, label="--baseline ")
    return base


def check_output(path: str | None, inputs, option: str = "-o") -> None:
    """Before any work: a file output goes to an existing folder and is none of the inputs.

    `inputs` is the command's Inputs (resolved here, so project-file and sample
    paths count too) or a list of input paths. '-' (stdout) needs no check.
    """
    from conflictmap.io import check_not_input, check_writable
    from conflictmap.project import resolve

    if not path or str(path) == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name in it")
    check_writable(target, option)
    paths = resolve(inputs).paths() if isinstance(inputs, Inputs) else list(inputs)
    check_not_input(path, paths)


BaselineOpt = date_option(
    "--baseline", "Baseline date D0 (YYYY-MM-DD): the universe is what --baseline-actor held then."
)
BaselineActorOpt = Annotated[
    Optional[str],
    typer.Option(
        "--baseline-actor", help="Actor or group whose holdings on --baseline are the universe (needs --baseline)."
    ),
]


# --- zone files (zones area, zones movement, overlay, frontline ZONES, export --zones) ---

ZONE_PANEL = "Zones"

ZonesArg = Annotated[
    list[str],
    typer.Argument(
        help="Zone files or folders (GeoJSON, GeoPackage, FlatGeobuf, ...): a file per date, or features with a date field.",
        show_default=False,
    ),
]
ActorOpt = Annotated[
    Optional[str],
    typer.Option(
        "--actor",
        help="Actor holding every zone read (e.g. russia for DeepStateMap files).",
        rich_help_panel=ZONE_PANEL,
    ),
]
ActorFieldOpt = Annotated[
    Optional[str],
    typer.Option(
        "--actor-field",
        help="Field naming each zone's actor (default: actor, controller, holder or side when present).",
        rich_help_panel=ZONE_PANEL,
    ),
]
DateFieldOpt = Annotated[
    Optional[str],
    typer.Option(
        "--date-field",
        help="Field holding each zone's date (default: the date in each file's name, else its 'date' field).",
        rich_help_panel=ZONE_PANEL,
    ),
]
DateFromNameOpt = Annotated[
    bool,
    typer.Option(
        "--date-from-name",
        help="Take dates from file names: one date anywhere in the name, YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD (deepstatemap_data_20240801.geojson, zones_2024-08-01.json).",
        rich_help_panel=ZONE_PANEL,
    ),
]
AllowOverlapOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--allow-overlap",
        help="Where zones of two actors overlap, this actor holds the overlap (repeat to rank several); default: overlap is an error.",
        rich_help_panel=ZONE_PANEL,
    ),
]
ActorsOpt = Annotated[Optional[str], COMMON["actors"][1]]
SourceOpt = Annotated[
    Optional[str],
    typer.Option(
        "--source",
        help="What the zone files are: deepstate (DeepStateMap API export: occupied, Crimea and ORDLO held; liberated and grey zone not), nzz (NZZ map: nochange and gains held, losses not; dates from the features) or generic; default: detected from the data (said in a note).",
        rich_help_panel=ZONE_PANEL,
    ),
]
WhereOpt = Annotated[
    Optional[str],
    typer.Option(
        "--where",
        help="Read only the features matching this OGR SQL condition, e.g. \"type <> 'losses'\".",
        rich_help_panel=ZONE_PANEL,
    ),
]
ActorMapOpt = Annotated[
    Optional[str],
    typer.Option(
        "--actor-map",
        help="What each label means: 'label=actor,...' ('-' for not held), e.g. 'nochange=russia,gains=russia,losses=-'; labels are the values of --actor-field, NZZ's type or DeepState's classes (occupied, crimea, ordlo, liberated, grey, other).",
        rich_help_panel=ZONE_PANEL,
    ),
]


# How a command reads zone files, declared once: @zone_options adds these to a command (as
# @dataset_command adds the inputs) and hands them over as one ZoneReading.
ZONE_OPTIONS = {
    "actor": (ActorOpt, None),
    "actor_field": (ActorFieldOpt, None),
    "date_field": (DateFieldOpt, None),
    "date_from_name": (DateFromNameOpt, False),
    "allow_overlap": (AllowOverlapOpt, None),
    "source": (SourceOpt, None),
    "where": (WhereOpt, None),
    "actor_map": (ActorMapOpt, None),
}


@dataclass(frozen=True)
class ZoneReading:
    """The zone options of a command (ZONE_OPTIONS), as given."""

    actor: str | None = None
    actor_field: str | None = None
    date_field: str | None = None
    date_from_name: bool = False
    allow_overlap: tuple = ()
    source: str | None = None
    where: str | None = None
    actor_map: str | None = None

    def load_options(self) -> dict:
        """The keyword options of zones.load_zones these stand for (the --actor-map text parsed)."""
        from conflictmap.sources import parse_actor_map

        return {
            "actor": self.actor,
            "actor_field": self.actor_field,
            "date_field": self.date_field,
            "from_name": self.date_from_name,
            "allow_overlap": self.allow_overlap,
            "source": self.source,
            "where": self.where,
            "actor_map": parse_actor_map(self.actor_map),
        }


def zone_options(fn):
    """Decorate `fn(..., reading: ZoneReading, ...)` into a command with the zone options of ZONE_OPTIONS."""
    own = [p for name, p in inspect.signature(fn).parameters.items() if name != "reading"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, (kind, default) in ZONE_OPTIONS.items()
    ]

    flags = {p.name: flag_of(p) for p in own}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        given = {name: kwargs.pop(name) for name in ZONE_OPTIONS}
        given["allow_overlap"] = tuple(given["allow_overlap"] or ())
        check_one_stdin(read_by(kwargs, flags))  # zones on stdin, and --districts or --clip too
        return fn(*args, reading=ZoneReading(**given), **kwargs)

    wrapper.__signature__ = inspect.Signature(own + extra)
    del wrapper.__wrapped__  # Typer must read our signature, not fn's
    return wrapper


def read_zones(zones, reading: ZoneReading, actors, bar):
    """The ZoneSet (actor names resolved by `actors`, an actors.Actors), with its warnings on stderr."""
    from conflictmap.zones import load_zones

    zoneset = load_zones(zones, actors=actors, progress=bar.stage("reading zones"), **reading.load_options())
    report_problems(zoneset.problems)
    say_zones(zoneset)
    return zoneset


def read_zone_series(zones, reading: ZoneReading, actors_file, clip, bar):
    """(zones, clip geometry or None, km² per actor per date): the zones read as read_zones does, the clip
    loaded, and the series measured (zones.area_series) with its breaks warned about on stderr.

    zones area, zones movement and frontline ZONES read their zones here, so each warns about the same
    steps (a source that stops drawing an area reads as a battlefield change).
    """
    from conflictmap.actors import load_actors
    from conflictmap.zones import area_series, load_clip

    zoneset = read_zones(zones, reading, load_actors(actors_file), bar)
    reference = None
    if clip:
        reference, problems = load_clip(clip)
        report_problems(problems)
    table, breaks = area_series(zoneset, reference, progress=bar.stage("measuring areas"))
    report_problems(breaks)
    return zoneset, reference, table


def say_zones(zoneset) -> None:
    """-v: how many dates were read, where their dates came from, and the actors."""
    say(f"{len(zoneset.snapshots)} date(s) from the {zoneset.dates_from}, actors: {', '.join(zoneset.actors)}", "info")


# --- pictures of a date (map, animate) ---

LabelsOpt = Annotated[
    int,
    typer.Option(
        "--labels",
        help="Name up to this many of the largest districts, leaving out names that would overlap (default 0: none).",
        min=0,
    ),
]
BboxOpt = Annotated[
    Optional[str],
    typer.Option(
        "--bbox",
        help="Show only this box: W,S,E,N in degrees (lon/lat), e.g. 37.0,46.8,40.3,49.5; the legend's shares stay those of all districts.",
    ),
]
InsetOpt = Annotated[
    Optional[bool],
    typer.Option(
        "--inset/--no-inset",
        help="An overview of all districts with the --bbox view boxed on it (default: drawn when the view shows less than a quarter of the districts' extent).",
    ),
]
BasemapOpt = Annotated[
    Optional[str],
    typer.Option(
        "--basemap",
        help="Raster tiles under the districts, from a local source only: FILE.mbtiles, a folder of {z}/{x}/{y}.png tiles, or a file:// template; never fetched from the network.",
    ),
]


def map_view(bbox: str | None, inset: bool | None, basemap: str | None) -> dict:
    """The view options of plots.map_figure from --bbox, --inset and --basemap (checked before any work)."""
    from conflictmap.mapview import parse_bbox

    view = {"bbox": parse_bbox(bbox) if bbox is not None else None, "inset": inset}
    if basemap is not None:
        from conflictmap.basemap import tile_source

        view["basemap"] = tile_source(basemap)
    return view

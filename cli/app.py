"""The Typer app: global flags, the commands, and the process entry point.

Nothing here imports geopandas, pandas or pyogrio: `--help` stays fast.

A run of one command (`conflictmap share ...`) builds an app holding that command only: Typer turns
every registered function into a click command, with its help, options and converters, at every start,
and a run pays for the modules of the other fifteen commands too. `app` (tests, completion, the group's
own --help and errors) holds them all.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from conflictmap.cli import state
from conflictmap.cli.group import App

# Every command in the order of --help: its name -> its module in conflictmap.cli.commands.
COMMANDS = {
    "info": "info",
    "status": "status",
    "share": "share",
    "changes": "changes",
    "timeline": "timeline",
    "map": "map",
    "animate": "animate",
    "frontline": "frontline",
    "export": "export",
    "validate": "validate",
    "overlay": "overlay",
    "zones": "zones",
    "log": "log",
    "report": "report",
    "claims": "claims",
    "front-movement": "movement",
}
# The group's flags that may come before a command name and take no value.
LEADING_FLAGS = {"--debug", "--quiet", "-q", "--verbose", "-v"}


def make_app(names=None) -> typer.Typer:
    """The app with the named commands (default: all of them)."""
    made = typer.Typer(
        name="conflictmap",
        cls=App,  # the global flags after a subcommand too; flags shown as flags in --help
        rich_markup_mode="markdown",  # docstring paragraphs wrap to the terminal, not at the source's line breaks
        help="Territorial control analysis: who holds what on a date, shares by districts, km² and people, changes over time.\n\nWith no inputs (and no ./conflictmap.toml) every command runs on the bundled Aleppo 2016 sample.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    made.callback()(main_options)
    for name in names or COMMANDS:
        importlib.import_module(f"conflictmap.cli.commands.{COMMANDS[name]}").register(made)
    return made


def app_for(argv: list[str]) -> typer.Typer:
    """The app for this command line: the one command it names, else all (help, a typo, completion)."""
    import os

    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)  # click's _PROG_COMPLETE
    for arg in argv:
        if arg not in LEADING_FLAGS:
            if arg in COMMANDS and not completing:
                return make_app([arg])
            break
    return full_app()


def full_app() -> typer.Typer:
    """The app with every command, made once."""
    if "app" not in globals():
        globals()["app"] = make_app()
    return globals()["app"]


def __getattr__(name: str):
    """`app` (every command) is made on first use: a run of one command never needs it."""
    if name == "app":
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version(value: bool):
    if value:
        from conflictmap import __version__

        typer.echo(f"conflictmap {__version__}")
        raise typer.Exit()


def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no warnings on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print more about what is done on stderr.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
):
    """Territorial control analysis from district polygons and a dated control log."""
    state.debug, state.quiet, state.verbose = debug, quiet, verbose
    if not debug:  # no library warning reaches stderr raw (with a source path and a code line)
        import warnings

        from conflictmap.cli.errors import show_warning

        warnings.showwarning = show_warning


def main() -> None:
    """Console-script entry: run the app; a closed pipe (`| head`, `| true`) ends quietly with 0, as for every command."""
    from conflictmap.cli.errors import ClosedStdout, StdoutClosed, say, silence_stdout

    if sys.stdout is None:  # started with stdout closed (>&-)
        sys.stdout = ClosedStdout()
    state.own_process = True
    try:
        app_for(sys.argv[1:])()
    except BrokenPipeError:
        silence_stdout()
        sys.exit(0)
    except StdoutClosed as exc:  # click's own output (--help) to a closed stdout
        say(str(exc))
        sys.exit(exc.exit_code)
    except SystemExit as exc:
        # A closed pipe in click's or rich's own output (--help) ends with 1 after wrapping stdout or pointing
        # it at devnull; a closed pipe is not bad data.
        if exc.code == 1 and (type(sys.stdout).__name__ == "PacifyFlushWrapper" or _raised_by(exc, "on_broken_pipe")):
            sys.exit(0)
        raise


def _raised_by(exc: BaseException, function: str) -> bool:
    """Was `exc` raised in a function of this name (rich's Console.on_broken_pipe exits 1)?"""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_name == function

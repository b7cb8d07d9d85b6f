"""The one place where library exceptions become messages on stderr and exit codes."""

from __future__ import annotations

import functools
import sys

import typer

from cli import state
from conflictmap.errors import ConflictmapError


def say(message: str, level: str = "error") -> None:
    """One line on stderr; warnings and notes are silenced by --quiet."""
    if level in ("warning", "note") and state.quiet:
        return
    if level == "info" and not state.verbose:
        return
    typer.echo(f"conflictmap: {level}: {message}" if level != "info" else f"conflictmap: {message}", err=True)


def guarded(fn):
    """Run a command; turn domain errors into one line and exit 1 (data) or 2 (usage)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, BrokenPipeError, KeyboardInterrupt):
            raise
        except ConflictmapError as exc:
            if state.debug:
                raise
            say(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:  # an unexpected failure still gets one line, not a traceback
            if state.debug:
                raise
            kind = type(exc).__name__
            say(f"unexpected {kind}: {' '.join(str(exc).split())[:300]} (run with --debug for the traceback)")
            raise typer.Exit(1) from None

    return wrapper


def report_problems(problems) -> None:
    for p in problems:
        say(str(p), "warning" if p.level == "warning" else p.level)


def stdout_is_closed() -> bool:
    return sys.stdout is None or sys.stdout.closed

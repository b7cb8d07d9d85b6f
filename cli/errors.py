"""The one place where library exceptions become messages on stderr and exit codes."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys

import typer

from conflictmap.cli import state
from conflictmap.errors import ConflictmapError, InputError, UsageError


def say(message: str, level: str = "error") -> None:
    """One line on stderr; warnings and notes are silenced by --quiet."""
    if level in ("warning", "note") and state.quiet:
        return
    if level == "info" and not state.verbose:
        return
    # A file name that is not UTF-8 reaches us with surrogates, which stderr cannot encode: show its bytes as \xNN.
    message = message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    typer.echo(f"conflictmap: {level}: {message}" if level != "info" else f"conflictmap: {message}", err=True)


def guarded(fn):
    """Run a command; turn domain errors into one line and exit 1 (data) or 2 (usage)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (`| head`, `| true`): it has what it wanted
            silence_stdout()
            raise typer.Exit(0) from None
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


@contextlib.contextmanager
def writing_stdout():
    """Data written to stdout: a write that fails (`> /dev/full`, a disk that fills, a network share that goes
    away) is one line naming stdout, exit 1 as for a file output, not an unexpected OSError. A closed
    pipe stays what it is (the reader has what it wanted: guarded ends quietly)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        silence_stdout()  # the data still buffered must not fail again at exit
        why = (exc.strerror or str(exc)).lower()
        fix = (
            "free some space where stdout goes"
            if exc.errno in (errno.ENOSPC, errno.EDQUOT)
            else "check where stdout goes"
        )
        raise InputError(f"stdout: cannot write the output: {why}; {fix}, or write to a file with -o FILE") from None


class StdoutBytes:
    """stdout's binary stream for a library writer (export): each write through writing_stdout."""

    def __init__(self, raw):
        self.raw = raw

    def write(self, data):
        with writing_stdout():
            return self.raw.write(data)

    def flush(self):
        with writing_stdout():
            self.raw.flush()

    def __getattr__(self, name):
        return getattr(self.raw, name)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """warnings.showwarning for the CLI: a library's warning is one 'conflictmap: warning:' line, without its source path."""
    say(" ".join(str(message).split())[:300], "warning")


def report_problems(problems) -> None:
    for p in problems:
        say(str(p), "warning" if p.level == "warning" else p.level)


def silence_stdout() -> None:
    """After a closed pipe: later writes and the interpreter's final flush go to devnull instead of raising again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no real file descriptor (a test runner's buffer)
        sys.stdout = open(os.devnull, "w")


class ClosedStdout:
    """Stands for a stdout closed at start (`>&-`): writing data there is a usage error, not an AttributeError."""

    closed = False  # a command writing to -o FILE never touches it

    def write(self, text):
        if not text:
            return 0
        raise StdoutClosed("stdout is closed (>&-); redirect it to a file or give -o FILE")

    def flush(self):
        pass

    def isatty(self):
        return False

    @property
    def buffer(self):
        return self

    def fileno(self):
        raise OSError("stdout is closed")


class StdoutClosed(UsageError):
    pass

"""A progress bar on stderr for long work (overlays of many dates), only when stderr is a terminal.

The library takes plain callbacks `progress(done, total)`; this turns them into
rich progress bars. Piped or redirected stderr (cron, CI) gets nothing.
"""

from __future__ import annotations

import os
import sys

from conflictmap.cli import state


class ProgressBar:
    """`with ProgressBar() as bar: work(progress=bar.stage("overlay"))`; stage() is None when hidden."""

    def __init__(self):
        self.progress = None

    def __enter__(self):
        if _stderr_is_terminal() and not state.quiet:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            console = Console(stderr=True, force_terminal=True, no_color="NO_COLOR" in os.environ or None)
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()
        return False

    def stage(self, description: str):
        if self.progress is None:
            return None
        task = self.progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            self.progress.update(task, completed=done, total=total)

        return update


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False

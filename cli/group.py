"""The top-level command group: the global flags work after a subcommand too, and --help reads well.

`conflictmap share --debug` is what people type when a command fails, so every
subcommand (also the ones not built by @dataset_command: overlay, zones area)
gets --debug, -q/--quiet and -v/--verbose as hidden options that set cli.state,
like the app's own flags before the subcommand. And Typer's rich help shows a
`<bool>` type for flags as if they took a value, and a `[default: 0.0]` next to
help that already says what the default is: both are tidied here, once, for
every command.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer
from typer.core import TyperGroup

from conflictmap.cli import state

# A line "Example: conflictmap ..." right under a paragraph would be wrapped into it.
EXAMPLE = re.compile(r"(?<!\n)\n([ \t]*Example:)")


class App(TyperGroup):
    """Typer's group, with the global flags added to every subcommand and flags shown as flags in --help."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        flags = global_flags()
        tidy_help(self)
        for command in subcommands(self):
            taken = {name for p in command.params for name in (*p.opts, *p.secondary_opts)}
            command.params += [p for p in flags if not taken & set(p.opts)]
            tidy_help(command)

    def get_params(self, ctx):
        # Typer adds --install-completion and --show-completion after the group is made: tidy them here.
        params = super().get_params(ctx)
        for param in params:
            flag_look(param)
        return params


def subcommands(group):
    """Every command below `group`, nested groups (zones) and their commands included."""
    for command in getattr(group, "commands", {}).values():
        yield command
        yield from subcommands(command)


def _setter(name: str):
    def set_flag(value: bool) -> bool:
        if value:  # never unset: the flag may also have been given before the subcommand
            setattr(state, name, True)
        return value

    return set_flag


def global_flags() -> list:
    """--debug, -q/--quiet, -v/--verbose as hidden, eager options that set cli.state and pass no value on."""
    flags = typer.Typer(add_completion=False)

    @flags.command()
    def only_flags(
        debug: Annotated[bool, typer.Option("--debug", hidden=True, is_eager=True, callback=_setter("debug"))] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", hidden=True, is_eager=True, callback=_setter("quiet"))] = False,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", hidden=True, is_eager=True, callback=_setter("verbose"))] = False,
    ):
        pass

    params = typer.main.get_command(flags).params
    for param in params:
        param.expose_value = False  # the command functions do not take them
    return params


def tidy_help(command) -> None:
    """Flags without a `<bool>` type; no `[default: ...]` where the help text already says the default;
    an example line as a paragraph of its own (the app's help is Markdown: paragraphs wrap to the terminal)."""
    if command.help:
        command.help = EXAMPLE.sub(r"\n\n\1", command.help)
    for param in command.params:
        flag_look(param)
        if "default" in (getattr(param, "help", None) or "").lower():
            param.show_default = False
    get_help_option = command.get_help_option

    def help_option(ctx):
        option = get_help_option(ctx)
        if option is not None:
            flag_look(option)
        return option

    command.get_help_option = help_option


def flag_look(param) -> None:
    """An empty metavar: the help's type column stays blank for a flag."""
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        param.metavar = ""

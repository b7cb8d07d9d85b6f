"""The top-level command group: the global flags work after a subcommand too, and --help reads well.

`conflictmap share --debug` is what people type when a command fails, so every
subcommand (also the ones not built by @dataset_command: overlay, zones area)
gets --debug, -q/--quiet and -v/--verbose as hidden options that set cli.state,
like the app's own flags before the subcommand. And Typer's rich help shows a
`<bool>` type for flags as if they took a value, and a `[default: 0.0]` next to
help that already says what the default is: both are tidied here, once, for
every command, which also gets the converters of cli.convert.
"""

from __future__ import annotations

import re
import sys
from enum import Enum
from typing import Annotated

import typer
from typer.core import TyperGroup

from conflictmap.cli import state
from conflictmap.cli.convert import install

# Click's exception classes, wherever this Typer keeps its click (a dependency, or vendored as typer._click).
ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
ClickUsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
# What to say after "give it once" for an option that people repeat meaning several values.
TWICE_HINTS = {"--actor": ("--actor-field", "--actor-map", "for several actors")}

# Lines "Example: conflictmap ..." in a command's docstring: shown at the end of its help as a code block,
# folded at option boundaries so that no command wraps mid-word in an 80-column terminal.
EXAMPLE = re.compile(r"^[ \t]*Example: *(conflictmap .*)$", re.MULTILINE)
EXAMPLE_WIDTH = 72


class App(TyperGroup):
    """Typer's group, with the global flags added to every subcommand and flags shown as flags in --help."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        flags = global_flags()
        tidy_help(self)
        install(self.params)
        for command in subcommands(self):
            taken = {name for p in command.params for name in (*p.opts, *p.secondary_opts)}
            command.params += [p for p in flags if not taken & set(p.opts)]
            tidy_help(command)
            install(command.params)
            given_once(command)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Click's main, with a usage error as one `conflictmap: error:` line and the usage line (no box)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except ClickException as exc:
            if type(exc).__name__ != "NoArgsIsHelpError":  # a group with no command: its help is already shown
                show_usage_error(exc, argv)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("conflictmap: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def get_params(self, ctx):
        # Typer adds --install-completion and --show-completion after the group is made: tidy them here.
        params = super().get_params(ctx)
        for param in params:
            flag_look(param)
        install(params)
        return params


def subcommands(group):
    """Every command below `group`, nested groups (zones) and their commands included."""
    for command in getattr(group, "commands", {}).values():
        yield command
        yield from subcommands(command)


def given_once(command) -> None:
    """A value option given twice with different values is a usage error; click silently keeps the last.

    `--actor russia --actor ukraine` would label the zone ukraine. The same value twice is harmless and
    passes. Done in the command's own parser (each option records the values it is given as click parses
    them), so `--opt=VALUE`, short options and values that look like options count as click reads them.
    """
    make_parser = command.make_parser

    def parser_checking_repeats(ctx):
        parser = make_parser(ctx)
        given: dict = {}
        # Click's parser keeps its options in these two tables (click 8.0-8.3 and typer's vendored copy);
        # should a later click rename them, the check is skipped, never the command.
        options = {*getattr(parser, "_long_opt", {}).values(), *getattr(parser, "_short_opt", {}).values()}
        for option in options:
            if option.action == "store":  # one value (flags store a constant, repeatable options append)
                option.process = _recording(option, option.process, given, ctx)
            elif option.action == "store_const" and getattr(option.obj, "secondary_opts", None):
                option.process = _recording_switch(option, option.process, given, ctx)  # --inset/--no-inset
        return parser

    command.make_parser = parser_checking_repeats


def _recording(option, process, given: dict, ctx):
    def record(value, state):
        param = option.obj
        if param.name in given and _same_value(given[param.name]) != _same_value(value):
            raise ClickUsageError(twice_message(param, given[param.name], value, ctx), ctx)
        given[param.name] = value
        process(value, state)

    return record


def _recording_switch(option, process, given: dict, ctx):
    """`--inset --no-inset`: the two sides of one switch, both given, contradict each other as two values do."""

    def record(value, state):
        param = option.obj
        spelling = option._long_opts[0] if option._long_opts else option._short_opts[0]
        if param.name in given and given[param.name][0] != option.const:
            first = given[param.name][1]
            raise ClickUsageError(f"{first} and {spelling} both given; give one of them", ctx)
        given[param.name] = (option.const, spelling)
        process(value, state)

    return record


def _same_value(value):
    """What a value means, for telling a repeat from a contradiction: `-f md -f markdown`, `--tolerance 5
    --tolerance 5.0` and `-o a.csv -o ./a.csv` are one value each."""
    import os

    text = " ".join(value) if isinstance(value, (tuple, list)) else str(value)
    try:
        return float(text)
    except ValueError:
        pass
    if "/" in text or text.startswith("."):
        return os.path.normpath(text)
    from conflictmap.cli.output import SAME_AS  # one choice, two spellings (-f md, -f markdown)

    folded = text.casefold()  # choices take any case (-f JSON); a title differing only in case is no contradiction
    return next((b.value for a, b in SAME_AS.items() if a.value == folded), folded)


def twice_message(param, first, second, ctx) -> str:
    """'--actor given twice (russia, ukraine); give it once', with a pointer to the options for several values."""
    shown = [" ".join(v) if isinstance(v, (tuple, list)) else str(v) for v in (first, second)]
    text = f"{param.opts[0]} given twice ({shown[0]}, {shown[1]}); give it once"
    *others, purpose = TWICE_HINTS.get(param.opts[0], ("",))
    names = {name for p in ctx.command.params for name in p.opts}
    others = [name for name in others if name in names]
    return text + (f", or use {'/'.join(others)} {purpose}" if others else "")


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
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", hidden=True, is_eager=True, callback=_setter("quiet"))
        ] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", hidden=True, is_eager=True, callback=_setter("verbose"))
        ] = False,
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
        command.help = with_examples(command.help)
    for param in command.params:
        flag_look(param)
        name_value(param)
        if "default" in (getattr(param, "help", None) or "").lower():
            param.show_default = False
    get_help_option = command.get_help_option

    def help_option(ctx):
        option = get_help_option(ctx)
        if option is not None:
            flag_look(option)
            install([option])
        return option

    command.get_help_option = help_option


def with_examples(text: str) -> str:
    """The help with its Example lines gathered into one block at the end (see EXAMPLE)."""
    examples = EXAMPLE.findall(text)
    if not examples:
        return text
    body = re.sub(r"\n{3,}", "\n\n", EXAMPLE.sub("", text)).rstrip()
    lines = "\n".join(line for example in examples for line in folded(example))
    return f"{body}\n\nExample{'s' if len(examples) > 1 else ''}:\n\n```\n{lines}\n```"


def folded(command: str, width: int = EXAMPLE_WIDTH) -> list[str]:
    """A shell command as lines of at most `width` characters, broken before an option or a pipe, with `\\`."""
    chunks: list[str] = []
    for word in command.split():
        if chunks and not word.startswith(("-", "|")):
            chunks[-1] += " " + word
        else:
            chunks.append(word)
    lines = [chunks[0]]
    for chunk in chunks[1:]:
        if len(lines[-1]) + 1 + len(chunk) + 2 <= width:
            lines[-1] += " " + chunk
        else:
            lines.append("    " + chunk)
    return [line + " \\" for line in lines[:-1]] + lines[-1:]


def name_value(param) -> None:
    """The metavar of cli.options.METAVAR (FILE, DATE, ACTOR, ...), unless the option has choices or its own."""
    from conflictmap.cli.options import METAVAR

    kind = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if (
        param.metavar is None
        and not getattr(param, "is_flag", False)
        and not (isinstance(kind, type) and issubclass(kind, Enum))
    ):
        option = getattr(param, "param_type_name", "") == "option"
        param.metavar = METAVAR.get(param.opts[0] if option else param.name)
        if not option and param.metavar:  # the name column says what an argument is: no Python type beside it
            param.display_type_rich = lambda ctx: "..." if param.nargs != 1 else None


def flag_look(param) -> None:
    """An empty metavar: the help's type column stays blank for a flag."""
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        param.metavar = ""


# Typer's converters word a bad value as pydantic does, and click's parser as click does; say both as the
# other messages of this tool do (lower case, what is wrong, then how to fix it).
CONVERTER_WORDS = (
    (re.compile(r"^Value error, "), ""),
    (re.compile(r"^Input should be greater than or equal to (\S+?)\.?$"), r"must be \1 or more"),
    (re.compile(r"^Input should be greater than (\S+?)\.?$"), r"must be more than \1"),
    (re.compile(r"^Input should be less than or equal to (\S+?)\.?$"), r"must be \1 or less"),
    (re.compile(r"^Input should be a valid integer.*"), "is not a whole number"),
    (re.compile(r"^Input should be a valid number.*"), "is not a number"),
    (re.compile(r"\.$"), ""),
)
PARSER_WORDS = (
    (re.compile(r"^Option '(\S+)' requires an argument\.$"), r"\1 needs a value"),
    (re.compile(r"^No such option: (\S+) \(Possible options: ([^)]*)\)$"), r"no option \1 here (did you mean \2?)"),
    (re.compile(r"^No such option: (\S+)$"), r"no option \1 here"),
    (re.compile(r"^No such command '(.*)'\.$"), r"no command '\1'"),
    (re.compile(r"^Missing argument '(.*)'\.$"), r"missing \1: give it after the command"),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), r"unexpected argument(s): \1"),
)


def show_usage_error(exc: ClickException, argv: list[str]) -> None:
    """`conflictmap: error: WHAT` and, for a usage error, the command's usage line and where help is."""
    typer.echo(f"conflictmap: error: {usage_message(exc, argv)}", err=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        help_name = ctx.help_option_names[0] if ctx.help_option_names else "--help"
        typer.echo(f"{ctx.get_usage()}  (see '{ctx.command_path} {help_name}')", err=True)


def usage_message(exc: ClickException, argv: list[str]) -> str:
    """The error in this tool's words: the option and the value given, then what is wrong with it."""
    text = exc.format_message()
    param = getattr(exc, "param", None)
    if type(exc).__name__ != "BadParameter" or param is None or getattr(param, "param_type_name", "") != "option":
        return reworded(text, PARSER_WORDS)
    reason = reworded(text.split(": ", 1)[-1] if text.startswith("Invalid value for") else text, CONVERTER_WORDS)
    name, value = param.opts[0], given_value(param, argv)
    if value is None:
        return f"{name}: {reason}"
    if param.name == "fmt":  # frontline -f geojson: the lines are in export --layer frontline
        from conflictmap.cli.output import geo_hint

        ctx = getattr(exc, "ctx", None)
        reason += geo_hint(ctx.command.name if ctx is not None else None, value)
    return f"{name} {reason}" if reason.startswith(repr(value)) else f"{name} {value!r} {reason}"


def reworded(text: str, table) -> str:
    for pattern, words in table:
        text = pattern.sub(words, text)
    return text


def given_value(param, argv: list[str]) -> str | None:
    """The text given for an option on the command line (`--opt VALUE` or `--opt=VALUE`), if it is there."""
    for i, arg in enumerate(argv):
        for opt in param.opts:
            if arg == opt and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1 :]
    return None

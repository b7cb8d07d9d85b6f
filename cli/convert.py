"""Option values converted as Typer converts them, without building a pydantic converter where the result is sure.

Typer (0.29) turns every value through a pydantic TypeAdapter that it builds
for each parameter of the command, given or not, at every start: importing
pydantic and building some twenty adapters is a tenth of a second, more than
the bundled sample's whole query. The values of this command line are mostly
absent, a text, a choice or a date: for those the result is known without
pydantic (the text itself, the choice Typer's own `coerce_cli_choice` picks,
what the option's parser returns). Any other value, and every value that
fails, goes through Typer's own converter, so its result and its error
message are Typer's exactly (tests/test_cli_convert.py compares the two).
"""

from __future__ import annotations

from enum import Enum
from typing import get_args, get_origin


class NotSure(Exception):
    """The value is for Typer's own converter."""


def install(params) -> None:
    """Give each Typer parameter the lean converter (a Typer without runtime converters: nothing)."""
    for param in params:
        if hasattr(param, "type_descriptor") and getattr(param, "_runtime_param", False) is None:
            param._runtime_param = Lean(param.type_descriptor)


class Lean:
    """Typer's RuntimeParam.coerce for one parameter: the sure cases here, the others by Typer's own converter."""

    def __init__(self, descriptor):
        self.descriptor = descriptor
        self.own = None

    def coerce(self, value, param, ctx):
        if value is None:  # as Typer: nothing given is None, or () for a repeatable option
            return () if param.multiple or param.nargs == -1 else None
        try:
            value = sure_value(self.descriptor, value, ctx)
        except Exception:
            value = self.typer_converter().coerce(value, param=param, ctx=ctx)
        if isinstance(value, Enum):
            from conflictmap.cli.output import SAME_AS

            return SAME_AS.get(value, value)
        return value

    def typer_converter(self):
        if self.own is None:
            from typer._coercion import build_runtime_param

            self.own = build_runtime_param(self.descriptor)
        return self.own


def sure_value(descriptor, value, ctx):
    """The value Typer's converter returns for `value`, where it is sure without pydantic; else NotSure."""
    kind, info = descriptor.annotation, descriptor.parameter_info
    if descriptor.file_annotation is not None or descriptor.is_path:
        raise NotSure(value)
    if get_origin(kind) is list:
        if get_args(kind) == (str,) and info.parser is None and isinstance(value, (list, tuple)):
            return [_text(item) for item in value]
        raise NotSure(value)
    if info.parser is not None:
        return info.parser(value)
    if kind is str:
        return _text(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        from typer._param_types import coerce_cli_choice

        return coerce_cli_choice(value, choices=tuple(kind), case_sensitive=info.case_sensitive, ctx=ctx)
    raise NotSure(value)


def _text(value):
    if type(value) is not str:
        raise NotSure(value)
    return value

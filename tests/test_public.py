"""The library's public entry points: each module's __all__ names things that exist and say what they do."""

import importlib
import pkgutil

import pytest

import conflictmap

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(conflictmap.__path__) if not m.name.startswith("_") and m.name != "cli"
)


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_exists_and_has_a_docstring(name):
    module = importlib.import_module(f"conflictmap.{name}")
    for public in getattr(module, "__all__", []):
        thing = getattr(module, public)  # an AttributeError names a stale entry
        if callable(thing):
            assert (thing.__doc__ or "").strip(), f"conflictmap.{name}.{public} has no docstring"


def test_the_main_entry_points_are_listed():
    listed = {name: set(getattr(importlib.import_module(f"conflictmap.{name}"), "__all__", ())) for name in MODULES}
    for module, entry in [
        ("dataset", "load_dataset"),
        ("figures", "shares"),
        ("timeline", "timeline"),
        ("changes", "changes"),
        ("frontline", "front_lines"),
        ("export", "export"),
        ("report", "make_report"),
        ("baseline", "Baseline"),
        ("text", "percent"),
    ]:
        assert entry in listed[module], (module, entry)

"""Every command has help text, and --help stays light (no geopandas/pandas/pyogrio import)."""

import json
import subprocess
import sys

import pytest
import typer.main

from conflictmap.cli.app import app

HEAVY = ("geopandas", "pandas", "pyogrio", "matplotlib", "shapely", "pyproj", "dask", "distributed")


def command_names():
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help_text(cli):
    for name in command_names():
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage" in result.stdout
        cmd = __import__("typer.main").main.get_command(app).commands[name]
        assert (cmd.help or "").strip(), f"{name} has no help text"


def heavy_after(*argvs) -> list[str]:
    """The heavy modules a fresh interpreter has imported after running each argv (a --help) in turn."""
    code = (
        "import sys, json\n"
        "from conflictmap.cli.app import app\n"
        f"for argv in {list(argvs)!r}:\n"
        "    try:\n        app(argv)\n    except SystemExit:\n        pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["share", "--help"],
        ["status", "--help"],
        ["info", "--help"],
        ["zones", "--help"],
        ["zones", "area", "--help"],
        ["overlay", "--help"],
    ],
)
def test_help_imports_no_heavy_module(args):
    assert heavy_after(args) == []


def test_every_command_help_is_light():
    # Every command, nested ones (zones area) included, in one interpreter.
    from conflictmap.cli.group import subcommands

    group = typer.main.get_command(app)
    paths = [[name] for name in group.commands]
    paths += [[name, sub] for name, cmd in group.commands.items() for sub in getattr(cmd, "commands", {})]
    assert heavy_after(*[[*p, "--help"] for p in paths]) == []
    assert len(paths) == len(list(subcommands(group)))


def test_version(cli):
    from conflictmap import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def all_helps(cli):
    """(command words, help text) of the app, every command and every command of a nested group."""
    import typer.main

    group = typer.main.get_command(app)
    out = [((), cli("--help").stdout)]
    for name, command in sorted(group.commands.items()):
        out.append(((name,), cli(name, "--help").stdout))
        for sub in sorted(getattr(command, "commands", {})):
            out.append(((name, sub), cli(name, sub, "--help").stdout))
    return out


def test_flags_look_like_flags(cli):
    # Typer's rich help shows a <bool> type for flags as if they took a value (--all <bool>).
    for words, text in all_helps(cli):
        assert "Usage" in text, words
        assert "<bool>" not in text, words
    share = cli("share", "--help").stdout
    assert [line for line in share.splitlines() if "--dissolve" in line][0].split()[:3] == ["│", "--dissolve", "Merge"]


def test_a_default_said_in_words_is_not_repeated(cli):
    text = cli("frontline", "--help").stdout
    assert "default: detected" in text and "[default: 0.0]" not in text and "[default: None]" not in text
    # A default the help does not mention is still shown.
    assert "[default: count]" in cli("share", "--help").stdout


def test_paragraphs_wrap_to_the_terminal_not_to_the_source(cli, monkeypatch):
    # Very wide: each paragraph of a command's docstring is then one line of its --help (the source's line
    # breaks, e.g. in the middle of validate's sentences, are gone); the examples follow, one line each.
    import inspect
    import re

    import typer.main

    monkeypatch.setenv("COLUMNS", "2000")
    group = typer.main.get_command(app)
    for words, text in all_helps(cli)[1:]:
        command = group
        for word in words:
            command = command.commands[word]
        prose, _, examples = inspect.cleandoc(command.help).partition("```")
        paragraphs = [p for p in re.split(r"\n\s*\n", prose) if p.strip()]
        example_lines = [line for line in examples.strip("`\n").splitlines() if line.strip()]
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
        end = next(i for i, line in enumerate(lines) if line.startswith("╭"))
        described = [line for line in lines[start:end] if line.strip()]
        assert len(described) == len(paragraphs) + len(example_lines), (words, described)


def commands():
    """(command words, click command) of every command that runs (zones area, not zones)."""
    group = typer.main.get_command(app)
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):
            yield from (([name, sub], inner) for sub, inner in sorted(cmd.commands.items()))
        else:
            yield [name], cmd


def test_every_command_ends_with_examples_that_do_not_wrap(cli, monkeypatch):
    # 80 columns, the narrowest terminal people keep: every line of every example is whole in the help,
    # and the examples are the last thing before the option panels.
    from conflictmap.cli.group import EXAMPLE_WIDTH

    monkeypatch.setenv("COLUMNS", "80")
    for words, command in commands():
        examples = command.help.split("```")[1].strip("\n").splitlines() if "```" in command.help else []
        starts = [line for line in examples if line.startswith("conflictmap ")]
        assert 1 <= len(starts) <= 3, (words, examples)
        text = cli(*words, "--help").stdout
        shown = [line.strip() for line in text.splitlines()]
        for line in examples:
            assert len(line) <= EXAMPLE_WIDTH and line.strip() in shown, (words, line)
        tail = [line for line in text[: text.index("╭")].splitlines() if line.strip()]
        assert tail[-1].strip() == examples[-1].strip(), words


def test_every_value_says_what_it_is(cli):
    # FILE, DATE, ACTOR, ... or the choices; never a Python type such as <str> or <list[str]>.
    import re

    for words, text in all_helps(cli):
        assert not re.search(r"<(str|int|float|list\[[^]]*\])>", text), words
    from conflictmap.cli.options import METAVAR

    for words, command in commands():
        for param in command.params:
            if param.hidden or getattr(param, "is_flag", False) or param.name == "help":
                continue
            kind = param.type_descriptor.annotation
            if not (isinstance(kind, type) and issubclass(kind, __import__("enum").Enum)):
                assert param.metavar in set(METAVAR.values()), (words, param.opts, param.metavar)


def test_validate_help_keeps_its_sentences_whole(cli):
    text = " ".join(cli("validate", "--help").stdout.split())  # at 120 columns, joined back
    assert "Errors are what other commands refuse (duplicate ids, bad geometry, unknown districts or actors," in text
    assert "Exit code 1 when there is an error, 0 with warnings only: ready for cron." in text


def test_gap_help_is_one_wording_with_one_default(cli):
    # export --layer frontline and frontline take the same --gap: one wording, its default said once.
    texts = []
    for name in ("frontline", "export"):
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        flat = " ".join(result.stdout.replace("│", " ").split())  # unwrapped, without the panel's borders
        start = flat.index("--gap")
        texts.append(flat[start : flat.index("--", start + 5)])
    assert texts[0] == texts[1] and "default: detected" in texts[0] and "[default" not in texts[0]

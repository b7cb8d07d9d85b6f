"""Where inputs come from: options, ./conflictmap.toml (paths relative to it), or the bundled sample."""

from pathlib import Path

import pytest

from conflictmap.errors import InputError, UsageError
from conflictmap.project import Inputs, resolve, sample_dir


def test_no_inputs_means_the_bundled_sample(tmp_path):
    got = resolve(Inputs(), cwd=tmp_path)
    assert got.districts == str(sample_dir() / "districts.geojson")
    assert got.control.endswith("control.csv") and got.actors.endswith("actors.toml")


def test_project_file_paths_are_relative_to_it(tmp_path, squares):
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "conflictmap.toml").write_text(
        f'districts = "{squares["districts"]}"\ncontrol = "log.csv"\ninitial = "government"\n'
    )
    got = resolve(Inputs(), cwd=folder)
    assert got.control == str(folder / "log.csv")
    assert got.districts == squares["districts"]
    assert got.initial == "government"
    # An option given on the command line wins over the project file.
    assert resolve(Inputs(initial="rebels"), cwd=folder).initial == "rebels"


def test_project_option_names_the_file(tmp_path, squares, cli_json):
    proj = tmp_path / "elsewhere.toml"
    proj.write_text(f'districts = "{squares["districts"]}"\ncontrol = "{squares["control"]}"\n')
    rows = cli_json("share", "--project", proj, "--date", "2020-01-15")
    assert {r["actor"]: r["districts"] for r in rows}["rebels"] == 2


def test_unknown_project_key(tmp_path):
    (tmp_path / "conflictmap.toml").write_text('district = "x.geojson"\n')
    with pytest.raises(InputError, match="unknown key"):
        resolve(Inputs(), cwd=tmp_path)


def test_both_inputs_on_stdin_is_usage_error():
    with pytest.raises(UsageError, match="both read stdin"):
        resolve(Inputs(districts="-", control="-"))


def test_sample_runs_with_no_inputs(cli_json, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    info = cli_json("info")
    assert info["districts"]["count"] > 50
    assert info["control"]["first_date"] == "2016-11-15"


def test_a_bad_field_in_the_project_file_is_a_data_error_naming_the_file(tmp_path, squares, cli):
    proj = tmp_path / "conflictmap.toml"
    proj.write_text(f'districts = "{squares["districts"]}"\nname_field = "nme"\n')
    result = cli("share", "--project", proj)
    assert result.exit_code == 1
    assert (
        "name_field in" in result.stderr and "conflictmap.toml" in result.stderr and "--name-field" not in result.stderr
    )
    # The same mistake as an option stays a usage error.
    assert cli("share", "--districts", squares["districts"], "--name-field", "nme").exit_code == 2


def test_project_field_settings_apply_to_the_project_files_only(tmp_path, squares):
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "conflictmap.toml").write_text(
        f'districts = "{squares["districts"]}"\nid_field = "name"\ndissolve = true\naliases = "aliases.csv"\n'
        'encoding = "cp1251"\n'
    )
    own = resolve(Inputs(), cwd=folder)
    assert (own.id_field, own.dissolve, own.aliases, own.encoding) == (
        "name",
        True,
        (str(folder / "aliases.csv"),),
        "cp1251",
    )
    # Another districts file given on the command line: the project's field settings are not its settings.
    other = resolve(Inputs(districts="other.geojson"), cwd=folder)
    assert (other.id_field, other.dissolve, other.aliases) == (None, False, ())
    assert other.encoding == "cp1251"  # the log is still the project's (none given): its encoding stays
    assert resolve(Inputs(control="log.csv"), cwd=folder).encoding is None
    # The project's own file by another path (a '..' in it) is the project's file: its settings stay.
    districts = Path(squares["districts"])
    roundabout = districts.parent / ".." / districts.parent.name / districts.name
    same = resolve(Inputs(districts=str(roundabout)), cwd=folder)
    assert (same.id_field, same.dissolve) == ("name", True)


def test_info_describes_shared_ids_instead_of_refusing(tmp_path, cli_json):
    import json

    from tests.helpers import squares_geojson

    data = squares_geojson()
    data["features"][1]["properties"]["id"] = "A"  # B's feature now says A, with its own name
    path = tmp_path / "dup.geojson"
    path.write_text(json.dumps(data))
    shared = cli_json("info", "--districts", path)["districts"]["duplicate_ids"]
    assert shared["by_id"] == {"A": ["Alpha", "Beta"]} and shared["ids_with_different_names"] == ["A"]
    assert "--id-field name" in shared["hint"]  # the names are unique: that field gives one district per id

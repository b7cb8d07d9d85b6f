"""Where inputs come from: options, ./conflictmap.toml (paths relative to it), or the bundled sample."""

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
    assert "name_field in" in result.stderr and "conflictmap.toml" in result.stderr and "--name-field" not in result.stderr
    # The same mistake as an option stays a usage error.
    assert cli("share", "--districts", squares["districts"], "--name-field", "nme").exit_code == 2

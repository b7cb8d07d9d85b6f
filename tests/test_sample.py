"""The bundled sample: it loads cleanly, and the motivating question agrees with a plain-Python reading of its log."""

import csv
from collections import defaultdict

import pytest

from conflictmap.project import sample_dir


def independent_state(date: str) -> dict[str, dict[str, float]]:
    """district -> {controller: share} on `date`, from control.csv with the csv module only."""
    rows = list(csv.DictReader(open(sample_dir() / "control.csv", encoding="utf-8")))
    latest: dict[str, str] = {}
    for r in rows:
        if r["date"] <= date:
            latest[r["district"]] = max(latest.get(r["district"], ""), r["date"])
    state: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if latest.get(r["district"]) == r["date"]:
            state[r["district"]][r["controller"]] = float(r["share"] or 1)
    return state


SAMPLE_NOTE = "conflictmap: note: no inputs and no ./conflictmap.toml here: using the bundled Aleppo 2016 sample ("


def test_sample_loads_without_problems(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # surely no conflictmap.toml here
    result = cli("info", "--format", "json")
    assert result.exit_code == 0
    # The note saying where the data come from is the only line: the sample itself has no problem.
    [line] = result.stderr.splitlines()
    assert line.startswith(SAMPLE_NOTE) and line.endswith("aleppo-2016)")


def test_sample_note_is_silenced_by_quiet(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["-q", "info"], ["info", "-q"]):
        result = cli(*args, "--format", "json")
        assert result.exit_code == 0 and result.stderr == "", args


def test_no_note_with_inputs(cli, squares_args):
    result = cli("info", *squares_args, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.parametrize("date", ["2016-11-28", "2016-12-07", "2016-12-12", "2016-12-22"])
def test_motivating_question_matches_plain_reading(cli_json, date):
    before = independent_state("2016-11-15")
    rebel = [d for d, held in before.items() if held.get("rebels")]
    now = independent_state(date)
    expected = 100 * sum(now[d].get("government", 0) * before[d]["rebels"] for d in rebel) / sum(before[d]["rebels"] for d in rebel)
    rows = cli_json("share", "--date", date, "--baseline", "2016-11-15", "--baseline-actor", "rebels")
    got = {r["actor"]: r for r in rows}
    assert got["government"]["districts_pct"] == pytest.approx(expected)
    assert sum(r["districts_pct"] for r in rows) == pytest.approx(100)
    assert sum(r["area_pct"] for r in rows) == pytest.approx(100)


def test_baseline_on_its_own_date_is_all_rebel(cli_json):
    rows = cli_json("share", "--date", "2016-11-15", "--baseline", "2016-11-15", "--baseline-actor", "opposition")
    assert {r["actor"]: r["districts_pct"] for r in rows}["rebels"] == pytest.approx(100)


def test_every_sample_district_has_a_baseline_row():
    state = independent_state("2016-11-15")
    import json

    names = {f["properties"]["name"] for f in json.load(open(sample_dir() / "districts.geojson"))["features"]}
    assert set(state) == names

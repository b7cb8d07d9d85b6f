"""`conflictmap map` through the CLI: the picture is written atomically, errors are one line."""

import csv
import html
import re
from collections import defaultdict

import pytest

from tests.helpers import ROOT

SAMPLE = ROOT / "data" / "aleppo-2016"


def non_blank_png(path):
    from matplotlib.image import imread

    image = imread(path)[:, :, :3]
    assert path.stat().st_size > 20_000
    assert image.shape[1] == 1500 and 750 <= image.shape[0] <= 1500  # 10 in wide, height from the map's shape
    assert 0.15 < (image < 0.98).any(axis=2).mean() < 0.95  # a map on a white page, not a blank one
    return image


def test_png_on_a_date(cli, squares_args, tmp_path):
    out = tmp_path / "map.png"
    result = cli("map", *squares_args, "--date", "2020-02-15", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # stdout carries data only; the picture goes to the file
    non_blank_png(out)


def test_svg_with_baseline_outline(cli, squares_args, tmp_path):
    out = tmp_path / "map.svg"
    result = cli(
        "map",
        *squares_args,
        "--date",
        "2020-03-01",
        "-o",
        out,
        "--baseline",
        "2020-01-01",
        "--baseline-actor",
        "rebels",
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Control on 2020-03-01" in text
    assert "held by rebels" in text
    # By hand: of A and B (rebels on 01-01), on 03-01 A is government and B split: government 75%.
    assert "government 75.0%" in text


def test_no_temporary_file_left_behind(cli, squares_args, tmp_path):
    out = tmp_path / "map.png"
    assert cli("map", *squares_args, "-o", out).exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".map")] == []


@pytest.mark.parametrize(
    "args,message",
    [
        (["-o", "map.gif"], ".png or .svg"),
        (["-o", "map.png", "--baseline", "2020-01-01"], "go together"),
        (["-o", "map.png", "--date", "yesterday"], "--date"),
        (["-o", "map.png", "--baseline", "2020-01-01", "--baseline-actor", "nobody"], "not an actor"),
        (["-o", "no/such/folder/map.png"], "does not exist"),
    ],
)
def test_usage_errors_exit_2(cli, squares_args, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = cli("map", *squares_args, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "map.png").exists()


def test_output_is_required(cli, squares_args):
    result = cli("map", *squares_args)
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_baseline_actor_without_districts_exit_1(cli, squares_args, tmp_path):
    result = cli(
        "map", *squares_args, "-o", tmp_path / "map.png", "--baseline", "2019-01-01", "--baseline-actor", "rebels"
    )
    assert result.exit_code == 1
    assert "held no district on 2019-01-01" in result.stderr


def test_never_overwrites_an_input(cli, squares, tmp_path):
    log = tmp_path / "log.svg"
    log.write_text(open(squares["control"]).read())
    result = cli("map", "--districts", squares["districts"], "--control", log, "-o", log)
    assert result.exit_code == 2
    assert "also an input" in result.stderr
    assert log.read_text() == open(squares["control"]).read()


def test_runs_on_the_bundled_sample(cli, tmp_path):
    out = tmp_path / "sample.png"
    result = cli("map", "-o", out, "--baseline", "2016-11-15", "--baseline-actor", "rebels")
    assert result.exit_code == 0, result.output
    non_blank_png(out)


def test_shared_aleppo_neighbourhoods(cli, shared_data, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "date,district,controller,share\n2016-11-15,Hanano,rebels,\n2016-11-15,Jabal Badro,rebels,\n"
        "2016-11-27,Bustan al-Basha,government,0.5\n2016-11-27,Bustan al-Basha,kurdish forces,0.5\n"
        "2016-11-30,Sheikh Sa'eed,contested,\n"
    )
    out = tmp_path / "aleppo.png"
    result = cli(
        "map",
        "--districts",
        shared_data / "aleppo" / "neighbourhoods-csr.geojson",
        "--dissolve",
        "--control",
        log,
        "-o",
        out,
        "--baseline",
        "2016-11-15",
        "--baseline-actor",
        "rebels",
    )
    assert result.exit_code == 0, result.output
    non_blank_png(out)


def test_baseline_actor_by_its_canonical_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the bundled sample: 'regime' is an alias of government in its actors file
    out = tmp_path / "map.svg"
    result = cli("map", "-q", "-o", out, "--baseline", "2016-11-15", "--baseline-actor", "regime")
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "held by government" in text and "the districts where government held the majority on 2016-11-15" in text
    assert "regime" not in text


def held_on(rows, day: str) -> dict:
    """District -> {controller: share} on `day`, from the log's rows with the latest date <= day (share empty = 1)."""
    latest = {}
    for r in rows:
        if r["date"] <= day and r["date"] >= latest.get(r["district"], ""):
            latest[r["district"]] = r["date"]
    state = defaultdict(dict)
    for r in rows:
        if latest.get(r["district"]) == r["date"]:
            state[r["district"]][r["controller"]] = float(r["share"] or 1)
    return state


def svg_text(path) -> str:
    """Every <text> of a matplotlib SVG (svg.fonttype none), joined by spaces: a wrapped line reads whole."""
    return " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", path.read_text(), re.S))


@pytest.mark.parametrize("day", ["2016-12-07", "2016-12-12"])
def test_baseline_subtitle_lists_every_actor(cli, tmp_path, day):
    # By hand from the bundled log: the districts the rebels held on 15 Nov (each wholly, asserted, so a
    # district counts 1), and on DAY the sum of each controller's shares over them.
    with open(SAMPLE / "control.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    then = held_on(rows, "2016-11-15")
    rebel = [d for d, held in then.items() if "rebels" in held]
    assert all(then[d] == {"rebels": 1.0} for d in rebel)
    now = defaultdict(float)
    for d in rebel:
        for actor, share in held_on(rows, day)[d].items():
            now[actor] += share
    expected = {actor: f"{100 * n / len(rebel):.1f}%" for actor, n in now.items() if n > 0}
    assert len(expected) == 4 and "contested" in expected  # government, rebels, kurdish forces, contested

    out = tmp_path / "map.svg"
    args = ["-q", "map", "--date", day, "--baseline", "2016-11-15", "--baseline-actor", "rebels", "-o", out]
    assert cli(*args).exit_code == 0
    listed = re.search(rf"on {day}: (.*?) \(by count\)", svg_text(out)).group(1)
    shown = dict(entry.rsplit(" ", 1) for entry in listed.split(", "))
    assert shown == expected
    if day == "2016-12-12":
        assert shown["contested"] == "1.4%"  # 1 of the rebels' 70 districts, as share --baseline prints it


def page_data(path) -> dict:
    """The JSON the interactive map embeds (dates, states, legends, title, notes, start)."""
    import json

    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1))


def opening(data) -> tuple[str, dict, dict]:
    """The page's first date, each district's label on it, and its legend's district counts."""
    k = data["start"]
    ids = [f["properties"]["id"] for f in data["districts"]["features"]]
    labels = {i: data["table"][s][2] for i, s in zip(ids, data["states"][k])}
    legend = {data["actors"][row[0]]["name"]: row[1] for row in data["legends"][k]}
    return data["dates"][k], labels, legend


@pytest.mark.parametrize("day", ["2016-11-15", "2016-12-07", "2016-12-10", "2016-12-30"])
def test_interactive_map_opens_on_the_date(cli, cli_json, tmp_path, day):
    # The log's dates, read from the file: a date with no row of its own opens on the latest one before it
    # (2016-12-10 on 2016-12-07, 2016-12-30 on 2016-12-22), whose state is the state on that date.
    with open(SAMPLE / "control.csv", newline="", encoding="utf-8") as f:
        expected = max(r["date"] for r in csv.DictReader(f) if r["date"] <= day)
    out = tmp_path / "map.html"
    result = cli("map", "--date", day, "-o", out)
    assert result.exit_code == 0, result.output
    shown, labels, legend = opening(page_data(out))
    assert shown == expected
    assert (f"opens on {expected}" in result.stderr) == (expected != day)
    assert labels == {r["id"]: r["controller"] for r in cli_json("status", "--date", day)}
    assert legend == {r["actor"]: r["districts"] for r in cli_json("share", "--date", day)}


def test_interactive_map_on_a_date_before_the_log(cli, cli_json, tmp_path):
    out = tmp_path / "map.html"
    result = cli("map", "--date", "2016-11-01", "-o", out)
    assert result.exit_code == 0, result.output
    assert "before the first date of the log" in result.stderr
    data = page_data(out)
    shown, labels, legend = opening(data)
    assert shown == "2016-11-01" and data["dates"][1] == "2016-11-15"  # a date of its own, then the log's
    assert set(labels.values()) == {"unknown"}  # the sample's initial holder: no district has a row yet
    assert legend == {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2016-11-01")}


def test_interactive_map_title_credit_and_confidence(cli, cli_json, tmp_path):
    out = tmp_path / "map.html"
    args = ["--title", "Aleppo <b>", "--credit", "Data: SOHR & ISW", "--confidence", "confirmed"]
    result = cli("map", "--date", "2016-12-12", "-o", out, *args)
    assert result.exit_code == 0, result.output
    data = page_data(out)
    assert data["title"] == "Aleppo <b>" and "Aleppo <b>" not in out.read_text(encoding="utf-8")  # text, escaped
    assert data["notes"][0] == "Data: SOHR & ISW" and "at least as sure as confirmed" in data["notes"][1]
    shown, labels, legend = opening(data)
    sure = cli_json("share", "--date", "2016-12-12", "--confidence", "confirmed")
    assert legend == {r["actor"]: r["districts"] for r in sure}
    assert legend != {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2016-12-12")}  # it filters
    status = cli_json("status", "--date", "2016-12-12", "--confidence", "confirmed")
    assert labels == {r["id"]: r["controller"] for r in status}


@pytest.mark.parametrize("option", [["--range"], ["--labels", "5"], ["--bbox", "37.1,36.1,37.2,36.2"]])
def test_interactive_map_refuses_picture_options(cli, tmp_path, option):
    out = tmp_path / "map.html"
    result = cli("map", "-o", out, *option)
    assert result.exit_code == 2, result.output
    assert f"{option[0]}: for a picture file (FILE.png, .svg, .pdf) only" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the sample's note and the one line, no traceback
    assert not out.exists()

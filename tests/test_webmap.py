"""The interactive map (map -o FILE.html): one file, no network, the states and shares the other commands give."""

import html
import json
import re

import pytest

from tests.helpers import square, SQUARES, SIZE, LEGEND, PATHS
from tests.helpers import CHROMIUM, FLAGS, PAGE_ERRORS


def dom_at(page, tmp_path, day=None):
    """The page's DOM in headless chromium, opened at #date=DAY (the page moves its slider there), or with
    no address fragment when DAY is None (the page opens on its own start date)."""
    import subprocess

    if not CHROMIUM:
        pytest.skip(
            "chromium is not installed (apt-get install -y chromium); it is needed to check the interactive map"
        )
    command = [
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.resolve().as_uri() + (f"#date={day}" if day else ""),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory):
    from typer.testing import CliRunner

    from conflictmap.cli.app import app

    out = tmp_path_factory.mktemp("webmap") / "map.html"
    result = CliRunner().invoke(app, ["map", "-o", str(out), "--baseline", "2016-11-15", "--baseline-actor", "rebels"])
    assert result.exit_code == 0, result.output
    return out


def test_page_is_one_small_file_with_everything_inlined(sample_page):
    text = sample_page.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 1_000_000
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", text)  # nothing to fetch
    assert "default-src 'none'" in text  # and the page forbids fetching anything


@pytest.mark.parametrize("day", ["2016-11-15", "2016-12-07", "2016-12-22"])
def test_slider_date_shows_the_status_of_that_date(sample_page, tmp_path, cli_json, day):
    done = dom_at(sample_page, tmp_path, day)
    assert not PAGE_ERRORS.search(done.stderr), [line for line in done.stderr.splitlines() if PAGE_ERRORS.search(line)]
    drawn = {html.unescape(i): html.unescape(label) for i, _, label in PATHS.findall(done.stdout)}
    expected = {r["id"]: r["controller"] for r in cli_json("status", "--date", day)}
    assert drawn == expected
    legend = {html.unescape(a): float(n) for a, n in LEGEND.findall(done.stdout)}
    assert legend == {r["actor"]: r["districts"] for r in cli_json("share", "--date", day)}


def test_names_from_the_data_are_text_not_markup(cli, tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"id": k, "name": f"<img src=x onerror=alert('{k}')>&"},
            "geometry": square(*SQUARES[k], SIZE),
        }
        for k in SQUARES
    ]
    districts = tmp_path / "d.geojson"
    districts.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller,source\n2020-01-01,A,</script><script>alert(1)</script>,<b>x</b>\n")
    out = tmp_path / "m.html"
    assert cli("map", "-d", districts, "-c", log, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "</script><script>alert" not in text and "<b>x</b>" not in text
    assert "\\u003cimg src=x" in text  # the names travel as escaped JSON


def test_same_bytes_twice(cli, squares_args, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert (
        cli("map", *squares_args, "-o", a).exit_code == 0
        and cli("map", *squares_args, "--interactive", "-o", b).exit_code == 0
    )
    assert a.read_bytes() == b.read_bytes()
    assert cli("map", *squares_args, "--interactive", "-o", tmp_path / "m.png").exit_code == 2


def test_page_opens_on_the_date_asked_for(cli, cli_json, tmp_path):
    # map --date 2016-12-10 (no row that day): the slider shows 2016-12-07, the date of the state in force.
    out = tmp_path / "map.html"
    assert cli("map", "--date", "2016-12-10", "-o", out).exit_code == 0
    done = dom_at(out, tmp_path)
    assert not PAGE_ERRORS.search(done.stderr), [line for line in done.stderr.splitlines() if PAGE_ERRORS.search(line)]
    assert '<span id="date">2016-12-07</span>' in done.stdout
    drawn = {html.unescape(i): html.unescape(label) for i, _, label in PATHS.findall(done.stdout)}
    assert drawn == {r["id"]: r["controller"] for r in cli_json("status", "--date", "2016-12-10")}
    legend = {html.unescape(a): float(n) for a, n in LEGEND.findall(done.stdout)}
    assert legend == {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2016-12-10")}


def test_tooltips_carry_each_districts_other_names(sample_page, cli_json):
    # The sample's districts have name_ar: the tooltip data gives it under the name, as status gives it.
    text = sample_page.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1))
    other = {f["properties"]["id"]: f["properties"]["other"] for f in data["districts"]["features"]}
    expected = {r["id"]: [r["name_ar"]] if r["name_ar"] else [] for r in cli_json("status")}
    assert other == expected and sum(map(bool, other.values())) > 100
    assert "<bdi>" in text  # each name keeps its own direction beside Latin text


def test_names_show_their_control_characters_as_tables_do(cli, tmp_path):
    """A bidi override (U+202E) in a name or its name_ar is shown as \\u202e in the tooltip data, as status shows it."""
    from tests.helpers import ODD_NAMES, odd_names_inputs

    districts, log = odd_names_inputs(tmp_path)
    out = tmp_path / "m.html"
    assert cli("map", "-d", districts, "-c", log, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1))
    props = {f["properties"]["id"]: f["properties"] for f in data["districts"]["features"]}
    assert props["B"]["name"] == "\\u202eRLO reversed\\u202c name"
    assert props["B"]["other"] == ["\\u202eRLO reversed\\u202c name عربي"]
    assert "\u202e" not in text
    assert props["A"]["name"] == ODD_NAMES["A"]  # tabs and line breaks are text (the tooltip collapses them)

"""report --interactive: the interactive map inside the HTML report, offline, under a CSP that lets only its own
two scripts run (by SHA-256), opening at the report's date; checked in headless chromium."""

from __future__ import annotations

import html
import re

import pytest

from tests.helpers import CHROMIUM, PAGE_ERRORS, REMOTE, chromium
from tests.helpers import LEGEND, PATHS

SCRIPTS = re.compile(r"<script(?![^>]*application/json)[^>]*>(.*?)</script>", re.S)


@pytest.fixture(scope="module")
def live_report(tmp_path_factory):
    from typer.testing import CliRunner

    from conflictmap.cli.app import app

    out = tmp_path_factory.mktemp("live") / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--date",
            "2016-12-07",
            "--baseline",
            "2016-11-15",
            "--baseline-actor",
            "rebels",
            "--interactive",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def dom(page, tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    done = chromium(page, tmp_path, "--dump-dom", "--window-size=1200,1600")
    assert not PAGE_ERRORS.search(done.stderr), [line for line in done.stderr.splitlines() if PAGE_ERRORS.search(line)]
    return done.stdout


def test_one_file_nothing_to_fetch_only_its_own_scripts(live_report):
    from conflictmap.webmap import script_hash

    text = live_report.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 1_000_000  # the sample's report with its interactive map (about 0.6 MB)
    markup = SCRIPTS.sub(
        "", text
    )  # Leaflet's code holds a link to leafletjs.com for an attribution control it does not show
    assert not REMOTE.search(markup) and not re.search(r"<(script|link|iframe)[^>]+(src|href)=", markup)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    scripts = SCRIPTS.findall(text)
    assert len(scripts) == 2  # Leaflet and the map's own
    assert all(script_hash(body) in policy for body in scripts)
    assert text.count('<img src="data:image/svg+xml;base64,') == 2  # the static map stays, for print and mail


def test_opens_at_the_reports_date_with_the_status_of_that_date(live_report, tmp_path, cli_json):
    page = dom(live_report, tmp_path)
    drawn = {html.unescape(i): html.unescape(label) for i, _, label in PATHS.findall(page)}
    assert drawn == {r["id"]: r["controller"] for r in cli_json("status", "--date", "2016-12-07")}
    legend = {html.unescape(a): float(n) for a, n in LEGEND.findall(page)}
    assert legend == {r["actor"]: r["districts"] for r in cli_json("share", "--date", "2016-12-07")}
    assert '<span id="date">2016-12-07</span>' in page
    assert 'class="js"' in page  # the script ran: the static map yields its place on screen


def test_a_script_slipped_into_the_page_does_not_run(live_report, tmp_path):
    """The CSP names the two scripts by hash: any other inline script is refused (the check can fail: see stderr)."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    bad = tmp_path / "bad.html"
    bad.write_text(
        live_report.read_text(encoding="utf-8").replace(
            "</body>", "<script>document.body.setAttribute('data-ran', 'yes')</script></body>"
        ),
        encoding="utf-8",
    )
    done = chromium(bad, tmp_path, "--dump-dom")
    assert 'data-ran="yes"' not in done.stdout
    assert "violates the following Content Security Policy directive 'script-src" in done.stderr


def test_same_bytes_twice_and_html_only(cli, squares_args, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert cli("report", *squares_args, "--interactive", "-o", a).exit_code == 0
    assert cli("report", *squares_args, "--interactive", "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    for out in ("r.md", "r.json"):
        result = cli("report", *squares_args, "--interactive", "-o", tmp_path / out)
        assert result.exit_code == 2 and "--interactive" in result.stderr and not (tmp_path / out).exists()


def test_names_from_the_data_reach_the_map_as_escaped_json(cli, squares, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller,source\n2020-01-01,A,</script><script>alert(1)</script>,<b>x</b>\n")
    out = tmp_path / "r.html"
    assert cli("report", "-d", squares["districts"], "-c", log, "--interactive", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "</script><script>alert" not in text and "<b>x</b>" not in text
    assert len(SCRIPTS.findall(text)) == 2


def test_ukraine_overlay_report_with_its_map(cli, cli_json, tmp_path):
    from tests.helpers import SHARED

    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent")
    oblasts = SHARED / "ukraine" / "adm1-oblasts.geojson"
    log = tmp_path / "log.csv"
    made = cli(
        "-q",
        "overlay",
        SHARED / "ukraine" / "zones-deepstate" / "deepstatemap_data_20240708.geojson",
        "--actor",
        "russia",
        "--rest",
        "ukraine",
        "-d",
        oblasts,
        "-o",
        log,
    )
    assert made.exit_code == 0, made.output
    out = tmp_path / "ua.html"
    assert cli("report", "-d", oblasts, "-c", log, "--interactive", "-o", out).exit_code == 0
    assert out.stat().st_size < 2_000_000
    page = dom(out, tmp_path)
    drawn = {html.unescape(i): html.unescape(label) for i, _, label in PATHS.findall(page)}
    assert drawn == {r["id"]: r["controller"] for r in cli_json("status", "-d", oblasts, "-c", log)}

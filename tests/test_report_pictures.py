"""The HTML report's pictures on a phone: drawn bare, their legends written as text beside them.

Measured in headless chromium at 420 px: a copy of the report (the test's own, with a script added and the
CSP that forbids scripts removed) writes the width each picture is shown at into the DOM; the smallest text
of each SVG, in screen pixels, is its font size times that width over the SVG's own width. Headless
chromium's --dump-dom lays pages out at least 500 px wide whatever --window-size says (its screenshots are
420 px), so the copy's page is set 420 px wide; 500 px is still under the report's 520 px phone style.
"""

from __future__ import annotations

import base64
import html
import re

import pytest

from tests.helpers import CHROMIUM, PAGE_ERRORS, chromium

MEASURE = """<script>
function measure() {
  document.querySelectorAll("figure img").forEach(img => img.setAttribute("data-shown", img.getBoundingClientRect().width));
  // The right edge of the widest box, scroll boxes' contents aside (a wide table scrolls inside its own box).
  let right = 0;
  document.querySelectorAll("body *").forEach(el => {
    if (!el.parentElement.closest(".table")) right = Math.max(right, el.getBoundingClientRect().right);
  });
  document.body.setAttribute("data-page-width", Math.ceil(right));
  document.body.setAttribute("data-viewport", window.innerWidth);
}
measure(); window.addEventListener("load", measure);
</script></body>"""
SMALLEST_PX = 10  # the phone's body text is 16 px; 10 px is the least a reader at arm's length takes in


def measured(page, tmp_path, width=420):
    text = page.read_text(encoding="utf-8")
    copy = tmp_path / "measured.html"
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text).replace("</body>", MEASURE, 1)
    copy.write_text(text.replace("</style>", f"html {{ width: {width}px; }}</style>", 1), encoding="utf-8")
    dom = chromium(copy, tmp_path, "--dump-dom", f"--window-size={width},1600").stdout
    return dom


def smallest_text_px(img_tag: str) -> float:
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img_tag).group(1)).decode("utf-8")
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    shown = float(re.search(r'data-shown="([\d.]+)"', img_tag).group(1))
    return min(sizes) * shown / view_width


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    from typer.testing import CliRunner

    from conflictmap.cli.app import app

    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", "--date", "2016-12-12", "--baseline", "2016-11-15", "--baseline-actor", "rebels", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


def test_picture_text_is_legible_at_420_px(report_page, tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    dom = measured(report_page, tmp_path)
    images = re.findall(r"<img [^>]*>", dom)
    assert len(images) == 2
    for img in images:
        assert smallest_text_px(img) >= SMALLEST_PX, img[:80]
    assert int(re.search(r'data-viewport="(\d+)"', dom).group(1)) <= 520  # the phone style applies
    assert int(re.search(r'data-page-width="(\d+)"', dom).group(1)) <= 420  # nothing wider than the screen


def test_a_full_size_figure_would_fail_the_check(tmp_path):
    """The check can fail: the map as `map -o` draws it (10 inches, 7-point footer) shown 396 px wide."""
    from conflictmap.dataset import load_dataset
    from conflictmap.plots import map_figure
    from conflictmap.project import Inputs, resolve
    from conflictmap.report_render import _svg

    svg = _svg(map_figure(load_dataset(resolve(Inputs())), None))
    tag = f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" data-shown="396">'
    assert smallest_text_px(tag) < 5


def test_legends_are_text_beside_the_pictures(report_page, cli_json):
    text = report_page.read_text(encoding="utf-8")
    legends = re.findall(r'<div class="legend">(.*?)</div>', text)
    assert len(legends) == 2
    names = [html.unescape(n) for n in re.findall(r'<span class="name">([^<]*)</span>', legends[0])]
    shares = cli_json("share", "--date", "2016-12-12")
    # Every row of share, as the static and the HTML map's legends: holders by districts, contested and unknown last.
    held = sorted((r for r in shares if r["actor"] not in ("contested", "unknown")), key=lambda r: -r["districts"])
    assert names == [r["actor"] for r in held] + ["contested", "unknown"]
    assert "held by rebels on 2016-11-15" in legends[0]  # the baseline outline's key
    government = next(r for r in shares if r["actor"] == "government")
    assert f"{government['districts_pct']:.1f}%" in legends[0]


def test_a_phone_screenshot_shows_the_pictures_and_their_legends(report_page, tmp_path):
    png = tmp_path / "phone.png"
    done = chromium(report_page, tmp_path, f"--screenshot={png}", "--window-size=420,2200")
    assert not PAGE_ERRORS.search(done.stderr)
    import numpy as np
    from matplotlib.image import imread

    image = (imread(png)[:, :, :3] * 255).astype(int)
    assert image.shape[:2] == (2200, 420)
    from conflictmap.plots import CONVENTIONAL

    rebels = np.array([int(CONVENTIONAL["rebels"][k : k + 2], 16) for k in (1, 3, 5)])
    green = (np.abs(image - rebels).max(axis=2) <= 3).sum()
    assert green > 5000  # the map's and the chart's rebel-held areas at phone width


def test_names_in_the_legend_are_escaped(cli, squares, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller\n2020-01-01,A,<img src=x onerror=alert(1)>\n2020-01-02,B,rebels\n")
    out = tmp_path / "r.html"
    result = cli("report", "-d", squares["districts"], "-c", log, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


@pytest.fixture(scope="module")
def ukraine_log(tmp_path_factory):
    """Two DeepState snapshots overlaid on the oblasts (tests skip without ../shared/data)."""
    import shutil

    from typer.testing import CliRunner

    from conflictmap.cli.app import app
    from tests.helpers import SHARED

    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent")
    ukraine = SHARED / "ukraine"
    folder = tmp_path_factory.mktemp("ukraine")
    zones = folder / "zones"
    zones.mkdir()
    for name in ("deepstatemap_data_20240708.geojson", "deepstatemap_data_20260822.geojson"):
        shutil.copy(ukraine / "zones-deepstate" / name, zones / name)
    log = folder / "log.csv"
    result = CliRunner().invoke(
        app,
        [
            "-q",
            "overlay",
            str(zones),
            "--actor",
            "russia",
            "--rest",
            "ukraine",
            "-d",
            str(ukraine / "adm1-oblasts.geojson"),
            "-o",
            str(log),
        ],
    )
    assert result.exit_code == 0, result.output
    return {"districts": str(ukraine / "adm1-oblasts.geojson"), "control": str(log)}


def test_ukraine_report_is_legible_at_420_px(cli, ukraine_log, tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    out = tmp_path / "ua.html"
    result = cli("report", "-d", ukraine_log["districts"], "-c", ukraine_log["control"], "-o", out)
    assert result.exit_code == 0, result.output
    dom = measured(out, tmp_path)
    images = re.findall(r"<img [^>]*>", dom)
    assert len(images) == 2 and all(smallest_text_px(img) >= SMALLEST_PX for img in images)
    assert int(re.search(r'data-page-width="(\d+)"', dom).group(1)) <= 420
    names = re.findall(r'<span class="name">([^<]*)</span>', out.read_text(encoding="utf-8"))
    assert {"russia", "ukraine"} <= set(names)

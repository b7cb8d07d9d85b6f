"""`conflictmap report` through the CLI: figures equal `share` and `changes`, md/json content,
atomic writes, a self-contained HTML page checked in a real headless browser (chromium)."""

import json
import re

import pytest

from tests.helpers import ROOT, PAGE_ERRORS, REMOTE, chromium, REPORT_KEYS

SAMPLE = ROOT / "data" / "aleppo-2016"
BASELINE = ["--baseline", "2020-01-01", "--baseline-actor", "rebels"]
KEYS = REPORT_KEYS


def report_json(cli, tmp_path, *args) -> dict:
    out = tmp_path / "report.json"
    result = cli("report", *args, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the report goes to the file; stdout carries data only
    return json.loads(out.read_text(encoding="utf-8"))


def approx_rows(rows):
    return [
        {k: pytest.approx(v, rel=1e-12, abs=1e-12) if isinstance(v, float) else v for k, v in r.items()} for r in rows
    ]


def test_json_figures_equal_share_and_changes(cli, cli_json, squares_args, tmp_path):
    model = report_json(cli, tmp_path, *squares_args, "--date", "2020-03-01", *BASELINE)
    assert list(model) == KEYS
    assert model["shares"] == approx_rows(cli_json("share", *squares_args, "--date", "2020-03-01"))
    assert model["baseline"]["shares"] == approx_rows(
        cli_json("share", *squares_args, "--date", "2020-03-01", *BASELINE)
    )
    # --since defaults to the previous date of the log before 03-01: 02-01.
    assert model["since"] == "2020-02-01"
    changes = cli_json("changes", *squares_args, "--since", "2020-02-01", "--until", "2020-03-01")
    assert model["changes"] == approx_rows(changes)
    summary = cli_json("changes", *squares_args, "--since", "2020-02-01", "--until", "2020-03-01", "--summary")
    assert model["gains_losses"] == approx_rows(summary["actors"])


def test_headline_on_the_squares_by_hand(cli, cli_json, squares_args, tmp_path):
    # Of A and B (rebels on 01-01), on 03-01 the government holds A and half of B: 75% by count and
    # by area (A and B are the same size), (1000 + 1000) of 3000 people (conftest.POPULATION).
    model = report_json(cli, tmp_path, *squares_args, "--date", "2020-03-01", *BASELINE)
    gov = {r["actor"]: r for r in cli_json("share", *squares_args, "--date", "2020-03-01", *BASELINE)}["government"]
    assert gov["districts_pct"] == pytest.approx(75.0)
    assert model["headline"] == (
        "On 1 March 2020 the government held 75.0% of the districts that the rebels held on "
        f"1 January 2020 ({gov['area_pct']:.1f}% of their area and 66.7% of their population)."
    )


def test_headline_on_the_bundled_sample_equals_share(cli, cli_json, tmp_path):
    args = ["--date", "2016-12-12", "--baseline", "2016-11-15", "--baseline-actor", "rebels"]
    model = report_json(cli, tmp_path, *args)
    rows = cli_json("share", *args)
    top = next(r for r in rows if r["actor"] not in ("rebels", "contested", "unknown"))
    assert model["baseline"]["shares"] == approx_rows(rows)
    assert model["headline"] == (
        f"On 12 December 2016 the {top['actor']} held {top['districts_pct']:.1f}% of the districts "
        f"that the rebels held on 15 November 2016 ({top['area_pct']:.1f}% of their area)."
    )
    # On 9 December the sample has contested districts (the Old City's southern strip, Sheikh Sa'eed): the sentence reports them.
    model = report_json(cli, tmp_path, "--date", "2016-12-09", *args[2:])
    overall = cli_json("share", "--date", "2016-12-09")
    contested = next(r for r in overall if r["actor"] == "contested")
    assert contested["districts"] > 0
    assert (
        f"{contested['districts']:.0f} ({contested['districts_pct']:.1f}%, {contested['area_pct']:.1f}%) were contested"
        in model["sentences"][2]
    )


def test_markdown_report(cli, squares_args, tmp_path):
    out = tmp_path / "report.md"
    result = cli("report", *squares_args, "--date", "2020-03-01", *BASELINE, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    model = report_json(cli, tmp_path, *squares_args, "--date", "2020-03-01", *BASELINE)
    assert text.startswith(f"# Control on 1 March 2020\n\n**{model['headline']}**\n")
    for sentence in model["sentences"]:
        assert sentence in text
    for heading in (
        "## Who holds what on 1 March 2020",
        "## What the rebels held on 1 January 2020",
        "## Changes since 1 February 2020",
        "## Gains and losses",
        "## Notes",
    ):
        assert heading in text
    # unknown reported with zero, not dropped; the column has split counts (B: 0.5 each way), so 2 decimals
    assert "| unknown | 0.00 | 0.0 |" in text
    assert "data:image" not in text  # no pictures in markdown: a note says where they are
    assert "conflictmap timeline --plot" in text


def test_stdout_with_format(cli, squares_args):
    result = cli("report", *squares_args, "-o", "-", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["date"] == "2020-03-01"  # default --date: the last date of the log


def test_generated_at_only_when_asked(cli, squares_args, tmp_path):
    plain = report_json(cli, tmp_path, *squares_args)
    stamped = report_json(cli, tmp_path, *squares_args, "--generated-at")
    assert plain["generated_at"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamped["generated_at"])


def test_same_inputs_same_bytes(cli, squares_args, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert cli("report", *squares_args, *BASELINE, "-o", a).exit_code == 0
    assert cli("report", *squares_args, *BASELINE, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


# -- HTML: self-contained


@pytest.fixture
def sample_html(cli, tmp_path):
    out = tmp_path / "report.html"
    result = cli("report", "--date", "2016-12-12", "--baseline", "2016-11-15", "--baseline-actor", "rebels", "-o", out)
    assert result.exit_code == 0, result.output
    return out


def test_html_references_nothing_remote(sample_html):
    page = sample_html.read_text(encoding="utf-8")
    assert not REMOTE.search(page)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page  # no fetches from CSS either
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', page)) == 2  # the map and the timeline chart
    assert "default-src 'none'" in page  # and the browser is told to fetch nothing
    assert "https://" in page  # the log's source addresses are cited as plain text, which is fine


def test_remote_check_catches_a_remote_image():
    # The pattern above must be able to fail.
    assert REMOTE.search('<img src="https://example.com/x.png">')
    assert REMOTE.search("<link rel=stylesheet href=//cdn.example.com/a.css>")
    assert not REMOTE.search('<img src="data:image/svg+xml;base64,AAAA">')


def screenshot(page, tmp_path):
    png = tmp_path / "shot.png"
    done = chromium(page, tmp_path, f"--screenshot={png}", "--window-size=1200,2000")
    return done, png


def test_html_in_a_headless_browser(sample_html, tmp_path):
    done, png = screenshot(sample_html, tmp_path)
    assert not PAGE_ERRORS.search(done.stderr), [line for line in done.stderr.splitlines() if PAGE_ERRORS.search(line)]
    from matplotlib.image import imread

    image = imread(png)[:, :, :3]
    assert image.shape[:2] == (2000, 1200)
    colours = len({tuple(p) for p in (image[::4, ::4] * 255).astype(int).reshape(-1, 3)})
    assert colours > 50  # text, map and chart colours: not a blank page
    assert 0.05 < (image < 0.95).any(axis=2).mean() < 0.9  # ink on a white page


def test_html_dom_in_a_headless_browser(sample_html, tmp_path):
    dom = chromium(sample_html, tmp_path, "--dump-dom").stdout
    model_headline = re.search(r'<p class="headline">(.*?)</p>', sample_html.read_text(encoding="utf-8")).group(1)
    assert f'<p class="headline">{model_headline}</p>' in dom
    assert dom.count("<table>") == 4  # shares, baseline shares, changes, gains and losses
    assert dom.count('<img src="data:image/svg+xml;base64,') == 2


def test_browser_check_catches_errors(tmp_path):
    # The error check must be able to fail: a page with a remote image and a broken script.
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<img src="https://example.com/x.png"><script>notDefined()</script><p>x</p>'
    )
    done, _ = screenshot(bad, tmp_path)
    assert PAGE_ERRORS.search(done.stderr)


# -- files and errors


def test_never_overwrites_an_input(cli, squares, tmp_path):
    # The log saved as log.md (a CSV read by its content): a name a Markdown report could have.
    log = tmp_path / "log.md"
    log.write_bytes(open(squares["control"], "rb").read())
    before = log.read_bytes()
    result = cli("report", "-d", squares["districts"], "-c", log, "-o", log)
    assert result.exit_code == 2
    assert "also an input" in result.stderr
    assert log.read_bytes() == before
    # With another suffix the suffix already says the file is no report: refused too, the log intact.
    result = cli("report", "-d", squares["districts"], "-c", squares["control"], "-o", squares["control"], "-f", "md")
    assert result.exit_code == 2 and "the suffix .csv means csv, not -f md" in result.stderr


def test_a_failed_run_keeps_the_previous_report(cli, squares_args, tmp_path):
    out = tmp_path / "report.md"
    out.write_text("yesterday")
    result = cli("report", *squares_args, "--date", "2019-12-01", "--since", "2020-01-01", "-o", out)
    assert result.exit_code == 2  # --since after --date
    assert out.read_text() == "yesterday"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "report.txt"], "cannot tell the format from '.txt'; name the file .md, .html or .json, or give -f"),
        (["-o", "report.html", "-f", "md"], "the suffix .html means html, not -f md"),
        (["-o", "report.csv"], "the suffix .csv means csv, which this command does not write"),
        (["-o", "-"], "--format md, html or json"),
        (["-o", "report.md", "--baseline", "2020-01-01"], "go together"),
        (["-o", "report.md", "--since", "last week"], "--since"),
        (["-o", "report.md", "--since", "2020-03-01", "--date", "2020-02-01"], "--since"),
        (["-o", "report.md", "--baseline", "2020-01-01", "--baseline-actor", "nobody"], "not an actor"),
        (["-o", "no/such/folder/report.md"], "does not exist"),
    ],
)
def test_usage_errors_exit_2(cli, squares_args, tmp_path, monkeypatch, args, message):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("report", *squares_args, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    lines = result.stderr.strip().splitlines()
    # One error line; a value the command line's parser refuses (a date) also gets the usage line.
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("Usage: conflictmap report"))
    assert list(work.iterdir()) == []  # no report, no temporary file


def test_baseline_actor_without_districts_is_a_data_error(cli, squares_args, tmp_path):
    result = cli(
        "report", *squares_args, "--baseline", "2020-03-01", "--baseline-actor", "rebels", "-o", tmp_path / "r.md"
    )
    assert result.exit_code == 1
    assert "held no district" in result.stderr
    assert not (tmp_path / "r.md").exists()


def test_shared_aleppo_neighbourhoods(cli, cli_json, shared_data, tmp_path):
    # The real CSR polygons (split features merged with --dissolve) and a small log by name:
    # rebels hold 4 neighbourhoods on 11-15; the government takes Hanano (11-26) and two more (11-28).
    log = tmp_path / "log.csv"
    log.write_text(
        "date,district,controller\n"
        "2016-11-15,Hanano,rebels\n2016-11-15,Jabal Badro,rebels\n2016-11-15,al-Haydariyeh,rebels\n"
        "2016-11-15,Sheikh Kheder,rebels\n"
        "2016-11-26,Hanano,government\n2016-11-28,al-Haydariyeh,government\n2016-11-28,Sheikh Kheder,government\n"
    )
    args = [
        "--districts",
        shared_data / "aleppo" / "neighbourhoods-csr.geojson",
        "--dissolve",
        "--control",
        log,
        "--initial",
        "government",
        "--date",
        "2016-11-28",
        "--baseline",
        "2016-11-15",
        "--baseline-actor",
        "rebels",
    ]
    model = report_json(cli, tmp_path, *args)
    gov = {r["actor"]: r for r in cli_json("share", *args)}["government"]
    assert gov["districts_pct"] == pytest.approx(75.0)  # 3 of the 4 by hand
    assert model["headline"].startswith(
        "On 28 November 2016 the government held 75.0% of the districts that the rebels "
        f"held on 15 November 2016 ({gov['area_pct']:.1f}% of their area)"
    )
    assert model["since"] == "2016-11-26"
    assert {r["name"] for r in model["changes"]} == {"al-Haydariyeh", "Sheikh Kheder"}
    out = tmp_path / "aleppo.html"
    assert cli("report", *args, "-o", out).exit_code == 0
    assert not REMOTE.search(out.read_text(encoding="utf-8"))


def test_shuffled_inputs_give_the_same_report(cli, squares, squares_args, tmp_path):
    from tests.helpers import shuffled

    expected = report_json(cli, tmp_path, *squares_args, *BASELINE, "--since", "2020-01-01")
    for seed in (1, 2):
        other = shuffled(tmp_path, squares["districts"], squares["control"], seed)
        got = report_json(cli, tmp_path, *other, *BASELINE, "--since", "2020-01-01")
        assert got["inputs"] != expected["inputs"]  # the copies have other names ...
        assert {**got, "inputs": None} == {**expected, "inputs": None}  # ... and nothing else differs


def test_markdown_is_a_name_of_md(cli, squares_args):
    md = cli("report", *squares_args, "-o", "-", "--format", "md")
    markdown = cli("report", *squares_args, "-o", "-", "--format", "markdown")
    assert md.exit_code == markdown.exit_code == 0, markdown.output
    assert markdown.stdout == md.stdout and markdown.stdout.startswith("# Control on 1 March 2020")


def test_baseline_actor_by_its_canonical_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the bundled sample: 'regime' is an alias of government
    result = cli("report", "-q", "-o", "-", "--format", "md", "--baseline", "2016-11-15", "--baseline-actor", "regime")
    assert result.exit_code == 0, result.output
    assert "## What the government held on 15 November 2016" in result.stdout
    assert "regime" not in result.stdout
    model = json.loads(
        cli(
            "report", "-q", "-o", "-", "--format", "json", "--baseline", "2016-11-15", "--baseline-actor", "regime"
        ).stdout
    )
    assert model["baseline"]["actor"] == "government"


def test_html_reads_on_a_phone(sample_html, tmp_path):
    """At 420 px: every table scrolls in a box of its own, so the page itself never gets wider than the screen."""
    text = sample_html.read_text(encoding="utf-8")
    assert text.count("<table>") == text.count('<div class="table"><table>') > 0
    assert ".table { overflow-x: auto" in text and "@media (max-width: 520px)" in text
    png = tmp_path / "phone.png"
    done = chromium(sample_html, tmp_path, f"--screenshot={png}", "--window-size=420,1600")
    assert not PAGE_ERRORS.search(done.stderr)
    from matplotlib.image import imread

    image = imread(png)[:, :, :3]
    assert image.shape[:2] == (1600, 420)
    assert len({tuple(p) for p in (image[::4, ::4] * 255).astype(int).reshape(-1, 3)}) > 50  # text, map, chart


def report_svgs(page) -> dict:
    """The report's pictures (map, timeline) as SVG text."""
    import base64

    text = page.read_text(encoding="utf-8")
    found = re.findall(r'<figure class="picture (\w+)"><img src="data:image/svg\+xml;base64,([^"]+)"', text)
    return {name: base64.b64decode(data).decode("utf-8") for name, data in found}


def test_a_log_of_measured_shares_charts_the_area_over_two_years(cli, squares, tmp_path):
    # Shares no reporter writes (0.6123: measured, as an overlay's) over 2024-07-08..2026-08-22, the span of the
    # DeepState snapshots: the headline leads with km², so the chart is of the area, and its date axis is
    # ticked without matplotlib's "AutoDateLocator was unable to pick an appropriate interval" (twice, before).
    log = tmp_path / "measured.csv"
    log.write_text(
        "date,district,controller,share\n"
        "2024-07-08,A,russia,1\n2024-07-08,B,russia,0.6123\n2024-07-08,B,ukraine,0.3877\n"
        "2024-07-08,C,ukraine,1\n2024-07-08,D,ukraine,1\n"
        "2026-08-22,B,russia,1\n"
    )
    out = tmp_path / "r.html"
    result = cli("report", "-d", squares["districts"], "-c", log, "-o", out)
    assert result.exit_code == 0, result.output
    assert "AutoDateLocator" not in result.stderr and "warning" not in result.stderr, result.stderr
    chart = report_svgs(out)["timeline"]
    assert "% of area (km²)" in chart and "% of districts" not in chart
    assert "Timeline chart of shares by area" in out.read_text(encoding="utf-8")
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
    assert ticks[:4] == ["Jan 2025", "Jul", "Jan 2026", "Jul"]  # six-monthly, as matplotlib's fallback drew them


def test_a_log_of_districts_still_charts_districts(cli, squares_args, tmp_path):
    out = tmp_path / "r.html"
    assert cli("report", *squares_args, "-o", out).exit_code == 0
    chart = report_svgs(out)["timeline"]
    assert "% of districts" in chart and "% of area" not in chart
    assert "Timeline chart of shares by districts" in out.read_text(encoding="utf-8")

"""conflictmap.report on the four squares: figures and sentences by hand (conftest.SQUARES_LOG), renderers, atomic writes."""

import datetime as dt
import json
import re

import pytest

from conflictmap import report, report_render
from conflictmap.dataset import load_dataset
from conflictmap.errors import InputError, UsageError
from conflictmap.project import Inputs
from tests.helpers import POPULATION, squares_area, base, REPORT_KEYS
from tests.helpers import box_coords, cell_area_km2, write_zones

D = dt.date


def area_pct(part: dict, keys) -> float:
    """Percent of the area of `keys` held, from the closed-form cell areas (part: district -> share)."""
    total = sum(squares_area(k) for k in keys)
    return sum(share * squares_area(k) for k, share in part.items()) / total * 100


def by_actor(rows):
    return {r["actor"]: r for r in rows}


def test_baseline_headline_by_hand(ds):
    # Rebels held A and B on 01-01. On 03-01 A is government, B government 0.5 / kurdish forces 0.5:
    # government 1.5 of 2 districts (75%); people (1000 + 2000/2) of 3000 = 66.7%.
    # A and B lie in the same latitude band, so they have the same area: 75% of the area too.
    model = report.report_model(ds, D(2020, 3, 1), None, base(D(2020, 1, 1), "rebels", label="rebels"))
    gov = by_actor(model["baseline"]["shares"])["government"]
    assert gov["districts_pct"] == pytest.approx(75.0)
    assert gov["area_pct"] == pytest.approx(area_pct({"A": 1, "B": 0.5}, "AB"), rel=1e-6)
    assert gov["population_pct"] == pytest.approx((1000 + 2000 / 2) / 3000 * 100)
    assert model["headline"] == (
        "On 1 March 2020 the government held 75.0% of the districts that the rebels held on "
        "1 January 2020 (75.0% of their area and 66.7% of their population)."
    )
    assert model["sentences"][1] == (
        "The rebels held none of it; the kurdish forces held 25.0% (25.0% of the area, 33.3% of the population)."
    )
    universe = model["baseline"]["universe"]
    assert universe["districts"] == pytest.approx(2)
    assert universe["area_km2"] == pytest.approx(squares_area("A") + squares_area("B"), rel=1e-6)
    assert universe["population"] == pytest.approx(POPULATION["A"] + POPULATION["B"])


def test_control_sentence_by_hand(ds):
    # On 02-15: A contested; B government 0.5 / kurdish forces 0.5; C and D government.
    # government 2.5 of 4 (62.5%), kurdish forces 0.5 (12.5%), contested 1 (25%).
    # People: government 1000 + 3000 + 4000 = 8000 of 10000; kurdish forces 1000; contested 1000.
    model = report.report_model(ds, D(2020, 2, 15))
    gov = area_pct({"B": 0.5, "C": 1, "D": 1}, "ABCD")
    kurd = area_pct({"B": 0.5}, "ABCD")
    contested = area_pct({"A": 1}, "ABCD")
    total = sum(squares_area(k) for k in "ABCD")
    assert model["headline"] == (
        f"On 15 February 2020, of the 4 districts ({total:,.1f} km², 10,000 people), the government held 2.5 "
        f"(62.5% of the districts, {gov:.1f}% of the area, 80.0% of the population), "
        f"the kurdish forces 0.5 (12.5%, {kurd:.1f}%, 10.0%); 1 (25.0%, {contested:.1f}%, 10.0%) was contested."
    )


def test_since_defaults_to_the_previous_date_of_the_log(ds):
    assert report.report_model(ds, D(2020, 3, 1))["since"] == "2020-02-01"
    assert report.report_model(ds, D(2020, 2, 15))["since"] == "2020-02-01"  # 02-15 is not in the log
    assert report.report_model(ds, D(2020, 3, 1), D(2020, 1, 1))["since"] == "2020-01-01"
    first = report.report_model(ds, D(2020, 1, 1))
    assert first["since"] is None and first["changes"] == [] and first["gains_losses"] == []
    assert "no date before 1 January 2020" in first["sentences"][-1]


def test_changes_and_net_by_hand(ds):
    # (02-01, 03-01]: only A, contested -> government.
    model = report.report_model(ds, D(2020, 3, 1))
    assert [(r["id"], r["from"], r["to"]) for r in model["changes"]] == [("A", "contested", "government")]
    gains = by_actor(model["gains_losses"])
    assert gains["government"]["net_districts"] == pytest.approx(1)
    assert gains["contested"]["net_districts"] == pytest.approx(-1)
    a = squares_area("A")
    assert model["sentences"][-2] == (
        f"Between 1 February 2020 and 1 March 2020 (29 days), control changed in 1 district "
        f"({a:,.1f} km², 1,000 people changed hands)."
    )
    assert (
        model["sentences"][-1]
        == f"Net change: the government +1 district (+{a:,.1f} km²), contested -1 (-{a:,.1f} km²)."
    )


def test_no_change_in_the_window(ds):
    model = report.report_model(ds, D(2020, 2, 20), D(2020, 2, 10))
    assert model["changes"] == []
    assert (
        model["sentences"][-1] == "No district changed hands between 10 February 2020 and 20 February 2020 (10 days)."
    )


def test_group_baseline_adds_its_members(ds):
    # A group of rebels and kurdish forces on 02-15 holds half of B (the kurdish half);
    # on 03-01 B is still split the same way, so the group keeps all of it.
    ds.actors.groups["opposition"] = ["rebels", "kurdish forces"]
    model = report.report_model(
        ds, D(2020, 3, 1), None, base(D(2020, 2, 15), "rebels", "kurdish forces", label="opposition")
    )
    assert model["baseline"]["universe"]["districts"] == pytest.approx(0.5)
    assert model["headline"].startswith(
        "Of the districts that the opposition held on 15 February 2020, "
        "on 1 March 2020 the opposition still held 100.0%"
    )


def test_since_after_date_is_a_usage_error(ds):
    with pytest.raises(UsageError, match="--since"):
        report.report_model(ds, D(2020, 2, 1), D(2020, 3, 1))


def test_empty_log_is_an_input_error(squares):
    empty = load_dataset(Inputs(districts=squares["districts"]))
    with pytest.raises(InputError, match="empty"):
        report.report_model(empty)


def test_names_in_sentences():
    assert report.the("government") == "the government"
    assert report.the("Hezbollah") == "Hezbollah"
    assert report.the("contested") == "contested"


def test_json_is_unrounded_and_valid(ds):
    text = report_render.render_json(
        report.report_model(ds, D(2020, 3, 1), None, base(D(2020, 1, 1), "rebels", label="rebels"))
    )
    model = json.loads(text)
    assert list(model) == REPORT_KEYS
    assert by_actor(model["baseline"]["shares"])["government"]["population_pct"] == pytest.approx(200 / 3, rel=1e-15)
    assert model["inputs"] == {"districts": "squares.geojson", "control": "squares.csv", "actors": None, "land": None}
    assert model["generated_at"] is None  # no clock unless asked


def test_markdown_has_the_sentences_and_tables(ds):
    model = report.report_model(ds, D(2020, 3, 1), None, base(D(2020, 1, 1), "rebels", label="rebels"))
    text = report_render.render_markdown(model)
    assert text.startswith("# Control on 1 March 2020\n\n**On 1 March 2020 the government held 75.0%")
    for sentence in model["sentences"][1:]:
        assert sentence in text
    assert "| actor | districts | % of districts | km² | % of area | population | % of population |" in text
    assert "| A | Alpha | contested | government |" in text  # the changes table
    assert "conflictmap map" in text  # the note on where the pictures are


def test_html_escapes_names(squares, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("date,district,controller\n2020-01-01,A,<script>alert(1)</script>\n")
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log)))
    page = report_render.render_html(report.report_model(ds))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_write_report_is_atomic_and_spares_inputs(ds, squares, monkeypatch):
    out = squares["dir"] / "report.md"
    out.write_text("yesterday's report")

    def broken(model):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(report_render, "render_markdown", broken)
    with pytest.raises(RuntimeError):
        report.write_report(ds, out)
    assert out.read_text() == "yesterday's report"
    assert [p.name for p in squares["dir"].iterdir() if p.name.startswith(".report")] == []
    monkeypatch.undo()
    # The log as a Markdown report: its suffix says CSV (tests/test_cli_report.py: an input named .md).
    with pytest.raises(UsageError, match="the suffix .csv means csv, not -f md"):
        report.write_report(ds, squares["control"], "md")


@pytest.mark.parametrize(
    "path, given, expected",
    [
        ("r.md", None, "md"),
        ("R.HTML", None, "html"),
        ("r.json", None, "json"),
        ("-", "json", "json"),
        ("r.txt", "md", "md"),
    ],
)
def test_report_format(path, given, expected):
    assert report.report_format(path, given) == expected


@pytest.mark.parametrize("path", ["r.txt", "-", "report"])
def test_report_format_refuses_unknown_names(path):
    with pytest.raises(UsageError, match=re.escape(".md, .html or .json")):
        report.report_format(path)


@pytest.mark.parametrize(
    "actor, text",
    [
        ("government", "the government"),
        ("kurdish forces", "the kurdish forces"),
        ("ukraine", "ukraine"),
        ("Hezbollah", "Hezbollah"),
        ("contested", "contested"),
        ("the Kurdish forces", "the Kurdish forces"),  # a display name with its article keeps one
        ("the kurdish forces", "the kurdish forces"),
    ],
)
def test_articles_only_for_groups_of_people(actor, text):
    from conflictmap.report import the

    assert the(actor) == text


MEASURED = (  # shares no reporter writes (an overlay's), on two snapshot dates 24 days apart
    "date,district,controller,share\n"
    "2024-07-08,A,russia,1\n2024-07-08,B,russia,0.6123\n2024-07-08,B,ukraine,0.3877\n"
    "2024-07-08,C,ukraine,1\n2024-07-08,D,ukraine,1\n"
    "2024-08-01,B,russia,1\n"
)


def test_a_report_on_land_says_of_what_and_which_date_it_shows(squares, tmp_path):
    # The land mask is lat < 0.015: A and B whole, the southern half of C and D (closed-form cell areas).
    # 31 July falls between the snapshots of 8 July and 1 August: the figures are 8 July's, and the log has
    # no observation in between, so "no area changed hands" would be a claim the data cannot make.
    mask = write_zones(tmp_path / "land.geojson", [({}, box_coords(-0.01, -0.01, 0.03, 0.015))])
    log = tmp_path / "measured.csv"
    log.write_text(MEASURED)
    ds = load_dataset(Inputs(districts=squares["districts"], control=str(log), land=str(mask)))
    land = squares_area("A") + squares_area("B") + cell_area_km2(0, 0.01, 0.02, 0.015)
    model = report.report_model(ds, D(2024, 7, 31))
    assert model["in_force"] == "2024-07-08" and model["inputs"]["land"] == "land.geojson"
    assert model["headline"].startswith(
        f"On 31 July 2024 (as the log stood on 8 July 2024, its last date by then), of the {land:,.1f} km² "
        "of the 4 districts' land inside land.geojson, "
    )
    assert model["sentences"][-1] == (
        "The log records no change between 8 July 2024 and 31 July 2024 (23 days); it has no date in between."
    )
    assert "land.geojson (land mask)" in report_render.render_markdown(model)
    # Within a week of the date in force the date is not named (as share's stale-date rule).
    assert model_on(ds, D(2024, 7, 15))["headline"].startswith("On 15 July 2024, of the ")
    # A log of whole districts says the same of its km².
    whole = load_dataset(Inputs(districts=squares["districts"], control=squares["control"], land=str(mask)))
    assert "km² of land inside land.geojson" in report.report_model(whole, D(2020, 3, 1))["headline"]


def model_on(ds, day):
    return report.report_model(ds, day)


def test_markdown_names_follow_the_one_markdown_rule(tmp_path):
    """The changes table's names go through escape.markdown_text as status -f markdown's: a line break is <br>,
    a dollar escaped, a bidi override shown as \\u202e."""
    from conflictmap.escape import markdown_text
    from tests.helpers import ODD_NAMES, odd_names_inputs

    districts, log = odd_names_inputs(tmp_path)
    ds = load_dataset(Inputs(districts=str(districts), control=str(log)))
    text = report_render.render_markdown(report.report_model(ds, D(2020, 2, 1)))
    for k in "AC":  # the two districts that changed hands on 2020-02-01
        assert f"| {k} | {markdown_text(ODD_NAMES[k])} |" in text
    assert "new<br>line\tand tab" in text and "\\$\\alpha\\$ math \\$5" in text

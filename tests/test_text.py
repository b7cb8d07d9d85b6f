"""conflictmap.text: one rule per kind of number, the same in the CLI's tables, the report and the pictures.

Every expected text here is written by hand from the rule in conflictmap/text.py's docstring.
"""

import datetime as dt

import pytest

from conflictmap import text


def test_each_kind_in_prose_and_legends():
    assert text.percent(50) == "50.0%" and text.pct(2.25) == "2.2"  # Python rounds half to even
    assert text.area(1234.56) == "1,234.6 km²" and text.km2(1234.5) == "1,234.50"
    assert text.people(12345.4) == "12,345"
    assert text.count(2.5) == "2.5" and text.count(1234.0) == "1,234" and text.count(64.99999999999) == "65"
    assert text.districts(1) == "1 district" and text.districts(2.5) == "2.5 districts"
    assert (
        text.day_words(dt.date(2016, 12, 12)) == "12 December 2016" and text.day_words("2020-03-01") == "1 March 2020"
    )


def test_signs_and_shares():
    assert text.signed(-3.54, text.area) == "-3.5 km²"
    assert text.signed(0.0001, text.area) == "0.0 km²"  # no sign on a figure that rounds to zero
    assert text.signed(5) == "+5"
    assert [text.share(v) for v in (0.5, 1 / 3, 0.00001, 0.99999, 1.0)] == ["0.5", "0.3333", "<0.0001", ">0.9999", "1"]


def test_a_table_column_shares_its_decimals():
    assert text.column_texts([12.0, 2.5, None], "count") == ["12.00", "2.50", ""]
    assert text.column_texts([12.0, 3.0], "count") == ["12", "3"]
    assert text.column_texts([7, "n/a"], "count") == ["7", "n/a"]  # ints as given, text as it is
    assert text.column_texts([1.5, -2.0, 0.001], "km", sign=True) == ["+1.50", "-2.00", "0.00"]


@pytest.mark.parametrize(
    "key, kind",
    [
        ("districts_pct", "pct"),
        ("area_km2", "km"),
        ("front_km", "km"),
        ("population", "people"),
        ("districts", "count"),
    ],
)
def test_column_kind_from_its_name(key, kind):
    assert text.column_kind(key) == kind


def test_share_markdown_and_the_report_show_a_split_count_alike(cli, squares_args, tmp_path):
    # Four squares on 2020-02-15: B is split government 0.5 / kurdish forces 0.5, so government holds 2.5
    # districts (C, D and half of B) and kurdish forces 0.5 (SQUARES_LOG). Both tables say 2.50 and 0.50.
    share = cli("share", *squares_args, "--date", "2020-02-15", "-f", "markdown").stdout
    out = tmp_path / "r.md"
    assert cli("report", *squares_args, "--date", "2020-02-15", "-o", out).exit_code == 0
    report = out.read_text(encoding="utf-8")
    for actor, held in (("government", "2.50"), ("kurdish forces", "0.50")):
        assert f"| {actor} | {held} |" in share
        assert f"| {actor} | {held} |" in report


@pytest.mark.parametrize(
    "share, shown", [(0.5, "0.5"), (1 / 3, "0.3333"), (3.883e-07, "<0.0001"), (1 - 9.9e-06, ">0.9999"), (1.0, "1")]
)
def test_a_share_never_shows_an_exponent(share, shown):
    assert text.share(share) == shown

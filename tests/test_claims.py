"""Claims tables: values, ranges and bounds, measures, and the verdict rule."""

import math

import pytest

from conflictmap.claims import Claim, _verdict, parse_measure, parse_value, read_claims
from conflictmap.errors import InputError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("85", (85, 85)),
        ("85%", (85, 85)),
        ("80-90", (80, 90)),
        ("80–90", (80, 90)),
        ("45 to 50", (45, 50)),
        (">70", (70, math.inf)),
        (">= 70", (70, math.inf)),
        ("more than 70", (70, math.inf)),
        ("<30", (-math.inf, 30)),
        ("at most 30", (-math.inf, 30)),
        ("12.5", (12.5, 12.5)),
        ("85 percent", (85, 85)),  # as published claims write it
        ("85 per cent", (85, 85)),
        ("at least 70 percent", (70, math.inf)),
        ("80-90 %", (80, 90)),
    ],
)
def test_values_ranges_and_bounds(text, expected):
    assert parse_value(text, "x line 2") == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("lots", "not a number"),
        ("90-80", "low end above its high end"),
        ("nan", "not a number"),
        ("", "not a number"),
        ("85,5", "decimal comma; write it with a point, e.g. 85.5"),
        ("percentage", "not a number"),
        ("85_0", "not a number"),  # float() reads it as 850
    ],
)
def test_bad_values_name_the_row(text, fragment):
    with pytest.raises(InputError, match="x line 2") as err:
        parse_value(text, "x line 2")
    assert fragment in str(err.value)


def test_measure_words():
    assert parse_measure("area", "w") == "area_pct"
    assert parse_measure("neighbourhoods", "w") == "districts_pct"
    assert parse_measure("Area_km2", "w") == "area_km2"
    with pytest.raises(InputError, match="unknown measure 'acres'"):
        parse_measure("acres", "w")


def claim(low, high, measure="area_pct", tolerance=None):
    return Claim("x line 2", None, "government", measure, f"{low}-{high}", low, high, tolerance=tolerance)


def test_verdict_distance_is_to_the_nearest_end_of_the_range():
    # A figure of 75 against 60-70: 5 above the range; within 5 points, beyond 4.
    assert _verdict(claim(60, 70), [75.0], 5)["verdict"] == "consistent"
    far = _verdict(claim(60, 70), [75.0], 4)
    assert (far["verdict"], far["difference"]) == ("higher", 5.0)
    assert _verdict(claim(60, 70), [65.0], 0)["difference"] == 0.0
    assert _verdict(claim(80, math.inf), [70.0], 5)["verdict"] == "lower"


def test_absolute_measures_take_a_percent_of_the_claim_as_tolerance():
    # 5% of a claimed 1000 km² is 50 km².
    result = _verdict(claim(1000, 1000, "area_km2"), [1049.0], 5)
    assert (result["tolerance"], result["verdict"]) == (50.0, "consistent")
    assert _verdict(claim(1000, 1000, "area_km2", tolerance=1), [1049.0], 5)["verdict"] == "higher"


def test_a_baseline_needs_both_columns(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("date,actor,measure,value,baseline_date\n2020-01-01,government,area_pct,50,2020-01-01\n")
    with pytest.raises(InputError, match="c.csv line 2: baseline_date and baseline_actor go together"):
        read_claims(path)


def test_a_range_of_figures_is_consistent_when_it_reaches_the_claim():
    # Figures 50 (surer changes only) to 62 (every row) against a claim of 70-80: 8 points short.
    result = _verdict(claim(70, 80), [62.0, 50.0], 5)
    assert (result["figure"], result["figure_low"], result["figure_high"]) == (62.0, 50.0, 62.0)
    assert (result["difference"], result["verdict"]) == (-8.0, "lower")
    assert _verdict(claim(55, 60), [62.0, 50.0], 0)["difference"] == 0.0


@pytest.mark.parametrize(
    "measure, value, fragment",
    [
        ("area_km2", "85 percent", "is a percent, but area_km2 is an absolute measure; use area_pct"),
        ("districts", "85%", "use districts_pct"),
        ("area_pct", "90-110", "is not a percent of anything"),  # a range's end past 100, not only a value
        ("area_pct", "150", "is not a percent of anything"),
    ],
)
def test_a_value_that_cannot_be_its_measure_names_the_row(measure, value, fragment):
    # '85%' of km² was compared as 85 km²; a range to 110% was accepted.
    from conflictmap.claims import _claim

    row = {"_where": "c.csv line 2", "date": "2016-12-12", "actor": "government", "measure": measure, "value": value}
    with pytest.raises(InputError, match="c.csv line 2") as err:
        _claim(row)
    assert fragment in str(err.value)

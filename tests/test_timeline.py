"""The timeline engine, checked by hand on the four squares and against figures.shares() date by date."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from conflictmap.control import LOG_COLUMNS
from conflictmap.dataset import Dataset, load_dataset
from conflictmap.errors import InputError, UsageError
from conflictmap.figures import shares
from conflictmap.actors import Actors
from conflictmap.project import Inputs
from conflictmap.timeline import date_grid, parse_step, stepped_dates, timeline, wide
from tests.helpers import POPULATION, squares_area, base

D = dt.date
MEASURES = ["districts", "districts_pct", "area_km2", "area_pct", "population", "population_pct"]


def on(table, day):
    return table[table["date"] == day].set_index("actor")


def assert_equals_shares(ds, table, baseline=None, actors=None):
    """Every date of the timeline holds exactly what shares() says for that date; other actors hold 0."""
    for day in sorted(set(table["date"])):
        expected = shares(ds, day, baseline=base(baseline, *actors) if baseline else None).set_index("actor")
        got = on(table, day)
        assert set(expected.index) <= set(got.index), day
        for column in [c for c in MEASURES if c in expected.columns]:
            assert got.loc[expected.index, column].to_numpy() == pytest.approx(expected[column].to_numpy(), abs=1e-9), (
                day,
                column,
            )
        assert (got.drop(index=expected.index)[[c for c in MEASURES if c in got.columns]] == 0).all().all(), day


def test_default_grid_is_the_dates_of_the_log(ds):
    assert date_grid(ds) == [D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1)]


def test_counts_by_hand(ds):
    # conftest.SQUARES_LOG: 01-01 A,B rebels, C,D government; 02-01 A contested, B gov 0.5 / kurdish 0.5; 03-01 A gov.
    t = timeline(ds)
    expected = {
        D(2020, 1, 1): {"government": 2, "rebels": 2, "kurdish forces": 0, "contested": 0, "unknown": 0},
        D(2020, 2, 1): {"government": 2.5, "rebels": 0, "kurdish forces": 0.5, "contested": 1, "unknown": 0},
        D(2020, 3, 1): {"government": 3.5, "rebels": 0, "kurdish forces": 0.5, "contested": 0, "unknown": 0},
    }
    for day, counts in expected.items():
        got = on(t, day)["districts"].to_dict()
        assert got == pytest.approx(counts), day


def test_area_and_population_by_hand(ds):
    t = on(timeline(ds), D(2020, 3, 1))
    a = {k: squares_area(k) for k in "ABCD"}
    assert t.loc["government", "area_km2"] == pytest.approx(
        a["A"] + 0.5 * a["B"] + a["C"] + a["D"], rel=1e-6
    )  # closed form agrees to 1e-6 (conftest)
    assert t.loc["kurdish forces", "area_km2"] == pytest.approx(0.5 * a["B"], rel=1e-6)
    # Population: A 1000 + half of B 2000 + C 3000 + D 4000 = 9000 of 10000.
    assert t.loc["government", "population"] == pytest.approx(
        POPULATION["A"] + 1000 + POPULATION["C"] + POPULATION["D"]
    )
    assert t.loc["government", "population_pct"] == pytest.approx(90.0)


def test_before_first_row_unknown_holds_everything(ds):
    t = on(timeline(ds, start=D(2019, 6, 1)), D(2019, 6, 1))
    assert t.loc["unknown", "districts"] == 4
    assert t.loc["unknown", "area_pct"] == pytest.approx(100)
    assert t.drop(index="unknown")["districts"].sum() == 0


def test_initial_holder_before_first_row(squares):
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"], initial="rebels"))
    t = on(timeline(ds, start=D(2019, 6, 1)), D(2019, 6, 1))
    assert t.loc["rebels", "districts"] == 4


def test_daily_timeline_equals_shares_on_every_date(ds):
    # Covers dates before the log, on change dates, between them and after the last one.
    t = timeline(ds, D(2019, 12, 30), D(2020, 3, 3), "1d")
    assert len(set(t["date"])) == (D(2020, 3, 3) - D(2019, 12, 30)).days + 1
    assert_equals_shares(ds, t)


def test_baseline_timeline_equals_baseline_shares(ds):
    t = timeline(ds, D(2020, 1, 1), D(2020, 3, 1), "1d", baseline=base(D(2020, 1, 1), "rebels"))
    assert_equals_shares(ds, t, D(2020, 1, 1), ["rebels"])
    # By hand: of A and B (rebels on 01-01), on 02-15 A is contested, B half government, half kurdish.
    day = on(t, D(2020, 2, 15))
    assert day.loc["contested", "districts_pct"] == pytest.approx(50)
    assert day.loc["government", "districts_pct"] == pytest.approx(25)
    assert day.loc["kurdish forces", "districts_pct"] == pytest.approx(25)


def test_baseline_actor_who_held_nothing_is_an_error(ds):
    with pytest.raises(InputError, match="held no district"):
        timeline(ds, baseline=base(D(2019, 1, 1), "rebels"))


def test_percent_sums_to_100_on_every_date(ds):
    t = timeline(ds, D(2019, 12, 31), D(2020, 3, 1), "7d")
    for column in ("districts_pct", "area_pct", "population_pct"):
        assert t.groupby("date")[column].sum().to_numpy() == pytest.approx(100)


def test_every_actor_on_every_date(ds):
    t = timeline(ds)
    per_date = t.groupby("date")["actor"].apply(list)
    assert all(actors == per_date.iloc[0] for actors in per_date)
    assert per_date.iloc[0][-2:] == ["contested", "unknown"]  # categories of their own come last


def test_wide_has_a_column_per_actor(ds):
    t = timeline(ds)
    w = wide(t, "districts")
    assert list(w.columns) == ["date", "government", "rebels", "kurdish forces", "contested", "unknown"]
    assert w.set_index("date").loc[D(2020, 2, 1), "kurdish forces"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "text,expected", [("1d", (1, "d")), ("7d", (7, "d")), ("2W", (2, "w")), ("1m", (1, "m")), (" 1y ", (1, "y"))]
)
def test_parse_step(text, expected):
    assert parse_step(text) == expected


@pytest.mark.parametrize("text", ["", "d", "0d", "1x", "1.5d", "-1d", "7 days"])
def test_bad_step_is_a_usage_error(text):
    with pytest.raises(UsageError, match="--every"):
        parse_step(text)


def test_monthly_steps_clamp_to_the_end_of_month():
    # 31 Jan + 1 month = 29 Feb 2020 (leap year), + 2 months = 31 Mar; then the end, 29 Apr.
    assert stepped_dates(D(2020, 1, 31), D(2020, 4, 29), "1m") == [
        D(2020, 1, 31),
        D(2020, 2, 29),
        D(2020, 3, 31),
        D(2020, 4, 29),
    ]


def test_weekly_and_yearly_steps():
    # Each ends with the end date, off the step.
    assert stepped_dates(D(2020, 1, 1), D(2020, 1, 20), "1w") == [
        D(2020, 1, 1),
        D(2020, 1, 8),
        D(2020, 1, 15),
        D(2020, 1, 20),
    ]
    assert stepped_dates(D(2020, 2, 29), D(2022, 3, 1), "1y") == [
        D(2020, 2, 29),
        D(2021, 2, 28),
        D(2022, 2, 28),
        D(2022, 3, 1),
    ]


def test_a_step_landing_on_the_end_adds_no_second_end():
    # 1, 8, 15, 22 Jan: the 4th step is the end itself.
    assert stepped_dates(D(2020, 1, 1), D(2020, 1, 22), "7d") == [
        D(2020, 1, 1),
        D(2020, 1, 8),
        D(2020, 1, 15),
        D(2020, 1, 22),
    ]
    assert stepped_dates(D(2020, 1, 1), D(2020, 1, 1), "1d") == [D(2020, 1, 1)]


def test_start_after_end_is_a_usage_error(ds):
    with pytest.raises(UsageError, match="after"):
        timeline(ds, D(2020, 3, 1), D(2020, 1, 1))


@pytest.mark.parametrize(
    "start, end, said, unsaid",
    [
        (D(2020, 4, 1), None, "--start 2020-04-01 is after the last date of the log (2020-03-01)", "--end"),
        (None, D(2019, 1, 1), "--end 2019-01-01 is before the first date of the log (2020-01-01)", "--start"),
        (D(2020, 3, 1), D(2020, 1, 1), "--start 2020-03-01 is after --end 2020-01-01", "the log"),
    ],
)
def test_span_errors_name_only_the_options_given(ds, start, end, said, unsaid):
    # SQUARES_LOG runs from 2020-01-01 to 2020-03-01; a bound left out (None) is the log's date.
    with pytest.raises(UsageError) as caught:
        date_grid(ds, start, end)
    assert said in str(caught.value)
    assert unsaid not in str(caught.value).split(";")[0]


def test_explicit_start_and_end_join_the_log_dates(ds):
    assert date_grid(ds, D(2020, 1, 15), D(2020, 2, 20)) == [D(2020, 1, 15), D(2020, 2, 1), D(2020, 2, 20)]


def test_empty_log_is_an_error(squares):
    ds = load_dataset(Inputs(districts=squares["districts"]))
    with pytest.raises(InputError, match="empty"):
        timeline(ds)


def random_dataset(seed: int, n: int = 40, days: int = 60) -> Dataset:
    """A normalised log with repeated, split and partial (unknown remainder) groups, built directly."""
    rng = np.random.default_rng(seed)
    actors = ["a", "b", "c", "contested"]
    rows = []
    for draw in range(n * 3):
        idx, day = int(rng.integers(0, n)), int(rng.integers(0, days))
        kind = rng.random()
        first, second = rng.choice(actors, 2, replace=False)
        if kind < 0.2:
            group = [(first, 0.5), (second, 0.5)]
        elif kind < 0.3:
            group = [(first, 0.6), ("unknown", 0.4)]
        else:
            group = [(first, 1.0)]
        rows += [(draw, idx, day, c, s) for c, s in group]
    frame = pd.DataFrame(rows, columns=["draw", "idx", "day", "controller", "share"])
    # One group per (district, day), as after loading: keep the first group drawn for each.
    frame = frame[frame["draw"] == frame.groupby(["idx", "day"])["draw"].transform("min")]
    log = pd.DataFrame(
        {
            "idx": frame["idx"],
            "district": frame["idx"].map(lambda i: f"d{i}"),
            "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(frame["day"], unit="D"),
            "controller": frame["controller"],
            "share": frame["share"],
            "source": "",
            "confidence": "",
            "note": "",
            "where": "",
            "from": "",
        }
    )[LOG_COLUMNS]
    districts = pd.DataFrame(
        {
            "id": [f"d{i}" for i in range(n)],
            "name": [f"n{i}" for i in range(n)],
            "area_km2": rng.uniform(0.1, 9.0, n),
            "population": rng.integers(0, 5000, n).astype(float),
        }
    )
    return Dataset(districts=districts, log=log.reset_index(drop=True), actors=Actors())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_engine_equals_shares_on_random_logs(seed):
    # shares() computes each date independently with pandas filters; the engine uses events and cumulative sums.
    ds = random_dataset(seed)
    t = timeline(ds, D(2020, 12, 30), D(2021, 3, 5), "1d")
    assert_equals_shares(ds, t)
    t = timeline(ds, D(2021, 1, 10), D(2021, 3, 1), "3d", baseline=base(D(2021, 1, 20), "a", "b"))
    assert_equals_shares(ds, t, D(2021, 1, 20), ["a", "b"])

"""Figures on the four-square fixture, checked against hand computation (see conftest.SQUARES_LOG)."""

import datetime as dt

import pytest

from conflictmap.dataset import load_dataset
from conflictmap.figures import shares, state_on, status
from conflictmap.project import Inputs
from tests.helpers import POPULATION, squares_area, base

D = dt.date


def by_actor(table):
    return {row["actor"]: row for row in table.to_dict("records")}


def test_areas_match_closed_form(ds):
    for row in ds.districts.to_dict("records"):
        assert row["area_km2"] == pytest.approx(squares_area(row["id"]), rel=1e-6)


def test_state_before_first_row_is_initial(ds):
    state = state_on(ds, D(2019, 12, 31))
    assert set(state["controller"]) == {"unknown"}
    assert state["share"].sum() == pytest.approx(4)


def test_split_district_and_contested_on_date(ds):
    # 2020-02-15: A contested, B government 0.5 + kurdish 0.5, C and D government.
    t = by_actor(shares(ds, D(2020, 2, 15)))
    assert t["government"]["districts"] == pytest.approx(2.5)
    assert t["kurdish forces"]["districts"] == pytest.approx(0.5)
    assert t["contested"]["districts"] == pytest.approx(1)
    assert t["rebels"]["districts"] == 0  # lost everything, still reported
    area = {k: squares_area(k) for k in "ABCD"}
    total = sum(area.values())
    gov_area = area["C"] + area["D"] + 0.5 * area["B"]
    assert t["government"]["area_km2"] == pytest.approx(gov_area, rel=1e-6)
    assert t["government"]["area_pct"] == pytest.approx(100 * gov_area / total, rel=1e-6)
    gov_pop = POPULATION["C"] + POPULATION["D"] + 0.5 * POPULATION["B"]  # 8000 of 10000
    assert t["government"]["population"] == pytest.approx(gov_pop)
    assert t["government"]["population_pct"] == pytest.approx(80.0)
    assert sum(r["districts_pct"] for r in t.values()) == pytest.approx(100)


def test_baseline_share_of_what_rebels_held(ds):
    # Rebels held A and B on 2020-01-01. On 2020-02-15: A contested, B half government, half kurdish.
    t = by_actor(shares(ds, D(2020, 2, 15), baseline=base(D(2020, 1, 1), "rebels")))
    assert t["contested"]["districts_pct"] == pytest.approx(50)
    assert t["government"]["districts_pct"] == pytest.approx(25)
    assert t["kurdish forces"]["districts_pct"] == pytest.approx(25)
    assert t["rebels"]["districts_pct"] == 0
    a, b = squares_area("A"), squares_area("B")
    assert t["government"]["area_pct"] == pytest.approx(100 * 0.5 * b / (a + b), rel=1e-6)
    # Population: A 1000, B 2000; government holds half of B = 1000 of 3000.
    assert t["government"]["population_pct"] == pytest.approx(100 / 3)
    # On 2020-03-01 A went to the government too: 1 + 0.5 of 2 districts.
    later = by_actor(shares(ds, D(2020, 3, 1), baseline=base(D(2020, 1, 1), "rebels")))
    assert later["government"]["districts_pct"] == pytest.approx(75)


def test_baseline_inside_a_split_district_moves_only_what_changed(squares):
    # Add 2020-04-01: B government 0.8 / kurdish forces 0.2 (it was 0.5 / 0.5 since 2020-02-01).
    # Of the kurdish half of B on 2020-02-01, kurdish forces keep min(0.5, 0.2) = 0.2 and the 0.3 they
    # lost goes to the only gainer, the government: 40% / 60% of a 0.5-district universe.
    with open(squares["control"], "a") as fh:
        fh.write("2020-04-01,B,government,0.8,s4\n2020-04-01,B,kurdish forces,0.2,s4\n")
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    t = by_actor(shares(ds, D(2020, 4, 1), baseline=base(D(2020, 2, 1), "kurdish forces")))
    assert t["kurdish forces"]["districts"] == pytest.approx(0.2)
    assert t["kurdish forces"]["districts_pct"] == pytest.approx(40)
    assert t["government"]["districts_pct"] == pytest.approx(60)
    # On the baseline date itself nothing has moved: 100% kurdish forces.
    same_day = by_actor(shares(ds, D(2020, 2, 1), baseline=base(D(2020, 2, 1), "kurdish forces")))
    assert same_day["kurdish forces"]["districts_pct"] == pytest.approx(100)


def test_change_in_force_on_its_date(ds):
    rows = status(ds, D(2020, 3, 1)).set_index("id")
    assert rows.loc["A", "controller"] == "government"
    assert rows.loc["A", "date_in_force"] == "2020-03-01"
    assert rows.loc["B", "controller"] == "government 0.5; kurdish forces 0.5"
    assert rows.loc["B", "shares"] == {"government": 0.5, "kurdish forces": 0.5}
    assert rows.loc["A", "source"] == "s3"


def test_measures_are_public_per_district_amounts(ds):
    from conflictmap.figures import measures, pct_name

    got = measures(ds)
    order = list(ds.districts["id"])
    # Independent: one per district, the closed-form cell area, conftest.POPULATION.
    assert list(got) == ["districts", "area_km2", "population"]
    assert list(got["districts"]) == [1.0] * 4
    assert list(got["area_km2"]) == pytest.approx([squares_area(k) for k in order], rel=1e-6)
    assert list(got["population"]) == [POPULATION[k] for k in order]
    assert [pct_name(m) for m in got] == ["districts_pct", "area_pct", "population_pct"]


def test_no_module_imports_a_private_figures_helper():
    # figures' helpers used elsewhere are public; a leading underscore means "this module only".
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*(root / "conflictmap").glob("*.py"), *(root / "cli").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("figures"):
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert offenders == []


def test_baseline_weights_by_hand(ds):
    from conflictmap.figures import baseline_weights

    weights = dict(zip(ds.districts["id"], baseline_weights(ds, D(2020, 1, 1), ["rebels"])))
    assert weights == {"A": 1.0, "B": 1.0, "C": 0.0, "D": 0.0}  # SQUARES_LOG 01-01: rebels hold A and B
    weights = dict(zip(ds.districts["id"], baseline_weights(ds, D(2020, 2, 1), ["government"])))
    assert weights == {"A": 0.0, "B": 0.5, "C": 1.0, "D": 1.0}  # 02-01: half of B, C, D


def test_baseline_that_held_nothing_gives_one_message_everywhere(ds):
    # shares, the timeline and the map all go through figures.baseline_weights: the same line, with the fix.
    from conflictmap.errors import InputError
    from conflictmap.plots import map_figure
    from conflictmap.timeline import timeline

    calls = [
        lambda: shares(ds, D(2020, 3, 1), baseline=base(D(2020, 2, 1), "rebels")),
        lambda: timeline(ds, baseline=base(D(2020, 2, 1), "rebels")),
        lambda: map_figure(ds, D(2020, 3, 1), base(D(2020, 2, 1), "rebels", label="rebels")),
    ]
    messages = set()
    for call in calls:
        with pytest.raises(InputError) as caught:
            call()
        messages.add(str(caught.value))
    # 02-01: A contested, B government/kurdish: the rebels hold nothing.
    assert messages == {
        "rebels held no district on 2020-02-01, so there is nothing to take a share of; "
        "choose a --baseline date on which they held some, or another --baseline-actor"
    }


def test_controller_labels_by_hand(ds):
    # 2020-02-15 (SQUARES_LOG): A contested, B government 0.5 / kurdish forces 0.5, C and D government.
    from conflictmap.figures import controller_labels

    state = state_on(ds, D(2020, 2, 15))
    expected = ["contested", "government 0.5; kurdish forces 0.5", "government", "government"]
    labels = controller_labels(state)
    assert labels.index.tolist() == [0, 1, 2, 3] and labels.tolist() == expected
    from conflictmap.figures import _split_labels

    assert _split_labels(state).tolist() == expected  # the per-group path agrees


def test_one_label_helper():
    # export's districts layer and changes' from/to columns label through the same function.
    from conflictmap import changes, export, figures

    assert (
        export.controller_labels is figures.controller_labels and changes.controller_labels is figures.controller_labels
    )
    assert not hasattr(export, "_labels")


# -- the same rows on every date: every actor of the log, the initial holder, contested and unknown ------------

LOG_ACTORS = {"rebels", "government", "kurdish forces", "contested"}  # conftest.SQUARES_LOG's controllers


@pytest.mark.parametrize("day", [D(2019, 12, 31), D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1)])
def test_shares_report_the_same_actors_on_every_date(ds, day):
    table = shares(ds, day)
    assert set(table["actor"]) == LOG_ACTORS | {"unknown"}
    # By hand: 2020-01-01 rebels A B, government C D: nobody contested, nothing unknown, but both are rows.
    if day == D(2020, 1, 1):
        t = by_actor(table)
        assert t["contested"]["districts"] == t["unknown"]["districts"] == 0
        assert t["rebels"]["districts"] == t["government"]["districts"] == 2


def test_an_initial_holder_is_a_row_and_unknown_stays_one(squares):
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"], initial="ukraine"))
    for day in (D(2019, 12, 31), D(2020, 3, 1)):
        t = by_actor(shares(ds, day))
        assert set(t) == LOG_ACTORS | {"unknown", "ukraine"}
        assert t["unknown"]["districts"] == 0
    # Before the log all four squares are the initial holder's; once every square has a row, none is.
    assert by_actor(shares(ds, D(2019, 12, 31)))["ukraine"]["districts"] == 4
    assert by_actor(shares(ds, D(2020, 3, 1)))["ukraine"]["districts"] == 0


def test_baseline_shares_have_the_same_rows(ds):
    # kurdish forces hold half of B from 2020-02-01 on: the baseline universe is that half, all theirs still.
    t = by_actor(shares(ds, D(2020, 3, 1), "districts", base(D(2020, 2, 1), "kurdish forces")))
    assert set(t) == LOG_ACTORS | {"unknown"}
    assert t["kurdish forces"]["districts_pct"] == pytest.approx(100)


def test_rows_keep_their_sort_order(ds):
    # Largest first by the --by measure, then by name: zeros (contested, rebels, unknown) alphabetically.
    assert list(shares(ds, D(2020, 3, 1))["actor"]) == [
        "government",
        "kurdish forces",
        "contested",
        "rebels",
        "unknown",
    ]


def test_an_actor_holding_everything_has_exactly_100_percent():
    # The sample before its first row: every district is held by the initial holder, so each of its percents
    # is the whole, 100, exactly (two sums of 126 km² in different orders gave 100.00000000000003). No percent
    # on any date of the timeline exceeds 100.
    from conflictmap.project import sample_inputs
    from conflictmap.timeline import timeline

    sample = load_dataset(sample_inputs())
    first = by_actor(shares(sample, D(2016, 1, 1)))[sample.initial]
    assert (first["districts_pct"], first["area_pct"]) == (100.0, 100.0)
    table = timeline(sample)
    assert (table[["districts_pct", "area_pct"]] <= 100.0).all().all()

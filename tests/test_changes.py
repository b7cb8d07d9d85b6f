"""Changes, gains and losses and the transition matrix, on the four squares (hand figures) and identities."""

import datetime as dt

import pytest

from conflictmap.changes import change_summary, changes, gains_losses, transition_matrix
from conflictmap.dataset import load_dataset
from conflictmap.errors import UsageError
from conflictmap.figures import shares
from conflictmap.project import Inputs
from tests.helpers import SQUARES_LOG, squares_area

D = dt.date
MEASURES = ("districts", "area_km2", "population")

# Extra rows on top of conftest.SQUARES_LOG:
#   2020-02-15  C government again (a re-statement, not a change)
#   2020-04-01  A back to rebels (so A changed and changed back since 01-01)
#   2020-04-01  B government 0.2 / kurdish forces 0.3 / rebels 0.5 (split to split)
#   2020-05-01  D government 0.6, the rest unknown
EXTRA = """2020-02-15,C,government,,s4
2020-04-01,A,rebels,,s5
2020-04-01,B,government,0.2,s5
2020-04-01,B,kurdish forces,0.3,s5
2020-04-01,B,rebels,0.5,s5
2020-05-01,D,government,0.6,s6
"""


@pytest.fixture
def longer(squares, tmp_path):
    log = tmp_path / "longer.csv"
    log.write_text(SQUARES_LOG + EXTRA)
    return load_dataset(Inputs(districts=squares["districts"], control=str(log)))


def by_id(table):
    return {r["id"]: r for r in table.to_dict("records")}


def test_changed_hands_since_d0_by_hand(ds):
    # Since 01-01 (until the last date, 03-01): A rebels -> government (on 03-01, after being contested),
    # B rebels -> government 0.5 / kurdish forces 0.5 (02-01). C and D did not change.
    rows = by_id(changes(ds, D(2020, 1, 1)))
    assert set(rows) == {"A", "B"}
    assert (rows["A"]["date"], rows["A"]["from"], rows["A"]["to"]) == ("2020-03-01", "rebels", "government")
    assert (rows["B"]["date"], rows["B"]["from"], rows["B"]["to"]) == (
        "2020-02-01",
        "rebels",
        "government 0.5; kurdish forces 0.5",
    )
    assert rows["B"]["to_shares"] == {"government": 0.5, "kurdish forces": 0.5}
    assert rows["B"]["area_km2"] == pytest.approx(squares_area("B"), rel=1e-6)
    assert rows["B"]["population"] == 2000
    assert rows["B"]["source"] == "s2"


def test_change_on_d0_itself_is_not_in_the_window(ds):
    # (D0, D1]: the 02-01 changes are in force on D0 = 02-01, so only A's 03-01 change remains.
    assert set(by_id(changes(ds, D(2020, 2, 1)))) == {"A"}


def test_first_rows_are_changes_from_unknown(ds):
    rows = by_id(changes(ds, D(2019, 12, 31), D(2020, 1, 1)))
    assert {k: r["from"] for k, r in rows.items()} == {k: "unknown" for k in "ABCD"}
    assert rows["C"]["to"] == "government"


def test_changed_back_is_listed_only_with_all(longer):
    # A: rebels (01-01) -> contested (02-01) -> government (03-01) -> rebels (04-01): same on 04-01 as on 01-01.
    default = by_id(changes(longer, D(2020, 1, 1), D(2020, 4, 1)))
    assert "A" not in default
    every = changes(longer, D(2020, 1, 1), D(2020, 4, 1), every_change=True)
    a = every[every["id"] == "A"]
    assert list(zip(a["date"], a["from"], a["to"])) == [
        ("2020-02-01", "rebels", "contested"),
        ("2020-03-01", "contested", "government"),
        ("2020-04-01", "government", "rebels"),
    ]


def test_restating_a_controller_is_not_a_change(longer):
    every = changes(longer, D(2020, 1, 1), D(2020, 3, 1), every_change=True)
    assert "C" not in set(every["id"])


def test_since_after_until_is_a_usage_error(ds):
    with pytest.raises(UsageError, match="after"):
        changes(ds, D(2020, 3, 1), D(2020, 1, 1))


def cells(matrix, measure="districts"):
    return {(r["from"], r["to"]): r[measure] for r in matrix.to_dict("records") if r[measure]}


def test_matrix_by_hand(ds):
    # 01-01 -> 03-01: C, D stay government (2); A rebels -> government (1);
    # B rebels -> government 0.5 and kurdish forces 0.5.
    m = transition_matrix(ds, D(2020, 1, 1), D(2020, 3, 1))
    assert cells(m) == pytest.approx(
        {("government", "government"): 2, ("rebels", "government"): 1.5, ("rebels", "kurdish forces"): 0.5}
    )
    a, b = squares_area("A"), squares_area("B")
    assert cells(m, "area_km2")[("rebels", "government")] == pytest.approx(a + 0.5 * b, rel=1e-6)
    assert cells(m, "population")[("rebels", "kurdish forces")] == pytest.approx(1000)  # half of B's 2000


def test_matrix_split_to_split_by_hand(longer):
    # B: government 0.5 / kurdish 0.5 (03-01) -> government 0.2 / kurdish 0.3 / rebels 0.5 (04-01).
    # Kept: government 0.2, kurdish 0.3; the rebels' 0.5 comes from the losers in proportion
    # to their losses (government 0.3, kurdish 0.2). A: government -> rebels.
    m = transition_matrix(longer, D(2020, 3, 1), D(2020, 4, 1))
    got = cells(m)
    assert got[("government", "rebels")] == pytest.approx(0.3 + 1)
    assert got[("kurdish forces", "rebels")] == pytest.approx(0.2)
    assert got[("kurdish forces", "kurdish forces")] == pytest.approx(0.3)
    assert got[("government", "government")] == pytest.approx(0.2 + 2)


def test_partial_share_flows_to_unknown(longer):
    # D: government -> government 0.6 + unknown 0.4 (the remainder of the share).
    got = cells(transition_matrix(longer, D(2020, 4, 1), D(2020, 5, 1)))
    assert got[("government", "unknown")] == pytest.approx(0.4)


PAIRS = [
    (D(2019, 12, 1), D(2020, 1, 1)),
    (D(2020, 1, 1), D(2020, 3, 1)),
    (D(2020, 2, 1), D(2020, 4, 1)),
    (D(2020, 3, 1), D(2020, 5, 1)),
    (D(2020, 1, 15), D(2020, 5, 1)),
    (D(2020, 4, 1), D(2020, 4, 1)),
]


@pytest.mark.parametrize("d0,d1", PAIRS)
def test_matrix_rows_sum_to_d0_shares_and_columns_to_d1_shares(longer, d0, d1):
    m = transition_matrix(longer, d0, d1)
    rows, columns = m.groupby("from")[list(MEASURES)].sum(), m.groupby("to")[list(MEASURES)].sum()
    for day, sums in ((d0, rows), (d1, columns)):
        expected = shares(longer, day).set_index("actor")
        for measure in MEASURES:
            got = sums[measure].reindex(expected.index, fill_value=0.0)
            assert got.to_numpy() == pytest.approx(expected[measure].to_numpy(), abs=1e-9), (day, measure)
            assert sums[measure].drop(index=expected.index, errors="ignore").abs().sum() == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("d0,d1", PAIRS)
def test_net_is_the_change_in_shares(longer, d0, d1):
    table = gains_losses(longer, d0, d1).set_index("actor")
    before, after = shares(longer, d0).set_index("actor"), shares(longer, d1).set_index("actor")
    for measure in MEASURES:
        delta = after[measure].reindex(table.index, fill_value=0) - before[measure].reindex(table.index, fill_value=0)
        assert table[f"net_{measure}"].to_numpy() == pytest.approx(delta.to_numpy(), abs=1e-9)
        assert (table[f"gained_{measure}"] >= 0).all() and (table[f"lost_{measure}"] >= 0).all()


def test_gains_and_losses_by_hand(ds):
    # 01-01 -> 03-01 (60 days in 2020): government gains A and half of B; rebels lose A and B.
    table = gains_losses(ds, D(2020, 1, 1), D(2020, 3, 1)).set_index("actor")
    assert table.loc["government", "gained_districts"] == pytest.approx(1.5)
    assert table.loc["government", "lost_districts"] == 0
    assert table.loc["rebels", "lost_districts"] == pytest.approx(2)
    assert table.loc["rebels", "net_districts"] == pytest.approx(-2)
    a, b = squares_area("A"), squares_area("B")
    assert table.loc["rebels", "net_area_km2"] == pytest.approx(-(a + b), rel=1e-6)
    assert table.loc["rebels", "net_area_km2_per_day"] == pytest.approx(-(a + b) / 60, rel=1e-6)
    assert table.loc["contested", "net_districts"] == 0  # reported, though nothing changed for it


def test_summary_states_its_window(ds):
    s = change_summary(ds, D(2020, 1, 1))
    assert (s["since"], s["until"], s["days"]) == ("2020-01-01", "2020-03-01", 60)
    assert set(s["actors"]["actor"]) == set(s["matrix"]["from"])


def test_window_defaults_to_the_dates_of_the_log(ds):
    from conflictmap.changes import window

    # SQUARES_LOG runs from 2020-01-01 to 2020-03-01.
    assert window(ds) == (D(2020, 1, 1), D(2020, 3, 1))
    assert window(ds, D(2020, 2, 1)) == (D(2020, 2, 1), D(2020, 3, 1))
    assert window(ds, until=D(2020, 2, 1)) == (D(2020, 1, 1), D(2020, 2, 1))


def test_changes_and_summary_default_their_window(ds):
    assert changes(ds).equals(changes(ds, D(2020, 1, 1), D(2020, 3, 1)))
    result = change_summary(ds)
    assert (result["since"], result["until"], result["days"]) == ("2020-01-01", "2020-03-01", 60)


def test_empty_log_is_a_data_error(squares):
    from conflictmap.errors import InputError

    empty = load_dataset(Inputs(districts=squares["districts"]))
    for call in (changes, change_summary):
        with pytest.raises(InputError, match="the control log is empty"):
            call(empty)


@pytest.mark.parametrize(
    "since, until, said, unsaid",
    [
        (D(2020, 3, 15), None, "--since 2020-03-15 is after the last date of the log (2020-03-01)", "--until"),
        (None, D(2019, 12, 1), "--until 2019-12-01 is before the first date of the log (2020-01-01)", "--since"),
        (D(2020, 3, 1), D(2020, 1, 1), "--since 2020-03-01 is after --until 2020-01-01", "the log"),
    ],
)
def test_window_errors_name_only_the_options_given(ds, since, until, said, unsaid):
    with pytest.raises(UsageError) as caught:
        changes(ds, since, until)
    assert said in str(caught.value)
    assert unsaid not in str(caught.value).split(";")[0]


def test_matrix_table_totals_by_hand(ds):
    from conflictmap.changes import matrix_table

    # 01-01 -> 03-01 by hand: government keeps C, D (2); rebels' A -> government, B -> half government, half kurdish.
    grid = matrix_table(transition_matrix(ds, D(2020, 1, 1), D(2020, 3, 1)), "districts").set_index("from")
    assert grid.loc["government", "government"] == pytest.approx(2)
    assert grid.loc["rebels", "government"] == pytest.approx(1.5)
    assert grid.loc["rebels", "kurdish forces"] == pytest.approx(0.5)
    # Row totals: held on 01-01 (government 2, rebels 2); column totals: held on 03-01 (3.5 and 0.5); 4 in all.
    assert grid["total"].to_dict() == pytest.approx(
        {"contested": 0, "government": 2, "kurdish forces": 0, "rebels": 2, "unknown": 0, "total": 4}
    )
    assert grid.loc["total"].to_dict() == pytest.approx(
        {"contested": 0, "government": 3.5, "kurdish forces": 0.5, "rebels": 0, "unknown": 0, "total": 4}
    )


def test_matrix_has_the_share_tables_rows_whatever_the_window(squares):
    # SQUARES_LOG: contested first appears on 2020-02-01; a window before it still reports a contested row and column.
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    matrix = transition_matrix(ds, dt.date(2019, 12, 31), dt.date(2020, 1, 1))
    actors = {"contested", "government", "kurdish forces", "rebels", "unknown"}
    assert set(matrix["from"]) == set(matrix["to"]) == actors
    # Everything was unknown on 2019-12-31: the unknown row holds all 4 districts.
    assert matrix[matrix["from"] == "unknown"]["districts"].sum() == pytest.approx(4)


def test_share_noise_is_not_a_change(squares):
    # B's split moves by 2e-8 on 2020-02-10 (re-digitised zones do this): no change of control.
    with open(squares["control"], "a") as fh:
        fh.write("2020-02-10,B,government,0.50000002,s9\n2020-02-10,B,kurdish forces,0.49999998,s9\n")
    ds = load_dataset(Inputs(districts=squares["districts"], control=squares["control"]))
    assert list(changes(ds, dt.date(2020, 2, 5), dt.date(2020, 2, 15))["id"]) == []

"""Confidence levels: ranking, filtering changes, and the range of a share."""

import json

import pytest

from tests.helpers import ROOT

from conflictmap.confidence import DEFAULT_LEVELS, Levels, allowed, load_levels
from conflictmap.errors import InputError, UsageError
from conflictmap.project import Inputs

# The four squares (tests/conftest.py) with a confidence per row. By hand:
#   every row       on 2020-03-01: A government, B government 0.5 / kurdish forces 0.5, C, D government
#   confirmed only  A stays rebels (its claimed and inferred changes are dropped); B's confirmed split stays
#   claimed or surer  A contested (claimed) from 2020-02-01; its inferred change to government is dropped
CONFIDENCE_LOG = """date,district,controller,share,source,confidence
2020-01-01,A,rebels,,s1,inferred
2020-01-01,B,rebels,,s1,confirmed
2020-01-01,C,government,,s1,confirmed
2020-01-01,D,government,,s1,confirmed
2020-02-01,A,contested,,s2,claimed
2020-02-01,B,government,0.5,s2,confirmed
2020-02-01,B,kurdish forces,0.5,s2,confirmed
2020-03-01,A,government,,s3,inferred
"""


@pytest.fixture
def graded(squares):
    path = squares["dir"] / "graded.csv"
    path.write_text(CONFIDENCE_LOG)
    return ["--districts", squares["districts"], "--control", str(path)]


def by_actor(rows, column="districts"):
    return {r["actor"]: r[column] for r in rows}


def test_levels_rank_from_the_surest_down():
    levels = Levels()
    assert [levels.rank(n) for n in DEFAULT_LEVELS] == [0, 1, 2, 3]
    assert levels.rank("rumour") == levels.rank("") == 4
    assert allowed("claimed", levels) == {0, 1, 2}
    assert allowed("confirmed,claimed", levels) == {0, 2}
    with pytest.raises(UsageError, match="--confidence 'sure'"):
        allowed("sure", levels)


def test_levels_from_the_actors_file_and_the_project(tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.a]\n\n[confidence]\nlevels = ["Verified", "Unverified"]\n')
    assert load_levels(Inputs(actors=str(actors))).names == ("verified", "unverified")
    assert load_levels(Inputs(confidence_levels="high > low", project="p.toml")).names == ("high", "low")
    with pytest.raises(InputError, match="distinct"):
        load_levels(Inputs(confidence_levels="high > high", project="p.toml"))


def test_confidence_filter_keeps_starting_states_and_surer_changes(cli_json, graded):
    every = by_actor(cli_json("share", "--date", "2020-03-01", *graded))
    confirmed = by_actor(cli_json("share", "--date", "2020-03-01", "--confidence", "confirmed", *graded))
    claimed = by_actor(cli_json("share", "--date", "2020-03-01", "--confidence", "claimed", *graded))
    assert (every["government"], every["rebels"]) == (3.5, 0)
    # A's starting row is inferred but kept: a district's first rows always count.
    assert (confirmed["government"], confirmed["rebels"], confirmed["kurdish forces"]) == (2.5, 1, 0.5)
    assert (claimed["government"], claimed["contested"], claimed["rebels"]) == (2.5, 1, 0)


def test_range_gives_low_and_high_of_every_figure(cli_json, graded):
    rows = {r["actor"]: r for r in cli_json("share", "--date", "2020-03-01", "--range", *graded)}
    gov, reb = rows["government"], rows["rebels"]
    assert (gov["districts"], gov["districts_low"], gov["districts_high"]) == (3.5, 2.5, 3.5)
    assert (gov["districts_pct_low"], gov["districts_pct_high"]) == (62.5, 87.5)
    assert (reb["districts_low"], reb["districts_high"]) == (0, 1)
    assert (gov["population_low"], gov["population_high"]) == (1000 + 3000 + 4000, 2000 / 2 + 1000 + 3000 + 4000)


def test_a_label_outside_a_configured_order_names_its_row(cli, graded, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text(
        '[actors.rebels]\n[actors.government]\n[actors."kurdish forces"]\n\n'
        '[confidence]\nlevels = ["confirmed", "claimed"]\n'
    )
    result = cli("share", "--range", *graded, "--actors", actors)
    assert result.exit_code == 1
    assert "graded.csv line 2: confidence 'inferred' is not one of the levels confirmed > claimed" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_labels_rank_last_with_a_warning(cli, squares):
    path = squares["dir"] / "rumour.csv"
    path.write_text(CONFIDENCE_LOG.replace("s3,inferred", "s3,rumour"))
    result = cli(
        "share",
        "--date",
        "2020-03-01",
        "--confidence",
        "inferred",
        "--districts",
        squares["districts"],
        "--control",
        path,
        "--format",
        "json",
    )
    assert result.exit_code == 0
    assert "rumour.csv line 9" in result.stderr and "'rumour'" in result.stderr
    # The unknown label ranks below inferred, so A's change to the government on 2020-03-01 is dropped.
    assert by_actor(json.loads(result.stdout))["government"] == 2.5


def test_claims_check_range(cli_json, graded, tmp_path):
    # Government districts on 2020-03-01: 2.5 (confirmed changes) to 3.5 (every row); a claim of 3 is inside.
    path = tmp_path / "claims.csv"
    path.write_text("date,actor,measure,value\n2020-03-01,government,districts,3\n2020-03-01,government,districts,5\n")
    rows = cli_json("claims", "check", path, "--range", *graded)
    assert [(r["figure_low"], r["figure_high"], r["verdict"]) for r in rows] == [
        (2.5, 3.5, "consistent"),
        (2.5, 3.5, "lower"),
    ]
    assert rows[1]["difference"] == pytest.approx(3.5 - 5)


def test_readme_range_table_is_the_commands(cli):
    from tests.helpers import ROOT

    result = cli(
        "-q",
        "share",
        "--date",
        "2016-12-09",
        "--baseline",
        "2016-11-15",
        "--baseline-actor",
        "rebels",
        "--range",
        "--format",
        "markdown",
    )
    assert result.exit_code == 0
    assert result.stdout.strip() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_bad_input_label_outside_the_order(cli, squares):
    bad = ROOT / "tests" / "bad_inputs"
    result = cli(
        "share",
        "--confidence",
        "confirmed",
        "--districts",
        squares["districts"],
        "--control",
        bad / "conf_not_in_order.csv",
        "--actors",
        bad / "conf_levels.toml",
    )
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "conf_not_in_order.csv line 7: confidence 'rumour' is not one of the levels" in lines[0]
    assert "conf_levels.toml" in lines[0]


def test_districts_whose_holder_rests_on_unsure_rows(cli, graded, squares, tmp_path):
    from conflictmap.confidence import Levels, depends_on_unsure
    from conflictmap.dataset import load_dataset
    from conflictmap.project import Inputs
    import datetime as dt

    ds = load_dataset(Inputs(districts=squares["districts"], control=graded[-1]))
    # On 2020-03-01 only A's holder differs between every row (government) and confirmed changes (rebels).
    assert list(depends_on_unsure(ds, dt.date(2020, 3, 1), {0}, Levels())) == [True, False, False, False]
    result = cli("map", *graded, "--date", "2020-03-01", "--range", "-o", tmp_path / "map.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_status_and_timeline_take_confidence(cli_json, graded):
    status = {
        r["id"]: r["controller"]
        for r in cli_json("status", "--date", "2020-03-01", "--confidence", "confirmed", *graded)
    }
    assert status["A"] == "rebels"  # its claimed and inferred changes do not count
    # The confirmed rows are dated 2020-01-01 and 2020-02-01 (B's split): the timeline has those two dates.
    rows = cli_json("timeline", "--confidence", "confirmed", *graded)
    assert sorted({r["date"] for r in rows}) == ["2020-01-01", "2020-02-01"]
    end = {r["actor"]: r["districts"] for r in rows if r["date"] == "2020-02-01"}
    assert (end["government"], end["rebels"], end["kurdish forces"]) == (2.5, 1, 0.5)


def test_a_log_without_confidence_says_so(cli, squares_args):
    result = cli("share", "--date", "2020-03-01", "--confidence", "confirmed", *squares_args, "--format", "json")
    assert result.exit_code == 0
    assert "no row of the control log has a confidence" in result.stderr
    # Only the first rows count: the 2020-01-01 snapshot (A, B rebels; C, D government).
    assert {r["actor"]: r["districts"] for r in json.loads(result.stdout)}["rebels"] == 2


def test_report_headline_gives_the_range(cli, graded):
    # 2020-03-01: the government holds 3.5 of 4 districts by every row, 2.5 by the confirmed changes only.
    result = cli("report", *graded, "--date", "2020-03-01", "--range", "-o", "-", "--format", "md")
    assert result.exit_code == 0, result.output
    headline = result.stdout.splitlines()[2]
    # People: 9,000 of 10,000 by every row (A, half of B, C, D), 8,000 by the confirmed changes (not A).
    assert (
        "the government held 3.5 (62.5–87.5% of the districts, 62.5–87.5% of the area, 80.0–90.0% of the population)"
        in headline
    )
    assert "the kurdish forces 0.5 (12.5%, 12.5%, 10.0%)" in headline  # the same either way: no range
    model = json.loads(cli("report", *graded, "--date", "2020-03-01", "--range", "-o", "-", "--format", "json").stdout)
    gov = {r["actor"]: r for r in model["shares"]}["government"]
    assert (gov["districts_pct"], gov["districts_pct_low"], gov["districts_pct_high"]) == (87.5, 62.5, 87.5)
    assert (gov["districts_low"], gov["districts_high"]) == (2.5, 3.5)
    assert model["headline"] in result.stdout and "confirmed" in model["method"][-1]


def test_report_range_of_a_baseline_sums_both_figures(cli):
    # The sample on 9 Dec: the rebels' own share of their 15-Nov districts is the same range as share --range.
    share = {
        r["actor"]: r
        for r in json.loads(
            cli(
                "share",
                "--date",
                "2016-12-09",
                "--baseline",
                "2016-11-15",
                "--baseline-actor",
                "rebels",
                "--range",
                "--format",
                "json",
            ).stdout
        )
    }
    result = cli(
        "-q",
        "report",
        "--date",
        "2016-12-09",
        "--baseline",
        "2016-11-15",
        "--baseline-actor",
        "rebels",
        "--range",
        "-o",
        "-",
        "--format",
        "md",
    )
    low, high = share["rebels"]["districts_pct_low"], share["rebels"]["districts_pct_high"]
    assert f"The rebels still held {low:.1f}–{high:.1f}%" in result.stdout
    gov = share["government"]
    assert (
        f"the government held {gov['districts_pct_low']:.1f}–{gov['districts_pct_high']:.1f}% of the districts"
        in result.stdout
    )


def test_readme_report_range_headline_is_the_commands(cli):
    from tests.helpers import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = text.split("<!-- report-range:start -->", 1)[1].split("<!-- report-range:end -->", 1)[0].strip()
    result = cli(
        "-q",
        "report",
        "--range",
        "--baseline",
        "2016-11-15",
        "--baseline-actor",
        "rebels",
        "--date",
        "2016-12-09",
        "-o",
        "-",
        "--format",
        "md",
    )
    assert result.stdout.splitlines()[2] == shown


def test_timeline_range_and_changes_confidence(cli, cli_json, squares, tmp_path):
    # By hand: A rebels on 2020-01-01 (confirmed), government on 2020-02-01 (claimed). Confirmed only,
    # A stays rebel-held; every row, it is the government's from 2020-02-01.
    log = tmp_path / "log.csv"
    log.write_text(
        "date,district,controller,confidence\n2020-01-01,A,rebels,confirmed\n2020-01-01,B,government,confirmed\n"
        "2020-01-01,C,government,confirmed\n2020-01-01,D,government,confirmed\n2020-02-01,A,government,claimed\n"
    )
    args = ["-d", squares["districts"], "-c", log]
    rows = {(r["date"], r["actor"]): r for r in cli_json("timeline", *args, "--range")}
    gov = rows[("2020-02-01", "government")]
    assert (gov["districts"], gov["districts_low"], gov["districts_high"]) == (4, 3, 4)
    assert (
        rows[("2020-01-01", "government")]["districts_low"] == rows[("2020-01-01", "government")]["districts_high"] == 3
    )
    assert [r["id"] for r in cli_json("changes", *args)] == ["A"]
    assert cli_json("changes", *args, "--confidence", "confirmed") == []
    assert cli("timeline", *args, "--range", "--plot", tmp_path / "x.png").exit_code == 2


def test_validate_finds_a_label_outside_the_configured_order(cli, squares):
    bad = ROOT / "tests" / "bad_inputs"
    result = cli(
        "validate",
        "--districts",
        squares["districts"],
        "--control",
        bad / "conf_not_in_order.csv",
        "--actors",
        bad / "conf_levels.toml",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    (problem,) = [p for p in json.loads(result.stdout) if p["level"] == "error"]
    assert problem["location"] == "line 7" and "'rumour' is not one of the levels" in problem["message"]

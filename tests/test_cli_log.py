"""conflictmap log from-changes: a log from a change list and a baseline, by hand on the four squares."""

import csv
import io
import json
from pathlib import Path

import pytest

CHANGES = """date,district,from,to,source
2020-02-01,Alpha,rebels,contested,s2
2020-03-01,A,contested,government,s3
2020-02-01,B,rebels,government,s2
"""
# By hand: the baseline '*' row gives C and D to the government on 2020-01-01; with --infer-baseline
# A and B start with the 'from' of their first change (rebels). Then A is contested from 2020-02-01 and
# government from 2020-03-01; B is government from 2020-02-01.


@pytest.fixture
def change_files(tmp_path):
    changes = tmp_path / "changes.csv"
    changes.write_text(CHANGES)
    baseline = tmp_path / "baseline.csv"
    baseline.write_text("district,controller\n*,government\n")
    return str(changes), str(baseline)


def build(cli, squares, change_files, *more):
    changes, baseline = change_files
    return cli(
        "log",
        "from-changes",
        changes,
        "-d",
        squares["districts"],
        "--baseline",
        baseline,
        "--baseline-date",
        "2020-01-01",
        *more,
    )


def test_from_changes_gives_the_hand_counted_states(cli, cli_json, squares, change_files, tmp_path):
    out = tmp_path / "control.csv"
    result = build(cli, squares, change_files, "--infer-baseline", "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["date"], r["district"], r["controller"]) for r in rows if r["date"] == "2020-01-01"] == [
        ("2020-01-01", "A", "rebels"),
        ("2020-01-01", "B", "rebels"),
        ("2020-01-01", "C", "government"),
        ("2020-01-01", "D", "government"),
    ]
    held = {
        d: {r["id"]: r["controller"] for r in cli_json("status", "-d", squares["districts"], "-c", out, "--date", d)}
        for d in ("2020-01-15", "2020-02-15", "2020-03-01")
    }
    assert held["2020-01-15"] == {"A": "rebels", "B": "rebels", "C": "government", "D": "government"}
    assert held["2020-02-15"] == {"A": "contested", "B": "government", "C": "government", "D": "government"}
    assert set(held["2020-03-01"].values()) == {"government"}
    assert cli("validate", "-d", squares["districts"], "-c", out).exit_code == 0


def test_from_that_disagrees_with_the_baseline_is_a_warning(cli, squares, change_files):
    # Without --infer-baseline, the '*' row gives A and B to the government: their first 'from' (rebels) disagrees.
    result = build(cli, squares, change_files)
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if "changes from 'rebels'" in line]
    assert len(warned) == 2 and "held by 'government' on 2020-01-31" in result.stderr


def test_a_change_dated_after_today_is_a_warning(cli, squares, change_files):
    changes, _ = change_files
    Path(changes).write_text(CHANGES.replace("2020-03-01", "2202-03-01"))  # a typo of 2020 (line 3)
    result = build(cli, squares, change_files, "--infer-baseline")
    assert result.exit_code == 0, result.output
    assert "changes.csv line 3: date 2202-03-01 is after today" in result.stderr
    assert "2202-03-01,A,government" in result.stdout  # written as the record has it: the warning is the fix


def test_from_changes_is_byte_identical(cli, squares, change_files):
    first, second = (
        build(cli, squares, change_files, "--infer-baseline"),
        build(cli, squares, change_files, "--infer-baseline"),
    )
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes


def test_baseline_errors(cli, squares, change_files, tmp_path):
    changes, _ = change_files
    late = cli(
        "log",
        "from-changes",
        changes,
        "-d",
        squares["districts"],
        "--default",
        "government",
        "--baseline-date",
        "2020-02-15",
    )
    assert late.exit_code == 2 and "after the first change (2020-02-01)" in late.stderr
    none = cli("log", "from-changes", changes, "-d", squares["districts"])
    assert none.exit_code == 2 and "give a baseline" in none.stderr
    undated = cli("log", "from-changes", changes, "-d", squares["districts"], "--default", "government")
    assert undated.exit_code == 2 and "--baseline-date" in undated.stderr


# A change list as the public record keeps one: the place as reported and the author's own matching of it to
# the polygons (polygon_names). The squares are Alpha (A), Beta (B), Gamma (C), Delta (D); A and B start rebel,
# C and D government.
LISTED = """date,neighbourhood_as_reported,polygon_names,from,to,source
2020-02-01,Alfa and Betta,Alpha; Beta,rebels,government,s2
2020-02-01,Gama,Gamma; Delta,government,rebels,s2
2020-03-01,Dellta,Delta,rebels,contested,s3
2020-03-01,Nowhere,,rebels,government,s3
2020-03-01,Somewhere,Zeta (probable match),rebels,government,s3
"""
# By hand, what each name gives:
#   line 2 'Alfa and Betta': no match; its parts alone give only Beta ('Betta'); the column: Alpha; Beta.
#   line 3 'Gama': Gamma by the looser tier; the column says Gamma and Delta (a warning: it disagrees).
#   line 4 'Dellta': Delta by the looser tier, as the column says.
#   line 5 'Nowhere': no match, no cell: '-'.
#   line 6 'Somewhere': no match; the cell names no district: '-', saying so.


def listed_files(tmp_path):
    changes = tmp_path / "listed.csv"
    changes.write_text(LISTED)
    baseline = tmp_path / "baseline.csv"
    baseline.write_text("district,controller\nA,rebels\nB,rebels\nC,government\nD,government\n")
    return changes, baseline


def test_write_aliases_proposes_the_change_lists_own_polygon_column(cli, squares, tmp_path):
    changes, _ = listed_files(tmp_path)
    out = tmp_path / "aliases.csv"
    result = cli("validate", "-d", squares["districts"], "-c", changes, "--write-aliases", out, "--format", "json")
    assert result.exit_code == 1  # three names match no district
    rows = [(r["alias"], r["district"], r["match"]) for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert rows == [
        ("Alfa and Betta", "Alpha; Beta", "polygon_names column"),
        ("Nowhere", "-", "no district looks like it; '-' leaves its rows out"),
        (
            "Somewhere",
            "-",
            "no district looks like it; '-' leaves its rows out; polygon_names 'Zeta (probable match)' names no district",
        ),
        ("Gama", "Gamma; Delta", "polygon_names column; the looser spelling found only 'Gamma'"),
        ("Dellta", "Delta", "looser spelling, as the polygon_names column says"),
    ]
    assert "2 from the change list's own polygon_names column" in result.stderr
    warnings = [p for p in json.loads(result.stdout) if p["level"] == "warning"]
    assert [(p["location"], p["message"].split(";")[0]) for p in warnings] == [
        (
            "line 3",
            "'Gama' matched 'Gamma' by a looser spelling, but the change list's polygon_names column names 'Gamma",
        )
    ]


def test_the_polygon_column_is_never_applied_unreviewed(cli, squares, tmp_path):
    changes, baseline = listed_files(tmp_path)
    dropped = tmp_path / "dropped.csv"  # the unmatched names left out: the log is built from the names alone
    dropped.write_text("alias,district\nAlfa and Betta,-\nNowhere,-\nSomewhere,-\n")
    args = ["log", "from-changes", changes, "-d", squares["districts"], "--baseline", baseline, "--baseline-date"]
    alone = cli(*args, "2020-01-01", "--aliases", dropped)
    assert alone.exit_code == 0, alone.output
    changed = {
        (r["date"], r["district"]) for r in csv.DictReader(io.StringIO(alone.stdout)) if r["date"] > "2020-01-01"
    }
    assert changed == {("2020-02-01", "C"), ("2020-03-01", "D")}  # 'Gama' is Gamma only, as its name says
    assert "line 3: 'Gama' matched 'Gamma' by a looser spelling, but the change list's polygon_names" in alone.stderr
    assert "line 2: 'Alfa and Betta' is left out ('-' in " in alone.stderr
    assert "dropped.csv line 2), but the change list's polygon_names column names 'Alpha; Beta'" in alone.stderr
    # Line 4 says D changed from the rebels: true only if 'Gama' covers Delta, as the column says.
    assert "line 4: 'D' changes from 'rebels'" in alone.stderr
    proposed = tmp_path / "aliases.csv"
    cli("validate", "-d", squares["districts"], "-c", changes, "--write-aliases", proposed)
    reviewed = cli(*args, "2020-01-01", "--aliases", dropped, "--aliases", proposed)  # the later file wins
    assert reviewed.exit_code == 0, reviewed.output
    rows = [(r["date"], r["district"], r["controller"]) for r in csv.DictReader(io.StringIO(reviewed.stdout))]
    assert [r for r in rows if r[0] > "2020-01-01"] == [
        ("2020-02-01", "A", "government"),
        ("2020-02-01", "B", "government"),
        ("2020-02-01", "C", "rebels"),
        ("2020-02-01", "D", "rebels"),
        ("2020-03-01", "D", "contested"),
    ]
    assert "polygon_names" not in reviewed.stderr and "changes from" not in reviewed.stderr


def test_the_shared_aleppo_record_becomes_a_validated_log(cli, cli_json, shared_data, tmp_path):
    """From the public record's change list and the CSR polygons to a log that validates, with no hand-renaming.

    The only inputs written here are the ones a user states once: which actor labels of the record are which
    actor, and the baseline (government by default, the Kurdish-held Sheikh Maqsoud, the rest inferred from the
    'from' of each district's first change). The spellings come from validate --write-aliases, accepted as written.
    """
    aleppo = shared_data / "aleppo"
    districts = ["-d", aleppo / "neighbourhoods-csr.geojson", "--id-field", "NAME", "--dissolve"]
    variants = ["--aliases", aleppo / "neighbourhood-name-variants.json"]
    changes = aleppo / "control-changes-2016.csv"
    actors = tmp_path / "actors.toml"
    actors.write_text(
        '[actors.government]\naliases = ["government (then rebel counter-attack 5 Dec)"]\n[actors.rebels]\n'
        '[actors."kurdish forces"]\naliases = ["Kurdish forces (YPG/SDF)"]\n'
        '[actors."government and kurdish forces"]\naliases = ["government + YPG/SDF"]\n'
    )
    suggested = tmp_path / "aliases.csv"
    first = cli(
        "validate",
        *districts,
        "-c",
        changes,
        *variants,
        "--actors",
        actors,
        "--write-aliases",
        suggested,
        "--format",
        "json",
    )
    assert first.exit_code == 1  # the record's own spellings do not all match
    reviewed = list(csv.DictReader(io.StringIO(suggested.read_text(encoding="utf-8"))))
    # The record's polygon_names column is its author's own matching: every suggested district must be in it,
    # and where it names districts (each part a district name as written, a remark in brackets aside) they are
    # the proposal, so 'Sakhur' is as-Sakhour and as-Sakhour I, 'Aqyul' is Aghyor (they were as-Sakhour only
    # and '-' when the column was ignored).
    record = {
        r["neighbourhood_as_reported"]: r["polygon_names"] for r in csv.DictReader(changes.open(encoding="utf-8"))
    }
    proposed = {row["alias"]: row["district"] for row in reviewed}
    for row in reviewed:
        for district in row["district"].split("; ") if row["district"] != "-" else []:
            assert district in record[row["alias"]], row
    enclave = next(name for name in record if name.startswith("last rebel enclave"))
    for name in ("Sakhur", "Aqyul", "Hallak al-Fukani / Hallak al-Tahtani", enclave):
        listed = [part.split(" (")[0].strip() for part in record[name].split(";")]
        assert proposed[name].split("; ") == listed, name
    assert proposed["Hallak al-Fukani / Hallak al-Tahtani"] == "Trab al-Hellok"
    assert "al-Ansari Mashhad" in proposed[enclave].split("; ")
    baseline = tmp_path / "baseline.csv"
    baseline.write_text("district,controller\n*,government\nash-Sheikh Maqsoud,kurdish forces\n", encoding="utf-8")
    log = tmp_path / "control.csv"
    built = cli(
        "log",
        "from-changes",
        changes,
        *districts,
        *variants,
        "--aliases",
        suggested,
        "--actors",
        actors,
        "--baseline",
        baseline,
        "--baseline-date",
        "2016-11-15",
        "--infer-baseline",
        "--strict-names",
        "-o",
        log,
    )
    assert built.exit_code == 0, built.output
    assert "changes from" not in built.stderr  # every 'from' agrees with the state before it
    checked = cli("validate", *districts, "-c", log, "--actors", actors, "--strict-names", "--format", "json")
    assert checked.exit_code == 0 and [p for p in json.loads(checked.stdout) if p["level"] == "error"] == []
    held = {
        r["id"]: r["controller"]
        for r in cli_json("status", *districts, "-c", log, "--actors", actors, "--date", "2016-11-29")
    }
    # Rows 9-11 of the record (28 November): as-Sakhour, al-Haydariyeh and Sheikh Kheder to the government.
    assert held["as-Sakhour"] == held["al-Haydariyeh"] == held["Sheikh Kheder"] == "government"
    assert held["ash-Sheikh Fares"] == "kurdish forces"
    # The districts only the column named are taken from the rebels on their record's dates (lines 9, 24, 35):
    # rebel-held the day before, government from that day.
    for district, day, before in (
        ("as-Sakhour I", "2016-11-28", "2016-11-27"),
        ("Aghyor", "2016-12-07", "2016-12-06"),
        ("al-Ansari Mashhad", "2016-12-22", "2016-12-21"),
    ):
        on = {
            d: {
                r["id"]: r["controller"]
                for r in cli_json("status", *districts, "-c", log, "--actors", actors, "--date", d)
            }
            for d in (before, day)
        }
        assert (on[before][district], on[day][district]) == ("rebels", "government"), district


def test_baseline_given_a_date_says_it_takes_a_file(cli, squares, change_files):
    # Every other command's --baseline is a date: here it is the snapshot file, and a date points to --baseline-date.
    changes, _ = change_files
    done = cli("log", "from-changes", changes, "-d", squares["districts"], "--baseline", "2020-01-01")
    assert done.exit_code == 2
    assert "--baseline takes a snapshot file" in done.stderr and "--baseline-date 2020-01-01" in done.stderr

"""Logs of measured shares (from overlay): changes report the area that moved, the report leads with km².

Hand-checkable log on the four squares (conftest): A russia 0.3 -> 0.4 (a shift: ukraine still holds
most of it), B russia 0.4 -> 0.6 (changed hands: russia now holds most). Moved km² = 0.1 x A + 0.2 x B,
all from ukraine to russia.
"""

import re

import pytest

from tests.helpers import squares_area

NOTE = "zones overlay, rule fraction"
LOG = "date,district,controller,share,note\n" + "".join(
    f'{d},{k},{a},{v},"{NOTE}"\n'
    for d, k, a, v in [
        ("2024-01-01", "A", "russia", 0.3),
        ("2024-01-01", "A", "ukraine", 0.7),
        ("2024-01-01", "B", "russia", 0.4),
        ("2024-01-01", "B", "ukraine", 0.6),
        ("2024-01-01", "C", "ukraine", 1.0),
        ("2024-01-01", "D", "ukraine", 1.0),
        ("2024-02-01", "A", "russia", 0.4),
        ("2024-02-01", "A", "ukraine", 0.6),
        ("2024-02-01", "B", "russia", 0.6),
        ("2024-02-01", "B", "ukraine", 0.4),
    ]
)


def moved() -> float:
    return 0.1 * squares_area("A") + 0.2 * squares_area("B")


@pytest.fixture
def args(squares, tmp_path):
    log = tmp_path / "overlay.csv"
    log.write_text(LOG)
    return ["--districts", squares["districts"], "--control", str(log)]


def test_changes_lists_the_districts_whose_largest_holder_changed(cli, args):
    done = cli("changes", *args, "-f", "json")
    assert done.exit_code == 0, done.output
    import json

    rows = json.loads(done.stdout)
    assert [(r["id"], r["changed_hands"]) for r in rows] == [("B", True)]
    assert rows[0]["moved_km2"] == pytest.approx(0.2 * squares_area("B"), rel=1e-6)
    assert rows[0]["area_km2"] == pytest.approx(squares_area("B"), rel=1e-6)  # the district's size, for reference
    assert (
        f"at least {moved():,.1f} km² moved between actors" in done.stderr and "net within each district" in done.stderr
    )
    assert "1 district(s) changed hands" in done.stderr


def test_shifts_and_the_matrix_sum_to_the_moved_area(cli_json, args):
    rows = {r["id"]: r for r in cli_json("changes", *args, "--shifts")}
    assert rows["A"]["changed_hands"] is False
    assert rows["A"]["moved_km2"] == pytest.approx(0.1 * squares_area("A"), rel=1e-6)
    matrix = cli_json("changes", *args, "--matrix")
    off = {(r["from"], r["to"]): r["area_km2"] for r in matrix if r["from"] != r["to"] and r["area_km2"] > 0}
    assert off == {("ukraine", "russia"): pytest.approx(moved(), rel=1e-6)}
    assert sum(r["moved_km2"] for r in rows.values()) == pytest.approx(moved(), rel=1e-6)


def test_report_leads_with_km2_and_display_names(cli, args, tmp_path):
    out = tmp_path / "report.json"
    done = cli("report", *args, "-o", out)
    assert done.exit_code == 0, done.output
    import json

    model = json.loads(out.read_text(encoding="utf-8"))
    text = " ".join(model["sentences"])
    assert model["fractional"] is True
    # Shares say how much of a district moved, not where: gains and losses within one district net out, so the
    # sentence says "at least" (here one district moved one way: the figure is exact).
    assert f"at least {moved():,.1f} km² moved between actors (Ukraine to Russia {moved():,.1f} km²; net within" in text
    assert "1 district changed hands" in text
    assert f"Russia +{moved():,.1f} km²" in text and f"Ukraine -{moved():,.1f} km²" in text
    total = sum(squares_area(k) for k in "ABCD")
    russia = (0.4 * squares_area("A") + 0.6 * squares_area("B")) / total * 100
    assert f"Russia {0.4 * squares_area('A') + 0.6 * squares_area('B'):,.1f} km² ({russia:.1f}%" in text
    assert not re.search(r"\d\.\d+ districts?\b", text)  # never a fractional count of "districts"


def test_display_names_from_the_actors_file(cli, args, tmp_path):
    actors = tmp_path / "actors.toml"
    actors.write_text('[actors.russia]\ndisplay = "Russian forces"\n[actors.ukraine]\n')
    out = tmp_path / "report.md"
    done = cli("report", *args, "--actors", actors, "-o", out)
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert "Russian forces" in text and "Ukraine held" in text
    assert "| russia |" in text  # tables keep the canonical names, as the JSON does

"""Display rules of cli/output.py: one rule per kind of column for table and markdown; csv/json unrounded."""

import json
import re

import pytest

from conflictmap.cli.output import Format, column_kind, to_text


def markdown_cells(text: str) -> list[list[str]]:
    """The body cells of a markdown table (no title, header or rule)."""
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


@pytest.mark.parametrize(
    "key, kind",
    [
        ("districts_pct", "pct"),
        ("area_pct", "pct"),
        ("area_km2", "km"),
        ("net_area_km2_per_day", "km"),
        ("length_km", "km"),
        ("population", "people"),
        ("gained_population", "people"),
        ("districts", "count"),
        ("net_districts", "count"),
        ("row", "count"),
    ],
)
def test_column_kind_from_its_name(key, kind):
    assert column_kind(key) == kind


def test_percentages_always_one_decimal():
    rows = [{"districts_pct": 50}, {"districts_pct": 42.857142857142854}, {"districts_pct": 4.0}]
    assert markdown_cells(to_text(rows, Format.markdown)) == [["50.0"], ["42.9"], ["4.0"]]


def test_km2_two_decimals_with_thousands_separators():
    rows = [{"area_km2": 1234.5}, {"area_km2": 0}, {"area_km2": 67.4}]
    assert markdown_cells(to_text(rows, Format.markdown)) == [["1,234.50"], ["0.00"], ["67.40"]]


def test_population_whole_people_with_separators():
    rows = [{"population": 12345.6}, {"population": 0.0}, {"population": 1000}]
    assert markdown_cells(to_text(rows, Format.markdown)) == [["12,346"], ["0"], ["1,000"]]


def test_counts_whole_unless_the_column_has_a_fraction():
    whole = [{"districts": 2.0}, {"districts": 0.0}, {"districts": 1234.0}]
    split = [{"districts": 2.5}, {"districts": 0.0}, {"districts": 1.0}]
    assert markdown_cells(to_text(whole, Format.markdown)) == [["2"], ["0"], ["1,234"]]
    # One split district makes the whole column 2 decimals: 2.50, 0.00, 1.00, not 2.50, 0, 1.
    assert markdown_cells(to_text(split, Format.markdown)) == [["2.50"], ["0.00"], ["1.00"]]


def test_a_sum_of_shares_off_by_rounding_noise_is_whole():
    rows = [{"districts": 0.1 + 0.2 + 0.7}, {"districts": 3.0}]  # 0.1 + 0.2 + 0.7 = 1.0000000000000002
    assert markdown_cells(to_text(rows, Format.markdown)) == [["1"], ["3"]]


def test_kinds_name_the_rule_of_columns_named_by_actor():
    rows = [{"date": "2020-01-01", "rebels": 50, "government": 42.857142857142854}]
    cells = markdown_cells(to_text(rows, Format.markdown, kinds={"rebels": "pct", "government": "pct"}))
    assert cells == [["2020-01-01", "50.0", "42.9"]]


def test_integers_and_text_are_left_as_they_are():
    rows = [{"row": 12, "id": "04", "note": None, "ok": True}]
    assert markdown_cells(to_text(rows, Format.markdown)) == [["12", "04", "", "True"]]


def test_csv_booleans_are_spelled_as_in_json():
    rows = [{"changed_hands": True, "n": 1}, {"changed_hands": False, "n": 0}]
    for fmt, sep in ((Format.csv, ","), (Format.tsv, "\t")):
        assert to_text(rows, fmt).splitlines()[1:] == [f"true{sep}1", f"false{sep}0"]
    assert json.loads(to_text(rows, Format.json))[0]["changed_hands"] is True


def test_table_uses_the_same_rules_as_markdown():
    rows = [
        {"actor": "a", "districts": 2.5, "districts_pct": 50, "area_km2": 1234.5},
        {"actor": "b", "districts": 1.0, "districts_pct": 20, "area_km2": 1},
    ]
    text = to_text(rows, Format.table)
    for cell in ("2.50", "1.00", "50.0", "20.0", "1,234.50", "1.00"):
        assert cell in text


def test_machine_formats_stay_unrounded():
    rows = [{"districts": 2.5, "districts_pct": 42.857142857142854, "area_km2": 1234.56789}]
    assert json.loads(to_text(rows, Format.json)) == rows
    assert to_text(rows, Format.csv).splitlines()[1] == "2.5,42.857142857142854,1234.56789"


def test_share_table_on_the_squares(cli, squares_args):
    # 2020-02-15 by hand: government 2.5 districts, contested 1, kurdish 0.5, rebels and unknown 0.
    result = cli("share", *squares_args, "--date", "2020-02-15", "--format", "markdown")
    cells = {row[0]: row for row in markdown_cells(result.stdout)}
    assert [cells[a][1] for a in ("government", "contested", "kurdish forces", "rebels", "unknown")] == [
        "2.50",
        "1.00",
        "0.50",
        "0.00",
        "0.00",
    ]
    assert [cells[a][2] for a in ("government", "contested", "rebels")] == ["62.5", "25.0", "0.0"]


def test_transition_matrix_cells_follow_their_measure(cli, squares_args):
    result = cli(
        "changes", *squares_args, "--since", "2020-01-01", "--until", "2020-02-01", "--summary", "--format", "markdown"
    )
    assert result.exit_code == 0, result.output
    tables = result.stdout.split("**Transition matrix")
    districts, km2 = tables[1], tables[2]
    # By hand: A (rebels) went contested, B (rebels) split government 0.5 / kurdish 0.5. The matrix holds
    # halves, so every cell has 2 decimals, read across a row as down a column
    # (columns contested, government, kurdish forces, rebels, unknown, total).
    rows = {row[0]: row for row in markdown_cells(districts)}
    assert rows["rebels"][1:] == ["1.00", "0.50", "0.50", "0.00", "0.00", "2.00"]
    assert rows["government"][1:] == ["0.00", "2.00", "0.00", "0.00", "0.00", "2.00"]
    # km²: 2 decimals everywhere, zeros too.
    assert all(re.fullmatch(r"-?[\d,]+\.\d\d", cell) for row in markdown_cells(km2) for cell in row[1:])


def test_a_matrix_of_whole_counts_has_no_decimals(cli, squares_args):
    # 2019-12-31 (before the log: all unknown) -> 2020-01-01: rebels A, B and government C, D; no split yet.
    result = cli(
        "changes", *squares_args, "--since", "2019-12-31", "--until", "2020-01-01", "--summary", "--format", "markdown"
    )
    assert result.exit_code == 0, result.output
    districts = result.stdout.split("**Transition matrix")[1]
    rows = {row[0]: row for row in markdown_cells(districts)}
    header = [line for line in districts.splitlines() if line.startswith("| from")][0]
    # Every actor of the log, contested and unknown included, whatever the window.
    assert header == "| from \\ to | contested | government | kurdish forces | rebels | unknown | total |"
    assert rows["unknown"][1:] == ["0", "2", "0", "2", "0", "4"]


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize(
    "args",
    [
        ["status", "--date", "2016-12-07"],
        ["changes", "--since", "2016-11-15"],
        ["share"],
        ["timeline", "--every", "7d"],
    ],
)
def test_a_narrow_terminal_never_splits_a_number_or_a_date(cli, monkeypatch, width, args):
    # The bundled sample at 60 and 80 columns: every number and date of the CSV output appears whole in one
    # table line (formatted as the table formats it); long names are cut with an ellipsis instead.
    monkeypatch.setenv("COLUMNS", str(width))
    table = cli("-q", *args)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    cells = {cell.strip() for line in lines for cell in line.split("│")}
    # The same figures as Markdown (the same display rules, one line per row): each number or date cell whole.
    markdown = cli("-q", *args, "-f", "markdown").stdout.splitlines()
    figures = {cell.strip() for line in markdown[2:] for cell in line.strip("|").split("|")}
    figures = {f for f in figures if re.fullmatch(r"-?[\d,]+(\.\d+)?|\d{4}-\d{2}-\d{2}", f)}
    assert figures
    assert figures <= cells, sorted(figures - cells)[:5]


def test_long_text_is_cut_with_an_ellipsis_not_folded(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    lines = cli("-q", "status", "--date", "2016-12-07").stdout.splitlines()
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == 126  # one line per district of the sample: nothing folds onto a second line
    assert all("https:" not in line or "…" in line for line in body)


def test_a_wide_terminal_shows_every_cell_whole(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = cli("-q", "share").stdout.splitlines()
    assert not any("…" in line for line in lines)


@pytest.mark.parametrize("command", [("status",), ("share",), ("zones", "area", "__zones__")])
def test_md_is_markdown_for_every_command(cli, command, tmp_path):
    # report -f md is the README's spelling: every command's --format takes it as markdown, byte for byte.
    if command[-1] == "__zones__":
        zone = tmp_path / "russia_2024-01-01.geojson"
        square = [[30, 45], [30.1, 45], [30.1, 45.1], [30, 45.1], [30, 45]]
        feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square]}}
        zone.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        command = (*command[:-1], str(zone), "--actor", "russia")
    long, short = cli(*command, "-f", "markdown"), cli(*command, "-f", "md")
    assert long.exit_code == short.exit_code == 0, short.output
    assert short.stdout == long.stdout and short.stdout.startswith("**")


def test_table_shows_data_as_text_never_as_markup_or_terminal_codes(cli, tmp_path):
    # Rich reads '[...]' as markup: 'kurdish forces [ypg]' lost its '[ypg]' and '[/i]' crashed every table.
    # An ESC in a name would restyle the terminal and U+202E reverse the row: both are shown as escapes,
    # in the table and in Markdown.
    names = {"a": "Old [/i] Town", "b": "red\x1b[31mzone", "c": "rev\u202eersed"}
    features = [
        {
            "type": "Feature",
            "properties": {"id": key, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]]},
        }
        for i, (key, name) in enumerate(names.items())
    ]
    districts = tmp_path / "d.geojson"
    districts.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    log = tmp_path / "c.csv"
    log.write_text("date,district,controller\n2020-01-01,a,kurdish forces [ypg]\n2020-01-01,b,[/i]rebels\n")
    args = ("-d", districts, "-c", log, "--initial", "government")
    table = cli("-q", "share", *args)
    assert table.exit_code == 0, table.output
    assert "kurdish forces [ypg]" in table.stdout and "[/i]rebels" in table.stdout
    for fmt in ("table", "markdown"):
        shown = cli("-q", "status", *args, "-f", fmt)
        assert shown.exit_code == 0, shown.output
        assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
        assert "red\\x1b" in shown.stdout and "rev\\u202eersed" in shown.stdout
    assert "Old [/i] Town" in cli("-q", "status", *args).stdout

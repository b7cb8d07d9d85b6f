"""Text from input data written into CSV and Markdown stays text (conflictmap/escape.py)."""

from __future__ import annotations

import csv
import io

from conflictmap.escape import csv_line, markdown_text


def test_csv_line_quotes_a_bare_carriage_return():
    line = csv_line(["A", "Al\rpha", "x"])
    assert line == 'A,"Al\rpha",x\n'
    # A reader sees one row with the name intact, not an extra row.
    assert list(csv.reader(io.StringIO(line, newline=""))) == [["A", "Al\rpha", "x"]]


def test_csv_line_is_plain_for_plain_values_and_quotes_as_the_csv_module_does():
    assert csv_line(["a", "b c", "1.5"]) == "a,b c,1.5\n"
    assert csv_line(['say "hi"', "a,b", "l1\nl2"]) == '"say ""hi""","a,b","l1\nl2"\n'
    assert csv_line(["a\tb", "c"], "\t") == '"a\tb"\tc\n'


def test_markdown_text_shows_html_and_links_as_text():
    assert markdown_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert markdown_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert markdown_text("[x](http://evil)") == "\\[x\\](http://evil)"
    assert markdown_text("A & B | C") == "A &amp; B \\| C"
    assert markdown_text("*bold* `code` _it_") == "\\*bold\\* \\`code\\` \\_it\\_"


def test_markdown_text_keeps_a_table_row_on_one_line():
    assert markdown_text("Be\nta\r\nx\ry") == "Be<br>ta<br>x<br>y"


def test_markdown_text_leaves_words_with_underscores_and_lone_backslashes_alone():
    assert markdown_text("area_km2") == "area_km2"
    assert markdown_text("from \\ to") == "from \\ to"  # a backslash before a space escapes nothing
    assert markdown_text("a\\*") == "a\\\\\\*"  # before punctuation it would: both are escaped


def test_visible_text_shows_control_characters_as_escapes():
    from conflictmap.escape import visible_text

    assert visible_text("a\x1b[31mb\x07c\x9bd") == "a\\x1b[31mb\\x07c\\x9bd"
    assert visible_text("x\u202ey\u2066z") == "x\\u202ey\\u2066z"
    # Tabs, line breaks, Arabic and its direction marks are text, kept as they are.
    assert visible_text("حلب\u200f\tok\n") == "حلب\u200f\tok\n"


def test_markdown_text_escapes_dollars_which_open_maths_on_github():
    assert markdown_text("$\\alpha$ math $5 and $6") == "\\$\\alpha\\$ math \\$5 and \\$6"


def test_picture_text_has_no_character_a_font_cannot_draw_and_no_bidi_override():
    from conflictmap.escape import picture_text

    assert picture_text("new\nline\tand tab") == "new\nline and tab"  # a tab is a space; a line break stays
    assert picture_text("a\r\nb\rc") == "a\nb\nc"
    assert picture_text("\u202eRLO\u202c x\x1b") == "\\u202eRLO\\u202c x\\x1b"  # as visible_text shows them
    assert picture_text("حلب\u200f $5") == "حلب\u200f $5"

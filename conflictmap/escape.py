"""Text from input data made safe for the format it is written into (CSV, Markdown, a terminal table).

(matplotlib: plots.literal_text turns mathtext off for every text of a figure and
passes it through picture_text.)

Names, sources and actors come from files we do not control: a bare carriage
return, a line break, `<script>`, `[link](...)` or `$x$` must reach the reader
as the text it is, never as structure of the output. A terminal is a format
too: an ESC in a name would restyle it (ESC[31m) or set its title or clipboard,
and a bidi override (U+202E) would reverse the rest of the row.
"""

from __future__ import annotations

import csv
import io
import re


def csv_line(values, delimiter: str = ",") -> str:
    """One CSV/TSV record ending in '\\n', a field quoted when it holds the delimiter, a quote, '\\n' or a bare '\\r'.

    The csv module quotes only the characters of its line terminator, so with
    '\\n' a lone '\\r' would be written bare (readers then see an extra row).
    Writing with '\\r\\n' quotes both; the terminator is then put back to '\\n'.
    """
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerow(values)
    return buf.getvalue()[:-2] + "\n"


# An underscore inside a word (area_km2) cannot start emphasis in CommonMark: only one at a word's edge is escaped.
# `$` opens maths on GitHub ($\alpha$, "$5 and $6").
_MARKDOWN_SPECIAL = re.compile(r"([`*\[\]|$]|(?<![^\W_])_|_(?![^\W_]))")
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")  # only a backslash before punctuation escapes in Markdown
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# C0 controls but tab and line breaks (which each format handles), DEL, C1, and the bidi embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069); the marks LRM/RLM reorder nothing and stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible_text(text) -> str:
    """Text with its control characters shown as escapes (ESC as \\x1b, U+202E as \\u202e), for a terminal."""
    return _CONTROL.sub(_escaped, str(text))


def picture_text(text) -> str:
    """Text for a picture (map, chart): control characters as visible_text (a bidi override would reverse the
    name), a tab as a space and a carriage return as a line break (fonts have no glyph for them: a box)."""
    text = _LINE_BREAK.sub("\n", str(text)).replace("\t", " ")
    return visible_text(text)


def _escaped(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def markdown_text(text) -> str:
    """Text for a Markdown paragraph or table cell: no raw HTML, links, emphasis or code, and no row-breaking line breaks.

    `&`, `<` and `>` become entities (so `<script>` is shown, not run); Markdown
    punctuation is backslash-escaped; a line break inside a value becomes `<br>`.
    """
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ESCAPING_BACKSLASH.sub(r"\\\\", text)
    text = visible_text(text)  # after: a backslash before a letter (\x1b) escapes nothing in Markdown
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_BREAK.sub("<br>", text)

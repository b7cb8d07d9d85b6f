"""Text from input data made safe for the format it is written into (CSV, Markdown).

(matplotlib: plots.literal_text turns mathtext off for every text of a figure.)

Names, sources and actors come from files we do not control: a bare carriage
return, a line break, `<script>`, `[link](...)` or `$x$` must reach the reader
as the text it is, never as structure of the output.
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
_MARKDOWN_SPECIAL = re.compile(r"([`*\[\]|]|(?<![^\W_])_|_(?![^\W_]))")
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")  # only a backslash before punctuation escapes in Markdown
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def markdown_text(text) -> str:
    """Text for a Markdown paragraph or table cell: no raw HTML, links, emphasis or code, and no row-breaking line breaks.

    `&`, `<` and `>` become entities (so `<script>` is shown, not run); Markdown
    punctuation is backslash-escaped; a line break inside a value becomes `<br>`.
    """
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ESCAPING_BACKSLASH.sub(r"\\\\", text)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_BREAK.sub("<br>", text)

"""Names and dates: the small vocabulary shared by every layer (no heavy imports). Actors are in actors.py."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .errors import InputError, UsageError
from .names import edit_distance, name_key, suggest

__all__ = [
    "UNKNOWN",
    "CONTESTED",
    "BUILTIN_ACTORS",
    "parse_date",
    "parse_option_date",
    "impossible_date",
    "id_text",
    "id_texts",
    "clean_label",
]

UNKNOWN = "unknown"
CONTESTED = "contested"
BUILTIN_ACTORS = (UNKNOWN, CONTESTED)

_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")  # a fraction is the time of day
_ORDINAL = re.compile(r"^(\d{4})-?(\d{3})$")  # ISO 8601 ordinal date: 2016-320, 2016320
_BASIC = re.compile(r"^\d{8}$|^\d{4}W\d{3}$")  # ISO 8601 basic form: 20161115, 2016W462
_INT_FLOAT = re.compile(r"^-?\d+\.0+$")
# A time of day (00:00 to 23:59:59.x) with an optional UTC offset (up to ±14:00): accepted after a date, not used.
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-](0\d|1[0-4]):?[0-5]\d)?$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MONTHS = (
    "January February March April May June July August September October November December".split()
)  # not calendar.month_name: that follows the locale
MIN_YEAR, MAX_YEAR = 1678, 2261  # the dates pandas can hold (nanoseconds since 1970)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of spreadsheet serial dates (1900 date system)


def closest(word: str, candidates, n: int = 3) -> list[str]:
    """Up to n candidates that look like `word`, best first (names.suggest: rapidfuzz on Latin spellings)."""
    return suggest(word, candidates, n=n, cutoff=50.0)


def near_names(names) -> list[tuple[str, str]]:
    """Pairs of names whose match keys are one edit apart (two for long names): likely typos of each other.

    Names that differ in a digit ('brigade 1', 'brigade 2') are different on purpose.
    """
    keys = [(name_key(n), n) for n in names]
    pairs = []
    for i, (a, name_a) in enumerate(keys):
        for b, name_b in keys[i + 1 :]:
            if a == b or min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 2:
                continue
            allowed = 2 if min(len(a), len(b)) >= 9 else 1
            if edit_distance(a, b) <= allowed and _same_digits(a, b):
                pairs.append((name_a, name_b))
    return pairs


def _same_digits(a: str, b: str) -> bool:
    return [c for c in a if c.isdigit()] == [c for c in b if c.isdigit()]


def parse_date(text, where: str = "") -> dt.date:
    """An ISO 8601 date (YYYY-MM-DD, a time part is ignored), or an InputError saying how to fix it."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    raw = str(text).strip()
    prefix = f"{where}: " if where else ""
    digits = ascii_digits(raw)  # ٢٠١٦-١١-١٥ and fullwidth digits are the same date
    day = _iso_day(digits)
    if day is not None:
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise InputError(f"{prefix}date {raw!r} is out of range (years {MIN_YEAR}-{MAX_YEAR}); check the year")
        return day
    impossible = impossible_date(digits)
    if impossible:
        raise InputError(f"{prefix}date {raw!r} does not exist: {impossible}")
    hint = _time_hint(digits) or "write dates as YYYY-MM-DD"
    m = _DMY.match(digits)
    if m:
        hint = _day_month_hint(*(int(g) for g in m.groups()))
    elif _SERIAL.match(digits):
        # A spreadsheet exported the cell's serial day number instead of the date.
        day = EXCEL_EPOCH + dt.timedelta(days=int(float(digits)))
        hint = f"it looks like a spreadsheet serial day number ({day.isoformat()}); format the column as YYYY-MM-DD before exporting"
    raise InputError(f"{prefix}date {raw!r} is not an ISO 8601 date; {hint}")


def ascii_digits(text: str) -> str:
    """Text with fullwidth forms folded (NFKC) and every decimal digit of another script (٣, ۳, ३) as 0-9."""
    if text.isascii():
        return text
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _day_month_hint(first: int, second: int, year: int) -> str:
    """How to write 15/11/2016 or 11/15/2016 as ISO 8601: each reading that names a day (none, one or both)."""
    dmy = f"{year:04d}-{second:02d}-{first:02d}" if not no_such_day(year, second, first) else None
    mdy = f"{year:04d}-{first:02d}-{second:02d}" if not no_such_day(year, first, second) else None
    if dmy and mdy and dmy != mdy:
        return f"write it as ISO 8601: {dmy} if it is day/month/year, {mdy} if it is month/day/year"
    if dmy or mdy:
        return f"write it as ISO 8601, e.g. {dmy or mdy} if it is {'day/month' if dmy else 'month/day'}/year"
    why = no_such_day(year, second, first)
    return f"it names no day as day/month/year ({why}) nor as month/day/year; correct it and write it as YYYY-MM-DD"


def _without_time(raw: str) -> str:
    """'2016-11-15T10:00Z' -> '2016-11-15': a time part after 'T' or a space is ignored."""
    return raw[:10] if len(raw) > 10 and raw[10] in "T " and _TIME.match(raw[11:]) else raw


def impossible_date(raw: str) -> str:
    """Why a text in the form YYYY-MM-DD names no day, with the fix ('November has 30 days; correct
    the day'), or '' (a real date, or another form: parse_date says what is wrong with that)."""
    raw = _without_time(raw.strip())
    ordinal = _ORDINAL.match(raw)
    if ordinal:
        year, number = (int(g) for g in ordinal.groups())
        days = 365 + calendar.isleap(year)
        return "" if 1 <= number <= days else f"{year:04d} has {days} days; correct the day of the year"
    m = _YMD.match(_extended(raw))
    if not m:
        return ""
    year, month, day = (int(g) for g in m.groups())
    why = no_such_day(year, month, day)
    if not why:
        return ""  # a real day (a year out of range is said by parse_date)
    if 1 <= month <= 12:
        return f"{why}; correct the day"
    swapped = (
        f"; if it is year-day-month, write {year:04d}-{day:02d}-{month:02d}"
        if not no_such_day(year, day, month)
        else ""
    )
    return f"{why}; correct the month{swapped}"


def no_such_day(year: int, month: int, day: int) -> str:
    """'November has 30 days', 'there is no month 13', or '' for a day that exists (in any year)."""
    if not 1 <= month <= 12:
        return f"there is no month {month:02d}"
    if day == 0:
        return "there is no day 00"
    days = calendar.monthrange(year, month)[1]
    if day <= days:
        return ""
    return f"{f'February {year}' if month == 2 else MONTHS[month - 1]} has {days} days"


def _extended(raw: str) -> str:
    """'20161115' -> '2016-11-15' (ISO 8601's basic form of a calendar date); other text as it is."""
    return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}" if len(raw) == 8 and raw.isdigit() else raw


def _iso_day(raw: str) -> dt.date | None:
    """An ISO 8601 date: YYYY-MM-DD, optionally with a time part after 'T' or a space (ignored), or the
    basic (YYYYMMDD), ordinal (YYYY-DDD) or week (YYYY-Www-D) form; anything else is None."""
    raw = _without_time(raw)
    ordinal = _ORDINAL.match(raw)
    if ordinal:
        year, number = (int(g) for g in ordinal.groups())
        if year == 0 or not 1 <= number <= 365 + calendar.isleap(year):
            return None
        return dt.date(year, 1, 1) + dt.timedelta(days=number - 1)
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 or _BASIC.match(raw) else None
    except ValueError:
        return None


def _time_hint(raw: str) -> str | None:
    """For a good day with a time part that is no time of day (2016-12-12T25:99): what is wrong, how to fix it."""
    if len(raw) > 10 and raw[10] in "T " and _iso_day(raw[:10]) is not None:
        return (
            f"{raw[11:]!r} is not a time of day (HH:MM from 00:00 to 23:59, an offset up to ±14:00); "
            f"write the day alone, {raw[:10]}: the time is not used"
        )
    return None


def parse_option_date(text: str, option: str) -> dt.date:
    """A date given on the command line; a bad one is a usage error (exit 2) in parse_date's words
    ("--date '12.12.2016' is not an ISO 8601 date; write it as ISO 8601, e.g. 2016-12-12 if ...")."""
    try:
        return parse_date(text)
    except InputError as exc:
        what = str(exc).removeprefix(f"date {str(text).strip()!r} ")
        raise UsageError(f"{option} {text!r} {what}".lstrip()) from None


def id_text(value) -> str:
    """An id as plain text: 16, 16.0, '16.0' and '16' are one id; None and NaN are ''.

    Spreadsheets and GDAL turn integer ids into floats; '04' keeps its zero (codes are text).
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.split(".")[0] if _INT_FLOAT.match(text) else text


def id_texts(values: list) -> list[str]:
    """id_text of each value; a list of texts or of integers (nearly every column) in a few passes over it
    instead of a call per value: a text stripped and '16.0' cut to '16', an integer as its digits."""
    kinds = set(map(type, values))
    if kinds == {str}:
        texts = [v.strip() for v in values]
        return [t.split(".")[0] if "." in t and _INT_FLOAT.match(t) else t for t in texts]
    if kinds == {int}:
        return [str(v) for v in values]
    return [id_text(v) for v in values]


def span_error(options: tuple[str, str], given: tuple, first: dt.date, last: dt.date) -> str:
    """Why a date span is empty, naming only the options the user gave (a bound left out is the log's own)."""
    low, high = options
    if given[1] is None:
        return f"{low} {first} is after the last date of the log ({last}); give an earlier {low}, or a later {high}"
    if given[0] is None:
        return f"{high} {last} is before the first date of the log ({first}); give a later {high}, or an earlier {low}"
    return f"{low} {first} is after {high} {last}; give {low} on or before {high}"


def clean_label(text) -> str:
    """Trim and collapse whitespace: 'rebels  ' and 'rebels' are one actor."""
    return " ".join(str(text).split())

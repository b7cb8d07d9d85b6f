"""conflictmap.model's dates: an ISO 8601 day, with a time part accepted only when it is a time of day."""

import datetime as dt

import pytest

from conflictmap.errors import InputError, UsageError
from conflictmap.model import parse_date, parse_option_date

DAY = dt.date(2016, 12, 12)


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-12T00:00",
        "2016-12-12T23:59",
        "2016-12-12 23:59:59",
        "2016-12-12T23:59:59.999",
        "2016-12-12T23:59:59Z",
        "2016-12-12T23:59:59+05:00",
        "2016-12-12T00:30-0330",  # the day as written: 04:00 UTC is still the 12th, but 23:30-05:00 would not be
        "2016-12-12T23:30-05:00",
        "2016-12-12T10:00+14:00",
    ],
)
def test_a_time_of_day_is_accepted_and_the_day_kept_as_written(text):
    assert parse_date(text, "log.csv line 2") == DAY


@pytest.mark.parametrize(
    "text, time",
    [
        ("2016-12-12T25:99", "25:99"),
        ("2016-12-12T24:00", "24:00"),
        ("2016-12-12T23:60", "23:60"),
        ("2016-12-12T23:59:61", "23:59:61"),
        ("2016-12-12 7:00", "7:00"),
        ("2016-12-12T10:00+15:00", "10:00+15:00"),
        ("2016-12-12Tnoon", "noon"),
    ],
)
def test_an_impossible_time_is_an_error_naming_it(text, time):
    with pytest.raises(InputError) as caught:
        parse_date(text, "log.csv line 2")
    assert str(caught.value) == (
        f"log.csv line 2: date {text!r} is not an ISO 8601 date; {time!r} is not a time of day (HH:MM from 00:00 "
        "to 23:59, an offset up to ±14:00); write the day alone, 2016-12-12: the time is not used"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("12.12.2016", "is not an ISO 8601 date; write it as ISO 8601, e.g. 2016-12-12 if it is day/month/year"),
        ("9999-12-31", "is out of range (years 1678-2261); check the year"),
        # 43891 is 2020-03-01 in spreadsheets (tests/bad_inputs/c_excel_serial_dates.csv); 80 days earlier, 2019-12-12.
        ("43811", "is not an ISO 8601 date; it looks like a spreadsheet serial day number (2019-12-12)"),
        ("2016-12-12T25:99", "is not an ISO 8601 date; '25:99' is not a time of day"),
    ],
)
def test_an_option_date_keeps_the_hint_of_parse_date(text, message):
    with pytest.raises(UsageError) as caught:
        parse_option_date(text, "--date")
    assert str(caught.value).startswith(f"--date {text!r} {message}")

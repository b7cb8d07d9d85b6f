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


@pytest.mark.parametrize(
    "text",
    [
        "20161212",  # ISO 8601 basic form
        "2016-347",  # ordinal: 2016 is a leap year, so November ends on day 31+29+31+30+31+30+31+31+30+31+30 = 335
        "2016347",
        "2016-W50-1",  # week 50 of 2016 starts on Monday 12 December (1 January 2016 was a Friday, in week 53 of 2015)
        "2016W501",
        "٢٠١٦-١٢-١٢",  # Arabic-Indic digits
        "۲۰۱۶-۱۲-۱۲",  # Extended Arabic-Indic (Persian) digits
        "２０１６-１２-１２",  # fullwidth digits
        "２０１６－１２－１２",  # fullwidth digits and hyphens
    ],
)
def test_other_iso_forms_and_digits_give_the_day(text):
    assert parse_date(text, "log.csv line 2") == DAY


@pytest.mark.parametrize(
    "text, message",
    [
        # 15 cannot be a month: month/day/year is the one reading (the hint was 'e.g. 2016-15-11').
        ("11/15/2016", "write it as ISO 8601, e.g. 2016-11-15 if it is month/day/year"),
        ("15/11/2016", "write it as ISO 8601, e.g. 2016-11-15 if it is day/month/year"),
        ("01/02/2020", "write it as ISO 8601: 2020-02-01 if it is day/month/year, 2020-01-02 if it is month/day/year"),
        ("13/13/2016", "it names no day as day/month/year (there is no month 13) nor as month/day/year"),
        # 42689 is 2016-11-15 (the sample's first date); .333333 is 08:00.
        ("42689.333333", "it looks like a spreadsheet serial day number (2016-11-15)"),
    ],
)
def test_a_date_in_another_form_gets_the_hint_that_can_be_true(text, message):
    with pytest.raises(InputError) as caught:
        parse_date(text, "log.csv line 2")
    assert str(caught.value).startswith(f"log.csv line 2: date {text!r} is not an ISO 8601 date; {message}")


@pytest.mark.parametrize(
    "text, message",
    [
        ("2015-366", "2015 has 365 days; correct the day of the year"),
        ("20161131", "November has 30 days; correct the day"),
    ],
)
def test_an_impossible_day_in_another_iso_form_is_said_so(text, message):
    with pytest.raises(InputError, match=f"date '{text}' does not exist: {message}"):
        parse_date(text, "log.csv line 2")

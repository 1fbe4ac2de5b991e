"""Step deadlines (办理时限), directly: the service's step limits counted on the working-day calendar
(server/calendar/service.py, server/appointments/service.deadline_for) and the overdue flag. Times
are naive UTC as stored; the calendar's days are China Standard Time."""

import datetime as dt
import json

import pytest

from server.appointments.service import ACTIVE, DEFAULT_LIMITS, deadline_for, is_overdue, limits_of
from server.calendar.service import MAX_SPAN_DAYS, WorkCalendar
from server.errors import NoWorkingDay

CST = dt.timezone(dt.timedelta(hours=8))
CAL = WorkCalendar()  # the shipped State Council schedule, no administrator entries


def utc(local: str) -> dt.datetime:
    """A Beijing time as the naive UTC the server stores."""
    return dt.datetime.fromisoformat(local).replace(tzinfo=CST).astimezone(dt.UTC).replace(tzinfo=None)


def service(unit: str | None = "hours", **limits) -> dict:
    return {"step_limits": json.dumps(limits) if limits else None, "step_limit_unit": unit}


# --------------------------------------------------------------------------- which days are worked

@pytest.mark.parametrize("day,working", [
    ("2026-11-27", True),    # a Friday
    ("2026-11-28", False),   # Saturday
    ("2026-11-29", False),   # Sunday
    ("2026-01-01", False),   # 元旦 (Thursday)
    ("2026-01-04", True),    # 调休: a Sunday worked
    ("2026-02-14", True),    # 调休: a Saturday worked before 春节
    ("2026-02-16", False),   # 春节 (Monday)
    ("2026-02-28", True),    # 调休 Saturday after 春节
    ("2026-05-09", True),    # 调休 Saturday after 劳动节
    ("2026-10-10", True),    # 调休 Saturday after 国庆
    ("2026-10-07", False),   # 国庆 (Wednesday)
    ("2027-01-01", False),   # 元旦 2027 (provisional, statutory day)
    ("2027-01-04", True),    # a Monday
])
def test_working_days(day, working):
    assert CAL.is_working_day(dt.date.fromisoformat(day)) is working


def test_an_administrator_entry_beats_the_shipped_schedule_both_ways():
    cal = WorkCalendar({dt.date(2026, 1, 1): "workday", dt.date(2026, 11, 27): "holiday",
                        dt.date(2026, 2, 14): "normal"})
    assert cal.is_working_day(dt.date(2026, 1, 1))
    assert not cal.is_working_day(dt.date(2026, 11, 27))
    assert not cal.is_working_day(dt.date(2026, 2, 14)), "normal: a Saturday again"


# --------------------------------------------------------------------------- working days

@pytest.mark.parametrize("start,days,due", [
    # the day a step begins does not count; due at the end (24:00 CST) of the n-th working day after it
    ("2026-11-26T10:00", 1, "2026-11-28T00:00"),   # Thursday → end of Friday
    ("2026-11-27T10:00", 1, "2026-12-01T00:00"),   # Friday → end of Monday
    ("2026-11-27T10:00", 5, "2026-12-05T00:00"),   # Friday → end of next Friday
    ("2026-11-28T10:00", 1, "2026-12-01T00:00"),   # begun on Saturday: Monday is the first
    ("2026-11-29T23:59", 1, "2026-12-01T00:00"),   # Sunday night
    ("2026-02-13T16:00", 1, "2026-02-15T00:00"),   # Friday → the 调休 Saturday 2-14
    ("2026-02-14T10:00", 1, "2026-02-25T00:00"),   # on the 调休 Saturday → over 春节 to 2-24
    ("2026-09-30T10:00", 2, "2026-10-10T00:00"),   # 国庆: 10-08, 10-09
    ("2026-09-30T10:00", 3, "2026-10-11T00:00"),   # … and the 调休 Saturday 10-10
    # across the year end
    ("2025-12-31T10:00", 1, "2026-01-05T00:00"),   # 元旦 1-1…1-3, then the 调休 Sunday 1-4
    ("2026-12-31T10:00", 1, "2027-01-05T00:00"),   # 元旦 2027 (Friday), the weekend, Monday 1-4
    ("2026-12-30T10:00", 2, "2027-01-05T00:00"),   # Thursday 12-31, then Monday 1-4
])
def test_working_day_limits(start, days, due):
    assert CAL.add_working_time(utc(start), days, "working_days") == utc(due)


def test_the_day_a_step_begins_is_the_china_time_day():
    """23:59 CST Thursday is 15:59 UTC; one minute later it is Friday in Weihai (and still Thursday in UTC)."""
    thu_night = dt.datetime(2026, 11, 26, 15, 59)
    assert CAL.add_working_time(thu_night, 1, "working_days") == utc("2026-11-28T00:00")
    fri_start = dt.datetime(2026, 11, 26, 16, 0)
    assert CAL.add_working_time(fri_start, 1, "working_days") == utc("2026-12-01T00:00")


def test_a_limit_below_one_working_day_still_gives_one():
    assert CAL.add_working_time(utc("2026-11-26T10:00"), 0, "working_days") == utc("2026-11-28T00:00")


# --------------------------------------------------------------------------- hours of working days

@pytest.mark.parametrize("start,hours,due", [
    ("2026-11-26T10:00", 4, "2026-11-26T14:00"),    # within the day
    ("2026-11-26T10:00", 14, "2026-11-27T00:00"),   # exactly to midnight
    ("2026-11-27T16:00", 8, "2026-11-28T00:00"),    # Friday to its midnight, not into Saturday
    ("2026-11-27T16:00", 9, "2026-11-30T01:00"),    # one hour more runs on Monday
    ("2026-11-28T10:00", 2, "2026-11-30T02:00"),    # begun on Saturday: the clock starts Monday 00:00
    ("2026-02-13T20:00", 10, "2026-02-14T06:00"),   # into the 调休 Saturday
    ("2026-02-14T20:00", 10, "2026-02-24T06:00"),   # from it over 春节
    ("2026-12-31T20:00", 8, "2027-01-04T04:00"),    # across the year end: 4 h, 元旦 and the weekend, 4 h
    ("2025-12-31T20:00", 8, "2026-01-04T04:00"),    # the 调休 Sunday 2026-01-04 counts
])
def test_hour_limits(start, hours, due):
    assert CAL.add_working_time(utc(start), hours, "hours") == utc(due)


def test_a_calendar_without_a_working_day_refuses_instead_of_looping():
    start = dt.date(2026, 11, 26)
    cal = WorkCalendar({start + dt.timedelta(days=i): "holiday" for i in range(MAX_SPAN_DAYS + 2)})
    for unit in ("working_days", "hours"):
        with pytest.raises(NoWorkingDay):
            cal.add_working_time(utc("2026-11-26T10:00"), 1, unit)


def test_the_largest_limits_the_catalog_accepts_fit_in_the_span():
    """StepLimits allow 8760 hours, and 366 working days (server/catalog): both end without NoWorkingDay."""
    start = utc("2026-11-26T10:00")
    assert CAL.add_working_time(start, 8760, "hours") > start + dt.timedelta(days=365)
    assert CAL.add_working_time(start, 366, "working_days") > start + dt.timedelta(days=366)


# --------------------------------------------------------------------------- a service's steps

def test_limits_are_the_service_s_own_over_the_defaults():
    assert limits_of(service()) == DEFAULT_LIMITS
    assert limits_of(service(submitted=24)) == {**DEFAULT_LIMITS, "submitted": 24}
    assert limits_of({"step_limits": "not json", "step_limit_unit": "hours"}) == DEFAULT_LIMITS
    assert set(DEFAULT_LIMITS) == set(ACTIVE)


def test_each_running_step_takes_its_own_limit_in_the_service_s_unit():
    now = utc("2026-11-26T10:00")  # Thursday
    hours = service("hours", submitted=24, accepted=48, prereviewed=2)
    assert deadline_for("submitted", hours, now, CAL) == utc("2026-11-27T10:00")
    assert deadline_for("accepted", hours, now, CAL) == utc("2026-11-30T10:00"), "the weekend does not count"
    assert deadline_for("prereviewed", hours, now, CAL) == utc("2026-11-26T12:00")
    days = service("working_days", submitted=1, accepted=2, prereviewed=3)
    assert deadline_for("submitted", days, now, CAL) == utc("2026-11-28T00:00")
    assert deadline_for("accepted", days, now, CAL) == utc("2026-12-01T00:00")
    assert deadline_for("prereviewed", days, now, CAL) == utc("2026-12-02T00:00")
    # no unit stored: hours
    assert deadline_for("submitted", service(None, submitted=24), now, CAL) == utc("2026-11-27T10:00")


@pytest.mark.parametrize("status", ["completed", "returned", "cancelled"])
def test_a_step_that_is_not_running_has_no_deadline(status):
    assert deadline_for(status, service(), utc("2026-11-26T10:00"), CAL) is None


# --------------------------------------------------------------------------- overdue

def test_overdue_once_the_deadline_has_passed_and_only_while_a_step_runs():
    due = utc("2026-11-30T10:00")
    tick = dt.timedelta(microseconds=1)
    for status in ACTIVE:
        row = {"status": status, "deadline_at": due}
        assert not is_overdue(row, due - tick)
        assert not is_overdue(row, due), "due at the deadline, not yet over it"
        assert is_overdue(row, due + tick)
    for status in ("completed", "returned", "cancelled"):
        assert not is_overdue({"status": status, "deadline_at": due}, due + dt.timedelta(days=30))
    assert not is_overdue({"status": "submitted", "deadline_at": None}, due)


def test_friday_work_is_not_overdue_over_the_weekend():
    booked = utc("2026-11-27T15:00")  # Friday afternoon, 48 hours to accept
    row = {"status": "submitted", "deadline_at": deadline_for("submitted", service(submitted=48), booked, CAL)}
    assert not is_overdue(row, utc("2026-11-29T23:59"))   # Sunday night
    assert not is_overdue(row, utc("2026-12-01T14:59"))   # Tuesday, before the hour
    assert is_overdue(row, utc("2026-12-01T15:01"))

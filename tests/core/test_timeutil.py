"""China time from the naive UTC the database keeps: the day boundaries every list filter and quota
relies on."""

import datetime as dt

from server.core.timeutil import day_start_utc, from_cst, iso, to_cst, today_cst, utc_range


def test_a_china_day_starts_at_16_00_utc_the_day_before():
    assert day_start_utc(dt.date(2026, 1, 1)) == dt.datetime(2025, 12, 31, 16, 0)
    assert utc_range(dt.date(2026, 2, 28), dt.date(2026, 3, 1)) == (
        dt.datetime(2026, 2, 27, 16, 0), dt.datetime(2026, 3, 1, 16, 0))


def test_today_turns_at_china_midnight():
    assert today_cst(dt.datetime(2026, 11, 29, 15, 59, 59)) == dt.date(2026, 11, 29)
    assert today_cst(dt.datetime(2026, 11, 29, 16, 0)) == dt.date(2026, 11, 30)


def test_local_and_utc_round_trip():
    utc = dt.datetime(2026, 11, 30, 9, 30, 15, 123456)
    assert to_cst(utc) == dt.datetime(2026, 11, 30, 17, 30, 15, 123456)
    assert from_cst(to_cst(utc)) == utc
    assert to_cst(utc).tzinfo is None and from_cst(to_cst(utc)).tzinfo is None


def test_iso_shows_china_time_with_its_offset():
    assert iso(dt.datetime(2026, 11, 29, 16, 0)) == "2026-11-30T00:00:00+08:00"
    assert iso(None) is None

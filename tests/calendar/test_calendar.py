"""The working-day calendar (issue 14 item 9): deadlines and 督办 counted on working days."""

import datetime as dt

import sqlalchemy as sa

from server.appointments import supervision
from server.calendar.service import WorkCalendar
from server.db.tables import services, windows

CST = dt.timezone(dt.timedelta(hours=8))


def utc(local: str) -> dt.datetime:
    """A local (Beijing) time as the naive UTC the server stores."""
    return dt.datetime.fromisoformat(local).replace(tzinfo=CST).astimezone(dt.UTC).replace(tzinfo=None)


def set_clock(clock, local: str) -> None:
    """Move the injected clock so that it reads `local` (Beijing time) now."""
    clock.offset = dt.timedelta()
    clock.offset = utc(local) - clock()


# --------------------------------------------------------------------------- the rules

def test_friday_afternoon_work_is_due_after_the_weekend():
    cal = WorkCalendar()
    fri = utc("2026-11-27T15:00")
    assert cal.add_working_time(fri, 1, "working_days") == utc("2026-12-01T00:00"), "end of Monday"
    assert cal.add_working_time(fri, 48, "hours") == utc("2026-12-01T15:00"), "Friday 9 h + Monday 24 h + Tuesday 15 h"
    # the old rule (now + 48 h) fell due on Sunday
    assert fri + dt.timedelta(hours=48) < utc("2026-11-30T00:00")


def test_a_holiday_week_and_its_make_up_saturday():
    cal = WorkCalendar()
    assert not cal.is_working_day(dt.date(2026, 10, 5)), "国庆节 (a Monday)"
    assert cal.is_working_day(dt.date(2026, 10, 10)), "调休 Saturday"
    assert cal.is_working_day(dt.date(2026, 9, 20)), "调休 Sunday"
    # begun the day before 国庆: one working day ends on Thursday 10-08
    assert cal.add_working_time(utc("2026-09-30T10:00"), 1, "working_days") == utc("2026-10-09T00:00")
    # begun on Friday 10-09: the 调休 Saturday counts
    assert cal.add_working_time(utc("2026-10-09T10:00"), 1, "working_days") == utc("2026-10-11T00:00")
    # 春节: 2-14 (Sat) is worked, 2-15 … 2-23 are not
    assert cal.add_working_time(utc("2026-02-13T16:00"), 2, "working_days") == utc("2026-02-25T00:00")
    # hours stop during the holiday: 10 h on 9-30, then 14 h on 10-08
    assert cal.add_working_time(utc("2026-09-30T14:00"), 24, "hours") == utc("2026-10-08T14:00")


def test_an_entry_overrides_the_shipped_schedule():
    assert WorkCalendar({dt.date(2026, 10, 10): "normal"}).is_working_day(dt.date(2026, 10, 10)) is False
    assert WorkCalendar({dt.date(2026, 12, 7): "holiday"}).add_working_time(
        utc("2026-12-04T15:00"), 1, "working_days") == utc("2026-12-09T00:00")


# --------------------------------------------------------------------------- through the app

async def _ids(deps):
    svc = {r["code"]: str(r["id"]) for r in await deps.db.fetchall(sa.select(services.c.code, services.c.id))}
    win = {r["district"]: str(r["id"]) for r in await deps.db.fetchall(
        sa.select(windows.c.id, windows.c.district).where(windows.c.is_city.is_(False)))}
    return svc, win


async def _book(api, token, svc, win):
    r = await api.post("/api/v1/appointments", {"service_id": svc, "window_id": win, "content": "孩子转学，请协助办理。"},
                       token=token)
    assert r.status == 201, r
    return r.json


async def test_friday_booking_is_not_overdue_on_the_weekend(api, deps, clock):
    svc, win = await _ids(deps)
    set_clock(clock, "2026-12-04T15:00")  # a Friday
    zhang = await api.login_sms("13800000001")
    appt = await _book(api, zhang, svc["child_school"], win["文登区"])  # 48 h to accept
    assert appt["deadline_at"] == "2026-12-08T15:00:00+08:00"
    for local, overdue in (("2026-12-05T18:00", False), ("2026-12-06T23:00", False),
                           ("2026-12-08T14:00", False), ("2026-12-08T16:00", True)):
        set_clock(clock, local)
        zhang = await api.login_sms("13800000001")
        r = await api.get(f"/api/v1/appointments/{appt['id']}", token=zhang)
        assert r.json["overdue"] is overdue, local


async def test_working_day_limits_and_an_admin_holiday(api, deps, clock):
    svc, win = await _ids(deps)
    admin = await api.login_password("admin")
    r = await api.put(f"/api/v1/admin/services/{svc['child_school']}", {"step_limit_unit": "working_days",
                      "step_limits": {"submitted": 1, "accepted": 3, "prereviewed": 5}}, token=admin)
    assert r.status == 200 and r.json["step_limit_unit"] == "working_days", r
    set_clock(clock, "2026-12-04T15:00")
    zhang = await api.login_sms("13800000001")
    assert (await _book(api, zhang, svc["child_school"], win["文登区"]))["deadline_at"] == "2026-12-08T00:00:00+08:00"
    # the administrator declares Monday 12-07 a holiday: the next step begun on Friday ends on Tuesday
    admin = await api.login_password("admin")
    r = await api.put("/api/v1/admin/calendar/2026-12-07", {"kind": "holiday", "note": "临时放假"}, token=admin)
    assert r.status == 200 and r.json["working"] is False and r.json["source"] == "admin", r
    assert (await _book(api, zhang, svc["child_school"], win["文登区"]))["deadline_at"] == "2026-12-09T00:00:00+08:00"
    year = (await api.get("/api/v1/admin/calendar?year=2026", token=admin)).json
    days = {d["date"]: d for d in year["days"]}
    assert len(days) == 365 and days["2026-12-07"]["kind"] == "holiday"
    assert days["2026-10-10"] == {**days["2026-10-10"], "kind": "workday", "working": True, "source": "shipped"}
    assert days["2026-10-05"]["working"] is False and days["2026-11-30"]["working"] is True
    # back to normal
    r = await api.put("/api/v1/admin/calendar/2026-12-07", {"kind": "normal"}, token=admin)
    assert r.json["working"] is True
    assert (await _book(api, zhang, svc["child_school"], win["文登区"]))["deadline_at"] == "2026-12-08T00:00:00+08:00"


async def test_calendar_input_is_checked(api):
    admin = await api.login_password("admin")
    for path, body in (("/api/v1/admin/calendar/2026-13-01", {"kind": "holiday"}),
                       ("/api/v1/admin/calendar/20261201", {"kind": "holiday"}),
                       ("/api/v1/admin/calendar/2026-12-01", {"kind": "weekend"}),
                       ("/api/v1/admin/calendar/1999-12-01", {"kind": "holiday"})):
        r = await api.put(path, body, token=admin)
        assert r.status == 400 and r.code == "INVALID_REQUEST", (path, r)
    for q in ("", "?year=abc", "?year=1900"):
        r = await api.get(f"/api/v1/admin/calendar{q}", token=admin)
        assert r.status == 400, (q, r)
    holder = await api.login_sms("13800000001")
    assert (await api.put("/api/v1/admin/calendar/2026-12-01", {"kind": "holiday"}, token=holder)).status == 403


async def test_supervision_sends_nothing_on_a_holiday(api, deps, clock):
    svc, win = await _ids(deps)
    set_clock(clock, "2026-09-28T10:00")  # Monday before 国庆
    zhang = await api.login_sms("13800000001")
    await _book(api, zhang, svc["child_school"], win["文登区"])  # due Wednesday 09-30 10:00
    set_clock(clock, "2026-10-02T10:00")  # overdue, but 国庆
    assert await supervision.run_daily(deps) == 0
    set_clock(clock, "2026-10-03T10:00")  # a Saturday inside the holiday
    assert await supervision.run_daily(deps) == 0
    set_clock(clock, "2026-10-08T10:00")  # the first working day after
    assert await supervision.run_daily(deps) == 1
    set_clock(clock, "2026-10-10T10:00")  # 调休 Saturday: a working day, 督办 goes out
    assert await supervision.run_daily(deps) == 1


async def test_another_process_sees_the_change_after_its_refresh(api, deps, monkeypatch):
    """Each process keeps its copy; a change made elsewhere is read once the version check comes round."""
    from server.calendar import service as workcal
    from server.db.database import open_database

    other = open_database(deps.config.database_url, 2, deps.config.db_timeout_seconds)  # another process's pool
    try:
        day = dt.date(2026, 12, 7)
        assert (await workcal.current(other)).is_working_day(day)
        admin = await api.login_password("admin")
        assert (await api.put("/api/v1/admin/calendar/2026-12-07", {"kind": "holiday"}, token=admin)).status == 200
        assert (await workcal.current(other)).is_working_day(day), "within REFRESH_SECONDS: the old copy"
        monkeypatch.setattr(workcal, "REFRESH_SECONDS", 0.0)
        assert not (await workcal.current(other)).is_working_day(day)
    finally:
        await other.close()

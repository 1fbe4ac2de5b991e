"""Session lifetimes (issue 10): staff sessions end after 2 hours idle, each use slides them, and
the slide is written at most once a minute; holder sessions keep their 7 days."""

import datetime as dt

from server.db import database


async def test_staff_session_ends_after_two_idle_hours_and_slides_on_use(api, clock):
    r = await api.post("/api/v1/auth/password/login", {"username": "wendeng_window", "password": "Demo@12345"})
    token = r.json["token"]
    expires = dt.datetime.fromisoformat(r.json["expires_at"])
    assert dt.timedelta(minutes=119) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=2, minutes=1)
    for _ in range(3):  # six hours of work, never two idle hours in a row
        clock.advance(2 * 3600 - 60)
        assert (await api.get("/api/v1/me", token=token)).status == 200
    clock.advance(2 * 3600 + 1)
    r = await api.get("/api/v1/me", token=token)
    assert r.status == 401 and r.code == "UNAUTHORIZED"


async def test_unused_staff_session_ends_after_two_hours(api, clock):
    token = await api.login_password("admin")
    clock.advance(2 * 3600 - 30)
    other = await api.login_password("admin")  # using another session does not keep this one
    clock.advance(31)
    assert (await api.get("/api/v1/me", token=token)).status == 401
    assert (await api.get("/api/v1/me", token=other)).status == 200


async def test_holder_session_keeps_seven_days(api, clock):
    token = await api.login_sms("13800000001")
    clock.advance(3 * 3600)
    assert (await api.get("/api/v1/me", token=token)).status == 200
    clock.advance(6 * 24 * 3600)
    assert (await api.get("/api/v1/me", token=token)).status == 200
    clock.advance(21 * 3600 + 1)
    assert (await api.get("/api/v1/me", token=token)).status == 401


async def test_the_slide_is_written_at_most_once_a_minute(api, deps, clock, monkeypatch):
    token = await api.login_password("wendeng_reviewer")
    statements: list[str] = []
    for cls in (database._SqliteTx, database._MysqlTx):
        orig = cls._run

        async def counting(self, sql, params, fetch, _orig=orig):
            if "sessions" in sql:
                statements.append(sql.split()[0].upper())
            return await _orig(self, sql, params, fetch)

        monkeypatch.setattr(cls, "_run", counting)

    async def session_statements():
        statements.clear()
        assert (await api.get("/api/v1/me", token=token)).status == 200
        return list(statements)

    assert await session_statements() == ["SELECT"]  # just logged in: nothing to write
    clock.advance(30)
    assert await session_statements() == ["SELECT"]
    clock.advance(31)
    assert await session_statements() == ["SELECT", "UPDATE"]
    for _ in range(3):
        clock.advance(10)
        assert await session_statements() == ["SELECT"]
    last_seen = await deps.db.fetchval("SELECT last_seen_at FROM sessions ORDER BY last_seen_at DESC LIMIT 1")
    assert abs((last_seen - (clock() - dt.timedelta(seconds=30))).total_seconds()) < 5

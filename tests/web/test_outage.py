"""The database goes away: clear 503s, never a 500, and recovery without a restart (MariaDB)."""

import asyncio
import urllib.parse

import pytest

from tests.fakes.tcp_proxy import TcpProxy


@pytest.fixture
def proxy(io_loop, db_url):
    if not db_url.startswith("mysql"):
        pytest.skip("the outage test needs a networked database (MariaDB)")
    u = urllib.parse.urlparse(db_url.replace("mysql+aiomysql://", "mysql://"))
    p = TcpProxy(u.hostname, u.port or 3306)
    io_loop.run_sync(p.start)
    yield p
    io_loop.run_sync(p.stop)


@pytest.fixture
def config_overrides(proxy, db_url):
    u = urllib.parse.urlparse(db_url.replace("mysql+aiomysql://", "mysql://"))
    return {"DATABASE_URL": f"mysql+aiomysql://{u.username}@127.0.0.1:{proxy.port}{u.path}"}


async def test_database_outage_gives_503_and_recovers(api, proxy):
    token = await api.login_password("admin")
    assert (await api.get("/healthz")).status == 200
    await proxy.stop()
    r = await api.get("/healthz")
    assert r.status == 503 and r.json["db"] == "unavailable"
    r = await api.get("/api/v1/me", token=token)
    assert r.status == 503 and r.code == "SERVICE_UNAVAILABLE" and "数据库" in r.json["error"]["message"]
    r = await api.post("/api/v1/auth/sms/send", {"phone": "13800000001"})
    assert r.status == 503
    await proxy.start()
    for _ in range(20):
        if (await api.get("/healthz")).status == 200:
            break
        await asyncio.sleep(0.1)
    assert (await api.get("/healthz")).status == 200
    r = await api.get("/api/v1/me", token=token)
    assert r.status == 200 and r.json["name"] == "系统管理员"


async def _timed(coro):
    start = asyncio.get_running_loop().time()
    r = await coro
    return r, asyncio.get_running_loop().time() - start


async def test_frozen_database_gives_503_within_5s_and_recovers(api, proxy, deps):
    """The database hangs (a SIGSTOPped server, played by a frozen proxy): no request hangs with it.

    The default DB_TIMEOUT_SECONDS is used; nine requests at once are more than the test pool's five
    connections, so some of them wait for a connection behind requests whose statements hang."""
    assert deps.config.db_timeout_seconds == 3
    admin = await api.login_password("admin")
    zhang = await api.login_sms("13800000001")
    clerk = await api.login_password("wendeng_window")
    login = {"username": "wendeng_window", "password": "Demo@12345"}

    def requests():
        return [
            api.get("/api/v1/me", token=admin),
            api.post("/api/v1/me/card/qr", token=zhang),
            api.get("/api/v1/staff/appointments", token=clerk),
            api.post("/api/v1/auth/password/login", login),
        ]

    proxy.freeze()
    try:
        # four requests hang in their statements; half a second later five more come, four of which
        # wait for a connection: they learn that the database hangs when the first four time out
        first = [asyncio.create_task(_timed(c)) for c in requests()]
        await asyncio.sleep(0.5)
        later = [asyncio.create_task(_timed(c)) for c in [api.get("/healthz"), *requests()]]
        (health, t), *rest = await asyncio.gather(*later)
        assert health.status == 503 and health.json["db"] == "unavailable" and t < 5, (health, t)
        for r, t in [*rest, *(await asyncio.gather(*first))]:
            assert r.status == 503 and r.code == "SERVICE_UNAVAILABLE", r
            assert "数据库" in r.json["error"]["message"]
            assert t < 5, f"answered after {t:.1f} s"
        # one at a time too (a new connection's handshake hangs now: every idle one was thrown away)
        for c in (api.get("/api/v1/me", token=admin), api.post("/api/v1/auth/password/login", login)):
            r, t = await _timed(c)
            assert r.status == 503 and r.code == "SERVICE_UNAVAILABLE" and t < 5, (r, t)
    finally:
        proxy.thaw()
    # the database is back: the same requests succeed, without a restart
    assert (await api.get("/healthz")).status == 200
    for _ in range(2):  # twice: more requests than connections, every one of them healthy again
        answers = await asyncio.gather(*requests(), *requests())
        assert [r.status for r in answers] == [200] * 8, answers

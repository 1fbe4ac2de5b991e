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

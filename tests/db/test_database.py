"""The lean data layer on both backends: types, errors, transactions."""

import asyncio
import datetime as dt
import urllib.parse

import pytest
import sqlalchemy as sa

from server.db.database import (
    DatabaseUnavailable,
    IntegrityError,
    Query,
    Watchdog,
    one_connection_per_request,
    open_database,
)
from server.db.tables import kv_store, outbox
from tests.fakes.tcp_proxy import TcpProxy

_GET = Query(sa.select(kv_store).where(kv_store.c.k == sa.bindparam("k")))


async def test_round_trip_types_and_compiled_once(deps):
    db = deps.db
    when = dt.datetime(2026, 11, 23, 9, 30, 0, 123456)
    await db.execute(kv_store.insert().values(k="a", v="中文✓", expires_at=when))
    row = await db.fetchone(_GET, {"k": "a"})
    assert row == {"k": "a", "v": "中文✓", "expires_at": when}
    assert isinstance(row["expires_at"], dt.datetime)
    assert _GET.compiled(db.dialect) is _GET.compiled(db.dialect)


async def test_statements_built_per_request_are_compiled_once_per_shape_and_bound_anew(deps):
    db = deps.db
    await db.execute(kv_store.insert().values(k="s1", v="one"))
    await db.execute(kv_store.insert().values(k="s2", v="two"))
    for k, v in (("s1", "one"), ("s2", "two"), ("s3", None)):
        assert await db.fetchval(sa.select(kv_store.c.v).where(kv_store.c.k == k)) == v
    # IN lists of any length share a shape; their values are expanded per execution
    rows = await db.fetchall(sa.select(kv_store.c.v).where(kv_store.c.k.in_(["s1", "s2"])).order_by(kv_store.c.k))
    assert [r["v"] for r in rows] == ["one", "two"]
    rows = await db.fetchall(sa.select(kv_store.c.v).where(kv_store.c.k.in_(["s2"])))
    assert [r["v"] for r in rows] == ["two"]
    assert await db.fetchval("SELECT 7") == 7


async def test_unique_violation_is_typed(deps):
    await deps.db.execute(kv_store.insert().values(k="dup", v="1"))
    with pytest.raises(IntegrityError):
        await deps.db.execute(kv_store.insert().values(k="dup", v="2"))


async def test_transaction_rolls_back_on_error(deps):
    with pytest.raises(RuntimeError):
        async with deps.db.transaction() as tx:
            await tx.execute(kv_store.insert().values(k="rb", v="1"))
            raise RuntimeError("boom")
    assert await deps.db.fetchone(_GET, {"k": "rb"}) is None


async def test_insert_returns_id(deps):
    now = deps.clock()
    async with deps.db.transaction() as tx:
        a = await tx.insert(outbox, dict(channel="sms", recipient="x", template="t", params="{}",
                                         next_attempt_at=now, created_at=now))
        b = await tx.insert(outbox, dict(channel="sms", recipient="y", template="t", params="{}",
                                         next_attempt_at=now, created_at=now))
    assert b == a + 1


# --------------------------------------------------------------------------- waiting for a connection

async def test_waiters_for_a_connection_are_served_in_arrival_order(db_url):
    """A newcomer arriving just as a connection is freed must not take it from those already waiting."""
    db = open_database(db_url, pool_size=1, timeout=5)
    order: list[str] = []

    async def use(name):
        async with db.connection() as c:
            await c.fetchval("SELECT 1")
            order.append(name)

    try:
        held = db.connection()
        await (await held.__aenter__()).fetchval("SELECT 1")
        waiters = []
        for i in range(4):
            waiters.append(asyncio.create_task(use(f"w{i}")))
            await asyncio.sleep(0.02)  # each is waiting before the next arrives
        await held.__aexit__(None, None, None)
        waiters.append(asyncio.create_task(use("newcomer")))  # arrives the moment the connection is free
        await asyncio.wait_for(asyncio.gather(*waiters), 10)
        assert order == ["w0", "w1", "w2", "w3", "newcomer"]
    finally:
        await db.close()


async def test_a_request_keeps_its_connection_from_one_use_to_the_next_but_never_across_a_wait(db_url):
    """Session look-up then transaction: one turn for both, not a second wait behind later arrivals;
    once the request waits for anything else, the connection is back for the others."""
    db = open_database(db_url, pool_size=1, timeout=5)
    order: list[str] = []

    async def other():
        async with db.connection() as c:
            await c.fetchval("SELECT 1")
            order.append("other")

    try:
        await db.fetchval("SELECT 1")
        with one_connection_per_request():
            async with db.connection() as c:
                await c.fetchval("SELECT 1")
                waiter = asyncio.create_task(other())
                await asyncio.sleep(0.02)  # the other one waits for the one connection
            async with db.transaction() as tx:  # straight on: the same turn
                await tx.fetchval("SELECT 2")
                order.append("request")
            assert order == ["request"]
            await asyncio.wait_for(waiter, 5)  # the request waits: the connection is the other's
            assert order == ["request", "other"]
            assert await db.fetchval("SELECT 3") == 3
        assert db.gate.free == 1 and db.gate.waiting == 0
    finally:
        await db.close()


async def test_a_wait_for_a_connection_is_bounded_and_the_pool_heals(db_url):
    db = open_database(db_url, pool_size=1, timeout=0.3)
    loop = asyncio.get_running_loop()
    try:
        async with db.connection() as c:
            await c.fetchval("SELECT 1")
            start = loop.time()
            with pytest.raises(DatabaseUnavailable):
                await asyncio.wait_for(db.fetchval("SELECT 1"), 5)
            assert 0.25 < loop.time() - start < 2
        # the connection is back: the next request gets it at once
        assert await asyncio.wait_for(db.fetchval("SELECT 1"), 5) == 1
        assert await asyncio.wait_for(db.fetchval("SELECT 2"), 5) == 2
    finally:
        await db.close()


# --------------------------------------------------------------------------- a database that hangs (MariaDB)

@pytest.fixture
def frozen_proxy(io_loop, db_url):
    if not db_url.startswith("mysql"):
        pytest.skip("a hanging database needs a networked one (MariaDB)")
    u = urllib.parse.urlparse(db_url.replace("mysql+aiomysql://", "mysql://"))
    p = TcpProxy(u.hostname, u.port or 3306)
    io_loop.run_sync(p.start)
    yield p, f"mysql+aiomysql://{u.username}@127.0.0.1:{p.port}{u.path}"
    io_loop.run_sync(p.stop)


async def test_statements_on_a_hanging_database_are_bounded_and_the_pool_heals(frozen_proxy):
    proxy, url = frozen_proxy
    db = open_database(url, pool_size=2, timeout=1)
    loop = asyncio.get_running_loop()

    async def timed(coro):
        start = loop.time()
        try:
            await coro
        except DatabaseUnavailable:
            return loop.time() - start
        raise AssertionError("a hanging database answered")

    try:
        # two idle connections in the pool, then the server stops answering
        await asyncio.gather(db.fetchval("SELECT 1"), db.fetchval("SELECT 1"))
        proxy.freeze()
        # the first two hang in their statements on the idle connections ...
        first = [asyncio.create_task(timed(db.fetchval("SELECT 1"))) for _ in range(2)]
        await asyncio.sleep(0.5)
        # ... those who come later wait for a connection; once the first two time out they learn at once
        # that the database hangs (no second wait of their own), and a new connection's handshake is bounded
        later = [asyncio.create_task(timed(db.fetchval("SELECT 1"))) for _ in range(4)]
        later.append(asyncio.create_task(timed(_in_transaction(db))))
        waited = await asyncio.wait_for(asyncio.gather(*first, *later), 10)
        assert all(0.9 < t < 1.5 for t in waited[:2]), waited
        assert all(t < 0.95 for t in waited[2:]), waited
        # and one that comes alone opens a new connection, whose handshake hangs: bounded too
        assert 0.9 < await asyncio.wait_for(timed(db.fetchval("SELECT 1")), 5) < 1.5
        proxy.thaw()
        # every connection that hung was thrown away: the pool opens new ones, to its full size again
        results = await asyncio.wait_for(asyncio.gather(*(db.fetchval("SELECT 7") for _ in range(6))), 10)
        assert results == [7] * 6
        assert await asyncio.wait_for(_in_transaction(db), 5) == 1
        assert db.pool.size == 2 and db.gate.waiting == 0
    finally:
        proxy.thaw()
        await db.close()


async def _in_transaction(db):
    async with db.transaction() as tx:
        return await tx.fetchval("SELECT 1")


async def test_the_watchdog_bounds_a_wait_and_tells_its_own_cancellation_from_others():
    dog = Watchdog(0.2, tick=0.05)
    loop = asyncio.get_running_loop()
    try:
        bound = dog.bound()
        with bound:
            assert await asyncio.sleep(0, "fast") == "fast"
        start = loop.time()
        with pytest.raises(TimeoutError), bound:
            await asyncio.sleep(10)
        assert 0.15 < loop.time() - start < 1
        assert asyncio.current_task().cancelling() == 0  # the task itself is not left cancelled
        await asyncio.sleep(0.3)  # and goes on waiting normally, unwatched
        # the same bound, used again, gives the next block its own full time
        start = loop.time()
        with bound:
            await asyncio.sleep(0.1)
        with pytest.raises(TimeoutError), bound:
            await asyncio.sleep(10)
        assert 0.15 < loop.time() - start - 0.1 < 1
        # a cancellation from elsewhere stays a cancellation
        patient = Watchdog(5)

        async def wait_long():
            with patient.bound():
                await asyncio.sleep(10)

        other = asyncio.create_task(wait_long())
        await asyncio.sleep(0.05)
        other.cancel()
        with pytest.raises(asyncio.CancelledError):
            await other
        patient.stop()
    finally:
        dog.stop()

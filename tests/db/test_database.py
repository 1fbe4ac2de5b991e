"""The lean data layer on both backends: types, errors, transactions."""

import datetime as dt

import pytest
import sqlalchemy as sa

from server.db.database import IntegrityError, Query
from server.db.tables import kv_store, outbox

_GET = Query(sa.select(kv_store).where(kv_store.c.k == sa.bindparam("k")))


async def test_round_trip_types_and_compiled_once(deps):
    db = deps.db
    when = dt.datetime(2026, 11, 23, 9, 30, 0, 123456)
    await db.execute(kv_store.insert().values(k="a", v="中文✓", expires_at=when))
    row = await db.fetchone(_GET, {"k": "a"})
    assert row == {"k": "a", "v": "中文✓", "expires_at": when}
    assert isinstance(row["expires_at"], dt.datetime)
    assert _GET.compiled(db.dialect) is _GET.compiled(db.dialect)


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

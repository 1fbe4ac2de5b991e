"""The comprehensive query uses an index for every filter combination of the contract (MariaDB
EXPLAIN). Run with `-s` to see the plans."""

import datetime as dt
import itertools
import random

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from server.appointments.query import _COLUMNS, build_filter
from server.appointments.schemas import StaffListQuery
from server.appointments.service import StaffScope
from server.db.tables import accounts, appointments, services, windows

FILTERS = {
    "status": "submitted",
    "service_id": None,  # filled in
    "window_id": None,
    "district": "文登区",
    "from": None,
    "q": "张三",
    "overdue": "true",
}


async def _fill(deps, n=3000):
    now = deps.clock()
    svc = [r["id"] for r in await deps.db.fetchall(sa.select(services.c.id))]
    wins = await deps.db.fetchall(sa.select(windows.c.id, windows.c.district))
    holder = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    rnd = random.Random(7)
    rows = []
    statuses = ["submitted", "accepted", "prereviewed", "completed", "returned", "cancelled"]
    for i in range(n):
        w = rnd.choice(wins)
        st = rnd.choice(statuses)
        created = now - dt.timedelta(minutes=n - i)
        running = st in ("submitted", "accepted", "prereviewed")
        rows.append(dict(holder_id=holder, service_id=rnd.choice(svc), window_id=w["id"], district=w["district"],
                         holder_name=rnd.choice(["张三", "李四", "王五", "赵六", "钱七"]), status=st, content="x",
                         deadline_at=created + dt.timedelta(hours=rnd.choice([-5, 48])) if running else None,
                         version=1, created_at=created, updated_at=created))
    async with deps.db.transaction() as tx:
        for chunk in range(0, n, 500):
            await tx.insert_many(appointments, rows[chunk:chunk + 500])
    await deps.db.execute(sa.text("ANALYZE TABLE appointments"))
    return svc, wins


async def test_every_filter_combination_uses_an_index(deps):
    if deps.db.dialect != "mysql":
        pytest.skip("query plans are checked on MariaDB")
    svc, wins = await _fill(deps)
    # a cursor in the middle of this test's rows (MariaDB keeps counting ids across the emptied tables)
    middle = str(await deps.db.fetchval(sa.select(sa.func.min(appointments.c.id))) + 1500)
    now = deps.clock()
    values = dict(FILTERS, service_id=str(svc[2]), window_id=str(wins[1]["id"]),
                  **{"from": (now - dt.timedelta(days=1)).date().isoformat()})
    scopes = {"city": StaffScope(set(), True), "window": StaffScope({wins[1]["id"], wins[2]["id"]}, False)}
    keys = list(FILTERS)
    checked = 0
    for size in range(0, 3):
        for combo in itertools.combinations(keys, size):
            for scope_name, scope in scopes.items():
                for deep in (False, True):
                    q = StaffListQuery.model_validate({k: values[k] for k in combo} | ({"cursor": middle} if deep else {}))
                    where = await build_filter(deps.db, scope, q, now)
                    if where is None:
                        continue
                    stmt = sa.select(*_COLUMNS).where(where).order_by(appointments.c.id.desc()).limit(21)
                    if q.cursor:
                        stmt = stmt.where(appointments.c.id < int(q.cursor))
                    sql = str(stmt.compile(dialect=mysql.dialect(), compile_kwargs={"literal_binds": True}))
                    plan = await deps.db.fetchall(sa.text("EXPLAIN " + sql))
                    row = plan[0]
                    print(f"{scope_name:6} {'deep' if deep else 'first':5} {','.join(combo) or '-':40} "
                          f"type={row['type']} key={row['key']} rows={row['rows']} extra={row['Extra']}")
                    assert row["type"] != "ALL" and row["key"], f"{combo} {scope_name}: full scan {row}"
                    checked += 1
    assert checked > 50

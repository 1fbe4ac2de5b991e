"""The console's statistics and list queries use an index, not a full scan (MariaDB EXPLAIN).
Run with `-s` to see the plans."""

import datetime as dt
import random

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from server.applications.processed import _stmt as processed_stmt
from server.db.tables import accounts, appointments, followups, services, windows
from server.followups.service import _select as followup_select
from server.stats.service import appointment_stmt


async def _fill(deps, n=3000):
    now = deps.clock()
    svc = [r["id"] for r in await deps.db.fetchall(sa.select(services.c.id))]
    wins = await deps.db.fetchall(sa.select(windows.c.id, windows.c.district, windows.c.org_id))
    holder = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    rnd = random.Random(3)
    rows = []
    for i in range(n):
        w = rnd.choice(wins)
        created = now - dt.timedelta(hours=n - i)
        rows.append(dict(holder_id=holder, service_id=rnd.choice(svc), window_id=w["id"], district=w["district"],
                         holder_name="张三", status="completed", content="x", version=1, created_at=created,
                         updated_at=created))
    async with deps.db.transaction() as tx:
        for chunk in range(0, n, 500):
            await tx.insert_many(appointments, rows[chunk:chunk + 500])
        ids = [r["id"] for r in await tx.fetchall(sa.select(appointments.c.id).limit(n))]
        await tx.insert_many(followups, [dict(
            appointment_id=a, window_id=wins[k % len(wins)]["id"], org_id=wins[k % len(wins)]["org_id"], stars=1,
            status=("open", "rectified", "closed")[k % 3], deadline_at=now, version=1, created_at=now, updated_at=now)
            for k, a in enumerate(ids[:1500])])
    for t in ("appointments", "followups", "application_actions"):
        await deps.db.execute(sa.text(f"ANALYZE TABLE {t}"))
    return wins


async def _plan(deps, stmt):
    sql = str(stmt.compile(dialect=mysql.dialect(), compile_kwargs={"literal_binds": True}))
    plan = await deps.db.fetchall(sa.text("EXPLAIN " + sql))
    for row in plan:
        print(f"table={row['table']} type={row['type']} key={row['key']} rows={row['rows']} extra={row['Extra']}")
    return plan


async def test_statistics_and_lists_use_indexes(deps):
    if deps.db.dialect != "mysql":
        pytest.skip("query plans are checked on MariaDB")
    wins = await _fill(deps)
    now = deps.clock()
    for by in ("status", "service", "window", "district"):
        plan = await _plan(deps, appointment_stmt("mysql", "day", by, now - dt.timedelta(days=3), now))
        row = next(r for r in plan if r["table"] == "appointments")
        assert row["key"] == "ix_appointments_created", (by, row)
    # a clerk's org, one status: the org/status index
    stmt = followup_select(False).where(followups.c.org_id.in_([wins[0]["org_id"]]), followups.c.status == "open") \
        .order_by(followups.c.id.desc()).limit(21)
    row = next(r for r in await _plan(deps, stmt) if r["table"] == "followups")
    assert row["type"] != "ALL" and row["key"], row
    # 人才管理: the org's actions through ix_application_actions_org
    plan = await _plan(deps, processed_stmt(1, action=None, type_=None, first=None, last=None, q=None).limit(21))
    assert any(r["key"] == "ix_application_actions_org" for r in plan), plan

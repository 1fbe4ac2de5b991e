"""公示 (seed 004): with `PUBLICITY_DAYS` > 0 a finally approved `new` or `change` application is
listed publicly for that many working days (status `publicizing`) before its card issues.

- `GET /api/v1/publicity` (anonymous) lists the current batch: masked name, employer, level, period.
- An administrator records an objection (`POST /api/v1/admin/publicity/{id}/objection`): the
  application returns to the final review stage with the objection as its opinion.
- The worker's `publicity` job issues the cards whose period has ended. Each application is
  claimed by one guarded UPDATE (`status = 'publicizing' AND publicity_ends_at <= now`), so two
  workers, or an objection at the same moment, never issue a card twice or after an objection.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from server import errors
from server.applications import notify
from server.applications import service as apps
from server.core.pagination import keyset_page
from server.core.privacy import mask_name
from server.core.timeutil import iso
from server.db.database import Query
from server.db.tables import application_actions, applications
from server.events import catalog as event
from server.events import log as events

BATCH = 50
SYSTEM_ACTOR = 0  # the worker, in the history's actor_id (no account has id 0)
_A = applications.c
_DUE = Query(sa.select(_A.id).where(_A.status == "publicizing", _A.publicity_ends_at <= sa.bindparam("now"))
             .order_by(_A.publicity_ends_at).limit(BATCH))
_CLAIM = Query(applications.update().where(
    _A.id == sa.bindparam("id"), _A.status == "publicizing", _A.publicity_ends_at <= sa.bindparam("now"),
).values(status="approved", decided_at=sa.bindparam("now"), version=_A.version + 1, updated_at=sa.bindparam("now")))
_GET = Query(sa.select(applications).where(_A.id == sa.bindparam("id")))
_GET_LOCK = Query(sa.select(applications).where(_A.id == sa.bindparam("id")).with_for_update())


def _public_row(row: dict) -> dict:
    """What the public notice shows: no ID number, no phone, the name masked."""
    form = json.loads(row["form"])
    return {"id": str(row["id"]), "name_masked": mask_name((form.get("personal") or {}).get("name")),
            "employer": (form.get("employer") or {}).get("name"), "level": row["card_level"],
            "honor_title": (form.get("talent") or {}).get("honor_title"),
            "starts_at": iso(row["publicity_starts_at"]), "ends_at": iso(row["publicity_ends_at"])}


async def current_batch(db, cursor: int | None, limit: int) -> dict:
    """The applications now in their 公示 period, newest first."""
    stmt = sa.select(_A.id, _A.form, _A.card_level, _A.publicity_starts_at, _A.publicity_ends_at) \
        .where(_A.status == "publicizing").order_by(_A.id.desc()).limit(limit + 1)
    if cursor:
        stmt = stmt.where(_A.id < cursor)
    return keyset_page(await db.fetchall(stmt), limit, _public_row)


async def object_to(deps, app_id: int, principal, opinion: str) -> dict:
    """异议: back to the final review stage (市人社局终审) with the objection as the opinion."""
    now = deps.clock()
    opinion = opinion.strip()  # not blank: schemas.ObjectionIn
    async with deps.db.transaction() as tx:
        app = await tx.fetchone(_GET_LOCK, {"id": app_id})
        if app is None:
            raise errors.NotFound("申请不存在")
        if app["status"] != "publicizing":
            raise errors.InvalidTransition("该申请不在公示期内", details={"current": apps.summary(app)})
        route = json.loads(app["route"])
        k = len(route) - 1
        await tx.execute(applications.update().where(_A.id == app_id).values(
            status="submitted", stage_index=k, current_org_id=route[k]["org_id"], publicity_starts_at=None,
            publicity_ends_at=None, card_level=None, version=_A.version + 1, updated_at=now))
        await tx.insert(application_actions, dict(application_id=app_id, action="objection", stage_index=k,
                                                  org_id=principal.org_id, actor_id=principal.id,
                                                  actor_name=principal.name, opinion=opinion, created_at=now))
        app = await tx.fetchone(_GET, {"id": app_id})
        await events.record(tx, event.application_updated(app), now=now)
        return await apps.full_view(tx, app, deps.upload_links)


async def issue_due(deps) -> int:
    """The worker's pass: issue the card of every application whose 公示 period has ended."""
    now = deps.clock()
    issued = 0
    for row in await deps.db.fetchall(_DUE, {"now": now}):
        async with deps.db.transaction() as tx:
            if (await tx.execute(_CLAIM, {"id": row["id"], "now": now})).rowcount != 1:
                continue  # another worker issued it, or an objection came first
            app = await tx.fetchone(_GET, {"id": row["id"]})
            card = await apps._fulfil(tx, app, app["card_level"], now, "系统")
            await tx.execute(applications.update().where(_A.id == app["id"]).values(card_id=card["id"]))
            await tx.insert(application_actions, dict(application_id=app["id"], action="issue",
                                                      stage_index=None, org_id=None, actor_id=SYSTEM_ACTOR,
                                                      actor_name="系统",
                                                      opinion="公示期满无异议", created_at=now))
            app = await tx.fetchone(_GET, {"id": row["id"]})
            # the applicant hears the outcome when the card issues (SMS, and WeChat where granted)
            await notify.outcome(tx, deps, app, "approve", "公示期满无异议", now, card["card_no"])
            await events.record(tx, event.application_updated(app), now=now)
        issued += 1
    return issued

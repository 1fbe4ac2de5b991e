"""Green-channel appointments (SPEC §5, seed 002 §4.2): booking, the clerk's five actions, the
holder's cancel / resubmit / rating, deadlines per step (办理时限) and their messages.

Every action is one transaction: the row (version + 1), its history entry, its event and its
outbox messages. Two clerks acting on the same item at once: the row lock and the version make
exactly one succeed; the other gets 409 with the appointment as it is now.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server import errors
from server.calendar import service as workcal
from server.cards import service as cards_service
from server.core.privacy import mask_phone
from server.core.timeutil import iso
from server.db.database import IntegrityError, Query
from server.db.tables import (
    accounts,
    appointment_history,
    appointments,
    ratings,
    services,
    wechat_bindings,
    wechat_subscriptions,
    window_services,
    window_staff,
    windows,
)
from server.db.tables import outbox as outbox_table
from server.events import catalog as event
from server.events import log as events
from server.followups import service as followups_service
from server.jobs import outbox
from server.uploads import service as uploads_service

ACTIVE = ("submitted", "accepted", "prereviewed")
STATUS_ZH = {"submitted": "待受理", "accepted": "待预审", "prereviewed": "待办结", "completed": "已办结",
             "returned": "已退回", "cancelled": "已取消"}
ACTION_ZH = {"submit": "提交预约", "accept": "受理", "prereview": "预审", "complete": "办结", "forward": "转办",
             "return": "退回", "resubmit": "修改后重新提交", "cancel": "取消预约", "rate": "评价"}
# the clerk's five actions: from which states, to which state
STAFF_ACTIONS = {
    "accept": (("submitted",), "accepted"),
    "prereview": (("accepted",), "prereviewed"),
    "complete": (("prereviewed",), "completed"),
    "forward": (("submitted", "accepted"), "submitted"),
    "return": (("submitted", "accepted"), "returned"),
}
DEFAULT_LIMITS = {"submitted": 48, "accepted": 120, "prereviewed": 240}
SUBSCRIBE_TEMPLATE = "appointment_progress"


# --------------------------------------------------------------------------- statements

_APPT = Query(sa.select(appointments).where(appointments.c.id == sa.bindparam("id")))
_APPT_LOCK = Query(sa.select(appointments).where(appointments.c.id == sa.bindparam("id")).with_for_update())
_SERVICE = Query(sa.select(services).where(services.c.id == sa.bindparam("id")))
_WINDOW = Query(sa.select(windows).where(windows.c.id == sa.bindparam("id")))
_HANDLES = Query(sa.select(window_services.c.window_id).where(
    window_services.c.window_id == sa.bindparam("w"), window_services.c.service_id == sa.bindparam("s")))
_RATING = Query(sa.select(ratings).where(ratings.c.appointment_id == sa.bindparam("id")))
_HOLDER = Query(sa.select(accounts.c.id, accounts.c.name, accounts.c.phone).where(accounts.c.id == sa.bindparam("id")))
_STAFF_WINDOWS = Query(
    sa.select(windows.c.id, windows.c.is_city, windows.c.org_id)
    .select_from(window_staff.join(windows, windows.c.id == window_staff.c.window_id))
    .where(window_staff.c.account_id == sa.bindparam("account_id"))
)
_HIST_INSERT = Query(appointment_history.insert().values(
    appointment_id=sa.bindparam("appointment_id"), action=sa.bindparam("action"), actor_id=sa.bindparam("actor_id"),
    actor_name=sa.bindparam("actor_name"), opinion=sa.bindparam("opinion"), from_status=sa.bindparam("from_status"),
    to_status=sa.bindparam("to_status"), from_window_id=sa.bindparam("from_window_id"),
    to_window_id=sa.bindparam("to_window_id"), created_at=sa.bindparam("now")))
_USE_SUBSCRIPTION = Query(wechat_subscriptions.update().where(
    wechat_subscriptions.c.account_id == sa.bindparam("a"), wechat_subscriptions.c.template == SUBSCRIBE_TEMPLATE,
    wechat_subscriptions.c.remaining > 0).values(remaining=wechat_subscriptions.c.remaining - 1))


_FROM_WINDOW, _TO_WINDOW, _MINE = windows.alias("from_window"), windows.alias("to_window"), windows.alias("mine")
# the history with the names of the windows a forward moved between, in one query
# what `view` shows of a history entry (and its id, to take each entry once)
_HISTORY_COLUMNS = ("id", "action", "actor_name", "opinion", "created_at")
_HISTORY_NAMED = Query(
    sa.select(*[appointment_history.c[c] for c in _HISTORY_COLUMNS], _FROM_WINDOW.c.name.label("from_window_name"),
              _TO_WINDOW.c.name.label("to_window_name"))
    .select_from(appointment_history.outerjoin(_FROM_WINDOW, _FROM_WINDOW.c.id == appointment_history.c.from_window_id)
                 .outerjoin(_TO_WINDOW, _TO_WINDOW.c.id == appointment_history.c.to_window_id))
    .where(appointment_history.c.appointment_id == sa.bindparam("id"))
    .order_by(appointment_history.c.id)
)
_TARGET = windows.alias("target")
_WINDOW_COLUMNS = ("id", "name", "district", "phone", "address", "status")
_REF_COLUMNS = {
    "service": (services, ("id", "name", "category", "step_limits", "step_limit_unit")),
    "window": (windows, _WINDOW_COLUMNS),
    "target": (_TARGET, _WINDOW_COLUMNS),
    "holder": (accounts, ("id", "name", "phone")),
}
_TARGET_HANDLES = sa.exists(sa.select(window_services.c.window_id).where(
    window_services.c.window_id == _TARGET.c.id, window_services.c.service_id == services.c.id)).label("target_handles")


@functools.cache
def _action_read(forward: bool) -> Query:
    """What a clerk's action needs besides the locked row, in one (non-locking) read, one row per
    history entry: the service, the window, the holder, whether the holder allowed a WeChat message,
    whether the clerk sees the window (a window of their own, or the city window), and the history with
    its windows' names; a forward also its target window (`to`) and whether it handles the service.
    Two shapes, each compiled once: the driver parses a descriptor for every column of a result."""
    refs = [(k, t, cols) for k, (t, cols) in _REF_COLUMNS.items() if forward or k != "target"]
    joined = services.join(windows, windows.c.id == sa.bindparam("w")).join(accounts, accounts.c.id == sa.bindparam("h"))
    if forward:
        joined = joined.outerjoin(_TARGET, _TARGET.c.id == sa.bindparam("to"))
    return Query(
        sa.select(*[t.c[c].label(f"{k}_{c}") for k, t, cols in refs for c in cols],
                  *([_TARGET_HANDLES] if forward else []),
                  wechat_subscriptions.c.remaining.label("sub_remaining"), wechat_bindings.c.openid.label("sub_openid"),
                  sa.exists(sa.select(window_staff.c.window_id)
                            .select_from(window_staff.join(_MINE, _MINE.c.id == window_staff.c.window_id))
                            .where(window_staff.c.account_id == sa.bindparam("me"),
                                   sa.or_(_MINE.c.id == windows.c.id, _MINE.c.is_city.is_(True)))).label("in_scope"),
                  *[appointment_history.c[c].label(f"h_{c}") for c in _HISTORY_COLUMNS],
                  _FROM_WINDOW.c.name.label("h_from_window_name"), _TO_WINDOW.c.name.label("h_to_window_name"))
        .select_from(joined
                     .outerjoin(wechat_subscriptions, sa.and_(wechat_subscriptions.c.account_id == accounts.c.id,
                                                              wechat_subscriptions.c.template == SUBSCRIBE_TEMPLATE,
                                                              wechat_subscriptions.c.remaining > 0))
                     .outerjoin(wechat_bindings, sa.and_(wechat_bindings.c.account_id == accounts.c.id,
                                                         wechat_bindings.c.app_id == sa.bindparam("app_id")))
                     .outerjoin(appointment_history, appointment_history.c.appointment_id == sa.bindparam("id"))
                     .outerjoin(_FROM_WINDOW, _FROM_WINDOW.c.id == appointment_history.c.from_window_id)
                     .outerjoin(_TO_WINDOW, _TO_WINDOW.c.id == appointment_history.c.to_window_id))
        .where(services.c.id == sa.bindparam("s"))
        .order_by(appointment_history.c.id)
    )


# work arrived at a window: one SMS to each of its clerks, written in one statement
_WORK_ARRIVED = Query(outbox_table.insert().from_select(
    ["channel", "recipient", "template", "params", "status", "attempts", "next_attempt_at", "created_at"],
    sa.select(sa.literal("sms"), accounts.c.phone, sa.literal("work_arrived"), sa.bindparam("params", type_=sa.Text),
              sa.literal("pending"), sa.literal(0), sa.bindparam("now", type_=sa.DateTime),
              sa.bindparam("now", type_=sa.DateTime))
    .select_from(window_staff.join(accounts, accounts.c.id == window_staff.c.account_id))
    .where(window_staff.c.window_id == sa.bindparam("w"), accounts.c.status == "active", accounts.c.phone.is_not(None))
))


def _split_action_read(rows: list[dict]) -> tuple[dict, dict, list[dict]]:
    """(the first row, its parts as dicts by name, the history entries once each)."""
    first = rows[0]
    held = {k: {c: first[f"{k}_{c}"] for c in cols} for k, (_, cols) in _REF_COLUMNS.items() if f"{k}_id" in first}
    history, seen = [], set()
    for r in rows:  # a holder bound twice to the app repeats each entry
        if r["h_id"] is not None and r["h_id"] not in seen:
            seen.add(r["h_id"])
            history.append({k[2:]: v for k, v in r.items() if k.startswith("h_")})
    return first, held, history


def limits_of(service: dict) -> dict:
    try:
        return {**DEFAULT_LIMITS, **json.loads(service["step_limits"] or "{}")}
    except ValueError:
        return dict(DEFAULT_LIMITS)


def deadline_for(status: str, service: dict, now: dt.datetime, cal: workcal.WorkCalendar) -> dt.datetime | None:
    """The deadline of the step an appointment enters (办理时限), or None when no step runs.
    Counted on the working-day calendar in the service's unit (工作日, or hours of working days),
    so a step begun on Friday afternoon is not overdue over the weekend; the overdue flag and 督办
    compare against this stored deadline."""
    if status not in ACTIVE:
        return None
    unit = service.get("step_limit_unit") or "hours"
    return cal.add_working_time(now, float(limits_of(service)[status]), unit)


def is_overdue(row: dict, now: dt.datetime) -> bool:
    return row["status"] in ACTIVE and row["deadline_at"] is not None and row["deadline_at"] < now


# --------------------------------------------------------------------------- views

async def view(db_or_tx, appt: dict, now: dt.datetime, links, *, for_staff: bool = False, service: dict | None = None,
               window: dict | None = None, holder: dict | None = None, history: list[dict] | None = None,
               unrated: bool = False) -> dict:
    """The appointment as the holder (or a clerk) sees it, with its history, rating and attachments
    (signed URLs from `links`). A caller that already holds the service, window or holder row passes
    it (`unrated` when no rating can exist yet), so the view reads only what it lacks."""
    if service is None:
        service = await db_or_tx.fetchone(_SERVICE, {"id": appt["service_id"]})
    if window is None:
        window = await db_or_tx.fetchone(_WINDOW, {"id": appt["window_id"]})
    if history is None:
        history = await db_or_tx.fetchall(_HISTORY_NAMED, {"id": appt["id"]})
    rating = None if unrated else await db_or_tx.fetchone(_RATING, {"id": appt["id"]})
    out = {
        "id": str(appt["id"]), "status": appt["status"], "status_name": STATUS_ZH[appt["status"]],
        "version": appt["version"],
        "service": {"id": str(service["id"]), "name": service["name"], "category": service["category"]},
        "window": {"id": str(window["id"]), "name": window["name"], "district": window["district"],
                   "phone": window["phone"], "address": window["address"]},
        "content": appt["content"], "preferred_date": appt["preferred_date"].isoformat() if appt["preferred_date"] else None,
        "attachments": [{"file_id": f, "url": links.url(f)} for f in json.loads(appt["attachments"] or "[]")],
        "overdue": is_overdue(appt, now), "deadline_at": iso(appt["deadline_at"]),
        "created_at": iso(appt["created_at"]), "updated_at": iso(appt["updated_at"]),
        "completed_at": iso(appt["completed_at"]),
        "history": [{"action": h["action"], "action_name": ACTION_ZH.get(h["action"], h["action"]),
                     "actor_name": h["actor_name"], "opinion": h["opinion"],
                     "from_window": h["from_window_name"] if h["action"] == "forward" else None,
                     "to_window": h["to_window_name"] if h["action"] == "forward" else None,
                     "at": iso(h["created_at"])} for h in history],
        "rating": {"stars": rating["stars"], "comment": rating["comment"], "at": iso(rating["created_at"])} if rating else None,
    }
    if for_staff:
        if holder is None:
            holder = await db_or_tx.fetchone(_HOLDER, {"id": appt["holder_id"]})
        out["holder"] = {"id": str(holder["id"]), "name": holder["name"], "phone_masked": mask_phone(holder["phone"])}
    return out


# --------------------------------------------------------------------------- messages

async def _notify_holder(tx, appt: dict, holder: dict, sub: dict | None, service: dict, action: str, opinion: str,
                         now: dt.datetime) -> None:
    """SMS on every feedback, plus a WeChat subscribe message where the holder allowed one (`sub`, read
    with the action's other rows)."""
    params = {"service": service["name"], "action": ACTION_ZH[action], "opinion": (opinion or "")[:60]}
    if holder and holder["phone"]:
        await outbox.enqueue(tx, channel="sms", recipient=holder["phone"], template="appointment_feedback",
                             params=params, now=now)
        if action == "complete":
            await outbox.enqueue(tx, channel="sms", recipient=holder["phone"], template="rating_invite",
                                 params={"service": service["name"]}, now=now)
    if sub is not None:
        res = await tx.execute(_USE_SUBSCRIPTION, {"a": appt["holder_id"]})
        if res.rowcount == 1:
            await outbox.enqueue(tx, channel="wechat_subscribe", recipient=sub["openid"], template=SUBSCRIBE_TEMPLATE,
                                 params={**params, "status": STATUS_ZH[appt["status"]], "appointment_id": str(appt["id"]),
                                         "at": iso(now)}, now=now)


async def _notify_window(tx, window: dict, service: dict, now: dt.datetime) -> None:
    """Work arrived at a window: an SMS to each of its clerks."""
    params = json.dumps({"window": window["name"], "service": service["name"]}, ensure_ascii=False)
    await tx.execute(_WORK_ARRIVED, {"w": window["id"], "params": params, "now": now})


async def _history(tx, appt_id: int, action: str, actor_id, actor_name: str, opinion, from_status, to_status,
                   now: dt.datetime, from_window=None, to_window=None) -> None:
    await tx.execute(_HIST_INSERT, {"appointment_id": appt_id, "action": action, "actor_id": actor_id,
                                    "actor_name": actor_name, "opinion": opinion, "from_status": from_status,
                                    "to_status": to_status, "from_window_id": from_window, "to_window_id": to_window,
                                    "now": now})


# --------------------------------------------------------------------------- holder side

async def _bookable(tx, service_id: int, window_id: int, level: str) -> tuple[dict, dict]:
    service = await tx.fetchone(_SERVICE, {"id": service_id})
    if service is None or service["status"] != "active":
        raise errors.NotFound("服务不存在或已停用")
    if service["category"] == "onsite":
        raise errors.ServiceNotBookable("现场服务无需预约，请到服务场所出示英才卡二维码")
    if level not in service["eligible_levels"].split(","):
        raise errors.NotEligible()
    window = await tx.fetchone(_WINDOW, {"id": window_id})
    if window is None or window["status"] != "active":
        raise errors.NotFound("服务窗口不存在或已停用")
    if await tx.fetchone(_HANDLES, {"w": window_id, "s": service_id}) is None:
        raise errors.WindowNotHandling()
    return service, window


async def _check_attachments(tx, holder_id: int, file_ids: list[str]) -> None:
    if not file_ids:
        return
    owned = await uploads_service.owned_files(tx, holder_id, file_ids)
    if any(f not in owned for f in file_ids):
        raise errors.field_error("attachments", "附件不存在或不属于您")


async def _active_card(tx, holder_id: int, now: dt.datetime) -> dict:
    try:
        return await cards_service.require_active_card(tx, holder_id, now)
    except errors.NoCard:
        raise errors.NoCardForBooking() from None


async def book(deps, principal, *, service_id: int, window_id: int, content: str, preferred_date,
               attachments: list[str]) -> dict:
    """The holder books a service at a window: an active card of an eligible level is required."""
    now = deps.clock()
    cal = await workcal.current(deps.db)
    async with deps.db.transaction() as tx:
        card = await _active_card(tx, principal.id, now)  # read live: a card disabled a moment ago is refused
        service, window = await _bookable(tx, service_id, window_id, card["level"])
        await _check_attachments(tx, principal.id, attachments)
        holder = await tx.fetchone(_HOLDER, {"id": principal.id})
        appt_id = await tx.insert(appointments, dict(
            holder_id=principal.id, service_id=service_id, window_id=window_id, district=window["district"],
            holder_name=holder["name"], status="submitted", content=content, preferred_date=preferred_date,
            attachments=json.dumps(attachments), deadline_at=deadline_for("submitted", service, now, cal), version=1,
            created_at=now, updated_at=now))
        await _history(tx, appt_id, "submit", principal.id, holder["name"], None, None, "submitted", now,
                       to_window=window_id)
        appt = await tx.fetchone(_APPT, {"id": appt_id})
        await _notify_window(tx, window, service, now)
        await events.record(tx, event.appointment_created(appt), now=now)
        out = await view(tx, appt, now, deps.upload_links)
    deps.relay.poke()
    return out


async def _own(tx, appt_id: int, holder_id: int) -> dict:
    appt = await tx.fetchone(_APPT_LOCK, {"id": appt_id})
    if appt is None or appt["holder_id"] != holder_id:
        raise errors.NotFound("预约不存在")
    return appt


async def _stale(tx, deps, appt: dict, version: int, now: dt.datetime) -> None:
    if version != appt["version"]:
        raise errors.VersionConflict(details={"current": await view(tx, appt, now, deps.upload_links)})


async def cancel(deps, principal, appt_id: int, version: int) -> dict:
    """The holder cancels before acceptance or after a return, from the version he saw."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        appt = await _own(tx, appt_id, principal.id)
        await _stale(tx, deps, appt, version, now)
        if appt["status"] not in ("submitted", "returned"):
            raise errors.InvalidTransition("窗口已受理，不能取消；如需取消请联系服务专员",
                                           details={"current": await view(tx, appt, now, deps.upload_links)})
        await tx.execute(appointments.update().where(appointments.c.id == appt_id).values(
            status="cancelled", deadline_at=None, version=appointments.c.version + 1, updated_at=now))
        await _history(tx, appt_id, "cancel", principal.id, principal.name, None, appt["status"], "cancelled", now)
        appt = await tx.fetchone(_APPT, {"id": appt_id})
        await events.record(tx, event.appointment_updated(appt, appt["window_id"]), now=now)
        return await view(tx, appt, now, deps.upload_links)


async def resubmit(deps, principal, appt_id: int, *, content: str | None, window_id: int | None, version: int) -> dict:
    """After a return the holder edits and submits again (possibly to another window)."""
    now = deps.clock()
    cal = await workcal.current(deps.db)
    async with deps.db.transaction() as tx:
        appt = await _own(tx, appt_id, principal.id)
        await _stale(tx, deps, appt, version, now)
        if appt["status"] != "returned":
            raise errors.InvalidTransition("只有被退回的预约可以修改后重新提交",
                                           details={"current": await view(tx, appt, now, deps.upload_links)})
        card = await _active_card(tx, principal.id, now)
        service, window = await _bookable(tx, appt["service_id"], window_id or appt["window_id"], card["level"])
        await tx.execute(appointments.update().where(appointments.c.id == appt_id).values(
            status="submitted", content=content if content is not None else appt["content"], window_id=window["id"],
            district=window["district"], deadline_at=deadline_for("submitted", service, now, cal),
            version=appointments.c.version + 1, updated_at=now))
        await _history(tx, appt_id, "resubmit", principal.id, principal.name, None, "returned", "submitted", now,
                       from_window=appt["window_id"], to_window=window["id"])
        old_window_id = appt["window_id"]
        appt = await tx.fetchone(_APPT, {"id": appt_id})
        await _notify_window(tx, window, service, now)
        await events.record(tx, event.appointment_updated(appt, old_window_id, window["id"]), now=now)
        out = await view(tx, appt, now, deps.upload_links)
    deps.relay.poke()
    return out


async def rate(deps, principal, appt_id: int, stars: int, comment: str | None) -> dict:
    """One rating (1–5 stars) per completed appointment."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        appt = await _own(tx, appt_id, principal.id)
        if appt["status"] != "completed":
            raise errors.InvalidTransition("办结后才能评价")
        if await tx.fetchone(_RATING, {"id": appt_id}):
            raise errors.AlreadyRated()
        try:
            await tx.insert(ratings, dict(appointment_id=appt_id, holder_id=principal.id, stars=stars,
                                          comment=(comment or None), created_at=now))
        except IntegrityError:
            raise errors.AlreadyRated() from None
        await _history(tx, appt_id, "rate", principal.id, principal.name, f"{stars}星" + (f"：{comment}" if comment else ""),
                       "completed", "completed", now)
        await events.record(tx, event.appointment_rated(appt), now=now)
        # 好差评: a 1–2 star rating opens a 整改 for the window's org in this same transaction
        await followups_service.open_for_rating(tx, appt=appt, stars=stars, now=now)
        return {"appointment_id": str(appt_id), "stars": stars, "comment": comment or None, "at": iso(now)}


async def get_for(deps, principal, appt_id: int) -> dict:
    """The holder sees their own; clerks the work of their windows (the city window all); admins all."""
    now = deps.clock()
    appt = await deps.db.fetchone(_APPT, {"id": appt_id})
    if appt is None:
        raise errors.NotFound("预约不存在")
    if appt["holder_id"] == principal.id:
        return await view(deps.db, appt, now, deps.upload_links)
    scope = await staff_scope(deps.db, principal)
    if scope.sees(appt["window_id"]):
        return await view(deps.db, appt, now, deps.upload_links, for_staff=True)
    if scope.window_ids and await deps.db.fetchone(_FORWARDED_FROM.where(
            appointment_history.c.appointment_id == appt_id,
            appointment_history.c.from_window_id.in_(sorted(scope.window_ids)))):
        # the clerk forwarded it: they keep reading what they passed on, without acting on it
        out = await view(deps.db, appt, now, deps.upload_links, for_staff=True)
        out["read_only"] = True
        return out
    raise errors.NotFound("预约不存在")


_FORWARDED_FROM = sa.select(appointment_history.c.id).where(appointment_history.c.action == "forward").limit(1)


# --------------------------------------------------------------------------- staff side

class StaffScope:
    """Which windows' work a user sees: their own windows; the city window and admins all."""

    def __init__(self, window_ids: set[int], all_windows: bool):
        self.window_ids = window_ids
        self.all = all_windows

    def sees(self, window_id: int) -> bool:
        return self.all or window_id in self.window_ids


MAX_SUBSCRIPTIONS = 50  # one-time messages a holder may have allowed and not yet received
_T = wechat_subscriptions.c
_SUBSCRIPTION_KEY = dict(account_id=sa.bindparam("a"), template=sa.bindparam("t"), remaining=sa.bindparam("add"),
                         updated_at=sa.bindparam("now"))
# one upsert per dialect: a new row starts at `add`, an existing one grows by it up to the cap
_ADD_SUBSCRIPTION = {
    "mysql": Query(mysql_insert(wechat_subscriptions).values(**_SUBSCRIPTION_KEY).on_duplicate_key_update(
        remaining=sa.func.least(_T.remaining + sa.bindparam("add"), MAX_SUBSCRIPTIONS),
        updated_at=sa.bindparam("now"))),
    "sqlite": Query(sqlite_insert(wechat_subscriptions).values(**_SUBSCRIPTION_KEY).on_conflict_do_update(
        index_elements=[_T.account_id, _T.template],
        set_={"remaining": sa.func.min(_T.remaining + sa.bindparam("add"), MAX_SUBSCRIPTIONS),
              "updated_at": sa.bindparam("now")})),
}
_SUBSCRIPTION = Query(sa.select(_T.remaining).where(_T.account_id == sa.bindparam("a"), _T.template == sa.bindparam("t")))


async def allow_messages(deps, holder_id: int, template: str, accepted: bool) -> dict:
    """小程序订阅消息授权: each acceptance allows one more progress message (at most
    `MAX_SUBSCRIPTIONS` kept); a refusal adds none. The counter changes in one upsert (two first
    grants at once cannot both insert); the answer is read back inside the same transaction."""
    key = {"a": holder_id, "t": template}
    async with deps.db.transaction() as tx:
        await tx.execute(_ADD_SUBSCRIPTION[tx.dialect], {**key, "add": 1 if accepted else 0, "now": deps.clock()})
        remaining = await tx.fetchval(_SUBSCRIPTION, key)
    return {"template": template, "remaining": remaining}


async def staff_scope(db, principal) -> StaffScope:
    return await scope_of(db, principal.id, principal.roles)


async def scope_of(db, account_id: int, roles) -> StaffScope:
    """The windows an account with these roles works at: an admin sees all, a window clerk the
    windows assigned (all of them when one is the city window), anyone else none."""
    if "admin" in roles:
        return StaffScope(set(), True)
    if "window_staff" not in roles:
        return StaffScope(set(), False)
    rows = await db.fetchall(_STAFF_WINDOWS, {"account_id": account_id})
    return StaffScope({r["id"] for r in rows}, any(r["is_city"] for r in rows))


@functools.cache
def _staff_update(forward: bool, complete: bool) -> Query:
    """The action's write of the locked row, compiled once for each of its three shapes."""
    values = dict(status=sa.bindparam("to"), deadline_at=sa.bindparam("deadline"),
                  version=appointments.c.version + 1, updated_at=sa.bindparam("now"))
    if forward:
        values.update(window_id=sa.bindparam("w"), district=sa.bindparam("d"))
    if complete:
        values["completed_at"] = sa.bindparam("now")
    return Query(appointments.update().where(appointments.c.id == sa.bindparam("id")).values(**values))


async def staff_action(deps, principal, appt_id: int, *, action: str, opinion: str, to_window_id: int | None,
                       version: int) -> dict:
    """受理 / 预审 / 办结 / 转办 / 退回, each with an opinion, from PC or phone."""
    now = deps.clock()
    opinion = opinion.strip()  # not blank, and to_window_id given for a forward: schemas.StaffActionIn
    admin = principal.has("admin")
    cal = await workcal.current(deps.db)
    async with deps.db.transaction() as tx:
        appt = await tx.fetchone(_APPT_LOCK, {"id": appt_id})
        forward = action == "forward"
        rows = appt and await tx.fetchall(_action_read(forward), {
            "id": appt_id, "s": appt["service_id"], "w": appt["window_id"], "h": appt["holder_id"],
            "to": to_window_id if forward else None, "me": principal.id, "app_id": deps.config.wechat_mp_app_id})
        # a clerk reaches the appointment only through a window of their own (the city window: all)
        if not rows or not (admin or (principal.has("window_staff") and rows[0]["in_scope"])):
            raise errors.NotFound("预约不存在")
        refs, parts, history = _split_action_read(rows)
        service, old_window, holder = parts["service"], parts["window"], parts["holder"]
        sub = {"openid": refs["sub_openid"]} if refs["sub_openid"] and refs["sub_remaining"] else None
        held = dict(service=service, window=old_window, holder=holder, history=history)
        if version != appt["version"]:
            current = await view(tx, appt, now, deps.upload_links, for_staff=True, **held)
            raise errors.VersionConflict("该预约已被其他工作人员处理，请刷新后查看", details={"current": current})
        allowed_from, to_status = STAFF_ACTIONS[action]
        if appt["status"] not in allowed_from:
            raise errors.InvalidTransition(f"当前状态（{STATUS_ZH[appt['status']]}）不能{ACTION_ZH[action]}",
                                           details={"current": await view(tx, appt, now, deps.upload_links,
                                                                          for_staff=True, **held)})
        deadline = deadline_for(to_status, service, now, cal)
        values: dict = dict(status=to_status, deadline_at=deadline, updated_at=now)
        target = old_window
        if forward:
            if to_window_id == appt["window_id"]:
                raise errors.field_error("to_window_id", "不能转办给本窗口")
            target = parts["target"] if refs["target_id"] is not None else None  # read with the rest
            if target is None or target["status"] != "active":
                raise errors.field_error("to_window_id", "目标窗口不存在")
            if not refs["target_handles"]:
                raise errors.WindowNotHandling("目标窗口不受理该服务")
            values.update(window_id=to_window_id, district=target["district"])
        if action == "complete":
            values["completed_at"] = now
        await tx.execute(_staff_update(forward, action == "complete"),
                         {"id": appt_id, "to": to_status, "deadline": deadline, "now": now,
                          "w": values.get("window_id"), "d": values.get("district")})
        await _history(tx, appt_id, action, principal.id, principal.name, opinion, appt["status"], to_status, now,
                       from_window=appt["window_id"] if forward else None,
                       to_window=to_window_id if forward else None)
        # the row as written, built from the one held under the lock (no second read)
        appt = {**appt, **values, "version": appt["version"] + 1}
        await _notify_holder(tx, appt, holder, sub, service, action, opinion, now)
        if forward:
            await _notify_window(tx, target, service, now)
        await events.record(tx, event.appointment_updated(appt, old_window["id"], target["id"]), now=now)
        history.append({"action": action, "actor_name": principal.name, "opinion": opinion, "created_at": now,
                        "from_window_name": old_window["name"] if forward else None,
                        "to_window_name": target["name"] if forward else None})
        # no rating yet: staff act only before completion
        out = await view(tx, appt, now, deps.upload_links, for_staff=True, service=service, window=target,
                         holder=holder, history=history, unrated=True)
    deps.relay.poke()
    return out

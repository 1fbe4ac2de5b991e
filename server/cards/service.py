"""The talent card (英才卡): issue, read live, enable/disable, list and export.

A card's status is read from the database on every green-channel request (`require_active_card`):
no cache, so a card disabled a moment ago, in any process, is refused by the very next request
(SPEC §4: 停用后，移动端停止对持卡人的一切绿色通道服务).
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from server import errors
from server.core.pagination import keyset_page
from server.core.timeutil import iso, today_cst
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, card_status_changes, cards, holder_profiles, services, uploads, venues, visits
from server.events import catalog as event
from server.events import log as events

VALIDITY_YEARS = 3
LEVELS = ("A", "B", "C")


def plus_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; from 29 February to a year without one, 28 February (民法典 第二百零二条:
    没有对应日的，月末日为期间的最后一日)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def effective_status(row: dict, today: dt.date) -> str:
    """active | disabled | expired (expired is derived from the date, never stored)."""
    if row["status"] == "disabled":
        return "disabled"
    if row["valid_until"] < today:
        return "expired"
    return "active"


_HOLDER_CARD = Query(
    sa.select(cards.c.id, cards.c.card_no, cards.c.level, cards.c.status, cards.c.issued_at, cards.c.valid_until,
              cards.c.status_reason, cards.c.version)
    .where(cards.c.holder_id == sa.bindparam("holder_id"), cards.c.main_card_id.is_(None))
    .order_by(cards.c.id.desc())
    .limit(1)
)
_BY_NO = Query(sa.select(cards).where(cards.c.card_no == sa.bindparam("card_no")))
_BY_NO_LOCK = Query(sa.select(cards).where(cards.c.card_no == sa.bindparam("card_no")).with_for_update())


async def holder_card(db, holder_id: int) -> dict | None:
    """The holder's current (main) card (the newest one), or None; dependent cards (副卡) are not it."""
    return await db.fetchone(_HOLDER_CARD, {"holder_id": holder_id})


async def require_active_card(db, holder_id: int, now: dt.datetime) -> dict:
    """The holder's card if it may be used right now, else NoCard / CardDisabled / CardExpired."""
    card = await holder_card(db, holder_id)
    if card is None:
        raise errors.NoCard()
    state = effective_status(card, today_cst(now))
    if state == "disabled":
        raise errors.CardDisabled()
    if state == "expired":
        raise errors.CardExpired()
    return card


async def require_active_dependent(db, holder_id: int, card_no: str, now: dt.datetime) -> dict:
    """A dependent card (副卡) of this holder's own that may be shown right now; any other number is
    NotFound (a holder never learns about another's cards)."""
    card = await db.fetchone(_BY_NO, {"card_no": card_no})
    if card is None or card["holder_id"] != holder_id or card["main_card_id"] is None:
        raise errors.NotFound("英才卡不存在")
    state = effective_status(card, today_cst(now))
    if state == "disabled":
        raise errors.CardDisabled("该副卡已停用，暂不能使用绿色通道服务")
    if state == "expired":
        raise errors.CardExpired("该副卡已过有效期，请主卡持卡人办理续办")
    return card


def card_summary(card: dict, today: dt.date) -> dict:
    return {"card_no": card["card_no"], "level": card["level"], "status": effective_status(card, today),
            "issued_at": card["issued_at"].isoformat(), "valid_until": card["valid_until"].isoformat()}


def new_card_no(now: dt.datetime) -> str:
    """`WH` + year + 8 random digits; the unique index on card_no refuses the rare collision."""
    return f"WH{today_cst(now).year}{secrets.randbelow(10**8):08d}"


async def issue_card(tx, *, holder_id: int, level: str, now: dt.datetime, valid_until: dt.date | None = None,
                     card_no: str | None = None, main: dict | None = None, member: dict | None = None,
                     status: str = "active", issued_at: dt.date | None = None, sync_version: int = 0,
                     actor: str | None = None) -> dict:
    """Issue a card (final approval, replacement or the PC's sync) and record `card.issued`; with `main`
    and `member` a dependent card (副卡) of that main card for that family member. The PC's sync gives
    the number, status, dates and version, and its `actor` is kept as the one who set the status. A
    drawn number is inserted straight away and drawn again should the unique index refuse it (one
    statement instead of a look-up first); the card is returned as written, not read back."""
    link = dict(main_card_id=main["id"], member_name=member.get("name"), relation=member.get("relation")) if main else {}
    today = today_cst(now)
    valid_until = valid_until or plus_years(today, VALIDITY_YEARS)
    for attempt in range(10):
        no = card_no or new_card_no(now)
        card = dict(card_no=no, holder_id=holder_id, level=level, status=status, issued_at=issued_at or today,
                    valid_until=valid_until, status_reason=None, status_by=actor, status_at=now if actor else None,
                    sync_version=sync_version, version=1, created_at=now, updated_at=now, main_card_id=None,
                    member_name=None, relation=None)
        card.update(link)
        try:
            card["id"] = await tx.insert(cards, {k: v for k, v in card.items() if v is not None})
            break
        except IntegrityError:  # the statement alone is undone; the transaction goes on
            if card_no or attempt == 9:
                raise
    await events.record(tx, event.card_issued(card, main=main), now=now)
    return card


_STATUS_CHANGE = Query(card_status_changes.insert().values(
    card_id=sa.bindparam("card_id"), status=sa.bindparam("status"), reason=sa.bindparam("reason"),
    actor_name=sa.bindparam("actor"), created_at=sa.bindparam("now")))


async def record_status_change(tx, *, card_id: int, status: str, reason: str | None, actor: str,
                               now: dt.datetime) -> None:
    """Keep every enable/disable with its reason and actor (the card row holds only the latest)."""
    await tx.execute(_STATUS_CHANGE, {"card_id": card_id, "status": status, "reason": (reason or "").strip()[:255] or None,
                                      "actor": actor[:64], "now": now})


async def change_status(tx, card: dict, *, status: str, reason: str, actor: str, now: dt.datetime,
                        **values) -> dict:
    """Write a card's new status with its reason and actor (and `values`, other columns changed in
    the same statement), keep the change in `card_status_changes` and record `card.status_changed`.
    The one way a card's status changes (admin, PC sync, replacement); dependents are the caller's
    (`cascade_status`). Returns the card as written."""
    reason = reason.strip()
    written = {"status": status, "status_reason": reason or None, "status_by": actor, "status_at": now, **values}
    await tx.execute(cards.update().where(cards.c.id == card["id"]).values(
        **written, version=cards.c.version + 1, updated_at=now))
    card = {**card, **written, "version": card["version"] + 1, "updated_at": now}
    await record_status_change(tx, card_id=card["id"], status=status, reason=reason, actor=actor, now=now)
    await events.record(tx, event.card_status_changed(card, holder_id=card["holder_id"], reason=reason), now=now)
    return card


async def set_status(db, *, card_no: str, status: str, reason: str, actor: str, now: dt.datetime) -> dict:
    """Enable or disable a card; from the commit on every green-channel request sees it. A main card's
    dependents (副卡) follow it in the same transaction."""
    if status == "disabled" and not reason.strip():
        raise errors.field_error("reason", "请填写停用原因")
    async with db.transaction() as tx:
        card = await tx.fetchone(_BY_NO_LOCK, {"card_no": card_no})
        if card is None:
            raise errors.NotFound("英才卡不存在")
        if status == "active" and card["main_card_id"] is not None:
            main = await tx.fetchone(sa.select(cards.c.status).where(cards.c.id == card["main_card_id"]))
            if main is None or main["status"] != "active":
                raise errors.InvalidTransition("主卡已停用，副卡不能单独启用")
        if card["main_card_id"] is None:
            await cascade_status(tx, card, status, actor, now)
        if card["status"] != status:
            await change_status(tx, card, status=status, reason=reason, actor=actor, now=now)
        card = await tx.fetchone(_BY_NO, {"card_no": card_no})
    return await admin_view(db, card, now)


# --------------------------------------------------------------------------- dependent cards (副卡)

FOLLOW_REASON = "主卡已停用"
_DEPENDENTS = Query(sa.select(cards).where(cards.c.main_card_id == sa.bindparam("main")).order_by(cards.c.id))


async def issue_dependents(tx, main: dict, family: list[dict], now: dt.datetime) -> list[dict]:
    """A dependent card for each family member marked `wants_card` who has none on this main card:
    its own number, the main card's level, validity and holder account (who shows its code)."""
    have = {(d["member_name"], d["relation"]) for d in await tx.fetchall(_DEPENDENTS, {"main": main["id"]})}
    out = []
    for m in family:
        if not m.get("wants_card") or (m.get("name"), m.get("relation")) in have:
            continue
        have.add((m.get("name"), m.get("relation")))
        out.append(await issue_card(tx, holder_id=main["holder_id"], level=main["level"], now=now,
                                    valid_until=main["valid_until"], main=main, member=m))
    return out


async def move_dependents(tx, old_main_id: int, new_main_id: int, now: dt.datetime) -> None:
    """A replaced main card hands its dependents to the new one (补办 keeps the family's cards)."""
    await tx.execute(cards.update().where(cards.c.main_card_id == old_main_id).values(
        main_card_id=new_main_id, version=cards.c.version + 1, updated_at=now))


async def follow_main(tx, main: dict, now: dt.datetime) -> None:
    """Renewal and level changes of a main card carry over to its dependents."""
    await tx.execute(cards.update().where(cards.c.main_card_id == main["id"]).values(
        level=main["level"], valid_until=main["valid_until"], version=cards.c.version + 1, updated_at=now))


async def cascade_status(tx, main: dict, status: str, actor: str, now: dt.datetime) -> None:
    """Disabling a main card disables its dependents; enabling it re-enables those it disabled (a
    dependent disabled on its own stays disabled)."""
    if status == "disabled":
        where = sa.and_(cards.c.main_card_id == main["id"], cards.c.status == "active")
        values = dict(status="disabled", status_reason=FOLLOW_REASON)
    else:
        where = sa.and_(cards.c.main_card_id == main["id"], cards.c.status == "disabled",
                        cards.c.status_reason == FOLLOW_REASON)
        values = dict(status="active", status_reason=None)
    changed = await tx.fetchall(sa.select(cards.c.id, cards.c.card_no, cards.c.level, cards.c.valid_until).where(where))
    if not changed:
        return
    await tx.execute(cards.update().where(where).values(**values, status_by=actor, status_at=now,
                                                         version=cards.c.version + 1, updated_at=now))
    for r in changed:
        await record_status_change(tx, card_id=r["id"], status=status, reason=values["status_reason"] or "主卡已启用",
                                   actor=actor, now=now)
        await events.record(tx, event.card_status_changed({**r, "status": status}, holder_id=main["holder_id"],
                                                          reason=values["status_reason"] or ""), now=now)


# the holder's cards with the holder's name, masked ID number and photo (GET /me/card's budget is 3)
_HOLDER_CARDS = Query(
    sa.select(cards.c.id, cards.c.card_no, cards.c.level, cards.c.status, cards.c.issued_at, cards.c.valid_until,
              cards.c.status_reason, cards.c.version, cards.c.main_card_id, cards.c.member_name, cards.c.relation,
              accounts.c.name.label("holder_name"), accounts.c.id_number_masked,
              uploads.c.public_id.label("photo_file_id"))
    .select_from(cards.join(accounts, accounts.c.id == cards.c.holder_id)
                 .outerjoin(holder_profiles, holder_profiles.c.account_id == accounts.c.id)
                 .outerjoin(uploads, uploads.c.id == holder_profiles.c.photo_file_id))
    .where(cards.c.holder_id == sa.bindparam("holder_id"))
    .order_by(cards.c.id.desc())
    .limit(200)
)


async def holder_cards(db, holder_id: int) -> tuple[dict | None, list[dict]]:
    """The holder's main card and its dependents, in one statement (GET /me/card's budget)."""
    rows = await db.fetchall(_HOLDER_CARDS, {"holder_id": holder_id})
    main = next((r for r in rows if r["main_card_id"] is None), None)
    deps = [r for r in reversed(rows) if main is not None and r["main_card_id"] == main["id"]]
    return main, deps


def my_card_view(card: dict, dependents: list[dict], today: dt.date, links) -> dict:
    """`GET /me/card` without its quotas (`accounts.me.my_card`); `links` signs the photo's URL."""
    out = card_summary(card, today)
    out["status_reason"] = card["status_reason"] if card["status"] == "disabled" else None
    out["holder"] = {"name": card["holder_name"], "id_number_masked": card["id_number_masked"],
                     "photo_url": links.url(card["photo_file_id"])}
    out["dependents"] = [dependent_summary(d, today) for d in dependents]
    return out


def dependent_summary(card: dict, today: dt.date) -> dict:
    from server.core.privacy import mask_name

    return {"card_no": card["card_no"], "name_masked": mask_name(card["member_name"]), "relation": card["relation"],
            "level": card["level"], "status": effective_status(card, today),
            "valid_until": card["valid_until"].isoformat()}


# --------------------------------------------------------------------------- views

_HOLDER = Query(sa.select(accounts.c.id, accounts.c.name, accounts.c.phone, accounts.c.id_number_masked)
                .where(accounts.c.id == sa.bindparam("id")))


async def admin_view(db, card: dict, now: dt.datetime) -> dict:
    from server.core.privacy import mask_phone

    holder = await db.fetchone(_HOLDER, {"id": card["holder_id"]})
    main_no = None
    if card["main_card_id"] is not None:
        main_no = await db.fetchval(sa.select(cards.c.card_no).where(cards.c.id == card["main_card_id"]))
    return _admin_row({**card, "holder_name": holder["name"], "holder_phone": holder["phone"],
                       "holder_id_masked": holder["id_number_masked"], "main_card_no": main_no},
                      today_cst(now), mask_phone)


_DETAIL_HOLDER = Query(
    sa.select(accounts.c.id, accounts.c.name, accounts.c.phone, accounts.c.id_number_masked,
              uploads.c.public_id.label("photo_file_id"))
    .select_from(accounts.outerjoin(holder_profiles, holder_profiles.c.account_id == accounts.c.id)
                 .outerjoin(uploads, uploads.c.id == holder_profiles.c.photo_file_id))
    .where(accounts.c.id == sa.bindparam("id")))
_STATUS_HISTORY = Query(
    sa.select(card_status_changes).where(card_status_changes.c.card_id == sa.bindparam("card_id"))
    .order_by(card_status_changes.c.id.desc()).limit(100))
_CARD_VISITS = Query(
    sa.select(visits.c.verdict, visits.c.created_at, venues.c.name.label("venue_name"),
              services.c.name.label("service_name"))
    .select_from(visits.outerjoin(venues, venues.c.id == visits.c.venue_id)
                 .outerjoin(services, services.c.id == visits.c.service_id))
    .where(visits.c.card_id == sa.bindparam("card_id"))
    .order_by(visits.c.created_at.desc(), visits.c.id.desc()).limit(50))


async def card_detail(db, card_no: str, now: dt.datetime, links) -> dict:
    """One card for the administrator: holder (masked, the photo's URL signed by `links`), every
    status change with its reason and the last 50 on-site visits (ix_visits_card)."""
    from server.core.privacy import mask_phone

    card = await db.fetchone(_BY_NO, {"card_no": card_no})
    if card is None:
        raise errors.NotFound("英才卡不存在")
    h = await db.fetchone(_DETAIL_HOLDER, {"id": card["holder_id"]})
    changes = await db.fetchall(_STATUS_HISTORY, {"card_id": card["id"]})
    history = [{"status": r["status"], "reason": r["reason"], "actor_name": r["actor_name"], "at": iso(r["created_at"])}
               for r in changes]
    if not history and card["status_at"] is not None:
        # changed before changes were recorded one by one: the card row still knows the latest
        history = [{"status": card["status"], "reason": card["status_reason"], "actor_name": card["status_by"],
                    "at": iso(card["status_at"])}]
    seen = await db.fetchall(_CARD_VISITS, {"card_id": card["id"]})
    return {
        "card_no": card["card_no"], "level": card["level"], "status": effective_status(card, today_cst(now)),
        "valid_until": card["valid_until"].isoformat(), "issued_at": card["issued_at"].isoformat(),
        "version": card["version"],
        "holder": {"id": str(h["id"]), "name": h["name"], "phone_masked": mask_phone(h["phone"]),
                   "id_number_masked": h["id_number_masked"],
                   "photo_url": links.url(h["photo_file_id"])},
        "history": history,
        "visits": [{"venue_name": v["venue_name"], "service_name": v["service_name"], "verdict": v["verdict"],
                    "at": iso(v["created_at"])} for v in seen],
    }


def _admin_row(r: dict, today: dt.date, mask_phone) -> dict:
    return {
        "card_no": r["card_no"], "level": r["level"], "status": effective_status(r, today),
        "issued_at": r["issued_at"].isoformat(), "valid_until": r["valid_until"].isoformat(),
        "status_reason": r["status_reason"], "status_by": r["status_by"], "status_at": iso(r["status_at"]),
        "version": r["version"],
        "holder": {"id": str(r["holder_id"]), "name": r["holder_name"], "phone_masked": mask_phone(r["holder_phone"]),
                   "id_number_masked": r["holder_id_masked"]},
        # 副卡: the family member it is for, the relation and the main card's number
        "kind": "dependent" if r["main_card_id"] is not None else "main", "main_card_no": r["main_card_no"],
        "member_name": r["member_name"], "relation": r["relation"],
    }


_MAIN = cards.alias("main_card")


def _list_stmt(*, status: str | None, level: str | None, q: str | None, today: dt.date):
    stmt = (
        sa.select(cards.c.id, cards.c.card_no, cards.c.level, cards.c.status, cards.c.issued_at, cards.c.valid_until,
                  cards.c.status_reason, cards.c.status_by, cards.c.status_at, cards.c.version, cards.c.holder_id,
                  cards.c.main_card_id, cards.c.member_name, cards.c.relation, _MAIN.c.card_no.label("main_card_no"),
                  accounts.c.name.label("holder_name"), accounts.c.phone.label("holder_phone"),
                  accounts.c.id_number_masked.label("holder_id_masked"))
        .select_from(cards.join(accounts, accounts.c.id == cards.c.holder_id)
                     .outerjoin(_MAIN, _MAIN.c.id == cards.c.main_card_id))
        .order_by(cards.c.id.desc())
    )
    if status == "disabled":
        stmt = stmt.where(cards.c.status == "disabled")
    elif status == "active":
        stmt = stmt.where(cards.c.status == "active", cards.c.valid_until >= today)
    elif status == "expired":
        stmt = stmt.where(cards.c.status == "active", cards.c.valid_until < today)
    if level:
        stmt = stmt.where(cards.c.level == level)
    if q:
        stmt = stmt.where(sa.or_(cards.c.card_no == q, accounts.c.name == q, accounts.c.phone == q))
    return stmt


async def list_cards(db, *, status, level, q, cursor: int | None, limit: int, now: dt.datetime) -> dict:
    from server.core.privacy import mask_phone

    today = today_cst(now)
    stmt = _list_stmt(status=status, level=level, q=q, today=today).limit(limit + 1)
    if cursor:
        stmt = stmt.where(cards.c.id < cursor)
    rows = await db.fetchall(stmt)
    return keyset_page(rows, limit, lambda r: _admin_row(r, today, mask_phone))


STATUS_ZH = {"active": "正常", "disabled": "已停用", "expired": "已过期"}


async def export_cards(db, *, status, level, q, now: dt.datetime, executor) -> bytes:
    """The filtered card list as .xlsx (Chinese headers), read page by page."""
    import asyncio
    import io

    from server.core.privacy import mask_phone
    from server.core.xlsx import SafeWorkbook

    today = today_cst(now)
    buf = io.BytesIO()
    wb = SafeWorkbook(buf, {"constant_memory": True, "in_memory": False})
    ws = wb.add_worksheet("英才卡")
    head = wb.add_format({"bold": True, "bg_color": "#E8F0FE"})
    headers = ["卡号", "持卡人", "手机号", "证件号", "等级", "状态", "发卡日期", "有效期至", "停用原因", "操作人", "操作时间",
               "卡类型", "主卡卡号", "副卡持有人", "关系"]
    for c, h in enumerate(headers):
        ws.write(0, c, h, head)
    ws.set_column(0, 0, 18)
    ws.set_column(2, 3, 20)
    ws.set_column(6, 10, 14)
    row_no, cursor = 1, None
    while True:
        stmt = _list_stmt(status=status, level=level, q=q, today=today).limit(1000)
        if cursor:
            stmt = stmt.where(cards.c.id < cursor)
        rows = await db.fetchall(stmt)
        if not rows:
            break
        for r in rows:
            v = _admin_row(r, today, mask_phone)
            # dates and times as real Excel values in China time (SafeWorkbook)
            ws.write_row(row_no, 0, [v["card_no"], v["holder"]["name"], v["holder"]["phone_masked"] or "",
                                     v["holder"]["id_number_masked"] or "", v["level"], STATUS_ZH[v["status"]],
                                     r["issued_at"], r["valid_until"], v["status_reason"] or "",
                                     v["status_by"] or "", r["status_at"],
                                     "副卡" if v["kind"] == "dependent" else "主卡", v["main_card_no"] or "",
                                     v["member_name"] or "", v["relation"] or ""])
            row_no += 1
        cursor = rows[-1]["id"]
    await asyncio.get_running_loop().run_in_executor(executor, wb.close)
    return buf.getvalue()

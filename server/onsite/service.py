"""On-site verification (SPEC §6, seed 002 §4.5.1): the venue clerk scans the holder's dynamic QR,
or the holder scans the venue's poster. Both end in one verdict, one `visits` row and one
`visit.recorded` event, written in one transaction.

The scan is the hot path: every statement is compiled once at import, the card's status is read
live in the scan's own transaction (no cache: a card disabled a moment ago in any process is
refused by the next scan), the single use of a token is the unique key of `qr_uses`, and the yearly
quota is counted by a guarded UPDATE (`used < quota`), so concurrent scans never over-count.

Checks, in order: format and signature → venue offers the service (before the token is spent or
anything about the holder is read) → expiry → already used → card status → card level eligible →
yearly quota.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server import errors
from server.cards.service import effective_status
from server.core.principal import Principal
from server.core.privacy import mask_card_no, mask_name
from server.core.timeutil import iso, today_cst
from server.core.tokens import token_hash
from server.db.database import IntegrityError, Query
from server.db.tables import (
    accounts,
    cards,
    holder_profiles,
    qr_uses,
    quota_usage,
    services,
    uploads,
    venue_services,
    venues,
    visits,
)
from server.events import catalog as event
from server.events import log as events
from server.onsite import qr, venue_code

MESSAGES = {
    "ok": "核验通过，请为持卡人提供服务",
    "card_disabled": "该英才卡已停用，不能享受绿色通道服务",
    "card_expired": "该英才卡已过有效期，不能享受绿色通道服务",
    "token_expired": "二维码已过期，请持卡人刷新后重新出示",
    "token_used": "二维码已使用过，请持卡人刷新后重新出示",
    "token_invalid": "无法识别的二维码，请扫描英才卡动态二维码",
    "not_eligible": "持卡人的英才卡等级不在该服务的适用范围内",
    "quota_exhausted": "持卡人本年度该项服务次数已用完",
    "venue_service_mismatch": "本场所不提供该项服务",
}
CHECKIN_MESSAGES = {
    **MESSAGES,
    "ok": "签到成功，请向工作人员出示本页面",
    "token_invalid": "无法识别的场所二维码，请扫描服务场所引导图上的二维码",
    "card_disabled": "您的英才卡已停用，暂不能使用绿色通道服务",
    "card_expired": "您的英才卡已过有效期，请办理续办",
    "not_eligible": "您的英才卡等级不在该服务的适用范围内",
    "quota_exhausted": "您本年度该项服务次数已用完",
    "venue_service_mismatch": "该场所不提供此项服务",
}
VERDICT_ZH = {
    "ok": "通过", "card_disabled": "卡已停用", "card_expired": "卡已过期", "token_expired": "二维码过期",
    "token_used": "二维码已使用", "token_invalid": "无效二维码", "not_eligible": "等级不符",
    "quota_exhausted": "次数已用完", "venue_service_mismatch": "场所无此服务",
}
METHOD_ZH = {"staff_scan": "工作人员扫码", "holder_checkin": "持卡人扫码签到"}

# a second check-in of the same card for the same service at the same venue within this time is the
# same visit (a double tap must not spend the yearly quota twice)
REPEAT_WINDOW = dt.timedelta(minutes=10)
# check codes the clerk reads by eye: no 0/O, 1/I/L
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --------------------------------------------------------------------------- statements (compiled once)

# few columns: the driver parses a descriptor per column of every answer, a good part of the scan's
# CPU time (a scan knows the venue's org already: the clerk's own)
# the venue is open and offers this (active) service
_OFFERED = sa.and_(venue_services.c.service_id.is_not(None), venues.c.status == "active",
                   services.c.status == "active")
_PLACE_COLS = (
    venues.c.id.label("venue_id"), venues.c.name.label("venue_name"), services.c.id.label("service_id"),
    services.c.name.label("service_name"), services.c.eligible_levels,
    services.c.quota_per_year,
    sa.case((_OFFERED, 1), else_=0).label("offered"),
)


_CARD_COLS = (cards.c.card_no, cards.c.level, cards.c.status, cards.c.valid_until, cards.c.holder_id,
              accounts.c.name.label("holder_name"), uploads.c.public_id.label("photo_file_id"),
              cards.c.member_name, cards.c.relation)


def _with_card(src):
    # the card (and its holder) only join when the venue offers the service: a scan at the wrong
    # venue learns nothing about the holder, in the same single round trip
    return (src.outerjoin(cards, sa.and_(cards.c.id == sa.bindparam("card"), _OFFERED))
            .outerjoin(accounts, accounts.c.id == cards.c.holder_id)
            .outerjoin(holder_profiles, holder_profiles.c.account_id == cards.c.holder_id)
            .outerjoin(uploads, uploads.c.id == holder_profiles.c.photo_file_id))


def _place(where, *, chosen: bool, card: bool = False):
    """The venue and the service a scan is for. `chosen`: the caller named the service (:sid) and
    `offered` (1/0) says whether the open venue offers it; otherwise the venue's first on-site service.
    `card`: the scanned card (:card) and its holder come along in the same row (one round trip)."""
    cols = _PLACE_COLS + (_CARD_COLS if card else (venues.c.org_id.label("venue_org_id"),))
    if chosen:
        src = (venues.outerjoin(services, services.c.id == sa.bindparam("sid"))
               .outerjoin(venue_services, sa.and_(venue_services.c.venue_id == venues.c.id,
                                                  venue_services.c.service_id == sa.bindparam("sid"))))
        return Query(sa.select(*cols).select_from(_with_card(src) if card else src).where(where))
    src = (venues.outerjoin(venue_services, venue_services.c.venue_id == venues.c.id)
           .outerjoin(services, services.c.id == venue_services.c.service_id))
    first = sa.case((sa.and_(services.c.category == "onsite", services.c.status == "active"), 0), else_=1)
    return Query(sa.select(*cols).select_from(_with_card(src) if card else src).where(where)
                 .order_by(first, services.c.sort, services.c.id).limit(1))


_SCAN_PLACE = _place(venues.c.org_id == sa.bindparam("org"), chosen=True, card=True)
_SCAN_PLACE_DEFAULT = _place(venues.c.org_id == sa.bindparam("org"), chosen=False, card=True)
_VENUE_PLACE = _place(venues.c.id == sa.bindparam("venue"), chosen=True)
_VENUE_PLACE_DEFAULT = _place(venues.c.id == sa.bindparam("venue"), chosen=False)

_CARD_SRC = (cards.join(accounts, accounts.c.id == cards.c.holder_id)
             .outerjoin(holder_profiles, holder_profiles.c.account_id == cards.c.holder_id)
             .outerjoin(uploads, uploads.c.id == holder_profiles.c.photo_file_id))
# the holder's newest card, locked: one check-in of a card at a time (the repeat window needs it)
_HOLDER_CARD_LOCK = Query(sa.select(cards.c.id, *_CARD_COLS).select_from(_CARD_SRC)
                          .where(cards.c.holder_id == sa.bindparam("holder"), cards.c.main_card_id.is_(None))
                          .order_by(cards.c.id.desc()).limit(1).with_for_update())

_USE_TOKEN = Query(qr_uses.insert().values(token_hash=sa.bindparam("h"), created_at=sa.bindparam("now")))

# One statement counts a use: insert the year's row or add one to it, never past the quota. The
# affected-row count tells: MySQL 1 inserted / 2 updated / 0 unchanged (aiomysql does not set
# CLIENT_FOUND_ROWS), SQLite 1 / 0 (the DO UPDATE's WHERE failed).
_QUOTA_KEY = dict(card_id=sa.bindparam("card"), service_id=sa.bindparam("service"), year=sa.bindparam("year"), used=1)
_QUOTA_TAKE = {
    "mysql": Query(mysql_insert(quota_usage).values(**_QUOTA_KEY).on_duplicate_key_update(
        used=sa.case((quota_usage.c.used < sa.bindparam("quota"), quota_usage.c.used + 1), else_=quota_usage.c.used))),
    "sqlite": Query(sqlite_insert(quota_usage).values(**_QUOTA_KEY).on_conflict_do_update(
        index_elements=[quota_usage.c.card_id, quota_usage.c.service_id, quota_usage.c.year],
        set_={"used": quota_usage.c.used + 1}, where=quota_usage.c.used < sa.bindparam("quota"))),
}

_INSERT_VISIT = Query(visits.insert().values(
    venue_id=sa.bindparam("venue"), service_id=sa.bindparam("service"), card_id=sa.bindparam("card"),
    holder_id=sa.bindparam("holder"), staff_id=sa.bindparam("staff"), method=sa.bindparam("method"),
    verdict=sa.bindparam("verdict"), check_code=sa.bindparam("check_code"), created_at=sa.bindparam("now"),
))
_RECENT_OK = Query(
    sa.select(visits.c.id, visits.c.check_code, visits.c.created_at)
    .where(visits.c.card_id == sa.bindparam("card"), visits.c.created_at >= sa.bindparam("since"),
           visits.c.venue_id == sa.bindparam("venue"), visits.c.service_id == sa.bindparam("service"),
           visits.c.verdict == "ok", visits.c.method == "holder_checkin")
    .order_by(visits.c.created_at.desc()).limit(1)
)


# --------------------------------------------------------------------------- the rules


def judge(card: dict, place: dict, today: dt.date) -> str:
    """The verdict for a live card at a venue and service, before the quota is counted."""
    state = effective_status(card, today)
    if state != "active":
        return f"card_{state}"
    if not place["offered"]:
        return "venue_service_mismatch"
    if card["level"] not in place["eligible_levels"].split(","):
        return "not_eligible"
    return "ok"


async def take_quota(tx, *, card_id: int, service_id: int, year: int, quota: int) -> bool:
    """Count one use of a yearly quota, atomically; False when it is used up. The guarded upsert
    never passes `quota` however many scans race (the row lock serialises them)."""
    if quota <= 0:
        return False
    res = await tx.execute(_QUOTA_TAKE[tx.dialect], {"card": card_id, "service": service_id, "year": year,
                                                     "quota": quota})
    return res.rowcount > 0


def _holder(card: dict | None, links) -> dict | None:
    if card is None:
        return None
    if card["relation"]:  # a dependent card (副卡): the family member, not the main holder's photo
        return {"name_masked": mask_name(card["member_name"]), "level": card["level"], "photo_url": None,
                "relation": card["relation"]}
    # a signed URL: the clerk's phone shows the photo at once, no second authorised request
    return {"name_masked": mask_name(card["holder_name"]), "level": card["level"],
            "photo_url": links.url(card["photo_file_id"]), "relation": None}


def _service_ref(place: dict) -> dict | None:
    if place["service_id"] is None:
        return None
    return {"id": str(place["service_id"]), "name": place["service_name"]}


async def _record(tx, *, place: dict, card: dict | None, card_id: int | None, holder_id: int | None,
                  staff_id: int | None, method: str, verdict: str, check_code: str | None, now: dt.datetime,
                  service_id: int | None) -> int:
    """The `visits` row and its `visit.recorded` event (to the holder and the venue's staff)."""
    res = await tx.execute(_INSERT_VISIT, {
        "venue": place["venue_id"], "service": service_id, "card": card_id, "holder": holder_id,
        "staff": staff_id, "method": method, "verdict": verdict, "check_code": check_code, "now": now})
    visit_id = res.lastrowid
    await events.record(tx, event.visit_recorded(
        visit_id=visit_id, place=place, service_id=service_id, method=method, verdict=verdict,
        card_no=card["card_no"] if card else None, check_code=check_code, holder_id=holder_id), now=now)
    return visit_id


# --------------------------------------------------------------------------- venue staff scan the holder

async def scan(db, *, staff: Principal, token: str, service_id: int | None, now: dt.datetime,
               keys: dict[str, str], links) -> dict:
    """Verify a holder's dynamic QR token at the clerk's venue: always a verdict, always logged."""
    if staff.org_id is None:
        raise errors.NotVenueStaff()
    verdict: str | None = None
    try:
        card_id: int | None = qr.verify(token, now, keys)
    except qr.TokenError as exc:
        verdict, card_id = exc.verdict, exc.card_id
    card = None
    async with db.transaction() as tx:
        # the venue, the service and the card, read live in this transaction: one statement
        p = {"org": staff.org_id, "card": card_id or 0}
        if service_id is None:
            place = await tx.fetchone(_SCAN_PLACE_DEFAULT, p)
        else:
            place = await tx.fetchone(_SCAN_PLACE, {**p, "sid": service_id})
        if place is None:
            raise errors.NotVenueStaff()
        place["venue_org_id"] = staff.org_id
        if not place["offered"]:
            # checked before the token is spent and before the holder is read (the card columns
            # are NULL here): the holder may show the same code at the right counter
            verdict, card_id = "venue_service_mismatch", None
        if verdict is None:
            try:
                await tx.execute(_USE_TOKEN, {"h": token_hash(token), "now": now})
            except IntegrityError:
                verdict = "token_used"
        if verdict is None:
            if place["holder_id"] is None:  # a signed token of a card that no longer exists
                verdict, card_id = "token_invalid", None
            else:
                card = place
                verdict = judge(card, place, today_cst(now))
        if verdict == "ok" and place["quota_per_year"] is not None:
            if not await take_quota(tx, card_id=card_id, service_id=place["service_id"],
                                    year=today_cst(now).year, quota=place["quota_per_year"]):
                verdict = "quota_exhausted"
        # the holder of a signed token is logged (and told) even when the token is refused as used or late
        visit_id = await _record(tx, place=place, card=card, card_id=card_id,
                                 holder_id=place["holder_id"] if card_id else None, staff_id=staff.id,
                                 method="staff_scan", verdict=verdict, check_code=None, now=now,
                                 service_id=place["service_id"] or service_id)
    out = {"verdict": verdict, "message": MESSAGES[verdict],
           "venue": {"id": str(place["venue_id"]), "name": place["venue_name"]},
           "service": _service_ref(place), "visit_id": str(visit_id), "at": iso(now)}
    if card is not None:
        out["holder"] = _holder(card, links)
        out["card_no_masked"] = mask_card_no(card["card_no"])
    return out


# --------------------------------------------------------------------------- the holder scans the venue

async def checkin(db, *, holder: Principal, text: str, service_id: int | None, now: dt.datetime,
                  keys: dict[str, str], links) -> dict:
    """Check a holder in at the venue named by a poster code: the same checks as a scan, answered to
    the holder's phone with a short check code the clerk compares by eye."""
    venue_id = venue_code.verify(text, keys)
    at = iso(now)
    async with db.transaction() as tx:
        card = await tx.fetchone(_HOLDER_CARD_LOCK, {"holder": holder.id})
        if card is None:
            raise errors.NoCard()
        place = None
        if venue_id is not None:
            if service_id is None:
                place = await tx.fetchone(_VENUE_PLACE_DEFAULT, {"venue": venue_id})
            else:
                place = await tx.fetchone(_VENUE_PLACE, {"venue": venue_id, "sid": service_id})
        if place is None:
            # forged, edited or unknown code: logged against venue 0 (no venue), never counted
            await tx.execute(_INSERT_VISIT, {
                "venue": 0, "service": None, "card": card["id"], "holder": holder.id, "staff": None,
                "method": "holder_checkin", "verdict": "token_invalid", "check_code": None, "now": now})
            return {"verdict": "token_invalid", "message": CHECKIN_MESSAGES["token_invalid"], "venue": None,
                    "service": None, "holder": None, "visit_id": None, "at": at, "check_code": None}
        verdict = judge(card, place, today_cst(now))
        sid = place["service_id"] or service_id
        base = {"venue": {"id": str(place["venue_id"]), "name": place["venue_name"]},
                "service": _service_ref(place), "holder": _holder(card, links), "at": at}
        if verdict == "ok":
            prev = await tx.fetchone(_RECENT_OK, {"card": card["id"], "venue": place["venue_id"], "service": sid,
                                                  "since": now - REPEAT_WINDOW})
            if prev is not None:
                return {**base, "verdict": "ok", "message": CHECKIN_MESSAGES["ok"], "visit_id": str(prev["id"]),
                        "check_code": prev["check_code"], "repeated": True, "at": iso(prev["created_at"])}
            if place["quota_per_year"] is not None and not await take_quota(
                    tx, card_id=card["id"], service_id=sid, year=today_cst(now).year, quota=place["quota_per_year"]):
                verdict = "quota_exhausted"
        check_code = "".join(secrets.choice(CHECK_ALPHABET) for _ in range(4)) if verdict == "ok" else None
        visit_id = await _record(tx, place=place, card=card, card_id=card["id"], holder_id=holder.id, staff_id=None,
                                 method="holder_checkin", verdict=verdict, check_code=check_code, now=now,
                                 service_id=sid)
    return {**base, "verdict": verdict, "message": CHECKIN_MESSAGES[verdict], "visit_id": str(visit_id),
            "check_code": check_code}


# --------------------------------------------------------------------------- what other pages show

_QUOTAS = Query(
    sa.select(services.c.id, services.c.name, services.c.eligible_levels, services.c.quota_per_year, quota_usage.c.used)
    .select_from(services.outerjoin(quota_usage, sa.and_(
        quota_usage.c.service_id == services.c.id, quota_usage.c.card_id == sa.bindparam("card"),
        quota_usage.c.year == sa.bindparam("year"))))
    .where(services.c.category == "onsite", services.c.status == "active", services.c.quota_per_year.is_not(None))
    .order_by(services.c.sort, services.c.id)
)
_VENUE_OF_ORG = Query(sa.select(venues.c.id, venues.c.name).where(venues.c.org_id == sa.bindparam("org")))


async def card_quotas(db, card: dict, now: dt.datetime) -> list[dict]:
    """This year's use of every on-site quota the card's level may use (GET /me/card `quotas`)."""
    rows = await db.fetchall(_QUOTAS, {"card": card["id"], "year": today_cst(now).year})
    return [{"service_id": str(r["id"]), "service_name": r["name"], "used": r["used"] or 0, "total": r["quota_per_year"]}
            for r in rows if card["level"] in r["eligible_levels"].split(",")]


async def staff_venue(db, org_id: int | None) -> dict | None:
    """The venue a venue clerk works at (their account's org), or None."""
    if org_id is None:
        return None
    return await db.fetchone(_VENUE_OF_ORG, {"org": org_id})

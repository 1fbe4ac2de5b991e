"""A card's effective status, directly (server/cards/service.py): active, expired (from the date, in
China time), disabled; dependent cards (副卡) following their main card; the validity's end date."""

import datetime as dt

import pytest
import sqlalchemy as sa

from server import errors
from server.cards import service as cards_service
from server.cards.service import FOLLOW_REASON, effective_status
from server.core.timeutil import today_cst
from server.db.tables import accounts, card_status_changes, cards, events
from server.errors import CardDisabled, CardExpired, NoCard

CST = dt.timezone(dt.timedelta(hours=8))


def utc(local: str) -> dt.datetime:
    """A Beijing time as the naive UTC the server stores."""
    return dt.datetime.fromisoformat(local).replace(tzinfo=CST).astimezone(dt.UTC).replace(tzinfo=None)


def card(status="active", valid_until="2027-06-30") -> dict:
    return {"status": status, "valid_until": dt.date.fromisoformat(valid_until)}


# --------------------------------------------------------------------------- the rule

@pytest.mark.parametrize("row,today,state", [
    (card(), "2026-11-30", "active"),
    (card(), "2027-06-30", "active"),                       # the last day is still valid
    (card(), "2027-07-01", "expired"),                      # the day after is not
    (card("disabled"), "2026-11-30", "disabled"),
    (card("disabled"), "2027-07-01", "disabled"),           # disabled beats expired
    (card(valid_until="2024-02-29"), "2024-02-29", "active"),
    (card(valid_until="2024-02-29"), "2024-03-01", "expired"),
    (card(valid_until="2026-12-31"), "2027-01-01", "expired"),
])
def test_effective_status(row, today, state):
    assert effective_status(row, dt.date.fromisoformat(today)) == state


def test_expiry_turns_at_midnight_china_time_not_utc():
    row = card(valid_until="2027-06-30")
    last_moment = utc("2027-06-30T23:59:59.999999")   # 15:59:59 UTC
    first_moment = utc("2027-07-01T00:00")             # 16:00 UTC, still 30 June in UTC
    assert first_moment.date() == dt.date(2027, 6, 30)
    assert today_cst(last_moment) == dt.date(2027, 6, 30) and today_cst(first_moment) == dt.date(2027, 7, 1)
    assert effective_status(row, today_cst(last_moment)) == "active"
    assert effective_status(row, today_cst(first_moment)) == "expired"


def test_the_summaries_show_the_effective_status():
    row = {**card(valid_until="2026-11-29"), "card_no": "WH202400000001", "level": "A",
           "issued_at": dt.date(2023, 11, 30), "member_name": "王芳", "relation": "配偶"}
    today = dt.date(2026, 11, 30)
    assert cards_service.card_summary(row, today)["status"] == "expired"
    assert cards_service.dependent_summary(row, today)["status"] == "expired"
    assert cards_service.dependent_summary(row, today)["name_masked"] == "王*"


@pytest.mark.parametrize("issued,until", [
    ("2026-11-30", "2029-11-30"),
    ("2028-02-29", "2031-02-28"),   # no 29 February then: the month's last day (民法典 第二百零二条)
    ("2027-02-28", "2030-02-28"),
    ("2029-02-28", "2032-02-28"),
])
def test_a_card_is_valid_three_years_to_the_day(issued, until):
    assert cards_service.plus_years(dt.date.fromisoformat(issued), cards_service.VALIDITY_YEARS) == \
        dt.date.fromisoformat(until)


# --------------------------------------------------------------------------- live, on both databases

async def _holder(deps, phone: str) -> int:
    return await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == phone))


async def _set_until(deps, card_id: int, until: dt.date) -> None:
    await deps.db.execute(cards.update().where(cards.c.id == card_id).values(valid_until=until))


async def test_require_active_card_at_the_edges_of_the_last_day(deps):
    zhang = await _holder(deps, "13800000001")
    main = await cards_service.holder_card(deps.db, zhang)
    await _set_until(deps, main["id"], dt.date(2027, 6, 30))
    got = await cards_service.require_active_card(deps.db, zhang, utc("2027-06-30T23:59:59"))
    assert got["id"] == main["id"]
    with pytest.raises(CardExpired):
        await cards_service.require_active_card(deps.db, zhang, utc("2027-07-01T00:00"))
    wangwu = await _holder(deps, "13800000003")  # the demo's disabled card
    with pytest.raises(CardDisabled):
        await cards_service.require_active_card(deps.db, wangwu, utc("2026-11-30T10:00"))
    lisi = await _holder(deps, "13800000002")  # no card yet
    with pytest.raises(NoCard):
        await cards_service.require_active_card(deps.db, lisi, utc("2026-11-30T10:00"))


async def _with_dependent(deps, phone="13800000001", member="王芳"):
    holder = await _holder(deps, phone)
    main = await deps.db.fetchone(sa.select(cards).where(cards.c.holder_id == holder, cards.c.main_card_id.is_(None)))
    async with deps.db.transaction() as tx:
        dep = await cards_service.issue_card(tx, holder_id=holder, level=main["level"], now=deps.clock(),
                                             valid_until=main["valid_until"], main=main,
                                             member={"name": member, "relation": "配偶"})
    return holder, main, dep


async def _status(deps, card_id: int) -> tuple[str, str | None]:
    row = await deps.db.fetchone(sa.select(cards.c.status, cards.c.status_reason).where(cards.c.id == card_id))
    return row["status"], row["status_reason"]


async def test_a_dependent_card_is_not_the_holders_card(deps):
    holder, main, dep = await _with_dependent(deps)
    assert (await cards_service.holder_card(deps.db, holder))["id"] == main["id"]
    got = await cards_service.require_active_dependent(deps.db, holder, dep["card_no"], deps.clock())
    assert got["id"] == dep["id"]
    lisi = await _holder(deps, "13800000002")
    for who, no in ((lisi, dep["card_no"]), (holder, main["card_no"]), (holder, "WH000000000000")):
        with pytest.raises(errors.NotFound):
            await cards_service.require_active_dependent(deps.db, who, no, deps.clock())


async def test_a_dependent_follows_its_main_card_off_and_on(deps):
    holder, main, dep = await _with_dependent(deps)
    now = deps.clock()
    await cards_service.set_status(deps.db, card_no=main["card_no"], status="disabled", reason="核查", actor="管理员",
                                   now=now)
    assert await _status(deps, dep["id"]) == ("disabled", FOLLOW_REASON)
    with pytest.raises(CardDisabled):
        await cards_service.require_active_dependent(deps.db, holder, dep["card_no"], now)
    # not on its own while the main card is off
    with pytest.raises(errors.InvalidTransition):
        await cards_service.set_status(deps.db, card_no=dep["card_no"], status="active", reason="", actor="管理员",
                                       now=now)
    await cards_service.set_status(deps.db, card_no=main["card_no"], status="active", reason="", actor="管理员", now=now)
    assert await _status(deps, dep["id"]) == ("active", None)
    assert (await cards_service.require_active_dependent(deps.db, holder, dep["card_no"], now))["id"] == dep["id"]
    # each change is kept with its reason, and told
    changes = await deps.db.fetchall(sa.select(card_status_changes.c.status, card_status_changes.c.reason)
                                     .where(card_status_changes.c.card_id == dep["id"]).order_by(card_status_changes.c.id))
    assert [(c["status"], c["reason"]) for c in changes] == [("disabled", FOLLOW_REASON), ("active", "主卡已启用")]
    told = await deps.db.fetchall(sa.select(events.c.entity_id).where(events.c.type == "card.status_changed")
                                  .order_by(events.c.id))
    assert [e["entity_id"] for e in told].count(dep["card_no"]) == 2


async def test_a_dependent_disabled_on_its_own_stays_disabled(deps):
    holder, main, dep = await _with_dependent(deps)
    _, _, other = await _with_dependent(deps, member="李小明")
    now = deps.clock()
    await cards_service.set_status(deps.db, card_no=dep["card_no"], status="disabled", reason="家属证件过期",
                                   actor="管理员", now=now)
    await cards_service.set_status(deps.db, card_no=main["card_no"], status="disabled", reason="核查", actor="管理员",
                                   now=now)
    await cards_service.set_status(deps.db, card_no=main["card_no"], status="active", reason="", actor="管理员", now=now)
    assert await _status(deps, dep["id"]) == ("disabled", "家属证件过期")
    assert await _status(deps, other["id"]) == ("active", None)


async def test_a_dependent_expires_with_its_main_card(deps):
    holder, main, dep = await _with_dependent(deps)
    last_day = dt.date(2027, 6, 30)
    await _set_until(deps, main["id"], last_day)
    main = await deps.db.fetchone(sa.select(cards).where(cards.c.id == main["id"]))
    async with deps.db.transaction() as tx:
        await cards_service.follow_main(tx, main, deps.clock())  # renewals and level changes carry over
    assert (await cards_service.require_active_dependent(deps.db, holder, dep["card_no"],
                                                         utc("2027-06-30T23:59")))["id"] == dep["id"]
    with pytest.raises(CardExpired):
        await cards_service.require_active_dependent(deps.db, holder, dep["card_no"], utc("2027-07-01T00:00"))


async def test_a_card_issued_on_29_february_is_valid_to_28_february(deps):
    lisi = await _holder(deps, "13800000002")
    async with deps.db.transaction() as tx:
        issued = await cards_service.issue_card(tx, holder_id=lisi, level="B", now=utc("2028-02-29T10:00"))
    assert (issued["issued_at"], issued["valid_until"]) == (dt.date(2028, 2, 29), dt.date(2031, 2, 28))
    assert effective_status(issued, dt.date(2031, 2, 28)) == "active"
    assert effective_status(issued, dt.date(2031, 3, 1)) == "expired"

"""29 February (China time): the demo loads, a card issued today and a renewal from today end on
28 February three years on (they raised ValueError: "day is out of range for month")."""

import datetime as dt

import pytest
import sqlalchemy as sa

from server.applications import service as applications_service
from server.cards import service as cards_service
from server.core.timeutil import today_cst
from server.db.tables import accounts, cards
from tests.conftest import Clock

CST = dt.timezone(dt.timedelta(hours=8))
LEAP_DAY = dt.datetime(2028, 2, 29, 10, 0, tzinfo=CST).astimezone(dt.UTC).replace(tzinfo=None)


@pytest.fixture
def clock():
    c = Clock()
    c.offset = LEAP_DAY - c()
    return c


async def test_on_29_february_the_demo_loads_and_cards_end_on_28_february(deps):
    now = deps.clock()
    assert today_cst(now) == dt.date(2028, 2, 29)
    zhang = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000001"))
    main = await cards_service.holder_card(deps.db, zhang)
    assert (main["issued_at"], main["valid_until"]) == (dt.date(2027, 2, 28), dt.date(2030, 2, 28))

    lisi = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000002"))
    async with deps.db.transaction() as tx:
        issued = await cards_service.issue_card(tx, holder_id=lisi, level="B", now=now)
    assert (issued["issued_at"], issued["valid_until"]) == (dt.date(2028, 2, 29), dt.date(2031, 2, 28))

    # a renewal of an expired card counts from today
    await deps.db.execute(cards.update().where(cards.c.id == main["id"]).values(valid_until=dt.date(2028, 1, 31)))
    async with deps.db.transaction() as tx:
        await applications_service._fulfil_main(tx, {"type": "renew", "applicant_id": zhang}, {}, "A", now, "管理员")
    assert (await cards_service.holder_card(deps.db, zhang))["valid_until"] == dt.date(2031, 2, 28)

"""Card numbers: a drawn number goes straight into the insert; a collision with an existing card is
refused by the unique index and another number is drawn in the same transaction."""

import datetime as dt

import sqlalchemy as sa

from server.cards import service
from server.db.tables import accounts, cards


async def test_a_colliding_card_number_is_drawn_again(deps, monkeypatch):
    now = deps.clock()
    holder = await deps.db.fetchval(sa.select(accounts.c.id).where(accounts.c.phone == "13800000002"))
    taken = await deps.db.fetchval(sa.select(cards.c.card_no).limit(1))
    # the first draw is an existing card's number (its year, its digits), the second a free one
    draws = iter([int(taken[-8:]), 424242])
    monkeypatch.setattr(service.secrets, "randbelow", lambda n: next(draws))
    monkeypatch.setattr(service, "today_cst", lambda _now: dt.date(int(taken[2:6]), 6, 1))
    async with deps.db.transaction() as tx:
        card = await service.issue_card(tx, holder_id=holder, level="B", now=now)
    assert card["card_no"] == f"WH{taken[2:6]}00424242" != taken
    stored = await deps.db.fetchone(sa.select(cards).where(cards.c.id == card["id"]))
    assert {k: stored[k] for k in ("card_no", "holder_id", "level", "status", "version")} == \
        {k: card[k] for k in ("card_no", "holder_id", "level", "status", "version")}

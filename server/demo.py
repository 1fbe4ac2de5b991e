"""Demo data for APP_ENV=dev (API.md "Demo data"): a small 威海-like city.

`load_demo(deps)` fills an empty database in one transaction by calling each feature's demo piece
in order; each gets the transaction, the ids created so far (`ctx`) and the deps. The facts the
pieces share (districts, people, the demo password) are in `server.demo_city`.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from server.accounts import demo as accounts_demo
from server.applications import demo as applications_demo
from server.catalog import demo as catalog_demo
from server.db.tables import accounts
from server.employers import demo as employers_demo
from server.listings import demo as listings_demo

log = logging.getLogger(__name__)

# each feature's demo rows, in order: (name, async fn(tx, ctx, deps)); later pieces use earlier ids
LOADERS = [
    ("accounts and orgs", accounts_demo.load),
    ("cards and applications", applications_demo.load),
    ("services, windows and venues", catalog_demo.load),
    ("appointments", catalog_demo.load_appointments),
    ("listings", listings_demo.load),
    ("employers", employers_demo.load),
]


async def load_demo(deps, force: bool = False) -> bool:
    """Load the demo data into an empty database. Returns False when there was data already."""
    async with deps.db.transaction() as tx:
        if not force and await tx.fetchval(sa.select(sa.func.count()).select_from(accounts)):
            return False
        ctx: dict = {}
        for _name, loader in LOADERS:
            await loader(tx, ctx, deps)
    log.info("demo data loaded")
    return True

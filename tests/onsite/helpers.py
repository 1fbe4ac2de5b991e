"""Shared steps of the on-site tests."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from server.db.tables import accounts, cards, quota_usage, services, venues, visits

ZHANG, LISI, WANGWU = "13800000001", "13800000002", "13800000003"
VERDICTS = {"ok", "card_disabled", "card_expired", "token_expired", "token_used", "token_invalid", "not_eligible",
            "quota_exhausted", "venue_service_mismatch"}


async def qr_token(api, holder_token: str) -> str:
    r = await api.post("/api/v1/me/card/qr", token=holder_token)
    assert r.status == 200, r
    return r.json["token"]


async def scan(api, staff_token: str, token, service_id=None, headers=None):
    body = {"token": token}
    if service_id is not None:
        body["service_id"] = str(service_id)
    return await api.post("/api/v1/venue/scan", body, token=staff_token, headers=headers)


async def service_id(db, code: str) -> int:
    return await db.fetchval(sa.select(services.c.id).where(services.c.code == code))


async def venue_id(db, name_part: str) -> int:
    return await db.fetchval(sa.select(venues.c.id).where(venues.c.name.contains(name_part)))


async def card_of(db, phone: str) -> dict:
    return await db.fetchone(sa.select(cards).select_from(cards.join(accounts, accounts.c.id == cards.c.holder_id))
                             .where(accounts.c.phone == phone))


async def quota_used(db, card_id: int, svc: int) -> int:
    return await db.fetchval(sa.select(sa.func.coalesce(sa.func.sum(quota_usage.c.used), 0))
                             .where(quota_usage.c.card_id == card_id, quota_usage.c.service_id == svc)) or 0


async def visit_count(db, **where) -> int:
    return await db.fetchval(sa.select(sa.func.count()).select_from(visits)
                             .where(*[visits.c[k] == v for k, v in where.items()]))


async def fuzz(strategy, check, max_examples: int = 60) -> None:
    """Property test against the running app: hypothesis drives `check(example)` (a coroutine
    function) on the test's event loop from a worker thread."""
    loop = asyncio.get_running_loop()

    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(example):
        asyncio.run_coroutine_threadsafe(check(example), loop).result(timeout=60)

    await loop.run_in_executor(None, run)

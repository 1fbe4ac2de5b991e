"""Demo orgs and accounts: the city's bureaus, departments, employers and venues, the three
holders and the staff of API.md "Demo data"."""

from __future__ import annotations

import functools

from server.accounts.passwords import hash_password
from server.core.privacy import mask_id_number
from server.db.tables import accounts, orgs
from server.demo_city import DEMO_PASSWORD, HOLDERS, STAFF, org_rows


@functools.lru_cache(maxsize=1)
def demo_password_hash() -> str:
    # one hash for every demo account: the loader runs before every test, scrypt is slow on purpose
    return hash_password(DEMO_PASSWORD)


async def load(tx, ctx: dict, deps) -> None:
    now = deps.clock()
    for row in org_rows():
        values = {"district": None, "is_city_level": False, "association_code": None, "fixed_route": False,
                  **row, "created_at": now}
        ctx.setdefault("orgs", {})[row["code"]] = await tx.insert(orgs, values)
    pw = demo_password_hash()
    for key, name, phone, id_number in HOLDERS:
        ctx.setdefault("accounts", {})[key] = await tx.insert(accounts, dict(
            name=name, phone=phone, roles="holder", id_type="resident_id",
            id_number_enc=deps.cipher.encrypt(id_number), id_number_hash=deps.cipher.lookup_hash(id_number),
            id_number_masked=mask_id_number(id_number), password_hash=None, status="active",
            failed_logins=0, version=1, created_at=now, updated_at=now))
    for username, name, roles, org_code in STAFF:
        ctx["accounts"][username] = await tx.insert(accounts, dict(
            username=username, name=name, roles=roles, org_id=ctx["orgs"][org_code], password_hash=pw,
            password_changed_at=now, status="active", failed_logins=0, version=1, created_at=now, updated_at=now))

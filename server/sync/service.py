"""PC-side sync: versioned, idempotent upserts of holders and cards keyed by the PC's ids.

An older or equal version never overwrites a newer one (`applied: false`); every applied change
is written with its event, so the PC and the phones see one source of truth.
"""

from __future__ import annotations

import sqlalchemy as sa

from server import errors
from server.cards import service as cards_service
from server.core.privacy import mask_id_number
from server.db.database import IntegrityError, Query
from server.db.tables import accounts, cards, holder_profiles, orgs
from server.events import catalog as event
from server.events import log as events

PC = "PC端"  # the actor the PC's changes are kept under


_PROFILE = Query(sa.select(holder_profiles).where(holder_profiles.c.external_id == sa.bindparam("x")).with_for_update())
_ACCOUNT_BY_HASH = Query(sa.select(accounts).where(accounts.c.id_number_hash == sa.bindparam("h")))
_ACCOUNT_BY_PHONE = Query(sa.select(accounts).where(accounts.c.phone == sa.bindparam("p")))
_PROFILE_OF = Query(sa.select(holder_profiles).where(holder_profiles.c.account_id == sa.bindparam("id")))
_EMPLOYER = Query(sa.select(orgs.c.id).where(orgs.c.association_code == sa.bindparam("code")))
_CARD = Query(sa.select(cards).where(cards.c.card_no == sa.bindparam("no")).with_for_update())


async def upsert_holder(deps, external_id: str, data) -> tuple[bool, bool]:
    """Returns (applied, created)."""
    now = deps.clock()
    cipher = deps.cipher
    id_hash = cipher.lookup_hash(data.id_number)
    async with deps.db.transaction() as tx:
        profile = await tx.fetchone(_PROFILE, {"x": external_id})
        if profile is not None and data.version <= profile["sync_version"]:
            return False, False
        employer_id = None
        if data.employer_code:
            employer_id = await tx.fetchval(_EMPLOYER, {"code": data.employer_code})
        identity = dict(name=data.name, id_type=data.id_type, id_number_enc=cipher.encrypt(data.id_number),
                        id_number_hash=id_hash, id_number_masked=mask_id_number(data.id_number), updated_at=now)
        if data.phone:
            identity["phone"] = data.phone
        created = False
        if profile is not None:
            account_id = profile["account_id"]
        else:
            # a holder who already registered on the phone (same ID number or phone) is linked, not duplicated
            existing = await tx.fetchone(_ACCOUNT_BY_HASH, {"h": id_hash})
            if existing is None and data.phone:
                existing = await tx.fetchone(_ACCOUNT_BY_PHONE, {"p": data.phone})
            if existing is not None:
                account_id = existing["id"]
                if "holder" not in existing["roles"].split(","):
                    identity["roles"] = existing["roles"] + ",holder"
            else:
                account_id = await tx.insert(accounts, dict(roles="holder", status="active", failed_logins=0, version=1,
                                                            created_at=now, **identity))
                created = True
        try:
            await tx.execute(accounts.update().where(accounts.c.id == account_id).values(**identity))
        except IntegrityError:
            raise errors.PhoneInUse("手机号或证件号已属于其他账号") from None
        values = dict(external_id=external_id, sync_version=data.version, updated_at=now)
        if employer_id:
            values["employer_org_id"] = employer_id
        mine = await tx.fetchone(_PROFILE_OF, {"id": account_id})
        if mine is not None:
            if mine["external_id"] and mine["external_id"] != external_id:
                raise errors.ExternalIdConflict()
            await tx.execute(holder_profiles.update().where(holder_profiles.c.account_id == account_id).values(**values))
        else:
            await tx.insert(holder_profiles, dict(account_id=account_id, **values))
        await events.record(tx, event.holder_upserted(external_id=external_id, version=data.version, name=data.name,
                                                      account_id=account_id), now=now)
        return True, created or profile is None


async def upsert_card(deps, card_no: str, data) -> tuple[bool, bool]:
    """Returns (applied, created). A new card is issued and a status change made as the card service
    does them (`issue_card`, `change_status`, `cascade_status`), with the PC as the actor."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        holder = await tx.fetchone(_PROFILE, {"x": data.holder_external_id})
        if holder is None:
            raise errors.HolderUnknown()
        card = await tx.fetchone(_CARD, {"no": card_no})
        holder_id = holder["account_id"]
        if card is None:
            await cards_service.issue_card(tx, card_no=card_no, holder_id=holder_id, level=data.level, now=now,
                                           status=data.status, issued_at=data.issued_at, valid_until=data.valid_until,
                                           sync_version=data.version, actor=PC)
            return True, True
        if data.version <= card["sync_version"]:
            return False, False
        values = dict(holder_id=holder_id, level=data.level, issued_at=data.issued_at, valid_until=data.valid_until,
                      sync_version=data.version)
        if card["status"] == data.status:
            await tx.execute(cards.update().where(cards.c.id == card["id"]).values(
                **values, version=cards.c.version + 1, updated_at=now))
            await events.record(tx, event.card_updated({**card, **values}, holder_id=holder_id), now=now)
        else:
            if card["main_card_id"] is None:  # its 副卡 follow it
                await cards_service.cascade_status(tx, {**card, "holder_id": holder_id}, data.status, PC, now)
            await cards_service.change_status(tx, card, status=data.status, reason="PC端同步", actor=PC, now=now,
                                              **values)
        return True, False


async def card_status(deps, card_no: str, status: str, reason: str) -> dict:
    return await cards_service.set_status(deps.db, card_no=card_no, status=status, reason=reason or "PC端操作",
                                          actor=PC, now=deps.clock())


async def pull_events(deps, after: int, limit: int) -> dict:
    rows, cursor = await events.read_after(deps.db, after, limit, deps.clock())
    return {"events": [events.public(r) for r in rows], "next_cursor": str(cursor)}

"""The new application form starts from what the system already knows (seed 002 §3.1.1 数据同步):
the holder's last application (everything it said), the account's verified identity (name, ID
number, phone: they win over the old form), and the employer the holder is linked to (its
registered name, 关联代码, 是否市直 and district win over what an old form said).

The result is a stored form (ID numbers encrypted). The applicant sees it masked; when the draft
is created, masked values sent back resolve against it, so an ID number never travels in clear.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from server.db.tables import accounts, applications, holder_profiles, orgs
from server.employers.service import approved_employer

_LAST = sa.select(applications.c.form).where(
    applications.c.applicant_id == sa.bindparam("id"), applications.c.status != "draft") \
    .order_by(applications.c.id.desc()).limit(1)
_ACCOUNT = sa.select(accounts.c.name, accounts.c.phone, accounts.c.id_type, accounts.c.id_number_enc,
                     accounts.c.id_number_masked, accounts.c.id_number_hash).where(accounts.c.id == sa.bindparam("id"))
_PROFILE_EMPLOYER = sa.select(orgs).select_from(holder_profiles.join(orgs, orgs.c.id == holder_profiles.c.employer_org_id)) \
    .where(holder_profiles.c.account_id == sa.bindparam("id"))


async def prefill(db_or_tx, holder_id: int) -> tuple[dict, list[str]]:
    """(stored form, the sources used: last_application, account, employer_link | profile)."""
    sources: list[str] = []
    form: dict = {}
    last = await db_or_tx.fetchval(_LAST, {"id": holder_id})
    if last:
        old = json.loads(last)
        for key in ("personal", "education", "employer", "talent", "history", "achievements", "family"):
            if old.get(key):
                form[key] = old[key]
        for member in form.get("family") or []:
            member.pop("wants_card", None)  # a new decision each time
        sources.append("last_application")
    personal = form.setdefault("personal", {})
    acct = await db_or_tx.fetchone(_ACCOUNT, {"id": holder_id})
    if acct is not None:
        if acct["name"] and not acct["name"].startswith("用户"):  # not the placeholder of an SMS sign-up
            personal["name"] = acct["name"]
        if acct["phone"]:
            personal["phone"] = acct["phone"]
        if acct["id_number_enc"]:
            personal.update(id_type=acct["id_type"], id_number_enc=acct["id_number_enc"],
                            id_number_masked=acct["id_number_masked"], id_number_hash=acct["id_number_hash"])
        sources.append("account")
    org = await approved_employer(db_or_tx, holder_id)
    source = "employer_link"
    if org is None:
        org, source = await db_or_tx.fetchone(_PROFILE_EMPLOYER, {"id": holder_id}), "profile"
    if org is not None:
        emp = form.setdefault("employer", {})
        if emp.get("name") != org["name"]:
            emp.pop("position", None)  # the old position was at another employer
        emp.update(name=org["name"], association_code=org["association_code"],
                   is_city_level=bool(org["is_city_level"]), district=org["district"])
        sources.append(source)
    return form, sources

"""Applicants hear the outcome (API v1.1): every review outcome (退回补正, 不予受理, 审批通过 with the
card issued) writes one SMS and, where the applicant granted one, a WeChat subscribe message into the
outbox, in the transaction of the outcome: a rolled-back outcome sends nothing, a committed one is
delivered by the relay even if this process dies."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from server.appointments.service import SUBSCRIBE_TEMPLATE
from server.core.timeutil import iso
from server.db.database import Query
from server.db.tables import accounts, wechat_bindings, wechat_subscriptions
from server.jobs import outbox

# review action → (SMS template, the short status word of the subscribe message)
OUTCOMES = {"return": ("application_returned", "需补正"), "reject": ("application_rejected", "不予受理"),
            "approve": ("application_approved", "已通过")}

_PHONE = Query(sa.select(accounts.c.phone).where(accounts.c.id == sa.bindparam("id")))
_SUBSCRIPTION = Query(
    sa.select(wechat_bindings.c.openid)
    .select_from(wechat_subscriptions.join(wechat_bindings, wechat_bindings.c.account_id == wechat_subscriptions.c.account_id))
    .where(wechat_subscriptions.c.account_id == sa.bindparam("a"), wechat_subscriptions.c.template == SUBSCRIBE_TEMPLATE,
           wechat_subscriptions.c.remaining > 0, wechat_bindings.c.app_id == sa.bindparam("app_id"))
    .limit(1))
# one granted message is spent per message sent, in one guarded statement (never below zero)
_USE_SUBSCRIPTION = Query(wechat_subscriptions.update().where(
    wechat_subscriptions.c.account_id == sa.bindparam("a"), wechat_subscriptions.c.template == SUBSCRIBE_TEMPLATE,
    wechat_subscriptions.c.remaining > 0).values(remaining=wechat_subscriptions.c.remaining - 1))


async def outcome(tx, deps, app: dict, action: str, opinion: str, now: dt.datetime, card_no: str | None = None) -> None:
    """Tell the applicant of a final outcome (`return`, `reject`, final `approve`) of `app`."""
    template, status = OUTCOMES[action]
    params = {"acceptance_no": app["acceptance_no"] or "", "opinion": (opinion or "")[:60], "card_no": card_no or ""}
    row = await tx.fetchone(_PHONE, {"id": app["applicant_id"]})
    if row and row["phone"]:
        await outbox.enqueue(tx, channel="sms", recipient=row["phone"], template=template, params=params, now=now)
    sub = await tx.fetchone(_SUBSCRIPTION, {"a": app["applicant_id"], "app_id": deps.config.wechat_mp_app_id})
    if sub is not None and (await tx.execute(_USE_SUBSCRIPTION, {"a": app["applicant_id"]})).rowcount == 1:
        await outbox.enqueue(tx, channel="wechat_subscribe", recipient=sub["openid"], template=SUBSCRIBE_TEMPLATE,
                             params={"service": "英才卡申领", "status": status,
                                     "opinion": params["opinion"] or (f"卡号{card_no}" if card_no else ""),
                                     "at": iso(now), "page": f"pages/applications/detail?id={app['id']}"},
                             now=now)

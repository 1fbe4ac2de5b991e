"""SMS: the console implementation of the `server.ports.SmsSender` port for dev (Aliyun: aliyun_sms.py).

Senders are called by the outbox relay only (`server.jobs.outbox`), never inside a request's
transaction. The Aliyun SDK is blocking, so it runs on a thread pool, never on the event loop.
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from server.core.privacy import mask_phone
from server.ports import SendResult

log = logging.getLogger(__name__)

# Our template names → the Chinese text (the console provider renders it; Aliyun holds its own copy
# of each template under a template code configured by ALIYUN_SMS_TEMPLATE_<NAME>).
TEMPLATES = {
    "login": "您的验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。",
    "appointment_feedback": "您预约的{service}有新进展：{action}。{opinion}",
    "rating_invite": "您预约的{service}已办结，欢迎对本次服务进行评价。",
    "work_arrived": "{window}有新的预约事项待处理：{service}。",
    "supervision": "{window}有{count}件预约事项已超过办理时限，请尽快处理。",
    "application_returned": "您的英才卡申请（受理号{acceptance_no}）需补正材料：{opinion}。"
                            "请登录英才卡服务平台按要求补正后重新提交。",
    "application_rejected": "您的英才卡申请（受理号{acceptance_no}）不予受理，原因：{opinion}。",
    "application_approved": "您的英才卡申请（受理号{acceptance_no}）已审批通过，英才卡（卡号{card_no}）已发放，"
                            "可在“我的英才卡”中查看。",
}


def render(template: str, params: dict) -> str:
    text = TEMPLATES.get(template)
    if text is None:
        return f"[{template}] " + json.dumps(params, ensure_ascii=False)
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text + " " + json.dumps(params, ensure_ascii=False)


class ConsoleSmsSender:
    """Development provider: logs the message (phone masked) and keeps it for /api/v1/dev/sms."""

    name = "console"

    def __init__(self, db, clock):
        self.db = db
        self.clock = clock

    async def send(self, phone: str, template: str, params: dict, out_id: str | None = None) -> SendResult:
        from server.db.tables import dev_sms

        text = render(template, params)
        await self.db.execute(
            dev_sms.insert().values(
                phone=phone, template=template, params=json.dumps(params, ensure_ascii=False),
                text=text, created_at=self.clock(),
            )
        )
        log.info("console sms to %s: %s", mask_phone(phone), template)
        return SendResult(ok=True, code="OK", detail="console")


async def console_messages(db, phone: str) -> list[dict]:
    """What the console provider "sent" to this phone, the latest 50, newest first (GET /api/v1/dev/sms)."""
    from server.db.tables import dev_sms

    rows = await db.fetchall(
        sa.select(dev_sms.c.template, dev_sms.c.params, dev_sms.c.text, dev_sms.c.created_at)
        .where(dev_sms.c.phone == phone).order_by(dev_sms.c.id.desc()).limit(50))
    return [{"template": r["template"], "params": json.loads(r["params"]), "text": r["text"], "at": r["created_at"]}
            for r in rows]

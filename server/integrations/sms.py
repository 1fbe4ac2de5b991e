"""SMS port: one small interface, the Aliyun dysmsapi implementation and the console one for dev.

Senders are called by the outbox relay only (`server.jobs.outbox`), never inside a request's
transaction. The Aliyun SDK is blocking, so it runs on a thread pool, never on the event loop.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Protocol

from server.core.privacy import mask_phone

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


@dataclasses.dataclass
class SendResult:
    ok: bool
    # the provider's answer code: OK, isv.BUSINESS_LIMIT_CONTROL, …
    code: str
    detail: str = ""
    # worth trying again later (network trouble, throttling, provider outage)
    retryable: bool = False
    # the provider refused because of its own send-rate limits (mapped to 429 for login codes)
    rate_limited: bool = False
    # no answer came back although the request may have reached the provider (a timeout, a dropped
    # connection, a 5xx): the outbox asks the provider before it tries again (server/jobs/outbox.py)
    uncertain: bool = False


class SmsSender(Protocol):
    name: str

    async def send(self, phone: str, template: str, params: dict, out_id: str | None = None) -> SendResult:
        """Send one message; `out_id` is our reference (the outbox row id) echoed in the provider's receipts."""
        ...


# A sender may also offer `find_sent(phone, out_id=, since=, until=) -> SendResult | None`: whether the
# provider holds a message with this `out_id` sent to `phone` between `since` and `until` (ok result),
# does not (None), or could not say (a failed, retryable result). The outbox relay asks it before it
# resends a message whose earlier attempt has no recorded outcome (AliyunSmsSender implements it).


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

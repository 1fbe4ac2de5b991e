"""Outbox channel `wechat_subscribe`: appointment progress as a mini-program subscribe message."""

from __future__ import annotations

import json

from server import errors
from server.integrations.sms import SendResult


def _thing(text: str, n: int = 20) -> str:
    # WeChat's `thing` fields take at most 20 characters
    return (text or "-")[:n]


class WechatSubscribeSender:
    """Sends through the WeChat gateway (wechatpy, on the executor); the outbox retries failures."""

    name = "wechat_subscribe"
    # WeChat cannot be asked whether a message went out: when a relay died mid-send, the outbox gives
    # the message up rather than risk a second notification (server/jobs/outbox.py)
    at_most_once = True

    def __init__(self, gateway, template_id: str):
        self.gateway = gateway
        self.template_id = template_id

    async def send(self, openid: str, template: str, params: dict, out_id: str | None = None) -> SendResult:
        data = {
            "thing1": {"value": _thing(params.get("service", ""))},
            "phrase2": {"value": _thing(params.get("status", ""), 5)},
            "thing3": {"value": _thing(params.get("opinion") or params.get("action", ""))},
            "time4": {"value": (params.get("at") or "")[:16].replace("T", " ")},
        }
        # an application's message names its own page; appointments open the appointment
        page = params.get("page") or f"pages/appointments/detail?id={params.get('appointment_id', '')}"
        try:
            res = await self.gateway.send_subscribe_message(openid, self.template_id, data, page)
        except errors.WechatRateLimited as exc:
            return SendResult(ok=False, code="RATE_LIMITED", detail=exc.message, retryable=True, rate_limited=True)
        except errors.WechatUnavailable as exc:
            return SendResult(ok=False, code="UNAVAILABLE", detail=exc.message, retryable=True)
        except errors.DomainError as exc:  # the user revoked the subscription, a bad template …
            return SendResult(ok=False, code=exc.code, detail=exc.message)
        return SendResult(ok=True, code="OK", detail=json.dumps({"msgid": res.get("msgid")}))

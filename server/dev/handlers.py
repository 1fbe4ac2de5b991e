"""Development-only endpoints (never routed when APP_ENV=production)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator

from server.core.validators import PHONE_RE
from server.db.database import Query
from server.db.tables import dev_sms
from server.web.auth_policy import PUBLIC
from server.web.base import ApiHandler, endpoint

_LATEST = Query(
    sa.select(dev_sms.c.template, dev_sms.c.params, dev_sms.c.text, dev_sms.c.created_at)
    .where(dev_sms.c.phone == sa.bindparam("phone"))
    .order_by(dev_sms.c.id.desc())
    .limit(50)
)


class DevSmsQuery(BaseModel):
    phone: str = Field(description="收件手机号")

    @field_validator("phone")
    @classmethod
    def _p(cls, v: str) -> str:
        if not PHONE_RE.match(v.strip()):
            raise ValueError("请输入正确的11位手机号")
        return v.strip()


class DevSmsHandler(ApiHandler):
    @endpoint(PUBLIC, query=DevSmsQuery, summary="开发环境：控制台短信通道发给某手机号的短信（最新在前）")
    async def get(self):
        rows = await self.db.fetchall(_LATEST, {"phone": self.query_args.phone})
        items = [{"template": r["template"], "params": json.loads(r["params"]), "text": r["text"],
                  "at": r["created_at"]} for r in rows]
        return {"items": items, "next_cursor": None}


ROUTES = [(r"/api/v1/dev/sms", DevSmsHandler)]

"""Development-only endpoints (never routed when APP_ENV=production)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from server.core.validators import PHONE_RE
from server.integrations.sms import console_messages
from server.web.auth_policy import PUBLIC
from server.web.base import ApiHandler, endpoint


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
        return {"items": await console_messages(self.db, self.query_args.phone), "next_cursor": None}


ROUTES = [(r"/api/v1/dev/sms", DevSmsHandler)]

"""HTTP for the PC-side system: signed, versioned upserts and the change feed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from server.core.validators import Day, check_code, check_id_number, check_phone
from server.sync import service
from server.web.auth_policy import SYNC
from server.web.base import ApiHandler, endpoint

EXTERNAL_ID = r"(?P<external_id>[A-Za-z0-9_.:-]{1,64})"
CARD_NO = r"(?P<card_no>[A-Za-z0-9-]{1,32})"


class HolderIn(BaseModel):
    version: int = Field(ge=1, le=2**62)
    name: str = Field(min_length=1, max_length=64)
    id_type: Literal["resident_id", "passport", "hk_macao_pass", "taiwan_pass", "foreign_permit"] = "resident_id"
    id_number: str = Field(min_length=4, max_length=32)
    phone: str | None = Field(default=None, max_length=20)
    employer_code: str | None = Field(default=None, max_length=64)

    @field_validator("id_number")
    @classmethod
    def _id(cls, v: str, info: ValidationInfo) -> str:
        # ASCII only, and a real 居民身份证 number when the type says so (was: "abcd" accepted)
        return check_id_number(v, info.data.get("id_type"))

    _phone = field_validator("phone")(check_phone)
    _code = field_validator("employer_code")(check_code)


class CardIn(BaseModel):
    version: int = Field(ge=1, le=2**62)
    holder_external_id: str = Field(min_length=1, max_length=64)
    level: Literal["A", "B", "C"]
    status: Literal["active", "disabled"]
    issued_at: Day
    valid_until: Day


class CardStatusIn(BaseModel):
    status: Literal["active", "disabled"]
    reason: str = Field(default="", max_length=200)


class EventsQuery(BaseModel):
    after: int = Field(default=0, ge=0, le=2**63 - 1, description="上一页的 next_cursor（事件编号）")
    limit: int = Field(default=100, ge=1, le=500)


class AppliedOut(BaseModel):
    applied: bool


class SyncHolderHandler(ApiHandler):
    @endpoint(SYNC, body=HolderIn, response=AppliedOut, summary="PC端推送持卡人（按版本幂等更新）")
    async def put(self, external_id):
        applied, created = await service.upsert_holder(self.deps, external_id, self.body_args)
        return _applied(self, applied, created)


class SyncCardHandler(ApiHandler):
    @endpoint(SYNC, body=CardIn, response=AppliedOut, summary="PC端推送英才卡（按版本幂等更新）")
    async def put(self, card_no):
        applied, created = await service.upsert_card(self.deps, card_no, self.body_args)
        return _applied(self, applied, created)


class SyncCardStatusHandler(ApiHandler):
    @endpoint(SYNC, body=CardStatusIn, summary="PC端启用/停用英才卡")
    async def post(self, card_no):
        b = self.body_args
        return await service.card_status(self.deps, card_no, b.status, b.reason)


class SyncEventsHandler(ApiHandler):
    @endpoint(SYNC, query=EventsQuery, summary="变更流：按游标拉取全部事件（不跳号）")
    async def get(self):
        return await service.pull_events(self.deps, self.query_args.after, self.query_args.limit)


def _applied(handler: ApiHandler, applied: bool, created: bool) -> dict:
    handler.response_status = 201 if created and applied else 200
    return {"applied": applied}


ROUTES = [
    (rf"/api/v1/sync/holders/{EXTERNAL_ID}", SyncHolderHandler),
    (rf"/api/v1/sync/cards/{CARD_NO}", SyncCardHandler),
    (rf"/api/v1/sync/cards/{CARD_NO}/status", SyncCardStatusHandler),
    (r"/api/v1/sync/events", SyncEventsHandler),
]

"""Inputs and answers of on-site verification: venue scans, holder check-ins, visits and statistics."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.core.pagination import PageQuery
from server.core.validators import Day, body_id

VerdictCode = Literal["ok", "card_disabled", "card_expired", "token_expired", "token_used", "token_invalid",
                      "not_eligible", "quota_exhausted", "venue_service_mismatch"]


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class VenueScanIn(_In):
    token: str = Field(min_length=1, max_length=256, description="持卡人动态二维码的内容")
    service_id: int | None = Field(default=None, description="服务编号；不填则为本场所的现场服务")

    _sid = field_validator("service_id", mode="before")(body_id)


class CheckinIn(_In):
    venue_code: str = Field(min_length=1, max_length=1000, description="扫描场所引导图二维码读到的全部内容（网址或编码）")
    service_id: int | None = Field(default=None, description="服务编号；不填则为该场所的现场服务")

    _sid = field_validator("service_id", mode="before")(body_id)


class CardQrIn(_In):
    # a dependent card (副卡) of the holder's own; absent: the holder's main card
    card_no: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9-]+$")


class NamedRef(BaseModel):
    id: str
    name: str


class ScanHolder(BaseModel):
    name_masked: str | None = None
    # a dependent card (副卡): the family member's relation to the main card's holder
    relation: str | None = None
    photo_url: str | None = None
    level: str


class _VerdictOut(BaseModel):
    """The verdict on a card at a venue: the clerk's scan and the holder's check-in."""

    verdict: VerdictCode
    message: str
    holder: ScanHolder | None = None
    service: NamedRef | None = None
    at: str


class VenueScanOut(_VerdictOut):
    card_no_masked: str | None = None
    venue: NamedRef
    visit_id: str


class CheckinOut(_VerdictOut):
    venue: NamedRef | None = None
    visit_id: str | None = None
    check_code: str | None = Field(default=None, description="校验码：工作人员与本场所当日核验记录比对")
    repeated: bool = Field(default=False, description="10分钟内的重复签到：沿用上一次的记录，不重复计次")




class VisitsQuery(PageQuery):
    date: Day | None = Field(default=None, description="日期（北京时间，YYYY-MM-DD），默认今天")
    limit: int = Field(default=50, ge=1, le=100)


class StatsQuery(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    group: Literal["day", "month"] = "day"
    venue_id: int | None = None
    # CST dates, both inclusive
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None

    _vid = field_validator("venue_id", mode="before")(body_id)

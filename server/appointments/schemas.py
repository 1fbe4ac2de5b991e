"""Inputs of the green-channel endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Field(pattern=r"^\d{1,18}$")
# a filter date: the ends of the calendar overflow the date arithmetic of a range (day after, CST→UTC)
FilterDate = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]
Status = Literal["submitted", "accepted", "prereviewed", "completed", "returned", "cancelled"]


class BookIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    service_id: str = Field(pattern=r"^\d{1,18}$")
    window_id: str = Field(pattern=r"^\d{1,18}$")
    content: str = Field(min_length=1, max_length=2000, description="预约需求")
    preferred_date: dt.date | None = None
    # upload ids: the service turns them into integers, so only ASCII digits pass
    attachments: list[Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]] = Field(default_factory=list, max_length=10)


class ResubmitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    content: str | None = Field(default=None, min_length=1, max_length=2000)
    window_id: str | None = Field(default=None, pattern=r"^\d{1,18}$")
    version: int = Field(ge=1)


class CancelIn(BaseModel):
    version: int | None = Field(default=None, ge=1)


class RatingIn(BaseModel):
    stars: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)


class StaffActionIn(BaseModel):
    action: Literal["accept", "prereview", "complete", "forward", "return"]
    opinion: str = Field(default="", max_length=1000)
    to_window_id: str | None = Field(default=None, pattern=r"^\d{1,18}$")
    version: int = Field(ge=1)


class MyListQuery(BaseModel):
    status: Status | None = None
    cursor: str | None = Field(default=None, pattern=r"^\d{1,18}$")
    limit: int = Field(default=20, ge=1, le=100)


class StaffListQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=True)

    status: Status | None = None
    service_id: str | None = Field(default=None, pattern=r"^\d{1,18}$")
    window_id: str | None = Field(default=None, pattern=r"^\d{1,18}$")
    district: str | None = Field(default=None, max_length=32)
    date_from: FilterDate | None = Field(default=None, alias="from")
    date_to: FilterDate | None = Field(default=None, alias="to")
    q: str | None = Field(default=None, max_length=64, description="申请人姓名或预约编号")
    overdue: bool | None = None
    cursor: str | None = Field(default=None, pattern=r"^\d{1,18}$")
    limit: int = Field(default=20, ge=1, le=100)


class SupervisionIn(BaseModel):
    window_id: str = Field(pattern=r"^\d{1,18}$")


class SubscriptionIn(BaseModel):
    template: Literal["appointment_progress"] = "appointment_progress"
    # wx.requestSubscribeMessage answered "accept": one more message may be sent
    accepted: bool = True

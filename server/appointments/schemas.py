"""Inputs of the green-channel endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.core.rules import Needs, RuledModel
from server.core.validators import Day, IdStr

# a wire upload id (uploads.service.FILE_ID_PATTERN)
FileId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Status = Literal["submitted", "accepted", "prereviewed", "completed", "returned", "cancelled"]


class BookIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    service_id: IdStr
    window_id: IdStr
    content: str = Field(min_length=1, max_length=2000, description="预约需求")
    preferred_date: Day | None = None
    attachments: list[FileId] = Field(default_factory=list, max_length=10)


class ResubmitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    content: str | None = Field(default=None, min_length=1, max_length=2000)
    window_id: IdStr | None = None
    version: int = Field(ge=1)


class CancelIn(BaseModel):
    # the version the holder saw: 400 without it, 409 when stale
    version: int = Field(ge=1, description="客户端看到的版本号（过期返回409 VERSION_CONFLICT）")


class RatingIn(BaseModel):
    stars: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)


class StaffActionIn(RuledModel):
    rules = (Needs("opinion", "请填写办理意见"),
             Needs("to_window_id", "请选择转办的目标窗口", when=("action", ("forward",))))

    action: Literal["accept", "prereview", "complete", "forward", "return"]
    opinion: str = Field(default="", max_length=1000)
    to_window_id: IdStr | None = None
    version: int = Field(ge=1)


class MyListQuery(BaseModel):
    status: Status | None = None
    cursor: IdStr | None = None
    limit: int = Field(default=20, ge=1, le=100)


class StaffListQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=True)

    status: Status | None = None
    service_id: IdStr | None = None
    window_id: IdStr | None = None
    district: str | None = Field(default=None, max_length=32)
    date_from: Day | None = Field(default=None, alias="from")
    date_to: Day | None = Field(default=None, alias="to")
    q: str | None = Field(default=None, max_length=64, description="申请人姓名或预约编号")
    overdue: bool | None = None
    # 已转办: what the caller's windows forwarded elsewhere (read-only for them)
    forwarded: bool | None = None
    cursor: IdStr | None = None
    limit: int = Field(default=20, ge=1, le=100)


class SupervisionIn(BaseModel):
    window_id: IdStr


class SubscriptionIn(BaseModel):
    template: Literal["appointment_progress"] = "appointment_progress"
    # wx.requestSubscribeMessage answered "accept": one more message may be sent
    accepted: bool = True

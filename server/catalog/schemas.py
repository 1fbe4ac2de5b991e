"""Inputs of the green-channel catalog (SPEC §5): services, service windows and their queries.

Create bodies require every mandatory field; update bodies (`PUT`) carry only what changes, and the
service layer checks the merged result (cross-field rules such as "appointment services need their
three step time limits") with the same `check_service` the create path uses.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from server.core.validators import LenientIdStr

CATEGORY_NAMES = {"onsite": "现场服务", "appointment": "预约服务", "project": "项目申报", "other": "其他服务"}
Category = Literal["onsite", "appointment", "project", "other"]
Level = Literal["A", "B", "C"]
Status = Literal["active", "inactive"]
# the steps of an appointment that have a time limit (办理时限), in hours
STEPS = ("submitted", "accepted", "prereviewed")
# orgs that run service windows (区市窗口和市直主管部门, seed 002 §4.2)
WINDOW_ORG_TYPES = ("city_hr", "district_hr", "city_dept")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


Id = LenientIdStr  # ASCII digits only (server.core.validators)


def no_control(v: str | None) -> str | None:
    """Single-line text: no control characters (NUL, newlines …)."""
    if v is not None and _CONTROL.search(v):
        raise ValueError("不能包含控制字符或换行")
    return v


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class EmptyIsAbsent(BaseModel):
    """Query mixin: pickers send `?district=&service_id=` for "any"; an empty value is no filter."""

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data


class StepLimits(_In):
    """办理时限 per step, in the service's `step_limit_unit` (hours, or 工作日; at most a year)."""

    submitted: int = Field(gt=0, le=8760, description="待受理时限（单位见step_limit_unit）")
    accepted: int = Field(gt=0, le=8760, description="待预审时限（单位见step_limit_unit）")
    prereviewed: int = Field(gt=0, le=8760, description="待办结时限（单位见step_limit_unit）")


# hours: hours that pass on working days (weekends and holidays stop the clock); working_days: 工作日
LimitUnit = Literal["hours", "working_days"]


def _dedupe_levels(v: list[str] | None) -> list[str] | None:
    return None if v is None else sorted(set(v))


class ServiceIn(_In):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9_]*$", description="服务编码（小写字母、数字、下划线）")
    name: str = Field(min_length=1, max_length=64)
    category: Category
    description: str = Field(default="", max_length=2000)
    eligible_levels: list[Level] = Field(min_length=1, max_length=3, description="可享受的英才卡类别")
    quota_per_year: int | None = Field(default=None, ge=1, le=9999, description="现场服务：每卡每年可用次数，空为不限")
    step_limits: StepLimits | None = Field(default=None, description="窗口办理的服务：各环节办理时限")
    step_limit_unit: LimitUnit = Field(default="hours", description="时限单位：hours（工作日内小时）或working_days（工作日）")
    status: Status = "active"
    sort: int | None = Field(default=None, ge=0, le=100000, description="排序，越小越靠前；缺省排在最后")

    _single_line = field_validator("code", "name")(no_control)
    _levels = field_validator("eligible_levels")(_dedupe_levels)


class ServiceUpdate(_In):
    """Only the fields sent change; `quota_per_year` and `step_limits` may be set to null."""

    code: str | None = Field(default=None, min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    name: str | None = Field(default=None, min_length=1, max_length=64)
    category: Category | None = None
    description: str | None = Field(default=None, max_length=2000)
    eligible_levels: list[Level] | None = Field(default=None, min_length=1, max_length=3)
    quota_per_year: int | None = Field(default=None, ge=1, le=9999)
    step_limits: StepLimits | None = None
    step_limit_unit: LimitUnit | None = None
    status: Status | None = None
    sort: int | None = Field(default=None, ge=0, le=100000)

    _single_line = field_validator("code", "name")(no_control)
    _levels = field_validator("eligible_levels")(_dedupe_levels)


class ServiceQuery(EmptyIsAbsent, _In):
    category: Category | None = None


class AdminServiceQuery(ServiceQuery):
    status: Status | None = None


# office numbers such as 0631-5200000, 400-123-4567, 0631-5200000转8001
PHONE_PATTERN = r"^[0-9+][0-9 -]{4,24}(转[0-9]{1,6})?$"


class WindowIn(_In):
    org_id: Id = Field(description="所属单位（区市人社局、市人社局或市直主管部门）")
    name: str = Field(min_length=1, max_length=128)
    district: str = Field(min_length=1, max_length=32)
    is_city: bool = Field(default=False, description="市级窗口：可查看全部窗口的业务并督办")
    contact_name: str = Field(min_length=1, max_length=32, description="服务专员")
    phone: str = Field(pattern=PHONE_PATTERN, max_length=32, description="办公电话（公开）")
    address: str = Field(min_length=1, max_length=255)
    hours: str = Field(min_length=1, max_length=128, description="办公时间")
    status: Status = "active"
    service_ids: list[Id] = Field(default_factory=list, max_length=200, description="本窗口办理的服务（替换原有）")
    staff_account_ids: list[Id] = Field(default_factory=list, max_length=200,
                                        description="窗口工作人员账号（须具有 window_staff 角色，替换原有）")

    _single_line = field_validator("name", "district", "contact_name", "address", "hours")(no_control)


class WindowUpdate(_In):
    """Only the fields sent change; `service_ids` / `staff_account_ids` replace the lists when sent."""

    org_id: Id | None = None
    name: str | None = Field(default=None, min_length=1, max_length=128)
    district: str | None = Field(default=None, min_length=1, max_length=32)
    is_city: bool | None = None
    contact_name: str | None = Field(default=None, min_length=1, max_length=32)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN, max_length=32)
    address: str | None = Field(default=None, min_length=1, max_length=255)
    hours: str | None = Field(default=None, min_length=1, max_length=128)
    status: Status | None = None
    service_ids: list[Id] | None = Field(default=None, max_length=200)
    staff_account_ids: list[Id] | None = Field(default=None, max_length=200)

    _single_line = field_validator("name", "district", "contact_name", "address", "hours")(no_control)


class WindowQuery(EmptyIsAbsent, _In):
    district: str | None = Field(default=None, max_length=32)
    service_id: Id | None = None


class AdminWindowQuery(WindowQuery):
    status: Status | None = None


# fields an update may not set to null
SERVICE_REQUIRED = ("code", "name", "category", "description", "eligible_levels", "status", "sort")
WINDOW_REQUIRED = ("org_id", "name", "district", "is_city", "contact_name", "phone", "address", "hours", "status",
                   "service_ids", "staff_account_ids")

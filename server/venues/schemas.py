"""Inputs of venue management."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.core.validators import PHONE_RE, body_id

VenueType = Literal["airport", "hospital", "station", "scenic", "other"]


def _ids(v: list | None) -> list[int] | None:
    if v is None:
        return None
    if not isinstance(v, list):
        raise ValueError("应为服务编号数组")
    out = [body_id(x) for x in v]
    if None in out:
        raise ValueError("服务编号格式不正确")
    return list(dict.fromkeys(out))


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class VenueIn(_In):
    name: str = Field(min_length=2, max_length=128)
    type: VenueType = "other"
    district: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=255)
    service_ids: list[int] = Field(default_factory=list, max_length=50, description="本场所提供的现场服务编号")

    _sids = field_validator("service_ids", mode="before")(_ids)


class VenueUpdateIn(_In):
    name: str | None = Field(default=None, min_length=2, max_length=128)
    type: VenueType | None = None
    district: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=255)
    status: Literal["active", "disabled"] | None = None
    service_ids: list[int] | None = Field(default=None, max_length=50)

    _sids = field_validator("service_ids", mode="before")(_ids)


class VenueStaffIn(_In):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=64, description="初始密码")
    phone: str | None = Field(default=None, max_length=20)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not PHONE_RE.match(v):
            raise ValueError("请输入正确的11位手机号")
        return v

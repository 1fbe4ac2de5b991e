"""Inputs of the resource listings (SPEC §7; seed 002 §4.6–4.8, §2.4.3)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.catalog.schemas import EmptyIsAbsent, no_control
from server.core.pagination import PageQuery

KIND_NAMES = {"demand": "企业需求", "project": "人才项目资源", "platform": "平台载体资源", "notice": "通报公告"}
Kind = Literal["demand", "project", "platform", "notice"]
Status = Literal["published", "draft", "archived"]
BODY_MAX = 20000


class ListingQuery(EmptyIsAbsent, PageQuery):
    kind: Kind | None = None
    q: str | None = Field(default=None, max_length=64, description="在标题和正文中查找")


class AdminListingQuery(ListingQuery):
    status: Status | None = None


def plain_text(v: str | None) -> str | None:
    """Multi-line text: line breaks and tabs are fine, NUL and other control characters are not."""
    if v is not None and any(ord(c) < 32 and c not in "\n\r\t" for c in v):
        raise ValueError("不能包含控制字符")
    return v


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class ListingIn(_In):
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    category: str | None = Field(default=None, max_length=64, description="分类，如 行业、项目级别、载体类型")
    body: str = Field(min_length=1, max_length=BODY_MAX)
    contact: str | None = Field(default=None, max_length=128, description="联系人及办公电话（公开）")
    status: Literal["published", "draft"] = "published"

    _single_line = field_validator("title", "category", "contact")(no_control)
    _text = field_validator("body")(plain_text)


class ListingUpdate(_In):
    """Only the fields sent change; `category` and `contact` may be set to null."""

    kind: Kind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = Field(default=None, max_length=64)
    body: str | None = Field(default=None, min_length=1, max_length=BODY_MAX)
    contact: str | None = Field(default=None, max_length=128)
    status: Status | None = None

    _single_line = field_validator("title", "category", "contact")(no_control)
    _text = field_validator("body")(plain_text)


# fields an update may not set to null
LISTING_REQUIRED = ("kind", "title", "body", "status")

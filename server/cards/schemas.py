"""Inputs of the administrators' card management."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.core.rules import Needs, RuledModel


class CardListQuery(BaseModel):
    status: Literal["active", "disabled", "expired"] | None = None
    level: Literal["A", "B", "C"] | None = None
    q: str | None = Field(default=None, max_length=64)
    cursor: str | None = Field(default=None, max_length=20)
    limit: int = Field(default=20, ge=1, le=100)


class CardStatusIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class CardDisableIn(CardStatusIn, RuledModel):
    rules = (Needs("reason", "请填写停用原因"),)

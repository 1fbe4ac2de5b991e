"""Keyset pagination: `?cursor=&limit=` with `limit` ≤ 100, answers `{items, next_cursor}`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PageQuery(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


def keyset_page(rows: list[dict], limit: int, render) -> dict:
    """`{items, next_cursor}` from rows fetched with LIMIT limit + 1, newest id first."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [render(r) for r in rows], "next_cursor": str(rows[-1]["id"]) if more and rows else None}

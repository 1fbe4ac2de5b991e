"""Resource listings (SPEC §7; seed 002 §4.6–4.8 and §2.4.3): 企业需求, 人才项目资源, 平台载体资源 and
通报公告, published by the administrators and browsed by everyone.

Lists page by id, newest first. Their statements are compiled once per shape (which filters are
present) and served by the indexes: `ix_listings_kind (kind, status, id)` when a kind is chosen, the
primary key (read backwards) otherwise. A search (`q`) is a LIKE on title and body within that range:
with a leading wildcard no B-tree index helps, so it reads rows newest first until a page is full;
fine at a city's few thousand entries (a FULLTEXT ngram index is the step beyond that).
DELETE archives: the entry leaves every public view but stays for the record and can be republished.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server import errors
from server.core.pagination import keyset_page
from server.core.timeutil import iso
from server.db.database import Query
from server.db.tables import listings
from server.events import catalog as event
from server.events import log as events
from server.listings.schemas import KIND_NAMES, LISTING_REQUIRED

SUMMARY_CHARS = 80

_L = listings.c
_GET = Query(sa.select(listings).where(_L.id == sa.bindparam("id")))
_GET_LOCK = Query(sa.select(listings).where(_L.id == sa.bindparam("id")).with_for_update())
_LIST_COLS = (_L.id, _L.kind, _L.title, _L.category, _L.contact, _L.published_at, _L.status, _L.updated_at,
              # enough of the body for the summary (room for collapsed line breaks), never the whole text
              sa.func.substr(_L.body, 1, 2 * SUMMARY_CHARS).label("head"))

_shapes: dict[tuple, Query] = {}


def list_query(*, kind: bool, status: bool, search: bool, cursor: bool) -> Query:
    """The page statement for one combination of filters, built and compiled once."""
    key = (kind, status, search, cursor)
    q = _shapes.get(key)
    if q is None:
        stmt = sa.select(*_LIST_COLS).order_by(_L.id.desc()).limit(sa.bindparam("n"))
        if kind:
            stmt = stmt.where(_L.kind == sa.bindparam("kind"))
        if status:
            stmt = stmt.where(_L.status == sa.bindparam("status"))
        if cursor:
            stmt = stmt.where(_L.id < sa.bindparam("cursor"))
        if search:
            stmt = stmt.where(sa.or_(_L.title.like(sa.bindparam("like"), escape="\\"),
                                     _L.body.like(sa.bindparam("like"), escape="\\")))
        q = _shapes[key] = Query(stmt)
    return q


def like_pattern(text: str) -> str:
    """`%text%` with the LIKE wildcards of the text itself taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def summary_of(body: str) -> str:
    """The first ~80 characters of a body on one line, with an ellipsis when there is more."""
    flat = " ".join(body.split())
    return flat if len(flat) <= SUMMARY_CHARS else flat[:SUMMARY_CHARS].rstrip() + "…"


def _item(row: dict, admin: bool) -> dict:
    out = {"id": str(row["id"]), "kind": row["kind"], "kind_name": KIND_NAMES.get(row["kind"], row["kind"]),
           "title": row["title"], "category": row["category"], "summary": summary_of(row["head"]),
           "contact": row["contact"], "published_at": iso(row["published_at"])}
    if admin:
        out["status"], out["updated_at"] = row["status"], iso(row["updated_at"])
    return out


def _full(row: dict, admin: bool) -> dict:
    out = _item({**row, "head": row["body"]}, admin)
    out["body"] = row["body"]
    if admin:
        out["created_at"] = iso(row["created_at"])
    return out


async def _page(db, *, kind: str | None, status: str | None, q: str | None, cursor: int | None, limit: int,
                admin: bool) -> dict:
    stmt = list_query(kind=bool(kind), status=bool(status), search=bool(q), cursor=cursor is not None)
    params: dict[str, Any] = {"n": limit + 1, "kind": kind, "status": status, "cursor": cursor,
                              "like": like_pattern(q) if q else None}
    rows = await db.fetchall(stmt, params)
    return keyset_page(rows, limit, lambda r: _item(r, admin))


async def list_published(db, *, kind: str | None, q: str | None, cursor: int | None, limit: int) -> dict:
    """Published listings, newest first, optionally of one kind and matching `q` in title or body."""
    return await _page(db, kind=kind, status="published", q=q, cursor=cursor, limit=limit, admin=False)


async def get_published(db, listing_id: int) -> dict:
    """One published listing with its full body."""
    row = await db.fetchone(_GET, {"id": listing_id})
    if row is None or row["status"] != "published":
        raise errors.NotFound("信息不存在或已下架")
    return _full(row, admin=False)


async def admin_list(db, *, kind: str | None, status: str | None, q: str | None, cursor: int | None,
                     limit: int) -> dict:
    """Every listing (drafts and archived ones too unless `status` says), newest first."""
    return await _page(db, kind=kind, status=status, q=q, cursor=cursor, limit=limit, admin=True)


async def admin_get(db, listing_id: int) -> dict:
    """One listing whatever its status."""
    row = await db.fetchone(_GET, {"id": listing_id})
    if row is None:
        raise errors.NotFound("信息不存在")
    return _full(row, admin=True)


async def create(deps, values: dict[str, Any], actor_id: int) -> dict:
    """Publish (or save as a draft) a listing from a validated `ListingIn` dump."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        listing_id = await tx.insert(listings, {**values, "published_at": now, "created_by": actor_id,
                                                "created_at": now, "updated_at": now})
        row = await tx.fetchone(_GET, {"id": listing_id})
        await events.record(tx, event.listing_created(row, by=actor_id), now=now)
    return _full(row, admin=True)


async def update(deps, listing_id: int, changes: dict[str, Any], actor_id: int) -> dict:
    """Change the fields sent (`ListingUpdate` dump, unset fields left out). A draft that is
    published gets today's publication date; an archived entry put back keeps its original date."""
    nulls = {k: "不能为空" for k in LISTING_REQUIRED if k in changes and changes[k] is None}
    if nulls:
        raise errors.InvalidRequest.fields(nulls, errors.CHECK_FIELDS)
    now = deps.clock()
    async with deps.db.transaction() as tx:
        current = await tx.fetchone(_GET_LOCK, {"id": listing_id})
        if current is None:
            raise errors.NotFound("信息不存在")
        values = dict(changes)
        if changes.get("status") == "published" and current["status"] == "draft":
            values["published_at"] = now
        await tx.execute(listings.update().where(_L.id == listing_id).values(**values, updated_at=now))
        row = await tx.fetchone(_GET, {"id": listing_id})
        await events.record(tx, event.listing_updated(row, fields=changes, by=actor_id), now=now)
    return _full(row, admin=True)


async def archive(deps, listing_id: int, actor_id: int) -> None:
    """DELETE: take a listing off every public view (status `archived`); repeating it is harmless."""
    now = deps.clock()
    async with deps.db.transaction() as tx:
        current = await tx.fetchone(_GET_LOCK, {"id": listing_id})
        if current is None:
            raise errors.NotFound("信息不存在")
        if current["status"] == "archived":
            return
        await tx.execute(listings.update().where(_L.id == listing_id).values(status="archived", updated_at=now))
        await events.record(tx, event.listing_archived(current, by=actor_id), now=now)

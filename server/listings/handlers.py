"""HTTP for the resource listings: public browsing and search, administration."""

from __future__ import annotations

from server.core.validators import parse_cursor, parse_id
from server.listings import schemas as s
from server.listings import service
from server.web.auth_policy import PUBLIC, roles
from server.web.base import ApiHandler, endpoint

ADMIN = roles("admin")


class ListingsHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.ListingQuery, summary="企业需求、人才项目资源、平台载体资源、通报公告（已发布，可搜索）")
    async def get(self):
        q = self.query_args
        return await service.list_published(self.db, kind=q.kind, q=q.q, cursor=parse_cursor(q.cursor), limit=q.limit)


class ListingHandler(ApiHandler):
    @endpoint(PUBLIC, summary="信息详情（全文）")
    async def get(self, listing_id):
        return await service.get_published(self.db, parse_id(listing_id, "信息"))


class AdminListingsHandler(ApiHandler):
    @endpoint(ADMIN, query=s.AdminListingQuery, summary="信息发布管理列表（含草稿、已下架）")
    async def get(self):
        q = self.query_args
        return await service.admin_list(self.db, kind=q.kind, status=q.status, q=q.q, cursor=parse_cursor(q.cursor),
                                        limit=q.limit)

    @endpoint(ADMIN, body=s.ListingIn, status=201, idempotent=True, summary="发布信息（或存为草稿）")
    async def post(self):
        return await service.create(self.deps, self.body_args.model_dump(), self.principal.id)


class AdminListingHandler(ApiHandler):
    @endpoint(ADMIN, summary="信息详情（管理员，任意状态）")
    async def get(self, listing_id):
        return await service.admin_get(self.db, parse_id(listing_id, "信息"))

    @endpoint(ADMIN, body=s.ListingUpdate, summary="修改信息（只改所传字段；status 可设为 published/draft/archived）")
    async def put(self, listing_id):
        return await service.update(self.deps, parse_id(listing_id, "信息"), self.body_args.model_dump(exclude_unset=True),
                                    self.principal.id)

    @endpoint(ADMIN, status=204, summary="下架信息（归档，不物理删除；可再改回 published）")
    async def delete(self, listing_id):
        await service.archive(self.deps, parse_id(listing_id, "信息"), self.principal.id)


ROUTES = [
    (r"/api/v1/listings", ListingsHandler),
    (r"/api/v1/listings/(?P<listing_id>[^/]+)", ListingHandler),
    (r"/api/v1/admin/listings", AdminListingsHandler),
    (r"/api/v1/admin/listings/(?P<listing_id>[^/]+)", AdminListingHandler),
]

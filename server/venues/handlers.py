"""HTTP for venue management (administrators): venues, their services and staff, guide posters."""

from __future__ import annotations

from server.core.pagination import PageQuery
from server.core.validators import parse_cursor, parse_id
from server.venues import service
from server.venues.schemas import VenueIn, VenueStaffIn, VenueUpdateIn
from server.web.auth_policy import roles
from server.web.base import ApiHandler, Raw, endpoint

ADMIN = roles("admin")


def parse_venue_id(raw: str) -> int:
    return parse_id(raw, "服务场所")


def linked(view: dict) -> dict:
    """A venue as answered: with the address of its guide poster (AdminVenuePosterHandler)."""
    return {**view, "poster_url": f"/api/v1/admin/venues/{view['id']}/poster.png"}


class AdminVenuesHandler(ApiHandler):
    @endpoint(ADMIN, query=PageQuery, summary="服务场所列表（含提供的现场服务、工作人员数、签到网址）")
    async def get(self):
        q = self.query_args
        page = await service.list_venues(self.deps, cursor=parse_cursor(q.cursor), limit=q.limit)
        return {**page, "items": [linked(v) for v in page["items"]]}

    @endpoint(ADMIN, body=VenueIn, status=201, idempotent=True, summary="新增服务场所及其提供的现场服务")
    async def post(self):
        return linked(await service.create_venue(self.deps, self.body_args, now=self.now()))


class AdminVenueHandler(ApiHandler):
    @endpoint(ADMIN, summary="服务场所详情")
    async def get(self, venue_id):
        return linked(await service.get_venue(self.deps, parse_venue_id(venue_id)))

    @endpoint(ADMIN, body=VenueUpdateIn, summary="修改服务场所（service_ids 给出时替换其提供的现场服务）")
    async def put(self, venue_id):
        return linked(await service.update_venue(self.deps, parse_venue_id(venue_id), self.body_args, now=self.now()))


class AdminVenueStaffHandler(ApiHandler):
    @endpoint(ADMIN, summary="服务场所的工作人员账号")
    async def get(self, venue_id):
        return await service.list_staff(self.deps, parse_venue_id(venue_id))

    @endpoint(ADMIN, body=VenueStaffIn, status=201, idempotent=True,
              summary="为服务场所新建工作人员账号（角色 venue_staff，初始密码）")
    async def post(self, venue_id):
        return await service.add_staff(self.deps, parse_venue_id(venue_id), self.body_args, now=self.now())


class AdminVenuePosterHandler(ApiHandler):
    @endpoint(ADMIN, produces="image/png",
              summary="服务场所引导图（A5竖版PNG，含签到二维码）；无中文字体时503 POSTER_FONT_MISSING")
    async def get(self, venue_id):
        png, filename = await service.poster_png(self.deps, parse_venue_id(venue_id))
        return Raw(png, "image/png", filename=filename)


ROUTES = [
    (r"/api/v1/admin/venues", AdminVenuesHandler),
    (r"/api/v1/admin/venues/(?P<venue_id>[^/]+)", AdminVenueHandler),
    (r"/api/v1/admin/venues/(?P<venue_id>[^/]+)/staff", AdminVenueStaffHandler),
    (r"/api/v1/admin/venues/(?P<venue_id>[^/]+)/poster\.png", AdminVenuePosterHandler),
]

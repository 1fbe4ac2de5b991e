"""HTTP for the console's application management: the routing table (荣誉称号 → 主管部门) and the route
preview (administrators), and the reviewers' 人才管理 list of what their org has acted on."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.applications import processed, titles
from server.core.pagination import PageQuery
from server.core.validators import body_id, filter_date, parse_cursor, parse_id
from server.web.auth_policy import roles
from server.web.base import ApiHandler, Raw, endpoint

ADMIN = roles("admin")


class TitleQuery(PageQuery):
    q: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=100, ge=1, le=100)


class TitleIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str = Field(min_length=1, max_length=128, description="荣誉称号全称")
    org_id: int = Field(description="主管部门（市直部门）编号")

    _org = field_validator("org_id", mode="before")(body_id)


class RoutePreviewIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    honor_title: str | None = Field(default=None, max_length=128)
    employer_code: str | None = Field(default=None, max_length=64, description="单位关联代码")
    employer_name: str | None = Field(default=None, max_length=128)
    employer_district: str | None = Field(default=None, max_length=32)
    is_city_level: bool | None = Field(default=None, description="是否市直单位")


class HonorTitlesHandler(ApiHandler):
    @endpoint(ADMIN, query=TitleQuery, summary="荣誉称号与主管部门（申领审核路由表）")
    async def get(self):
        q = self.query_args
        return await titles.list_titles(self.db, q=q.q, cursor=parse_cursor(q.cursor), limit=q.limit)

    @endpoint(ADMIN, body=TitleIn, status=201, idempotent=True, summary="新增荣誉称号及其主管部门")
    async def post(self):
        return await titles.create_title(self.db, title=self.body_args.title, org_id=self.body_args.org_id)


class HonorTitleHandler(ApiHandler):
    @endpoint(ADMIN, body=TitleIn, summary="修改荣誉称号或其主管部门（之后提交的申请按新路由）")
    async def put(self, title_id):
        b = self.body_args
        return await titles.update_title(self.db, parse_id(title_id, "荣誉称号"), title=b.title, org_id=b.org_id)

    @endpoint(ADMIN, status=204, summary="删除荣誉称号（已提交的申请保留原路由）")
    async def delete(self, title_id):
        await titles.delete_title(self.db, parse_id(title_id, "荣誉称号"))


class RoutePreviewHandler(ApiHandler):
    @endpoint(ADMIN, body=RoutePreviewIn, summary="审核路由预览：与提交申请时使用同一路由函数")
    async def post(self):
        b = self.body_args
        return await titles.preview_route(self.db, honor_title=b.honor_title, employer_code=b.employer_code,
                                          employer_name=b.employer_name, employer_district=b.employer_district,
                                          is_city_level=b.is_city_level)


class ProcessedQuery(PageQuery):
    action: Literal["approve", "return", "reject"] | None = Field(default=None, description="本单位最后一次办理")
    type: Literal["new", "renew", "replace", "change"] | None = None
    from_: dt.date | None = Field(default=None, alias="from", description="办理日期起（北京时间，含）")
    to: dt.date | None = Field(default=None, description="办理日期止（北京时间，含）")
    q: str | None = Field(default=None, max_length=64, description="受理编号或申请人姓名")

    _dates = field_validator("from_", "to")(filter_date)


def _filters(q: ProcessedQuery) -> dict:
    return {"action": q.action, "type_": q.type, "first": q.from_, "last": q.to, "q": q.q}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProcessedHandler(ApiHandler):
    @endpoint(roles("reviewer"), query=ProcessedQuery,
              summary="人才管理：本单位办理过的申请及本单位最后一次办理（结果、意见、时间）")
    async def get(self):
        q = self.query_args
        return await processed.processed(self.db, self.principal.org_id, cursor=parse_cursor(q.cursor), limit=q.limit,
                                         **_filters(q))


class ProcessedExportHandler(ApiHandler):
    @endpoint(roles("reviewer"), query=ProcessedQuery, produces=XLSX, summary="导出人才管理列表（.xlsx）")
    async def get(self):
        body = await processed.export_processed(self.db, self.principal.org_id, executor=self.deps.executor,
                                                **_filters(self.query_args))
        return Raw(body, XLSX, filename="人才管理.xlsx")


ROUTES = [
    (r"/api/v1/review/processed", ProcessedHandler),
    (r"/api/v1/review/processed/export\.xlsx", ProcessedExportHandler),
    (r"/api/v1/admin/honor-titles", HonorTitlesHandler),
    (r"/api/v1/admin/honor-titles/(?P<title_id>[^/]+)", HonorTitleHandler),
    (r"/api/v1/admin/routing/preview", RoutePreviewHandler),
]

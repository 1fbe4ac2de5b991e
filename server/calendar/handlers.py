"""HTTP for the working-day calendar (administrators)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.calendar import service
from server.web.auth_policy import roles
from server.web.base import ApiHandler, endpoint

ADMIN = roles("admin")


class CalendarQuery(BaseModel):
    year: int = Field(ge=2000, le=2100, description="年份")


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    # holiday 放假 / workday 调休上班 / normal 按星期（周一至周五上班）
    kind: Literal["holiday", "workday", "normal"]
    note: str | None = Field(default=None, max_length=64, description="说明，如“国庆节”“国庆调休上班”")


class CalendarHandler(ApiHandler):
    @endpoint(ADMIN, query=CalendarQuery, summary="工作日历：某年每一天是否工作日（放假、调休上班、按星期）")
    async def get(self):
        return await service.year_view(self.db, self.query_args.year)


class CalendarDayHandler(ApiHandler):
    @endpoint(ADMIN, body=CalendarDayIn, summary="设置某天为放假、调休上班或按星期；办理时限与督办随之计算")
    async def put(self, day):
        b = self.body_args
        return await service.set_day(self.deps, service.parse_day(day), b.kind, b.note, self.principal.id)


ROUTES = [
    (r"/api/v1/admin/calendar", CalendarHandler),
    (r"/api/v1/admin/calendar/(?P<day>[^/]+)", CalendarDayHandler),
]

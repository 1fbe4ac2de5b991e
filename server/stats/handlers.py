"""HTTP for the console's statistics (administrators), each with an .xlsx variant."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.core.validators import filter_date
from server.stats import service
from server.web.auth_policy import roles
from server.web.base import ApiHandler, Raw, endpoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN = roles("admin")


class RangeQuery(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    # China-time dates, both inclusive
    from_: dt.date | None = Field(default=None, alias="from", description="开始日期（北京时间，含）")
    to: dt.date | None = Field(default=None, description="结束日期（北京时间，含）")

    _dates = field_validator("from_", "to")(filter_date)


class AppointmentStatsQuery(RangeQuery):
    group: Literal["day", "month"] = "day"
    by: Literal["status", "service", "window", "district"] = "status"


async def _appointments(h):
    q = h.query_args
    return await service.appointment_stats(h.db, group=q.group, by=q.by, first=q.from_, last=q.to, now=h.now())


async def _ratings(h):
    q = h.query_args
    return await service.rating_stats(h.db, first=q.from_, last=q.to, now=h.now())


async def _overdue(h):
    q = h.query_args
    return await service.overdue_stats(h.db, first=q.from_, last=q.to, now=h.now())


async def _cards(h):
    return await service.card_stats(h.db, now=h.now())


async def _applications(h):
    q = h.query_args
    return await service.application_stats(h.db, first=q.from_, last=q.to, now=h.now())


def _pair(kind: str, title: str, query, compute, doc: str):
    """The JSON statistics handler and its .xlsx twin, computed by the same function."""

    class Json(ApiHandler):
        @endpoint(ADMIN, query=query, summary=doc)
        async def get(self):
            return await compute(self)

    class Xlsx(ApiHandler):
        @endpoint(ADMIN, query=query, produces=XLSX, summary=f"导出{title}（.xlsx）")
        async def get(self):
            body = await service.export(self.deps.executor, kind, await compute(self))
            return Raw(body, XLSX, filename=f"{title}.xlsx")

    Json.__name__ = Json.__qualname__ = f"{kind.title()}StatsHandler"
    Xlsx.__name__ = Xlsx.__qualname__ = f"{kind.title()}StatsExportHandler"
    return [(rf"/api/v1/admin/stats/{kind}", Json), (rf"/api/v1/admin/stats/{kind}\.xlsx", Xlsx)]


class NoQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")


ROUTES = [
    *_pair("appointments", "预约统计", AppointmentStatsQuery, _appointments,
           "预约统计：按日或按月，按状态、服务、窗口或区市分组"),
    *_pair("ratings", "评价统计", RangeQuery, _ratings, "评价统计：各窗口评价数、平均星级、星级分布、最新20条评价"),
    *_pair("overdue", "超期统计", RangeQuery, _overdue, "超期统计：各窗口预约数、当前超期数与超期率"),
    *_pair("cards", "英才卡统计", NoQuery, _cards, "英才卡统计：按等级、按状态"),
    *_pair("applications", "申领统计", RangeQuery, _applications, "申领统计：按类型、审核环节、结果"),
]

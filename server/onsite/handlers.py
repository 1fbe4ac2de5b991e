"""HTTP for on-site verification: the holder's dynamic card QR, the clerk's scan, the holder's
check-in at a venue poster, the venue's visit log and the administrators' statistics."""

from __future__ import annotations

from server import errors
from server.cards import service as cards
from server.core.timeutil import iso
from server.core.validators import parse_cursor
from server.onsite import qr, service, visits
from server.onsite.schemas import CardQrIn, CheckinIn, CheckinOut, StatsQuery, VenueScanIn, VenueScanOut, VisitsQuery
from server.web.auth_policy import roles
from server.web.base import ApiHandler, Raw, endpoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CardQrHandler(ApiHandler):
    @endpoint(roles("holder"), body=CardQrIn,
              summary="动态二维码：30秒刷新，一次有效，不含个人信息（card_no：出示本人名下的副卡）")
    async def post(self):
        now = self.now()
        if self.body_args.card_no:  # a dependent card (副卡) of the holder's own
            card = await cards.require_active_dependent(self.db, self.principal.id, self.body_args.card_no, now)
        else:
            card = await cards.require_active_card(self.db, self.principal.id, now)  # live: no cache
        cfg = self.config
        out = qr.issue(card["id"], now, cfg.qr_keys, cfg.qr_active_key)
        return {"token": out["token"], "expires_at": iso(out["expires_at"]),
                "refresh_in_seconds": out["refresh_in_seconds"]}


class VenueScanHandler(ApiHandler):
    @endpoint(roles("venue_staff"), body=VenueScanIn, response=VenueScanOut, idempotent=True,
              summary="场所工作人员扫描持卡人动态二维码：总是200并给出核验结论（verdict），每次扫码均记录")
    async def post(self):
        b = self.body_args
        return await service.scan(self.db, staff=self.principal, token=b.token, service_id=b.service_id,
                                  now=self.now(), keys=self.config.qr_keys, links=self.deps.upload_links)


class CheckinHandler(ApiHandler):
    @endpoint(roles("holder"), body=CheckinIn, response=CheckinOut, idempotent=True,
              summary="持卡人扫描场所引导图签到：给出核验结论与校验码，每次签到均记录")
    async def post(self):
        b = self.body_args
        return await service.checkin(self.db, holder=self.principal, text=b.venue_code, service_id=b.service_id,
                                     now=self.now(), keys=self.config.qr_keys, links=self.deps.upload_links)


class VenueVisitsHandler(ApiHandler):
    @endpoint(roles("venue_staff"), query=VisitsQuery, summary="本场所某日（默认今天）的核验记录，最新在前，持卡人信息脱敏")
    async def get(self):
        q = self.query_args
        venue = await service.staff_venue(self.db, self.principal.org_id)
        if venue is None:
            raise errors.NotVenueStaff()
        out = await visits.venue_day(self.db, venue_id=venue["id"], day=q.date, cursor=parse_cursor(q.cursor),
                                     limit=q.limit, now=self.now())
        out["venue"] = {"id": str(venue["id"]), "name": venue["name"]}
        return out


class VisitStatsHandler(ApiHandler):
    @endpoint(roles("admin"), query=StatsQuery,
              summary="现场服务使用统计：按日或按月、场所、服务的通过与未通过次数（查询参数 from、to 为北京时间日期）")
    async def get(self):
        q = self.query_args
        return await visits.visit_stats(self.db, group=q.group, venue_id=q.venue_id, first=q.from_, last=q.to,
                                        now=self.now())


class VisitStatsExportHandler(ApiHandler):
    @endpoint(roles("admin"), query=StatsQuery, produces=XLSX, summary="导出现场服务使用统计（.xlsx）")
    async def get(self):
        q = self.query_args
        body = await visits.export_stats(self.db, self.deps.executor, group=q.group, venue_id=q.venue_id,
                                         first=q.from_, last=q.to, now=self.now())
        return Raw(body, XLSX, filename="现场服务使用统计.xlsx")


ROUTES = [
    (r"/api/v1/me/card/qr", CardQrHandler),
    (r"/api/v1/venue/scan", VenueScanHandler),
    (r"/api/v1/venue/visits", VenueVisitsHandler),
    (r"/api/v1/onsite/checkin", CheckinHandler),
    (r"/api/v1/admin/stats/visits", VisitStatsHandler),
    (r"/api/v1/admin/stats/visits\.xlsx", VisitStatsExportHandler),
]

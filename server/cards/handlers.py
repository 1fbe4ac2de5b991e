"""HTTP for the holder's card and the administrators' card management."""

from __future__ import annotations

from server.accounts import me
from server.cards import service
from server.cards.schemas import CardDisableIn, CardListQuery, CardStatusIn
from server.core.validators import parse_cursor
from server.web.auth_policy import roles
from server.web.base import ApiHandler, Raw, endpoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MyCardHandler(ApiHandler):
    @endpoint(roles("holder"), summary="我的英才卡（状态实时）")
    async def get(self):
        return await me.my_card(self.deps, self.principal.id)


class AdminCardsHandler(ApiHandler):
    @endpoint(roles("admin"), query=CardListQuery, summary="英才卡列表（筛选、分页）")
    async def get(self):
        q = self.query_args
        return await service.list_cards(self.db, status=q.status, level=q.level, q=q.q, cursor=parse_cursor(q.cursor),
                                        limit=q.limit, now=self.now())


class AdminCardsExportHandler(ApiHandler):
    @endpoint(roles("admin"), query=CardListQuery, produces=XLSX, summary="导出英才卡列表（.xlsx）")
    async def get(self):
        q = self.query_args
        body = await service.export_cards(self.db, status=q.status, level=q.level, q=q.q, now=self.now(),
                                          executor=self.deps.executor)
        return Raw(body, XLSX, filename="英才卡列表.xlsx")


class AdminCardDetailHandler(ApiHandler):
    @endpoint(roles("admin"), summary="英才卡详情：持卡人（脱敏）、状态变更记录（原因、操作人）、最近50次现场核验")
    async def get(self, card_no):
        return await service.card_detail(self.db, card_no, self.now(), self.deps.upload_links)


class AdminCardDisableHandler(ApiHandler):
    @endpoint(roles("admin"), body=CardDisableIn, summary="停用英才卡：立即停止一切绿色通道服务")
    async def post(self, card_no):
        return await service.set_status(self.db, card_no=card_no, status="disabled", reason=self.body_args.reason,
                                        actor=self.principal.name, now=self.now())


class AdminCardEnableHandler(ApiHandler):
    @endpoint(roles("admin"), body=CardStatusIn, summary="启用英才卡")
    async def post(self, card_no):
        return await service.set_status(self.db, card_no=card_no, status="active", reason=self.body_args.reason,
                                        actor=self.principal.name, now=self.now())


ROUTES = [
    (r"/api/v1/me/card", MyCardHandler),
    (r"/api/v1/admin/cards", AdminCardsHandler),
    (r"/api/v1/admin/cards/export\.xlsx", AdminCardsExportHandler),
    (r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})", AdminCardDetailHandler),
    (r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/disable", AdminCardDisableHandler),
    (r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/enable", AdminCardEnableHandler),
]

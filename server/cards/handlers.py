"""HTTP for the holder's card and the administrators' card management."""

from __future__ import annotations

from server import errors
from server.accounts.service import ME_EXTENSIONS
from server.applications.handlers import cursor_id
from server.applications.schemas import CardDisableIn, CardListQuery, CardStatusIn
from server.cards import service
from server.web.auth_policy import roles
from server.web.base import ApiHandler, Raw, endpoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MyCardHandler(ApiHandler):
    @endpoint(roles("holder"), summary="我的英才卡（状态实时）")
    async def get(self):
        card, dependents = await service.holder_cards(self.db, self.principal.id)
        if card is None:
            raise errors.NoCard()
        out = service.card_summary(card, service.today_cst(self.now()))
        out["status_reason"] = card["status_reason"] if card["status"] == "disabled" else None
        out["holder"] = {"name": card["holder_name"], "id_number_masked": card["id_number_masked"],
                         "photo_url": self.deps.upload_links.url(card["photo_file_id"])}
        today = service.today_cst(self.now())
        out["dependents"] = [service.dependent_summary(d, today) for d in dependents]
        out["quotas"] = []
        for extend in CARD_EXTENSIONS:
            await extend(self, card, out)
        return out


# features that add to GET /me/card (on-site quotas) append async callables (handler, card, out)
CARD_EXTENSIONS: list = []


class AdminCardsHandler(ApiHandler):
    @endpoint(roles("admin"), query=CardListQuery, summary="英才卡列表（筛选、分页）")
    async def get(self):
        q = self.query_args
        return await service.list_cards(self.db, status=q.status, level=q.level, q=q.q, cursor=cursor_id(q.cursor),
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
        return await service.card_detail(self.db, card_no, self.now())


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


async def _me_card(deps, account, out):
    """GET /me: the card summary of a holder."""
    if "holder" not in account["roles"].split(","):
        return
    card = await service.holder_card(deps.db, account["id"])
    out["card"] = service.card_summary(card, service.today_cst(deps.clock())) if card else None


ME_EXTENSIONS.append(_me_card)


ROUTES = [
    (r"/api/v1/me/card", MyCardHandler),
    (r"/api/v1/admin/cards", AdminCardsHandler),
    (r"/api/v1/admin/cards/export\.xlsx", AdminCardsExportHandler),
    (r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})", AdminCardDetailHandler),
    (r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/disable", AdminCardDisableHandler),
    (r"/api/v1/admin/cards/(?P<card_no>[A-Za-z0-9-]{1,32})/enable", AdminCardEnableHandler),
]

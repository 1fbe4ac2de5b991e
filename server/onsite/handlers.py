"""HTTP for on-site verification: the holder's dynamic card QR."""

from __future__ import annotations

from server.cards import service as cards
from server.onsite import qr
from server.web.auth_policy import roles
from server.web.base import ApiHandler, endpoint
from server.web.jsonutil import iso


class CardQrHandler(ApiHandler):
    @endpoint(roles("holder"), summary="动态二维码：30秒刷新，一次有效，不含个人信息")
    async def post(self):
        now = self.now()
        card = await cards.require_active_card(self.db, self.principal.id, now)  # live: no cache
        cfg = self.config
        out = qr.issue(card["id"], now, cfg.qr_keys, cfg.qr_active_key)
        return {"token": out["token"], "expires_at": iso(out["expires_at"]),
                "refresh_in_seconds": out["refresh_in_seconds"]}


ROUTES = [(r"/api/v1/me/card/qr", CardQrHandler)]

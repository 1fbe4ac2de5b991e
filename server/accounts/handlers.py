"""HTTP for the caller's own account and for account administration."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.accounts import service
from server.auth import schemas as s
from server.auth import service as auth_service
from server.web.auth_policy import LOGGED_IN, roles
from server.web.base import ApiHandler, endpoint
from server.web.pagination import PageQuery
from server.web.validators import parse_cursor, parse_id


class MeHandler(ApiHandler):
    @endpoint(LOGGED_IN, response=s.MeOut, summary="当前登录用户（手机号、证件号脱敏）")
    async def get(self):
        return await service.me(self.deps, self.principal.id)


class MePasswordHandler(ApiHandler):
    @endpoint(LOGGED_IN, body=s.ChangePasswordIn, status=204, summary="修改密码（其他设备上的登录随之失效）")
    async def post(self):
        b = self.body_args
        await auth_service.change_password(self.deps, account_id=self.principal.id,
                                           session_id=self.principal.session_id, old_password=b.old_password,
                                           new_password=b.new_password, confirm_password=b.confirm_password)


class AccountListQuery(PageQuery):
    role: Literal["holder", "window_staff", "reviewer", "venue_staff", "admin", "employer"] | None = None
    status: Literal["active", "disabled"] | None = None
    q: str | None = Field(default=None, max_length=64)


class AccountStatusIn(BaseModel):
    reason: str = Field(default="", max_length=200)


def _cursor(raw: str | None) -> int | None:
    return parse_cursor(raw)


def _account_id(raw: str) -> int:
    return parse_id(raw, "账号")


class AdminAccountsHandler(ApiHandler):
    @endpoint(roles("admin"), query=AccountListQuery, summary="账号列表（管理员）")
    async def get(self):
        q = self.query_args
        return await service.list_accounts(self.db, role=q.role, q=q.q, status=q.status,
                                           cursor=_cursor(q.cursor), limit=q.limit)


class AdminAccountDisableHandler(ApiHandler):
    @endpoint(roles("admin"), body=AccountStatusIn, summary="停用账号：其所有登录立即失效")
    async def post(self, account_id):
        return await service.set_account_status(self.db, account_id=_account_id(account_id), status="disabled",
                                                now=self.now(), actor_id=self.principal.id)


class AdminAccountEnableHandler(ApiHandler):
    @endpoint(roles("admin"), body=AccountStatusIn, summary="启用账号")
    async def post(self, account_id):
        return await service.set_account_status(self.db, account_id=_account_id(account_id), status="active",
                                                now=self.now(), actor_id=self.principal.id)


ROUTES = [
    (r"/api/v1/me", MeHandler),
    (r"/api/v1/me/password", MePasswordHandler),
    (r"/api/v1/admin/accounts", AdminAccountsHandler),
    (r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/disable", AdminAccountDisableHandler),
    (r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/enable", AdminAccountEnableHandler),
]

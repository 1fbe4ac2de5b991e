"""HTTP for the caller's own account and for account administration."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.accounts import admin, me, service
from server.auth import schemas as s
from server.auth import service as auth_service
from server.core.pagination import PageQuery
from server.core.validators import body_id, parse_cursor, parse_id
from server.web.auth_policy import LOGGED_IN, roles
from server.web.base import ApiHandler, endpoint


class MeHandler(ApiHandler):
    @endpoint(LOGGED_IN, response=s.MeOut, summary="当前登录用户（手机号、证件号脱敏）")
    async def get(self):
        return await me.me(self.deps, self.principal.id)


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


def _many_ids(v):
    if v is None:
        return []
    if not isinstance(v, list) or len(v) > 50:
        raise ValueError("应为编号数组（不超过50个）")
    return [body_id(x) for x in v if body_id(x) is not None]


Role = Literal["holder", "window_staff", "reviewer", "venue_staff", "admin"]


class AccountScopeIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    phone: str | None = Field(default=None, max_length=20)
    roles: list[Role] = Field(min_length=1, max_length=5)
    org_id: int | None = Field(default=None, description="所属单位（审核人员必填）")
    window_ids: list[int] = Field(default_factory=list, description="服务窗口（窗口人员必填）")
    venue_id: int | None = Field(default=None, description="服务场所（场所人员必填）")

    _org = field_validator("org_id", "venue_id", mode="before")(body_id)
    _win = field_validator("window_ids", mode="before")(_many_ids)


class AccountUpdateIn(AccountScopeIn):
    version: int | None = Field(default=None, description="账号版本；过期则 409 VERSION_CONFLICT")


class AccountCreateIn(AccountScopeIn):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class ResetPasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str = Field(min_length=1, max_length=128)


class OrgListQuery(BaseModel):
    kind: Literal["city_hr", "district_hr", "city_dept", "employer", "venue"] | None = None


class AdminAccountsHandler(ApiHandler):
    @endpoint(roles("admin"), query=AccountListQuery, summary="账号列表（管理员；q 匹配用户名、姓名或手机号）")
    async def get(self):
        q = self.query_args
        page = await service.list_accounts(self.db, role=q.role, q=q.q, status=q.status,
                                           cursor=parse_cursor(q.cursor), limit=q.limit, render=lambda r: r)
        page["items"] = await admin.view_with_scope(self.db, page["items"])
        return page

    @endpoint(roles("admin"), body=AccountCreateIn, status=201, idempotent=True,
              summary="新建工作人员账号（角色须有其范围：审核人员→单位，窗口人员→窗口，场所人员→场所）")
    async def post(self):
        b = self.body_args
        return await admin.create_account(self.deps, username=b.username, name=b.name, phone=b.phone,
                                          password=b.password, roles=b.roles, org_id=b.org_id,
                                          window_ids=b.window_ids, venue_id=b.venue_id)


class AdminAccountHandler(ApiHandler):
    @endpoint(roles("admin"), body=AccountUpdateIn,
              summary="修改账号的姓名、手机号、角色与范围；角色或范围变化时该账号的登录失效")
    async def put(self, account_id):
        b = self.body_args
        return await admin.update_account(self.db, account_id=parse_id(account_id, "账号"), actor_id=self.principal.id,
                                          name=b.name, phone=b.phone, roles=b.roles, org_id=b.org_id,
                                          window_ids=b.window_ids, venue_id=b.venue_id, version=b.version,
                                          now=self.now())


class AdminResetPasswordHandler(ApiHandler):
    @endpoint(roles("admin"), body=ResetPasswordIn, status=204, summary="重置账号密码：该账号的所有登录立即失效")
    async def post(self, account_id):
        await admin.reset_password(self.deps, account_id=parse_id(account_id, "账号"),
                                   new_password=self.body_args.new_password)


class AdminOrgsHandler(ApiHandler):
    @endpoint(roles("admin"), query=OrgListQuery, summary="单位列表：市人社局、区市人社局、市直部门、用人单位、服务场所")
    async def get(self):
        return await admin.list_orgs(self.db, kind=self.query_args.kind)


class AdminAccountDisableHandler(ApiHandler):
    @endpoint(roles("admin"), body=AccountStatusIn, summary="停用账号：其所有登录立即失效")
    async def post(self, account_id):
        return await service.set_account_status(self.db, account_id=parse_id(account_id, "账号"), status="disabled",
                                                now=self.now(), actor_id=self.principal.id)


class AdminAccountEnableHandler(ApiHandler):
    @endpoint(roles("admin"), body=AccountStatusIn, summary="启用账号")
    async def post(self, account_id):
        return await service.set_account_status(self.db, account_id=parse_id(account_id, "账号"), status="active",
                                                now=self.now(), actor_id=self.principal.id)


ROUTES = [
    (r"/api/v1/me", MeHandler),
    (r"/api/v1/me/password", MePasswordHandler),
    (r"/api/v1/admin/accounts", AdminAccountsHandler),
    (r"/api/v1/admin/accounts/(?P<account_id>[^/]+)", AdminAccountHandler),
    (r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/reset-password", AdminResetPasswordHandler),
    (r"/api/v1/admin/orgs", AdminOrgsHandler),
    (r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/disable", AdminAccountDisableHandler),
    (r"/api/v1/admin/accounts/(?P<account_id>[^/]+)/enable", AdminAccountEnableHandler),
]

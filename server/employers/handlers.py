"""HTTP for employers: registration, 关联代码 look-up and links, approval (API.md v1.1 "Employers")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.core.pagination import PageQuery
from server.core.rules import Needs, RuledModel
from server.core.validators import check_phone, parse_cursor, parse_id
from server.employers import service
from server.web.auth_policy import PUBLIC, roles
from server.web.base import ApiHandler, endpoint

_USERNAME = r"^[A-Za-z][A-Za-z0-9_]{3,31}$"


class In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class RegisterIn(In):
    name: str = Field(min_length=2, max_length=128, description="单位全称")
    credit_code: str = Field(min_length=18, max_length=18, description="统一社会信用代码（18位）")
    district: str = Field(min_length=1, max_length=32, description="单位所在地（区市）")
    is_city_level: bool = Field(description="是否市直单位")
    contact_name: str = Field(min_length=1, max_length=32)
    contact_phone: str = Field(description="联系人手机号（需短信验证，purpose=employer_reg）")
    sms_code: str = Field(pattern=r"^[0-9]{6}$", description="6位短信验证码")
    username: str = Field(pattern=_USERNAME, description="单位管理员登录名：字母开头，4–32位字母、数字、下划线")
    password: str = Field(min_length=1, max_length=64)

    @field_validator("credit_code", mode="before")
    @classmethod
    def _upper(cls, v):
        return v.strip().upper() if isinstance(v, str) else v

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, v):
        if not check_phone(v):
            raise ValueError("请输入正确的11位手机号")
        return v


class LookupQuery(In):
    code: str = Field(pattern=r"^[A-Za-z0-9]{4,64}$", description="单位关联代码")


class LinkIn(In):
    code: str = Field(pattern=r"^[A-Za-z0-9]{4,64}$", description="单位关联代码")


class ActionIn(In, RuledModel):
    opinion: str = Field(default="", max_length=255)


class LinkActionIn(ActionIn):
    rules = (Needs("opinion", "不同意关联时请填写原因", when=("action", ("reject",))),)

    action: Literal["approve", "reject"]


class EmployerActionIn(ActionIn):
    rules = (Needs("opinion", "退回时请填写审核意见", when=("action", ("reject",))),)

    action: Literal["approve", "reject", "disable"]


class LinksQuery(PageQuery):
    status: Literal["pending", "approved", "rejected", "cancelled"] | None = None


class EmployersQuery(PageQuery):
    status: Literal["pending", "active", "rejected", "disabled"] | None = None


def _code(raw: str) -> str:
    return raw.upper()


class RegisterHandler(ApiHandler):
    @endpoint(PUBLIC, body=RegisterIn, status=201, summary="单位注册（联系人手机短信验证），待区市人社局或市人社局审核")
    async def post(self):
        return await service.register(self.deps, self.body_args, ip=self.client_ip)


class LookupHandler(ApiHandler):
    @endpoint(roles("holder"), query=LookupQuery, summary="按单位关联代码查询单位名称")
    async def get(self):
        return await service.lookup(self.deps, _code(self.query_args.code), who=str(self.principal.id))


class MyLinkHandler(ApiHandler):
    @endpoint(roles("holder"), summary="我的关联单位（最近一次关联申请及其状态）")
    async def get(self):
        return await service.my_link(self.db, self.principal.id)

    @endpoint(roles("holder"), body=LinkIn, status=201, summary="申请关联单位（由单位确认）")
    async def post(self):
        return await service.request_link(self.deps, self.principal.id, _code(self.body_args.code))

    @endpoint(roles("holder"), summary="撤回关联申请或解除关联")
    async def delete(self):
        return await service.cancel_link(self.deps, self.principal.id)


class EmployerProfileHandler(ApiHandler):
    @endpoint(roles("employer"), summary="本单位信息与关联代码")
    async def get(self):
        return await service.profile(self.db, self.principal)


class EmployerLinksHandler(ApiHandler):
    @endpoint(roles("employer"), query=LinksQuery, summary="本单位的人员关联申请")
    async def get(self):
        q = self.query_args
        return await service.list_links(self.db, self.principal, status=q.status, cursor=parse_cursor(q.cursor),
                                        limit=q.limit)


class EmployerLinkActionHandler(ApiHandler):
    @endpoint(roles("employer"), body=LinkActionIn, summary="确认或拒绝人员关联申请")
    async def post(self, link_id):
        b = self.body_args
        return await service.act_on_link(self.deps, self.principal, parse_id(link_id, "关联申请"), b.action, b.opinion)


class AdminEmployersHandler(ApiHandler):
    @endpoint(roles("admin", "reviewer"), query=EmployersQuery,
              summary="单位注册审核列表（管理员全部；区市/市人社局审核人员为本单位负责审核的）")
    async def get(self):
        q = self.query_args
        return await service.list_employers(self.db, self.principal, status=q.status, cursor=parse_cursor(q.cursor),
                                            limit=q.limit)


class AdminEmployerActionHandler(ApiHandler):
    @endpoint(roles("admin", "reviewer"), body=EmployerActionIn, summary="单位入库审核：通过 / 退回 / 停用")
    async def post(self, employer_id):
        b = self.body_args
        return await service.act_on_employer(self.deps, self.principal, parse_id(employer_id, "单位"), b.action,
                                             b.opinion)


ROUTES = [
    (r"/api/v1/employers/register", RegisterHandler),
    (r"/api/v1/employers/lookup", LookupHandler),
    (r"/api/v1/me/employer-link", MyLinkHandler),
    (r"/api/v1/employer/profile", EmployerProfileHandler),
    (r"/api/v1/employer/links", EmployerLinksHandler),
    (r"/api/v1/employer/links/(?P<link_id>[^/]+)/actions", EmployerLinkActionHandler),
    (r"/api/v1/admin/employers", AdminEmployersHandler),
    (r"/api/v1/admin/employers/(?P<employer_id>[^/]+)/actions", AdminEmployerActionHandler),
]

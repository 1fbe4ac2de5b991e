"""HTTP for 差评整改: administrators see every org's follow-ups (with the rater, masked); window
clerks see and rectify their own org's."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.core.pagination import PageQuery
from server.core.validators import parse_cursor, parse_id
from server.followups import service
from server.web.auth_policy import roles
from server.web.base import ApiHandler, endpoint


class FollowupQuery(PageQuery):
    status: Literal["open", "rectified", "overdue", "closed"] | None = None


class RectifyIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    action_taken: str = Field(min_length=1, max_length=2000, description="整改措施")
    version: int


class RevisitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    holder_response: str = Field(min_length=1, max_length=2000, description="回访时持卡人的答复")
    satisfied: bool
    version: int


class AdminFollowupsHandler(ApiHandler):
    @endpoint(roles("admin"), query=FollowupQuery,
              summary="差评整改（全部单位）：status=open|rectified|overdue|closed；含评价人（手机号脱敏）")
    async def get(self):
        q = self.query_args
        return await service.list_followups(self.db, status=q.status, org_ids=None, cursor=parse_cursor(q.cursor),
                                            limit=q.limit, now=self.now(), with_rater=True)


class FollowupsHandler(ApiHandler):
    @endpoint(roles("window_staff"), query=FollowupQuery, summary="本单位窗口的差评整改")
    async def get(self):
        q = self.query_args
        orgs = await service.staff_orgs(self.db, self.principal)
        return await service.list_followups(self.db, status=q.status, org_ids=orgs, cursor=parse_cursor(q.cursor),
                                            limit=q.limit, now=self.now(), with_rater=False)


class RectifyHandler(ApiHandler):
    @endpoint(roles("window_staff"), body=RectifyIn, summary="提交整改措施（本单位）")
    async def post(self, followup_id):
        b = self.body_args
        return await service.rectify(self.deps, self.principal, parse_id(followup_id, "整改记录"),
                                     action_taken=b.action_taken, version=b.version)


class RevisitHandler(ApiHandler):
    @endpoint(roles("window_staff", "admin"), body=RevisitIn, summary="回访持卡人并办结整改")
    async def post(self, followup_id):
        b = self.body_args
        return await service.revisit(self.deps, self.principal, parse_id(followup_id, "整改记录"),
                                     holder_response=b.holder_response, satisfied=b.satisfied, version=b.version)


ROUTES = [
    (r"/api/v1/admin/followups", AdminFollowupsHandler),
    (r"/api/v1/followups", FollowupsHandler),
    (r"/api/v1/followups/(?P<followup_id>[^/]+)/rectify", RectifyHandler),
    (r"/api/v1/followups/(?P<followup_id>[^/]+)/revisit", RevisitHandler),
]

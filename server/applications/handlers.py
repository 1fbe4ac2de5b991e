"""HTTP for card applications (applicant and reviewer sides)."""

from __future__ import annotations

from server.applications import eligibility, materials, publicity, routing, service
from server.applications import schemas as s
from server.core.validators import parse_cursor, parse_id
from server.web.auth_policy import LOGGED_IN, PUBLIC, roles
from server.web.base import ApiHandler, endpoint

HOLDER = roles("holder")


class ApplicationsHandler(ApiHandler):
    @endpoint(HOLDER, body=s.NewApplicationIn, status=201, idempotent=True, summary="新建申领草稿（新办/续办/补办/变更）")
    async def post(self):
        b = self.body_args
        return await service.create_draft(self.deps, self.principal.id, b.type, b.form.model_dump(mode="json"),
                                          int(b.copy_of) if b.copy_of else None)


class ApplicationHandler(ApiHandler):
    @endpoint(LOGGED_IN, summary="申请详情：表单（脱敏）、审核进度与历史")
    async def get(self, app_id):
        return await service.get_for(self.db, parse_id(app_id, "申请"), self.principal, self.deps.upload_links)

    @endpoint(HOLDER, body=s.UpdateApplicationIn, summary="修改草稿或补正中的申请")
    async def put(self, app_id):
        b = self.body_args
        return await service.update_form(self.deps, parse_id(app_id, "申请"), self.principal.id, b.form.model_dump(mode="json"),
                                         b.version)

    @endpoint(HOLDER, status=204, summary="删除草稿")
    async def delete(self, app_id):
        await service.delete_draft(self.deps, parse_id(app_id, "申请"), self.principal.id)


class SubmitHandler(ApiHandler):
    @endpoint(HOLDER, body=s.VersionIn, summary="提交申请（或补正后重新提交）")
    async def post(self, app_id):
        return await service.submit(self.deps, parse_id(app_id, "申请"), self.principal.id, self.principal.name,
                                    self.body_args.version)


class WithdrawHandler(ApiHandler):
    @endpoint(HOLDER, body=s.VersionIn, summary="撤回申请（审核人员办理前）")
    async def post(self, app_id):
        return await service.withdraw(self.deps, parse_id(app_id, "申请"), self.principal.id, self.principal.name,
                                      self.body_args.version)


class MyApplicationsHandler(ApiHandler):
    @endpoint(HOLDER, query=s.MyApplicationsQuery, summary="我的申请（草稿箱、正在审批、材料补正、不予受理、审批通过）")
    async def get(self):
        q = self.query_args
        return await service.my_applications(self.db, self.principal.id, q.status, parse_cursor(q.cursor), q.limit)


class PrefillHandler(ApiHandler):
    @endpoint(HOLDER, summary="新申请的预填内容：上次申请、账号实名信息、已关联单位（证件号、手机号脱敏）")
    async def get(self):
        return await service.application_prefill(self.db, self.principal.id)


class MaterialsHandler(ApiHandler):
    @endpoint(LOGGED_IN, summary="各申领类型所需材料")
    async def get(self):
        return {"items": materials.catalog(), "photo_required_for": list(materials.PHOTO_REQUIRED)}


class HonorTitlesHandler(ApiHandler):
    @endpoint(LOGGED_IN, query=s.HonorTitlesQuery, summary="荣誉称号（全称）及其主管部门：申请表的选择器数据")
    async def get(self):
        return {"items": await routing.honor_titles_matching(self.db, self.query_args.q)}


class ReviewQueueHandler(ApiHandler):
    @endpoint(roles("reviewer", "admin", "employer"), query=s.ReviewQueueQuery,
              summary="本单位待审核（pending）或已办理（handled）的申请")
    async def get(self):
        q = self.query_args
        return await service.review_queue(self.db, self.principal.org_id, q.status, parse_cursor(q.cursor), q.limit)


class ReviewActionHandler(ApiHandler):
    @endpoint(roles("reviewer", "employer"), body=s.ReviewActionIn, summary="审核：通过 / 退回补正 / 不予受理")
    async def post(self, app_id):
        b = self.body_args
        return await service.review(self.deps, parse_id(app_id, "申请"), self.principal, b.action, b.opinion, b.version,
                                    b.card_level)


class EligibilityHandler(ApiHandler):
    @endpoint(PUBLIC, body=s.EligibilityIn, summary="一键测试：可申领的英才卡类别、理由及审核部门（与提交申请同一规则）")
    async def post(self):
        b = self.body_args
        return await eligibility.self_test(
            self.deps, self.client_ip, education=b.education, title=b.title, honors=b.honors, age=b.age,
            employer_district=b.employer_district, employer_is_city_level=b.employer_is_city_level,
            employer_name=b.employer_name)


class PublicityHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.PublicityQuery, summary="公示名单：正在公示的英才卡审核通过人员（姓名脱敏、单位、类别、公示期）")
    async def get(self):
        q = self.query_args
        return await publicity.current_batch(self.db, parse_cursor(q.cursor), q.limit)


class ObjectionHandler(ApiHandler):
    @endpoint(roles("admin"), body=s.ObjectionIn, summary="公示异议：退回市人社局终审环节重新审核")
    async def post(self, app_id):
        return await publicity.object_to(self.deps, parse_id(app_id, "申请"), self.principal, self.body_args.opinion)


ROUTES = [
    (r"/api/v1/publicity", PublicityHandler),
    (r"/api/v1/admin/publicity/(?P<app_id>[^/]+)/objection", ObjectionHandler),
    (r"/api/v1/eligibility/check", EligibilityHandler),
    (r"/api/v1/applications", ApplicationsHandler),
    (r"/api/v1/applications/materials", MaterialsHandler),
    (r"/api/v1/applications/(?P<app_id>[^/]+)", ApplicationHandler),
    (r"/api/v1/applications/(?P<app_id>[^/]+)/submit", SubmitHandler),
    (r"/api/v1/applications/(?P<app_id>[^/]+)/withdraw", WithdrawHandler),
    (r"/api/v1/me/applications", MyApplicationsHandler),
    (r"/api/v1/me/application-prefill", PrefillHandler),
    (r"/api/v1/honor-titles", HonorTitlesHandler),
    (r"/api/v1/review/applications", ReviewQueueHandler),
    (r"/api/v1/review/applications/(?P<app_id>[^/]+)/actions", ReviewActionHandler),
]

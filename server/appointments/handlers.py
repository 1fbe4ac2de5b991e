"""HTTP for green-channel appointments: the holder's side and the window clerks' side."""

from __future__ import annotations

import os

from server.appointments import query, service, supervision
from server.appointments import schemas as s
from server.core.validators import parse_id
from server.web.auth_policy import LOGGED_IN, roles
from server.web.base import ApiHandler, endpoint

HOLDER = roles("holder")
STAFF = roles("window_staff", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AppointmentsHandler(ApiHandler):
    @endpoint(HOLDER, body=s.BookIn, status=201, idempotent=True, summary="预约绿色通道服务（需有效英才卡且等级符合）")
    async def post(self):
        b = self.body_args
        return await service.book(self.deps, self.principal, service_id=int(b.service_id), window_id=int(b.window_id),
                                  content=b.content, preferred_date=b.preferred_date, attachments=b.attachments)


class MyAppointmentsHandler(ApiHandler):
    @endpoint(HOLDER, query=s.MyListQuery, summary="我的预约")
    async def get(self):
        q = self.query_args
        return await query.my_list(self.db, self.principal.id, q.status, int(q.cursor) if q.cursor else None, q.limit,
                                   self.now())


class AppointmentHandler(ApiHandler):
    @endpoint(LOGGED_IN, summary="预约详情与办理历史")
    async def get(self, id):
        return await service.get_for(self.deps, self.principal, parse_id(id, "预约"))


class CancelHandler(ApiHandler):
    @endpoint(HOLDER, body=s.CancelIn, summary="取消预约（受理前或被退回后）")
    async def post(self, id):
        return await service.cancel(self.deps, self.principal, parse_id(id, "预约"), self.body_args.version)


class ResubmitHandler(ApiHandler):
    @endpoint(HOLDER, body=s.ResubmitIn, summary="被退回后修改并重新提交")
    async def post(self, id):
        b = self.body_args
        return await service.resubmit(self.deps, self.principal, parse_id(id, "预约"), content=b.content,
                                      window_id=int(b.window_id) if b.window_id else None, version=b.version)


class RatingHandler(ApiHandler):
    @endpoint(HOLDER, body=s.RatingIn, status=201, summary="满意度评价（办结后一次）")
    async def post(self, id):
        b = self.body_args
        return await service.rate(self.deps, self.principal, parse_id(id, "预约"), b.stars, b.comment)


class StaffListHandler(ApiHandler):
    @endpoint(STAFF, query=s.StaffListQuery, summary="综合查询：本窗口事项（市级窗口、管理员为全部）")
    async def get(self):
        scope = await service.staff_scope(self.db, self.principal)
        return await query.staff_list(self.db, scope, self.query_args, self.now())


class StaffExportHandler(ApiHandler):
    @endpoint(STAFF, query=s.StaffListQuery, produces=XLSX, summary="综合查询导出（.xlsx，流式输出）")
    async def get(self):
        scope = await service.staff_scope(self.db, self.principal)
        path = await query.export_xlsx(self.db, scope, self.query_args, self.now(), self.deps.executor)
        try:
            self.set_header("Content-Type", XLSX)
            self.set_header("Content-Disposition", "attachment; filename*=UTF-8''%E7%BB%BC%E5%90%88%E6%9F%A5%E8%AF%A2.xlsx")
            self.set_header("Content-Length", str(os.path.getsize(path)))
            with open(path, "rb") as fh:  # stream in chunks: memory stays flat
                while chunk := fh.read(256 * 1024):
                    self.write(chunk)
                    await self.flush()
            self.finish()
        finally:
            os.unlink(path)


class StaffActionHandler(ApiHandler):
    @endpoint(roles("window_staff"), body=s.StaffActionIn, summary="受理 / 预审 / 办结 / 转办 / 退回")
    async def post(self, id):
        b = self.body_args
        return await service.staff_action(self.deps, self.principal, parse_id(id, "预约"), action=b.action, opinion=b.opinion,
                                          to_window_id=int(b.to_window_id) if b.to_window_id else None,
                                          version=b.version)


class SupervisionHandler(ApiHandler):
    @endpoint(STAFF, body=s.SupervisionIn, status=202, summary="督办：向该窗口发送超时督办短信（市级窗口、管理员）")
    async def post(self):
        return await supervision.supervise_now(self.deps, int(self.body_args.window_id), self.principal)


class SubscriptionHandler(ApiHandler):
    @endpoint(HOLDER, body=s.SubscriptionIn, summary="小程序订阅消息授权（每次授权可接收一条办理进度通知）")
    async def post(self):
        b = self.body_args
        return await service.allow_messages(self.deps, self.principal.id, b.template, b.accepted)



ROUTES = [
    (r"/api/v1/appointments", AppointmentsHandler),
    (r"/api/v1/me/appointments", MyAppointmentsHandler),
    (r"/api/v1/me/wechat-subscriptions", SubscriptionHandler),
    (r"/api/v1/appointments/(?P<id>[^/]+)", AppointmentHandler),
    (r"/api/v1/appointments/(?P<id>[^/]+)/cancel", CancelHandler),
    (r"/api/v1/appointments/(?P<id>[^/]+)/resubmit", ResubmitHandler),
    (r"/api/v1/appointments/(?P<id>[^/]+)/rating", RatingHandler),
    (r"/api/v1/staff/appointments", StaffListHandler),
    (r"/api/v1/staff/appointments/export\.xlsx", StaffExportHandler),
    (r"/api/v1/staff/appointments/(?P<id>[^/]+)/actions", StaffActionHandler),
    (r"/api/v1/staff/supervision", SupervisionHandler),
]

"""HTTP for the green-channel catalog: services, service windows, districts (public reads and
administration)."""

from __future__ import annotations

from server.catalog import schemas as s
from server.catalog import service
from server.core.validators import parse_id
from server.web.auth_policy import PUBLIC, roles
from server.web.base import ApiHandler, endpoint

ADMIN = roles("admin")


def _opt_id(raw: str | None) -> int | None:
    return int(raw) if raw else None


class ServicesHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.ServiceQuery, summary="绿色通道服务目录（现场服务、预约服务、项目申报、其他服务）")
    async def get(self):
        return await service.list_services(self.db, self.query_args.category)


class ServiceHandler(ApiHandler):
    @endpoint(PUBLIC, summary="服务详情：办理窗口（窗口办理的服务）或服务场所（现场服务）")
    async def get(self, service_id):
        return await service.get_service(self.db, parse_id(service_id, "服务"))


class WindowsHandler(ApiHandler):
    @endpoint(PUBLIC, query=s.WindowQuery, summary="服务窗口：服务专员、联系电话、地址、办公时间")
    async def get(self):
        q = self.query_args
        return await service.list_windows(self.db, q.district, _opt_id(q.service_id))


class WindowHandler(ApiHandler):
    @endpoint(PUBLIC, summary="服务窗口详情及其办理的服务")
    async def get(self, window_id):
        return await service.get_window(self.db, parse_id(window_id, "服务窗口"))


class DistrictsHandler(ApiHandler):
    @endpoint(PUBLIC, summary="设有服务窗口的区市（选择器用）")
    async def get(self):
        return await service.list_districts(self.db)


class AdminServicesHandler(ApiHandler):
    @endpoint(ADMIN, query=s.AdminServiceQuery, summary="服务目录（管理员，含已停用）")
    async def get(self):
        q = self.query_args
        return await service.admin_list_services(self.db, q.category, q.status)

    @endpoint(ADMIN, body=s.ServiceIn, status=201, idempotent=True, summary="新增服务")
    async def post(self):
        return await service.create_service(self.deps, self.body_args.model_dump(), self.principal.id)


class AdminServiceHandler(ApiHandler):
    @endpoint(ADMIN, summary="服务详情（管理员）")
    async def get(self, service_id):
        return await service.admin_get_service(self.db, parse_id(service_id, "服务"))

    @endpoint(ADMIN, body=s.ServiceUpdate, summary="修改服务（只改所传字段；status=inactive 停用）")
    async def put(self, service_id):
        return await service.update_service(self.deps, parse_id(service_id, "服务"),
                                            self.body_args.model_dump(exclude_unset=True), self.principal.id)


class AdminWindowsHandler(ApiHandler):
    @endpoint(ADMIN, query=s.AdminWindowQuery, summary="服务窗口（管理员，含已停用）")
    async def get(self):
        q = self.query_args
        return await service.admin_list_windows(self.db, q.district, _opt_id(q.service_id), q.status)

    @endpoint(ADMIN, body=s.WindowIn, status=201, idempotent=True, summary="新增服务窗口（含办理的服务和工作人员）")
    async def post(self):
        return await service.create_window(self.deps, self.body_args.model_dump(), self.principal.id)


class AdminWindowHandler(ApiHandler):
    @endpoint(ADMIN, summary="服务窗口详情（管理员，含工作人员）")
    async def get(self, window_id):
        return await service.admin_get_window(self.db, parse_id(window_id, "服务窗口"))

    @endpoint(ADMIN, body=s.WindowUpdate,
              summary="修改服务窗口（只改所传字段；service_ids、staff_account_ids 整体替换；status=inactive 停用）")
    async def put(self, window_id):
        return await service.update_window(self.deps, parse_id(window_id, "服务窗口"),
                                           self.body_args.model_dump(exclude_unset=True), self.principal.id)


ROUTES = [
    (r"/api/v1/services", ServicesHandler),
    (r"/api/v1/services/(?P<service_id>[^/]+)", ServiceHandler),
    (r"/api/v1/windows", WindowsHandler),
    (r"/api/v1/windows/(?P<window_id>[^/]+)", WindowHandler),
    (r"/api/v1/districts", DistrictsHandler),
    (r"/api/v1/admin/services", AdminServicesHandler),
    (r"/api/v1/admin/services/(?P<service_id>[^/]+)", AdminServiceHandler),
    (r"/api/v1/admin/windows", AdminWindowsHandler),
    (r"/api/v1/admin/windows/(?P<window_id>[^/]+)", AdminWindowHandler),
]

"""Operations: health, Prometheus metrics and the OpenAPI document."""

from __future__ import annotations

from server.db.database import ping
from server.web import metrics
from server.web.auth_policy import PUBLIC
from server.web.base import ApiHandler, Raw, endpoint


class HealthHandler(ApiHandler):
    @endpoint(PUBLIC, summary="健康检查：数据库不可用时返回503")
    async def get(self):
        if await ping(self.db):
            return {"status": "ok", "db": "ok"}
        self.set_status(503)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish('{"status":"degraded","db":"unavailable"}')


class MetricsHandler(ApiHandler):
    @endpoint(PUBLIC, summary="Prometheus 指标", produces="text/plain")
    async def get(self):
        return Raw(metrics.render(), metrics.CONTENT_TYPE_LATEST)


class OpenApiHandler(ApiHandler):
    @endpoint(PUBLIC, summary="OpenAPI 3.1 接口文档")
    async def get(self):
        from server.web.openapi import build_openapi

        return build_openapi(self.application)


ROUTES = [
    (r"/healthz", HealthHandler),
    (r"/metrics", MetricsHandler),
    (r"/api/v1/openapi.json", OpenApiHandler),
]

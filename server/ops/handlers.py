"""Operations: health, Prometheus metrics and the OpenAPI document."""

from __future__ import annotations

from server import errors
from server.core import metrics
from server.db.database import ping
from server.web import security
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
    # public as far as sessions go: the network (loopback, not forwarded) or METRICS_TOKEN decides
    @endpoint(PUBLIC, summary="Prometheus 指标（仅本机直连，或 Authorization: Bearer METRICS_TOKEN）",
              produces="text/plain")
    async def get(self):
        if not security.metrics_allowed(peer=security.peer_ip(self.request), headers=self.request.headers,
                                        token=self.config.metrics_token):
            raise errors.Forbidden("监控指标仅限本机或持有监控令牌访问")
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

"""make_app(deps): the Tornado application, collected from each feature's ROUTES."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import tornado.web

from server.core import metrics
from server.db.database import statements_sent
from server.web import security
from server.web.base import ApiHandler, NotFoundHandler, all_endpoints
from server.web.bodylimit import ApiApplication

# Each feature module exposes ROUTES = [(pattern, HandlerClass), …]; app.py only collects them.
FEATURES = [
    "server.ops.handlers",
    "server.auth.handlers",
    "server.auth.wechat_handlers",
    "server.accounts.handlers",
    "server.uploads.handlers",
    "server.realtime.handlers",
    "server.cards.handlers",
    "server.applications.handlers",
    "server.applications.console_handlers",
    "server.sync.handlers",
    "server.onsite.handlers",
    "server.venues.handlers",
    "server.appointments.handlers",
    "server.catalog.handlers",
    "server.listings.handlers",
    "server.followups.handlers",
    "server.stats.handlers",
    "server.calendar.handlers",
    "server.employers.handlers",
]
DEV_FEATURES = ["server.dev.handlers"]

# The H5 (h5/, built by `make h5` into h5/dist) is served under /h5/ by the same process.
H5_DIST = Path(__file__).resolve().parent.parent / "h5" / "dist"
_HASHED_ASSET = re.compile(r"^assets/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")


class H5Handler(tornado.web.StaticFileHandler):
    """h5/dist under /h5/: index.html for /h5/ and never cached (it names the current assets);
    content-hashed assets cached for a year. A plain class, so `make_app` needs no kwargs for it."""

    root = H5_DIST

    def initialize(self, path: str | None = None, default_filename: str | None = "index.html") -> None:
        super().initialize(path=str(path or self.root), default_filename=default_filename)

    def set_default_headers(self) -> None:
        security.page_headers(self)  # CSP, X-Frame-Options, Referrer-Policy, nosniff

    def set_extra_headers(self, path: str) -> None:
        if _HASHED_ASSET.match(path or ""):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.set_header("Cache-Control", "no-cache")

    def get_cache_time(self, path: str, modified, mime_type: str) -> int:
        return self.CACHE_MAX_AGE if _HASHED_ASSET.match(path or "") else 0

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code == 404 and not Path(self.root, "index.html").exists():
            self.finish("<h1>H5 页面尚未构建</h1><p>请运行 make h5（make run 会自动构建）。</p>")
            return
        super().write_error(status_code, **kwargs)


class H5RedirectHandler(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        security.page_headers(self)

    def get(self) -> None:
        self.redirect("/h5/", permanent=True)

    head = get


# The PC console (h5/console, built by `make h5` into h5/dist-console) under /console/, served alike.
CONSOLE_DIST = Path(__file__).resolve().parent.parent / "h5" / "dist-console"


class ConsoleHandler(H5Handler):
    root = CONSOLE_DIST

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code == 404 and not Path(self.root, "index.html").exists():
            self.finish("<h1>管理控制台尚未构建</h1><p>请运行 make h5（make run 会自动构建）。</p>")
            return
        super().write_error(status_code, **kwargs)


class ConsoleRedirectHandler(H5RedirectHandler):
    def get(self) -> None:
        self.redirect("/console/", permanent=True)

    head = get


H5_ROUTES = [
    (r"/h5", H5RedirectHandler),
    (r"/h5/(.*)", H5Handler),
    (r"/console", ConsoleRedirectHandler),
    (r"/console/(.*)", ConsoleHandler),
]


class StartupError(Exception):
    pass


def collect_routes(dev_routes: bool) -> list[tuple[str, type]]:
    routes: list[tuple[str, type]] = []
    for name in FEATURES + (DEV_FEATURES if dev_routes else []):
        routes.extend(importlib.import_module(name).ROUTES)
    return routes


def check_handler_auth(routes) -> None:
    """Refuse to start when a handler method does not declare who may call it."""
    problems = []
    for pattern, handler in routes:
        if not issubclass(handler, ApiHandler):
            continue
        eps = all_endpoints(handler)
        if not eps:
            problems.append(f"{pattern}: {handler.__name__} has no endpoint methods")
        for method, ep in eps.items():
            if ep is None:
                problems.append(f"{method.upper()} {pattern} ({handler.__name__}) does not declare auth (@endpoint)")
    if problems:
        raise StartupError("handlers without a declared auth policy:\n  " + "\n  ".join(problems))


def make_app(deps, extra_routes=None) -> tornado.web.Application:
    routes = collect_routes(deps.config.dev_routes) + list(extra_routes or [])
    metrics.count_statements(statements_sent)
    routes += H5_ROUTES
    check_handler_auth(routes)
    specs = []
    for pattern, handler in routes:
        kwargs = {"route_name": pattern} if issubclass(handler, ApiHandler) else {}
        if isinstance(handler, tuple):  # (Handler, kwargs) for static files
            handler, kwargs = handler
        specs.append(tornado.web.url(pattern, handler, kwargs))
    return ApiApplication(
        specs,
        deps=deps,
        default_handler_class=NotFoundHandler,
        compress_response=True,
        # never Tornado's xheaders (it believes X-Real-IP from anyone): see security.client_ip
        xheaders=False,
    )

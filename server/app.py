"""make_app(deps): the Tornado application, collected from each feature's ROUTES."""

from __future__ import annotations

import importlib

import tornado.web

from server.web.base import ApiHandler, NotFoundHandler, all_endpoints

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
    "server.sync.handlers",
    "server.onsite.handlers",
    "server.venues.handlers",
    "server.appointments.handlers",
    "server.catalog.handlers",
    "server.listings.handlers",
]
DEV_FEATURES = ["server.dev.handlers"]


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
    check_handler_auth(routes)
    specs = []
    for pattern, handler in routes:
        kwargs = {"route_name": pattern} if issubclass(handler, ApiHandler) else {}
        if isinstance(handler, tuple):  # (Handler, kwargs) for static files
            handler, kwargs = handler
        specs.append(tornado.web.url(pattern, handler, kwargs))
    return tornado.web.Application(
        specs,
        deps=deps,
        default_handler_class=NotFoundHandler,
        compress_response=True,
        xheaders=deps.config.trusted_proxy,
    )

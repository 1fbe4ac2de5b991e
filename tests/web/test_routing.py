"""The route index chooses the route, and the path arguments, that Tornado's own loop would."""

from __future__ import annotations

import itertools

import pytest
import tornado.web
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.routing import PathMatches, Rule

from server.app import H5_ROUTES, collect_routes
from server.web.routing import RouteIndex

SAMPLES = ("1", "42", "0", "007", "abc", "", "a/b", "%E4%B8%AD", "9" * 30, "x.png", "-1", "1 2")


def _request(path: str) -> HTTPServerRequest:
    return HTTPServerRequest(start_line=RequestStartLine("GET", path, "HTTP/1.1"),
                             headers=HTTPHeaders({"Host": "127.0.0.1"}))


def _rules() -> list[Rule]:
    specs = [tornado.web.url(p, h[0] if isinstance(h, tuple) else h) for p, h in collect_routes(True) + H5_ROUTES]
    return tornado.web.Application(specs).wildcard_router.rules


def _linear(rules, request):
    for rule in rules:  # Tornado's RuleRouter.find_handler
        params = rule.matcher.match(request)
        if params is not None:
            return rule, params
    return None


def _paths(rules) -> set[str]:
    paths = {"/", "/api", "/api/v1", "/api/v1/", "/nowhere", "/api/v1/me/", "/API/V1/ME", "//api/v1/me"}
    for rule in rules:
        m = rule.matcher
        n = m.regex.groups
        for args in itertools.product(SAMPLES, repeat=n) if n <= 2 else [SAMPLES[:1] * n]:
            try:
                path = m.reverse(*args) if n else m.reverse()
            except (ValueError, TypeError, AssertionError):
                continue
            if path is None:
                continue
            for p in (path, path + "/", path + "/x", path[:-1], path + "x"):
                paths.add(p)
    return paths


def test_every_route_and_its_neighbours_go_where_tornado_sends_them():
    rules = _rules()
    assert all(isinstance(r.matcher, PathMatches) for r in rules)
    index = RouteIndex(rules)
    assert index._regex is not None, "the routes could not be joined: every request pays Tornado's loop again"
    paths = _paths(rules)
    assert len(paths) > 5 * len(rules)
    for path in sorted(paths):
        request = _request(path)
        assert index.find(request) == _linear(rules, request), path


def test_routes_that_cannot_be_joined_leave_the_choice_to_tornado():
    app = tornado.web.Application([(r"/a/(?P<x>[0-9]+)", tornado.web.RequestHandler),
                                   (r"/b/(?P<y>[0-9]+)/(?P=y)", tornado.web.RequestHandler)])  # a back-reference
    index = RouteIndex(app.wildcard_router.rules)
    assert index._regex is None
    assert index.find(_request("/a/1")) is None


@pytest.mark.parametrize("path", ["/api/v1/venue/scan", "/api/v1/staff/appointments/12/actions", "/h5/login"])
def test_the_application_routes_through_the_index(path):
    from server.web.bodylimit import ApiApplication

    specs = [tornado.web.url(p, h[0] if isinstance(h, tuple) else h) for p, h in collect_routes(True) + H5_ROUTES]
    app = ApiApplication(specs)
    request = _request(path)
    delegate = app.find_handler(request)
    rule, params = _linear(app.wildcard_router.rules, request)
    assert delegate.handler_class is rule.target
    assert delegate.path_args == params.get("path_args", [])
    assert app._index is not None and app._index._regex is not None

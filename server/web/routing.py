"""Finding a request's handler in one regular-expression match instead of one per route.

Tornado tries its routes in order, one `re.match` each from Python: the scan, the last API route,
paid for some sixty of them on every request. `RouteIndex` joins the route patterns into one
alternation, which the regular-expression engine tries in the same order, in C: the first alternative
that matches is the route Tornado's own loop would have chosen, since every earlier one failed on the
same path. The chosen route's own matcher then extracts the path arguments exactly as Tornado does.
"""

from __future__ import annotations

import re

from tornado.routing import PathMatches, Rule

_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


class RouteIndex:
    __slots__ = ("_regex", "_rules", "size")

    def __init__(self, rules: list[Rule]):
        self.size = len(rules)
        self._regex: re.Pattern | None = None
        self._rules: dict[str, Rule] = {}
        parts = []
        for i, rule in enumerate(rules):
            if not isinstance(rule.matcher, PathMatches):
                return  # a route of another kind: Tornado's loop alone decides
            # the route's own names may repeat across routes: only its matcher extracts them
            parts.append(f"(?P<r{i}>{_NAMED_GROUP.sub('(?:', rule.matcher.regex.pattern)})")
            self._rules[f"r{i}"] = rule
        try:
            self._regex = re.compile("|".join(parts))
        except re.error:  # a pattern that cannot stand inside another (a back-reference, a global flag)
            self._regex = None

    def find(self, request) -> tuple[Rule, dict] | None:
        """The route Tornado would choose for the request and the arguments its matcher extracts, or
        None (no route matches, or no index could be built): then Tornado's own loop decides."""
        if self._regex is None:
            return None
        m = self._regex.match(request.path)
        if m is None:
            return None
        rule = self._rules[m.lastgroup]  # the outermost group closes last
        params = rule.matcher.match(request)
        return None if params is None else (rule, params)

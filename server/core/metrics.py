"""Prometheus metrics: requests, latencies and errors by route."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,  # noqa: F401  (re-exported for the handler)
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily

REGISTRY = CollectorRegistry()

REQUESTS = Counter("http_requests_total", "HTTP requests", ["route", "method", "status"], registry=REGISTRY)
ERRORS = Counter("http_errors_total", "HTTP answers with status >= 500", ["route", "method"], registry=REGISTRY)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["route", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
OUTBOX = Counter("outbox_deliveries_total", "Outbox delivery attempts", ["channel", "result"], registry=REGISTRY)


class _Statements:
    """SQL statements this process has sent (BEGIN, COMMIT and ROLLBACK not counted)."""

    def __init__(self, source):
        self.source = source

    def collect(self):
        yield CounterMetricFamily("db_statements", "SQL statements sent (BEGIN/COMMIT/ROLLBACK not counted)",
                                  value=self.source())


_statements: _Statements | None = None


def count_statements(source) -> None:
    """Publish `db_statements_total` from `source()` (the data layer's counter; the composition root
    wires it, so this base module imports no layer above it). Later calls replace the source."""
    global _statements
    if _statements is None:
        _statements = _Statements(source)
        REGISTRY.register(_statements)
    _statements.source = source


# the labelled children of a (route, method, status): looking them up costs more than counting
_CHILDREN: dict[tuple[str, str, int], tuple] = {}


def observe(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status)
    children = _CHILDREN.get(key)
    if children is None:
        if len(_CHILDREN) >= 10_000:
            _CHILDREN.clear()
        children = _CHILDREN[key] = (REQUESTS.labels(route, method, str(status)), LATENCY.labels(route, method),
                                     ERRORS.labels(route, method) if status >= 500 else None)
    children[0].inc()
    children[1].observe(seconds)
    if children[2] is not None:
        children[2].inc()


def render() -> bytes:
    return generate_latest(REGISTRY)

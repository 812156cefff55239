"""Prometheus metrics of one application instance.

Each app gets its own registry, so several apps in one process (tests,
benchmarks) do not collide. Request metrics are labelled by route template
(`/api/v1/identities/{uuid}`), never by the raw path.
"""

from __future__ import annotations

import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ApiMetrics:
    """The counters, gauges and histograms the API exports."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "decnet_http_requests",
            "HTTP requests handled, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "decnet_http_request_duration_seconds",
            "Time to the response start, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.logins = Counter(
            "decnet_logins",
            "Login attempts by outcome (success, failure, rate_limited).",
            ["outcome"],
            registry=self.registry,
        )
        self.open_streams = Gauge(
            "decnet_sse_streams_open",
            "Server-Sent Events streams open, by stream.",
            ["stream"],
            registry=self.registry,
        )
        self.stream_events = Counter(
            "decnet_sse_events_sent",
            "Events sent on Server-Sent Events streams, by stream.",
            ["stream"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """Return the registry in the Prometheus text format."""
        return generate_latest(self.registry)


def _route_template(scope: Scope) -> str:
    # The router stores the matched route in the scope it was handed.
    route = scope.get("route")
    if route is None:
        return "unmatched"
    return str(getattr(route, "path", None) or "unmatched")


class MetricsMiddleware:
    """Count requests and time them to the start of the response."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                route = _route_template(scope)
                self.metrics.latency.labels(scope["method"], route).observe(
                    time.perf_counter() - started
                )
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.requests.labels(
                scope["method"], _route_template(scope), str(status)
            ).inc()

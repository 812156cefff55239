"""Health report and Prometheus metrics (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from decnet import __version__
from decnet.web.api import health
from decnet.web.api.deps import Session, State
from decnet.web.api.schemas.health import HealthReport

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    responses={503: {"model": HealthReport, "description": "Database unavailable"}},
)
async def get_health(session: Session, state: State) -> HealthReport:
    """Report the database, the outbox backlog towards the bus and clusterer lag.

    Returns 503 with the same body when the database does not respond.
    """
    database = await health.check_database(session)
    if not database.ok:
        report = HealthReport(
            status="unavailable",
            version=__version__,
            database=database,
            bus=health.BusHealth(
                ok=False,
                url=health.redact(state.settings.bus_url),
                unpublished=None,
                oldest_unpublished_age_s=None,
            ),
            clusterer=health.ClustererHealth(
                lease_holder=None,
                lease_expires_at=None,
                lease_live=False,
                lag_s=None,
                unresolved_observations=None,
            ),
        )
        return JSONResponse(report.model_dump(mode="json"), status_code=503)  # type: ignore[return-value]
    bus = await health.check_bus(session, state.settings.bus_url)
    clusterer = await health.check_clusterer(session)
    return HealthReport(
        status="ok" if bus.ok else "degraded",
        version=__version__,
        database=database,
        bus=bus,
        clusterer=clusterer,
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text"}},
)
async def get_metrics(state: State) -> Response:
    """Return the API's metrics in the Prometheus text exposition format."""
    return Response(
        state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )

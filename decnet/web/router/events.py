"""Server-Sent Events: identity and campaign streams from the outbox.

On connect a stream sends one `snapshot` event: the first page of the list,
with `id` set to the outbox sequence number it was taken at. Then it sends
every outbox event of its subjects after that number, named by subject
(`identity.merged`), with `id` set to the event's sequence number. A reconnect with
`Last-Event-ID` skips the snapshot and resumes after that number. Comments
(`: ping`) keep idle connections open.

Browsers authenticate with `?ticket=` from `POST /auth/sse-ticket`; other
clients may send the bearer token instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from decnet.errors import InputError
from decnet.web.api import queries
from decnet.web.api.accounts import get_user, redeem_ticket
from decnet.web.api.deps import Credentials, State, authenticate
from decnet.web.api.errors import AuthenticationError
from decnet.web.api.schemas.campaign import CampaignPublic
from decnet.web.api.schemas.common import Message
from decnet.web.api.schemas.identity import IdentityPublic
from decnet.web.api.state import AppState
from decnet.web.api.streams import OutboxTail, StreamLease, latest_seq

log = logging.getLogger(__name__)

router = APIRouter(tags=["events"])

Snapshot = Callable[[AsyncSession, int], Awaitable[dict[str, Any]]]

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
        "description": "An endless event stream.",
    },
    401: {"model": Message, "description": "Missing, used or expired ticket"},
    429: {"model": Message, "description": "Too many open streams for this user"},
}

Ticket = Annotated[
    str | None,
    Query(max_length=256, description="Single-use ticket from /auth/sse-ticket."),
]
LastEventId = Annotated[
    str | None,
    Header(alias="Last-Event-ID", max_length=32, description="Resume after this seq."),
]
SnapshotLimit = Annotated[
    int, Query(ge=0, le=1000, description="Rows in the snapshot; 0 sends none.")
]


@router.get(
    "/identities/events",
    response_class=EventSourceResponse,
    responses=_RESPONSES,
)
async def identity_events(
    request: Request,
    state: State,
    credentials: Credentials,
    ticket: Ticket = None,
    last_event_id: LastEventId = None,
    snapshot_limit: SnapshotLimit = 100,
) -> EventSourceResponse:
    """Stream `identity.*` events: a snapshot, then live events."""
    return await _open_stream(
        request,
        state,
        credentials.credentials if credentials else None,
        ticket,
        last_event_id,
        stream="identities",
        prefix="identity.",
        snapshot=_identity_snapshot,
        snapshot_limit=snapshot_limit,
    )


@router.get(
    "/campaigns/events",
    response_class=EventSourceResponse,
    responses=_RESPONSES,
)
async def campaign_events(
    request: Request,
    state: State,
    credentials: Credentials,
    ticket: Ticket = None,
    last_event_id: LastEventId = None,
    snapshot_limit: SnapshotLimit = 100,
) -> EventSourceResponse:
    """Stream `campaign.*` events: a snapshot, then live events."""
    return await _open_stream(
        request,
        state,
        credentials.credentials if credentials else None,
        ticket,
        last_event_id,
        stream="campaigns",
        prefix="campaign.",
        snapshot=_campaign_snapshot,
        snapshot_limit=snapshot_limit,
    )


async def _identity_snapshot(session: AsyncSession, limit: int) -> dict[str, Any]:
    page = await queries.list_identities(session, limit=max(limit, 1), offset=0)
    rows = page.data[:limit]
    data = [IdentityPublic.model_validate(r).model_dump(mode="json") for r in rows]
    return {"total": page.total, "limit": limit, "data": data}


async def _campaign_snapshot(session: AsyncSession, limit: int) -> dict[str, Any]:
    page = await queries.list_campaigns(session, limit=max(limit, 1), offset=0)
    data = [
        CampaignPublic.model_validate(
            {**campaign.model_dump(), "identity_count": count}
        ).model_dump(mode="json")
        for campaign, count in page.data[:limit]
    ]
    return {"total": page.total, "limit": limit, "data": data}


def _parse_last_event_id(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        seq = int(value)
    except ValueError:
        seq = -1
    # The outbox sequence is a signed 64-bit column on every database.
    if not 0 <= seq < 2**63:
        raise InputError(
            f"invalid Last-Event-ID {value[:32]!r}: expected the outbox sequence "
            "number of the last event received (an integer from 0 to 2^63 - 1)"
        )
    return seq


async def _stream_user(state: AppState, token: str | None, ticket: str | None) -> str:
    """Return the user a stream request authenticates as, by ticket or token."""
    async with state.sessions() as session:
        if ticket is None:
            return (await authenticate(state, session, token)).username
        username = await redeem_ticket(session, ticket)
        await session.commit()
        if username is None:
            raise AuthenticationError(
                "invalid stream ticket: unknown, expired or already used; "
                "get a new one from POST /api/v1/auth/sse-ticket"
            )
        if await get_user(session, username) is None:
            raise AuthenticationError(f"user {username!r} no longer exists")
        return username


async def _open_stream(
    request: Request,
    state: AppState,
    token: str | None,
    ticket: str | None,
    last_event_id: str | None,
    *,
    stream: str,
    prefix: str,
    snapshot: Snapshot,
    snapshot_limit: int,
) -> EventSourceResponse:
    resume = _parse_last_event_id(last_event_id)
    username = await _stream_user(state, token, ticket)
    lease = state.streams.acquire(username)
    events = _events(
        request, state, lease, stream, prefix, snapshot, snapshot_limit, resume
    )
    return EventSourceResponse(
        events,
        ping=state.options.keepalive_s,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(lease.release),
    )


async def _events(
    request: Request,
    state: AppState,
    lease: StreamLease,
    stream: str,
    prefix: str,
    snapshot: Snapshot,
    snapshot_limit: int,
    resume: int | None,
) -> AsyncIterator[dict[str, str]]:
    gauge = state.metrics.open_streams.labels(stream)
    sent = state.metrics.stream_events.labels(stream)
    gauge.inc()
    log.info(
        "event stream opened", extra={"stream": stream, "username": lease.username}
    )
    try:
        async with state.sessions() as session:
            cursor = resume if resume is not None else await latest_seq(session)
            body = None
            if resume is None and snapshot_limit > 0:
                body = await snapshot(session, snapshot_limit)
            tail = OutboxTail(prefix, cursor)
            await tail.prime(session)
        if body is not None:
            body["seq"] = cursor
            yield {"event": "snapshot", "id": str(cursor), "data": _json(body)}
            sent.inc()

        while not await request.is_disconnected():
            async with state.sessions() as session:
                rows, more = await tail.poll(session)
            for row in rows:
                data = {
                    "seq": row.seq,
                    "subject": row.subject,
                    "created_at": row.created_at.isoformat(),
                    "payload": row.payload,
                }
                yield {"event": row.subject, "id": str(row.seq), "data": _json(data)}
                sent.inc()
            if not more:
                await asyncio.sleep(state.options.stream_poll_s)
    finally:
        gauge.dec()
        lease.release()
        log.info(
            "event stream closed", extra={"stream": stream, "username": lease.username}
        )


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()

"""A running uvicorn server for stream tests, and a Server-Sent Events reader."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running_server(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 and a free port; yield its base URL.

    The app's lifespan is expected to be running already (the `app` fixture),
    so uvicorn is told not to run it again.
    """
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    else:
        raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@dataclass
class Event:
    """One Server-Sent Event; `comment` holds comment lines such as pings."""

    event: str = "message"
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)


async def read_events(response: httpx.Response) -> AsyncIterator[Event]:
    """Parse the event stream of `response`; comment-only blocks are yielded too."""
    current = Event()
    seen = False
    async for line in response.aiter_lines():
        if line == "":
            if seen:
                yield current
            current, seen = Event(), False
            continue
        seen = True
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "":
            current.comments.append(value)
        elif name == "event":
            current.event = value
        elif name == "id":
            current.id = value
        elif name == "data":
            current.data = f"{current.data}\n{value}" if current.data else value


async def next_event(
    events: AsyncIterator[Event], *, skip_comments: bool = True
) -> Event:
    """Return the next event (pings skipped unless asked), failing after 10 s."""

    async def pull() -> Event:
        async for event in events:
            if skip_comments and event.comments and not event.data:
                continue
            return event
        raise AssertionError("event stream ended")

    return await asyncio.wait_for(pull(), 10)

"""Stop working for a client that has gone (issue 13).

uvicorn does not cancel a handler when its client disconnects: the add-on abandons a
score request after 1.5 s (the user kept typing), and without this every abandoned
draft would still be scored, queued ahead of the one the user waits for (ten of them
queued 49 s of work). :func:`unless_disconnected` races the work against the
connection's ``http.disconnect`` and cancels the work when the client goes first; the
scoring pool then withdraws a job not started yet (daemon/scoring_service/pool.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.types import Receive

from daemon.api.errors import HttpError

T = TypeVar("T")
CLIENT_GONE = 499       # nginx's "client closed request": logged, never received


async def disconnected(receive: Receive) -> None:
    """Returns once the connection reports ``http.disconnect`` (the body must have been
    read: any more of it is skipped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def unless_disconnected(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """``work``'s result; if the client disconnects first, ``work`` is cancelled and an
    HttpError(499) is raised (its answer goes nowhere, it names the request in the log)."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(disconnected(request.receive))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        raise HttpError(CLIENT_GONE, "client_closed_request",
                        "the client closed the connection before the answer")
    return task.result()

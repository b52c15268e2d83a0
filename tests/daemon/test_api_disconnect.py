"""A score request whose client went away is dropped, not scored (issue 13).

The add-on abandons a request after 1.5 s (the user kept typing); a real API with a
slow scorer in its two scoring threads shows that ten abandoned drafts queue no work
ahead of the draft the user waits for.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from support.api_client import EchoReport, running_api

SCORE_SECONDS = 1.0       # per draft: the two threads are busy when the clients leave
ABANDON_SECONDS = 0.2     # the add-on's is 1.5 s
ABANDONED = 10


class SlowScorer:
    """EchoScorer's report after SCORE_SECONDS; records each text it starts on."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.lock = threading.Lock()

    def score_text(self, text: str, *, now: datetime | None = None, lang: str = "auto",
                   original_text: str | None = None,
                   original_date: datetime | None = None) -> EchoReport:
        with self.lock:
            self.started.append(text)
        time.sleep(SCORE_SECONDS)
        return EchoReport(text, now, original_text, original_date)

    def score_message(self, raw: bytes, **kwargs: Any) -> EchoReport:
        raise AssertionError("the drafts here are text")


async def abandon(port: int, token: str, text: str) -> None:
    """Send a score request and close the connection before the answer."""
    body = json.dumps({"text": text}).encode()
    head = (f"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    await asyncio.sleep(ABANDON_SECONDS)
    writer.close()
    await writer.wait_closed()


async def test_abandoned_drafts_queue_no_work_ahead_of_the_one_the_user_waits_for(
        tmp_path: Path) -> None:
    scorer = SlowScorer()
    async with running_api(tmp_path, scorer) as api:
        await asyncio.gather(*(abandon(api.port, api.token, f"abandoned {n}")
                               for n in range(ABANDONED)))
        started = time.perf_counter()
        reply = await api.call("POST", "/v1/score", {"text": "the one that counts"})
        waited = time.perf_counter() - started
    assert reply.status == 200 and reply.json()["body"] == "the one that counts"
    abandoned_scored = [text for text in scorer.started if text.startswith("abandoned")]
    # only the two already running when their clients left; the other eight never ran
    assert len(abandoned_scored) <= 2 and scorer.started[-1] == "the one that counts"
    assert waited < (ABANDONED / 2) * SCORE_SECONDS

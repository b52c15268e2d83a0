"""Repeated identical score requests are answered from memory, concurrent ones once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.api_client import running_api

from daemon.api.cache import ReportCache, digested, request_key
from daemon.api.models import ScoreRequest

NOON = datetime(2026, 3, 2, 12, 0, 30, tzinfo=UTC)


def key(body: object, now: datetime) -> str:
    return request_key(ScoreRequest.model_validate(body), now)


def test_the_key_depends_on_the_body_and_without_now_on_the_minute() -> None:
    body = {"text": "Hello", "lang": "en"}
    assert key(body, NOON) == key({"lang": "en", "text": "Hello"}, NOON)
    assert key(body, NOON) != key({"text": "Hello!"}, NOON)
    assert key(body, NOON) != key({"text": "Hello"}, NOON)     # lang given counts
    assert key(body, NOON) == key(body, NOON.replace(second=59))
    assert key(body, NOON) != key(body, NOON.replace(minute=1))
    fixed = {**body, "now": "2026-03-02T12:00:00+00:00"}
    assert key(fixed, NOON) == key(fixed, NOON.replace(hour=18))


def test_a_long_text_enters_the_key_as_its_digest_and_still_tells_drafts_apart() -> None:
    long = "We will ship the order today. " * 2000
    body = {"text": long, "original": {"headers": {"Subject": "Order"}, "text": long}}
    assert key(body, NOON) == key({**body}, NOON)
    assert key(body, NOON) != key({**body, "text": long + "."}, NOON)
    assert key(body, NOON) != key({**body, "original": {"headers": {"Subject": "Order"},
                                                         "text": long[:-1]}}, NOON)
    digest = next(iter(digested(long).values()))
    assert key({"text": digest}, NOON) != key({"text": long}, NOON)   # no string stands for it


async def test_concurrent_identical_requests_compute_once() -> None:
    cache = ReportCache()
    computed = 0

    async def compute() -> bytes:
        nonlocal computed
        computed += 1
        await asyncio.sleep(0.05)
        return b'{"score":90}'

    results = await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(5)))
    again = await cache.get_or_compute("k", compute)
    assert results == [b'{"score":90}'] * 5 and again == b'{"score":90}'
    assert (computed, cache.misses, cache.hits) == (1, 1, 5)


async def test_a_failed_computation_is_not_cached() -> None:
    cache = ReportCache()

    async def fail() -> bytes:
        raise RuntimeError("scorer broke")

    with pytest.raises(RuntimeError):
        await cache.get_or_compute("k", fail)
    assert "k" not in cache.done and not cache.running


async def test_the_oldest_entry_goes_first() -> None:
    cache = ReportCache(entries=2)

    async def value() -> bytes:
        return b"{}"

    for key in ("a", "b", "a", "c"):
        await cache.get_or_compute(key, value)
    assert list(cache.done) == ["a", "c"]


async def test_the_api_scores_a_repeated_draft_once(tmp_path: Path) -> None:
    async with running_api(tmp_path) as api:
        draft = {"text": "maybe", "now": "2026-03-02T12:00:00+00:00"}
        replies = [await api.call("POST", "/v1/score", draft) for _ in range(3)]
        await api.call("POST", "/v1/score", {**draft, "text": "maybe not"})
    assert all(r.json() == replies[0].json() for r in replies)
    assert api.scorer.calls == ["text", "text"]


async def test_a_computation_runs_on_while_one_of_its_waiters_is_left() -> None:
    cache = ReportCache()
    finish = asyncio.Event()

    async def compute() -> bytes:
        await finish.wait()
        return b'{"score":90}'

    gone = asyncio.create_task(cache.get_or_compute("k", compute))
    staying = asyncio.create_task(cache.get_or_compute("k", compute))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    finish.set()
    assert await staying == b'{"score":90}' and gone.cancelled()
    assert cache.done["k"] == b'{"score":90}'


async def test_a_computation_nobody_waits_for_is_cancelled() -> None:
    cache = ReportCache()
    started: list[str] = []
    cancelled: list[str] = []

    async def compute() -> bytes:
        started.append("k")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append("k")
            raise
        return b"{}"

    waiters = [asyncio.create_task(cache.get_or_compute("k", compute)) for _ in range(3)]
    await asyncio.sleep(0.01)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await asyncio.sleep(0)
    assert (started, cancelled) == (["k"], ["k"])
    assert not cache.running and "k" not in cache.done

    async def quick() -> bytes:
        return b'{"score":1}'

    assert await cache.get_or_compute("k", quick) == b'{"score":1}'   # starts afresh

"""The daemon's memory: start-up objects frozen, cycles collected now and then."""

from __future__ import annotations

import asyncio
import gc
import weakref

from daemon.runtime.memory import collect_garbage_periodically, freeze_start_up_objects


class Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_a_periodic_collection_frees_what_closed_connections_left_in_cycles() -> None:
    gc.disable()   # as if the generation thresholds were not reached for a long time
    try:
        garbage = Cycle()
        gone = weakref.ref(garbage)
        del garbage
        assert gone() is not None          # a cycle: reference counting cannot free it
        task = asyncio.ensure_future(collect_garbage_periodically(every=0.01))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if gone() is None:
                break
        task.cancel()
        assert gone() is None
    finally:
        gc.enable()


def test_start_up_objects_leave_the_collectors_sight() -> None:
    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

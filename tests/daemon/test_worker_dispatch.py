"""Choosing a scoring worker: least loaded, or the affinity key's worker unless it is
clearly busier."""

from __future__ import annotations

from daemon.scoring_service.dispatch import AFFINITY_SLACK, Affinity, choose, least_loaded


def test_without_a_preference_the_least_loaded_worker_wins_first_on_a_tie() -> None:
    assert least_loaded([3, 1, 2]) == 1
    assert choose([2, 0, 0], None) == 1


def test_the_preferred_worker_wins_unless_clearly_busier() -> None:
    assert choose([1, 0], preferred=0) == 0                     # one more: stays
    assert choose([AFFINITY_SLACK - 1, 0], preferred=0) == 0
    assert choose([AFFINITY_SLACK, 0], preferred=0) == 1        # clearly busier: moves
    assert choose([5, 4, 5], preferred=2) == 2
    assert choose([5, 4, 6], preferred=2) == 1


def test_affinity_remembers_the_last_worker_of_a_bounded_number_of_keys() -> None:
    affinity = Affinity(size=2)
    affinity.remember("a", 0)
    affinity.remember("b", 1)
    affinity.remember("a", 1)          # moved, and now the most recently used
    affinity.remember("c", 0)          # forgets "b", the least recently used
    assert (affinity.get("a"), affinity.get("b"), affinity.get("c")) == (1, None, 0)

"""Badge update latency in a real Thunderbird: from the last key of a burst to the badge.

Runs the end-to-end world of ``tests/e2e`` (upstream sink, ``trustmail run``, Thunderbird
153 headless with the freshly built add-on), replies to a customer message and types
sentences key by key (40 ms apart, a fast typist). After each sentence the user
pauses; the time from the last key to the compose-action badge changing is measured
in Thunderbird's own clock (a MutationObserver on the button).

    .venv/bin/python bench/badge_latency.py [--sentences 12]

Target (issue 5): the badge updates within 300 ms of the user pausing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from e2e.scenario import KEY_INTERVAL_MS, World  # noqa: E402
from smtp_bench_support import print_table, summary  # noqa: E402

TARGET_MS = 300.0
SENTENCES = (
    "Hi Anna, thank you for your message. ",
    "I think we could maybe look at the invoice at some point. ",
    "The difference comes from the renewal fee added in March. ",
    "It should probably be fine. ",
    "I will send you the corrected invoice by Friday. ",
    "Our billing team confirms the new amount in writing. ",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=12)
    args = parser.parse_args()
    pieces = [SENTENCES[i % len(SENTENCES)] for i in range(args.sentences)]
    rows: list[list[object]] = []
    timings: list[float] = []
    with World.start() as world:
        paired = world.pair(f"127.0.0.1:{world.api_port}", world.token)
        if not paired.startswith("Paired"):
            raise SystemExit(f"pairing failed: {paired}")
        world.receive_customer_message()
        world.open_reply()
        world.wait_for_badge()
        for number, piece in enumerate(pieces, start=1):
            result = world.type_and_time_badge(piece)
            if result["ms"] is None:
                rows.append([number, len(piece), "no update", "-"])
                continue
            timings.append(float(result["ms"]))
            rows.append([number, len(piece), float(result["ms"]), result["badge"]])
    print_table(f"badge update after each pause (keys {KEY_INTERVAL_MS} ms apart)",
                ["pause", "keys", "ms to badge", "badge"], rows)
    if timings:
        stats = summary(timings)
        print_table(f"summary (target <= {TARGET_MS:.0f} ms)",
                    ["pauses", "p50 ms", "p90 ms", "max ms", "mean ms", "target"],
                    [[len(timings), stats["p50"], stats["p90"], max(timings),
                      statistics.fmean(timings),
                      "yes" if max(timings) <= TARGET_MS and len(timings) == len(pieces)
                      else "NO"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())

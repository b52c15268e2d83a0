"""What a report costs to cross the scoring worker boundary (prints a table).

    .venv/bin/python bench/report_crossing.py [--repeat 20]

A scoring job's result is pickled in the worker and unpickled on the daemon's event
loop (daemon/scoring_service/channel.py). This pickles the report of the SMTP proxy's
job (``score_relayed``) for a typical reply and for a 5 MB draft, in the two forms it
may cross in: the core's typed ``scoring.report.Report`` and its JSON dict
(``Report.to_dict()``, what crossed before issue 15). Sizes in bytes; times are the
median of ``--repeat`` runs, in milliseconds: "worker" is what the worker pays (making
the form and pickling it), "loop" what the daemon's event loop pays (unpickling it).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from smtp_bench_support import print_table  # noqa: E402

from daemon.application.score_draft import score_relayed  # noqa: E402
from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/drafts/outlook_blame.eml"
PARAGRAPH = ("Maybe we could possibly look into the invoice, I think so. I will send the "
             "corrected invoice by Friday. Our fees are supposedly unchanged.\r\n")
DRAFT_BYTES = 5 * 1000 * 1000


def big_draft() -> bytes:
    body = PARAGRAPH * (DRAFT_BYTES // len(PARAGRAPH))
    return (b"From: me@example.com\r\nTo: you@customer.example\r\nSubject: Re: invoice\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode())


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    scorer = Scorer(load_config(None).scoring)
    rows: list[list[object]] = []
    for name, raw in (("typical reply", FIXTURE.read_bytes()), ("5 MB draft", big_draft())):
        report = score_relayed(scorer, raw, NOW)
        forms: tuple[tuple[str, Callable[[], object]], ...] = (
            ("Report", lambda r=report: r), ("dict", report.to_dict))  # type: ignore[misc]
        for form, made in forms:
            payload = pickle.dumps(made(), protocol=pickle.HIGHEST_PROTOCOL)
            rows.append([name, form, len(report.findings), len(report.promises), len(payload),
                         median_ms(lambda m=made: pickle.dumps(  # type: ignore[misc]
                             m(), protocol=pickle.HIGHEST_PROTOCOL), args.repeat),
                         median_ms(lambda p=payload: pickle.loads(p),  # type: ignore[misc]
                                   args.repeat)])
    print_table("report across the worker boundary (pickle, protocol 5)",
                ["message", "form", "findings", "promises", "bytes", "worker ms",
                 "loop ms"], rows)


if __name__ == "__main__":
    main()

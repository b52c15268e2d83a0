"""How close trustmail's readability estimate is to textstat (prints a table).

    .venv/bin/python bench/readability.py ../shared/eval
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.readability import readability  # noqa: E402
from scoring.sentences import split_sentences  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    args = parser.parse_args()
    import textstat  # type: ignore[import-untyped]

    sentences: dict[int, list[str]] = defaultdict(list)
    for line in (args.eval_dir / "tasks-enron.dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        sentences[int(row["email"])].append(row["text"])
    texts = [" ".join(parts) for parts in sentences.values()]
    ours, theirs = [], []
    textstat.set_lang("en")
    for text in texts:
        mine = readability(text, "en", len(split_sentences(text)))["flesch_reading_ease"]
        if mine is None:
            continue
        ours.append(mine)
        theirs.append(float(textstat.flesch_reading_ease(text)))
    differences = [abs(a - b) for a, b in zip(ours, theirs, strict=True)]
    print(f"## Flesch reading ease, {len(ours)} Enron emails: trustmail vs textstat\n")
    print("| median trustmail | median textstat | median abs diff | p90 abs diff | corr |")
    print("|---|---|---|---|---|")
    corr = statistics.correlation(ours, theirs)
    print(f"| {statistics.median(ours):.1f} | {statistics.median(theirs):.1f} | "
          f"{statistics.median(differences):.1f} | "
          f"{sorted(differences)[int(0.9 * len(differences))]:.1f} | {corr:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

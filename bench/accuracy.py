"""Accuracy of the scoring core on labeled data (not a test; prints tables).

    .venv/bin/python bench/accuracy.py ../shared/eval [--examples ../shared/examples]

Tables: hedge sentence P/R/F1 on hedges-wiki and hedges-reviews (cue filter of the
eval README), commitment P/R/F1 with deadline and hedged accuracy on
commitments-enron, and dimension macro-F1 on the labeled example emails.

The corpus sentences (hedges, commitments) measure the detectors: does the sentence hold
a hedge word, a will-clause? They are scored with every rule on (also those off by
default) and ``judge_sentence_kinds=False``, so a hedge counts in every kind of sentence
(a Wikipedia sentence is no statement about a customer's order, and the shipped scorer
rightly stays quiet on most of them). The example emails are scored as users see them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402
from scoring.settings import DIMENSIONS, RuleOverride, ScoringSettings  # noqa: E402

POSITIVE_WIKI = ("speculation_modal", "speculation_hypo_doxastic")
REVIEW_EXCLUDED_CUES = {"if", "or", "either", "whether", "unless", "can"}


def jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def has_honesty(scorer: Scorer, text: str) -> bool:
    report = scorer.score_text(text, lang="en")
    return any(f.dimension == "honesty" for f in report.findings)


def hedges(scorer: Scorer, path: Path, reviews: bool) -> tuple[int, int, int, int]:
    tp = fp = fn = n = 0
    for row in jsonl(path):
        n += 1
        text = row["text"]
        if reviews:
            gold = any(text[c["start"]:c["end"]].lower() not in REVIEW_EXCLUDED_CUES
                       for c in row["cues"])
        else:
            gold = any(c["type"].startswith(POSITIVE_WIKI) for c in row["cues"])
        predicted = has_honesty(scorer, text)
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    return tp, fp, fn, n


def commitments(scorer: Scorer, path: Path) -> dict[str, float]:
    rows = {row["line"]: row for row in jsonl(path)}.values()
    tp = fp = fn = 0
    deadline_gold = deadline_found = hedged_right = hedged_total = 0
    for row in rows:
        report = scorer.score_text(row["text"], lang="en")
        promises = report.promises
        gold = bool(row["commitment"])
        predicted = bool(promises)
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
        if gold and predicted:
            if row.get("deadline"):
                deadline_gold += 1
                deadline_found += any(p.deadline_text for p in promises)
            if row.get("hedged") is not None:
                hedged_total += 1
                hedged_right += any(p.hedged for p in promises) == bool(row["hedged"])
    p, r, f = prf(tp, fp, fn)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn,
            "deadline_found": deadline_found / deadline_gold if deadline_gold else 0.0,
            "deadline_gold": deadline_gold,
            "hedged_accuracy": hedged_right / hedged_total if hedged_total else 0.0}


def examples(scorer: Scorer, folder: Path) -> tuple[dict[str, tuple[int, int, int]], list[str]]:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    counts = {d: [0, 0, 0] for d in DIMENSIONS}
    problems = []
    for key, label in sorted(labels.items()):
        report = scorer.score_message((folder / "emails" / f"{key}.eml").read_bytes())
        flagged = {d for d in DIMENSIONS
                   if any(f.dimension == d for f in report.findings)
                   or report.dimensions[d].verdict != "pass"}
        for d in DIMENSIONS:
            if d in label["flag"]:
                counts[d][0 if d in flagged else 2] += 1
                if d not in flagged:
                    problems.append(f"{key} missed {d}")
            elif d in label["clean"] and d in flagged:
                counts[d][1] += 1
                rules = sorted({f.rule for f in report.findings if f.dimension == d})
                problems.append(f"{key} false {d}: {', '.join(rules)}")
    return {d: (c[0], c[1], c[2]) for d, c in counts.items()}, problems


def every_rule_on(settings: ScoringSettings) -> ScoringSettings:
    """The shipped rules with those that are off by default switched on: the detectors."""
    off = [rule_id for rule_id, rule in Scorer(settings).rulebook.by_id().items()
           if not rule.enabled]
    return replace(settings, overrides={**settings.overrides, **{
        rule_id: RuleOverride(rule_id, "bench: every detector", enabled=True)
        for rule_id in off}})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--config", type=Path, default=None,
                        help="an extra config layer, e.g. rules switched on or off")
    parser.add_argument("--examples", type=Path, default=None,
                        help="labeled example emails (default: EVAL_DIR/../examples)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    settings = load_config(args.config).scoring
    scorer = Scorer(settings)
    detector = Scorer(every_rule_on(settings), judge_sentence_kinds=False)

    print("## Hedge detection (honesty), sentence level, detector (every sentence kind)")
    print("| set | sentences | precision | recall | F1 |\n|---|---|---|---|---|")
    for name, reviews in (("hedges-wiki.dev.jsonl", False), ("hedges-reviews.dev.jsonl", True)):
        tp, fp, fn, n = hedges(detector, args.eval_dir / name, reviews)
        p, r, f = prf(tp, fp, fn)
        print(f"| {name} | {n} | {p:.3f} | {r:.3f} | {f:.3f} |")

    print("\n## Commitments (promises), commitments-enron")
    c = commitments(detector, args.eval_dir / "commitments-enron.dev.jsonl")
    print("| precision | recall | F1 | deadline found | hedged accuracy |\n|---|---|---|---|---|")
    print(f"| {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
          f"{c['deadline_found']:.3f} (of {c['deadline_gold']}) | {c['hedged_accuracy']:.3f} |")

    folder = args.examples or args.eval_dir.parent / "examples"
    if (folder / "labels.json").is_file():
        counts, problems = examples(scorer, folder)
        print("\n## Dimensions on labeled example emails")
        print("| dimension | tp | fp | fn | F1 |\n|---|---|---|---|---|")
        f1s = []
        for d, (tp, fp, fn) in counts.items():
            f1 = prf(tp, fp, fn)[2]
            f1s.append(f1)
            print(f"| {d} | {tp} | {fp} | {fn} | {f1:.3f} |")
        print(f"| **macro-F1** | | | | **{sum(f1s) / len(f1s):.3f}** |")
        if args.verbose:
            for problem in problems:
                print("  ", problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())

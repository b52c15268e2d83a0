"""Precision of findings on real mail, judged by hand (issue 9's measure).

Scores real emails nobody on the project wrote — the 500 Enron emails joined from
``tasks-enron.dev.jsonl`` and the replies (messages with In-Reply-To) of the two
mailboxes — and joins every finding with the hand judgments in
``bench/precision_judgments.jsonl``. A judgment names corpus, email, rule and span (never
the corpus text, which stays in ../shared), whether a careful account manager would want
to be told, and why.

    .venv/bin/python bench/precision.py ../shared/eval             # the tables
    .venv/bin/python bench/precision.py ../shared/eval --unjudged 20 [--rule ID]
        # prints up to 20 unjudged findings per rule, in context, for judging
        # (--seed S: a random sample of them, not the first)

A judged sample only measures what it judged: after a change, judge the new findings.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.speed import enron_emails  # noqa: E402
from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402

JUDGMENTS = Path(__file__).with_name("precision_judgments.jsonl")
MAILBOXES = {"grase": "mailboxes/grase-support.mbox", "r-help": "mailboxes/r-help-2015h2.mbox"}
CONTEXT_CHARS = 160
TARGET_OVERALL = 0.85
TARGET_PER_RULE = 0.70
TARGET_FLAGGED_SHARE = 0.20


@dataclass(frozen=True)
class Email:
    corpus: str
    key: str        # stable id inside its corpus: Enron email number or Message-ID
    raw: bytes


def real_emails(eval_dir: Path) -> Iterator[Email]:
    """Every real email of the three corpora, with a stable key."""
    for number, text in enumerate(enron_emails(eval_dir), start=1):
        yield Email("enron", str(number), text.encode("utf-8"))
    for corpus, relative in MAILBOXES.items():
        for index, message in enumerate(mailbox.mbox(str(eval_dir / relative), create=False)):
            if not message.get("In-Reply-To"):
                continue   # replies only: the sender answers someone
            key = str(message.get("Message-ID") or f"#{index}").strip()
            yield Email(corpus, key, message.as_bytes())


def judgment_key(corpus: str, email: str, rule: str, start: int, end: int) -> str:
    return f"{corpus}\t{email}\t{rule}\t{start}\t{end}"


def load_judgments() -> dict[str, dict[str, object]]:
    judged: dict[str, dict[str, object]] = {}
    if JUDGMENTS.exists():
        for line in JUDGMENTS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                judged[judgment_key(row["corpus"], row["email"], row["rule"],
                                    row["start"], row["end"])] = row
    return judged


def ratio(right: int, judged: int) -> str:
    return f"{right / judged:.2f}" if judged else "-"


def judging_arguments(description: str, unjudged_help: str) -> argparse.ArgumentParser:
    """What every judged benchmark takes: the eval folder, a config layer, and how many
    unjudged items to print for judging."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--config", type=Path, default=None,
                        help="an extra config layer, e.g. config/profiles/coach.toml")
    parser.add_argument("--unjudged", type=int, default=0, help=unjudged_help)
    return parser


def main() -> None:
    parser = judging_arguments(__doc__.splitlines()[0],
                               "print up to N unjudged findings per rule for judging")
    parser.add_argument("--rule", help="only this rule id (with --unjudged)")
    parser.add_argument("--seed", type=int, default=None,
                        help="with --unjudged: a random sample (this seed) instead of the "
                             "first findings, so a judged sample stands for the rule")
    args = parser.parse_args()

    scorer = Scorer(load_config(args.config).scoring)
    judged = load_judgments()
    emails: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    # (rule, corpus) -> [findings, judged, right]
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    unjudged: dict[str, list[str]] = defaultdict(list)
    for email in real_emails(args.eval_dir):
        report = scorer.score_message(email.raw)
        emails[email.corpus] += 1
        if report.findings:
            flagged[email.corpus] += 1
        for finding in report.findings:
            cell = table[(finding.rule, email.corpus)]
            cell[0] += 1
            row = judged.get(judgment_key(email.corpus, email.key, finding.rule,
                                          finding.start, finding.end))
            if row is not None:
                cell[1] += 1
                cell[2] += bool(row["right"])
            elif args.unjudged and (args.rule is None or args.rule == finding.rule):
                before = report.body[max(0, finding.start - CONTEXT_CHARS):finding.start]
                after = report.body[finding.end:finding.end + CONTEXT_CHARS]
                unjudged[finding.rule].append(
                    json.dumps({"corpus": email.corpus, "email": email.key,
                                "rule": finding.rule, "start": finding.start,
                                "end": finding.end, "match": finding.match})
                    + "\n" + f"    ...{before}[[{finding.match}]]{after}...".replace("\n", " / "))
    if args.unjudged:
        for rule in sorted(unjudged):
            found = unjudged[rule]
            picked = (random.Random(args.seed).sample(found, min(args.unjudged, len(found)))
                      if args.seed is not None else found[:args.unjudged])
            print("\n".join(picked))
    if args.unjudged:
        return
    print_tables(table, emails, flagged)


def print_tables(table: dict[tuple[str, str], list[int]], emails: Counter[str],
                 flagged: Counter[str]) -> None:
    corpora = list(emails)
    print("| rule | " + " | ".join(f"{c}: found / judged / P" for c in corpora) + " |")
    print("|---|" + "---|" * len(corpora))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for rule in sorted({rule for rule, _ in table}):
        cells = []
        for corpus in corpora:
            found, n_judged, right = table.get((rule, corpus), [0, 0, 0])
            for index, value in enumerate((found, n_judged, right)):
                totals[corpus][index] += value
            cells.append(f"{found} / {n_judged} / {ratio(right, n_judged)}" if found else "-")
        print(f"| {rule} | " + " | ".join(cells) + " |")
    print("| **all rules** | " + " | ".join(
        f"{t[0]} / {t[1]} / **{ratio(t[2], t[1])}**" for t in (totals[c] for c in corpora))
        + " |")
    print()
    print("| corpus | emails | with any finding | share |")
    print("|---|---|---|---|")
    for corpus in corpora:
        print(f"| {corpus} | {emails[corpus]} | {flagged[corpus]} | "
              f"{flagged[corpus] / emails[corpus]:.1%} |")
    print(f"\ntargets: precision >= {TARGET_OVERALL} overall and >= {TARGET_PER_RULE} per "
          f"default rule; share with any finding <= {TARGET_FLAGGED_SHARE:.0%}")


if __name__ == "__main__":
    main()

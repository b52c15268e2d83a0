"""Unanswered questions judged by hand (issue 10's third target).

A reproducible sample of replies from the two mailboxes: replies whose parent (In-Reply-To)
is in the same mailbox, written by someone else, and whose text holds at least one of the
parent's own question lines (``bench/threads.py``'s ``question_lines``), i.e. the reply
quotes a question of the customer's latest message. The sample is drawn with a fixed seed;
each reply is scored alone with the shipped config (or ``--config``), and joined with the
hand judgments in ``bench/unanswered_judgments.jsonl``. A judgment names corpus, message
id and the question (as the scorer extracted it or as it stands in the quote; no other
corpus text) and a verdict:

- ``answered``: the customer asks the sender, and the reply answers it anywhere, in any
  words ("Yes", "Try approx()", an answer under the quoted question, "X will answer
  tomorrow");
- ``unanswered``: owed and left open: a careful account manager would want a warning;
- ``not-owed``: rhetorical, the sender's own, a pleasantry, already answered by the
  customer, addressed to someone else, or no question at all.

    .venv/bin/python bench/unanswered.py ../shared/eval                 # the tables
    .venv/bin/python bench/unanswered.py ../shared/eval --config config/profiles/coach.toml
    .venv/bin/python bench/unanswered.py ../shared/eval --unjudged 10   # replies to judge
    .venv/bin/python bench/unanswered.py ../shared/eval --disagreements # the report's errors

A warning is a finding of ``*.responsiveness.unanswered-question`` or of
``unmatched-question`` (off by default, on in the coach profile) naming the question. The
Enron emails are not sampled: ``tasks-enron`` holds their sentences, not their quotes.

Judgments are keyed by message id and the question's words, so they survive scorer
changes; a question the scorer newly extracts is unjudged until judged (``--unjudged``).
"""

from __future__ import annotations

import json
import mailbox
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.precision import MAILBOXES, judging_arguments, ratio  # noqa: E402
from bench.threads import contains, question_lines, sender, words  # noqa: E402
from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402
from scoring.draft import parse_bytes  # noqa: E402
from scoring.report import Report  # noqa: E402

JUDGMENTS = Path(__file__).with_name("unanswered_judgments.jsonl")
SAMPLE_PER_CORPUS = 55
MANY_PER_CORPUS = 12
MANY_QUESTIONS = 3
SEED = 1
VERDICTS = ("answered", "unanswered", "not-owed")
WARNING_RULES = ("responsiveness.unanswered-question", "responsiveness.unmatched-question")
QUOTED_IN_MESSAGE = re.compile(r"\u201c(.*?)\u201d")
TARGET_PRECISION = 0.85
TARGET_RECALL = 0.80
SHOW_CHARS = 4000
SAMPLE_FILE = Path(__file__).with_name("unanswered_sample.jsonl")


@dataclass
class Reply:
    corpus: str
    key: str                  # Message-ID
    raw: bytes
    asked: list[str]          # the parent's question lines the reply's text holds
    stratum: str = "random"


@dataclass
class Asked:
    """One question of a sampled reply: from the report, the quote, or both."""
    text: str
    listed: bool = False      # in report.questions
    listed_answered: bool = False   # answered, or not owed (asked of someone else)
    warned: bool = False      # a warning finding names it
    verdict: str | None = None
    reason: str = ""
    source: list[str] = field(default_factory=list)


def sample(eval_dir: Path, per_corpus: int = SAMPLE_PER_CORPUS,
           seed: int = SEED) -> Iterator[Reply]:
    """Replies that quote a question of their parent: ``per_corpus`` of each mailbox drawn
    with ``random.Random(seed)`` (stratum "random"), then up to ``MANY_PER_CORPUS`` of the
    others whose parent asks ``MANY_QUESTIONS`` or more (stratum "many"; a random reply
    is rarely left unanswered, one that asks several things more often is), in mailbox
    order. Both strata are chosen from the parent alone, never from the scorer's output."""
    for corpus, relative in MAILBOXES.items():
        messages = list(mailbox.mbox(str(eval_dir / relative), create=False))
        by_id = {str(m.get("Message-ID", "")).strip(): m for m in messages if m.get("Message-ID")}
        eligible: list[Reply] = []
        for message in messages:
            parent = by_id.get(str(message.get("In-Reply-To", "")).strip())
            if parent is None or sender(parent) == sender(message):
                continue
            reply = reply_to(corpus, message, parent)
            if reply.asked:
                eligible.append(reply)
        picked = random.Random(seed).sample(range(len(eligible)), min(per_corpus, len(eligible)))
        many = [i for i in range(len(eligible))
                if i not in picked and len(eligible[i].asked) >= MANY_QUESTIONS]
        extra = random.Random(seed).sample(many, min(MANY_PER_CORPUS, len(many)))
        for index in sorted(picked + extra):
            if index in extra:
                eligible[index].stratum = "many"
            yield eligible[index]


def reply_to(corpus: str, message: mailbox.mboxMessage, parent: mailbox.mboxMessage,
             stratum: str = "random") -> Reply:
    """A reply, with the parent's question lines its text (new, quoted or footer) holds."""
    raw = message.as_bytes()
    draft = parse_bytes(raw)
    text = words("\n".join((draft.body, draft.quoted, draft.footer)))
    asked = [q for q in question_lines(parse_bytes(parent.as_bytes()).body)
             if contains(text, words(q))]
    return Reply(corpus, str(message.get("Message-ID")).strip(), raw, asked, stratum)


def pinned_sample(eval_dir: Path) -> Iterator[Reply]:
    """The sample the judgments were made on (``SAMPLE_FILE``), whatever the parser reads
    today: drawn from the parser's own split, a better quote parser would draw another
    one, and the judged sample would measure nothing."""
    wanted = [json.loads(line) for line in SAMPLE_FILE.read_text("utf-8").splitlines()
              if line.strip()]
    for corpus, relative in MAILBOXES.items():
        messages = list(mailbox.mbox(str(eval_dir / relative), create=False))
        by_id = {str(m.get("Message-ID", "")).strip(): m for m in messages if m.get("Message-ID")}
        for row in (r for r in wanted if r["corpus"] == corpus):
            message = by_id[row["email"]]
            parent = by_id[str(message.get("In-Reply-To", "")).strip()]
            yield reply_to(corpus, message, parent, row["stratum"])


def same_question(a: str, b: str) -> bool:
    """The same question when one's words run inside the other's."""
    wa, wb = words(a), words(b)
    return bool(wa) and bool(wb) and (contains(wa, wb) or contains(wb, wa))


def load_judgments() -> dict[tuple[str, str], list[dict[str, str]]]:
    judged: dict[tuple[str, str], list[dict[str, str]]] = {}
    if JUDGMENTS.exists():
        for line in JUDGMENTS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row["verdict"] not in VERDICTS or not words(row["question"]):
                    raise ValueError(f"a judgment needs a question and one of {VERDICTS}: {row}")
                judged.setdefault((row["corpus"], row["email"]), []).append(row)
    return judged


def questions_of(reply: Reply, report: Report,
                 judged: list[dict[str, str]]) -> list[Asked]:
    """The report's questions, the quoted question lines it missed, and the questions judged
    by hand for this reply, each once, with their judgment."""
    found: list[Asked] = []

    def entry(text: str, source: str) -> Asked:
        for item in found:
            if same_question(item.text, text):
                item.source.append(source)
                return item
        found.append(Asked(text, source=[source]))
        return found[-1]

    for question in report.questions:
        item = entry(question.text, "report")
        item.listed = True
        item.listed_answered = item.listed_answered or question.answered or not question.owed
    for finding in report.findings:
        if finding.rule.endswith(WARNING_RULES):
            for named in QUOTED_IN_MESSAGE.findall(finding.message)[:1]:
                entry(named, "warning").warned = True
    for line in reply.asked:
        entry(line, "quote")
    for row in judged:
        item = entry(row["question"], "judged")
        item.verdict, item.reason = row["verdict"], row.get("reason", "")
    return found


def show(reply: Reply, report: Report, items: list[Asked]) -> None:
    """A reply in full, with its questions, for judging."""
    draft = parse_bytes(reply.raw)
    print(f"\n{'=' * 100}\n{reply.corpus} {reply.key}\nFrom: {draft.from_name} "
          f"<{draft.from_addr}>  To: {', '.join(draft.to_names)}  Subject: {draft.subject}")
    for item in items:
        state = ("answered" if item.listed_answered else "OPEN") if item.listed else "missed"
        print(f"  Q [{state}{' WARN' if item.warned else ''}] [{item.verdict or '?'}] "
              f"{item.text!r}")
        if item.verdict is None:
            print("    " + json.dumps({"corpus": reply.corpus, "email": reply.key,
                                       "question": item.text, "verdict": "", "reason": ""}))
    print(f"--- new text ---\n{draft.body[:SHOW_CHARS]}")
    print(f"--- attribution --- {draft.attribution[:200]!r}")
    print(f"--- quoted ---\n{draft.quoted[:SHOW_CHARS]}")


def main() -> None:
    parser = judging_arguments(__doc__.splitlines()[0],
                               "print up to N sampled replies with an unjudged question")
    parser.add_argument("--skip", type=int, default=0,
                        help="with --unjudged: leave out the first S such replies")
    parser.add_argument("--disagreements", action="store_true",
                        help="list every judged question the report gets wrong, by kind")
    parser.add_argument("--resample", action="store_true",
                        help=f"draw the sample afresh and pin it in {SAMPLE_FILE.name}")
    args = parser.parse_args()
    if args.resample or not SAMPLE_FILE.exists():
        SAMPLE_FILE.write_text("".join(
            json.dumps({"corpus": r.corpus, "email": r.key, "stratum": r.stratum}) + "\n"
            for r in sample(args.eval_dir)), "utf-8")

    scorer = Scorer(load_config(args.config).scoring)
    judged = load_judgments()
    counts: dict[str, Counter[str]] = {}
    wrong: list[str] = []
    to_show = 0
    for reply in pinned_sample(args.eval_dir):
        report = scorer.score_message(reply.raw)
        items = questions_of(reply, report, judged.get((reply.corpus, reply.key), []))
        column = reply.corpus if reply.stratum == "random" else "many: both"
        c = counts.setdefault(column, Counter())
        c["replies"] += 1
        if args.unjudged:
            if any(item.verdict is None for item in items):
                to_show += 1
                if args.skip < to_show <= args.skip + args.unjudged:
                    show(reply, report, items)
            continue
        tally(c, items)
        if args.disagreements:
            for item in items:
                kind = disagreement(item)
                if kind:
                    wrong.append(f"{kind}\t{reply.corpus} {reply.key}\t{item.text[:90]!r}"
                                 f"\t{item.reason}")
    if args.disagreements:
        print("\n".join(sorted(wrong)))
    elif not args.unjudged:
        print_tables(counts, args.config)


def disagreement(item: Asked) -> str:
    """How the report's reading of a judged question differs from the judgment, if it does."""
    if item.verdict is None:
        return ""
    if not item.listed:
        return "" if item.verdict == "not-owed" else f"not extracted ({item.verdict})"
    if item.verdict == "not-owed":
        return "listed but not owed"
    if item.listed_answered and item.verdict == "unanswered":
        return "listed answered, judged unanswered"
    if not item.listed_answered and item.verdict == "answered":
        return "listed open, judged answered" + (" (warned)" if item.warned else "")
    if not item.warned and item.verdict == "unanswered":
        return "open and listed, no warning"
    return ""


def tally(c: Counter[str], items: list[Asked]) -> None:
    for item in items:
        if item.verdict is None:
            c["unjudged"] += 1
            continue
        open_owed = item.verdict == "unanswered"
        c["questions"] += 1
        c[f"verdict {item.verdict}"] += 1
        if item.warned:
            c["warnings"] += 1
            c["warnings right"] += open_owed
        if open_owed:
            c["owed open"] += 1
            c["owed open warned"] += item.warned
            c["owed open listed open"] += item.listed and not item.listed_answered
        if item.verdict != "not-owed" and not item.listed:
            c["owed not extracted"] += 1
            c[f"owed not extracted {item.verdict}"] += 1
        if item.listed and not item.listed_answered:
            c["listed open"] += 1
            c["listed open right"] += open_owed
        if item.listed and item.listed_answered:
            c["listed answered"] += 1
            c["listed answered right"] += not open_owed
        if item.listed and item.verdict == "not-owed":
            c["listed not owed"] += 1


def print_tables(counts: dict[str, Counter[str]], config: Path | None) -> None:
    corpora = [column for column in counts if column != "many: both"]
    random_all: Counter[str] = sum((counts[c] for c in corpora), Counter())
    total: Counter[str] = sum(counts.values(), Counter())
    columns = [*corpora, "random: all", "many: both", "total"]
    cells = {**counts, "random: all": random_all, "total": total}
    cells.setdefault("many: both", Counter())

    def row(label: str, part: str, whole: str) -> str:
        values = [f"{cells[c][part]} / {cells[c][whole]} ({ratio(cells[c][part], cells[c][whole])})"
                  for c in columns]
        return f"| {label} | " + " | ".join(values) + " |"

    print(f"config: shipped defaults{' + ' + str(config) if config else ''}; columns: the "
          f"random sample per mailbox, and the replies to a parent with >= {MANY_QUESTIONS} "
          "questions\n")
    print("| sample | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label, key in (("replies", "replies"), ("questions judged", "questions"),
                       ("judged answered", "verdict answered"),
                       ("judged unanswered (owed, open)", "verdict unanswered"),
                       ("judged not owed", "verdict not-owed"), ("unjudged", "unjudged")):
        print(f"| {label} | " + " | ".join(str(cells[c][key]) for c in columns) + " |")
    print("\n| measure | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    print(row("(1) warning precision: warnings judged open and owed", "warnings right",
              "warnings"))
    print(row("(2) recall: open owed questions with a warning", "owed open warned", "owed open"))
    print(row("(2b) open owed questions listed open (not answered, owed)", "owed open listed open",
              "owed open"))
    print(row("(3) listed open: judged open and owed", "listed open right",
              "listed open"))
    print(row("(3b) listed answered or not owed: judged so", "listed answered right",
              "listed answered"))
    print(row("(3c) listed but not owed", "listed not owed", "questions"))
    print(row("owed questions not extracted at all", "owed not extracted", "questions"))
    print(row("... of them judged unanswered", "owed not extracted unanswered",
              "owed not extracted"))
    print(f"\ntargets: warnings right >= {TARGET_PRECISION:.0%}; open owed questions found "
          f">= {TARGET_RECALL:.0%}")


if __name__ == "__main__":
    main()

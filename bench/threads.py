"""Reading real threads (issue 10): the wait and the quoted questions, checked against the
parent message.

    .venv/bin/python bench/threads.py ../shared/eval [--show N]

For every reply of the two mailboxes whose parent (In-Reply-To) is in the same mailbox,
the reply is scored alone, as the proxy would score it; the parent is used for checking
only:

- wait: when the report gives the quoted message's date, does it agree with the parent's
  own Date header within an hour? (never negative)
- questions: of the parent's own question lines (new text ending in "?" after a word,
  mostly words: not console output) that the reply quotes, how many does the report
  list as the customer's questions? A reply to the sender's own message (the same
  address, or the same display name from another) is left out: those questions are not
  owed.

``--show N`` prints N disagreements of each kind, to read them.
"""

from __future__ import annotations

import argparse
import mailbox
import re
import sys
from collections import Counter
from datetime import datetime, timedelta
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402
from scoring.draft import parse_bytes  # noqa: E402

MAILBOXES = {"grase": "mailboxes/grase-support.mbox", "r-help": "mailboxes/r-help-2015h2.mbox"}
AGREE_WITHIN = timedelta(hours=1)
TARGET_WAIT_AGREES = 0.95
TARGET_QUESTIONS_FOUND = 0.90
MIN_QUESTION_WORDS = 3
WORDS = re.compile(r"\w+")


def date_of(message: mailbox.mboxMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def words(text: str) -> tuple[str, ...]:
    return tuple(WORDS.findall(text.lower()))


# a "?" that stands for a character the charset lost ("package ?zoo?") asks nothing
LOST_CHARACTER = re.compile(r"\?[^\s?]|[^\w\s)\]\"']\?$")


# console output ends in "?" too ("22:49:32.447 IP 10.1.0.2.52895 > 10.1.0.1.domain: A?"):
# a question line is mostly words, not numbers, paths and addresses
WORD_TOKEN = re.compile(r"^[(\"'“]*(?=[\w'’-]*[^\W\d_])[\w'’-]+[\"'”)]*[,.;:!?)]*$")
MIN_WORD_SHARE = 0.5


def mostly_words(line: str) -> bool:
    tokens = line.split()
    return sum(1 for token in tokens if WORD_TOKEN.match(token)) >= MIN_WORD_SHARE * len(tokens)


def question_lines(body: str) -> list[str]:
    """The parent's own questions: lines of its new text that end in '?' after a word,
    and are mostly words."""
    lines = []
    for line in body.splitlines():
        line = line.strip()
        if (line.endswith("?") and len(words(line)) >= MIN_QUESTION_WORDS
                and not LOST_CHARACTER.search(line.rstrip("?") + "?")
                and not LOST_CHARACTER.search(line[:-1]) and mostly_words(line)):
            lines.append(line)
    return lines


def sender(message: mailbox.mboxMessage) -> str:
    return parseaddr(str(message.get("From", "")))[1].lower()


def same_person(one: mailbox.mboxMessage, other: mailbox.mboxMessage) -> bool:
    """The same writer: the same address, or the same display name from another address
    ("Pablo Arango Correa" writes from two; a list archive hides one of them)."""
    (name, address), (other_name, other_address) = (
        parseaddr(str(m.get("From", ""))) for m in (one, other))
    if address and address.lower() == other_address.lower():
        return True
    name, other_name = (" ".join(n.replace('"', " ").lower().split()) for n in (name, other_name))
    return bool(name) and any(c.isalpha() for c in name) and name == other_name


def contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """``needle`` as a run of words inside ``haystack``."""
    text, part = " ".join(haystack), " ".join(needle)
    return f" {part} " in f" {text} "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    scorer = Scorer(load_config().scoring)
    rows = []
    for corpus, relative in MAILBOXES.items():
        messages = list(mailbox.mbox(str(args.eval_dir / relative), create=False))
        by_id = {str(m.get("Message-ID", "")).strip(): m for m in messages if m.get("Message-ID")}
        counts: Counter[str] = Counter()
        shown: Counter[str] = Counter()
        for message in messages:
            parent = by_id.get(str(message.get("In-Reply-To", "")).strip())
            if parent is None:
                continue
            counts["replies"] += 1
            raw = message.as_bytes()
            report = scorer.score_message(raw)
            # a wait is reported when the report says how long the customer waited
            quoted = report.meta.get("quote_date") if report.meta.get("waited") else None
            parent_date = date_of(parent)
            if quoted and parent_date is not None:
                counts["wait reported"] += 1
                difference = datetime.fromisoformat(str(quoted)) - parent_date
                reply_date = date_of(message)
                if reply_date is not None and datetime.fromisoformat(str(quoted)) > reply_date:
                    counts["negative"] += 1
                if abs(difference) <= AGREE_WITHIN:
                    counts["wait agrees"] += 1
                elif shown["wait"] < args.show:
                    shown["wait"] += 1
                    print(f"wait {corpus} {message.get('Message-ID')}: quote {quoted}, "
                          f"parent {parent_date.isoformat()}; "
                          f"attribution {parse_bytes(raw).attribution[:100]!r}")
            quote_words = words(parse_bytes(raw).quoted)
            parent_body = parse_bytes(parent.as_bytes()).body
            # the sender's own earlier questions are nobody's to answer (and not listed)
            own = same_person(parent, message)
            asked = [] if own else [q for q in question_lines(parent_body)
                                    if contains(quote_words, words(q))]
            found = [words(q.text) for q in report.questions]
            for question in asked:
                counts["quoted questions"] += 1
                wanted = words(question)
                if any(contains(wanted, f) or contains(f, wanted) for f in found if f):
                    counts["questions found"] += 1
                elif shown["question"] < args.show:
                    shown["question"] += 1
                    print(f"question {corpus} {message.get('Message-ID')}: {question!r}; "
                          f"found {[q.text for q in report.questions]}")
        rows.append((corpus, counts))
    print("| corpus | replies with parent | wait reported | agrees within 1 h | negative "
          "| quoted question lines | extracted |")
    print("|---|---|---|---|---|---|---|")
    for corpus, c in rows:
        agree = c["wait agrees"] / c["wait reported"] if c["wait reported"] else 0.0
        found = c["questions found"] / c["quoted questions"] if c["quoted questions"] else 0.0
        print(f"| {corpus} | {c['replies']} | {c['wait reported']} | {c['wait agrees']} "
              f"({agree:.1%}) | {c['negative']} | {c['quoted questions']} | "
              f"{c['questions found']} ({found:.1%}) |")
    print(f"\ntargets: wait agrees >= {TARGET_WAIT_AGREES:.0%}, none negative; "
          f"quoted questions extracted >= {TARGET_QUESTIONS_FOUND:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

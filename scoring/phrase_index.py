"""One pass over the words of a draft finds every phrase of every rule.

Phrases are word sequences; matching them token by token through a dict of first
words costs one lookup per word of the draft, however many rules and phrases there
are. Regular expressions remain for what is not a plain phrase (patterns, phrases
with punctuation such as "/month").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress

TOKEN = re.compile(r"\w+(?:['’]\w+)*")
TOKEN_SPLIT = re.compile(r"(\w\w*(?:['’]\w+)*)")   # \w\w*: the engine skips to a word
WORD_SPLIT = re.compile(r"(\w\w*)")   # the same where no apostrophe occurs, and faster
PLAIN_PHRASE = re.compile(r"\s*\w+(?:['’]\w+)*(?:\s+\w+(?:['’]\w+)*)*\s*")

Key = tuple[str, str]                 # (rule id, role)
Span = tuple[int, int]


def normalise(word: str) -> str:
    return word.lower().replace("’", "'")


@dataclass(slots=True)
class Tokens:
    """The words of a text, lower-cased, with what separates them.

    Built with C-speed splitting: ``parts`` alternates separators and words as split,
    ``separators[i]`` is the text before ``words[i]``, and word ``i`` of the whole text
    spans ``bounds[2*i]`` to ``bounds[2*i + 1]``. The bounds are summed up only when a
    span is asked for (most drafts have no phrase hit). A slice of it (:meth:`within`)
    shares them and counts spans from its own start.
    """

    words: list[str]
    separators: list[str]
    parts: list[str]
    length: int         # of the whole text
    first: int = 0      # the index of words[0] among the whole text's words
    offset: int = 0     # where the slice starts in the whole text
    _bounds: list[int] | None = None

    @property
    def bounds(self) -> list[int]:
        """Where each part of the whole text ends."""
        if self._bounds is None:
            self._bounds = list(accumulate(map(len, self.parts)))
        return self._bounds

    def span(self, first: int, last: int) -> Span:
        """Characters from the start of word ``first`` to the end of word ``last``."""
        base, offset, bounds = self.first, self.offset, self.bounds
        return bounds[2 * (base + first)] - offset, bounds[2 * (base + last) + 1] - offset

    def within(self, start: int, end: int) -> Tokens:
        """The words inside characters ``start``..``end`` of the whole text (a sentence
        or a sample that does not cut a word), spans relative to ``start``. The first
        separator of the slice may reach back before ``start``; phrase matching never
        looks at it."""
        if start <= 0 and end >= self.length:
            return self                                 # all of it: no copy
        bounds = self.bounds
        low = (bisect_left(bounds, start) + 1) // 2     # the first word starting >= start
        high = bisect_right(bounds, end) // 2           # words ending <= end
        return Tokens(self.words[low:high], self.separators[low:high], self.parts,
                      self.length, low, start, bounds)


def tokenize(text: str) -> Tokens:
    """Lower-case words (apostrophes normalised) with their separators and bounds."""
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):
        # a few characters grow when lower-cased ("İ"): split the text as written, so
        # that the bounds stay those of the text, and lower-case word by word
        parts = TOKEN_SPLIT.split(text)
        return Tokens([normalise(word) for word in parts[1::2]], parts[0::2], parts,
                      len(text))
    parts = (TOKEN_SPLIT if "'" in lowered else WORD_SPLIT).split(lowered)
    return Tokens(parts[1::2], parts[0::2], parts, len(text))


def phrase_words(phrase: str) -> tuple[str, ...] | None:
    """The words of a plain phrase, or None when it needs a regex (punctuation)."""
    if not PLAIN_PHRASE.fullmatch(phrase):
        return None
    return tuple(normalise(word) for word in TOKEN.findall(phrase))


class PhraseIndex:
    """Phrases of many rules, indexed by their first word (one-word phrases) or their
    first two words (longer phrases), so a draft costs about two dict lookups per word."""

    def __init__(self, entries: Iterable[tuple[tuple[str, ...], Key]]) -> None:
        self._single: dict[str, list[Key]] = defaultdict(list)
        # (first, second word) -> (the words after them, key)
        self._multi: dict[tuple[str, str], list[tuple[list[str], Key]]] = defaultdict(list)
        for words, key in entries:
            if len(words) == 1:
                self._single[words[0]].append(key)
            elif words:
                self._multi[(words[0], words[1])].append((list(words[2:]), key))
        self._single_words = frozenset(self._single)
        self._pairs = frozenset(self._multi)

    def scan(self, tokens: Tokens) -> dict[Key, list[Span]]:
        """Every phrase occurrence; words of a phrase may be separated by whitespace only."""
        words, separators = tokens.words, tokens.separators
        # Which phrase starts occur at all, found at C speed (most sentences have none):
        # single words, and the first two words of longer phrases.
        singles = self._single_words.intersection(words)
        pairs = self._pairs.intersection(zip(words, words[1:], strict=False))
        if not singles and not pairs:
            return {}
        starts = singles.union(first for first, _ in pairs)
        hits: dict[Key, list[Span]] = defaultdict(list)
        single, multi = self._single, self._multi
        count = len(words)
        # the positions of those words, found at C speed too: a draft has few
        for index in compress(range(count), map(starts.__contains__, words)):
            word = words[index]
            keys = single.get(word)
            if keys:
                span = tokens.span(index, index)
                for key in keys:
                    hits[key].append(span)
            if index + 1 == count:
                continue
            candidates = multi.get((word, words[index + 1]))
            if not candidates or not _is_blank(separators[index + 1]):
                continue
            for rest, key in candidates:
                last = index + 1 + len(rest)
                if rest and (words[index + 2:last + 1] != rest
                             or not all(map(_is_blank, separators[index + 2:last + 1]))):
                    continue
                hits[key].append(tokens.span(index, last))
        return hits


def _is_blank(separator: str) -> bool:
    return bool(separator) and separator.isspace()

"""One pass over the words of a draft finds every phrase of every rule.

Phrases are word sequences; matching them token by token through a dict of first
words costs one lookup per word of the draft, however many rules and phrases there
are. Regular expressions remain for what is not a plain phrase (patterns, phrases
with punctuation such as "/month").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

TOKEN = re.compile(r"\w+(?:['’]\w+)*")
PLAIN_PHRASE = re.compile(r"\s*\w+(?:['’]\w+)*(?:\s+\w+(?:['’]\w+)*)*\s*")

Token = tuple[str, int, int]          # (lower-case word, start, end)
Key = tuple[str, str]                 # (rule id, role)
Span = tuple[int, int]


def normalise(word: str) -> str:
    return word.lower().replace("’", "'")


def tokenize(text: str) -> list[Token]:
    """Lower-case words with their spans (apostrophes normalised)."""
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):   # a few characters change length when lower-cased
        return [(normalise(m.group(0)), m.start(), m.end()) for m in TOKEN.finditer(text)]
    return [(m.group(), *m.span()) for m in TOKEN.finditer(lowered)]


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
        self._multi: dict[tuple[str, str], list[tuple[tuple[str, ...], Key]]] = \
            defaultdict(list)
        for words, key in entries:
            if len(words) == 1:
                self._single[words[0]].append(key)
            elif words:
                self._multi[(words[0], words[1])].append((words, key))
        self._multi_first = frozenset(first for first, _ in self._multi)

    def scan(self, text: str, tokens: Sequence[Token]) -> dict[Key, list[Span]]:
        """Every phrase occurrence; words of a phrase may be separated by whitespace only."""
        hits: dict[Key, list[Span]] = defaultdict(list)
        single, multi, multi_first = self._single, self._multi, self._multi_first
        count = len(tokens)
        for index, (word, start, end) in enumerate(tokens):
            keys = single.get(word)
            if keys:
                for key in keys:
                    hits[key].append((start, end))
            if word not in multi_first or index + 1 == count:
                continue
            following = tokens[index + 1]
            candidates = multi.get((word, following[0]))
            if not candidates or not text[end:following[1]].isspace():
                continue
            for words, key in candidates:
                last = index + len(words) - 1
                if last >= count:
                    continue
                if all(tokens[index + k][0] == words[k]
                       and text[tokens[index + k - 1][2]:tokens[index + k][1]].isspace()
                       for k in range(2, len(words))):
                    hits[key].append((start, tokens[last][2]))
        return hits

"""Per-draft language detection by function words: English, German, or another language.

Only English and German have rule packs. A draft whose function words are clearly those
of another language gets that language's code (``es``, ``pt``, ``fr``, ``it``, ``nl``) so
the scorer can say it is not supported instead of judging it with the English rules.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

WORD = re.compile(r"[a-zäöüßàâçéèêëîïôûùüÿñæœáíóúãõ]+", re.IGNORECASE)
ENGLISH = frozenset(
    "the and to of you is that it for we i will your be this on with are have as at our "
    "not can please by from an was would if me my they all so do just about".split())
GERMAN = frozenset(
    "der die das und zu sie ich wir ist nicht mit den ein eine für auf ihnen des dem "
    "im sich es von bei wird werden haben sind auch ihr ihre uns oder wie noch bitte "
    "gerne gern vielen dank danke grüßen grüße hallo habe hat kann können wäre schon "
    "heute morgen leider anbei herr frau liebe lieber sehr geehrte geehrter dass aber "
    "unser unsere euch ja nein doch mal freundlichen passt bis nach über wenn dann weil "
    "mein meine kein keine nur mehr hier jetzt zum zur folgt kommt mache machen erledigt "
    "geht gibt klar genau alles gut prima wurde wurden waren".split())
# Words frequent in each language and rare in English and German text.
OTHER_LANGUAGES: dict[str, frozenset[str]] = {
    "es": frozenset("que el los las por para una está usted gracias hola saludos pero muy "
                    "también estoy tiene puede como del esto mañana envío lo".split()),
    "pt": frozenset("que não uma obrigado obrigada olá você para com está são muito "
                    "também isso tem pode como do da amanhã envio".split()),
    "fr": frozenset("le les des une est pas vous nous je merci bonjour avec pour sur dans "
                    "qui cette être avez".split()),
    "it": frozenset("il che non una sono grazie ciao della questo anche come gli "
                    "alla sono domani mando".split()),
    "nl": frozenset("het een niet van ik je wij zijn voor met dank groeten ook maar "
                    "bedankt graag".split()),
}
# Another language wins only with at least this many of its words and more than both
# English and German: a Spanish name or one French word keeps an English draft English.
MIN_OTHER_WORDS = 3
GERMAN_LETTERS = re.compile(r"[äöüß]", re.IGNORECASE)
GERMAN_LETTER_CHARS = "äöüßÄÖÜ"   # GERMAN_LETTERS, counted with str.count
GERMAN_LETTERS_PER_WORD = 4       # four umlauts weigh like one function word
SAMPLE_CHARS = 4000
SAMPLE_WORDS = 700


def _languages_of_words() -> dict[str, tuple[str, ...]]:
    languages: dict[str, tuple[str, ...]] = {}
    for code, vocabulary in (("en", ENGLISH), ("de", GERMAN), *OTHER_LANGUAGES.items()):
        for word in vocabulary:
            languages[word] = (*languages.get(word, ()), code)
    return languages


# each function word with the languages it belongs to ("do": English and Portuguese):
# one C-speed pass over the words counts the words of every language
LANGUAGES_OF_WORD = _languages_of_words()


def _decide(words: list[str], german_letters: int, default: str) -> str:
    counts = Counter(chain.from_iterable(map(
        LANGUAGES_OF_WORD.__getitem__, filter(LANGUAGES_OF_WORD.__contains__, words))))
    english, german = counts["en"], counts["de"]
    if german_letters:   # a short German draft has one or two umlauts: they count
        german += max(1, german_letters // GERMAN_LETTERS_PER_WORD)
    best_other, other = "", 0
    for code in OTHER_LANGUAGES:
        count = counts[code]
        if count > other:
            best_other, other = code, count
    if other >= MIN_OTHER_WORDS and other > english and other > german:
        return best_other
    if other and not english and not german:
        return best_other   # a short draft: "Gracias, lo envío mañana."
    if english == german:
        return default
    return "de" if german > english else "en"


def detect_language_of_words(words: list[str], text: str, default: str = "en") -> str:
    """The same decision from already lower-cased words (the scorer tokenizes once)."""
    sample = text[:SAMPLE_CHARS]
    letters = 0 if sample.isascii() else sum(map(sample.count, GERMAN_LETTER_CHARS))
    return _decide(words[:SAMPLE_WORDS], letters, default)


def detect_language(text: str, default: str = "en") -> str:
    """``"en"``, ``"de"`` or another language's code: whichever function words dominate."""
    sample = text[:SAMPLE_CHARS]
    words = [match.group(0).lower() for match in WORD.finditer(sample)][:SAMPLE_WORDS]
    return _decide(words, len(GERMAN_LETTERS.findall(sample)), default)

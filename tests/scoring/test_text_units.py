"""Small text units: language, sentences, tokens and phrases, readability, HTML text."""

from __future__ import annotations

from scoring.html_text import html_to_text
from scoring.language import detect_language
from scoring.phrase_index import PhraseIndex, phrase_words, tokenize
from scoring.readability import readability
from scoring.sentences import split_sentences


def test_language_by_function_words() -> None:
    assert detect_language("Thanks for your note, we will send it today.") == "en"
    assert detect_language("Vielen Dank für Ihre Nachricht, wir senden es heute.") == "de"


def test_sentences_keep_abbreviations_and_dates_together() -> None:
    text = "Mr. Smith called on 13. November. Das ist z.B. gut! Is it?"
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Smith called on 13. November.", "Das ist z.B. gut!", "Is it?"]


def test_phrase_index_matches_words_across_whitespace_only() -> None:
    index = PhraseIndex([(phrase_words("I think") or (), ("r", "trigger")),
                         (phrase_words("maybe") or (), ("m", "trigger"))])
    text = "I  think so. Maybe not; I, think"
    hits = index.scan(tokenize(text))
    assert [text[s:e] for s, e in hits[("r", "trigger")]] == ["I  think"]
    assert [text[s:e] for s, e in hits[("m", "trigger")]] == ["Maybe"]


def test_readability_english_and_german() -> None:
    easy = readability("The cat sat on the mat. It was warm.", "en", 2)
    hard = readability("Notwithstanding contractual indemnification obligations, "
                       "subsequent remediation necessitates documentation.", "en", 1)
    assert easy["flesch_reading_ease"] > hard["flesch_reading_ease"]
    assert readability("Der Vertrag läuft aus.", "de", 1)["words"] == 4


def test_html_text_keeps_offsets_and_marks_fine_print() -> None:
    converted = html_to_text('<p>Price: $9</p><p style="font-size:8px">Renews yearly.</p>')
    assert converted.text.startswith("Price: $9")
    [(start, end)] = converted.fine_print
    assert converted.text[start:end] == "Renews yearly."


def test_a_number_past_an_ordinals_digits_ends_a_sentence() -> None:
    text = "Value: 1024000.\nIs this a bad use? Zum 100. Geburtstag gratuliere ich."
    assert [s.text for s in split_sentences(text)] == [
        "Value: 1024000.", "Is this a bad use?", "Zum 100. Geburtstag gratuliere ich."]


def test_tokens_of_a_sentence_are_a_slice_of_the_draft() -> None:
    text = "Hello Anna.  I think we'll ship it. Thanks!"
    tokens = tokenize(text)
    start = text.index("I think")
    end = text.index("Thanks") - 1
    sentence = tokens.within(start, end)
    assert sentence.words == ["i", "think", "we'll", "ship", "it"]
    first, last = sentence.span(0, 1)
    assert text[start + first:start + last] == "I think"
    assert tokens.within(0, len(text)).words == tokens.words


def test_a_letter_that_grows_when_lower_cased_moves_no_span() -> None:
    text = "İstanbul: I think so"   # "İ" lower-cases to two characters
    tokens = tokenize(text)
    assert tokens.words == ["i̇stanbul", "i", "think", "so"]
    start, end = tokens.span(2, 2)
    assert text[start:end] == "think"

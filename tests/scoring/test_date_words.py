"""Date words as pack data: a strict schema, merged over the packs, read by scoring/dates.py."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from scoring.business_time import BusinessClock
from scoring.date_words import (
    NO_DATE_WORDS,
    date_words_from_data,
    date_words_to_data,
    merge_date_words,
    parse_date_words,
)
from scoring.dates import DateGrammar
from scoring.errors import ConfigError
from scoring.settings import BusinessHours
from scoring.validation import Table

RULES = Path(__file__).resolve().parents[2] / "config" / "rules"
MONDAY = datetime(2026, 11, 9, 9, 30, tzinfo=timezone(timedelta(hours=1)))
CLOCK = BusinessClock(BusinessHours())
FRENCH: dict[str, Any] = {
    "months": {"novembre": 11}, "weekdays": {"vendredi": 4}, "numbers": {"trois": 3},
    "tomorrow": ["demain"], "before_weekday": ["avant", "pour"], "within": ["sous"],
    "days": ["jours?"], "before_clock": ["avant"], "o_clock": ["h"],
}


def words(data: dict[str, Any]) -> DateGrammar:
    return DateGrammar(parse_date_words(Table(data, "rules/fr/lexicon.toml", "dates")))


def shipped(language: str) -> dict[str, Any]:
    path = RULES / language / "lexicon.toml"
    data: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))["dates"]
    return data


def due(grammar: DateGrammar, text: str) -> str:
    deadline = grammar.find_deadline(text, MONDAY, CLOCK)
    assert deadline is not None and deadline.due is not None, text
    return deadline.due.strftime("%Y-%m-%d %H:%M")


def test_a_new_language_is_its_words() -> None:
    french = words(FRENCH)
    assert due(french, "Je vous l'envoie demain") == "2026-11-10 17:00"
    assert due(french, "pour vendredi") == "2026-11-13 17:00"
    assert due(french, "sous trois jours") == "2026-11-12 17:00"
    assert due(french, "avant le 20 novembre, 15 h") == "2026-11-20 15:00"
    assert french.find_deadline("I will send it tomorrow", MONDAY, CLOCK) is None


def test_without_words_only_digits_are_dates() -> None:
    bare = DateGrammar(NO_DATE_WORDS)
    assert due(bare, "bis 2026-11-13") == "2026-11-13 17:00"
    assert bare.find_deadline("tomorrow, Friday", MONDAY, CLOCK) is None
    assert bare.parse_attribution_date("On 02.11.2026 08:14, Markus wrote:",
                                       None) == datetime(2026, 11, 2, 8, 14)


def test_the_packs_are_read_together_the_first_pack_winning_a_name() -> None:
    english, german = (parse_date_words(Table(shipped(lang), "lexicon.toml", "dates"))
                       for lang in ("en", "de"))
    merged = merge_date_words([english, german])
    mixed = DateGrammar(merged)
    assert due(mixed, "bis EOD Freitag") == "2026-11-13 17:00"
    assert due(mixed, "by Montag") == "2026-11-16 17:00"
    assert merged.patterns["minutes"] == ("minutes?", "minuten")
    other = parse_date_words(Table({"months": {"mar": 5}}, "x.toml", "dates"))
    assert merge_date_words([english, other]).months["mar"] == 3
    assert date_words_from_data(date_words_to_data(merged)) == merged


@pytest.mark.parametrize(("changes", "key", "problem"), [
    ({"tomorow": ["demain"]}, "dates.tomorow", "did you mean 'tomorrow'?"),
    ({"tomorrow": "demain"}, "dates.tomorrow", "a list of strings"),
    ({"months": {"Novembre": 11}}, "dates.months.Novembre", "lower-case"),
    ({"months": {"novembre": 13}}, "dates.months.novembre", "above the maximum 12"),
    ({"header_months": {"Dezember": 12}}, "dates.header_months.Dezember", "lower-case"),
    ({"header_months": {"dicembre": 0}}, "dates.header_months.dicembre", "below the minimum 1"),
    ({"header_at_clock": ["alle("]}, "dates.header_at_clock", "invalid regular expression"),
    ({"weekdays": {"vendredi": "4"}}, "dates.weekdays.vendredi", "an integer"),
    ({"ambiguous_weekdays": ["ven"]}, "dates.ambiguous_weekdays", "not one of `weekdays`"),
    ({"tomorrow": ["(?:le )?lendemain"]}, "dates.tomorrow", "begins with a whole word"),
    ({"tomorrow": ["demain|après-demain"]}, "dates.tomorrow", "no | outside a group"),
    ({"tomorrow": ["demain[s]?"]}, "dates.tomorrow", "begins with a whole word"),
    ({"days": ["(jours)"]}, "dates.days", "write groups as (?:...)"),
    ({"days": ["jours("]}, "dates.days", "invalid regular expression"),
    ({"days": ["(?s)jours"]}, "dates.days", "no global inline flags"),
])
def test_a_mistake_is_a_config_error_naming_the_key(changes: dict[str, Any], key: str,
                                                    problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        words({**FRENCH, **changes})
    assert raised.value.key == key and problem in raised.value.problem


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_shipped_words_start_where_the_deadline_search_looks(language: str) -> None:
    parsed = parse_date_words(Table(shipped(language), "lexicon.toml", "dates"))
    assert {"en": {"tomorrow", "by", "the", "within"},
            "de": {"morgen", "bis", "innerhalb", "nächsten"}}[language] <= parsed.start_words

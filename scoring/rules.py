"""Rules as data: decode, validate and compile the TOML rule packs.

One TOML table per rule in ``rules/<lang>/<dimension>.toml``; its full id is
``<lang>.<dimension>.<name>``. Kinds:

- ``phrases``: any of ``phrases`` (literal, case-insensitive, whole words; a phrase may
  be a template: ``(has|have) [already] shipped``, where ``(a|b)`` picks one and ``[x]``
  is optional) or
  ``patterns`` (regular expressions) is a finding, unless a guard in ``unless`` says
  the context excuses it (negation, a conditional clause, a polite formula...), and
  only if a guard in ``only_when`` holds for the draft (e.g. the customer is upset).
- ``absence``: a ``trigger`` without any ``companion`` in the same ``scope``
  (sentence, paragraph or body) is a finding, e.g. a price without its terms.
- ``together``: a ``trigger`` with a ``partner`` in the same scope is a finding,
  e.g. birthday wishes next to a sales offer.
- ``requires``: lower-case strings of which one must occur for ``patterns`` to run at
  all (a cheap test that keeps regular expressions off most drafts).
- ``code``: what data cannot express (commitments, unanswered questions, waiting
  time); ``check`` names the function, the rest (weight, texts, examples) is data.

Guards live in ``rules/<lang>/guards.toml`` as named pattern sets, so context rules
are data too. Every rule carries ``examples.hit`` and ``examples.miss``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from scoring.date_words import NO_DATE_WORDS
from scoring.dates import DateGrammar
from scoring.errors import ConfigError
from scoring.lazy_regex import LazyRegex
from scoring.lexicon import LEXICON_FILE, Lexicon, parse_lexicon, share_dates
from scoring.lowered import compile_for_lowered
from scoring.phrase_index import PhraseIndex, phrase_words
from scoring.sentence_kinds import CUE_KINDS, KINDS, KindCue
from scoring.settings import DIMENSIONS, RuleOverride, RulePackFile
from scoring.shared_lists import SharedLists, check_all_used, resolve_option
from scoring.validation import Table, field_default

RULE_KINDS = ("phrases", "absence", "together", "code")
# pack files beside the dimensions: context guards, sentence-kind cues, the commitment
# lexicon (scoring/lexicon.py)
PACK_FILES_WITHOUT_RULES = ("guards", "kinds", LEXICON_FILE)
SCOPES = ("sentence", "paragraph", "body")
GUARD_KINDS = ("before", "clause", "covering", "after", "body", "quoted", "recipients")
BODY_GUARD = "body"    # anywhere in the new text: judged per draft, not per sentence
QUOTED_GUARD = "quoted"   # anywhere in the reader's latest quoted message: per draft, too
RECIPIENTS_GUARD = "recipients"   # any address in the draft's To or Cc: per draft
DRAFT_GUARDS = (BODY_GUARD, QUOTED_GUARD, RECIPIENTS_GUARD)
MAX_GUARD_WINDOW_WORDS = 12


@dataclass(frozen=True)
class Guard:
    """A context that excuses a match: words before it, its clause, or a covering span."""

    name: str
    kind: str
    regex: LazyRegex                         # everything (word-window kinds use it)
    window: int = 3        # words, for kind "before"/"after"
    phrase_words: tuple[tuple[str, ...], ...] = ()      # plain phrases: the PhraseIndex
    pattern_regex: LazyRegex | None = None              # patterns and other phrases


@dataclass(frozen=True)
class Examples:
    hit: tuple[str, ...]
    miss: tuple[str, ...]
    now: str = ""          # ISO-8601 "now" for examples that depend on time


@dataclass(frozen=True)
class Rule:
    rule_id: str
    language: str
    dimension: str
    kind: str
    weight: float
    message: str
    suggestion: str
    source: str
    examples: Examples
    enabled: bool = True
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    companions: tuple[str, ...] = ()
    companion_patterns: tuple[str, ...] = ()
    scope: str = "sentence"
    unless: tuple[str, ...] = ()
    # draft guards of which one must hold for the rule to speak at all ("customer-upset")
    only_when: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()     # sentence kinds (scoring/sentence_kinds.py); () = all
    group: str = ""          # rules of one group in one sentence are one finding (grouping.py)
    check: str = ""
    footer_message: str = ""
    min_count: int = 1
    options: dict[str, Any] = field(default_factory=dict)
    # compiled forms (see compile_rule): plain phrases go to the PhraseIndex, the rest
    # (patterns, phrases with punctuation) to regexes
    requires: tuple[str, ...] = ()     # the patterns run only if one of these occurs
    phrase_words: tuple[tuple[str, ...], ...] = ()
    irregular_regex: LazyRegex | None = None              # phrases with punctuation
    # a word of every irregular phrase: the irregular regex can match only if one occurs
    irregular_needles: tuple[str, ...] = ()   # one of these occurs where irregulars match
    pattern_regex: LazyRegex | None = None                # patterns, gated by `requires`
    companion_words: tuple[tuple[str, ...], ...] = ()
    companion_regex: LazyRegex | None = None              # companions not in the index
    companion_any_regex: LazyRegex | None = None          # all companions (footer check)
    option_regexes: dict[str, LazyRegex] = field(default_factory=dict)  # list options


def phrase_regex(phrase: str) -> str:
    """A literal phrase as a regex: flexible whitespace and apostrophes, whole words."""
    parts = [re.escape(word) for word in phrase.split()]
    body = re.sub(r"['’]", "['’]", r"\s+".join(parts))
    head = r"\b" if phrase[:1].isalnum() else ""
    tail = r"\b" if phrase[-1:].isalnum() else ""
    return head + body + tail


def compile_alternatives(phrases: tuple[str, ...], patterns: tuple[str, ...],
                         table: Table, key: str) -> LazyRegex | None:
    try:
        expanded = [e for phrase in phrases for e in expand_phrase(phrase) if e.strip()]
    except ValueError as error:
        raise table.error(key, str(error)) from None
    pieces = [phrase_regex(p) for p in expanded]
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise table.error(key, f"invalid regular expression {pattern!r}: {error}") from None
        pieces.append(f"(?:{pattern})")
    if not pieces:
        return None
    # longest alternatives first so "may or may not" wins over "may"
    pieces.sort(key=len, reverse=True)
    try:   # matching ignores case: the regex runs over lower-cased text (scoring/lowered.py)
        return LazyRegex.of(compile_for_lowered(re.compile("|".join(pieces), re.IGNORECASE)))
    except ValueError as error:
        raise table.error(key, str(error)) from None


def parse_guards(pack: RulePackFile) -> dict[str, Guard]:
    root = Table(pack.data, pack.source)
    guards: dict[str, Guard] = {}
    for name in root.keys():
        table = root.table(name)
        kind = table.get_str("kind", choices=GUARD_KINDS)
        patterns = tuple(table.get_str_list("patterns", []))
        phrases = tuple(table.get_str_list("phrases", []))
        window = table.get_int("window", field_default(Guard, "window"), minimum=1,
                               maximum=MAX_GUARD_WINDOW_WORDS)
        table.get_str("description", "")
        regex = compile_alternatives(phrases, patterns, table, "patterns")
        if regex is None:
            raise table.error("patterns", "a guard needs at least one pattern or phrase")
        plain, irregular = split_phrases(phrases)
        table.finish()
        guards[name] = Guard(name=name, kind=kind, regex=regex, window=window,
                             phrase_words=plain,
                             pattern_regex=compile_alternatives(irregular, patterns, table,
                                                                "patterns"))
    return guards


def parse_kind_cues(pack: RulePackFile) -> tuple[KindCue, ...]:
    """A language's ``kinds.toml``: one table per sentence kind, in the order tried."""
    root = Table(pack.data, pack.source)
    cues: list[KindCue] = []
    for name in root.keys():
        table = root.table(name)
        if name not in CUE_KINDS:
            raise table.error("", f"unknown sentence kind; the kinds with cues are "
                              f"{', '.join(CUE_KINDS)}")
        description = table.get_str("description")
        regex = compile_alternatives(tuple(table.get_str_list("phrases", [])),
                                     tuple(table.get_str_list("patterns", [])),
                                     table, "patterns")
        table.finish()
        if regex is None:
            raise table.error("patterns", "a sentence kind needs phrases or patterns")
        cues.append(KindCue(kind=name, description=description, regex=regex))
    return tuple(cues)


def parse_rules(pack: RulePackFile, guard_names: set[str],
                shared_lists: SharedLists | None = None,
                used_lists: set[str] | None = None) -> list[Rule]:
    """The rules of a pack; an option may refer to one of the language's
    ``shared_lists`` (the names referred to are added to ``used_lists``)."""
    if pack.dimension not in DIMENSIONS:
        raise ConfigError(pack.source, "", "unknown dimension file")
    root = Table(pack.data, pack.source)
    rules: list[Rule] = []
    for name in root.keys():
        table = root.table(name)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise table.error("", "rule names use lower-case letters, digits and '-'")
        rules.append(parse_rule(table, pack, name, guard_names, shared_lists or {},
                                set() if used_lists is None else used_lists))
    return rules


def parse_rule(table: Table, pack: RulePackFile, name: str, guard_names: set[str],
               shared_lists: SharedLists, used_lists: set[str]) -> Rule:
    kind = table.get_str("kind", choices=RULE_KINDS)
    examples_table = table.table("examples", required=True)
    examples = Examples(
        hit=tuple(examples_table.get_str_list("hit")),
        miss=tuple(examples_table.get_str_list("miss")),
        now=examples_table.get_str("now", ""),
    )
    examples_table.finish()
    if not examples.hit or not examples.miss:
        raise table.error("examples", "every rule needs at least one hit and one miss example")
    unless = tuple(table.get_str_list("unless", []))
    for guard in unless:
        if guard not in guard_names:
            raise table.error("unless", f"unknown guard {guard!r}; guards of this language: "
                              f"{', '.join(sorted(guard_names)) or 'none'}")
    only_when = tuple(table.get_str_list("only_when", []))
    for guard in only_when:
        if guard not in guard_names:
            raise table.error("only_when", f"unknown guard {guard!r}; guards of this language: "
                              f"{', '.join(sorted(guard_names)) or 'none'}")
    applies_to = tuple(table.get_str_list("applies_to", []))
    for sentence_kind in applies_to:
        if sentence_kind not in KINDS:
            raise table.error("applies_to", f"unknown sentence kind {sentence_kind!r}; kinds: "
                              f"{', '.join(KINDS)}")
    options_table = table.table("options")
    options = {key: resolve_option(options_table, key, shared_lists, used_lists)
               for key in options_table.keys()}
    rule = Rule(
        rule_id=f"{pack.language}.{pack.dimension}.{name}",
        language=pack.language,
        dimension=pack.dimension,
        kind=kind,
        weight=table.get_float("weight", minimum=0.0),
        message=table.get_str("message"),
        suggestion=table.get_str("suggestion"),
        source=pack.source,
        examples=examples,
        enabled=table.get_bool("enabled", field_default(Rule, "enabled")),
        phrases=tuple(table.get_str_list("phrases", [])),
        patterns=tuple(table.get_str_list("patterns", [])),
        companions=tuple(table.get_str_list("companions", [])),
        companion_patterns=tuple(table.get_str_list("companion_patterns", [])),
        scope=table.get_str("scope", field_default(Rule, "scope"), choices=SCOPES),
        unless=unless,
        only_when=only_when,
        applies_to=applies_to,
        group=table.get_str("group", ""),
        check=table.get_str("check", "") if kind == "code" else "",
        footer_message=table.get_str("footer_message", ""),
        min_count=table.get_int("min_count", field_default(Rule, "min_count"), minimum=1),
        requires=tuple(r.lower() for r in table.get_str_list("requires", [])),
        options=options,
    )
    table.finish()   # an unknown key (a typo) explains more than what it leaves missing
    if rule.requires and not rule.patterns:
        raise table.error("requires", "`requires` gates `patterns`; this rule has none")
    if any(not r for r in rule.requires):
        raise table.error("requires", "empty strings never occur; remove them")
    if kind == "code" and not rule.check:
        raise table.error("check", "a code rule names its check function")
    if kind != "code" and not (rule.phrases or rule.patterns):
        raise table.error("phrases", f"a {kind} rule needs phrases or patterns")
    if kind in ("absence", "together") and not (rule.companions or rule.companion_patterns):
        raise table.error("companions", f"a {kind} rule needs companions or companion_patterns")
    return compile_rule(rule, table)


PHRASE_PART = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|([^\s()\[\]]+)")
MAX_PHRASE_EXPANSION = 1000


def expand_phrase(phrase: str) -> list[str]:
    """A phrase template as plain phrases: ``(a|b)`` picks one, ``[x]`` or ``[a|b]`` is
    optional.

    "(has|have) [already] shipped" -> has shipped, has already shipped, have shipped, ...
    """
    regex_mark = REGEX_MARKS.search(phrase)
    if regex_mark:
        raise ValueError(f"the phrase {phrase!r} holds the regex syntax {regex_mark.group()!r}; "
                         "phrases are literal words (write a regex under patterns)")
    if not any(mark in phrase for mark in TEMPLATE_MARKS):
        return [phrase]
    variants = [""]
    position = 0
    for match in PHRASE_PART.finditer(phrase):
        check_template_gap(phrase, phrase[position:match.start()])
        position = match.end()
        choices, optional, word = match.groups()
        check_template_part(phrase, choices, optional, word)
        options = (choices.split("|") if choices is not None
                   else [*optional.split("|"), ""] if optional is not None else [word])
        variants = [f"{v} {o}".strip() for v in variants for o in options]
        if len(variants) > MAX_PHRASE_EXPANSION:
            raise ValueError(f"the phrase template {phrase!r} expands to over "
                             f"{MAX_PHRASE_EXPANSION} phrases")
    check_template_gap(phrase, phrase[position:])
    return [" ".join(v.split()) for v in variants if v.strip()]


TEMPLATE_MARKS = "()[]|"
# "(has )?" or "\\w+" in a phrase would be matched as the literal characters: never
REGEX_MARKS = re.compile(r"[\\*+?{}^$]")
TEMPLATE_HELP = "write (a|b) for one of a or b, [x] for an optional x"


def check_template_gap(phrase: str, gap: str) -> None:
    """Between the parts of a template only spaces remain; a stray bracket is a typo."""
    if gap.strip():
        raise ValueError(f"the phrase template {phrase!r} has an unbalanced or nested "
                         f"{gap.strip()[0]!r}; {TEMPLATE_HELP}")


def check_template_part(phrase: str, choices: str | None, optional: str | None,
                        word: str | None) -> None:
    """``(a|b)`` and ``[x]`` hold words; ``|`` only inside them."""
    if word is not None and "|" in word:
        raise ValueError(f"the phrase template {phrase!r} has '|' outside brackets; "
                         f"{TEMPLATE_HELP}")
    group = choices if choices is not None else optional
    if group is not None and any(mark in group for mark in "()[]"):
        raise ValueError(f"the phrase template {phrase!r} nests brackets; {TEMPLATE_HELP} "
                         "(one level only)")
    if group is not None and any(not option.strip() for option in group.split("|")):
        raise ValueError(f"the phrase template {phrase!r} has an empty choice in "
                         f"{'(' + group + ')' if choices is not None else '[' + group + ']'};"
                         f" {TEMPLATE_HELP}")


def split_phrases(phrases: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], ...],
                                                    tuple[str, ...]]:
    """Plain phrases (as word tuples) and the ones that need a regex; templates expanded."""
    plain: list[tuple[str, ...]] = []
    irregular: list[str] = []
    for phrase in (expanded for template in phrases for expanded in expand_phrase(template)):
        words = phrase_words(phrase) if phrase.strip() else None
        if words:
            plain.append(words)
        elif phrase.strip():
            irregular.append(phrase)
    return tuple(plain), tuple(irregular)


def compile_rule(rule: Rule, table: Table) -> Rule:
    try:
        plain, irregular = split_phrases(rule.phrases)
        companion_plain, companion_irregular = split_phrases(rule.companions)
    except ValueError as error:
        raise table.error("phrases", str(error)) from None
    return replace(
        rule,
        phrase_words=plain,
        irregular_regex=compile_alternatives(irregular, (), table, "phrases"),
        irregular_needles=tuple(sorted({max(phrase.lower().split(), key=len)
                                        for phrase in irregular})),
        pattern_regex=compile_alternatives((), rule.patterns, table, "patterns"),
        companion_words=companion_plain,
        companion_regex=compile_alternatives(companion_irregular, rule.companion_patterns,
                                             table, "companion_patterns"),
        companion_any_regex=compile_alternatives(rule.companions, rule.companion_patterns,
                                                 table, "companion_patterns"),
        option_regexes=compile_option_lists(rule.options, table),
    )


def compile_option_lists(options: dict[str, Any], table: Table) -> dict[str, LazyRegex]:
    """Options that are phrase or pattern lists (e.g. a code rule's "upset" words) as
    regexes."""
    compiled: dict[str, LazyRegex] = {}
    for key, value in options.items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            # "..._patterns" lists are regular expressions, the others phrases
            phrases, patterns = ((), tuple(value)) if key.endswith("_patterns") else (
                tuple(value), ())
            regex = compile_alternatives(phrases, patterns, table, f"options.{key}")
            if regex is not None:
                compiled[key] = regex
    return compiled


def apply_override(rule: Rule, override: RuleOverride) -> Rule:
    """A layer's change by id: weight, enabled, phrases added or removed."""
    table = Table({}, override.source, f"rules.{override.rule_id}")
    for phrase in override.add:
        try:
            expand_phrase(phrase)
        except ValueError as error:
            raise table.error("add", str(error)) from None
    phrases = list(rule.phrases)
    for phrase in override.remove:
        matches = [p for p in phrases if p.lower() == phrase.lower()]
        if not matches:
            raise table.error("remove", f"{phrase!r} is not a phrase of {rule.rule_id}; "
                              f"its phrases: {', '.join(rule.phrases[:12])}...")
        phrases = [p for p in phrases if p.lower() != phrase.lower()]
    if override.add and rule.kind == "code":
        raise table.error("add", f"{rule.rule_id} is a code rule without a phrase list")
    phrases += [p for p in override.add if p.lower() not in {q.lower() for q in phrases}]
    changed = replace(
        rule,
        weight=rule.weight if override.weight is None else override.weight,
        enabled=rule.enabled if override.enabled is None else override.enabled,
        phrases=tuple(phrases),
    )
    if rule.kind != "code" and not (changed.phrases or changed.patterns):
        raise table.error("remove", "removing every phrase leaves the rule empty; "
                          "set enabled = false instead")
    return compile_rule(changed, table)


@dataclass(frozen=True)
class RuleBook:
    """All rules and guards of all languages, after overrides."""

    rules: dict[str, tuple[Rule, ...]]          # language -> rules
    guards: dict[str, dict[str, Guard]]         # language -> guard name -> guard
    indexes: dict[str, PhraseIndex] = field(default_factory=dict)   # language -> phrases
    kind_cues: dict[str, tuple[KindCue, ...]] = field(default_factory=dict)   # language ->
    lexicons: dict[str, Lexicon] = field(default_factory=dict)   # language -> commitment words
    # dates read with the date words of every lexicon (quote headers, deadlines)
    dates: DateGrammar = field(default_factory=lambda: DateGrammar(NO_DATE_WORDS))

    def by_id(self) -> dict[str, Rule]:
        return {rule.rule_id: rule for rules in self.rules.values() for rule in rules}


def build_rulebook(packs: tuple[RulePackFile, ...],
                   overrides: dict[str, RuleOverride]) -> RuleBook:
    guards: dict[str, dict[str, Guard]] = {}
    kind_cues: dict[str, tuple[KindCue, ...]] = {}
    lexicons: dict[str, Lexicon] = {}
    lexicon_sources: dict[str, str] = {}
    for pack in packs:
        if pack.dimension == "guards":
            guards.setdefault(pack.language, {}).update(parse_guards(pack))
        elif pack.dimension == "kinds":
            kind_cues[pack.language] = parse_kind_cues(pack)
        elif pack.dimension == LEXICON_FILE:
            lexicons[pack.language] = parse_lexicon(pack)
            lexicon_sources[pack.language] = pack.source
    rules: dict[str, list[Rule]] = {}
    seen: dict[str, str] = {}
    used_lists: dict[str, set[str]] = {language: set() for language in lexicons}
    for pack in packs:
        if pack.dimension in PACK_FILES_WITHOUT_RULES:
            continue
        lexicon = lexicons.get(pack.language)
        for rule in parse_rules(pack, set(guards.get(pack.language, {})),
                                lexicon.shared_lists if lexicon else {},
                                used_lists.setdefault(pack.language, set())):
            check_only_when(rule, guards.get(pack.language, {}))
            if rule.rule_id in seen:
                raise ConfigError(pack.source, rule.rule_id,
                                  f"duplicate rule id (also in {seen[rule.rule_id]})")
            seen[rule.rule_id] = pack.source
            override = overrides.get(rule.rule_id)
            rules.setdefault(rule.language, []).append(
                apply_override(rule, override) if override else rule)
    for rule_id, override in overrides.items():
        if rule_id not in seen:
            import difflib

            hint = difflib.get_close_matches(rule_id, list(seen), n=1)
            fix = f"did you mean {hint[0]!r}?" if hint else "see `trustmail config show`"
            raise ConfigError(override.source, f"rules.{rule_id}", f"no such rule ({fix})")
    for language, lexicon in lexicons.items():
        check_all_used(lexicon.shared_lists, used_lists[language], lexicon_sources[language])
    check_groups(rules)
    for language, language_rules in rules.items():
        gated = next((r for r in language_rules if r.applies_to), None)
        if gated is not None and language not in kind_cues:
            raise ConfigError(gated.source, f"{gated.rule_id}.applies_to",
                              f"needs the sentence kinds of {language!r} "
                              f"(rules/{language}/kinds.toml)")
        promise_rule = next((r for r in language_rules if r.dimension == "promises"), None)
        if promise_rule is not None and language not in lexicons:
            raise ConfigError(promise_rule.source, promise_rule.rule_id,
                              f"needs the commitment lexicon of {language!r} "
                              f"(rules/{language}/{LEXICON_FILE}.toml)")
    lexicons, dates = share_dates(lexicons)
    return RuleBook(rules={k: tuple(v) for k, v in rules.items()}, guards=guards,
                    kind_cues=kind_cues, lexicons=lexicons, dates=dates,
                    indexes={language: build_index(language_rules,
                                                   guards.get(language, {}).values())
                             for language, language_rules in rules.items()})


def check_only_when(rule: Rule, guards: dict[str, Guard]) -> None:
    """``only_when`` names a context of the whole draft (``body`` or ``quoted``): a
    sentence's context cannot switch a rule on for the draft."""
    for name in rule.only_when:
        if guards[name].kind not in DRAFT_GUARDS:
            raise ConfigError(rule.source, f"{rule.rule_id}.only_when",
                              f"guard {name!r} is of kind {guards[name].kind!r}; only_when "
                              f"takes guards of kind {' or '.join(map(repr, DRAFT_GUARDS))}")


def check_groups(rules: dict[str, list[Rule]]) -> None:
    """The rules of a group share a dimension: a grouped finding counts in one."""
    dimension_of: dict[tuple[str, str], Rule] = {}
    for language_rules in rules.values():
        for rule in language_rules:
            if not rule.group:
                continue
            first = dimension_of.setdefault((rule.language, rule.group), rule)
            if first.dimension != rule.dimension:
                raise ConfigError(rule.source, f"{rule.rule_id}.group",
                                  f"group {rule.group!r} is also used by {first.rule_id} in "
                                  f"{first.dimension}; a group stays in one dimension")


TRIGGER, COMPANION, GUARD = "trigger", "companion", "guard"
SPAN_GUARD_KINDS = ("clause", "covering")   # guards judged by spans, not word windows


def build_index(rules: list[Rule], guards: Iterable[Guard]) -> PhraseIndex:
    """One index for a language: rule triggers, companions and span-guard phrases."""
    entries: list[tuple[tuple[str, ...], tuple[str, str]]] = []
    for rule in rules:
        if not rule.enabled:
            continue
        entries += [(words, (rule.rule_id, TRIGGER)) for words in rule.phrase_words]
        entries += [(words, (rule.rule_id, COMPANION)) for words in rule.companion_words]
    for guard in guards:
        if guard.kind in SPAN_GUARD_KINDS:
            entries += [(words, (guard.name, GUARD)) for words in guard.phrase_words]
    return PhraseIndex(entries)

"""The customer's explicit questions in the quoted original, and whether the reply answers.

A question is answered when the sender wrote under it (an interleaved reply), when the
reply shares enough of its content words, when a "when" question meets any stated timing
(vague timing is judged under promises), when a yes/no question meets an opening yes or
no, and when a plea or a how/why question meets a reply with substance (the help is the
answer, in whatever words). An "I don't know" without how or when the answer will come
does not answer. Each question says which (``Question.how``), and whether it is asked of
the sender at all (``Question.owed``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from scoring.context import Context
from scoring.findings import Question
from scoring.lost_quotes import restore_lost_quotes
from scoring.quoted_signature import without_signature
from scoring.quoting import (
    ATTRIBUTION,
    ATTRIBUTION_VERBS,
    FROM_FIELDS,
    ORIGINAL_MARKER,
    OTHER_FIELDS,
    SENT_FIELDS,
)
from scoring.sentence_kinds import SentenceKind
from scoring.sentences import split_sentences

# A word may hold "." "," "/" "-" inside. It never starts right after one of them: a
# failed try there fails at the next character too, and trying each would be quadratic
# in a long run of them (issue 13: 20,000 dots took 47 s).
WORD = re.compile(r"(?<![.,/-])[\wäöüß$€%.,/-]*[\wäöüß$€%]", re.IGNORECASE)
STEM_CHARS = 5
MIN_CONTENT_WORD = 3
ANSWER_OVERLAP_RATIO = 0.3
ANSWER_OVERLAP_MIN = 2
# "Is that correct?", "Would this work?": too few words of its own; the sentence before
# says what it asks about
POINTING_BACK_STEMS = 2
STOPWORDS = frozenset("""
a an the and or but if then so to of in on at by for with from about as is are was were be
been being do does did done have has had having can could will would shall should may might
must i you he she it we they me him her us them my your his its our their this that these
those what when where which who whom whose why how there here not no yes any some all also
just only very more most much many such than too own same other into over under again
further once up down out off please thanks thank hi hello dear regards best kind let know
get got make made need needs want wants like also still already now new
der die das und oder aber wenn dann so zu von in im an am auf für mit aus als ist sind war
waren sein wird werden hat haben hatte kann können könnte muss müssen soll sollte ich sie
er es wir ihr ihnen ihre ihr uns unser mein dein nicht kein keine ja nein auch noch schon
nur sehr mehr wie was wann wo warum wer welche welcher welches dass ob bitte danke hallo
""".split())
COMPOUND_QUESTION = re.compile(
    r"(?:,\s*|;\s*|\s+)(?:and|also|und|außerdem)\s+(?=(?:will|would|can|could|do|does|did|is|are|"
    r"was|what|when|who|how|where|why|which|wird|werden|können|kann|ist|sind|wann|wie|was|"
    r"wer|wo|warum|bekomme|bekommen|übernimmt|erstatten|übernehmen|schicken|senden|liefern|"
    r"gibt)\b)", re.IGNORECASE)
WHEN_QUESTION = re.compile(
    r"^\s*(?:\w+\s*,\s*)?(?:when|by when|how soon|how long|what time|wann|bis wann|wie lange)\b",
    re.IGNORECASE)
TIMING = re.compile(
    r"\b(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"week|month|soon|shortly|hours?|days?|by|within|heute|morgen|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|woche|monat|bald|kürze|stunden?|tagen?|bis|innerhalb)\b|\d",
    re.IGNORECASE)
DONT_KNOW = re.compile(
    r"\b(?:I\s+(?:do not|don't|dont)\s+know|I'?m\s+not\s+sure|I am not sure|no idea|"
    r"not\s+sure\s+(?:if|whether)|ich\s+weiß\s+(?:es\s+)?nicht|weiß\s+ich\s+nicht|keine\s+Ahnung|"
    r"bin\s+mir\s+nicht\s+sicher)", re.IGNORECASE)
HOW_WHEN = re.compile(
    r"\b(?:find out|check|ask|confirm|get back to you|will (?:send|let you know|update)|by\s+\w+|"
    r"tomorrow|today|within|kläre|prüfe|frage|melde mich|bis\s+\w+|morgen|heute)\b",
    re.IGNORECASE)


# A plea to the list or to anyone ("Any ideas?", "Can anyone help?") asks for help, not for
# one fact: a reply with something to say answers it.
OPEN_PLEA = re.compile(
    r"^(?:(?:so|thanks|thank you|again)[,!.]?\s+)?(?:any\s+(?:help|ideas?|suggestions?|thoughts|"
    r"advice|pointers|hints|tips|clues?|comments|insights?)\b|"
    r"(?:can|could|would|does|do|is there|has|have)\s+(?:any|some)(?:one|body)\b|"
    r"(?:anyone|anybody|someone|somebody)\b|ideas\b|suggestions\b|"
    r"hat jemand\b|kann (?:mir )?jemand\b|weiß jemand\b|irgendwelche ideen\b)", re.IGNORECASE)
MIN_PLEA_ANSWER_WORDS = 12
# A request for help, a way or an explanation ("How can I do it manually?", "Is there an
# easier way?", "What am I doing wrong?", "Why does it fail?") is answered by the help
# itself, in whatever words: instructions, code, an explanation. On real replies such
# questions were answered in other words 9 times in 10 (bench/unanswered.py). "How much",
# "how long" and "how soon" ask for one fact, and stay with the other questions.
HELP_QUESTION = re.compile(
    r"\bhow\s+(?!much\b|many\b|long\b|soon\b|often\b|old\b|big\b|far\b|are you\b)|"
    r"\b(?:is|are) there\s+(?:(?:an?|any|some)\s+)?(?:\w+\s+)?(?:ways?|options?|workarounds?|"
    r"approach(?:es)?|methods?|functions?|packages?|solutions?|tools?|commands?|settings?)\b|"
    r"\bwhat\b[^?]{0,30}\b(?:wrong|missing|misunderstanding|going on|happening|the problem|"
    r"the issue|the cause|the error|the reason|to do|should i do)\b|"
    r"\bwhy\b|\b(?:explain|clarify)\b|\bhelp (?:me|us)\b|"
    r"\b(?:is|would|will) (?:it|this|that) (?:be )?possible\b|\bpossible to\b|"
    r"\bwie\s+(?:kann|könnte|muss|soll|mache|gehe|bekomme|schaffe|richte|stelle)\b|"
    r"\bgibt es\s+(?:eine?n?|irgendeine?n?)\s+(?:möglichkeit|weg|lösung|workaround)\b|"
    r"\bwas\b[^?]{0,30}\b(?:falsch|fehlt|los|das problem|der fehler|tun)\b|"
    r"\b(?:warum|wieso|weshalb)\b|\b(?:ist (?:es|das) möglich|möglich,? (?:dass|zu))\b",
    re.IGNORECASE)
# ... but a question about the customer's money ("Is it possible to get a refund?") is
# answered only in its own words: help about something else leaves it open
MONEY_ASK = re.compile(
    r"\b(?:refund|credit|discount|price|cost|fee|charge|invoice|bill|pay|compensat|"
    r"erstatt|gutschrift|rabatt|preis|kosten|gebühr|rechnung|zahl)", re.IGNORECASE)
# A "?" that stands for a character the charset lost ("Best regards, ?", "caf? ") is no
# question: a real one ends a word or a closing quote or bracket (" ?" and "??" too:
# "is this the same for you ?", "Any ideas??").
QUESTION_END = re.compile(r"[\w\"'’”)\]][ \t]?\?+$")
MIN_QUESTION_WORDS = 2
MIN_ELLIPTICAL_WORDS = 3
LETTER_WORD = re.compile(r"\w*[^\W\d_]\w*")
# letters, digits, spaces and sentence punctuation only: no code, paths or console output
PLAIN_WORDS = re.compile(r"^[^\W_‘][\w\s,.'‘’\-]*\s?\?+$")
# ... but "I am a PhD student at Universit?" is a statement whose last letter the charset lost
SELF_INTRODUCTION = re.compile(r"^(?:I am|I'm|I was|I have|I've|we are|we're|my name)\b",
                               re.IGNORECASE)
# ... and a charset that lost its quotation marks writes "package ?XML?": a "?" before a
# letter is no end of a question
LOST_CHARACTER = re.compile(r"\?[^\W\d_]")
# A question asks: a question word, or a verb at the start of a clause ("Also, does it",
# "two things: can you"). Console output ending in a lost character does neither.
CLAUSE_START = r"(?:^|[,:;(]\s*|\b(?:and|or|also|so|but|then|und|oder|auch|also|aber)\s+)"
ASKS = {
    "en": re.compile(
        r"\b(?:what|when|where|which|who|whom|whose|why|how|any(?:one|body)?|some(?:one|body))\b|"
        + CLAUSE_START + r"(?:is|are|am|was|were|do|does|did|can|could|will|would|shall|should|"
        r"may|might|must|have|has|had|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|can't|"
        r"couldn't|won't|wouldn't|shouldn't|haven't|hasn't)\b|\b(?:right|correct|ok|okay|no)\?$|"
        # "You mean a data frame?", "Same goes for your other box?": asked of the reader
        r"\b(?:you|your)\b|"
        # "I am guessing that ... I would be fine?": a guess put up for confirmation, and
        # "I am wondering that since I upgraded ... is it possible ...?"
        r"^(?:so,?\s+)?I(?: am|'m|’m| was)? (?:guessing|assuming|supposing|guess|assume|"
        r"suppose|take it|wondering|wonder)\b",
        re.IGNORECASE),
    "de": re.compile(
        r"\b(?:was|wann|wo|wie|warum|weshalb|wieso|wer|wen|wem|welche[rsnm]?|woher|wohin|womit|"
        r"worauf|wozu|ob|jemand)\b|"
        + CLAUSE_START + r"(?:ist|sind|war|waren|hat|haben|hatte|habe|bin|kann|können|könnte|"
        r"könnten|wird|werden|würde|würden|soll|sollte|sollen|muss|müssen|darf|dürfen|gibt|gab|"
        r"geht|bekomme|bekommen|übernimmt|übernehmen|enthält|kommt|kommen|stimmt|brauche|"
        r"brauchen|wäre|hätte|hätten|funktioniert|gilt|bleibt|läuft|gibt's)\b|"
        r"\b(?:oder|richtig|okay|ok)\?$|"
        r"^(?:also,?\s+)?ich (?:nehme an|vermute|gehe davon aus|schätze)\b", re.IGNORECASE),
}
# "Why not just sample without replacement?" suggests; it asks nothing of the sender
RHETORICAL = re.compile(r"^(?:\w+\s*,\s*)?(?:or\s+)?(?:why not|warum nicht)\b", re.IGNORECASE)
# "How is your child?", "you became a father some months ago, right?": a pleasantry about
# the reader's life, which nobody waits on an answer to
SOCIAL = re.compile(
    r"^(?:\w+\s*,\s*)?(?:p\.?s\.?:?\s*)?how (?:are|have) you(?: been| doing)?\W*$|"
    r"\byour (?:child|children|kids?|baby|son|daughter|wife|husband|family)\b"
    r"(?!['’]s|\s+(?:account|plan|subscription|booking|order|members?|name))|"
    r"\bhow (?:was|were|is|are) (?:your|the) "
    r"(?:holidays?|vacation|weekend|trip|birthday|wedding)\b|"
    r"\byou (?:became|have become|are now) (?:a )?(?:father|mother|dad|mum|mom|parent)\b|"
    r"^(?:\w+\s*,\s*)?wie geht(?:'s| es) (?:dir|ihnen|euch)\W*$|"
    r"\bwie (?:geht es|geht's|war) (?:deine?m?|ihre?m?) (?:kind|kindern|familie|urlaub|"
    r"wochenende|reise|geburtstag)\b",
    re.IGNORECASE)
# A question a yes or a no answers ("Does it include phone support?"), and a reply that
# gives one in its first sentences (the greeting may stand first)
YES_NO_QUESTION = re.compile(
    r"^(?:\w+\s*,\s*)?(?:is|are|am|was|were|do|does|did|can|could|will|would|shall|should|"
    r"may|has|have|had|isn't|aren't|wasn't|don't|doesn't|didn't|can't|won't|ist|sind|war|"
    r"hat|haben|kann|können|könnten|wird|werden|gibt|muss|soll|darf|funktioniert)\b",
    re.IGNORECASE)
YES_NO_ANSWER = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|no|nope|not yet|correct|exactly|indeed|sure|of course|"
    r"definitely|absolutely|right|ja|nein|genau|richtig|leider nicht|noch nicht|klar|"
    r"natürlich|selbstverständlich)\b(?![-'’]|\s+(?:idea|clue|worries|keine ahnung))",
    re.IGNORECASE)
YES_NO_SENTENCES = 2
# "Or should I replace something?" is the other half of the question before it
ALTERNATIVE = re.compile(r"^(?:or|oder)\b", re.IGNORECASE)

# How a question counts as answered, and why one counts as open: the report carries the
# code (``Question.how``); the add-on and the CLI say it in the user's language.
BELOW = "below"                       # the sender wrote under the quoted question
SHARED_WORDS = "shared-words"         # a sentence of the reply shares its words
TIMING_GIVEN = "timing"               # a "when" question, and the reply names a time
YES_OR_NO = "yes-or-no"               # the reply opens with a yes or a no
HELP = "help"                         # a plea or a how/why question, and the reply helps
ALTERNATIVE_OF_ANSWERED = "alternative"   # "Or ...?" after an answered question
ANSWERED_BY = (BELOW, SHARED_WORDS, TIMING_GIVEN, YES_OR_NO, HELP, ALTERNATIVE_OF_ANSWERED)
NO_ANSWER_FOUND = "no-answer-found"   # none of the above
DONT_KNOW_ONLY = "dont-know"          # "I don't know", with no how or when
SKIPPED_ITEM = "skipped-item"         # a numbered reply skips its number
OPEN_BECAUSE = (NO_ANSWER_FOUND, DONT_KNOW_ONLY, SKIPPED_ITEM)


LEADING_HEADERS = re.compile(
    r"\A(?:\s*(?:-{2,}.*-{2,}|\*?(?:" + FROM_FIELDS + "|" + SENT_FIELDS + "|" + OTHER_FIELDS
    + r")\s*:.*)\s*\n)+", re.IGNORECASE)


# An older message inside the quote that is not ">"-quoted: Outlook's header block or marker
OLDER_MESSAGE = re.compile(
    r"^[ \t]*(?:" + ORIGINAL_MARKER.pattern.removeprefix("^\\s*")
    + r"|-{2,}[ \t]*(?:Original|Ursprüngliche)|\*?(?:From|Von):[ \t]"
    # other languages' "De:", "Da:" only with a date field below: "De:" also starts a line
    + r"|\*?(?:" + FROM_FIELDS + r")[ \t]*:[ \t]+\S.*\n(?:.*\n){0,4}?[ \t]*\*?(?:"
    + SENT_FIELDS + r")[ \t]*:)",
    re.IGNORECASE | re.MULTILINE)
# ... and what the customer's message itself quoted: ">" lines and their "wrote:" lines
OWN_QUOTE_LINE = re.compile(r"^[ \t]*>|" + ATTRIBUTION.pattern.removeprefix("^"),
                            re.IGNORECASE)


@lru_cache(maxsize=64)
def latest_quoted_message(quoted: str) -> str:
    """The most recent message in the quote, as its author wrote it: its own header block
    (Outlook) skipped, cut at an older message's header block, and without what it quoted
    itself. A customer who answered between the lines of an earlier mail keeps their
    lines (and the questions in them); the ">"-quoted lines between are the earlier mail."""
    quoted = LEADING_HEADERS.sub("", quoted, count=1)
    older = OLDER_MESSAGE.search(quoted)
    if older:
        quoted = quoted[:older.start()]
    if ">" not in quoted and not any(verb in quoted for verb in ATTRIBUTION_VERBS):
        return quoted
    return "".join(line for line in quoted.splitlines(keepends=True)
                   if not OWN_QUOTE_LINE.match(line))


# a list item's marker before a question: "- ", "*", "2. ", "2)", "1.-", "1:" (not the
# "32" of "32bit or 64bit?", nor the "24" of "24 hours later, can you ...?")
LIST_MARKER = re.compile(r"^[-*•.):>\s]*(?:\d{1,2}\s*(?:\.-|[.):-])\s*)?[-*•.):\s]*")
# "2. What is the API rate limit?" / "2) ..." : a numbered item, and its continuation lines
NUMBERED_ITEM = re.compile(r"^[ \t]*(\d{1,2})[.)][ \t]+\S", re.MULTILINE)
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def numbered_items(text: str) -> dict[int, str]:
    """The numbered items of a text, number -> item text (up to the next item or a blank
    line), whitespace collapsed."""
    starts = list(NUMBERED_ITEM.finditer(text))
    items: dict[int, str] = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        blank = BLANK_LINE.search(text, match.end(), end)
        body = text[match.end() - 1:blank.start() if blank else end]
        items.setdefault(int(match.group(1)), " ".join(body.split()))
    return items


def mark_skipped_items(questions: list[Question], original: str, reply: str) -> list[Question]:
    """A reply numbered like the customer's list ("1. Yes ... 3. The DPA ...") that leaves
    out a number skips that question, whatever its words share with the rest. A reply
    that uses a number the customer did not ("1) Re-read ?seq" under the customer's 2 and
    3) numbers its own points: it skips nothing."""
    asked = numbered_items(original)
    if not asked:
        return questions
    answered_items = set(numbered_items(reply))
    if not answered_items <= set(asked):
        return questions
    result = []
    for question in questions:
        item = next((number for number, text in asked.items()
                     if question.text.rstrip("?") in text), 0)
        skipped = bool(item and answered_items & set(asked) and item not in answered_items)
        how = SKIPPED_ITEM if skipped and question.answered else question.how
        result.append(Question(question.text, question.answered and not skipped, item, skipped,
                               how, question.owed))
    return result


def stems(text: str) -> set[str]:
    result = set()
    for word in WORD.findall(text.lower()):
        if len(word) >= MIN_CONTENT_WORD and word not in STOPWORDS:
            result.add(word[:STEM_CHARS])
    return result


def find_questions(ctx: Context) -> list[Question]:
    """The customer's questions and whether the reply answers them, computed once per
    draft (the report and two responsiveness checks ask for them)."""
    if ctx.questions is None:
        ctx.questions = _find_questions(ctx)
    return ctx.questions


def _find_questions(ctx: Context) -> list[Question]:
    if not ctx.is_reply or ctx.quotes_sender:
        return []   # the sender's own earlier questions are not the customer's
    original = without_signature(restore_lost_quotes(latest_quoted_message(ctx.quoted)),
                                 ctx.quoted_author)
    reply_sentences = ctx.sentences
    # a question back ("Did you upgrade any packages?") shares words but answers nothing
    reply_stems = [set() if s.text.rstrip().endswith("?") else stems(s.text)
                   for s in reply_sentences]
    questions: list[Question] = []
    # an opening yes or no answers the first yes/no question it does not otherwise answer
    yes_or_no = opens_with_yes_or_no(ctx)
    # whether the reply has help to give: judged once per draft, when a question asks
    reply_helps = cache(lambda: substance_words(ctx) >= MIN_PLEA_ANSWER_WORDS)
    previous = ""   # the sentence before, which "Is that correct?" points back to
    for sentence in split_sentences(original):
        text = " ".join(sentence.text.split())
        before, previous = previous, text
        if not text.endswith("?"):
            continue
        for part in re.split(r"(?<=\?)\s+", text):
            part = LIST_MARKER.sub("", part.strip())
            if (not (part.endswith("?") and len(part) > 3)
                    or not is_real_question(part, ctx.language)):
                continue
            # "Who is fixing this, and will you refund the fee?" asks two things
            for piece in COMPOUND_QUESTION.split(part):
                piece = piece.strip(" ,;")
                if len(piece) > 3:
                    question = piece if piece.endswith("?") else piece + "?"
                    how = is_answered(question, ctx, reply_stems, before, reply_helps)
                    if how in OPEN_BECAUSE and yes_or_no and YES_NO_QUESTION.match(question):
                        how, yes_or_no = YES_OR_NO, False
                    if (how in OPEN_BECAUSE and ALTERNATIVE.match(question) and questions
                            and questions[-1].answered):
                        how = ALTERNATIVE_OF_ANSWERED
                    questions.append(Question(question, how in ANSWERED_BY, how=how,
                                              owed=not ctx.greets_someone_else))
    return mark_skipped_items(questions, original, ctx.body)


def is_real_question(text: str, language: str = "en") -> bool:
    """A question of words ending in "?" that asks something: not a charset's replacement
    character, not console output, not a rhetorical "why not ...?", not a pleasantry."""
    if not QUESTION_END.search(text) or len(WORD.findall(text)) < MIN_QUESTION_WORDS:
        return False
    if LOST_CHARACTER.search(text) or RHETORICAL.match(text) or SOCIAL.search(text):
        return False
    asks = ASKS.get(language)
    # an elliptical question of a few words asks too ("32bit or 64bit?", "Same SSID on
    # each access point?"); code and console lines rarely are words only, and a row of
    # numbers ("32000 100000 192000?") asks nothing
    return (asks is None or bool(asks.search(text))
            or len(LETTER_WORD.findall(text)) >= MIN_ELLIPTICAL_WORDS
            and PLAIN_WORDS.match(text) is not None and not SELF_INTRODUCTION.match(text))


def answered_below(question: str, ctx: Context) -> bool:
    """The sender answered right below the quoted question (an interleaved reply)."""
    wanted = " ".join(question.rstrip("?").split())
    return bool(wanted) and any(wanted in " ".join(passage.split())
                                for passage in ctx.answered_below)


def opens_with_yes_or_no(ctx: Context) -> bool:
    """The reply opens with a yes or a no ("Yes, that's the fix", "No, not yet"), in its
    first sentences (the greeting may stand first)."""
    return any(YES_NO_ANSWER.match(s.text) for s in ctx.sentences[:YES_NO_SENTENCES])


def answers_below_questions(ctx: Context) -> bool:
    """Does the reply answer between the lines, under quoted questions? Then a question
    with nothing under it was passed over, whatever the reply says elsewhere."""
    return any("?" in passage for passage in ctx.answered_below)


def substance_words(ctx: Context) -> int:
    """The reply's words outside thanks, greetings and other formulas ("Thanks a lot for
    replying." helps nobody). Without sentence kinds (the detector benchmarks), all."""
    if ctx.kind_cues is None:
        return len(ctx.body.split())
    return sum(len(sentence.text.split()) for sentence in ctx.sentences
               if not is_formula(ctx.kind_of(sentence.start)))


def is_formula(kind: SentenceKind | None) -> bool:
    return kind is not None and kind.kind == "formula"


def is_answered(question: str, ctx: Context, reply_stems: list[set[str]], before: str,
                reply_helps: Callable[[], bool]) -> str:
    """How the reply answers the question (one of ``ANSWERED_BY``), or why it does not
    (one of ``OPEN_BECAUSE``). ``before`` is the quoted sentence before the question;
    ``reply_helps`` whether the reply has substance beyond its formulas."""
    if answered_below(question, ctx):
        return BELOW
    if OPEN_PLEA.search(question):
        return HELP if reply_helps() else NO_ANSWER_FOUND
    # ... and the help is the reply's, unless it answers question by question, below each
    if (HELP_QUESTION.search(question) and not MONEY_ASK.search(question)
            and not answers_below_questions(ctx) and reply_helps()):
        return HELP
    wanted = stems(question)
    if len(wanted) < POINTING_BACK_STEMS:
        wanted |= stems(before)
    best_index, best_overlap = -1, 0
    for index, have in enumerate(reply_stems):
        overlap = len(wanted & have)
        if overlap > best_overlap:
            best_index, best_overlap = index, overlap
    if WHEN_QUESTION.search(question):
        return TIMING_GIVEN if ctx.promises or TIMING.search(ctx.body) else NO_ANSWER_FOUND
    if best_index < 0:
        return NO_ANSWER_FOUND
    best = ctx.sentences[best_index].text
    neighbourhood = " ".join(s.text for s in ctx.sentences[best_index:best_index + 2])
    if DONT_KNOW.search(best) and not HOW_WHEN.search(neighbourhood):
        return DONT_KNOW_ONLY
    all_stems = set().union(*reply_stems) if reply_stems else set()
    coverage = len(wanted & all_stems) / max(1, len(wanted))
    if best_overlap >= ANSWER_OVERLAP_MIN or coverage >= ANSWER_OVERLAP_RATIO:
        return SHARED_WORDS
    return NO_ANSWER_FOUND

"""The value types every dimension produces: findings, promises, questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the new text, traceable to the rule that found it."""

    rule: str            # stable rule id, e.g. "en.honesty.hedge"
    dimension: str
    start: int           # character span into Report.body
    end: int
    match: str
    message: str
    suggestion: str
    penalty: float
    why: str = ""        # how the sentence was read, for rules that judge its kind

    def __reduce__(self) -> tuple[type[Finding], tuple[str, str, int, int, str, str, str,
                                                       float, str]]:
        # Pickled as its fields (a report crosses the scoring workers' boundary): the
        # slotted dataclass's own __getstate__ costs ~2 us an object more each way.
        return (Finding, (self.rule, self.dimension, self.start, self.end, self.match,
                          self.message, self.suggestion, self.penalty, self.why))


@dataclass(frozen=True, slots=True)
class Promise:
    """A commitment by the sender (or the sender's team) found in the new text."""

    text: str
    start: int
    end: int
    owner: str                  # sender | team | unclear
    due: datetime | None        # resolved deadline, None when the text states none
    hedged: bool
    deadline_text: str = ""

    def __reduce__(self) -> tuple[type[Promise], tuple[str, int, int, str, datetime | None,
                                                       bool, str]]:
        return (Promise, (self.text, self.start, self.end, self.owner, self.due, self.hedged,
                          self.deadline_text))

    def shifted(self, offset: int) -> Promise:
        """The same promise with its span moved by ``offset`` (from a sentence into the
        draft); faster than dataclasses.replace, and drafts have many promises."""
        return Promise(self.text, self.start + offset, self.end + offset, self.owner, self.due,
                       self.hedged, self.deadline_text)


@dataclass(frozen=True, slots=True)
class Question:
    """An explicit question of the customer in the quoted original."""

    text: str
    answered: bool
    # item number of a numbered list of questions ("2. What is ...?"), 0 when none
    item: int = 0
    # a numbered reply answers the items around this one and skips it
    skipped: bool = False
    # how it counts as answered, or why as open (scoring/questions.py ANSWERED_BY,
    # OPEN_BECAUSE); empty when the report was not built by the question reader
    how: str = ""
    # asked of the sender: False when the customer's message greets someone else by name
    # ("Hi Kleis, are you planning ...?" answered by another list member)
    owed: bool = True

    def __reduce__(self) -> tuple[type[Question], tuple[str, bool, int, bool, str, bool]]:
        return (Question, (self.text, self.answered, self.item, self.skipped, self.how,
                           self.owed))

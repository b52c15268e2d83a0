"""Case-insensitive regexes run as case-sensitive ones over lower-cased text.

CPython's regex engine folds the case of every character it compares under
IGNORECASE, which makes a long alternation of words three to four times slower than
the same pattern, written in lower case, run over ``text.lower()``. The lower-cased
text must keep every character at its offset, so that spans found in it point into
the original text: :func:`lower_keeping_offsets` ensures that.
"""

from __future__ import annotations

import re
import unicodedata

INLINE_IGNORECASE = "(?i:"
CODE_ESCAPES = "xuUN"
CODE_ESCAPE = re.compile(r"(?:x(?P<hex>[0-9a-fA-F]{2})|u(?P<hex4>[0-9a-fA-F]{4})|"
                         r"U(?P<hex8>[0-9a-fA-F]{8})|N\{(?P<name>[^}]*)\})")


def lower_keeping_offsets(text: str) -> str:
    """``text.lower()``, except that the rare characters whose lower case is longer
    (such as "İ") stay as they are, so that every offset still matches ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def compile_for_lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A case-insensitive ``pattern`` as a case-sensitive one that finds the same
    spans in :func:`lower_keeping_offsets` of a text: its literals are lower-cased
    (escapes such as ``\\S`` or ``\\W`` keep their case) and the IGNORECASE flag,
    global or inline, is dropped."""
    if not pattern.flags & re.IGNORECASE and INLINE_IGNORECASE not in pattern.pattern:
        raise ValueError(f"not a case-insensitive pattern: {pattern.pattern[:60]!r}")
    source = pattern.pattern.replace(INLINE_IGNORECASE, "(?:")
    out: list[str] = []
    escaped = False
    for index, char in enumerate(source):
        if escaped and char in CODE_ESCAPES:
            _refuse_cased_code(source, index)
        out.append(char if escaped else char.lower())
        escaped = char == "\\" and not escaped
    return re.compile("".join(out), pattern.flags & ~re.IGNORECASE)


def _refuse_cased_code(source: str, index: int) -> None:
    """An escape such as ``\\x41`` names a letter by its code: lower-casing the pattern
    cannot reach it, so a cased letter there is refused (write the letter instead)."""
    match = CODE_ESCAPE.match(source, index)
    if match is None:
        return
    code = match.group("hex") or match.group("hex4") or match.group("hex8")
    try:
        char = chr(int(code, 16)) if code else unicodedata.lookup(match.group("name"))
    except (KeyError, ValueError, OverflowError):
        return   # not a valid escape: re.compile reports it
    if char.lower() != char:
        raise ValueError(f"write {char!r} as a letter, not as the escape "
                         f"\\{match.group(0)}: matching ignores case")

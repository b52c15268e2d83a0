"""Bounded pre-parse of untrusted mail, before any stdlib ``email`` parsing.

CPython's email package is superlinear on long structured headers (a 100 KB
``Content-Type: text/plain; a=b; a=b; ...`` takes seconds), its memory grows
quadratically with adjacent RFC 2047 encoded words (20,000 of them reach gigabytes),
and it recurses once per nested comment level (``((((...`` raises RecursionError). So
every header block of a message (the top one and those of its MIME parts) is cut to
the caps below first, with byte-level scanning only; what the stdlib then parses is
small. A message within the caps comes back byte for byte.

What is cut: fields beyond :data:`MAX_FIELDS` or :data:`MAX_HEADER_BYTES` are dropped,
a field longer than :data:`MAX_FIELD_BYTES` is truncated, a field with more than
:data:`MAX_ENCODED_WORDS` encoded words, :data:`MAX_ADDRESSES` addresses or
:data:`MAX_PARAMETERS` MIME parameters is truncated after the last one kept, and a
structured field with comments nested deeper than :data:`MAX_COMMENT_DEPTH` is dropped
(its address is unparseable). Bodies that are not MIME structure (text, attachments,
preambles) keep :data:`MAX_BODY_BYTES` in all, cut at a line end if there is one: the
scoring core judges 50,000 characters, and the stdlib's parse of a 50 MiB body costs
~600 MB in a scoring worker (bench/worker_limits.py).
Each cut leaves a note (field name and the cap, never the content) for the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.policy import compat32
from itertools import islice

MAX_FIELDS = 1000               # per header block
MAX_HEADER_BYTES = 256 * 1024   # per header block
MAX_FIELD_BYTES = 16 * 1024     # one field, name and folding included
MAX_ENCODED_WORDS = 200         # per field: "=?charset?b?...?=" tokens
MAX_ADDRESSES = 100             # per address field (To, Cc, ...)
MAX_PARAMETERS = 20             # per MIME field (Content-Type, Content-Disposition)
MAX_COMMENT_DEPTH = 20          # "(a (b (c)))" nesting in structured fields
MAX_MIME_DEPTH = 10             # multipart / message nesting; deeper bodies are dropped
MAX_PARTS = 1000                # MIME parts whose headers are bounded, in all
MAX_BODY_BYTES = 1024 * 1024     # leaf bodies, preambles and epilogues, in all
# What of a message is worth handing to a scoring worker: past it, bodies are cut by the
# budget above anyway. Pickling and sending 50 MiB held the event loop ~140 ms.
MAX_SCORED_BYTES = 2 * MAX_BODY_BYTES

ADDRESS_FIELDS = frozenset({
    "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender",
    "resent-to", "resent-cc", "resent-bcc", "disposition-notification-to"})
MIME_PARAM_FIELDS = frozenset({"content-type", "content-disposition"})
# Free text: parentheses there are not comments, so their nesting is not checked.
UNSTRUCTURED_FIELDS = frozenset({"subject", "comments", "keywords", "content-description",
                                 "thread-topic"})

# The stdlib's line ends: CRLF, a lone CR, or LF.
LINE_END = re.compile(rb"\r\n|\r(?!\n)|\n")
# Where a field ends: a line end not followed by folding whitespace.
FIELD_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?![ \t])")
# What the stdlib's feedparser takes as a header line (headerRE), or a continuation.
FIELD_START = re.compile(rb"From |[\x21-\x39\x3b-\x7e]*:|[ \t]")
FOLD = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?=[ \t])")
# An RFC 2047 encoded word; linear: each try stops at the next "?" or blank.
ENCODED_WORD = re.compile(rb"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")
STRUCTURE = re.compile(rb'[\\"(),;]')
PARTS_NOTE = f"MIME parts beyond {MAX_PARTS} dropped"
BODY_NOTE = f"bodies cut at {MAX_BODY_BYTES} bytes in all"


@dataclass(frozen=True)
class Field:
    """One header field as written: ``raw`` is ``Name: value`` with folding and line end."""

    name: str
    raw: bytes

    @property
    def value(self) -> str:
        """The unfolded value after the colon (8-bit bytes kept as surrogate escapes,
        as the stdlib's compat32 parser keeps them)."""
        _, _, value = self.raw.partition(b":")
        return FOLD.sub(b"", value).decode("ascii", "surrogateescape").strip()


@dataclass
class BoundedHeaders:
    """The top header block of a message, cut to the caps."""

    fields: list[Field]      # the fields kept
    header_bytes: bytes      # the block as kept, with its blank line
    notes: list[str]         # what was cut (field names and caps, never content)

    def get(self, name: str) -> str | None:
        """The first value of a field, unfolded; None when absent."""
        values = self.get_all(name)
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [f.value for f in self.fields if f.name.lower() == wanted]


@dataclass
class BoundedMail(BoundedHeaders):
    """A whole message with every header block cut to the caps."""

    raw: bytes               # the bounded message (the input itself when nothing was cut)


def bound_headers(raw: bytes) -> BoundedHeaders:
    """The top header block of ``raw`` (a message or a header block) bounded; the body
    is not touched, so this costs the same for a 50 MiB message as for a small one."""
    notes: list[str] = []
    fields, block, _ = _bound_block(raw, notes, find_body=False)
    return BoundedHeaders(fields, block, notes)


def header_message(headers: BoundedHeaders) -> Message:
    """A compat32 ``Message`` holding the bounded fields, as ``BytesHeaderParser`` would
    build it, but without its line-by-line parsing (~1.5 µs a line: 100 ms for a block
    of short folded lines, on the event loop). Lines the feedparser would not take as a
    field (a leading continuation, "From ", a missing name) are left out like it does."""
    message = Message(policy=compat32)
    for field in headers.fields:
        text = field.raw.decode("ascii", "surrogateescape")
        name, colon, value = text.partition(":")
        if not colon or not name or name[0] in " \t" or text.startswith("From "):
            continue
        # compat32's header_source_parse, on the field's lines joined.
        message.set_raw(name, value.lstrip(" \t").rstrip("\r\n"))
    return message


def bound_message(raw: bytes) -> BoundedMail:
    """``raw`` with all its header blocks bounded (see the module docstring)."""
    notes: list[str] = []
    fields, block, body_start = _bound_block(raw, notes)
    body = _bound_body(fields, raw[body_start:], notes, depth=1,
                       budget=[MAX_PARTS, MAX_BODY_BYTES])
    bounded = block + body if notes else raw
    return BoundedMail(fields, block, notes, bounded)


def bound_header_value(name: str, value: str) -> str | None:
    """One header value given as text (not from a message) bounded like a field's;
    None when the field would be dropped."""
    encoded = f"{name}: {value}".encode("utf-8", "surrogateescape")
    kept = bound_field(name.lower(), encoded, [])
    if kept is None:
        return None
    return kept.partition(b":")[2].decode("utf-8", "surrogateescape").strip()


def bound_text(value: str) -> str:
    """Free header text (a Subject) cut to the size and encoded-word caps, for code that
    decodes a value it got from elsewhere."""
    return bound_header_value("subject", value) or ""


# -- header blocks ----------------------------------------------------------------------

def _bound_block(raw: bytes, notes: list[str], *, start: int = 0,
                 find_body: bool = True) -> tuple[list[Field], bytes, int]:
    """Split ``raw`` from ``start`` on into its bounded header fields, the kept header
    block (with its blank line) and the offset where the body starts. The regexes scan
    at most MAX_HEADER_BYTES of the input; the rest of an oversized block is skipped
    with ``bytes.find`` (~1 ns a byte, in a worker) or, without ``find_body``, not at
    all (on the event loop, for callers that read headers only)."""
    fields: list[Field] = []
    kept: list[bytes] = []
    pos, length = start, len(raw)
    limit = start + MAX_HEADER_BYTES
    while pos < length:
        blank = LINE_END.match(raw, pos)
        if blank:                                     # the blank line: the body follows
            kept.append(blank.group())
            return fields, b"".join(kept), blank.end()
        if not FIELD_START.match(raw, pos):           # the stdlib starts the body here too
            return fields, b"".join(kept), pos
        if len(fields) >= MAX_FIELDS or pos >= limit:
            notes.append(f"header block: fields beyond {MAX_FIELDS} or "
                         f"{MAX_HEADER_BYTES} bytes dropped")
            return _skip_to_body(raw, pos, fields, kept, find_body)
        window = min(length, limit + 1)
        end_match = FIELD_END.search(raw, pos, window)
        end = end_match.end() if end_match else window
        runs_on = end_match is None and end < length     # past the block's byte cap
        name = raw[pos:end].partition(b":")[0].decode("ascii", "replace").strip()
        bounded = bound_field(name.lower(), raw[pos:end], notes,
                              line_end=b"\r\n" if runs_on else None)
        if bounded is not None:
            fields.append(Field(name, bounded))
            kept.append(bounded)
        if runs_on:
            return _skip_to_body(raw, end, fields, kept, find_body)
        pos = end
    return fields, b"".join(kept), length


def _skip_to_body(raw: bytes, pos: int, fields: list[Field], kept: list[bytes],
                  find_body: bool) -> tuple[list[Field], bytes, int]:
    """The block's first blank line from ``pos`` on (a line end after a line end) ends
    it; without one, there is no body."""
    if not find_body:
        kept.append(b"\r\n")
        return fields, b"".join(kept), len(raw)
    found: list[tuple[int, bytes, int]] = []
    for needle in (b"\n\r\n", b"\n\n", b"\r\r"):
        at = raw.find(needle, pos)
        if at >= 0:
            blank = b"\r\n" if raw.startswith(b"\r\n", at + 1) else raw[at + 1:at + 2]
            found.append((at, blank, at + 1 + len(blank)))
    if not found:
        return fields, b"".join(kept), len(raw)
    _, blank, body_start = min(found)
    kept.append(blank)
    return fields, b"".join(kept), body_start


def bound_field(name: str, raw: bytes, notes: list[str], *,
                line_end: bytes | None = None) -> bytes | None:
    """One field (``name`` in lower case) cut to the caps; None to drop it. ``line_end``
    is given when ``raw`` is only the start of a field that runs on."""
    runs_on = line_end is not None
    if line_end is None:
        line_end = _line_end_of(raw)
    else:
        notes.append(f"{name}: longer than the header block; the rest of the block dropped")
    original = raw
    if len(raw) > MAX_FIELD_BYTES:
        raw = raw[:MAX_FIELD_BYTES]
        notes.append(f"{name}: truncated to {MAX_FIELD_BYTES} bytes")
    cut = _nth_start(ENCODED_WORD, raw, MAX_ENCODED_WORDS)
    if cut is not None:
        raw = raw[:cut]
        notes.append(f"{name}: truncated after {MAX_ENCODED_WORDS} encoded words")
    if name not in UNSTRUCTURED_FIELDS:
        separator, most = ((b",", MAX_ADDRESSES) if name in ADDRESS_FIELDS
                           # a MIME field's first item is its type, then its parameters
                           else (b";", MAX_PARAMETERS + 1) if name in MIME_PARAM_FIELDS
                           else (None, 0))
        verdict, where = _scan_structure(raw, separator, most)
        if verdict == "too-deep":
            notes.append(f"{name}: dropped, comments nested deeper than {MAX_COMMENT_DEPTH}")
            return None
        if verdict == "too-many":
            raw = raw[:where]
            notes.append(f"{name}: truncated after {most} items")
    if raw is original and not runs_on:
        return raw
    # A cut field still ends its line, so the next field stays a field.
    return raw.rstrip(b" \t\r\n") + line_end


def _line_end_of(raw: bytes) -> bytes:
    for end in (b"\r\n", b"\n", b"\r"):
        if raw.endswith(end):
            return end
    return b""


def _nth_start(pattern: re.Pattern[bytes], raw: bytes, keep: int) -> int | None:
    """Where the (keep+1)-th match of ``pattern`` starts; None when there are fewer."""
    beyond = next(islice(pattern.finditer(raw), keep, None), None)
    return beyond.start() if beyond is not None else None


def _scan_structure(raw: bytes, separator: bytes | None, most: int) -> tuple[str, int]:
    """("too-deep", _) when comments nest deeper than the cap; ("too-many", offset of the
    separator after the last item kept) when there are too many top-level items;
    ("ok", 0) otherwise. Quoted strings and escapes are skipped, as RFC 5322 reads them."""
    depth, quoted, items, skip_to = 0, False, 1, -1
    for match in STRUCTURE.finditer(raw, raw.find(b":") + 1):
        start = match.start()
        if start < skip_to:
            continue
        char = match.group()
        if char == b"\\":
            skip_to = start + 2
        elif quoted:
            quoted = char != b'"'
        elif char == b'"' and not depth:
            quoted = True
        elif char == b"(":
            depth += 1
            if depth > MAX_COMMENT_DEPTH:
                return "too-deep", start
        elif char == b")":
            depth = max(depth - 1, 0)
        elif char == separator and not depth:
            items += 1
            if items > most:
                return "too-many", start
    return "ok", 0


# -- MIME parts -------------------------------------------------------------------------

def _bound_body(fields: list[Field], body: bytes, notes: list[str], *, depth: int,
                budget: list[int], default_type: str = "text/plain") -> bytes:
    """The body with the header blocks the stdlib would parse in it (MIME parts, an
    attached message, delivery-status blocks) bounded too. ``budget``: the parts and
    the leaf body bytes still to keep."""
    kind, boundary = _content_type(fields, default_type)
    nested = kind.startswith(("multipart/", "message/"))
    if nested and depth > MAX_MIME_DEPTH:
        notes.append(f"MIME nesting deeper than {MAX_MIME_DEPTH} dropped")
        return b""
    if kind == "message/delivery-status":
        return _bound_header_blocks(body, notes, budget=budget)
    if kind.startswith("message/"):
        return _bound_part(body, notes, depth=depth, budget=budget)
    if not kind.startswith("multipart/") or boundary is None:
        return _bound_leaf(body, notes, budget)
    delimiter = b"--" + boundary.encode("ascii", "surrogateescape")
    return _bound_multipart(body, delimiter, notes, depth=depth, budget=budget,
                            default_type="message/rfc822" if kind == "multipart/digest"
                            else "text/plain")


def _content_type(fields: list[Field], default_type: str) -> tuple[str, str | None]:
    """The content type and boundary exactly as the stdlib's feedparser will read them
    (policy.default, which the scoring core uses), from the bounded field: cheap now."""
    message = EmailMessage(policy=policy.default)
    message.set_default_type(default_type)
    field = next((f for f in fields if f.name.lower() == "content-type"), None)
    try:
        if field is not None:
            lines = field.raw.decode("ascii", "surrogateescape").splitlines(keepends=True)
            message.set_raw(*policy.default.header_source_parse(lines))
        return message.get_content_type(), message.get_boundary()
    except Exception:  # noqa: BLE001 - whatever the stdlib cannot read, it reads as text
        return "text/plain", None


def _bound_header_blocks(body: bytes, notes: list[str], *, budget: list[int]) -> bytes:
    """message/delivery-status: header blocks one after the other, each parsed."""
    out: list[bytes] = []
    pos = 0
    while pos < len(body):
        if budget[0] <= 0:
            if PARTS_NOTE not in notes:
                notes.append(PARTS_NOTE)
            break
        budget[0] -= 1
        if LINE_END.match(body, pos) or FIELD_START.match(body, pos):
            _, block, pos = _bound_block(body, notes, start=pos)
            out.append(block)
        else:   # a line that is no header: text up to the next blank line, kept as it is
            _, _, end = _skip_to_body(body, pos, [], [], True)
            out.append(body[pos:end])
            pos = end
    return b"".join(out)


def _bound_multipart(body: bytes, delimiter: bytes, notes: list[str], *, depth: int,
                     budget: list[int], default_type: str) -> bytes:
    """Each part between delimiter lines gets its header block bounded; the delimiter
    lines, preamble and epilogue are kept as they are."""
    # As the stdlib's feedparser reads a delimiter line: at a line start, only blanks
    # after it. The literal comes first so the regex engine scans for it fast; the line
    # start is checked by hand.
    line = re.compile(re.escape(delimiter) + rb"(--)?[ \t]*(?:\r\n|\r(?!\n)|\n|\Z)")
    out: list[bytes] = []
    pos = 0
    part_start: int | None = None
    for match in line.finditer(body):
        start = match.start()
        if start and body[start - 1] not in b"\r\n":
            continue
        if part_start is None:                          # preamble and first delimiter
            out.append(_bound_leaf(body[pos:start], notes, budget) + match.group())
        elif budget[0] <= 0:
            return _closed(out, delimiter, notes)
        else:
            # The part keeps the line end before the delimiter; only headers change.
            out.append(_bound_part(_part(body, part_start, start, budget), notes,
                                   depth=depth, budget=budget, default_type=default_type))
            out.append(match.group())
        pos = match.end()
        if match.group(1):                               # the closing delimiter
            out.append(_bound_leaf(body[pos:], notes, budget))
            return b"".join(out)
        part_start = pos
    if part_start is None:
        return _bound_leaf(body, notes, budget)
    if budget[0] <= 0:
        return _closed(out, delimiter, notes)
    out.append(_bound_part(_part(body, part_start, len(body), budget), notes, depth=depth,
                           budget=budget, default_type=default_type))
    return b"".join(out)


def _part(body: bytes, start: int, end: int, budget: list[int]) -> bytes:
    """``body[start:end]``, but no more of a huge part than its header blocks and the
    body budget left can keep (the copy of a 50 MiB attachment is 50 MB)."""
    return body[start:min(end, start + 2 * MAX_HEADER_BYTES + budget[1])]


def _bound_leaf(body: bytes, notes: list[str], budget: list[int]) -> bytes:
    """A body that is no MIME structure, within what is left of the body budget."""
    if len(body) <= budget[1]:
        budget[1] -= len(body)
        return body
    cut = body.rfind(b"\n", 0, budget[1]) + 1 or budget[1]    # whole lines if any
    budget[1] = 0
    if BODY_NOTE not in notes:
        notes.append(BODY_NOTE)
    return body[:cut]


def _closed(out: list[bytes], delimiter: bytes, notes: list[str]) -> bytes:
    """The multipart so far, closed: the parts beyond the budget are dropped unread
    (the stdlib would parse every one of their header blocks)."""
    if PARTS_NOTE not in notes:
        notes.append(PARTS_NOTE)
    if len(out) > 1:         # the delimiter that opened the first dropped part closes
        out.pop()
    return b"".join(out) + delimiter + b"--\r\n"


def _bound_part(part: bytes, notes: list[str], *, depth: int, budget: list[int],
                default_type: str = "text/plain") -> bytes:
    if budget[0] <= 0:         # an attached message beyond the budget: emptied
        if PARTS_NOTE not in notes:
            notes.append(PARTS_NOTE)
        return b"\r\n"
    budget[0] -= 1
    before = len(notes)
    fields, block, body_start = _bound_block(part, notes)
    bounded_body = _bound_body(fields, part[body_start:], notes, depth=depth + 1,
                               budget=budget, default_type=default_type)
    return part if len(notes) == before else block + bounded_body

"""HTML to plain text, keeping where each piece of text came from.

Block elements become line breaks, ``<blockquote>`` content becomes ``> `` quoted
lines (so Gmail/Apple quotes split like plain-text ones), and text styled as fine
print (tiny or light-grey) is recorded as spans, because terms hidden there are a
disclosure problem. ``offsets[i]`` is the HTML source index of text segment ``i``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "hr", "section", "article", "header", "footer", "pre", "dt", "dd",
})
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template"})
VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr"})
FINE_PRINT_MAX_PX = 10
FONT_SIZE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt)", re.I)
GREY_COLOR = re.compile(
    r"(?<![-\w])color\s*:\s*(#(?:[a-f0-9]{3}){1,2}\b|rgb\([^)]*\)|(?:light)?gr[ae]y|silver)", re.I)
LIGHT_GREY_MIN = 0x99


@dataclass
class HtmlText:
    text: str
    offsets: list[tuple[int, int]] = field(default_factory=list)  # (text index, source index)
    fine_print: list[tuple[int, int]] = field(default_factory=list)  # text spans


def is_light_colour(value: str) -> bool:
    value = value.lower()
    if value in ("gray", "grey", "lightgray", "lightgrey", "silver"):
        return True
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        channels = [int(digits[i:i + 2], 16) for i in (0, 2, 4)]
    else:
        numbers = re.findall(r"\d+", value)
        if len(numbers) < 3:
            return False
        channels = [int(n) for n in numbers[:3]]
    return min(channels) >= LIGHT_GREY_MIN and max(channels) - min(channels) < 0x20


def is_fine_print_style(style: str) -> bool:
    size = FONT_SIZE.search(style)
    if size:
        px = float(size.group(1)) * (4 / 3 if size.group(2).lower() == "pt" else 1)
        if px <= FINE_PRINT_MAX_PX:
            return True
    colour = GREY_COLOR.search(style)
    return bool(colour and is_light_colour(colour.group(1)))


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.offsets: list[tuple[int, int]] = []
        self.fine_print: list[tuple[int, int]] = []
        self.skip_depth = 0
        self.quote_depth = 0
        self.stack: list[tuple[str, bool]] = []   # (tag, starts fine print)
        self.fine_depth = 0
        self.fine_start = 0
        self.at_line_start = True
        self.source_pos = 0

    def _emit(self, text: str) -> None:
        if not text:
            return
        self.offsets.append((self.length, self.source_pos))
        self.parts.append(text)
        self.length += len(text)
        self.at_line_start = text.endswith("\n")

    def _newline(self) -> None:
        if not self.at_line_start:
            self._emit("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.source_pos = self._source_index()
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
            return
        if tag in BLOCK_TAGS:
            self._newline()
        if tag == "blockquote":
            self.quote_depth += 1
        if tag in VOID_TAGS:
            return
        style = " ".join(v or "" for k, v in attrs if k == "style")
        small = tag in ("small",) or (bool(style) and is_fine_print_style(style))
        if small and self.fine_depth == 0:
            self.fine_start = self.length
        if small:
            self.fine_depth += 1
        self.stack.append((tag, small))

    def handle_endtag(self, tag: str) -> None:
        self.source_pos = self._source_index()
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        # close up to the matching open tag (browsers forgive unclosed tags too)
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _, small in self.stack[index:]:
                    if small:
                        self.fine_depth -= 1
                        if self.fine_depth == 0 and self.length > self.fine_start:
                            self.fine_print.append((self.fine_start, self.length))
                del self.stack[index:]
                break
        if tag in BLOCK_TAGS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        self.source_pos = self._source_index()
        text = re.sub(r"\s+", " ", data)
        if self.at_line_start:
            text = text.lstrip()
            if text and self.quote_depth:
                text = "> " * self.quote_depth + text
        if text:
            self._emit(text)

    def _source_index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column if line - 1 < len(self._line_starts) else 0

    def feed_document(self, html: str) -> None:
        self._line_starts = [0]
        for match in re.finditer("\n", html):
            self._line_starts.append(match.end())
        self.feed(html)
        self.close()


def html_to_text(html: str) -> HtmlText:
    """Convert an HTML body to text; never raises on malformed HTML."""
    converter = _Converter()
    converter.feed_document(html)
    if converter.fine_depth and converter.length > converter.fine_start:
        converter.fine_print.append((converter.fine_start, converter.length))
    raw = "".join(converter.parts)
    # tidy: strip trailing spaces per line, collapse 3+ blank lines (offsets of fine
    # print are recomputed against the tidied text by mapping through the same edits)
    text, mapping = _tidy(raw)
    fine = [(mapping[s], mapping[e]) for s, e in converter.fine_print]
    offsets = [(mapping[t], src) for t, src in converter.offsets]
    return HtmlText(text=text, offsets=offsets, fine_print=fine)


def _tidy(raw: str) -> tuple[str, list[int]]:
    """Remove trailing spaces and runs of blank lines; map old indices to new ones."""
    keep = [True] * len(raw)
    for match in re.finditer(r"[ \t]+(?=\n)", raw):
        for i in range(match.start(), match.end()):
            keep[i] = False
    for match in re.finditer(r"\n{3,}", raw):
        for i in range(match.start() + 2, match.end()):
            keep[i] = False
    mapping = [0] * (len(raw) + 1)
    out: list[str] = []
    position = 0
    for index, char in enumerate(raw):
        mapping[index] = position
        if keep[index]:
            out.append(char)
            position += 1
    mapping[len(raw)] = position
    return "".join(out), mapping

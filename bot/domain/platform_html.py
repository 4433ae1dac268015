"""refugies.info rich text (HTML written in the platform's editor) as Telegram's HTML subset.

The platform's HTML is read as untrusted input: only what Telegram's HTML parse mode accepts
comes out (`b`, `i`, `u`, `s`, `a href`, `code`, `pre`, `blockquote`), every text escaped,
every tag closed. Paragraphs and headings become blank-line separated blocks, list items
"• " lines (numbered in an ordered list), and the content of `script`, `style` and the like is
dropped. Links keep only http(s) addresses; an email or phone link becomes its text followed
by the address, since Telegram does not link those.

Formatting is rendered run by run (each piece of text with its own complete set of tags), so
misnested or unclosed tags in the source can never produce unbalanced output. A length limit
cuts between blocks (or, for a single long block, between words), never inside a tag or an
entity. Pure functions: no Telegram import, no I/O.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Elements whose content is never text for a reader (or is active content).
_SKIPPED = frozenset(
    {
        "script",
        "style",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "noscript",
        "svg",
        "math",
        "head",
        "title",
        "select",
        "textarea",
        "canvas",
        "video",
        "audio",
        "button",
    }
)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "address",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "hr",
        "center",
        "details",
        "summary",
        "fieldset",
        "form",
        "body",
        "html",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})
# Elements that end whatever formatting was left open inside them.
_CONTAINERS = (_BLOCKS | _HEADINGS | _CELLS | {"li", "blockquote", "pre"}) - {"hr", "body", "html"}
_MARKS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "cite": "i",
    "var": "i",
    "dfn": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
# The order tags open in, outermost first (`code` innermost: it may contain no other tag).
_MARK_ORDER = ("b", "i", "u", "s", "code")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
# C0 controls and DEL (but tab and newline): never useful, and refused by some clients.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
_TAG = re.compile(r"<[^>]*>")
_WEB_SCHEMES = frozenset({"http", "https"})
_SHOWN_SCHEMES = frozenset({"mailto", "tel"})
ELLIPSIS = "…"


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Run:
    text: str
    marks: frozenset[str] = frozenset()
    href: str | None = None


@dataclass
class _Block:
    runs: list[_Run] = field(default_factory=list)
    prefix: str = ""
    pre: bool = False
    quote: bool = False
    # Joined to the block before by one line break (list lines), not a blank line.
    tight: bool = False

    def has_text(self) -> bool:
        return any(run.text.strip() for run in self.runs)


@dataclass
class _List:
    ordered: bool
    counter: int = 0


@dataclass
class _Link:
    href: str | None
    # For mailto/tel: shown after the link's text, unless the text already says it.
    shown_address: str | None = None
    first_run: int = 0


def safe_href(raw: str, base_url: str | None = None) -> str | None:
    """An http(s) address to link to, or None: `javascript:`, `data:`, relative links without
    a base and anything else Telegram or a reader should not follow are refused. `raw` is
    the attribute's value as the parser gives it (entities already decoded, once); spaces and
    controls inside are dropped, as browsers do (`java\tscript:`)."""
    cleaned = _URL_NOISE.sub("", raw)
    if cleaned.startswith("//"):
        cleaned = "https:" + cleaned
    elif cleaned.startswith("/") and base_url:
        cleaned = base_url.rstrip("/") + cleaned
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.netloc:
        return None
    return cleaned


def _shown_address(raw: str) -> str | None:
    """The address of a mailto: or tel: link, to write out in full."""
    cleaned = _URL_NOISE.sub("", raw)
    scheme, _, rest = cleaned.partition(":")
    if scheme.lower() not in _SHOWN_SCHEMES or not rest:
        return None
    address = rest.split("?", 1)[0]
    return address or None


class _Reader(HTMLParser):
    """Turns the platform's HTML into blocks of formatted runs."""

    def __init__(self, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.marks: list[tuple[str, str]] = []  # (source tag, mark)
        self.links: list[_Link] = []
        self.lists: list[_List] = []
        self.skipping = 0
        self.quoting = 0
        self.preformatted = 0
        self.heading = 0
        self.in_item = 0
        # How many marks were open when each enclosing block element started: a tag left
        # unclosed inside a paragraph or an item ends with it, not at the end of the fiche.
        self.marks_at_start: list[int] = []

    # Blocks

    def _end_block(self, *, keep_bullet: bool = False) -> None:
        """Close the block being written. An item's bullet with no text yet stays for the
        text to come (`<li><p>text</p></li>`)."""
        if self.current is None:
            return
        if self.current.has_text():
            self.blocks.append(self.current)
        elif keep_bullet and self.current.prefix.strip():
            return
        self.current = None

    def _block(self) -> _Block:
        if self.current is None:
            # More text of a list item, after a nested list or a paragraph: indented.
            indent = "   " * len(self.lists) if self.lists and self.in_item else ""
            self.current = _Block(
                prefix=indent,
                pre=self.preformatted > 0,
                quote=self.quoting > 0,
                tight=bool(indent),
            )
        return self.current

    def _start_item(self) -> None:
        self._end_block()
        if not self.lists:
            self.lists.append(_List(ordered=False))
        current = self.lists[-1]
        current.counter += 1
        indent = "   " * (len(self.lists) - 1)
        bullet = f"{current.counter}. " if current.ordered else "• "
        self.current = _Block(prefix=indent + bullet, quote=self.quoting > 0, tight=True)
        self.in_item += 1

    # Parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag in _SKIPPED:
                self.skipping += 1
            return
        if tag in _SKIPPED:
            self.skipping = 1
            return
        if tag in _CONTAINERS:
            self.marks_at_start.append(len(self.marks))
        if tag in _BLOCKS:
            self._end_block(keep_bullet=True)
        elif tag in _HEADINGS:
            self._end_block(keep_bullet=True)
            self.heading += 1
        elif tag in ("ul", "ol"):
            self._end_block()
            self.lists.append(_List(ordered=tag == "ol"))
        elif tag == "li":
            self._start_item()
        elif tag == "blockquote":
            self._end_block()
            self.quoting += 1
        elif tag == "pre":
            self._end_block()
            self.preformatted += 1
        elif tag == "br":
            self._text("\n", raw=True)
        elif tag in _CELLS:
            if self.current is not None and self.current.has_text():
                self._text(" · ", raw=True)
        elif tag in _MARKS:
            self.marks.append((tag, _MARKS[tag]))
        elif tag == "a":
            self._open_link(dict(attrs))
        # Any other tag (span, font, img, input...) is dropped; its text, if any, is kept.

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "input", "wbr"):  # `<p/>`: opened and closed at once
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in _SKIPPED:
                self.skipping -= 1
            return
        if tag in _CONTAINERS and self.marks_at_start:
            del self.marks[self.marks_at_start.pop() :]
        if tag in _BLOCKS:
            self._end_block(keep_bullet=True)
        elif tag == "li":
            self._end_block()
            self.in_item = max(0, self.in_item - 1)
        elif tag in _HEADINGS:
            self._end_block(keep_bullet=True)
            self.heading = max(0, self.heading - 1)
        elif tag in ("ul", "ol"):
            self._end_block()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._end_block()
            self.quoting = max(0, self.quoting - 1)
        elif tag == "pre":
            self._end_block()
            self.preformatted = max(0, self.preformatted - 1)
        elif tag in _MARKS:
            for index in range(len(self.marks) - 1, -1, -1):
                if self.marks[index][0] == tag:
                    del self.marks[index]
                    break
        elif tag == "a":
            self._close_link()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data:
            self._text(data, raw=False)

    # Links

    def _open_link(self, attrs: dict[str, str | None]) -> None:
        raw = attrs.get("href") or ""
        if self.links:
            # A link inside a link: its text belongs to the outer one.
            self.links.append(_Link(None))
            return
        first_run = len(self.current.runs) if self.current is not None else 0
        self.links.append(_Link(safe_href(raw, self.base_url), _shown_address(raw), first_run))

    def _close_link(self) -> None:
        if not self.links:
            return
        link = self.links.pop()
        if link.shown_address is None or self.current is None:
            return
        said = "".join(run.text for run in self.current.runs[link.first_run :])
        if link.shown_address not in said:
            self._text(f" ({link.shown_address})", raw=True)

    # Text

    def _text(self, data: str, *, raw: bool) -> None:
        data = _CONTROLS.sub("", data)
        block = self._block()
        if not block.pre and not raw:
            data = _SPACES.sub(" ", data)
            if not block.runs or block.runs[-1].text.endswith((" ", "\n")):
                data = data.lstrip(" ")
        if not data:
            return
        marks = frozenset(mark for _, mark in self.marks)
        if self.heading:
            marks |= {"b"}
        href = next((link.href for link in self.links if link.href), None)
        if block.pre:
            marks, href = frozenset(), None
        block.runs.append(_Run(data, marks, href))

    def finish(self) -> list[_Block]:
        self.close()
        self._end_block()
        return self.blocks


def _blocks(source: str, base_url: str | None) -> list[_Block]:
    reader = _Reader(base_url)
    reader.feed(source)
    return reader.finish()


# Rendering


def _merged(runs: list[_Run]) -> list[_Run]:
    """Adjacent runs with the same formatting as one; spaces trimmed at the block's edges."""
    merged: list[_Run] = []
    for run in runs:
        if merged and (merged[-1].marks, merged[-1].href) == (run.marks, run.href):
            merged[-1] = _Run(merged[-1].text + run.text, run.marks, run.href)
        else:
            merged.append(run)
    return merged


def _trimmed(block: _Block) -> list[_Run]:
    runs = _merged(block.runs)
    if block.pre:
        # No blank line inside: messages are cut between paragraphs (blank lines), and a cut
        # inside <pre> would leave a tag open, which Telegram refuses.
        runs = [_Run(re.sub(r"\n\s*\n", "\n", run.text), run.marks, run.href) for run in runs]
        if runs:
            runs[0] = _Run(runs[0].text.lstrip("\n"), runs[0].marks, runs[0].href)
            runs[-1] = _Run(runs[-1].text.rstrip(), runs[-1].marks, runs[-1].href)
        return [run for run in runs if run.text]
    cleaned = [
        _Run(re.sub(r" *\n *", "\n", run.text), run.marks, run.href) for run in runs if run.text
    ]
    while cleaned and not cleaned[0].text.strip():
        cleaned.pop(0)
    while cleaned and not cleaned[-1].text.strip():
        cleaned.pop()
    if cleaned:
        first, last = cleaned[0], cleaned[-1]
        cleaned[0] = _Run(first.text.lstrip(), first.marks, first.href)
        last = cleaned[-1]
        cleaned[-1] = _Run(last.text.rstrip(), last.marks, last.href)
    return [run for run in cleaned if run.text]


def _open_close(run: _Run) -> tuple[str, str]:
    marks = ("code",) if "code" in run.marks else [m for m in _MARK_ORDER if m in run.marks]
    opening = "".join(f"<{mark}>" for mark in marks)
    closing = "".join(f"</{mark}>" for mark in reversed(marks))
    if run.href:
        opening = f'<a href="{html.escape(run.href, quote=True)}">' + opening
        closing += "</a>"
    return opening, closing


def _render_run(run: _Run) -> str:
    opening, closing = _open_close(run)
    return opening + html.escape(run.text, quote=False) + closing


def _wrap(block: _Block, inner: str) -> str:
    if block.pre:
        return f"<pre>{inner}</pre>"
    text = html.escape(block.prefix, quote=False) + inner
    return f"<blockquote>{text}</blockquote>" if block.quote else text


def _render_block(block: _Block) -> str:
    return _wrap(block, "".join(_render_run(run) for run in _trimmed(block)))


def _cut_block(block: _Block, room: int) -> str | None:
    """The start of a block that is too long, cut between words to fit in `room` UTF-16 units
    with an ellipsis, tags closed; None when not even a word fits."""
    budget = room - utf16_length(_wrap(block, "")) - utf16_length(ELLIPSIS)
    pieces: list[str] = []
    for run in _trimmed(block):
        opening, closing = _open_close(run)
        whole = _render_run(run)
        if utf16_length(whole) <= budget:
            pieces.append(whole)
            budget -= utf16_length(whole)
            continue
        space = budget - utf16_length(opening + closing)
        taken: list[str] = []
        for char in run.text:
            escaped = html.escape(char, quote=False)
            if utf16_length(escaped) > space:
                break
            taken.append(char)
            space -= utf16_length(escaped)
        text = "".join(taken)
        if len(text) < len(run.text) and " " in text:
            text = text[: text.rfind(" ")]
        text = text.rstrip()
        if text:
            pieces.append(opening + html.escape(text, quote=False) + closing)
        break
    if not pieces:
        return None
    return _wrap(block, "".join(pieces) + ELLIPSIS)


def to_telegram_html(source: str, *, limit: int | None = None, base_url: str | None = None) -> str:
    """The platform's HTML as Telegram HTML, at most `limit` UTF-16 units long (the length
    Telegram counts, measured on the markup itself, so the text always fits).

    Cut between blocks, with "…" on a line of its own; a first block longer than the limit is
    cut between words. `base_url` resolves links written relative to the platform's site."""
    rendered: list[tuple[_Block, str]] = [
        (block, text) for block in _blocks(source, base_url) if (text := _render_block(block))
    ]
    parts: list[str] = []
    used = 0
    marker = "\n" + ELLIPSIS
    for index, (block, text) in enumerate(rendered):
        separator = "" if not parts else "\n" if block.tight else "\n\n"
        piece = separator + text
        last = index == len(rendered) - 1
        room = None if limit is None else limit - (0 if last else utf16_length(marker))
        if room is None or used + utf16_length(piece) <= room:
            parts.append(piece)
            used += utf16_length(piece)
            continue
        if not parts and limit is not None:
            cut = _cut_block(block, limit)
            return cut or ""
        parts.append(marker)
        break
    return "".join(parts)


def to_plain_text(source: str, *, limit: int | None = None, one_line: bool = False) -> str:
    """The text of the platform's HTML (or of plain text), without any markup or escaping:
    for titles and summaries. `one_line` joins the blocks with spaces; `limit` (in
    characters) cuts between words with "…"."""
    lines: list[str] = []
    for block in _blocks(source, None):
        text = block.prefix + "".join(run.text for run in _trimmed(block))
        if one_line:
            text = " ".join(text.split())
        if text:
            lines.append(text)
    joined = " ".join(lines) if one_line else "\n".join(lines)
    if limit is None or len(joined) <= limit:
        return joined
    cut = joined[: max(0, limit - len(ELLIPSIS))]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + ELLIPSIS


def telegram_to_plain(telegram_html: str) -> str:
    """The visible text of Telegram HTML made by `to_telegram_html` (for a search index)."""
    return html.unescape(_TAG.sub("", telegram_html))

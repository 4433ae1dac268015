"""Telegram's HTML parse mode: the tags and entities it accepts, and its errors."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

# Tag → entity type; span and tg-emoji are special-cased below.
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)\s*(?:=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+)))?')


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's wording."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    attributes: dict[str, str]
    offset: int  # UTF-16 offset in the plain text


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _entity(open_tag: _Open, end: int) -> dict[str, Any] | None:
    if end <= open_tag.offset:
        return None
    kind = _TAGS[open_tag.name]
    entity: dict[str, Any] = {
        "type": kind,
        "offset": open_tag.offset,
        "length": end - open_tag.offset,
    }
    if kind == "text_link":
        entity["url"] = open_tag.attributes.get("href", "")
    if kind == "custom_emoji":
        entity["custom_emoji_id"] = open_tag.attributes.get("emoji-id", "")
    if kind == "blockquote" and "expandable" in open_tag.attributes:
        entity["type"] = "expandable_blockquote"
    return entity


def _read_entity(source: str, index: int) -> tuple[str, int]:
    """The character an `&...;` stands for and the index after it; `&` alone stays as is."""
    end = source.find(";", index)
    if end == -1 or end - index > 10:
        return "&", index + 1
    name = source[index + 1 : end]
    if name.startswith("#"):
        try:
            number = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
            return chr(number), end + 1
        except (ValueError, OverflowError):
            return "&", index + 1
    if name in _NAMED:
        return _NAMED[name], end + 1
    return "&", index + 1


def parse_html(source: str) -> ParsedText:
    """Plain text and entities of a Telegram HTML message, or EntityParseError."""
    out: list[str] = []
    length = 0  # UTF-16 length of what is in `out`
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "&":
            text, index = _read_entity(source, index)
            out.append(text)
            length += utf16_length(text)
            continue
        if char != "<":
            out.append(char)
            length += utf16_length(char)
            index += 1
            continue
        close = source.find(">", index)
        byte_offset = _byte_offset(source, index)
        if close == -1:
            raise EntityParseError(
                f"can't parse entities: Unclosed start tag at byte offset {byte_offset}"
            )
        inner = source[index + 1 : close].strip()
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise EntityParseError(
                    f"can't parse entities: Unexpected end tag at byte offset {byte_offset}"
                )
            if stack[-1].name != name:
                raise EntityParseError(
                    f"can't parse entities: Unmatched end tag at byte offset {byte_offset}, "
                    f'expected "</{stack[-1].name}>", found "</{name}>"'
                )
            entity = _entity(stack.pop(), length)
            if entity is not None:
                entities.append(entity)
        else:
            name, _, rest = inner.partition(" ")
            name = name.lower().rstrip("/")
            if name not in _TAGS:
                raise EntityParseError(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                    f"{byte_offset}"
                )
            attributes = {
                match.group(1).lower(): html.unescape(
                    match.group(2) or match.group(3) or match.group(4) or ""
                )
                for match in _ATTRIBUTE.finditer(rest)
            }
            if name == "span" and attributes.get("class") != "tg-spoiler":
                raise EntityParseError(
                    'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte '
                    f"offset {byte_offset}"
                )
            stack.append(_Open(name, attributes, length))
        index = close + 1
    if stack:
        raise EntityParseError(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].name}"'
        )
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return ParsedText("".join(out), entities)

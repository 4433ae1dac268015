"""The platform's HTML as Telegram HTML: only what Telegram accepts, everything escaped, every
tag closed, lists as lines, cut to a length on block boundaries, whatever the input."""

from __future__ import annotations

import re

import pytest

from bot.domain.platform_html import (
    ELLIPSIS,
    safe_href,
    telegram_to_plain,
    to_plain_text,
    to_telegram_html,
    utf16_length,
)
from bot.emulator.entities import parse_html

ALLOWED = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}
SITE = "https://refugies.info"


def _telegram(source: str, **options: object) -> str:
    """Converted, and accepted by the Bot API emulator's parser (Telegram's rules)."""
    html = to_telegram_html(source, **options)  # type: ignore[arg-type]
    parse_html(html)
    return html


def _tags(html: str) -> set[str]:
    return {name.lower() for name in re.findall(r"</?([a-zA-Z0-9-]+)", html)}


HOSTILE = [
    "<p>un <b>deux <i>trois</b> quatre</i> cinq",
    "<ul><li>a<li>b<ul><li>c</ul>d</ul><p>e",
    '<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(1)">y</a>',
    '<a href="java\tscript:alert(1)">tab</a><a href=" javascript:alert(1)">space</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a><a href="vbscript:x">vb</a>',
    "<script>alert('x')</script><style>*{}</style><iframe src=x>in</iframe>visible",
    "<SCRIPT>document.cookie</SCRIPT><noscript><b>no</b></noscript>ok",
    '<img src=x onerror="alert(1)"><svg onload=alert(1)><circle/></svg>after',
    '<p onclick="x()" style="color:red" class="a" data-x="1" dir="rtl">attributes</p>',
    "&lt;b&gt;not bold&lt;/b&gt; &amp;amp; &quot;q&quot; &#39;s&#x27; &nbsp;&copy; &bogus;",
    "a < b > c & d",
    "<b><i><u><s>deep</b></i></u></s>",
    "<a href='https://a.example'>outer <a href='https://b.example'>inner</a> tail</a>",
    "<pre><b>bold in pre</b> <a href='https://x.example'>link</a>\n  indented</pre>",
    "<code><b>no</b><i>nesting</i></code> in code",
    "<blockquote><blockquote>nested quote</blockquote></blockquote>",
    "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>",
    "<h1>Title</h1><h6>small</h6>text",
    "<tg-spoiler>s</tg-spoiler><span class='tg-spoiler'>t</span>"
    "<tg-emoji emoji-id='1'>e</tg-emoji>",
    "<p>مرحبا <b>بالعالم</b> &amp; السكن <a href='https://ar.example'>الرابط</a></p>",
    "<p>\u202eevil\u202c \u200fRLM\x00NUL\x07BEL</p>",
    "<!-- comment --><!DOCTYPE html><?php echo 1 ?>text",
    "</b></i></p></ul>stray closing tags",
    "<a href='https://x.example/?a=1&b=\"2\"&c=<3>'>quotes & brackets in href</a>",
    "<p>" + "long " * 2000 + "</p>",
    "",
    "<p>   </p><div> \n </div>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_html_becomes_valid_telegram_html(source: str) -> None:
    html = _telegram(source, base_url=SITE)
    assert _tags(html) <= ALLOWED
    assert "script" not in html.lower() or "&lt;" in html
    for attribute in ("onerror", "onclick", "onload", "style=", "class=", "data-x"):
        assert attribute not in html
    limited = _telegram(source, base_url=SITE, limit=300)
    assert utf16_length(limited) <= 300
    assert _tags(limited) <= ALLOWED


def test_scripts_styles_and_frames_are_dropped_with_their_content() -> None:
    html = _telegram(HOSTILE[5])
    assert html == "visible"
    assert _telegram(HOSTILE[6]) == "ok"
    assert _telegram(HOSTILE[7]) == "after"


def test_dangerous_links_keep_their_text_and_lose_the_link() -> None:
    for source in HOSTILE[2:5]:
        html = _telegram(source)
        assert "<a" not in html
        assert "javascript" not in html.lower()
        assert "data:" not in html
    assert _telegram(HOSTILE[2]) == "xy"


def test_web_links_are_kept_escaped_and_relative_ones_resolved() -> None:
    assert _telegram('<a href="/fr/dispositif/1">fiche</a>', base_url=SITE) == (
        '<a href="https://refugies.info/fr/dispositif/1">fiche</a>'
    )
    assert _telegram('<a href="/fr/dispositif/1">fiche</a>') == "fiche"  # no base: no link
    assert (
        _telegram('<a href="//cdn.example/x">cdn</a>') == '<a href="https://cdn.example/x">cdn</a>'
    )
    # Entities in an address are decoded once, as a browser does, then escaped again.
    assert _telegram('<a href="https://x.example/?a=1&amp;copy=2">x</a>') == (
        '<a href="https://x.example/?a=1&amp;copy=2">x</a>'
    )
    html = _telegram(HOSTILE[23])
    assert html.startswith('<a href="https://x.example/?a=1&amp;b=&quot;2&quot;&amp;c=&lt;3&gt;">')
    assert html.endswith("quotes &amp; brackets in href</a>")


def test_email_and_phone_links_are_written_out() -> None:
    assert _telegram('<a href="mailto:accueil@ex.org">Écrire</a>') == "Écrire (accueil@ex.org)"
    assert _telegram('<a href="mailto:accueil@ex.org">accueil@ex.org</a>') == "accueil@ex.org"
    assert _telegram('<a href="tel:+33380000000">Appeler</a>') == "Appeler (+33380000000)"


def test_nested_links_become_one() -> None:
    assert _telegram(HOSTILE[12]) == '<a href="https://a.example">outer inner tail</a>'


def test_formatting_is_balanced_even_when_the_source_is_not() -> None:
    assert _telegram(HOSTILE[0]) == "un <b>deux </b><b><i>trois</i></b><i> quatre</i> cinq"
    assert _telegram(HOSTILE[11]) == "<b><i><u><s>deep</s></u></i></b>"
    # A tag left open inside a paragraph ends with it.
    assert _telegram("<p>a <i>b</p><p>c</p>") == "a <i>b</i>\n\nc"


def test_entities_are_decoded_then_escaped_once() -> None:
    html = _telegram(HOSTILE[9])
    assert html == ("&lt;b&gt;not bold&lt;/b&gt; &amp;amp; \"q\" 's' \xa0© &amp;bogus;")
    assert telegram_to_plain(html) == "<b>not bold</b> &amp; \"q\" 's' \xa0© &bogus;"
    assert _telegram(HOSTILE[10]) == "a &lt; b &gt; c &amp; d"


def test_lists_become_lines_nested_ones_indented_ordered_ones_numbered() -> None:
    assert _telegram(HOSTILE[1]) == "• a\n• b\n   • c\n   d\n\ne"
    assert _telegram("<ol><li><p>one</p></li><li>two</li></ol>") == "1. one\n2. two"
    assert _telegram("<p>Intro</p><ul><li>x</li></ul>") == "Intro\n• x"


def test_blocks_headings_quotes_code_and_tables() -> None:
    assert _telegram(HOSTILE[17]) == "<b>Title</b>\n\n<b>small</b>\n\ntext"
    assert _telegram(HOSTILE[15]) == "<blockquote>nested quote</blockquote>"
    assert _telegram(HOSTILE[13]) == ("<pre>bold in pre link\n  indented</pre>")
    assert _telegram(HOSTILE[14]) == "<code>no</code><code>nesting</code> in code"
    assert _telegram(HOSTILE[16]) == "a · b\n\nc"
    assert _telegram("<p>line<br>break<br/>again</p>") == "line\nbreak\nagain"


def test_telegram_only_tags_in_the_source_are_not_passed_through() -> None:
    assert _telegram(HOSTILE[18]) == "ste"


def test_right_to_left_text_is_kept_whole() -> None:
    html = _telegram(HOSTILE[19])
    assert html == ('مرحبا <b>بالعالم</b> &amp; السكن <a href="https://ar.example">الرابط</a>')
    # Bidi marks are text; control characters are not.
    assert _telegram(HOSTILE[20]) == "\u202eevil\u202c \u200fRLMNULBEL"


def test_a_long_text_is_cut_between_blocks_with_a_marker() -> None:
    source = "".join(f"<p>paragraph {n} ليس</p>" for n in range(100))
    html = _telegram(source, limit=200)
    assert utf16_length(html) <= 200
    assert html.endswith("\n" + ELLIPSIS)
    kept = html.removesuffix("\n" + ELLIPSIS).split("\n\n")
    assert kept == [f"paragraph {n} ليس" for n in range(len(kept))]


def test_a_single_long_block_is_cut_between_words_with_tags_closed() -> None:
    source = "<p><b>" + "mot&amp; " * 500 + "</b></p>"
    html = _telegram(source, limit=120)
    assert utf16_length(html) <= 120
    assert html.startswith("<b>mot&amp; mot&amp;")
    assert html.endswith("mot&amp;</b>" + ELLIPSIS)
    # Never inside an entity, even in right-to-left text with emoji (two UTF-16 units).
    rtl = _telegram("<p>" + "سكن&amp;🙂 " * 300 + "</p>", limit=97)
    assert utf16_length(rtl) <= 97
    parse_html(rtl)
    assert not rtl.removesuffix(ELLIPSIS).endswith(("&", "&a", "&am", "&amp"))


def test_nothing_visible_gives_nothing() -> None:
    assert _telegram("") == ""
    assert _telegram(HOSTILE[-1]) == ""
    assert _telegram(HOSTILE[21]) == "text"
    assert _telegram(HOSTILE[22]) == "stray closing tags"


def test_plain_text_for_titles_and_summaries() -> None:
    assert to_plain_text("Droits <b>pour tous</b> &amp; plus", one_line=True) == (
        "Droits pour tous & plus"
    )
    assert to_plain_text("<p>Un</p><ul><li>deux</li></ul>", one_line=True) == "Un • deux"
    assert to_plain_text("<p>Un</p><p>deux</p>") == "Un\ndeux"
    cut = to_plain_text("mot " * 100, limit=30, one_line=True)
    assert len(cut) <= 30
    assert cut.endswith(ELLIPSIS)
    assert "<" not in to_plain_text("<script>x</script>a <i>b</i>")


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://ok.example/a?b=1", "https://ok.example/a?b=1"),
        ("HTTP://ok.example", "HTTP://ok.example"),
        ("javascript:alert(1)", None),
        ("  javascript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("&#106;avascript:alert(1)", None),
        ("mailto:a@b.c", None),
        ("ftp://files.example", None),
        ("https://", None),
        ("/relative", None),
        ("http://[::1", None),
    ],
)
def test_only_web_addresses_are_linked(href: str, expected: str | None) -> None:
    assert safe_href(href) == expected


def test_a_preformatted_block_holds_no_blank_line() -> None:
    # Long messages are cut at blank lines; a cut inside <pre> would leave it open.
    converted = to_telegram_html("<pre>line 1\n\n\nline 2\n  \nline 3</pre>")
    assert "\n\n" not in converted
    assert converted.startswith("<pre>")
    assert converted.endswith("</pre>")

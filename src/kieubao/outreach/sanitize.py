"""Advice text as officers write it, made safe to show: an allow-list of plain formatting.

nh3 (the Ammonia sanitiser) parses like a browser, so broken HTML is repaired rather than
passed on, and anything not on the list (scripts, styles, event handlers, javascript: links)
is dropped with its content where that content is code.
"""

import unicodedata

import nh3

TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"https", "http", "mailto", "tel"}


def clean_html(text: str) -> str:
    """NFC, allow-listed HTML; links open safely (``rel`` is set by nh3)."""
    return nh3.clean(
        unicodedata.normalize("NFC", text),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The text of sanitised HTML, for feeds and CAP fields that carry no markup."""
    return " ".join(nh3.clean(html, tags=set()).split())

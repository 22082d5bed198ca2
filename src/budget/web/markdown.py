"""Proposal descriptions: Markdown rendered safely (SECURITY.md T11).

markdown-it-py parses CommonMark with raw HTML off (so `<script>` stays text); nh3, an allow-list
sanitiser, then keeps only the tags below and http/https/mailto links, each marked
`rel="nofollow noopener ugc"`. Templates mark only this output `|safe` (a lint test greps).
"""

from __future__ import annotations

from typing import Final

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS: Final = frozenset(
    {
        "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
        "h3", "h4", "h5", "h6", "a", "hr", "del", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES: Final = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
SCHEMES: Final = frozenset({"http", "https", "mailto"})

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def render(source: str) -> Markup:
    """Sanitised HTML for a Markdown text. Headings 1-2 become 3 (the page owns the top levels)."""
    html = _parser.render(source)
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    cleaned = nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - sanitiser output, the one place Markup wraps HTML

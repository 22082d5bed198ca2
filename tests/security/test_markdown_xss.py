"""T11: a proposal's description is Markdown rendered safely. OWASP XSS filter-evasion vectors
(and random mixtures of their pieces) through `web.markdown.render` and through the pages that
show a description: no script, no event-handler attribute, no style, no link or source other
than http, https or mailto, and every link marked rel="nofollow noopener ugc"."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.db import queries
from budget.domain.accounts import Role
from budget.services import proposals
from budget.services.proposals import ProposalForm
from budget.web.markdown import SCHEMES, TAGS, render
from tests.webapp import Web, csrf_token, make_cycle, make_proposal, sign_in

pytestmark = pytest.mark.threat("T11")

# From the OWASP XSS Filter Evasion Cheat Sheet, adapted to Markdown where it has its own ways
# of writing links, images and autolinks.
VECTORS = (
    "<script>alert(1)</script>",
    '<SCRIPT SRC="http://xss.example/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//<</SCRIPT>',
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    "<svg/onload=alert(1)>",
    "<BODY ONLOAD=alert('XSS')>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '\\<a onmouseover="alert(document.cookie)"\\>xxs link\\</a\\>',
    "<div style=\"background:url('javascript:alert(1)')\">x</div>",
    "<style>@import'http://xss.example/xss.css';</style>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "<details open ontoggle=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](file:///etc/passwd)",
    '[click](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '[click](https://example.org"onmouseover="alert(1))',
    "![image](javascript:alert(1))",
    "![image](https://example.org/x.png)",
    "<javascript:alert(1)>",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "<!-- <script>alert(1)</script> -->",
    "<a href='https://example.org' target=_blank onclick=alert(1)>ok</a>",
)


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text of any <script> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def tags_of(markup: str) -> list[tuple[str, dict[str, str]]]:
    collector = Collector()
    collector.feed(markup)
    collector.close()
    return collector.tags


def scheme(url: str) -> str:
    """The scheme a browser would see (WHATWG URL parsing): entities decoded, surrounding C0
    controls and spaces stripped, tabs and newlines removed; "" for a relative URL (what does
    not start with a valid scheme, such as `java%0ascript:`, is a path)."""
    cleaned = html.unescape(url).strip("".join(map(chr, range(0x21))))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned)
    found = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return found.group(1).lower() if found else ""


def assert_harmless(markup: str) -> None:
    """Only allowed tags; no event handler nor style; links http(s)/mailto, marked."""
    for tag, attrs in tags_of(markup):
        assert tag in TAGS, f"<{tag}> in {markup!r}"
        for name in attrs:
            assert not name.startswith("on"), f"{name}= in {markup!r}"
            assert name not in ("style", "src", "srcset", "formaction", "xlink:href")
        if tag == "a":
            if "href" in attrs:
                assert scheme(attrs["href"]) in {*SCHEMES, ""}, attrs["href"]
            assert attrs.get("rel") == "nofollow noopener ugc"
    assert "<script" not in markup.lower()  # as text it reads &lt;script, which is harmless


@pytest.mark.parametrize("vector", VECTORS)
def test_render_neutralises_each_vector(vector: str) -> None:
    assert_harmless(str(render(vector)))


def test_safe_markdown_still_works() -> None:
    shown = str(render("## Why\n\n**Hot** summers: see [the map](https://example.org/map)."))
    assert "<h3>Why</h3>" in shown
    assert "<strong>Hot</strong>" in shown
    assert '<a href="https://example.org/map" rel="nofollow noopener ugc">the map</a>' in shown
    assert "&lt;script&gt;" in str(render("`<script>`"))


PIECES = st.sampled_from(
    [
        "<", ">", '"', "'", "=", ":", "&#", ";", "/", " ", "\n", "(", ")", "[", "]", "!", "`",
        "\\", "%0a", "&#x09;", "script", "img", "a", "svg", "iframe", "href", "src", "onerror",
        "onload", "style", "javascript", "JaVaScRiPt", "data", "vbscript", "alert(1)", "http",
        "x",
    ]
)  # fmt: skip


@given(st.lists(PIECES, max_size=40).map("".join))
def test_render_is_harmless_for_any_mixture_of_vector_pieces(source: str) -> None:
    assert_harmless(str(render(source)))


def test_a_hostile_description_is_harmless_on_the_proposal_pages(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    proposal_id = make_proposal(web, author.id, budget_id)
    description = "\n\n".join(VECTORS)
    form = ProposalForm(
        budget_id=budget_id, title="<script>alert(1)</script>", summary="<b onclick=x>hi</b>",
        description=description,
    )  # fmt: skip
    proposals.update_proposal(
        web.db, web.clock(), actor_id=author.id, proposal_id=proposal_id, form=form
    )
    web.db.commit()
    visitor = web.client()
    author_client = web.client()
    sign_in(author_client, "author@example.org")
    for client, path in (
        (visitor, f"/proposals/{proposal_id}"),
        (author_client, f"/proposals/{proposal_id}"),
        (author_client, f"/proposals/{proposal_id}/edit"),
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        for tag, attrs in tags_of(page.text):
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
            if tag == "script":  # only the app's own files
                assert attrs.get("src", "").startswith("/static/"), (path, attrs)
            for name in ("href", "src", "action", "formaction"):
                if name in attrs:
                    assert scheme(attrs[name]) in {*SCHEMES, ""}, (path, attrs)
            if tag == "a" and scheme(attrs.get("href", "")) in {"http", "https"}:
                assert attrs.get("rel") == "nofollow noopener ugc", (path, attrs)
        assert "<script>alert" not in page.text.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text  # the title, escaped


def test_the_preview_shows_the_same_sanitised_html(web: Web) -> None:
    cycle_id = make_cycle(web)
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    client = web.signed_in(Role.RESIDENT)
    token = csrf_token(client, "/")
    for vector in VECTORS:
        fragment = client.post(
            f"/cycles/{cycle_id}/proposals/new",
            data={"budget_id": str(budget_id), "description": vector, "preview": "1",
                  "csrf_token": token},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert fragment.status_code == 200
        assert str(render(vector)) in fragment.text

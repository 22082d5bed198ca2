"""axe-core (WCAG 2.1 AA rules) run inside a page: the vendored copy (tests/browser/vendor) is
added to the browser context as an init script (`with_axe`), which the page's CSP does not
govern, so the pages are checked under the same policy they are served with, nothing is fetched
and the app serves nothing for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from playwright.sync_api import BrowserContext, Page

AXE: Final = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
TAGS: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def with_axe(context: BrowserContext) -> BrowserContext:
    """Every page of the context gets `window.axe`."""
    context.add_init_script(path=str(AXE))
    return context


def violations(page: Page) -> list[dict[str, Any]]:
    """The page's axe violations, each as {id, impact, help, nodes: [target...]}; [] when
    clean. The context must come from `with_axe`."""
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        TAGS,
    )
    return found

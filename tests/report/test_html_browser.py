"""The report in a real headless browser (Debian's chromium over the DevTools protocol): it loads without
console errors or network requests, its filters and search show the right cards, and a screenshot is taken."""

from __future__ import annotations

from collections import Counter

import pytest

from cdmbench.report.command import summarize_run
from cdmbench.report.html import write_html_report
from tests.report.cdp import find_chromium, open_page
from tests.report.html_run import make_html_run

CHROMIUM = find_chromium()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (apt-get install -y chromium); CI installs it",
    ),
]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

VISIBLE = "document.querySelectorAll('details.case:not([hidden])').length"


def _click(page, key: str, value: str) -> int:
    page.evaluate(f'document.querySelector(\'button[data-filter="{key}"][data-value="{value}"]\').click()')
    return page.evaluate(VISIBLE)


def test_report_in_headless_chromium(tmp_path):
    run_dir, _, expected = make_html_run(tmp_path)
    summarize_run(run_dir)
    report = write_html_report(run_dir)
    pathologies = Counter(e["pathology"] for e in expected.values())
    outcomes = Counter(e["outcome"] for e in expected.values())
    with open_page(CHROMIUM) as page:
        page.call("Network.enable")
        page.navigate(report.as_uri())
        assert page.evaluate("document.readyState") == "complete"
        problems = [m for m in page.console if m["level"] in ("error", "exception", "assert")]
        assert problems == [], problems
        assert page.evaluate("window.__pwned === undefined"), "escaped text must never run"
        assert page.evaluate("document.scripts.length") == 1
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 100)")
        assert page.evaluate("document.images.length") == 4
        assert page.requests[0] == report.as_uri()
        others = [url for url in page.requests[1:] if not url.startswith("data:image/png;base64,")]
        assert others == [], "self-contained: nothing but the page and its inline images is loaded"

        assert page.evaluate(VISIBLE) == len(expected)
        assert page.evaluate("document.getElementById('shown-count').textContent") == str(len(expected))
        for pathology, n in pathologies.items():
            assert _click(page, "pathology", pathology) == n
        assert _click(page, "pathology", "all") == len(expected)
        for outcome, n in outcomes.items():
            assert _click(page, "outcome", outcome) == n
        both = sum(1 for e in expected.values() if e["pathology"] == "appendicitis" and e["outcome"] == "incorrect")
        assert _click(page, "outcome", "incorrect") == outcomes["incorrect"]
        assert _click(page, "pathology", "appendicitis") == both
        pressed = "Array.from(document.querySelectorAll('button[aria-pressed=true]')).map(b => b.dataset.value)"
        assert page.evaluate(pressed) == ["appendicitis", "incorrect"]
        assert page.evaluate("document.getElementById('shown-count').textContent") == str(both)
        _click(page, "pathology", "all")
        _click(page, "outcome", "all")

        hadm_id = next(iter(expected))
        search = (
            "(() => { const s = document.getElementById('search'); s.value = '{q}';"
            " s.dispatchEvent(new Event('input')); return document.querySelectorAll"
            "('details.case:not([hidden])').length; })()"
        )
        assert page.evaluate(search.replace("{q}", str(hadm_id))) == 1
        assert page.evaluate(search.replace("{q}", "")) == len(expected)

        page.evaluate("document.getElementById('expand-all').click()")
        assert page.evaluate("document.querySelectorAll('details.case[open]').length") == len(expected)
        page.evaluate("document.getElementById('collapse-all').click()")
        assert page.evaluate("document.querySelectorAll('details.case[open]').length") == 0

        top = page.screenshot(tmp_path / "report_top.png")
        page.evaluate(
            f"document.getElementById('case-{hadm_id}').open = true;document.getElementById('cases').scrollIntoView()"
        )
        cases = page.screenshot(tmp_path / "report_cases.png")
        page.evaluate("window.scrollBy(0, 1200)")
        assert page.evaluate("document.getElementById('filters').getBoundingClientRect().top") == 0  # sticky
        scrolled = page.screenshot(tmp_path / "report_scrolled.png")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    for shot in (top, cases, scrolled):
        data = shot.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 20_000

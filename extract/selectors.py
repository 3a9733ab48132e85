"""Per-site XPath selectors (registry `selectors:`), for the few fields the generic page reader misses.

They only ever fill gaps: the spider passes what they select as a hint, and `crawler.processing` copies a hint
into a field only when the page itself gave nothing for it.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml import html as lxml_html

from extract.feeds import feed_date

logger = logging.getLogger(__name__)

# Registry selector name → hint key understood by crawler.processing._fill_from_hint.
SELECTABLE = {"title": "title", "date": "date", "doc_number": "doc_number", "issuer": "issuer"}


def select_fields(page_html: str, selectors: dict[str, str], url: str | None = None) -> dict[str, str]:
    """{hint key: value} for every selector that matches; a bad XPath or an empty match is logged, not raised."""
    if not selectors or not page_html or not page_html.strip():
        return {}
    try:
        root = lxml_html.fromstring(page_html)
    except (ValueError, etree.ParserError):
        return {}
    found: dict[str, str] = {}
    for name, xpath in selectors.items():
        key = SELECTABLE.get(name)
        if key is None:
            logger.warning("selector %r is not one of %s: ignored (%s)", name, ", ".join(SELECTABLE), url)
            continue
        try:
            result = root.xpath(xpath)
        except etree.XPathError as exc:
            logger.warning("selector %s=%r is not valid XPath: %s (%s)", name, xpath, exc, url)
            continue
        values = result if isinstance(result, list) else [result]
        text = " ".join(
            " ".join((v.text_content() if hasattr(v, "text_content") else str(v)).split()) for v in values
        ).strip()
        if key == "date":
            text = feed_date(text) or ""
        if text:
            found[key] = text
        else:
            logger.info("selector %s matched nothing on %s", name, url)
    return found

"""One progress line on a terminal, refreshed in place; nothing at all under cron or systemd.

`35 req 20 new 1 err | sample_gov_portal 22/11/0 · sample_news_hans 13/9/1` (requests/new/errors per site) —
read from each crawler's Scrapy stats (the storage pipeline counts articles and errors there), cut to the
terminal's width. A site whose spider has finished keeps its last figures (Scrapy forgets a finished crawler),
so the totals never count backwards.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

CLEAR = "\r\033[K"


def site_progress(crawler: Any) -> tuple[str, int, int, int]:
    """(site, requests, new or updated articles, errors) of one running crawler."""
    stats = crawler.stats
    spider = getattr(crawler, "spider", None)
    site = getattr(spider, "site_name", None) or getattr(spider, "name", "?")
    get = stats.get_value
    return (
        site,
        int(get("downloader/request_count", 0) or 0),
        int(get("policy/articles/new", 0) or 0) + int(get("policy/articles/updated", 0) or 0),
        int(get("policy/errors", 0) or 0),
    )


def render(rows: Iterable[tuple[str, int, int, int]], width: int) -> str:
    """Totals first (they survive a narrow terminal), then requests/new/errors per site."""
    rows = sorted(rows)
    if not rows:
        return ""
    total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    line = f"{total[0]} req {total[1]} new {total[2]} err | " + " · ".join(f"{s} {r}/{n}/{e}" for s, r, n, e in rows)
    return line if len(line) < width else line[: max(0, width - 2)] + "…"


class ProgressLine:
    """Started once the reactor exists; `clear()` is called by the terminal log handler before a message."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._shown = False
        self._loop: Any = None
        self._rows: Callable[[], Iterable[tuple[str, int, int, int]]] = list
        self._seen: dict[str, tuple[str, int, int, int]] = {}  # site → its latest row, finished sites too

    def start(self, crawlers: Callable[[], Iterable[Any]]) -> None:
        if not self.enabled:
            return
        from twisted.internet import task

        self._rows = lambda: [site_progress(c) for c in crawlers() if getattr(c, "spider", None) is not None]
        self._loop = task.LoopingCall(self.refresh)
        self._loop.start(self.interval, now=False)

    def rows(self) -> list[tuple[str, int, int, int]]:
        """Every site seen so far, running or finished, with its latest figures."""
        for row in self._rows():
            self._seen[row[0]] = row
        return list(self._seen.values())

    def refresh(self) -> None:
        width = shutil.get_terminal_size((100, 20)).columns
        text = render(self.rows(), width)
        if text:
            self.stream.write(CLEAR + text)
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._shown = False

    def stop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._loop = None
        self.clear()

"""`policycrawl runs`: the history of crawl runs as a table ops can read at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crawler.lock import pid_alive

COLUMNS = (("run", 4), ("started (UTC)", 25), ("seconds", 7), ("status", 11), ("exit", 4), ("sites", 5),
           ("requests", 8), ("new", 5), ("upd", 5), ("same", 5), ("304", 5), ("skipped", 7), ("errors", 6))
TOTALLED = ("requests", "new", "updated", "unchanged", "not_modified", "skipped")


def shown_status(run: dict[str, Any]) -> str:
    """The run's status, with a `running` row whose process is gone shown as `interrupted`: a crawl killed, or
    one whose disk was too full to record its end (the next crawl writes it so)."""
    pid = run.get("pid")
    if run.get("status") == "running" and pid and not pid_alive(int(pid)):
        return "interrupted"
    return run.get("status") or "?"


def run_seconds(run: dict[str, Any]) -> float | None:
    try:
        return (dt.datetime.fromisoformat(run["finished_at"]) - dt.datetime.fromisoformat(run["started_at"])).total_seconds()
    except (TypeError, ValueError):
        return None


def run_totals(run: dict[str, Any]) -> dict[str, int]:
    """The run's counts summed over its sites (errors: every kind)."""
    counts = list((run.get("counts") or {}).values())
    totals = {k: sum(int(c.get(k, 0) or 0) for c in counts) for k in TOTALLED}
    totals["errors"] = sum(sum((c.get("errors") or {}).values()) for c in counts)
    return totals


def format_runs(runs: list[dict[str, Any]]) -> list[str]:
    """A header line, then one line per run (newest first, as given)."""
    lines = [" ".join(f"{name:<{width}}" if i in (1, 3) else f"{name:>{width}}"
                      for i, (name, width) in enumerate(COLUMNS))]
    for run in runs:
        t = run_totals(run)
        seconds = run_seconds(run)
        values = [
            run["id"], run["started_at"], "" if seconds is None else f"{seconds:.0f}", shown_status(run),
            "" if run["exit_code"] is None else run["exit_code"], len(run.get("counts") or {}),
            t["requests"], t["new"], t["updated"], t["unchanged"], t["not_modified"], t["skipped"], t["errors"],
        ]
        lines.append(" ".join(f"{v!s:<{w}}" if i in (1, 3) else f"{v!s:>{w}}"
                              for i, (v, (_n, w)) in enumerate(zip(values, COLUMNS, strict=True))))
    return lines

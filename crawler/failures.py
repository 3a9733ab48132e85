"""Why a fetch failed, as the `kind` of an `errors` row: words ops can grep and count.

Scrapy 2.19 wraps Twisted's errors in its own (DownloadTimeoutError, ResponseDataLossError, DownloadFailedError
…), older versions raise Twisted's. Both are recognised by class name along the exception's cause chain, so
a Scrapy upgrade cannot quietly turn every timeout into "other" (which is what 2.19 did to the first version).

Kinds: http_NNN, timeout, connection_reset, connection_refused, truncated, too_large, dns, redirect_loop,
offsite, robots, ignored, download_failed, other.
"""

from __future__ import annotations

from collections.abc import Iterator

from twisted.python.failure import Failure

# Checked in this order along the cause chain; the first class name found decides.
_KIND_BY_CLASS: tuple[tuple[str, str], ...] = (
    ("ResponseDataLossError", "truncated"),
    ("_DataLoss", "truncated"),
    ("DownloadTimeoutError", "timeout"),
    ("TimeoutError", "timeout"),
    ("TCPTimedOutError", "timeout"),
    ("DownloadConnectionRefusedError", "connection_refused"),
    ("ConnectionRefusedError", "connection_refused"),
    ("CannotResolveHostError", "dns"),
    ("DNSLookupError", "dns"),
    ("ConnectionLost", "connection_reset"),
    ("ConnectionDone", "connection_reset"),
    ("ConnectionAborted", "connection_reset"),
    ("ConnectionResetError", "connection_reset"),
    ("ResponseNeverReceived", "connection_reset"),
)
_EXPLAINED = {
    "timeout": "no complete answer within DOWNLOAD_TIMEOUT",
    "truncated": "the body ended before its Content-Length (connection dropped mid-body)",
    "connection_reset": "the server closed or reset the connection",
    "connection_refused": "nothing listens on that port",
    "dns": "the host name does not resolve",
    "too_large": "the body is over the size cap (DOWNLOAD_MAXSIZE, ATTACHMENT_MAX_BYTES for attachments)",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes, and the reasons a Twisted ResponseFailed carries."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.append(current.__cause__)
        for reason in getattr(current, "reasons", None) or []:  # twisted.web._newclient.ResponseFailed
            if isinstance(reason, Failure):
                todo.append(reason.value)


def _class_names(exc: BaseException) -> list[str]:
    return [name for e in _chain(exc) for name in (k.__name__ for k in type(e).__mro__)]


def classify_exception(exc: BaseException) -> tuple[str, int | None, str]:
    """(kind, last HTTP status, message) of an exception a download raised."""
    response = getattr(exc, "response", None)
    if response is not None and type(exc).__name__ == "HttpError":
        status = response.status
        return f"http_{status}", status, f"HTTP {status}"
    text = f"{type(exc).__name__}: {exc}".strip()
    declared = getattr(exc, "kind", None)  # our own IgnoreRequest subclasses say what they are
    if isinstance(declared, str):
        return declared, getattr(exc, "status", None), str(exc)
    names = _class_names(exc)
    if "IgnoreRequest" in names:
        message = str(exc)
        if "robots.txt" in message:
            return "robots", None, message
        if "max redirections" in message:
            return "redirect_loop", None, f"{message} (REDIRECT_MAX_TIMES)"
        if "offsite" in message.lower():
            return "offsite", None, message
        return "ignored", None, message
    if "larger than" in text or "maxsize" in text.lower():
        return "too_large", None, f"{_EXPLAINED['too_large']}: {text}"
    if "DownloadCancelledError" in names or "CancelledError" in names:
        # Scrapy cancels a streaming body that grows past the cap without a message; nothing else cancels
        # a download while the spider runs (timeouts raise their own error).
        return "too_large", None, f"{_EXPLAINED['too_large']}: download cancelled ({text})"
    for class_name, kind in _KIND_BY_CLASS:
        if class_name in names:
            return kind, None, f"{_EXPLAINED[kind]}: {text}"
    if "DownloadFailedError" in names or "ResponseFailed" in names:
        return "download_failed", None, text
    return "other", None, text


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    """(kind, last HTTP status, message) of a failed request, in words ops can grep."""
    return classify_exception(failure.value)

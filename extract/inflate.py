"""Bounded decompression: gzip and zlib streams inflated to at most a cap of bytes actually produced.

A header (gzip's ISIZE, a zip's file_size) is whatever the sender wrote; a 1 MB sitemap can inflate to 1 GB.
So output is counted as it is produced and inflation stops one byte past the cap, whatever the stream says.
A stream cut short keeps what it gave (a sitemap's first entries are still entries). Pure; never raises.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal

GZIP_WBITS = 16 + zlib.MAX_WBITS  # gzip header and trailer
ZLIB_WBITS = zlib.MAX_WBITS  # zlib.compress's own format (stored page bodies)
GZIP_MAGIC = b"\x1f\x8b"

Problem = Literal["too_large", "truncated", "corrupt"]


@dataclass(frozen=True)
class Inflated:
    data: bytes  # at most the cap; what the stream gave before a problem
    problem: Problem | None = None


def inflate(data: bytes, *, max_bytes: int, wbits: int = GZIP_WBITS) -> Inflated:
    """`data` inflated, stopping at `max_bytes`; gzip members one after another are joined, as gzip does."""
    out = bytearray()
    pending = data
    while pending:
        stream = zlib.decompressobj(wbits)
        try:
            while pending and not stream.eof:
                chunk = stream.decompress(pending, max_bytes - len(out) + 1)  # never 0: 0 means no limit
                out += chunk
                if len(out) > max_bytes:
                    return Inflated(bytes(out[:max_bytes]), "too_large")
                if not chunk and stream.unconsumed_tail == pending:
                    break  # no progress: the input is used up
                pending = stream.unconsumed_tail
        except zlib.error:
            return Inflated(bytes(out), "corrupt")
        if not stream.eof:
            return Inflated(bytes(out), "truncated")
        pending = stream.unused_data
        if wbits != GZIP_WBITS or not pending.startswith(GZIP_MAGIC):
            break  # trailing padding after the last member is ignored, as gzip.decompress does with zeros
    return Inflated(bytes(out))

"""What the served center takes of a request's body: its size, its framing, its time.

Shared by the WSGI application (which answers) and the worker (which then closes the connection
rather than drain a body it refused).
"""

from __future__ import annotations

import time
from typing import Any

MAX_BODY = 1 << 20  # a request (never a document) fits easily
CHUNK = 64 * 1024


def body_refusal(content_length: str | None,
                 transfer_encoding: str | None) -> tuple[str, bytes] | None:
    """The status and reply for a body the center will not read, or None to read it."""
    if transfer_encoding is not None:
        return "411 Length Required", b'{"error": "send the body with a Content-Length"}'
    if content_length is None:
        return None  # no body
    if not content_length.isdigit():
        return "400 Bad Request", b'{"error": "bad Content-Length"}'
    if int(content_length) > MAX_BODY:
        return "413 Content Too Large", b'{"error": "the body is over 1 MiB"}'
    return None


def read_body(environ: dict[str, Any], length: int, timeout: float) -> bytes | None:
    """The request's ``length`` bytes, or None when they do not all arrive within ``timeout``
    seconds (a client trickling its body, or gone). gunicorn then closes the connection: the
    body's end, where a next request would start, is unknown."""
    stream = environ["wsgi.input"]
    sock: Any = environ.get("gunicorn.socket")
    timed = hasattr(sock, "settimeout")
    before = sock.gettimeout() if timed else None
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    left = length
    try:
        while left > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if timed:
                sock.settimeout(remaining)
            chunk = stream.read(min(left, CHUNK))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
    except (OSError, ValueError):  # the timeout (socket.timeout, an SSLError), a reset
        return None
    finally:
        if timed:
            try:
                sock.settimeout(before)
            except OSError:
                pass
    return b"".join(chunks)

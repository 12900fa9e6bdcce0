"""Facts about a PDF that a printer driver needs, read without rendering it."""

from __future__ import annotations

import re

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """Pages in ``pdf`` (counts page objects); ValueError if it is not a whole PDF."""
    if not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]:
        raise ValueError("not a complete PDF")
    pages = len(_PAGE.findall(pdf))
    if pages == 0:
        raise ValueError("a PDF without pages")
    return pages

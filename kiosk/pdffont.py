"""The Japanese font of the kiosk's PDFs (certificates, the operator's test page): IPAex Mincho.

A certificate's font is ``shared_font``: the characters every certificate prints are given the
same codes in every document and their subsets are made (cut from the font, compressed) once
per process; only the characters of one document's own content go into a subset of its own.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)

FONT_NAME = "IPAexMincho"
SHARED_FONT_NAME = "IPAexMincho-shared"
FONT_PACKAGE = "fonts-ipaexfont-mincho"
FONT_ENV = "KIOSK_MINCHO_FONT"  # a path that overrides the search below
FONT_PATHS = (
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/truetype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/ipa-ex-mincho/ipaexm.ttf",
    "/usr/share/fonts/ipaexfont-mincho/ipaexm.ttf",
)
SUBSET_CODES = 256  # reportlab's subsets are 8-bit fonts


class FontMissing(RuntimeError):
    """The Japanese font for certificates is not installed."""


def _font_path() -> Path:
    candidates = [os.environ[FONT_ENV]] if os.environ.get(FONT_ENV) else list(FONT_PATHS)
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(f"IPAex Mincho (ipaexm.ttf) not found in {', '.join(candidates)}: "
                      f"install the Debian package {FONT_PACKAGE} or set {FONT_ENV}")


def _binary_streams() -> None:
    # Binary streams for every reportlab PDF of the process: ASCII85 would only make the PDF
    # 7-bit clean, at a quarter more bytes and (without reportlab's C accelerator) much time.
    rl_config.useA85 = 0


@functools.cache
def register_font() -> str:
    """Register IPAex Mincho with reportlab once per process; returns the font name."""
    _binary_streams()
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(_font_path())))
    return FONT_NAME


_SHARED: dict[str, str] = {}  # the common text the shared font was made for: its name


def shared_font(common: str) -> str:
    """Register the certificates' font, whose first subsets hold ``common``; returns its name.

    One ``common`` per process (the certificates' fixed text): another is refused, since two
    documents must not be drawn with two code assignments under one name. Not thread-safe on
    its first call: the renderer calls it under its lock.
    """
    if common not in _SHARED:
        if _SHARED:
            raise ValueError("the shared font is registered already, for other common text")
        _binary_streams()
        pdfmetrics.registerFont(SharedSubsetFont(SHARED_FONT_NAME, str(_font_path()), common))
        _SHARED[common] = SHARED_FONT_NAME
    return _SHARED[common]


class _CachedFace(TTFontFace):
    """The font file with its tables read once: every subset copies from the same ones.

    Its ``name`` is its own, so that reportlab registers it beside the plain font of the same
    file rather than in its place; the PDF names the font by ``postscript_name``."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self._tables: dict[str, bytes] = {}
        self.postscript_name: bytes = self.name
        self.name = self.name + b"-shared"

    def get_table(self, tag: str) -> bytes:
        table = self._tables.get(tag)
        if table is None:
            table = self._tables[tag] = super().get_table(tag)  # type: ignore[no-untyped-call]
        return table


@dataclass(frozen=True)
class SubsetParts:
    """One subset as the PDF embeds it: its widths, ToUnicode map and font file, compressed."""

    widths: bytes  # the /Widths array as the PDF writes it
    to_unicode: bytes
    font_file: bytes
    font_file_size: int  # before compression (the font file's /Length1)


class SharedSubsetFont(TTFont):
    """A TrueType font whose subsets for ``common`` are the same in every document.

    reportlab gives a document's characters codes in the order it first draws them, and makes
    and compresses each subset at save. Here every document starts from the assignment of
    ``common`` (made once), its own characters take codes from the next subset on, and the
    common subsets' parts are made once; a document's own subsets are made as reportlab does.
    The codes therefore depend only on what a document draws and in which order.
    """

    def __init__(self, name: str, filename: str, common: str) -> None:
        # Not ASCII-readable: reportlab would otherwise put all of ASCII in the first subset of
        # every document, drawn or not; here a document's codes come from its text alone.
        super().__init__(name, filename, asciiReadable=0)
        self.face = _CachedFace(filename)
        self._base: Any = TTFont.State(self._asciiReadable, self)  # type: ignore[attr-defined]
        key = _Seed()
        self.state[key] = self._base
        super().splitString(common, key)
        del self.state[key]
        blocks = -(-self._base.nextCode // SUBSET_CODES)
        self._base.nextCode = blocks * SUBSET_CODES  # a document's own characters start anew
        self._shared = [self._parts(n, list(s)) for n, s in enumerate(self._base.subsets)]

    def shares(self, text: str) -> bool:
        """Whether every character of ``text`` has its code in the shared subsets."""
        assignments = self._base.assignments
        return all(ord(ch) in assignments for ch in text)

    def _state(self, doc: Any) -> Any:
        state: Any = self.state.get(doc)
        if state is None:
            state = self.state[doc] = TTFont.State(self._asciiReadable, self)  # type: ignore[attr-defined]
            state.assignments = dict(self._base.assignments)
            state.subsets = [list(s) for s in self._base.subsets]
            state.nextCode = self._base.nextCode
        return state

    def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        self._state(doc)
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc: Any) -> None:
        """The font's objects in ``doc``: the shared subsets as made once, the document's own
        made now (as ``TTFont.addObjects`` makes every one)."""
        state = self._state(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            shared = n < len(self._shared) and subset == self._base.subsets[n]
            parts = self._shared[n] if shared else self._parts(n, subset)
            self._add_subset(doc, n, subset, parts)
        del self.state[doc]

    def _base_name(self, n: int) -> str:
        face: Any = self.face
        return b"".join((SUBSETN(n), b"+", face.postscript_name,
                         self.face.subfontNameX)).decode("pdfdoc")

    def _parts(self, n: int, subset: list[int]) -> SubsetParts:
        font_file = self.face.makeSubset(subset)
        return SubsetParts(
            pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset))).format(None),
            pdfdoc.PDFZCompress.encode(makeToUnicodeCMap(self._base_name(n), subset)),
            pdfdoc.PDFZCompress.encode(font_file), len(font_file))

    def _add_subset(self, doc: Any, n: int, subset: list[int], parts: SubsetParts) -> None:
        internal = self.getSubsetInternalName(n, doc)[1:]
        base_name = self._base_name(n)
        font_file = _compressed(parts.font_file, Length1=parts.font_file_size)
        flags = (self.face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor", "Ascent": self.face.ascent,
            "CapHeight": self.face.capHeight, "Descent": self.face.descent, "Flags": flags,
            "FontBBox": pdfdoc.PDFArray(self.face.bbox), "FontName": pdfdoc.PDFName(base_name),
            "ItalicAngle": self.face.italicAngle, "StemV": self.face.stemV,
            "FontFile2": doc.Reference(font_file, f"fontFile:{self.face.filename}({base_name})"),
            "MissingWidth": self.face.defaultWidth})
        pdf_font: Any = pdfdoc.PDFTrueTypeFont()
        pdf_font.Name = internal
        pdf_font.BaseFont = base_name
        pdf_font.FirstChar = 0
        pdf_font.LastChar = len(subset) - 1
        pdf_font.Widths = Formatted(parts.widths)
        pdf_font.ToUnicode = doc.Reference(_compressed(parts.to_unicode),
                                           "toUnicodeCMap:" + base_name)
        pdf_font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)
        doc.Reference(pdf_font, internal)
        doc.idToObject["BasicFonts"].dict[internal] = pdf_font


class _Seed:
    """The key of the shared assignment while it is made (reportlab keys state by document)."""


class Formatted(pdfdoc.PDFObject):
    """An object formatted once (it holds no reference, so it is the same in every PDF)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


def _compressed(content: bytes, **entries: int) -> pdfdoc.PDFStream:
    """A stream whose ``content`` is compressed already (reportlab then leaves it as it is)."""
    dictionary = pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")]),
                                       **entries})
    return pdfdoc.PDFStream(dictionary, content)

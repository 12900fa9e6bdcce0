"""A check that fails the build: Chinese and Korean drawn with their own face of the Noto CJK
collection, not with Japanese letterforms. The rendering of 直次述 (their forms differ between
the JP, KR, SC and TC faces) must be closest to the face fc-query names for the language."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pygame.freetype  # noqa: E402
import pytest  # noqa: E402

from kiosk.i18n import available_languages  # noqa: E402
from screens import fonts  # noqa: E402

_PROBE = "直次述"  # their forms differ between the JP, KR, SC and TC faces
_REGION = {"ja": "JP", "ja-x-easy": "JP", "zh-Hans": "SC", "zh-Hant": "TC", "ko": "KR"}


def _regions(path: Path) -> dict[str, int]:
    """The collection's face index per region, as fc-query names them."""
    out = subprocess.run(["fc-query", "-f", "%{index} %{family[0]}\n", str(path)],
                         capture_output=True, text=True, check=True).stdout
    faces = (line.split(" ", 1) for line in out.splitlines())
    return {family.split()[-1]: int(i) for i, family in faces
            if family.startswith("Noto Sans CJK ")}


def _ink(draw: pygame.Surface) -> bytes:
    canvas = pygame.Surface((96, 96), pygame.SRCALPHA)
    canvas.blit(draw, (0, 0))
    return pygame.image.tobytes(canvas, "RGBA")[3::4]


def _reference(path: Path, index: int, char: str) -> bytes:
    if not pygame.freetype.get_init():
        pygame.freetype.init()
    ft = pygame.freetype.Font(str(path), 64, font_index=index)
    ft.origin = True
    canvas = pygame.Surface((96, 96), pygame.SRCALPHA)
    ft.render_to(canvas, (0, ft.get_sized_ascender()), char, (0, 0, 0))
    return pygame.image.tobytes(canvas, "RGBA")[3::4]


def face_problems(lang: str) -> list[str]:
    """``lang``'s CJK text not drawn with its region's face of the collection."""
    path = fonts.script_font("cjk")
    if lang not in _REGION or path is None:
        return []
    drawn = [_ink(fonts.face(64, False, lang).render(c, (0, 0, 0))) for c in _PROBE]
    distance = {region: sum(sum(abs(x - y) for x, y in zip(d, _reference(path, i, c),
                                                              strict=True))
                            for d, c in zip(drawn, _PROBE, strict=True))
                for region, i in _regions(path).items() if region in ("JP", "KR", "SC", "TC")}
    best = min(distance, key=lambda r: distance[r])
    return [] if best == _REGION[lang] else [f"{lang} drawn with the {best} face, not "
                                             f"{_REGION[lang]}"]


CJK_LANGS = [x for x in available_languages() if fonts.script_of(x) == "cjk"]


@pytest.mark.parametrize("lang", CJK_LANGS)
def test_cjk_text_is_drawn_with_its_languages_face(lang: str) -> None:
    pygame.font.init()
    assert lang in _REGION
    assert not face_problems(lang)


def test_the_face_check_catches_japanese_letterforms_in_chinese(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pygame.font.init()
    monkeypatch.setattr(fonts, "CJK_FACES", {})
    fonts.face.cache_clear()
    try:
        assert face_problems("zh-Hans") == ["zh-Hans drawn with the JP face, not SC"]
        assert face_problems("ko")
    finally:
        monkeypatch.undo()
        fonts.face.cache_clear()
    assert not face_problems("zh-Hans")



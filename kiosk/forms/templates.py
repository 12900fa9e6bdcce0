"""The forms a resident can have printed pre-filled, as data: each a title and its boxes.

A box is where a clerk looks for one item, in millimetres from the page's top left (A4). Its
``fill`` names what goes in it from the card ("name", "address", "birth", "sex", "number") or
the kiosk ("date"); a box without one is left blank, to be filled in by hand at the counter
(the reading of the name, for one, is not on the card). ``digits`` boxes are drawn as that many
cells (the individual number's 12).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import N_


@dataclass(frozen=True)
class Box:
    label: str  # the box's heading on the form (Japanese)
    x: float
    y: float
    w: float
    h: float
    fill: str = ""  # what the kiosk writes in it ("" left blank)
    digits: int = 0  # drawn as this many cells


@dataclass(frozen=True)
class FormTemplate:
    id: str  # what {"form": ID} names
    title: str  # the form's title, printed (Japanese)
    name: str  # its name on the screen (a msgid)
    boxes: tuple[Box, ...]
    takes_number: bool = False  # has a box for the individual number
    notes: tuple[str, ...] = ()  # printed under the boxes


_L, _W = 15.0, 180.0  # the left margin and the width of a full row


def _person(top: float) -> tuple[Box, ...]:
    """The boxes of the applicant every form has, from ``top``."""
    return (
        Box("フリガナ", _L, top, _W, 9),
        Box("氏名", _L, top + 9, _W, 16, fill="name"),
        Box("住所", _L, top + 25, _W, 18, fill="address"),
        Box("生年月日", _L, top + 43, 120, 12, fill="birth"),
        Box("性別", _L + 120, top + 43, 60, 12, fill="sex"),
    )


_NUMBER = Box("個人番号", _L, 0, _W, 14, fill="number", digits=12)
_SIGN = Box("署名", _L + 90, 0, 90, 16)
_DATE = Box("記入日", _L, 0, 90, 16, fill="date")


def _at(box: Box, y: float) -> Box:
    return Box(box.label, box.x, y, box.w, box.h, box.fill, box.digits)


FORMS: tuple[FormTemplate, ...] = (
    FormTemplate(
        "certificate-request", "証明書交付請求書", N_("Certificate request (for the counter)"),
        (_at(_DATE, 40), _at(_SIGN, 40), *_person(62),
         Box("必要な証明書と通数", _L, 123, _W, 40),
         Box("使いみち", _L, 163, _W, 16)),
        notes=("窓口で本人確認書類をご提示ください。",)),
    FormTemplate(
        "seal-registration", "印鑑登録申請書", N_("Seal registration application"),
        (_at(_DATE, 40), _at(_SIGN, 40), *_person(62), _at(_NUMBER, 123),
         Box("登録する印鑑", _L, 141, 60, 45)),
        takes_number=True,
        notes=("登録する印鑑をお持ちください。",)),
    FormTemplate(
        "move-out", "転出届", N_("Move-out notification"),
        (_at(_DATE, 40), _at(_SIGN, 40), *_person(62), _at(_NUMBER, 123),
         Box("新しい住所", _L, 141, _W, 18),
         Box("異動日（予定）", _L, 159, 90, 12),
         Box("世帯主", _L + 90, 159, 90, 12)),
        takes_number=True,
        notes=("転出証明書の交付には本人確認書類が必要です。",)),
)
BY_ID = {form.id: form for form in FORMS}
SEX_NAMES = {"1": "男", "2": "女", "9": "適用不能"}

"""``kiosk screenshots``: every screen of every state, with representative data, as PNGs.

``kiosk screenshots --out DIR [--lang all|CODE,…] [--size WxH]`` writes
``DIR/<lang>/<screen>.png`` (variants as ``<screen>-<variant>.png``) and ``DIR/index.html``, a
contact sheet with a table per language. ``samples()`` is also what the UI checks and the UI
benchmark walk through. The data are made up: no resident's personal data.

Step numbers ("step n of m") come from where the live kiosk takes them: the state table and the
service's journey (``journey_step``). Samples of what the UI holds besides the view (the keypad's
focus, the cancel question, the handset) name ``UiState`` fields; a sample whose field (or
``Choice`` field) this UI does not have is left out rather than drawn wrong.
"""

from __future__ import annotations

import argparse
import functools
import html
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.i18n import OFFERED, available_languages, translator
from kiosk.replay.forms_shots import forms_views
from kiosk.replay.pin_reset_shots import reset_views
from kiosk.replay.town_hall_shots import town_hall_samples
from kiosk.services.registry import all_states, installed_services
from kiosk.vocabulary.devices import DeviceLayout
from kiosk.vocabulary.reasons import Reason
from kiosk.vocabulary.view import (
    Choice,
    OperatorView,
    OptionField,
    ServiceChoice,
    TextField,
    View,
)

if TYPE_CHECKING:
    from screens.layout import UiState

DEFAULT_SIZE = (1280, 800)

MUNICIPALITIES = (
    Choice("131130", {"ja": "渋谷区", "en": "Shibuya City"}, note="home"),
    Choice("102016", {"ja": "前橋市", "en": "Maebashi City"}, note="register"),
)
CERTIFICATES = tuple(Choice(t, fee=f) for t, f in (
    ("juminhyo", 200), ("kisai-jiko", 200), ("inkan", 200), ("tax-income", 200),
    ("tax-assessment", 200), ("tax-payment", 200), ("koseki-zenbu", 450),
    ("koseki-kojin", 450), ("koseki-fuhyo", 300)))
OPTIONS = (
    OptionField("household", "choice", "self", ("self", "all")),
    OptionField("head_relation", "bool", False),
    OptionField("honseki", "bool", True),
    OptionField("mynumber", "bool", False),
    OptionField("year", "choice", 2025, ("2025", "2024")),
)
ALL_OPTIONS = (*OPTIONS[:4], OptionField("resident_code", "bool", False),
               OptionField("nationality", "bool", True), OptionField("residence", "bool", False))
JOURNEY = dict(can_cancel=True, seconds_left=75)
CHOSEN = dict(municipalities=MUNICIPALITIES, municipality=MUNICIPALITIES[0],
              certificates=CERTIFICATES, certificate="juminhyo", options=OPTIONS, copies=2,
              max_copies=10, fee=400)


TOWNS = (
    Choice("131130", {"ja": "渋谷区", "en": "Shibuya City"}, note="register",
           region={"ja": "東京都", "en": "Tokyo"}),
    Choice("102016", {"ja": "前橋市", "en": "Maebashi City"}, note="register",
           region={"ja": "群馬県", "en": "Gunma"}),
)
REGISTRATION = dict(can_cancel=True, seconds_left=150, service="honseki-registration")
TYPED = (TextField("honseki", "うだがわちょう1番1号", 80),
         TextField("hittousha", "やまだ たろう", 40))
SERVICES = (ServiceChoice("certificates", "Get a certificate"),
            ServiceChoice("honseki-registration", "Register your family register's town"),
            ServiceChoice("pin-reset", "Reset your PIN (reserved in the app)"),
            ServiceChoice("forms", "Pre-filled application forms"))


@dataclass(frozen=True)
class Sample:
    """One picture: a view plus what the UI holds (typed digits, style, keypad order)."""

    name: str  # <screen> or <screen>-<variant>
    view: View
    pin_length: int = 0
    large_text: bool = False
    high_contrast: bool = False
    languages_open: bool = False
    keypad: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
    ui: tuple[tuple[str, Any], ...] = ()  # more UiState fields: focus, cancel_asked, …


# UiState fields the samples below set (the keypad's focus, the cancel question, the handset)
FOCUS, CANCEL_ASKED, AUDIO_PRIVATE = "focus", "cancel_asked", "audio_private"
KIOSK_STATES = ("closed", "out_of_service", "maintenance", "idle")  # outside any visit


def journey_step(screen: str, service: str) -> tuple[int, int]:
    """(n, m) of "step n of m" on ``screen`` in a visit of ``service``: what the view model
    shows, from the same state table and the service's journey."""
    info = all_states().get(screen)
    journey = next((s.journey for s in installed_services() if s.id == service), ())
    step = (info.step if info else None) or screen
    return (journey.index(step) + 1, len(journey)) if step in journey else (0, 0)


def base_views(lang: str) -> dict[str, View]:
    def v(screen: str, **kw: Any) -> View:
        service = kw.pop("service", "" if screen in KIOSK_STATES else "certificates")
        n, m = journey_step(screen, service)
        return View(screen=screen, language=lang, service=service, step=n, steps=m, **kw)

    return {
        "closed": v("closed", message="closed-hours"),
        "out_of_service": v("out_of_service", message="printer-fault"),
        "maintenance": v("maintenance"),
        "idle": v("idle", services=SERVICES),
        "terms": v("terms", can_back=True, can_cancel=True, seconds_left=50),
        "await_card": v("await_card", **JOURNEY, can_back=True),
        "reading_card": v("reading_card", busy=True, card_kind="mynumber"),
        "pin_entry": v("pin_entry", **JOURNEY, tries_left=1, last_try_warning=True,
                       message="pin-wrong", card_kind="mynumber"),
        "authenticating": v("authenticating", busy=True),
        "phone_confirm": v("phone_confirm", **{**JOURNEY, "seconds_left": 47}, card_kind="iphone"),
        "remove_card": v("remove_card", alarm="forgotten-card", card_kind="mynumber",
                         seconds_left=8),
        "choose_municipality": v("choose_municipality", **JOURNEY, municipalities=MUNICIPALITIES),
        "choose_certificate": v("choose_certificate", **JOURNEY, can_back=True, **CHOSEN),
        "choose_options": v("choose_options", **JOURNEY, can_back=True, **CHOSEN),
        "choose_copies": v("choose_copies", **JOURNEY, can_back=True, **CHOSEN),
        "confirm": v("confirm", **JOURNEY, can_back=True, **CHOSEN),
        "requesting": v("requesting", busy=True, **CHOSEN),
        "payment": v("payment", **JOURNEY, paid=200, **{**CHOSEN, "fee": 400}),
        "printing": v("printing", busy=True, pages_done=1, pages_total=2, **CHOSEN),
        "collect": v("collect", change=600, alarm="forgotten-paper", seconds_left=60, **CHOSEN),
        "thanks": v("thanks", seconds_left=5),
        "ticket": v("ticket", ticket="0007", seconds_left=60, **CHOSEN),  # a counter kiosk's
        "refunding": v("refunding", refund=1000, message="printer-fault", seconds_left=40),
        "error": v("error", message="pin-locked", seconds_left=18),
        "registration_checking": v("registration_checking", busy=True,
                                   service=REGISTRATION["service"]),
        "registration_municipality": v("registration_municipality", **REGISTRATION,
                                       municipalities=TOWNS),
        "registration_form": v("registration_form", **REGISTRATION, can_back=True,
                               municipality=TOWNS[0], fields=TYPED),
        "registration_confirm": v("registration_confirm", **REGISTRATION, can_back=True,
                                  municipality=TOWNS[0], fields=TYPED),
        "registering": v("registering", busy=True, service=REGISTRATION["service"]),
        "registration_done": v("registration_done", seconds_left=25, usable_from="2026-12-04",
                               service=REGISTRATION["service"]),
        **reset_views(v),
        **forms_views(v),
    }



def samples(lang: str = "ja", variants: bool = True) -> Iterator[Sample]:
    """Every screen once (``<screen>``), then, with ``variants``, the interesting variants
    (those this UI can draw: see ``drawable``)."""
    return (s for s in _samples(lang, variants) if drawable(s))


@functools.cache
def _ui_fields() -> frozenset[str]:
    from screens.layout import UiState

    return frozenset(f.name for f in fields(UiState))


def drawable(sample: Sample) -> bool:
    """Whether this UI has every UiState field the sample sets (and its view could be made)."""
    return all(name in _ui_fields() for name, _ in sample.ui)


def unavailable(choices: tuple[Choice, ...], ids: tuple[str, ...]) -> tuple[Choice, ...] | None:
    """``choices`` with those in ``ids`` closed outside their hours (a family register after a
    town's office hours); None where a Choice cannot say so."""
    if not {"closed", "hours"} <= {f.name for f in fields(Choice)}:
        return None
    office: dict[str, Any] = {"closed": "closed-hours", "hours": ("08:30", "17:15", True)}
    return tuple(replace(c, **office) if c.id in ids else c for c in choices)


def _samples(lang: str, variants: bool) -> Iterator[Sample]:
    base = base_views(lang)
    for name, view in base.items():
        yield Sample(name, view, pin_length=2 if name in ("pin_entry", "pin_reset_pin_again")
                     else 0, ui=(("text", (("signing_password", "KIOSK2"),)),)
                     if name == "pin_reset_signing_again" else ())
    if not variants:
        return
    b = base
    yield Sample("closed-closed-day", replace(b["closed"], message="closed-day"))
    yield Sample("closed-opens_at", replace(b["closed"], opens_at="2027-01-04T06:30+09:00"))
    yield Sample("maintenance-operator_pin", replace(b["maintenance"], operator=OperatorView(
        True, last="wrong operator PIN")))
    yield Sample("maintenance-operator_menu", replace(b["maintenance"], operator=OperatorView(
        False, ("printer: ready", "cash: change tubes ¥500×20 ¥100×50; cash box ¥3,000",
                "card reader: ready", "in service: yes", "staff alerts: 0"),
        ("131130 juminhyo: 2 ¥400",), "settlement 2026-11-20")))
    for code in ("center-unavailable", "reader-unavailable"):
        yield Sample(f"out_of_service-{code}", replace(b["out_of_service"], message=code))
    yield Sample("out_of_service-unknown", replace(b["out_of_service"], message=None))
    yield Sample("idle-large_text", b["idle"], large_text=True)
    yield Sample("idle-high_contrast", b["idle"], high_contrast=True)
    yield Sample("reading_card-smartphone", replace(b["reading_card"], card_kind="smartphone"))
    yield Sample("pin_entry-first_try", replace(b["pin_entry"], message=None, tries_left=3,
                                                last_try_warning=False))
    yield Sample("pin_entry-smartphone", replace(b["pin_entry"], card_kind="smartphone"),
                 pin_length=4)
    yield Sample("pin_entry-card_ap", replace(b["pin_entry"], card_kind="card-ap",
                                              message=None, tries_left=3,
                                              last_try_warning=False))
    yield Sample("phone_confirm-ending", replace(b["phone_confirm"], seconds_left=9))
    yield Sample("pin_entry-shuffled", b["pin_entry"], pin_length=1,
                 keypad=("7", "3", "0", "9", "1", "5", "8", "2", "6", "4"))
    yield Sample("pin_entry-large_text", b["pin_entry"], pin_length=2, large_text=True)
    yield Sample("pin_entry-high_contrast", b["pin_entry"], pin_length=2, high_contrast=True)
    yield Sample("pin_entry-more_time", replace(b["pin_entry"], seconds_left=14), pin_length=2)
    yield Sample("remove_card-smartphone", replace(b["remove_card"], card_kind="smartphone",
                                                   alarm="none"))
    yield Sample("choose_options-all_kinds", replace(b["choose_options"], options=ALL_OPTIONS))
    yield Sample("choose_options-large_text", b["choose_options"], large_text=True)
    yield Sample("choose_copies-languages", b["choose_copies"], languages_open=True)
    yield Sample("confirm-more_time", replace(b["confirm"], seconds_left=9))
    yield Sample("confirm-large_text", b["confirm"], large_text=True)
    yield Sample("confirm-high_contrast", b["confirm"], high_contrast=True)
    yield Sample("payment-unpaid_emoney", replace(b["payment"], paid=0,
                                                  methods=("cash", "emoney")))
    for code in ("exact-amount-only", "emoney-declined", "emoney-timeout"):
        yield Sample(f"payment-{code}", replace(b["payment"], message=code,
                                                methods=("cash", "emoney"), paid=0))
    yield Sample("payment-more_time", replace(b["payment"], seconds_left=20))
    yield Sample("payment-large_text_high_contrast", b["payment"], large_text=True,
                 high_contrast=True)
    yield Sample("printing-started", replace(b["printing"], pages_done=0, pages_total=3))
    yield Sample("collect-no_change", replace(b["collect"], change=0, alarm="none"))
    yield Sample("collect-forgotten_change", replace(b["collect"], alarm="forgotten-change"))
    yield Sample("refunding-cancelled", replace(b["refunding"], message="cancelled", refund=500))
    for reason in Reason:
        yield Sample(f"error-{reason.value}", replace(b["error"], message=reason.value))
    yield Sample("error-unknown", replace(b["error"], message="no-such-reason"))
    yield from _guidance_samples(b)
    yield from _where_samples(b)
    yield from town_hall_samples(b, Sample)
    yield Sample("pin_reset_new_pin-mismatch", replace(b["pin_reset_new_pin"],
                                                       message="pin-mismatch"))
    yield Sample("pin_reset_signing-mismatch", replace(b["pin_reset_signing"],
                                                       message="pin-mismatch"))
    yield Sample("pin_reset_done-signing", replace(b["pin_reset_done"],
                                                   pins_reset=("user", "signing")))


def _guidance_samples(b: dict[str, View]) -> Iterator[Sample]:
    """The keypad's focus ring, the cancel question, an unavailable certificate, the handset."""
    cert = b["choose_certificate"]
    yield Sample("choose_certificate-focus", cert, ui=((FOCUS, "choose_certificate.inkan"),))
    yield Sample("choose_certificate-focus_high_contrast", cert, high_contrast=True,
                 ui=((FOCUS, "choose_certificate.inkan"),))
    yield Sample("pin_entry-focus", b["pin_entry"], pin_length=2,
                 ui=((FOCUS, "pin_entry.key5"),))
    yield Sample("payment-cancel_question", b["payment"], ui=((CANCEL_ASKED, True),))
    yield Sample("choose_certificate-cancel_question", cert, ui=((CANCEL_ASKED, True),))
    closed = unavailable(cert.certificates, ("koseki-zenbu", "koseki-kojin", "koseki-fuhyo"))
    if closed is not None:
        yield Sample("choose_certificate-unavailable", replace(cert, certificates=closed))
    yield Sample("pin_entry-handset", b["pin_entry"], pin_length=1,
                 ui=((AUDIO_PRIVATE, True), (FOCUS, "pin_entry.key5")))
    yield Sample("payment-handset", b["payment"], ui=((AUDIO_PRIVATE, True),))


def _where_samples(b: dict[str, View]) -> Iterator[Sample]:
    """Where the devices are (pictograms): each style, and another kiosk model's layout."""
    other = DeviceLayout(screen="top-left", card_reader="middle-left", coin_slot="top-right",
                         note_slot="middle-right", tray="bottom-center",
                         change_tray="bottom-right")
    yield Sample("await_card-large_text", b["await_card"], large_text=True)
    yield Sample("await_card-high_contrast", b["await_card"], high_contrast=True)
    yield Sample("await_card-other_copier", replace(b["await_card"], places=other))
    yield Sample("payment-other_copier", replace(b["payment"], places=other))
    yield Sample("collect-large_text_high_contrast", b["collect"], large_text=True,
                 high_contrast=True)
    yield Sample("remove_card-large_text", b["remove_card"], large_text=True)


def ui_state(sample: Sample, dpi: float = 96.0) -> UiState:
    """The UiState a sample is drawn with."""
    from screens.layout import UiState

    more = {name: value for name, value in sample.ui if name in _ui_fields()}
    return UiState(pin_length=sample.pin_length, languages_open=sample.languages_open,
                   large_text=sample.large_text, high_contrast=sample.high_contrast, dpi=dpi,
                   keypad=sample.keypad, **more)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT") from None
    if min(w, h) < 320:
        raise argparse.ArgumentTypeError("each side must be at least 320")
    return w, h


def _languages(text: str) -> tuple[str, ...]:
    if text == "all":
        return available_languages()
    langs = tuple(x.strip() for x in text.split(",") if x.strip())
    unknown = [x for x in langs if x not in OFFERED]
    if unknown or not langs:
        raise argparse.ArgumentTypeError(
            f"unknown language {', '.join(unknown) or text!r} (one of {', '.join(OFFERED)})")
    return langs


def render_all(out: Path, langs: tuple[str, ...], size: tuple[int, int]) -> dict[str, list[str]]:
    """Write every sample of every language; returns the names written per language."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from screens import render_view

    pygame.font.init()
    surface = pygame.Surface(size)
    written: dict[str, list[str]] = {}
    for lang in langs:
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        tr = translator(lang)
        written[lang] = []
        for sample in samples(lang):
            render_view(surface, sample.view, tr, ui_state(sample))
            pygame.image.save(surface, str(folder / f"{sample.name}.png"))
            written[lang].append(sample.name)
    return written


def contact_sheet(written: dict[str, list[str]], size: tuple[int, int]) -> str:
    """index.html: a table per language, each picture with its name."""
    thumb = 320
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Kiosk screens</title><style>body{font-family:sans-serif}"
             "td{vertical-align:top;padding:6px;text-align:center;font-size:13px}"
             "img{border:1px solid #999}</style></head><body>",
             f"<h1>Kiosk screens ({size[0]}×{size[1]})</h1>"]
    for lang, names in written.items():
        parts.append(f'<h2 id="{html.escape(lang)}">{html.escape(lang)}</h2><table><tr>')
        for i, name in enumerate(names):
            if i and i % 4 == 0:
                parts.append("</tr><tr>")
            src = html.escape(f"{lang}/{name}.png")
            parts.append(f'<td><a href="{src}"><img src="{src}" width="{thumb}" '
                         f'alt="{html.escape(name)}"></a><br>{html.escape(name)}</td>')
        parts.append("</tr></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The ``kiosk screenshots`` command; 0 when written, 2 for a usage error."""
    parser = argparse.ArgumentParser(prog="kiosk screenshots",
                                     description="Render every screen of every state to PNGs.")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
    parser.add_argument("--lang", type=_languages, default="all",
                        help="all (every language with a catalog) or CODE,CODE,…")
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE, help="WIDTHxHEIGHT")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    langs = args.lang if isinstance(args.lang, tuple) else _languages(args.lang)
    written = render_all(args.out, langs, args.size)
    (args.out / "index.html").write_text(contact_sheet(written, args.size), encoding="utf-8")
    count = sum(len(v) for v in written.values())
    print(f"Wrote {count} screenshots in {len(written)} languages to {args.out.resolve()}/ "
          f"(contact sheet: {args.out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

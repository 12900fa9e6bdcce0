"""Random residents for ``kiosk fuzz``: session-file lines chosen from what the kiosk shows.

A ``Resident`` picks the next line of a session from the screen the kiosk is on (mostly what a
person there would do, sometimes anything the format allows), and the world picks faults:
the center's, power cuts, clock jumps. Every line is a line of the replay format, so what was
played is a session file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kiosk.clock import JST
from kiosk.replay.format import MAX_SECONDS
from kiosk.replay.fuzz_world import FuzzWorld
from kiosk.vocabulary.view import LANGUAGES, View

Line = dict[str, Any]
SERVICES = ("certificates", "honseki-registration", "pin-reset")
OTHER_SERVICES = ("forms", "bogus")
CERTIFICATES = ("juminhyo", "kisai-jiko", "inkan", "tax-income", "tax-assessment",
                "tax-payment", "koseki-zenbu", "koseki-kojin", "koseki-fuhyo", "bogus")
FAULTS = ("down", "5xx", "malformed-json", "wrong-document", "truncated-pdf", "slow:2",
          "slow:12", "ok")
COINS = (10, 50, 100, 500)
MONEY = (10, 50, 100, 500, 1000, 5000, 10000)
ODD_MONEY = (1, 5, 2000, 123, 10**30)
KANA = ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほ"
        "まみむめもやゆよらりるれろわをん")
TEXT_CHARS = KANA + "がぎぐぱぴゃゅょっアイウカキクー0123456789- "
BUSY = ("reading_card", "authenticating", "requesting", "printing", "registration_checking",
        "registering", "pin_reset_checking", "pin_reset_writing")
MONEY_STATES = ("payment", "collect", "refunding", "thanks", "error")
END_IDLE = 900.0  # seconds of nobody at the kiosk at the end: longer than any timeout chain
LONG_IDLES = (4 * 86400.0, 6.5 * 86400.0, MAX_SECONDS)  # nobody at the kiosk for days


@dataclass
class Seen:
    """What the resident can see and hold between lines (read from the kiosk by the player)."""

    view: View
    now: datetime
    elapsed: float  # seconds of the virtual clock since the header's start
    card_on_reader: bool
    paper: int = 0  # sheets in the tray
    coins: int = 0  # yen in the tray


@dataclass
class Resident:
    """One random session's author: the header, then a line at a time."""

    rng: random.Random
    world: FuzzWorld
    visits: int = 0
    chaos: float = 0.05  # how often a line is anything at all rather than what fits the screen
    faults: float = 0.02  # how often the world misbehaves between lines
    patience: float = 0.04  # how often the resident wanders off past a timeout
    max_idle: float = MAX_SECONDS  # the longest "nobody at the kiosk" line
    last_at: float = 0.0
    who: str = "r001"
    typed_pins: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        r = self.rng
        self.visits = r.choice((1, 1, 2, 2, 3, 4))
        self.chaos = r.choice((0.0, 0.03, 0.08, 0.2))
        self.faults = r.choice((0.0, 0.01, 0.03, 0.08))
        self.patience = r.choice((0.0, 0.03, 0.1))

    # ------------------------------------------------------------------ the header
    def header(self, name: str) -> Line:
        """The first line: a day and hour (some at night, near closing, on closed days)."""
        r = self.rng
        day = datetime(2026, 1, 1, tzinfo=JST) + timedelta(days=r.randrange(730))
        if r.random() < 0.08:  # the center's closed days
            day = day.replace(month=r.choice((12, 1)), day=r.choice((28, 29, 31, 1, 3, 4)))
        at = r.choice(((10, 0), (6, 29), (22, 58), (17, 10), (3, 0), (12, 30), (8, 45)))
        start = day.replace(hour=at[0], minute=at[1], second=r.randrange(60))
        if r.random() < 0.5:
            start = day.replace(hour=r.randrange(7, 22), minute=r.randrange(60))
        return {"kiosk_session": 1, "name": name, "world": self.world.name,
                "kiosk": "office-0001" if r.random() < 0.1 else "store-0001",
                "start": start.isoformat(), "config": self._config()}

    def _config(self) -> dict[str, Any]:
        """Overrides now and then: a nearly empty change unit, notes, free, no tray sensor."""
        r = self.rng
        config: dict[str, Any] = {}
        roll = r.random()
        if roll < 0.12:  # a change unit nearly empty: "exact amount only", short change
            config["payment"] = {"change": {str(c): r.choice((0, 0, 1, 2, 5)) for c in COINS}}
        elif roll < 0.2:
            config["payment"] = {"accept": [10, 50, 100, 500, 1000, 5000, 10000]}
        elif roll < 0.24:
            config["payment"] = {"methods": ["free"]}
        if r.random() < 0.05:
            config["tray"] = {"sensor": "none"}
        if r.random() < 0.1:
            config["timeouts"] = {"payment": r.choice((5, 30)), "pin_entry": r.choice((5, 30)),
                                  "collect_giveup": r.choice((20, 60))}
        return config

    # ------------------------------------------------------------------ the lines
    def next_line(self, seen: Seen) -> Line | None:
        """The next line, or None when the resident is done (the ending follows)."""
        r = self.rng
        state = seen.view.screen
        if state == "idle" and self.visits <= 0:
            return None
        if r.random() < self.faults:
            line = self._world_fault(seen)
        elif state in MONEY_STATES and r.random() < self.faults:
            line = {"power": "cut"}  # where money or paper is on the move
        elif r.random() < self.chaos:
            line = self._anything(seen)
        elif state in BUSY:
            line = {"idle": r.choice((0.5, 1, 3))}
        else:
            line = self._fitting(seen)
        if "pin" in line:
            self.typed_pins.append(line["pin"])
        return self._timed(line, seen)

    def ending(self) -> list[Line]:
        """Nobody comes back: long enough for every timeout to run out."""
        return [{"idle": END_IDLE}, {"idle": END_IDLE}]

    def _timed(self, line: Line, seen: Seen) -> Line:
        """Give the line an ``at`` (think time) where the clock allows; idle lines have none."""
        r = self.rng
        if "idle" in line or r.random() < 0.15:
            return line
        think = r.choice((0.2, 1.0, 2.0, 3.5, 6.0, 12.0))
        if r.random() < self.patience:
            think = r.choice((25.0, 65.0, 95.0, 130.0, 200.0))
        base = max(seen.elapsed, 0.0)
        if base < self.last_at or base + think > MAX_SECONDS:  # "at" cannot go back (or past
            return line  # the format's year), so this line has none
        at = round(base + think, 1)
        self.last_at = at
        return {"at": at, **line}

    def _fitting(self, seen: Seen) -> Line:
        """What a resident on this screen would plausibly do."""
        r, v = self.rng, seen.view
        state = v.screen
        act = getattr(self, f"_on_{state}", None)
        if act is not None:
            line: Line = act(seen)
            return line
        if state == "closed" and v.opens_at and r.random() < 0.7:
            opens = (datetime.fromisoformat(v.opens_at) - seen.now).total_seconds()
            if 0 < opens < min(3 * 86400, self.max_idle):  # wait for the kiosk to open
                return {"idle": round(opens + r.choice((1, 30, 120)))}
        if state in ("closed", "out_of_service", "maintenance"):
            return r.choice(({"idle": r.choice((60, 600, 3600))}, {"center": "ok"},
                             self._clock(seen), {"cancel": True}))
        return {"idle": r.choice((1, 5, 30))}

    def _on_idle(self, seen: Seen) -> Line:
        r = self.rng
        if seen.card_on_reader and r.random() < 0.7:
            return {"card": "remove"}
        self.visits -= 1
        self.who = self.pick_resident()
        if r.random() < 0.25 and self.world.registrants:
            self.who = r.choice(self.world.registrants)
            return {"start": "honseki-registration"}
        if r.random() < 0.05:
            return {"start": r.choice(OTHER_SERVICES)}
        if r.random() < 0.05:
            return {"language": r.choice(LANGUAGES)}
        return {"start": "certificates"}

    def pick_resident(self) -> str:
        """Mostly a resident who can get certificates; sometimes one the center refuses."""
        good = [r for r in ("r001", "r002", "r003", "r010") if r in self.world.pins]
        if good and self.rng.random() < 0.65:
            return self.rng.choice(good)
        return self.rng.choice(self.world.residents)

    def _on_terms(self, seen: Seen) -> Line:
        r = self.rng
        return r.choice(({"agree": True},) * 8 + ({"agree": False}, {"back": True}))

    def _on_await_card(self, seen: Seen) -> Line:
        if seen.card_on_reader:
            return {"card": "remove"}
        return {"card": "place", "resident": self.who}

    def _on_pin_entry(self, seen: Seen) -> Line:
        r = self.rng
        if r.random() < 0.8:
            return {"pin": self.world.pins.get(self.who, "1234")}
        return {"pin": self.wrong_pin()}

    def wrong_pin(self) -> str:
        """A wrong PIN: 4 digits most of the time, never a year, a fee or the right one."""
        r = self.rng
        if r.random() < 0.1:
            return "".join(r.choice("0123456789") for _ in range(r.choice((1, 3, 5, 8))))
        while True:
            pin = f"{r.randrange(10000):04d}"
            if (pin[-1] != "0" and pin[:2] not in ("19", "20", "21") and not pin.startswith("00")
                    and pin != self.world.pins.get(self.who)):
                return pin

    def _on_remove_card(self, seen: Seen) -> Line:
        if not seen.card_on_reader:
            return {"idle": 1}
        if self.rng.random() < 0.15:
            return {"idle": self.rng.choice((11, 40))}  # the forgotten-card alarm
        return {"card": "remove"}

    def _on_choose_municipality(self, seen: Seen) -> Line:
        offered = [c.id for c in seen.view.municipalities]
        if offered and self.rng.random() < 0.9:
            return {"municipality": self.rng.choice(offered)}
        return {"municipality": self.rng.choice(self.world.codes)}

    def _on_registration_municipality(self, seen: Seen) -> Line:
        register = self.world.registers.get(self.who)
        if register and self.rng.random() < 0.85:
            return {"municipality": register}
        return self._on_choose_municipality(seen)

    def _on_choose_certificate(self, seen: Seen) -> Line:
        r = self.rng
        offered = [c.id for c in seen.view.certificates]
        if offered and r.random() < 0.9:
            return {"certificate": r.choice(offered)}
        return r.choice(({"certificate": r.choice(CERTIFICATES)}, {"back": True}))

    def _on_choose_options(self, seen: Seen) -> Line:
        r = self.rng
        options: dict[str, Any] = {}
        for f in seen.view.options:
            if r.random() < 0.5:
                continue
            if f.key == "year":
                options["year"] = int(r.choice(f.choices))
            elif f.kind == "choice":
                options[f.key] = r.choice(f.choices)
            else:
                options[f.key] = r.random() < 0.5
        if r.random() < 0.1:
            options.update(r.choice(({"year": 1999}, {"bogus": True}, {"household": 3},
                                     {"mynumber": "yes"}, {"household": {"nested": [1]}})))
        return {"options": options}

    def _on_choose_copies(self, seen: Seen) -> Line:
        r = self.rng
        most = max(1, seen.view.max_copies)
        if r.random() < 0.1:
            return {"copies": r.choice((most + 1, 99, 10**9))}
        return {"copies": r.choice((1, 1, 1, 2, min(3, most), most))}

    def _on_confirm(self, seen: Seen) -> Line:
        r = self.rng
        return r.choice(({"confirm": True},) * 8 + ({"back": True}, {"confirm": False}))

    def _on_payment(self, seen: Seen) -> Line:
        r, v = self.rng, seen.view
        due = (v.fee or 0) - v.paid
        roll = r.random()
        if roll < 0.05:
            return {"cancel": True}
        if roll < 0.1:
            return {"insert": r.choice(MONEY + ODD_MONEY)}
        if roll < 0.4 or due <= 0:
            return {"insert": r.choice((1000, 1000, 500, 5000, 10000))}
        coin = next((c for c in sorted(COINS, reverse=True) if c <= due), 10)
        return {"insert": coin}

    def _on_collect(self, seen: Seen) -> Line:
        r = self.rng
        if r.random() < 0.1:
            return {"idle": r.choice((12, 40, 200))}
        if seen.paper or not seen.coins and r.random() < 0.5:
            return {"take": "paper"}
        return {"take": "change"}

    def _on_refunding(self, seen: Seen) -> Line:
        if self.rng.random() < 0.1:
            return {"idle": self.rng.choice((12, 70))}
        return {"take": "change"}

    def _on_thanks(self, seen: Seen) -> Line:
        return self.rng.choice(({"idle": 6}, {"take": "paper"}, {"take": "change"}))

    def _on_error(self, seen: Seen) -> Line:
        r = self.rng
        if seen.card_on_reader and r.random() < 0.7:
            return {"card": "remove"}
        return r.choice(({"confirm": True}, {"idle": 25}, {"take": "change"}))

    def _on_registration_form(self, seen: Seen) -> Line:
        r = self.rng
        right = self.world.forms.get(self.who)
        if right is not None and r.random() < 0.75:
            return {"text": {"honseki": right[0], "hittousha": right[1]}}
        fields = {"honseki": self.kana(r.randrange(1, 90)), "hittousha": self.kana(
            r.randrange(1, 45))}
        if r.random() < 0.2:
            fields.pop(r.choice(list(fields)))
        return {"text": fields}

    def kana(self, n: int) -> str:
        """Text the on-screen keyboard can type (not all blank)."""
        return "あ" + "".join(self.rng.choice(TEXT_CHARS) for _ in range(n - 1))

    def _on_registration_confirm(self, seen: Seen) -> Line:
        return self.rng.choice(({"confirm": True},) * 6 + ({"back": True}, {"cancel": True}))

    def _on_registration_done(self, seen: Seen) -> Line:
        return self.rng.choice(({"confirm": True}, {"confirm": True}, {"idle": 31}))

    # ------------------------------------------------------------------ the PIN reset
    def _on_pin_reset_new_pin(self, seen: Seen) -> Line:
        return {"pin": self.rng.choice(("5173", "5173", "5173", self.wrong_pin()))}

    _on_pin_reset_pin_again = _on_pin_reset_new_pin  # mostly the same twice, now and then not

    def _on_pin_reset_signing(self, seen: Seen) -> Line:
        typed = self.rng.choice(("KIOSK2026", "KIOSK2026", "KIOSK2025", "ABC"))
        return {"text": {"signing_password": typed}}

    _on_pin_reset_signing_again = _on_pin_reset_signing

    def _on_pin_reset_done(self, seen: Seen) -> Line:
        return self.rng.choice(({"card": "remove"}, {"card": "remove"}, {"confirm": True}))

    # ------------------------------------------------------------------ anything at all
    def _anything(self, seen: Seen) -> Line:
        """Any line the harness can play (a card only on an empty reader), on any screen."""
        r = self.rng
        card: Line = ({"card": "remove"} if seen.card_on_reader else
                      {"card": "place", "resident": r.choice(self.world.residents)})
        choices: list[Line] = [
            {"language": r.choice(LANGUAGES)},
            {"start": r.choice(SERVICES + OTHER_SERVICES)},
            {"agree": r.random() < 0.5}, card,
            {"pin": r.choice((self.world.pins.get(self.who, "1234"), self.wrong_pin()))},
            {"municipality": r.choice(self.world.codes)},
            {"certificate": r.choice(CERTIFICATES)},
            {"options": r.choice(({}, {"household": "all"}, {"year": 2025}, {"x": None}))},
            {"copies": r.choice((1, 2, 11, 10**6))},
            {"confirm": r.random() < 0.7},
            {"insert": r.choice(MONEY + ODD_MONEY)},
            {"take": r.choice(("paper", "change"))},
            {"cancel": True}, {"back": True},
            {"idle": min(self.max_idle, r.choice((0, 0.5, 9, 61, 121, 181, 400, 86400,
                                                   *LONG_IDLES)))},
            {"text": {r.choice(("honseki", "hittousha")): self.kana(r.randrange(1, 30))}},
        ]
        if r.random() < 0.1:
            choices.append({"key": "operator"})
        return r.choice(choices)

    def _world_fault(self, seen: Seen) -> Line:
        """The world misbehaves: the center, the power, the clock."""
        r = self.rng
        roll = r.random()
        if roll < 0.55:
            return {"center": r.choice(FAULTS)}
        if roll < 0.75:
            return {"power": "cut"}
        if roll < 0.8 and self.world.registrants:
            return {"center": "approve-registrations"}
        return self._clock(seen)

    def _clock(self, seen: Seen) -> Line:
        """The clock jumps: forward past a timeout or a closing time, or back a little."""
        r, now = self.rng, seen.now
        roll = r.random()
        if roll < 0.5:
            when = now + timedelta(seconds=r.choice((30, 300, 3600, 8 * 3600, 86400)))
        elif roll < 0.75:
            hm = r.choice(((22, 59), (23, 0), (6, 29), (6, 30), (17, 14), (0, 0)))
            when = now.replace(hour=hm[0], minute=hm[1], second=r.choice((0, 50)))
        else:
            when = now - timedelta(seconds=r.choice((1, 30, 600, 3600)))
        return {"clock": when.isoformat(timespec="seconds")}

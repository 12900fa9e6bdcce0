"""One table of states: each state declared once with everything it means.

The core's states are here; each service declares its own the same way (``kiosk.services``), and
``all_states`` is the one table the session, the screens and the harness read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a state's inactivity timeout does when it runs out.
OnTimeout = Literal["cancel", "finish", "leave"]


@dataclass(frozen=True)
class StateInfo:
    """A state: its screen, what is said on entering it, its timers and what it allows."""

    name: str  # also the screen name replay files use
    prompt: str | None = None  # the voice prompt said on entering (drivers/audio/prompts.py)
    timeout: str | None = None  # the [timeouts] key that limits waiting here
    on_timeout: OnTimeout = "cancel"  # cancel the visit, finish it, or leave (alerting staff)
    step: str | None = None  # the journey step this state shows as (None: no step)
    busy: bool = False  # a job runs: the screen shows progress and takes no input
    cancellable: bool = False  # the resident can cancel the visit here
    settled: bool = False  # paid for, or over: cancelling no longer applies
    alarm: str | None = None  # the [timeouts] key after which forgetting something alarms
    kiosk: bool = False  # the kiosk's own state (closed, out of service, maintenance)
    service: str = ""  # the service that declares it ("" for the core)
    screen: str = ""  # the module that draws it ("": screens.<name>)

    def __post_init__(self) -> None:
               if not self.screen:
                   object.__setattr__(self, "screen", f"screens.{self.name}")



CORE_STATES: tuple[StateInfo, ...] = (
    StateInfo("closed", prompt="out-of-service", kiosk=True),
    StateInfo("out_of_service", prompt="out-of-service", kiosk=True),
    StateInfo("maintenance", prompt="out-of-service", kiosk=True),
    StateInfo("idle", prompt="welcome"),
    StateInfo("terms", prompt="terms", timeout="terms", cancellable=True),
    StateInfo("await_card", prompt="insert-card", timeout="await_card", step="await_card",
              cancellable=True),
    StateInfo("reading_card", prompt="please-wait", step="await_card", busy=True),
    StateInfo("pin_entry", prompt="enter-pin", timeout="pin_entry", step="pin_entry",
              cancellable=True),
    StateInfo("authenticating", prompt="please-wait", step="pin_entry", busy=True),
    StateInfo("phone_confirm", prompt="confirm-on-phone", timeout="phone_confirm",
              step="pin_entry", cancellable=True),
    StateInfo("remove_card", prompt="remove-card", timeout="remove_card_giveup",
              on_timeout="leave", step="pin_entry", alarm="remove_card_alarm"),
    StateInfo("payment", prompt="insert-fee", timeout="payment", step="payment", cancellable=True),
    StateInfo("printing", prompt="please-wait", step="collect", busy=True),
    StateInfo("collect", prompt="take-certificate", timeout="collect_giveup",
              on_timeout="leave", step="collect", alarm="collect_alarm", settled=True),
    StateInfo("thanks", prompt="thanks", timeout="thanks", on_timeout="finish", settled=True),
    StateInfo("refunding", prompt="take-change", timeout="refunding", on_timeout="leave",
              alarm="collect_alarm", settled=True),
    StateInfo("error", prompt="error", timeout="error", on_timeout="finish"),
)

# The sign-in every service shares, before its own first state.
SIGN_IN_JOURNEY = ("await_card", "pin_entry")


def table(states: tuple[StateInfo, ...]) -> dict[str, StateInfo]:
    """States by name; a name declared twice is an error."""
    out: dict[str, StateInfo] = {}
    for info in states:
        if info.name in out:
            raise ValueError(f"state {info.name!r} is declared twice")
        out[info.name] = info
    return out

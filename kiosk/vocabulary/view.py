"""The view model: everything a screen may show, derived from the session. No pygame here."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.vocabulary.devices import SAMPLE_COPIER, DeviceLayout

# The kiosk's languages (BCP 47); ja-x-easy is やさしい日本語, easy Japanese with readings.
LANGUAGES = ("ja", "ja-x-easy", "en", "zh-Hans", "zh-Hant", "ko", "es", "pt-BR", "vi", "tl", "id",
             "ne", "th")


@dataclass(frozen=True)
class Choice:
    """One entry of a list the resident picks from."""

    id: str
    names: dict[str, str] = field(default_factory=dict)  # per language, from the center
    fee: int | None = None
    note: str = ""  # e.g. "home" / "register" for municipalities
    region: dict[str, str] = field(default_factory=dict)  # a town's prefecture, per language
    closed: str | None = None  # a reason code (closed-hours, closed-day) while not issued now
    hours: tuple[str, str, bool] | None = None  # (open, close, weekdays only) when ``closed``


@dataclass(frozen=True)
class ServiceChoice:
    """A service the idle screen offers."""

    id: str
    title: str  # a msgid: the screen translates it


@dataclass(frozen=True)
class TextField:
    """A field the resident types into on the on-screen keyboard."""

    key: str  # e.g. honseki | hittousha
    value: str
    limit: int  # the most characters it takes


@dataclass(frozen=True)
class OptionField:
    """One option of the chosen certificate: a yes/no, or a pick from ``choices``."""

    key: str  # household | head_relation | honseki | mynumber | year
    kind: str  # "bool" | "choice"
    value: object
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperatorView:
    """What the operator screen shows (staff only; no personal data)."""

    pin_needed: bool = True
    status: tuple[str, ...] = ()
    report: tuple[str, ...] = ()
    last: str = ""


@dataclass(frozen=True)
class View:
    screen: str  # a state name of architecture.md
    language: str = "ja"
    service: str = ""  # the service the resident chose ("" on the idle screen)
    services: tuple[ServiceChoice, ...] = ()  # what the idle screen offers
    step: int = 0  # step n of ``steps`` in the resident's journey (0: not in a journey)
    steps: int = 0
    message: str | None = None  # reason code (replay-format.md)
    tries_left: int | None = None
    last_try_warning: bool = False
    municipalities: tuple[Choice, ...] = ()
    municipality: Choice | None = None
    certificates: tuple[Choice, ...] = ()
    certificate: str | None = None
    options: tuple[OptionField, ...] = ()
    copies: int = 1
    max_copies: int = 1
    fee: int | None = None
    ticket: str | None = None  # a counter kiosk's ticket number (受付票), once issued
    paid: int = 0
    change: int = 0
    refund: int = 0  # being returned (refunding), or what came back once it has
    refund_owed: int = 0  # of ``refund``, what the cash unit could not give (staff pay it)
    taken: tuple[str, ...] = ()  # collect: what the resident has taken (paper, change, card)
    accepted: tuple[int, ...] = ()  # payment: the coins and notes the cash unit takes (yen)
    pages_done: int = 0
    pages_total: int = 0
    alarm: str = "none"
    card_kind: str | None = None
    can_cancel: bool = False
    can_back: bool = False
    methods: tuple[str, ...] = ("cash",)  # how the fee can be paid: cash, emoney, free
    busy: bool = False  # a worker job is running; the screen shows progress, takes no input
    operator: OperatorView | None = None  # maintenance: the operator's menu
    opens_at: str | None = None  # closed: when the kiosk opens next (local ISO time)
    seconds_left: int | None = None  # whole seconds before the inactivity timeout
    fields: tuple[TextField, ...] = ()  # what the resident typed (registration form)
    usable_from: str | None = None  # registration_done: when it can be used (ISO date)
    pins_reset: tuple[str, ...] = ()  # pin_reset_done: the PINs set ("user", "signing")
    forms: tuple[str, ...] = ()  # forms_choose: the forms offered (ids)
    form: str | None = None  # the form chosen (or, once printed, the one printed)
    form_number: bool = False  # the individual number goes on it (the resident agreed)
    # forms_confirm only: what goes on the form, by item (name, address, birth, sex, number:
    # its last 4 digits); nothing of it on any other screen
    form_preview: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    help: str = ""  # "coming": staff were called; "phone": the help desk's number is shown
    help_phone: str = ""  # the help desk's number ([help] phone), at a store
    help_offered: bool = True  # "call staff" is on every screen (not at a store without a number)
    practice: bool = False  # a practice visit: nothing charged, nothing sent to the center
    places: DeviceLayout = SAMPLE_COPIER  # where the card reader, slots, trays are ([layout])

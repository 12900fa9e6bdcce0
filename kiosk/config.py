"""The kiosk's configuration: one TOML file loaded into dataclasses, defaults run the demo."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk import schema
from kiosk.cash_section import CashSection, check_serial
from kiosk.field.operator_pin import parse_hash
from kiosk.help_section import HelpSection
from kiosk.vocabulary.devices import PLACES, DeviceLayout
from kiosk.vocabulary.view import LANGUAGES

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
MAX_VOLUME = 10
MAX_TIMEOUT = 3600  # seconds: no screen waits on a resident longer than an hour
MAX_TUBE = 2000  # coins a change tube holds


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass
class KioskSection:
    id: str = "store-0001"
    language: str = "ja"
    screen: list[int] = field(default_factory=lambda: [1280, 800])
    fullscreen: bool = False
    # where it stands: a store (cash at the machine), an office kiosk in a town hall (staff
    # nearby), or a counter terminal (らくらく窓口: the counter takes the fee and prints)
    mode: Literal["store", "office", "counter"] = "store"

    def check(self) -> None:
        if self.language not in LANGUAGES:
            raise schema.SchemaError("language", f"must be one of {', '.join(LANGUAGES)}")
        if len(self.screen) != 2 or not all(320 <= n <= 7680 for n in self.screen):
            raise schema.SchemaError("screen", "must be [width, height], each 320 to 7680")


@dataclass
class CenterSection:
    uri: str = "local:"  # local: runs the reference center in-process
    world: str = ""  # for local: a world file; empty means the built-in sample world
    document_key: str = ""  # a remote center's document-signing public key (PEM file)
    transport: dict[str, Any] = field(default_factory=dict)  # the transport's own settings

    def check(self) -> None:
        if ":" not in self.uri:
            raise schema.SchemaError("uri", "must be a URI such as local: or https://host:port/")


@dataclass
class EmulatorSection:
    """Where the demo's and the harness's emulated cards come from (never a real kiosk's)."""

    world: str = ""  # the world of their residents ("" = the local center's)
    state: str = ""  # a directory with the test CA (pki/) and PIN counters ("" = in memory)


@dataclass
class CardSection:
    reader: str = "emulated"  # emulated (the demo's in-process reader) or pcsc
    reader_pattern: str = ""  # pcsc: readers whose name matches this glob ("" = every reader)
    extended_length: bool = True  # try extended APDUs (fall back to short ones if refused)
    vpcd: str = ""  # tests only: HOST:PORT of a vsmartcard-vpcd slot for emulated cards

    def check(self) -> None:
        if self.reader not in ("emulated", "pcsc"):
            raise schema.SchemaError("reader", "must be emulated or pcsc")
        if self.vpcd and self.reader != "pcsc":
            raise schema.SchemaError("vpcd", "goes with reader = \"pcsc\"")


@dataclass
class PrinterSection:
    uri: str = "spool:demo-out/printed"  # spool:DIR (the demo) or cups:QUEUE
    timeout: float = 60.0  # seconds a job may go without progress before it is a fault
    check_seconds: float = 30.0  # how often the printer is checked while the kiosk waits
    pages_per_minute: float = 0.0  # spool: print this fast, like paper (0: at once)

    def check(self) -> None:
        scheme, _, rest = self.uri.partition(":")
        if scheme not in ("spool", "cups") or not rest:
            raise schema.SchemaError("uri", "must be spool:DIR or cups:QUEUE")
        for key in ("timeout", "check_seconds"):
            if not 0 < getattr(self, key) <= MAX_TIMEOUT:
                raise schema.SchemaError(key, f"must be more than 0 and at most {MAX_TIMEOUT} s")
        if not 0 <= self.pages_per_minute <= 1000:
            raise schema.SchemaError("pages_per_minute", "must be 0 (at once) to 1000")


@dataclass
class TraySection:
    sensor: str = "simulated"  # simulated (demo, harness) or none: the resident confirms

    def check(self) -> None:
        if self.sensor not in ("simulated", "none"):
            raise schema.SchemaError("sensor", "must be simulated or none")


@dataclass
class PaymentSection:
    methods: list[str] = field(default_factory=lambda: ["cash"])  # cash, emoney; or free
    unit: str = "simulated"  # the cash unit (kiosk.drivers payment.NAME): simulated (lab), none
    emoney_terminal: str = "simulated"  # the e-money terminal (emoney.NAME) when methods has it
    emoney: str = "approve"  # the simulated e-money terminal: approve, decline or timeout
    accept: list[int] = field(default_factory=lambda: [10, 50, 100, 500, 1000])
    change: dict[str, int] = field(
        default_factory=lambda: {"10": 50, "50": 50, "100": 50, "500": 20}
    )
    cash: CashSection = field(default_factory=CashSection)  # the devices of unit = "serial"

    def check(self) -> None:
        bad = [m for m in self.methods if m not in ("cash", "emoney", "free")]
        if bad or not self.methods:
            raise schema.SchemaError("methods", "must list cash and/or emoney, or be [\"free\"]")
        if "free" in self.methods and len(self.methods) > 1:
            raise schema.SchemaError("methods", "free (the town waives the fee) stands alone")
        for key in ("unit", "emoney_terminal"):
            if not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", getattr(self, key)):
                raise schema.SchemaError(key, "must be a driver name (kiosk.drivers)")
        if "cash" in self.methods and self.unit == "none":
            raise schema.SchemaError("unit", "cash payment needs a cash unit")
        if self.emoney not in ("approve", "decline", "timeout"):
            raise schema.SchemaError("emoney", "must be approve, decline or timeout")
        not_yen = [y for y in self.accept if y not in (10, 50, 100, 500, 1000, 5000, 10000)]
        if not_yen:
            raise schema.SchemaError("accept", f"{', '.join(map(str, not_yen))}: not a yen coin "
                                     "or note (10, 50, 100, 500, 1000, 5000, 10000)")
        if "cash" in self.methods and not self.accept:
            raise schema.SchemaError("accept", "lists what the cash unit takes: at least one "
                                     "coin or note when cash is paid")
        wrong = [coin for coin, count in self.change.items()
                 if coin not in ("10", "50", "100", "500") or not 0 <= count <= MAX_TUBE]
        if wrong:  # every bad coin named at once
            raise schema.SchemaError(f"change.{wrong[0]}", f"{', '.join(wrong)}: each must be a "
                                     f"coin (10/50/100/500) with a count of 0 to {MAX_TUBE}")
        if self.unit == "serial":
            check_serial(self.cash, self.accept)


@dataclass
class JournalSection:
    path: str = "kiosk-journal.sqlite"
    reserve_kib: int = 1024  # below this free beside the journal no visit starts, no yen is taken
    # full: every commit is on the disk before the kiosk goes on (a kiosk's power can go);
    # normal: it survives the process dying, not the machine (the harness's virtual kiosks)
    durability: str = "full"

    def check(self) -> None:
        if not 16 <= self.reserve_kib <= 1024 * 1024:
            raise schema.SchemaError("reserve_kib", "must be 16 KiB to 1 GiB (1048576)")
        if self.durability not in ("full", "normal"):
            raise schema.SchemaError("durability", "must be \"full\" or \"normal\"")


@dataclass
class Timeouts:
    """Seconds of inactivity before a waiting screen gives up (or an alarm starts)."""

    terms: float = 60
    await_card: float = 60
    pin_entry: float = 60
    phone_confirm: float = 60  # the iPhone's owner confirms on the phone (the countdown)
    remove_card_alarm: float = 10
    remove_card_giveup: float = 120
    choose: float = 90
    typing: float = 180  # a form typed on the on-screen keyboard
    confirm: float = 90
    payment: float = 120
    collect_alarm: float = 10
    collect_giveup: float = 180
    thanks: float = 5
    done: float = 30  # a last screen with something to read (when a registration is usable)
    error: float = 20
    refunding: float = 60

    def check(self) -> None:
        for name, value in vars(self).items():
            if not 0 < value <= MAX_TIMEOUT:
                raise schema.SchemaError(name, f"must be more than 0 and at most {MAX_TIMEOUT} "
                                         "seconds")


@dataclass
class UiSection:
    """The touch screen: its density (for 15 mm touch targets) and the resident's defaults."""

    dpi: float = 96.0  # pixels per inch of the screen as mounted
    large_text: bool = False  # start every visit with large text (the resident can switch)
    high_contrast: bool = False  # start every visit in black, white and yellow
    shuffle_keypad: bool = False  # PIN digits in a new random order on every PIN screen
    # The voice guidance the keypad starts: through a handset or earphones (true), so that a
    # resident's own words are read to them alone; or the loudspeaker (false), which never
    # says them. The PIN is never said either way.
    audio_private: bool = False
    volume: int = 6  # the voice's volume, 0 to 10; the keypad's + and − move it per visit

    def check(self) -> None:
        if not 50 <= self.dpi <= 600:
            raise schema.SchemaError("dpi", "must be between 50 and 600")
        if not 0 <= self.volume <= MAX_VOLUME:
            raise schema.SchemaError("volume", f"must be 0 to {MAX_VOLUME}")


@dataclass(frozen=True)
class LayoutSection(DeviceLayout):
    """``[layout]``: where this kiosk model's devices are on the copier's front, as the
    resident sees it (``top-right``, ``middle-center``, …); the screens point at them."""

    def check(self) -> None:
        wrong = self.wrong()
        if wrong:  # every bad key named at once, with what it holds
            held = ", ".join(f"{key} = {str(getattr(self, key))[:24]!r}" for key in wrong)
            raise schema.SchemaError(wrong[0], f"{held}: each must be a place on the copier's "
                                     f"front, one of {', '.join(PLACES)}")


@dataclass
class HoursSection:
    """When this kiosk offers the service (an office kiosk: office hours, weekdays)."""

    open: str = "06:30"
    close: str = "23:00"
    weekdays_only: bool = False
    closed_days: list[str] = field(
        default_factory=lambda: ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"])
    maintenance: list[str] = field(default_factory=list)  # windows "HH:MM-HH:MM", every day

    def check(self) -> None:
        for key in ("open", "close"):
            if not _hhmm(getattr(self, key)):
                raise schema.SchemaError(key, "must be HH:MM")
        if self.open >= self.close:
            raise schema.SchemaError("close", "must be after open")
        for i, day in enumerate(self.closed_days):
            mm, _, dd = day.partition("-")
            if not (mm.isdigit() and dd.isdigit() and len(day) == 5):
                raise schema.SchemaError(f"closed_days[{i}]", "must be MM-DD")
        for i, window in enumerate(self.maintenance):
            start, _, end = window.partition("-")
            if not (_hhmm(start) and _hhmm(end) and start < end):
                raise schema.SchemaError(f"maintenance[{i}]", "must be HH:MM-HH:MM")


def _hhmm(text: str) -> bool:
    hh, _, mm = text.partition(":")
    return len(text) == 5 and hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60


@dataclass
class OperatorSection:
    pin_hash: str = ""  # `kiosk operator hash-pin`; empty: operator mode is off

    def check(self) -> None:
        if self.pin_hash:
            try:
                parse_hash(self.pin_hash)
            except ValueError as exc:
                raise schema.SchemaError("pin_hash", str(exc)) from None


@dataclass
class CounterSection:
    """``[counter]``: a counter kiosk's staff console (らくらく窓口, ``kiosk counter serve``)."""

    listen: str = "127.0.0.1:8470"  # HOST:PORT of the console's web page
    printer: str = ""  # the counter's CUPS queue (cups:QUEUE); "" = [printer] uri
    password_hash: str = ""  # `kiosk counter hash-password`; empty: the console will not start
    closes: str = "17:15"  # tickets not printed by then are voided, a fee taken refunded

    def check(self) -> None:
        host, _, port = self.listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise schema.SchemaError("listen", "must be HOST:PORT")
        if self.printer and (not self.printer.startswith(("cups:", "spool:"))
                             or len(self.printer) < 6):
            raise schema.SchemaError("printer", "must be cups:QUEUE (or spool:DIR)")
        if self.password_hash:
            try:
                parse_hash(self.password_hash)
            except ValueError as exc:
                raise schema.SchemaError("password_hash", str(exc)) from None
        if not _hhmm(self.closes):
            raise schema.SchemaError("closes", "must be HH:MM")


@dataclass
class MetricsSection:
    """Prometheus metrics: on 127.0.0.1:port, and/or a textfile for node_exporter."""

    port: int = 0  # 0: no HTTP endpoint
    textfile: str = ""

    def check(self) -> None:
        if not 0 <= self.port < 65536:
            raise schema.SchemaError("port", "must be 0 (off) or a port number")


@dataclass
class Config:
    kiosk: KioskSection = field(default_factory=KioskSection)
    center: CenterSection = field(default_factory=CenterSection)
    card: CardSection = field(default_factory=CardSection)
    emulator: EmulatorSection = field(default_factory=EmulatorSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    tray: TraySection = field(default_factory=TraySection)
    payment: PaymentSection = field(default_factory=PaymentSection)
    journal: JournalSection = field(default_factory=JournalSection)
    timeouts: Timeouts = field(default_factory=Timeouts)
    hours: HoursSection = field(default_factory=HoursSection)
    operator: OperatorSection = field(default_factory=OperatorSection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    counter: CounterSection = field(default_factory=CounterSection)
    help: HelpSection = field(default_factory=HelpSection)
    ui: UiSection = field(default_factory=UiSection)
    layout: LayoutSection = field(default_factory=LayoutSection)


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Tables merged key by key; anything else in ``overrides`` replaces."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def from_data(data: dict[str, Any], origin: str = "configuration") -> Config:
    try:
        return schema.load(Config, data)
    except schema.SchemaError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """The configuration from ``path`` (none: the embedded defaults), with ``overrides`` on top."""
    data: dict[str, Any] = {}
    origin = "defaults"
    if path is not None:
        origin = str(path)
        try:
            data = schema.load_toml(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{origin}: no such file") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{origin}: not valid TOML: {exc}") from None
        except schema.TomlError as exc:
            raise ConfigError(f"{origin}: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{origin}: cannot be read: {exc.strerror}") from None
        data = resolve_paths(data, Path(path).resolve().parent)
    return from_data(merge(data, overrides or {}), origin)


PATH_KEYS = {"journal": ("path",), "center": ("world", "document_key"),
             "emulator": ("world", "state")}
TRANSPORT_PATH_KEYS = ("cert", "key", "ca")


def resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative file paths in a config file are relative to that file."""
    out = copy.deepcopy(data)

    def fix(table: Any, keys: tuple[str, ...]) -> None:
        if isinstance(table, dict):
            for key in keys:
                if isinstance(table.get(key), str) and table[key]:
                    table[key] = str(base / table[key])

    for section, keys in PATH_KEYS.items():
        fix(out.get(section), keys)
    center = out.get("center")
    if isinstance(center, dict):
        fix(center.get("transport"), TRANSPORT_PATH_KEYS)
    printer = out.get("printer")
    if isinstance(printer, dict) and isinstance(printer.get("uri"), str):
        scheme, _, where = printer["uri"].partition(":")
        if scheme == "spool" and where:
            printer["uri"] = f"spool:{base / where}"
    return out

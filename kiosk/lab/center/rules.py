"""The reference center's rules that need no state: which certificates a resident can have from
a town, which options an order may carry, and the hours (compared as times of day)."""

from __future__ import annotations

from datetime import datetime

from kiosk.center import protocol as p
from kiosk.lab.center.refused import Refused
from kiosk.lab.center.registration import KOSEKI
from kiosk.lab.center.world import MunicipalityDef, Resident
from kiosk.vocabulary.reasons import Reason

TAX = ("tax-income", "tax-assessment", "tax-payment")


def certificates_for(town: MunicipalityDef, resident: Resident) -> list[p.CertificateOffer]:
    """What this resident can have from their home town."""
    out = []
    for c in town.certificates:
        if c.type == "inkan" and not resident.seal_registered:
            continue
        if c.type in TAX:
            years = [y for y in c.years if y in resident.tax_years]
            if not years:
                continue
            c = p.CertificateOffer(c.type, c.fee, list(c.options), years, c.hours)
        if c.type in KOSEKI and not (resident.honseki
                                     and resident.honseki.municipality == town.code):
            continue
        options = list(c.options)
        if resident.nationality != "JP" and "honseki" in options:
            # A foreign resident has no family register: the record shows nationality and
            # status of residence instead, each if the resident asks for it.
            options[options.index("honseki"):options.index("honseki") + 1] = [
                "nationality", "residence"]
        out.append(p.CertificateOffer(c.type, c.fee, options, list(c.years), c.hours))
    return out


def check_options(cert: p.CertificateOffer, options: dict[str, object]) -> None:
    """Refused unless every option of an order is one the certificate offers, rightly set."""
    for key, value in options.items():
        if key == "year":
            if value not in cert.years:
                raise Refused(Reason.NOT_AVAILABLE_HERE, f"no tax record for {value!r}")
        elif key not in cert.options:
            raise Refused(Reason.NOT_AVAILABLE_HERE, f"option {key!r} is not offered")
        elif key == "household":
            if value not in ("self", "all"):
                raise Refused(Reason.NOT_AVAILABLE_HERE, "household must be self or all")
        elif not isinstance(value, bool):
            raise Refused(Reason.NOT_AVAILABLE_HERE, f"option {key!r} must be yes or no")


def check_hours(town: MunicipalityDef, cert: p.CertificateOffer | None, now: datetime) -> None:
    """Refused unless ``now`` is within the town's hours and the certificate's, if it has any."""
    for hours in (town.hours, cert.hours if cert else None):
        if hours is not None:
            within(hours, now)


def covers(hours: p.Hours, when: datetime) -> bool:
    """Whether the time of day of ``when`` is within ``hours``, compared as minutes."""
    return p.minutes(hours.open) <= when.hour * 60 + when.minute < p.minutes(hours.close)


def within(hours: p.Hours, now: datetime) -> None:
    """Refused(closed-day) on a weekend of weekday-only hours, Refused(closed-hours) outside."""
    if hours.weekdays_only and now.weekday() >= 5:
        raise Refused(Reason.CLOSED_DAY)
    if not covers(hours, now):
        raise Refused(Reason.CLOSED_HOURS)

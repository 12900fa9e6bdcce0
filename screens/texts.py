"""The strings screens pick by a code: certificates, options, reasons, languages. No pygame."""

from __future__ import annotations

from kiosk.i18n import N_, Translator

# Each language's name in itself (never translated)
LANGUAGE_NAMES = {
    "ja": "日本語",
    "ja-x-easy": "やさしい日本語",
    "en": "English",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
    "ko": "한국어",
    "es": "Español",
    "pt-BR": "Português",
    "vi": "Tiếng Việt",
    "tl": "Tagalog",
    "id": "Bahasa Indonesia",
    "ne": "नेपाली",
    "th": "ไทย",
}

CERTIFICATES = {
    "juminhyo": N_("Copy of resident record"),
    "kisai-jiko": N_("Certificate of resident record items"),
    "inkan": N_("Seal registration certificate"),
    "tax-income": N_("Income certificate"),
    "tax-assessment": N_("Tax assessment certificate"),
    "tax-payment": N_("Tax payment certificate"),
    "koseki-zenbu": N_("Family register (all entries)"),
    "koseki-kojin": N_("Family register (individual entries)"),
    "koseki-fuhyo": N_("Copy of family register address record"),
}

OPTIONS = {
    "household": N_("People to include"),
    "head_relation": N_("Head of household and relationship"),
    "honseki": N_("Registered domicile and head of family register"),
    "mynumber": N_("Individual Number (My Number)"),
    "resident_code": N_("Resident record code"),
    "nationality": N_("Nationality or region"),
    "residence": N_("Status of residence and residence card number"),
    "year": N_("Fiscal year"),
}

CHOICES = {
    ("household", "all"): N_("Everyone in the household"),
    ("household", "self"): N_("Only me"),
}

MUNICIPALITY_NOTES = {
    "home": N_("Where you live"),
    "register": N_("Your registered domicile (honseki)"),
}

# Reason code -> (what happened, what to do); codes of kiosk/reasons.py
REASONS = {
    "card-unreadable": (
        N_("The card could not be read."),
        N_("Place the card flat on the reader and try again. If it still fails, "
           "please ask at your municipal office."),
    ),
    "card-unsupported": (
        N_("This card cannot be used at this kiosk."),
        N_("Please use a My Number card or a smartphone with the My Number card function."),
    ),
    "card-removed": (
        N_("The card was removed before the procedure ended."),
        N_("Please start again and leave the card on the reader until you are asked to "
           "take it."),
    ),
    "pin-wrong": (
        N_("The PIN is incorrect."),
        N_("Please check the PIN and enter it again."),
    ),
    "pin-locked": (
        N_("The PIN is locked because it was entered incorrectly too many times."),
        N_("Please ask at your municipal office to reset it."),
    ),
    "face-auth-card": (
        N_("This is a face-authentication card. It has no PIN, so it cannot be used at a "
           "kiosk."),
        N_("Please apply at the counter of your municipal office."),
    ),
    "pin-reset-not-reserved": (
        N_("No PIN reset is reserved for this card, or the reservation is used or more than 24 "
           "hours old."),
        N_("Please reserve the PIN reset in the app again, then come back within 24 hours."),
    ),
    "pin-mismatch": (
        N_("The two entries were not the same."),
        N_("Please enter it again, twice."),
    ),
    "phone-declined": (
        N_("You did not confirm on your iPhone, so you were not signed in."),
        N_("To try again, start from the beginning and confirm with Face ID on your iPhone."),
    ),
    "card-expired": (
        N_("Your card has expired."),
        N_("Please apply for a new card at your municipal office."),
    ),
    "cert-revoked": (
        N_("The electronic certificate on your card is no longer valid."),
        N_("Please ask at your municipal office."),
    ),
    "cert-expired": (
        N_("The electronic certificate on your card has expired."),
        N_("Please renew it at your municipal office."),
    ),
    "not-participating": (
        N_("Your municipality does not issue certificates at kiosks."),
        N_("Please apply at the counter of your municipal office."),
    ),
    "not-available-here": (
        N_("This certificate cannot be issued to you at a kiosk."),
        N_("Please apply at the counter of your municipal office."),
    ),
    "closed-hours": (
        N_("Certificates cannot be issued at this time of day."),
        N_("Please come back during service hours (usually 6:30 to 23:00)."),
    ),
    "closed-day": (
        N_("The service is closed today."),
        N_("Please come back on another day. The service is closed from December 29 "
           "to January 3."),
    ),
    "printer-fault": (
        N_("The printer has a problem."),
        N_("Any money you paid is returned. Please tell the store staff."),
    ),
    "cash-fault": (
        N_("The cash machine has a problem."),
        N_("Any money you paid is returned. Please tell the store staff."),
    ),
    "center-unavailable": (
        N_("The certificate service cannot be reached right now."),
        N_("Please try again later."),
    ),
    "timeout": (
        N_("The time limit has passed."),
        N_("Please start again from the beginning."),
    ),
    "cancelled": (
        N_("The procedure was cancelled."),
        N_("Please take your card and any money returned."),
    ),
    "document-rejected": (
        N_("The certificate data could not be verified, so nothing was printed."),
        N_("No fee is charged. Please try again later."),
    ),
    "exact-amount-only": (
        N_("Exact amount only: this machine cannot give change right now."),
        N_("Please insert the exact fee."),
    ),
    "emoney-declined": (
        N_("The e-money payment was declined."),
        N_("Please pay with cash, or cancel."),
    ),
    "emoney-timeout": (
        N_("The e-money terminal did not answer."),
        N_("Please pay with cash, or cancel."),
    ),
    "registration-mismatch": (
        N_("What you typed does not match the family register of that municipality."),
        N_("Please check the address and the head of the register (on a copy of your family "
           "register, for example) and apply again, or ask at the municipal office."),
    ),
    "registration-pending": (
        N_("Your application is already being checked by the municipality."),
        N_("Please wait for its answer. You do not need to apply again."),
    ),
    "already-registered": (
        N_("You are already registered for this municipality."),
        N_("You can get its family register certificates under \"Get a certificate\"."),
    ),
    "registration-not-needed": (
        N_("You do not need to register."),
        N_("Your family register certificates can be had under \"Get a certificate\" where "
           "your municipality issues them."),
    ),
    "journal-unavailable": (
        N_("This kiosk cannot keep its records right now."),
        N_("Money whose record could not be kept is returned at once. Please use another "
           "kiosk or tell the staff."),
    ),
    "reader-unavailable": (
        N_("The card reader is not working."),
        N_("Any money you paid is returned. Please tell the store staff."),
    ),
}
UNKNOWN_REASON = (
    N_("Something went wrong."),
    N_("Please tell the store staff."),
)


def certificate_name(tr: Translator, type_: str, names: dict[str, str] | None = None) -> str:
    """A certificate type's name: ours, else the center's (per language), else its code."""
    if type_ in CERTIFICATES:
        return tr.gettext(CERTIFICATES[type_])
    return tr.name(names or {}, fallback=type_)


def option_name(tr: Translator, key: str) -> str:
    return tr.gettext(OPTIONS[key]) if key in OPTIONS else key


def option_value(tr: Translator, key: str, value: object) -> str:
    """How an option's value reads: Include/Omit for yes/no, a name for a choice."""
    if isinstance(value, bool):
        return tr.gettext("Include") if value else tr.gettext("Omit")
    if key == "year":
        return tr.gettext("FY %(year)s") % {"year": value}
    label = CHOICES.get((key, str(value)))
    return tr.gettext(label) if label else str(value)


def reason(tr: Translator, code: str | None) -> tuple[str, str]:
    """(what happened, what to do) for a reason code, translated."""
    what, todo = REASONS.get(code or "", UNKNOWN_REASON)
    return tr.gettext(what), tr.gettext(todo)


def municipality_note(tr: Translator, note: str) -> str:
    return tr.gettext(MUNICIPALITY_NOTES[note]) if note in MUNICIPALITY_NOTES else ""

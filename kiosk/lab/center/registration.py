"""The 本籍地 registration (本籍地の証明書交付の利用登録申請) at the reference center.

A resident whose family register is kept by another town applies once at a kiosk, typing the
register's address and the name of its head; the 本籍地 answers days later (the lab answers
with ``approve_registrations``), and from then on its family-register certificates are offered.
The world file says where each resident stands; the center's store keeps what changed since.
Nothing the resident typed, and no name or address, is ever logged.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from kiosk.center import protocol as p
from kiosk.center.prefectures import prefecture_of
from kiosk.clock import Clock
from kiosk.lab.center.kana import address_matches, name_matches
from kiosk.lab.center.refused import Refused, signed_in
from kiosk.lab.center.store import RegistrationRecord, Store
from kiosk.lab.center.world import Resident, World
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)

KOSEKI = ("koseki-zenbu", "koseki-kojin", "koseki-fuhyo")


class RegistrationDesk:
    """The registration calls of the ReferenceCenter (a mixin over its world, store and clock)."""

    world: World
    store: Store
    clock: Clock

    def honseki_status(self, resident: Resident) -> str | None:
        """registered, pending or none: the store's if the resident applied here, else the
        world's; None without a family register."""
        if resident.honseki is None:
            return None
        record = self.store.registration(resident.id)
        return record.status if record is not None else resident.honseki.status

    def call_registration_towns(self, kiosk_id: str, req: p.TokenRef) -> p.RegistrationChoices:
        resident = self._applicant(kiosk_id, req.token)
        return p.RegistrationChoices(self._towns(resident))

    def call_register(self, kiosk_id: str, req: p.RegistrationRequest) -> p.Registration:
        resident = self._applicant(kiosk_id, req.token)
        towns = self._towns(resident)
        if req.municipality not in {t.code for t in towns}:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "not a town to register for")
        honseki = resident.honseki
        assert honseki is not None  # _applicant refuses a resident without one
        town = self.world.municipality(req.municipality)
        assert town is not None
        prefecture = prefecture_of(town.code)
        # A head given without a reading has none: the resident's own is another person's.
        head_kana = honseki.head_kana if honseki.head else (honseki.head_kana
                                                           or resident.name.kana)
        if not (req.municipality == honseki.municipality
                and address_matches(req.honseki, resident.register_address,
                                    honseki.address_kana, prefecture, town.name["ja"])
                and name_matches(req.hittousha, resident.register_head, head_kana)):
            log.info("registration for %s refused: not the register's", req.municipality)
            raise Refused(Reason.REGISTRATION_MISMATCH)  # never which of the two it was
        now = self.clock.now()
        record = RegistrationRecord(resident.id, town.code, "pending",
                                    "G" + secrets.token_hex(8).upper(), now.date().isoformat())
        if not self.store.add_registration(record):  # another kiosk was first
            raise Refused(Reason.REGISTRATION_PENDING)
        log.info("registration %s pending for %s", record.registration_id, town.code)
        usable = now.date() + timedelta(days=p.REGISTRATION_DAYS)
        return p.Registration(record.registration_id, town.code, "pending", usable.isoformat())

    def approve_registrations(self) -> int:
        """The 本籍地s answer: every pending registration becomes registered; returns how many."""
        day = self.clock.now().date().isoformat()
        also = [RegistrationRecord(r.id, r.honseki.municipality, "registered",
                                   "G" + secrets.token_hex(8).upper(), day)
                for r in self.world.residents
                if r.honseki is not None and r.honseki.status == "pending"]
        count = self.store.approve_registrations(also)
        log.info("registrations approved: %d", count)
        return count

    # ------------------------------------------------------------------ rules
    def _applicant(self, kiosk_id: str, token: str) -> Resident:
        """The signed-in resident, if they have something to register for; else Refused."""
        signed = signed_in(self.store, kiosk_id, token, self.clock.now())
        resident = self.world.resident(signed.resident_id)
        assert resident is not None
        honseki = resident.honseki
        if honseki is None or honseki.municipality == resident.municipality:
            raise Refused(Reason.REGISTRATION_NOT_NEEDED)
        status = self.honseki_status(resident)
        if status == "registered":
            raise Refused(Reason.ALREADY_REGISTERED)
        if status == "pending":
            raise Refused(Reason.REGISTRATION_PENDING)
        return resident

    def _towns(self, resident: Resident) -> list[p.RegistrationTown]:
        """The taking-part towns with family-register certificates, but the resident's home;
        Refused(not-participating) when the resident's 本籍地 is not one of them."""
        towns = []
        for m in sorted(self.world.municipalities, key=lambda m: m.code):
            if (m.participating and m.code != resident.municipality
                    and any(c.type in KOSEKI for c in m.certificates)):
                prefecture = prefecture_of(m.code)
                towns.append(p.RegistrationTown(m.code, dict(m.name),
                                                prefecture.names if prefecture else {}))
        assert resident.honseki is not None
        if resident.honseki.municipality not in {t.code for t in towns}:
            raise Refused(Reason.NOT_PARTICIPATING, "the 本籍地 issues nothing at kiosks")
        return towns

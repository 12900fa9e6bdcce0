"""The counter's orders at the reference center (らくらく窓口): an order a counter kiosk made
is kept with its documents and its holder until the counter serves it, and the ``order_documents``
call gives them again to the staff console (the same documents, the same binding).

Kept in the center's store (SQLite or PostgreSQL), in a table of its own made on first use.
"""

from __future__ import annotations

import json
import secrets

from kiosk import schema
from kiosk.center import protocol as p
from kiosk.lab.center.pki import CenterKeys
from kiosk.lab.center.refused import Refused
from kiosk.lab.center.store import Store
from kiosk.lab.center.store_tables import ExtraTable
from kiosk.lab.center.world import Resident, World
from kiosk.vocabulary.reasons import Reason

_TABLE = ExtraTable("CREATE TABLE IF NOT EXISTS counter_orders (order_id TEXT PRIMARY KEY, "
                    "kiosk TEXT NOT NULL, holder TEXT NOT NULL, documents TEXT NOT NULL)")


class CounterDesk:
    """The counter's part of the ReferenceCenter (a mixin over its world and store)."""

    world: World
    store: Store
    keys: CenterKeys

    def keep_for_counter(self, kiosk_id: str, resident: Resident,
                         documents: list[p.Document]) -> None:
        """At a counter kiosk, keep an order's documents for the counter to print."""
        kiosk = self.world.kiosk(kiosk_id)
        if kiosk is None or kiosk.kind != "counter" or not documents:
            return
        runner, m = _TABLE.on(self.store)
        runner._run(f"INSERT INTO counter_orders VALUES ({m}, {m}, {m}, {m})",
                    (documents[0].order_id, kiosk_id,
                     f"{resident.name.kanji}（{resident.name.kana}）",
                     json.dumps(schema.dump(documents))))

    def forget_counter_order(self, kiosk_id: str, order_id: str) -> None:
        """A counter order completed or voided: its documents and holder are not kept (any
        other kiosk's order costs nothing here: it was never kept)."""
        kiosk = self.world.kiosk(kiosk_id)
        if kiosk is None or kiosk.kind != "counter":
            return
        runner, m = _TABLE.on(self.store)
        runner._run(f"DELETE FROM counter_orders WHERE order_id = {m}", (order_id,))

    def call_order_documents(self, kiosk_id: str, req: p.OrderRef) -> p.OrderDocuments:
        record = self.store.order(req.order_id)
        if record is None or record.kiosk_id != kiosk_id:
            raise Refused(Reason.CANCELLED, "no such order for this kiosk")
        if record.state != "issued":
            raise Refused(Reason.CANCELLED, f"order was {record.state}")
        runner, m = _TABLE.on(self.store)
        rows = runner._run(f"SELECT holder, documents FROM counter_orders WHERE order_id = {m}",
                           (req.order_id,))
        if not rows:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "not an order made at a counter kiosk")
        holder, documents = rows[0]
        docs = schema.load(list[p.Document], json.loads(documents))
        from kiosk.lab.center.center import _FAULT  # the lab's fault for this call

        if _FAULT.get() == "wrong-document":  # another order's documents, rightly signed for it
            other = "O" + secrets.token_hex(8).upper()
            docs = [p.Document(d.document_id, other, d.sha256,
                               self.keys.sign(p.binding_message(other, d.sha256)), d.pages,
                               d.pdf) for d in docs]
        return p.OrderDocuments(req.order_id, holder, docs)

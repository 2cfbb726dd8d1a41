"""The audit's reads go through indexes: its work grows with the cards it audits (the open ones and
those closed in its window), not with every record the store has kept."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import sales_floor, sqlite_only
from leadcard.store import Scope, Store
from leadcard.store.audit import plans

TZ = ZoneInfo("Asia/Shanghai")


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
@pytest.mark.parametrize("share", [(0, 1), (1, 2)], ids=["whole", "a share"])
@pytest.mark.parametrize("scope", [Scope(), Scope(frozenset({3, 4}))], ids=["manager", "team"])
def test_the_audit_reads_each_cards_records_through_the_cards_indexes(lc, scope, share):
    """Alone or sharing the cards with other processes: a share is read as the whole is."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", user="王芳")
    store = Store.open(lc.db, TZ)
    moment = datetime(2026, 5, 3, 21, tzinfo=TZ)
    found = plans(store, scope, moment, moment - timedelta(days=30), ("model", "budget"), moment - timedelta(days=62),
                  share)
    store.close()
    # A card's follow-ups by the card: the (card_id, seq) key, or the reports' (card_id, at) index.
    assert any(f"{index} (card_id=?)" in found["entries"] for index in ("sqlite_autoindex_followups_1", "followups_card_at")), \
        found["entries"]
    assert "grade_changes_card" in found["grades"], found["grades"]
    assert "card_events_card (card_id=?)" in found["events"], found["events"]
    assert "instructions_card_at (card_id=? AND at<?)" in found["cards"], found["cards"]  # the latest signature, per card
    assert "sqlite_autoindex_quotes_1 (card_id=?)" in found["quotes"], found["quotes"]
    assert "sqlite_autoindex_quotes_1 (card_id=?)" in found["first_quotes"], found["first_quotes"]
    # Comebacks: recent losses by kind and time, then their phones' cards, visits and those cards'
    # orders (by the card: every order the store took is not read).
    assert "card_events_kind_at (kind=? AND at>? AND at<?)" in found["comebacks"], found["comebacks"]
    assert "visits_phone (phone=?)" in found["comebacks"] and "cards_phone (phone=?)" in found["comebacks"]
    assert "card_events_card (card_id=? AND at<?)" in found["comebacks"], found["comebacks"]
    assert "card_events_kind_at (kind=? AND at<?)" not in found["comebacks"], found["comebacks"]
    # Shared phones: the audited cards' phones looked up, never every card grouped by phone.
    for name in ("shared", "shared_phones"):
        assert "cards_phone (phone=?)" in found[name] and "SCAN" not in found[name], (name, found[name])
    # Each holder's status at the moment: its latest status event, from its own events.
    assert "card_events_card (card_id=? AND at<?)" in found["shared_phones"], found["shared_phones"]
    assert "visits_arrived (arrived_at>?)" in found["visits"], found["visits"]
    assert found["clock_overrides"].count("_clock_override (clock_override>? AND clock_override<?)") == 4
    # The cards' condition is tested once, by the cards' own query: their records are read by their ids.
    for name in ("entries", "grades", "events", "quotes", "first_quotes"):
        assert " cards " not in f" {found[name]} ", (name, found[name])
    if scope.owner_ids is None:
        # Every card's records in card order: merged card by card, never sorted afterwards.
        for name in ("cards", "entries", "grades", "events", "quotes", "first_quotes"):
            assert "TEMP B-TREE" not in found[name], (name, found[name])
    else:
        assert "cards_owner_status (owner_id=?)" in found["cards"], found["cards"]
    steps = [step for plan in found.values() for step in plan.split(" | ")]
    # The cards themselves may be scanned (the audit's outer loop); no other table is read whole.
    whole = [s for s in steps if s.startswith("SCAN ") and s not in ("SCAN cards", "SCAN lost") and "INDEX" not in s]
    assert not whole, whole

"""SQL of the deal desk: test drives (试驾登记) on the cards."""

from __future__ import annotations

from datetime import datetime

from leadcard.model.deals import DealDesk, TestDrive
from leadcard.store import Store, ts

# A record counts while the follow-up it was made at stands: a correction replaces it.
_STANDING = "NOT EXISTS (SELECT 1 FROM followups n WHERE n.corrects = {table}.followup_id)"


def insert_test_drive(store: Store, values: dict) -> int:
    return store.insert_row("test_drives", values)


def test_drive_of(store: Store, followup_id: int) -> TestDrive | None:
    row = store.conn.execute(
        "SELECT t.*, f.seq, u.name AS author FROM test_drives t JOIN followups f ON f.id = t.followup_id "
        "LEFT JOIN users u ON u.id = f.author_id WHERE t.followup_id = ?",
        (followup_id,),
    ).fetchone()
    return _test_drive(store, row) if row else None


def visit_of_day(store: Store, card_id: int, day_start: datetime, at: datetime) -> int | None:
    """The card's showroom visit that arrived on the day that starts at `day_start`, by `at`: the
    latest, when the customer came twice."""
    row = store.conn.execute(
        "SELECT id FROM visits WHERE card_id = ? AND arrived_at >= ? AND arrived_at <= ? "
        "ORDER BY arrived_at DESC, id DESC LIMIT 1",
        (card_id, ts(day_start), ts(at)),
    ).fetchone()
    return row[0] if row else None


def mark_visit_test_drive(store: Store, visit_id: int) -> None:
    """The showroom log's 试驾 column follows the test drives recorded on its visits."""
    store.conn.execute("UPDATE visits SET test_drive = 1 WHERE id = ?", (visit_id,))


def desk(store: Store, card_id: int) -> DealDesk:
    """A card's deal records, oldest first."""
    drives = store.conn.execute(
        "SELECT t.*, f.seq, u.name AS author FROM test_drives t JOIN followups f ON f.id = t.followup_id "
        f"LEFT JOIN users u ON u.id = f.author_id WHERE t.card_id = ? AND {_STANDING.format(table='t')} "
        "ORDER BY t.at, t.id",
        (card_id,),
    ).fetchall()
    return DealDesk(test_drives=tuple(_test_drive(store, r) for r in drives))


def _test_drive(store: Store, row) -> TestDrive:
    return TestDrive(row["seq"], store.dt(row["at"]), row["vehicle"], bool(row["licence_checked"]),
                     row["visit_id"], row["author"])

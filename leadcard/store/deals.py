"""SQL of the deal desk: test drives (试驾登记), quotes (报价), trade-ins (置换评估) and loan
applications (贷款) on the cards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterator, Sequence

from leadcard.model import card_ref
from leadcard.model.deals import DealDesk, Finance, FinanceStatus, Quote, QuoteStatus, TestDrive, TradeIn
from leadcard.store import Scope, Store, ts

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


def insert_numbered(store: Store, table: str, values: dict) -> int:
    """A new quote, trade-in or finance row, numbered after the card's last in its table; its number."""
    seq = store.conn.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {table} WHERE card_id = ?",
                             (values["card_id"],)).fetchone()[0]
    store.insert_row(table, {**values, "seq": seq})
    return seq


def insert_quote(store: Store, values: dict) -> int:
    valid_until = values.get("valid_until")
    return insert_numbered(store, "quotes", {**values, "valid_until": valid_until.isoformat() if valid_until else None})


def approve_quote(store: Store, card_id: int, seq: int, at: datetime, by_id: int | None) -> None:
    store.conn.execute("UPDATE quotes SET approved_at = ?, approved_by = ? WHERE card_id = ? AND seq = ?",
                       (ts(at), by_id, card_id, seq))


# The columns `_quote` reads by position: a manager's morning list reads a thousand quotes, and a row
# read by name looks each of its columns up.
QUOTE_COLUMNS = ("q.card_id, q.seq, q.at, u.name AS author, q.author_id, q.model, q.price, q.discount, q.extras, "
                 "q.valid_until, q.needs_approval, a.name AS approver, q.approved_at")
QUOTE_JOINS = "LEFT JOIN users u ON u.id = q.author_id LEFT JOIN users a ON a.id = q.approved_by"
_QUOTE_WIDTH = QUOTE_COLUMNS.count(",") + 1
_QUOTE_SELECT = f"SELECT {QUOTE_COLUMNS} FROM quotes q {QUOTE_JOINS}"


def quote(store: Store, card_id: int, seq: int) -> Quote | None:
    row = store.conn.execute(f"{_QUOTE_SELECT} WHERE q.card_id = ? AND q.seq = ?", (card_id, seq)).fetchone()
    return _quote(store, row) if row else None


def latest_quotes(store: Store, card_ids: Sequence[int]) -> dict[int, Quote]:
    """The latest quote of each card that has one (`today`: one query per 500 due cards)."""
    found: dict[int, Quote] = {}
    for start in range(0, len(card_ids), 500):
        batch = list(card_ids[start:start + 500])
        marks = ",".join("?" * len(batch))
        rows = store.values(
            f"{_QUOTE_SELECT} WHERE q.card_id IN ({marks}) "
            "AND q.seq = (SELECT max(m.seq) FROM quotes m WHERE m.card_id = q.card_id)",
            batch,
        )
        found.update((r[0], _quote(store, r)) for r in rows)
    return found


def latest_quotes_as_of(store: Store, moment: datetime, card_ids: Sequence[int]) -> dict[int, Quote]:
    """The latest quote each of some cards had at a moment, of those that had one (the audit reads
    them a batch of cards at a time)."""
    return {r[0]: _quote(store, r) for r in store.values(*latest_quotes_query(moment, card_ids))}


def latest_quotes_query(moment: datetime, card_ids: Sequence[int]) -> tuple[str, list]:
    return (f"{_QUOTE_SELECT} WHERE q.card_id IN ({','.join('?' * len(card_ids))}) AND q.at <= ? "
            "AND q.seq = (SELECT max(m.seq) FROM quotes m WHERE m.card_id = q.card_id AND m.at <= ?) ORDER BY q.card_id",
            [*card_ids, ts(moment), ts(moment)])


_TRADE_IN_SELECT = "SELECT t.*, u.name AS author FROM trade_ins t LEFT JOIN users u ON u.id = t.author_id"
_FINANCE_SELECT = "SELECT f.*, u.name AS author FROM finance f LEFT JOIN users u ON u.id = f.author_id"


def trade_in(store: Store, card_id: int, seq: int) -> TradeIn | None:
    row = store.conn.execute(f"{_TRADE_IN_SELECT} WHERE t.card_id = ? AND t.seq = ?", (card_id, seq)).fetchone()
    return _trade_in(store, row) if row else None


def finance_entry(store: Store, card_id: int, seq: int) -> Finance | None:
    row = store.conn.execute(f"{_FINANCE_SELECT} WHERE f.card_id = ? AND f.seq = ?", (card_id, seq)).fetchone()
    return _finance(store, row) if row else None


def latest_finance(store: Store, card_id: int) -> Finance | None:
    """Where the card's loan application stands: its latest step by time."""
    row = store.conn.execute(f"{_FINANCE_SELECT} WHERE f.card_id = ? ORDER BY f.at DESC, f.seq DESC LIMIT 1",
                             (card_id,)).fetchone()
    return _finance(store, row) if row else None


def finance_rejected_at(store: Store, card_id: int) -> datetime | None:
    """When the card's loan was rejected, if that is where its application stands."""
    latest = latest_finance(store, card_id)
    return latest.at if latest is not None and latest.status == FinanceStatus.REJECTED else None


def desk(store: Store, card_id: int) -> DealDesk:
    """A card's deal records, oldest first."""
    drives = store.conn.execute(
        "SELECT t.*, f.seq, u.name AS author FROM test_drives t JOIN followups f ON f.id = t.followup_id "
        f"LEFT JOIN users u ON u.id = f.author_id WHERE t.card_id = ? AND {_STANDING.format(table='t')} "
        "ORDER BY t.at, t.id",
        (card_id,),
    ).fetchall()
    quotes = store.conn.execute(f"{_QUOTE_SELECT} WHERE q.card_id = ? ORDER BY q.seq", (card_id,)).fetchall()
    trade_ins = store.conn.execute(f"{_TRADE_IN_SELECT} WHERE t.card_id = ? ORDER BY t.at, t.seq", (card_id,))
    finance = store.conn.execute(f"{_FINANCE_SELECT} WHERE f.card_id = ? ORDER BY f.at, f.seq", (card_id,))
    return DealDesk(test_drives=tuple(_test_drive(store, r) for r in drives),
                    quotes=tuple(_quote(store, r) for r in quotes),
                    trade_ins=tuple(_trade_in(store, r) for r in trade_ins),
                    finance=tuple(_finance(store, r) for r in finance))


def desk_in(store: Store, scope: Scope) -> dict[str, Iterator[tuple[str, str, int | None, object]]]:
    """For export: each kind of desk record of the scope's cards as (card number, card phone, card
    owner id, record), in card order, read as it is written."""
    scope_sql, params = scope.clause()
    card = "cards.phone AS card_phone, cards.owner_id AS card_owner_id"

    def rows(select: str, alias: str, order: str, convert, where: str = "1") -> Iterator:
        joined = select.replace(" FROM ", f", {card} FROM ", 1)
        cursor = store.each_row(f"{joined} JOIN cards ON cards.id = {alias}.card_id "
                                f"WHERE {where} AND {scope_sql} ORDER BY {alias}.card_id, {order}", params)
        for r in cursor:
            yield card_ref(r["card_id"]), r["card_phone"], r["card_owner_id"], convert(store, r)

    drives = ("SELECT t.*, f.seq, u.name AS author FROM test_drives t JOIN followups f ON f.id = t.followup_id "
              "LEFT JOIN users u ON u.id = f.author_id")
    return {
        "test_drives": rows(drives, "t", "t.at, t.id", _test_drive, _STANDING.format(table="t")),
        "quotes": rows(_QUOTE_SELECT, "q", "q.seq", _quote),
        "trade_ins": rows(_TRADE_IN_SELECT, "t", "t.seq", _trade_in),
        "finance": rows(_FINANCE_SELECT, "f", "f.at, f.seq", _finance),
    }


def _test_drive(store: Store, row) -> TestDrive:
    return TestDrive(row["seq"], store.dt(row["at"]), row["vehicle"], bool(row["licence_checked"]),
                     row["visit_id"], row["author"])


def _quote(store: Store, row) -> Quote:
    """The quote of a row that begins with QUOTE_COLUMNS (`quote_of` of one whose last columns they are)."""
    (_card_id, seq, at, author, author_id, model, price, discount, extras, valid_until, needs_approval, approver,
     approved_at) = row[:_QUOTE_WIDTH]
    if approved_at is not None:
        status = QuoteStatus.APPROVED
    else:
        status = QuoteStatus.PENDING if needs_approval else QuoteStatus.QUOTED
    return Quote(seq, store.dt(at), author, author_id, model, price, discount, extras,
                 date.fromisoformat(valid_until) if valid_until else None, status, approver, store.dt(approved_at))


def quote_of(store: Store, row) -> Quote:
    """The quote of a row whose last columns are QUOTE_COLUMNS (after those of the card it is on)."""
    return _quote(store, tuple(row)[-_QUOTE_WIDTH:])


def _trade_in(store: Store, row) -> TradeIn:
    return TradeIn(row["seq"], store.dt(row["at"]), row["author"], row["vehicle"], row["appraisal"])


def _finance(store: Store, row) -> Finance:
    return Finance(row["seq"], store.dt(row["at"]), row["author"], FinanceStatus(row["status"]), row["bank"],
                   row["amount"])

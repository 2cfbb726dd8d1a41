"""SQL of the monthly targets (月度目标)."""

from __future__ import annotations

from datetime import datetime

from leadcard.model.reports import Target
from leadcard.store import Scope, Store, ts


def insert_target(store: Store, values: dict) -> None:
    store.insert_row("sales_targets", values)


def targets(store: Store, month: str, scope: Scope, before: datetime) -> list[Target]:
    """The target each user of the scope had for the month, as set last before a moment."""
    scope_sql, params = scope.clause("t.user_id")
    rows = store.conn.execute(
        f"""
        SELECT u.name, u.team, t.month, t.orders, t.deliveries, b.name, t.set_at
        FROM sales_targets t JOIN users u ON u.id = t.user_id LEFT JOIN users b ON b.id = t.set_by
        WHERE t.month = ? AND t.set_at < ? AND {scope_sql}
            AND NOT EXISTS (SELECT 1 FROM sales_targets n WHERE n.user_id = t.user_id AND n.month = t.month
                            AND n.set_at < ? AND (n.set_at > t.set_at OR (n.set_at = t.set_at AND n.id > t.id)))
        ORDER BY u.team, u.name
        """,
        [month, ts(before), *params, ts(before)],
    ).fetchall()
    return [Target(r[0], r[1], r[2], r[3], r[4], r[5], store.dt(r[6])) for r in rows]

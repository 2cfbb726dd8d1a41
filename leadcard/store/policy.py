"""SQL of a change of grading scheme: which grades the cards hold, and moving them to the new
scheme's grades with their history."""

from __future__ import annotations

from datetime import datetime

from leadcard.store import Store, ts


def grades_held(store: Store) -> dict[str, int]:
    """grade → how many cards hold it, closed cards included."""
    return dict(store.conn.execute("SELECT grade, count(*) FROM cards GROUP BY grade ORDER BY grade").fetchall())


def regrade(store: Store, moves: dict[str, str], at: datetime, by_id: int | None, reason: str) -> None:
    """Every card graded OLD is graded NEW (moves: OLD → NEW, OLD ≠ NEW), each change written to
    the grade history, inside the caller's transaction. One CASE for all, so that A→B and B→C move
    each card once."""
    if not moves:
        return
    olds = list(moves)
    case = "CASE grade " + " ".join("WHEN ? THEN ?" for _ in olds) + " END"
    case_params = [value for old in olds for value in (old, moves[old])]
    marks = ",".join("?" * len(olds))
    store.conn.execute(
        f"INSERT INTO grade_changes (card_id, at, from_grade, to_grade, by_id, reason, clock_override) "
        f"SELECT id, ?, grade, {case}, ?, ?, ? FROM cards WHERE grade IN ({marks}) ORDER BY id",
        [ts(at), *case_params, by_id, reason, store.clock_override, *olds],
    )
    store.conn.execute(f"UPDATE cards SET grade = {case} WHERE grade IN ({marks})", [*case_params, *olds])


def scheduled_card_ids(store: Store) -> list[int]:
    """The cards a policy schedules: open ones by their grades' cadences and the time limits, won and
    delivered ones by the order's and the owner's schedule."""
    return [r[0] for r in store.conn.execute(
        "SELECT id FROM cards WHERE status IN ('open', 'won', 'delivered') ORDER BY id")]

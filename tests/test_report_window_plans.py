"""A dealer group's report stays an index read (issue 20, issue 23): every query of the reports and the
trends reads the records of its periods through the indexes made for it — in the index alone where
the index holds what the query looks at — and never has SQLite index a table anew on the fly (which
it chose, without statistics, for six months of days). A lost or narrowed index fails here."""

from __future__ import annotations

import re

import pytest

from conftest import database, sqlite_only
from report_stores import build
from test_report_plans import plans_of

# Tables a query makes itself (periods, days, the cards or invitations asked about, a CTE's rows).
MADE_HERE = (r"(p|asked|raised|reassigned|delivered|in_hand|stood|per_card|settled|states|graded|judged|won|moved|"
             r"counted|\(subquery-\d+\))")
# Each index the reads rely on, and what its use reads like in a plan: COVERING, the index alone.
COVERED = {
    "card_events_card": "SEARCH e USING COVERING INDEX card_events_card (card_id=? AND at<?)",
    "card_events_kind_at": "USING COVERING INDEX card_events_kind_at (kind=? AND at>?)",
    "grade_changes_card": "USING COVERING INDEX grade_changes_card (card_id=? AND at<?)",
    "grade_changes_graded": "SEARCH g USING COVERING INDEX grade_changes_graded (to_grade=? AND at>? AND at<?)",
    "followups_card_at": "SEARCH s USING COVERING INDEX followups_card_at (card_id=? AND at>? AND at<?)",
    # Holding a generated column (migration 20), these two are not COVERING in SQLite's plan where
    # that column is read: that the table is not read then is tested below.
    "followups_at": "INDEX followups_at (at>? AND at<?)",
    "followups_invitations": "SEARCH f USING INDEX followups_invitations (next_at>? AND next_at<?)",
    "visits_card": "SEARCH v USING COVERING INDEX visits_card (card_id=? AND arrived_at>? AND arrived_at<?)",
    "visits_arrived": "SEARCH visits USING COVERING INDEX visits_arrived (arrived_at>? AND arrived_at<?)",
}
REPORTS = [("weekly", "--week", "2026-W47"), ("monthly", "--month", "2026-10"), ("trend",),
           ("trend", "--months", "6"), ("trend", "--weeks", "52"), ("trend", "--months", "12")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build(tmp_path_factory.mktemp("window-plans"), 2)


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
@pytest.mark.parametrize("reader", ["赵经理", "钱主管"])
@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a))
def test_a_report_of_many_periods_never_indexes_a_table_anew(demo, monkeypatch, reader, args):
    plans = plans_of(demo, monkeypatch, reader, args)
    made_anew = [(sql[:100], line) for sql, plan in plans for line in plan
                 if "AUTOMATIC" in line and not re.match(rf"SEARCH {MADE_HERE} ", line)]
    assert made_anew == []
    # The withdrawals (few) may be listed once: see test_report_plans.MADE_HERE.
    scanned = rf"SCAN ({MADE_HERE}|users\b.*|counting_w|(\d+ )?CONSTANT ROWS?)$"
    whole = [(sql[:100], line) for sql, plan in plans for line in plan
             if line.startswith("SCAN ") and not re.match(scanned, line)]
    assert whole == []


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
@pytest.mark.parametrize("args", [("weekly", "--week", "2026-W47"), ("trend", "--weeks", "12")], ids=lambda a: a[0])
def test_the_periods_records_are_read_from_the_indexes_alone(demo, monkeypatch, args):
    used = "\n".join(line for _sql, plan in plans_of(demo, monkeypatch, "赵经理", args) for line in plan)
    # A trend shows no funnel and no grade accuracy: it reads no gradings, nor each card's state at the end.
    wanted = {index: seen for index, seen in COVERED.items()
              if args[0] != "trend" or index not in ("card_events_card", "grade_changes_card", "grade_changes_graded")}
    assert {index: seen for index, seen in wanted.items() if seen not in used} == {}, used


def table_reads(db, sql: str, params, index: str) -> list[tuple]:
    """The places in the query's program that read a column of a row of the table behind `index`: a
    row the index points at is looked up (DeferredSeek) only when such a column is read. An index
    holding a generated column is a plain `USING INDEX` in the plan even when the table is never read."""
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    program = db.execute(f"EXPLAIN {sql}", params).fetchall()  # (addr, opcode, p1, p2, p3, …)
    through = {r[2] for r in program if r[1] == "OpenRead" and r[3] == root}
    tables = {r[4] for r in program if r[1] == "DeferredSeek" and r[2] in through}
    return [r for r in program if r[1] == "Column" and r[2] in tables]


@sqlite_only("SQLite's programs (EXPLAIN)")
@pytest.mark.parametrize("reader", ["赵经理", "钱主管"])
@pytest.mark.parametrize("args", [("weekly", "--week", "2026-W47"), ("monthly", "--month", "2026-10"),
                                  ("trend", "--weeks", "12"), ("trend", "--months", "6")], ids=lambda a: " ".join(a))
def test_completeness_and_invitations_are_counted_from_the_indexes_alone(demo, monkeypatch, reader, args):
    """A period's follow-ups by completeness, and the invitations planned for its days, never read a
    follow-up's row: its text stays unread (issue 20 item 2, issue 23 item 5)."""
    queries: list = []
    plans_of(demo, monkeypatch, reader, args, queries)
    counted = [q for q in queries if "f.complete" in q[0]]
    invited = [q for q in queries if "followups_invitations" in q[0]]
    # The follow-ups a range of their index for each period; the invitations one pass over the days.
    assert len(counted) == (int(args[2]) if args[0] == "trend" else 1) and len(invited) == 1
    with database(demo) as db:
        assert [(sql[:100], read) for sql, params in counted for read in table_reads(db, sql, params, "followups_at")] == []
        assert [(sql[:100], read) for sql, params in invited
                for read in table_reads(db, sql, params, "followups_invitations")] == []
        assert all(table_reads(db, "SELECT author_id, content FROM followups f INDEXED BY followups_at WHERE at > ?",
                               ("2026-01-01",), "followups_at"))  # what a read of the table looks like


@sqlite_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
@pytest.mark.parametrize("reader", ["赵经理", "钱主管"])
def test_a_months_cards_and_gradings_are_steps_into_each_cards_own_records(demo, monkeypatch, reader):
    """The cards' states at the month's ends and the gradings judged look each card's records up in
    its own indexes — its latest status event, its earlier gradings to the grade — instead of
    numbering them all by a window function, whose sort cost the month's report a tenth of its
    steps; and the objections ask whether a follow-up counts only of those that raised one."""
    plans = plans_of(demo, monkeypatch, reader, ("monthly", "--month", "2026-10"))
    [states] = [plan for sql, plan in plans if "stood AS MATERIALIZED" in sql]
    gradings = [plan for sql, plan in plans if "graded AS MATERIALIZED" in sql]
    [objections] = [plan for sql, plan in plans if "followup_objections fo" in sql]
    assert len(gradings) == 2  # the forecast's 90 days and the month's grade accuracy
    assert [line for plan in [states, *gradings] for line in plan if "ORDER BY" in line] == []
    assert "SEARCH e USING COVERING INDEX card_events_card (card_id=? AND at<?)" in states
    assert all("SEARCH o USING COVERING INDEX grade_changes_card (card_id=? AND at>? AND at<?)" in plan
               for plan in gradings)
    raised = next(i for i, line in enumerate(objections) if line.startswith("SEARCH fo "))
    corrected = next(i for i, line in enumerate(objections) if line.startswith("SEARCH counting_n "))
    assert raised < corrected

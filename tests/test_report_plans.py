"""The report's and the trend's queries are indexed reads of the periods' records: EXPLAIN QUERY PLAN
of every query they run, for a manager and a supervisor, scans no table of the store — only the
small tables the queries make (the periods, the cards asked about, a CTE's rows) and the users."""

from __future__ import annotations

import re

import pytest

from leadcard.store import Store
from report_stores import build

NOW = "2026-11-30T09:00:00"
# What a plan may SCAN: the queries' own tables of periods and cards asked about, a CTE or
# subquery's rows, the users (a few dozen rows) and the withdrawals (follow-ups logged on the wrong
# card: few), listed once by a query that would otherwise look each follow-up up in them.
MADE_HERE = re.compile(r"SCAN (p|asked|raised|reassigned|delivered|in_hand|stood|per_card|settled|states|graded|"
                       r"judged|won|counted|users\b.*|counting_w|\(subquery-\d+\)|(\d+ )?CONSTANT ROWS?)$")


class Recording:
    """A connection that notes the plan of every query it runs (and, given a list, the query with
    its parameters)."""

    def __init__(self, conn, plans: list, queries: list | None = None):
        self.conn, self.plans, self.queries = conn, plans, queries

    def __getattr__(self, name):
        return getattr(self.conn, name)

    def execute(self, sql, params=()):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            self.plans.append((" ".join(sql.split()), [r[3] for r in self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]))
            if self.queries is not None:
                self.queries.append((sql, params))
        return self.conn.execute(sql, params)


def plans_of(demo, monkeypatch, reader: str, args: tuple[str, ...],
             queries: list | None = None) -> list[tuple[str, list[str]]]:
    """Each query a report ran, with its plan (EXPLAIN QUERY PLAN); `queries` hears each query and
    its parameters."""
    plans: list[tuple[str, list[str]]] = []
    opened, second = Store.open, Store.reader

    def recording(*a, **k):
        store = opened(*a, **k)
        store.conn = Recording(store.conn, plans, queries)
        return store

    def recording_beside(store):  # the connection that reads meanwhile in a thread of its own
        beside = second(store)
        beside.conn = Recording(beside.conn, plans, queries)
        return beside

    monkeypatch.setattr(Store, "open", recording)
    monkeypatch.setattr(Store, "reader", recording_beside)
    demo.ok("report", *args, "--json", now=NOW, user=reader)
    return plans


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build(tmp_path_factory.mktemp("plans"), 1)


@pytest.mark.parametrize("reader", ["赵经理", "钱主管"])
@pytest.mark.parametrize("args", [("weekly", "--week", "2026-W47"), ("monthly", "--month", "2026-10"),
                                  ("trend", "--weeks", "12"), ("trend", "--months", "3")])
def test_every_report_query_is_an_indexed_read(demo, monkeypatch, reader, args):
    plans = plans_of(demo, monkeypatch, reader, args)
    scans = [(sql[:120], line) for sql, plan in plans for line in plan
             if line.startswith("SCAN") and not MADE_HERE.match(line)]
    assert scans == []
    used = " ".join(line for _sql, plan in plans for line in plan)
    for index in ("cards_created", "cards_in_hand", "card_events_kind_at", "followups_at", "followups_invitations",
                  "followups_card_at"):
        assert f"INDEX {index}" in used, index
    if args[0] != "trend":
        assert "INDEX cards_closed" in used  # the cards closed before the period, counted off the index
        # … and those reassigned among them looked up one by one from their assignments, never by a
        # pass over the closed cards asking each whether it was reassigned.
        [moved] = [plan for sql, plan in plans if "FROM (SELECT DISTINCT card_id FROM card_events WHERE kind = 'assigned')" in sql]
        assert moved[:5] == ["CO-ROUTINE reassigned", "SEARCH card_events USING COVERING INDEX card_events_kind_at (kind=?)",
                             "USE TEMP B-TREE FOR DISTINCT", "SCAN reassigned",
                             "SEARCH cards USING INTEGER PRIMARY KEY (rowid=?)"], moved

"""SQL of objections (客户异议), the script library (话术库) and the case library (案例库)."""

import json
from datetime import datetime
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from leadcard.model import Case, Objection, Script, Status, card_ref
from leadcard.store import Scope, Store, ts
from leadcard.store.counting import counts

# -- the store's list ------------------------------------------------------------------------------


def objections(store: Store) -> list[Objection]:
    rows = store.conn.execute("SELECT tag, label, active FROM objections ORDER BY id").fetchall()
    return [Objection(r["tag"], r["label"], bool(r["active"])) for r in rows]


def add_objection(store: Store, tag: str, label: str, at: datetime) -> None:
    store.insert_row("objections", {"tag": tag, "label": label, "created_at": at})


def update_objection(store: Store, tag: str, label: str | None, active: bool | None) -> None:
    if label is not None:
        store.conn.execute("UPDATE objections SET label = ? WHERE tag = ?", (label, tag))
    if active is not None:
        store.conn.execute("UPDATE objections SET active = ? WHERE tag = ?", (int(active), tag))


def record_on_followup(store: Store, followup_id: int, tags: Iterable[str]) -> None:
    store.conn.executemany(
        "INSERT INTO followup_objections (followup_id, tag) VALUES (?, ?)", [(followup_id, t) for t in tags]
    )


# -- the script library ----------------------------------------------------------------------------

_SCRIPT = """
    SELECT o.tag, o.label, p.text, p.at, u.name AS author,
        (SELECT count(*) FROM playbook v WHERE v.tag = o.tag AND v.id <= p.id) AS version
    FROM objections o
    LEFT JOIN playbook p ON p.id = (SELECT max(q.id) FROM playbook q WHERE q.tag = o.tag)
    LEFT JOIN users u ON u.id = p.author_id
"""


def latest_scripts(store: Store, tags: Sequence[str] | None = None) -> list[Script]:
    """The latest script of each objection (of `tags`, or of all), in the list's order: one query."""
    if tags is None:
        rows = store.conn.execute(_SCRIPT + " ORDER BY o.id").fetchall()
    else:
        marks = ",".join("?" * len(tags))
        rows = store.conn.execute(_SCRIPT + f" WHERE o.tag IN ({marks}) ORDER BY o.id", list(tags)).fetchall()
    return [_script(store, r) for r in rows]


def plan_of_latest_scripts(store: Store, tags: Sequence[str]) -> str:
    """The query plan of `today`'s script lookup, for the test that guards its indexes."""
    marks = ",".join("?" * len(tags))
    return store._plan(_SCRIPT + f" WHERE o.tag IN ({marks}) ORDER BY o.id", list(tags))


def script_history(store: Store, tag: str) -> list[Script]:
    """Every version of an objection's script, oldest first."""
    rows = store.conn.execute(
        "SELECT p.tag, o.label, p.text, p.at, u.name AS author, "
        "row_number() OVER (ORDER BY p.id) AS version "
        "FROM playbook p JOIN objections o ON o.tag = p.tag LEFT JOIN users u ON u.id = p.author_id "
        "WHERE p.tag = ? ORDER BY p.id",
        (tag,),
    ).fetchall()
    return [_script(store, r) for r in rows]


def add_script(store: Store, tag: str, text: str, author_id: int | None, at: datetime) -> None:
    store.insert_row("playbook", {"tag": tag, "text": text, "author_id": author_id, "at": at})


def _script(store: Store, r) -> Script:
    return Script(r["tag"], r["label"], r["text"], r["author"], store.dt(r["at"]), r["version"] if r["text"] else 0)


# -- the case library ------------------------------------------------------------------------------


def has_case(store: Store, card_id: int) -> bool:
    return store.conn.execute("SELECT 1 FROM cases WHERE card_id = ?", (card_id,)).fetchone() is not None


def add_case(store: Store, card_id: int, outcome: Status, lesson: str, author_id: int | None, at: datetime) -> None:
    store.insert_row("cases", {"card_id": card_id, "outcome": outcome, "lesson": lesson, "author_id": author_id,
                               "at": at})


def cases(store: Store, scope: Scope, tag: str | None = None, outcome: Status | None = None,
          card_id: int | None = None) -> list[Case]:
    """Teaching cases on the cards in scope, newest first, each with every objection its card raised."""
    scope_sql, params = scope.clause()
    where = [scope_sql]
    if card_id is not None:
        where.append("cases.card_id = ?")
        params.append(card_id)
    if outcome is not None:
        where.append("cases.outcome = ?")
        params.append(outcome.value)
    if tag is not None:
        where.append("EXISTS (SELECT 1 FROM followups f JOIN followup_objections fo ON fo.followup_id = f.id "
                     f"WHERE f.card_id = cases.card_id AND fo.tag = ? AND {counts('f')})")
        params.append(tag)
    rows = store.conn.execute(
        f"""
        SELECT cases.*, cards.name, cards.model, cards.outcome AS card_outcome, owner.name AS owner_name,
            author.name AS author_name,
            (SELECT group_concat(tag) FROM (SELECT fo.tag FROM followups f
                JOIN followup_objections fo ON fo.followup_id = f.id
                WHERE f.card_id = cases.card_id AND {counts('f')} GROUP BY fo.tag ORDER BY min(fo.rowid)) raised)
                AS tags
        FROM cases JOIN cards ON cards.id = cases.card_id
        LEFT JOIN users owner ON owner.id = cards.owner_id LEFT JOIN users author ON author.id = cases.author_id
        WHERE {' AND '.join(where)}
        ORDER BY cases.at DESC, cases.id DESC
        """,
        params,
    ).fetchall()
    return [
        Case(card_id=r["card_id"], ref=card_ref(r["card_id"]), name=r["name"], owner=r["owner_name"],
             outcome=Status(r["outcome"]), lesson=r["lesson"], author=r["author_name"], at=store.dt(r["at"]),
             objections=tuple(r["tags"].split(",")) if r["tags"] else (), model=r["model"],
             detail=json.loads(r["card_outcome"]) if r["card_outcome"] else {})
        for r in rows
    ]


# -- for the audit and the reports -----------------------------------------------------------------


def labels(store: Store) -> dict[str, str]:
    return {o.tag: o.label for o in objections(store)}


def first_scripts(store: Store, until: datetime) -> dict[str, datetime]:
    """When each objection's first script was written, among those written by `until`."""
    rows = store.conn.execute("SELECT tag, min(at) FROM playbook WHERE at <= ? GROUP BY tag", (ts(until),))
    return {r[0]: store.dt(r[1]) for r in rows}


class ObjectionCards(NamedTuple):
    tag: str
    label: str
    cards: int  # cards whose effective follow-ups dated in the period raised it
    won: int  # … of which won at the period's end


def objection_cards(store: Store, scope: Scope, start: datetime, end: datetime) -> list[ObjectionCards]:
    """Per objection: the cards that raised it in the period and how many of them were won by its end."""
    # The report's clauses: imported here so that `today`, which reads scripts from this module, does not pay.
    from leadcard.store.counting import counts_listed
    from leadcard.store.reports import _cards_for, _scope, _status_event_at

    scope_sql, params = _scope(scope)
    # Whether a follow-up counts is asked only of those that raised an objection (its id as the
    # objections name it), in the list of what stops one by the end; whether a card was won, once
    # per card and objection (materialized).
    rows = store.conn.execute(
        f"""
        WITH raised AS (
            SELECT DISTINCT fo.tag, f.card_id FROM followups f
            JOIN followup_objections fo ON fo.followup_id = f.id {_cards_for(scope_sql, 'f.card_id')}
            WHERE f.at >= :start AND f.at < :end AND {counts_listed('fo', '< :end', 'followup_id')}
                AND {scope_sql}
        ), judged AS MATERIALIZED (
            SELECT raised.tag,
                CASE WHEN {_status_event_at(':end', 'raised.card_id')} IN ('won', 'delivered') THEN 1 ELSE 0 END
                    AS won_then
            FROM raised
        )
        SELECT judged.tag, o.label, count(*) AS cards, sum(judged.won_then) AS won
        FROM judged JOIN objections o ON o.tag = judged.tag
        GROUP BY judged.tag, o.label, o.id ORDER BY cards DESC, won DESC, o.id
        """,
        {**params, "start": ts(start), "end": ts(end)},
    ).fetchall()
    return [ObjectionCards(r["tag"], r["label"], r["cards"], r["won"]) for r in rows]

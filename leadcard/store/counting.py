"""Which follow-ups count: the one definition every query that reads follow-ups as contacts uses.

A follow-up stops counting when a later entry corrects it (更正: the correction counts in its
place) or when it is withdrawn (撤回: it was logged on the wrong card, so it never was a contact
with this customer). Both are new records, never edits: the follow-ups are append-only. A grade
judged at a withdrawn follow-up is withdrawn with it.

Each fragment is SQL over a follow-up (alias `f` unless told), with its own aliases inside, so it
drops into any query. `until` bounds the records that stop an entry from counting by their time
(a comparison such as `< :end`), for reads of the store as it stood at a moment: a withdrawal by
when it was made, a correction by the date of its contact (the reports: dated records), or with
`recorded` by when it was written (the audit: what was known then).
"""

from __future__ import annotations


def withdrawn(followup_id: str = "f.id", until: str | None = None) -> str:
    """True when the follow-up whose id is `followup_id` was withdrawn (by `until`)."""
    bound = f" AND counting_w.at {until}" if until else ""
    return f"EXISTS (SELECT 1 FROM followup_voids counting_w WHERE counting_w.followup_id = {followup_id}{bound})"


def corrected(alias: str = "f", until: str | None = None, recorded: bool = False,
              followup_id: str | None = None) -> str:
    """True when a later entry corrects the follow-up (corrections are dated like what they correct)."""
    bound = f" AND counting_n.{'recorded_at' if recorded else 'at'} {until}" if until else ""
    followup_id = followup_id or f"{alias}.id"
    return f"EXISTS (SELECT 1 FROM followups counting_n WHERE counting_n.corrects = {followup_id}{bound})"


def counts(alias: str = "f", until: str | None = None, recorded: bool = False, followup_id: str | None = None) -> str:
    """The follow-up counts: neither corrected nor withdrawn. `followup_id`: its id as a joined table
    names it (default `alias.id`), so that SQLite checks this only for the rows the join keeps."""
    followup_id = followup_id or f"{alias}.id"
    return f"(NOT {corrected(alias, until, recorded, followup_id)} AND NOT {withdrawn(followup_id, until)})"


def counts_listed(alias: str, until: str, id_column: str = "id") -> str:
    """As `counts`, for a bound the same for every follow-up the query reads (a parameter, not a
    column): the entries that stop one from counting by then — corrections, through their own index,
    and withdrawals, both few — are listed once, and each follow-up is looked up in the list instead
    of in the two tables, each look-up a cursor opened (a third of the work of counting a month's
    follow-ups at 100,000 cards). `id_column`: the follow-up's id as `alias` names it (the objections:
    `followup_id`)."""
    return (f"{alias}.{id_column} NOT IN (SELECT counting_n.corrects "
            f"FROM followups counting_n INDEXED BY followups_corrects "
            f"WHERE counting_n.corrects IS NOT NULL AND counting_n.at {until} "
            f"UNION ALL SELECT counting_w.followup_id FROM followup_voids counting_w WHERE counting_w.at {until})")


def counts_by(alias: str, until: str, last: str) -> str:
    """As `counts`, for a bound that differs from one follow-up to the next (`until`, a column: each
    period's end) but is never after the parameter `last`: a follow-up that nothing stops by `last`
    (the stoppers listed once, as in `counts_listed`) counts by every earlier bound too, so only the
    few listed are looked up in the two tables at their own bound."""
    return f"({counts_listed(alias, f'< {last}')} OR {counts(alias, f'< {until}')})"


def grade_counts(alias: str = "g", until: str | None = None) -> str:
    """A grade change counts unless it was judged at a follow-up since withdrawn."""
    return f"({alias}.followup_id IS NULL OR NOT {withdrawn(f'{alias}.followup_id', until)})"


# A follow-up as `show` and `export` read it: who wrote it, what it corrects and what corrected
# it, the objections raised, whether it counts, and its withdrawal (None when it stands).
FOLLOWUP_COLUMNS = (
    "f.*, u.name AS author_name, c.seq AS corrects_seq, "
    "(SELECT min(n.seq) FROM followups n WHERE n.corrects = f.id) AS corrected_by_seq, "
    "(SELECT group_concat(o.tag) FROM (SELECT tag FROM followup_objections WHERE followup_id = f.id "
    "ORDER BY rowid) o) AS objection_tags, "
    f"{counts('f')} AS counts, "
    "w.at AS withdrawn_at, w.reason AS withdrawn_reason, wu.name AS withdrawn_by"
)
FOLLOWUP_JOINS = (
    "LEFT JOIN users u ON u.id = f.author_id LEFT JOIN followups c ON c.id = f.corrects "
    "LEFT JOIN followup_voids w ON w.followup_id = f.id LEFT JOIN users wu ON wu.id = w.by_id"
)

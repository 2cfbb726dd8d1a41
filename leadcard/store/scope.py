"""Whose cards a query may see, and what a card list asks for: values every query of the store reads
(without string annotations: `today` builds them, and compiling annotations costs start-up)."""

from typing import NamedTuple


class Scope(NamedTuple):
    """Whose cards a query may see: None is everybody (single-user mode, a manager)."""

    owner_ids: frozenset[int] | None = None

    def clause(self, column: str = "cards.owner_id") -> tuple[str, list]:
        if self.owner_ids is None:
            return "1", []
        if not self.owner_ids:
            return "0", []
        marks = ",".join("?" * len(self.owner_ids))
        return f"{column} IN ({marks})", sorted(self.owner_ids)


EVERYONE = Scope()


class CardFilter(NamedTuple):
    grade: str | None = None
    status: str | None = None  # a Status value; 'dormant' is derived from dormant_at
    owner_ids: frozenset[int] | None = None
    search: str | None = None
    search_phone: str | None = None  # the search text as phone digits, when it is digits
    do_not_contact: bool = False  # list the cards marked do-not-contact instead of the others
    named_owner: str | None = None  # the consultant an imported sheet named, kept on cards until a user

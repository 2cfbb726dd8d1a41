"""What an import reports: how much it wrote (or would write), the rows it left out and why, grouped
by kind of problem, and how it understood the file's columns and words."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from leadcard.domain.exchange.layout import CARD_SHEET


@dataclass(frozen=True)
class Problem:
    part: str  # which table: 意向客户 (cards) or 跟进记录 (follow-ups)
    line: int  # the header is line 1, as a spreadsheet numbers its rows
    reason: str
    kind: str = "other"  # grade, source, owner, phone, date, name, future, duplicate, other
    summary: str | None = None  # the kind of problem, rows alike; None: the reason is it
    value: str | None = None  # what the row held, when the summary does not say it


@dataclass(frozen=True)
class ProblemGroup:
    """Rows with the same problem: one line for a person, however many rows."""

    part: str
    kind: str
    message: str
    lines: list[int]
    values: list[str]  # distinct values the rows held (when the message does not name one), the first few

    @property
    def of_cards(self) -> bool:
        """Whether the rows are the cards' (not 跟进记录's or 主管批示's): other rows say their table."""
        return self.part == CARD_SHEET


# Values named beside a group's message: enough to recognise the mistake.
SHOWN_VALUES = 3


def grouped(problems: list[Problem]) -> list[ProblemGroup]:
    """The problems by part and kind, in the order first met; each group's rows in file order. A
    problem of one row alone is told in that row's own words."""
    groups: dict[tuple[str, str, str], ProblemGroup] = {}
    first: dict[tuple[str, str, str], str] = {}
    for p in problems:
        key = (p.part, p.kind, p.summary or p.reason)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ProblemGroup(p.part, p.kind, key[2], [], [])
            first[key] = p.reason
        group.lines.append(p.line)
        if p.value is not None and len(group.values) < SHOWN_VALUES and p.value not in group.values:
            group.values.append(p.value)
    return [ProblemGroup(g.part, g.kind, first[key], g.lines, []) if len(g.lines) == 1 else g
            for key, g in groups.items()]


@dataclass
class ImportReport:
    path: str
    format: str
    encoding: str | None
    dry_run: bool
    skip_bad: bool
    written: bool = False
    cards: int = 0
    followups: int = 0
    errors: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    instructions: int = 0
    skipped_history: int = 0  # follow-ups and instructions of cards already in the store: not imported again
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    rejects: list[str] = field(default_factory=list)
    # part → [(the file's header, field key, the field's own header)]: key "_notes" for a column kept
    # in the notes, "_ignored" for one read and left (序号, 卡号)
    columns: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    # column (source, grade, owner) → (as written, as understood) → rows
    understood: dict[str, Counter] = field(default_factory=dict)
    created_users: list[str] = field(default_factory=list)  # --create-users: the consultants made
    ignored_sheets: list = field(default_factory=list)  # tables.IgnoredSheet: a workbook's sheets not read
    beside: list[str] = field(default_factory=list)  # the history's CSV files read beside the cards' (FILE.followups.csv)
    team: str | None = None

    @property
    def bad_rows(self) -> int:
        """Rows with a problem (a row may have several)."""
        return len({(p.part, p.line) for p in self.errors})

    @property
    def error_groups(self) -> list[ProblemGroup]:
        return grouped(self.errors)

    @property
    def duplicate_groups(self) -> list[ProblemGroup]:
        return grouped(self.duplicates)

    @property
    def failed(self) -> bool:
        """Bad rows without --skip-bad: nothing is (or would be) written."""
        return bool(self.errors) and not self.skip_bad

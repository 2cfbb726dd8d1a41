"""What an import reports: how much it wrote (or would write), and the rows it left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    part: str  # which table: 意向客户 (cards) or 跟进记录 (follow-ups)
    line: int  # the header is line 1, as a spreadsheet numbers its rows
    reason: str


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

    @property
    def failed(self) -> bool:
        """Bad rows without --skip-bad: nothing is (or would be) written."""
        return bool(self.errors) and not self.skip_bad

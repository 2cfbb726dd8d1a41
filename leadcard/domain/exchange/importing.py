"""`leadcard import`: cards (and their follow-up history) from the store's Excel habits.

All or nothing (CONTRACT.md): rows are validated by the same parsers as `add` and `log`, inserted
chunk by chunk inside one transaction, and the transaction is rolled back when any row is bad
(unless --skip-bad) or on --dry-run, so a dry run reports exactly what a real run would do.
Rows stream from the file: memory stays flat however long it is.

Here the import is run; its tables are read by import_rows, each row checked by import_checks
(cells by import_values), and written by import_writing; import_report holds what it reports.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Callable

from leadcard.domain.exchange.import_checks import RowChecks
from leadcard.domain.exchange.import_report import ImportReport
from leadcard.domain.exchange.import_rows import Rows
from leadcard.domain.exchange.import_writing import ImportWriter
from leadcard.domain.exchange.layout import CARD_SHEET, FOLLOWUP_SHEET, INSTRUCTION_SHEET, beside
from leadcard.domain.exchange.tables import is_workbook, open_tables
from leadcard.domain.session import Session
from leadcard.errors import BadInput, Refused
from leadcard.i18n import _
from leadcard.model import Role
from leadcard.store import exchange as sql
from leadcard.usertext import check_text

CHUNK = 2000


class _Discard(Exception):
    """Raised inside the import's transaction to roll it back (dry run, bad rows)."""


def import_file(session: Session, path: Path, followups: Path | None, instructions: Path | None,
                dry_run: bool, skip_bad: bool, progress: Callable[[int, int | None], None] | None = None,
                create_users: bool = False, team: str | None = None) -> ImportReport:
    """Cards from FILE; their history (跟进记录) and supervisor instructions (主管批示) from the
    workbook's other sheets or from files of their own. `progress` hears of each chunk of cards.
    `create_users`: the consultants the sheet names who are not users are made consultants of `team`."""
    path = Path(path)
    team = _may_create_users(session, create_users, team)
    parts = {FOLLOWUP_SHEET: followups, INSTRUCTION_SHEET: instructions}
    found_beside = _found_beside(path, parts)
    with ExitStack() as stack:
        tables, ignored = open_tables(stack, path, {**parts, **found_beside})
        cards, history, notes = (tables.get(part) for part in (CARD_SHEET, FOLLOWUP_SHEET, INSTRUCTION_SHEET))
        report = ImportReport(str(path), "xlsx" if is_workbook(path) else "csv", cards.encoding, dry_run, skip_bad)
        report.team, report.ignored_sheets = team, ignored
        report.beside = [str(p) for p in found_beside.values()]
        checks = RowChecks(session, report, create_users, team)
        writer = ImportWriter(session, report, with_history=history is not None)
        try:
            sql.prepare_bulk_load(session.store)
            with session.store.transaction():
                with sql.card_indexes_deferred(session.store):
                    card_rows = Rows(stack, cards, report, checks.card, CHUNK, progress)
                    checks.card_fields(card_rows.fields)
                    writer.cards(card_rows)
                if history is not None:
                    writer.followups(Rows(stack, history, report, checks.followup, CHUNK))
                    writer.grade_history()
                if notes is not None:
                    writer.instructions(Rows(stack, notes, report, checks.instruction, CHUNK))
                if dry_run or report.failed:
                    raise _Discard
        except _Discard:
            pass
        else:
            report.written = True
    if not report.written:
        report.rejects = []
    return report


def _found_beside(path: Path, given: dict[str, Path | None]) -> dict[str, Path]:
    """The history a CSV export wrote beside its cards (FILE.followups.csv, FILE.instructions.csv),
    for the parts not given a file of their own: read with the cards, as a workbook's sheets are."""
    if is_workbook(path):
        return {}
    return {part: beside(path, part) for part, file in given.items() if file is None and beside(path, part).is_file()}


def _may_create_users(session: Session, create_users: bool, team: str | None) -> str | None:
    """--create-users is a manager's, in a store that has users (a store without them keeps the names
    on the cards); --team says where they go."""
    if team is not None and not create_users:
        raise BadInput(_("--team 只和 --create-users 一起用：它是新建顾问所在的小组"))
    if not create_users:
        return None
    if session.store.user_count() == 0:
        raise Refused(_("本店还没有用户：不加 --create-users 导入，销售顾问的姓名会记在卡片上，"
                        "以后 `leadcard user add 姓名` 添加该用户时卡片即归其负责"))
    session.require_role(Role.MANAGER, doing=_("导入时创建用户"))
    if team is not None:
        check_text(team, _("用户的小组"), line=True)
        if not team.strip():
            raise BadInput(_("--team 是空的：写出小组的名字"))
    return team.strip() if team else None

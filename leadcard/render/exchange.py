"""Output of import, export, calendar, backup, restore and doctor, and the files export and calendar
write: CSV, XLSX, JSON and ICS. Never queries the store: export's rows arrive as streams the domain
reads only as they are written, so 100,000 cards never sit in memory at once."""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from datetime import timedelta, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from leadcard.atomic import replacing
from leadcard.i18n import N_, _
from leadcard.usertext import shown, to_cell
from leadcard.model import DUE_REASON_LABELS
from leadcard.model.exchange import EXPORT_FORMAT, EXPORT_VERSION
from leadcard.render.common import bytes_on_stdout, console, dumps, file_on_stdout, json_writer, new_table, print_json


# A group of problems lists its rows up to this many; beyond, the first three and how many in all.
SHOWN_LINES = 6
# A column's ways of writing (来源, 级别, 销售顾问) a dry run lists, the most common first.
SHOWN_SPELLINGS = 20
_OWNER_MEANINGS = {"user": N_("本店用户"), "kept": N_("记在卡片上（尚无此用户）"), "created": N_("新建为顾问")}


def import_json(report) -> dict:
    return {
        "file": report.path,
        "format": report.format,
        "encoding": report.encoding,
        "dry_run": report.dry_run,
        "written": report.written,
        "imported": {"cards": report.cards, "followups": report.followups, "instructions": report.instructions},
        "errors": [_row_problem(p) for p in report.errors],
        "duplicates": [_row_problem(p) for p in report.duplicates],
        "problems": [{"part": g.part, "kind": g.kind, "message": g.message, "lines": g.lines, "count": len(g.lines),
                      "values": g.values} for g in (*report.error_groups, *report.duplicate_groups)],
        "skipped_history": report.skipped_history,
        "unknown_columns": report.unknown_columns,
        "columns": {part: [{"header": title, "field": key} for title, key, _label in columns]
                    for part, columns in report.columns.items()},
        "understood": {column: [{"written": written, "read_as": meaning, "rows": n}
                                for (written, meaning), n in counts.most_common()]
                       for column, counts in report.understood.items() if counts},
        "created_users": report.created_users,
        "rejects": report.rejects,
        "ignored_sheets": [{"file": s.file, "sheet": s.sheet, "hidden": s.hidden} for s in report.ignored_sheets],
        "beside": report.beside,
    }


def _row_problem(problem) -> dict:
    """One row's problem as JSON: the rows grouped by kind are `problems`."""
    return {"part": problem.part, "line": problem.line, "reason": problem.reason}


def import_report(report, as_json: bool) -> None:
    if as_json:
        print_json(import_json(report))
        return
    out, err = console(), console(stderr=True)
    if report.ignored_sheets:
        sheets = [_("{sheet}（隐藏）").format(sheet=s.sheet) if s.hidden else s.sheet for s in report.ignored_sheets]
        err.print(_("未读取这些工作表（只读卡片、跟进记录和主管批示）：{sheets}").format(sheets=_("、").join(sheets)))
    if report.beside:
        err.print(_("同时读取旁边的跟进记录、主管批示：{files}").format(files=_("、").join(report.beside)))
    if report.dry_run:
        _understood(report, out)
    for part, titles in report.unknown_columns.items():
        out.print(_("{part}：未识别的列 {columns}（内容已写入备注）").format(part=part, columns=_("、").join(titles)))
    for title, groups in ((_("有误的行"), report.error_groups), (_("重复的电话（未导入）"), report.duplicate_groups)):
        if groups:
            out.print(title)
            several_parts = len({g.part for g in groups}) > 1
            for group in groups:
                line = problem_line(group.lines, group.message, group.values)
                named = several_parts or not group.of_cards
                out.print("  " + (_("{part}：{line}").format(part=group.part, line=line) if named else line))
    if report.created_users:
        pending = report.dry_run or not report.written
        if report.team:
            text = _("将新建{team}的顾问：{names}") if pending else _("已新建{team}的顾问：{names}")
        else:
            text = _("将新建顾问：{names}") if pending else _("已新建顾问：{names}")
        out.print(text.format(team=report.team, names=_("、").join(report.created_users)))
    if report.failed:
        err.print(_("导入失败：{n} 行有误，未写入任何数据（修正后重试，或用 --skip-bad 跳过）").format(n=report.bad_rows))
        return
    counts = dict(cards=report.cards, followups=report.followups, instructions=report.instructions)
    if report.dry_run or not report.written:
        summary = _("将导入 {cards} 张卡片、{followups} 条跟进记录、{instructions} 条主管批示").format(**counts)
    else:
        summary = _("已导入 {cards} 张卡片、{followups} 条跟进记录、{instructions} 条主管批示").format(**counts)
    if report.duplicates:
        summary += _("，跳过重复 {n} 行").format(n=len(report.duplicates))
    if report.skipped_history:
        summary += _("，已有卡片的跟进/批示 {n} 条未再导入").format(n=report.skipped_history)
    if report.errors:
        summary += _("，跳过有误 {n} 行").format(n=report.bad_rows)
    if report.dry_run:
        summary += _("（试运行，未写入）")
    out.print(summary)
    for path in report.rejects:
        out.print(_("有误的行已写入 {path}").format(path=path))


def restore_report(report, as_json: bool) -> None:
    """What a JSON export's restore wrote, table by table."""
    if as_json:
        print_json({"file": report.path, "format": "json", "dry_run": report.dry_run, "written": report.written,
                    "imported": report.counts, "errors": [], "logins_not_restored": report.unbound})
        return
    out = console()
    counts = report.counts
    values = dict(cards=counts.get("cards", 0), followups=counts.get("followups", 0),
                  rows=sum(counts.values()), tables=len(counts))
    if report.written:
        out.print(_("已恢复整个数据库：{cards} 张卡片、{followups} 条跟进记录，{tables} 张表共 {rows} 条记录").format(**values))
    else:
        out.print(_("将恢复整个数据库：{cards} 张卡片、{followups} 条跟进记录，{tables} 张表共 {rows} 条记录（试运行，未写入）")
                  .format(**values))
    if report.unbound:
        out.print(_("这些用户的登录名绑定未恢复（否则当前登录下没有经理能操作）：{names}；请用 `leadcard user bind` 重新绑定")
                  .format(names=_("、").join(report.unbound)))


def problem_line(lines: list[int], message: str, values: list[str]) -> str:
    """第 3、5、9 行：级别「D」不在本店的分级中 — a kind of problem and the rows it affects."""
    if values:
        message = _("{problem}（{values}）").format(problem=message, values=_("、").join(values))
    if len(lines) == 1:
        rows = _("第 {row} 行").format(row=lines[0])
    elif len(lines) <= SHOWN_LINES:
        rows = _("第 {rows} 行").format(rows=_("、").join(map(str, lines)))
    else:
        rows = _("第 {rows}…共 {count} 行").format(rows=_("、").join(map(str, lines[:3])), count=f"{len(lines):,}")
    return _("{rows}：{problem}").format(rows=rows, problem=message)


def _understood(report, out) -> None:
    """What a dry run shows a manager before writing: each header's field, and each way the sheet
    writes a source, a grade and a consultant, as read."""
    for part, columns in report.columns.items():
        out.print(_("{part} 的列：").format(part=part))
        for title, key, label in columns:
            if key == "_notes":
                line = _("{header} → 备注（未识别的列）").format(header=title)
            elif key == "_ignored":
                line = _("{header} → 不导入").format(header=title)
            else:  # the key is the field's name in JSON and in the contract, typed as it is
                line = _("{header} → {label} `{key}`").format(header=title, label=label, key=key)
            out.print("  " + line)
    names = {"source": _("来源"), "grade": _("级别"), "owner": _("销售顾问")}
    for column, counts in report.understood.items():
        if not counts:
            continue
        spellings = []
        for (written, meaning), n in counts.most_common(SHOWN_SPELLINGS):
            meaning = _(_OWNER_MEANINGS[meaning]) if column == "owner" else f"`{meaning}`"
            spellings.append(_("{written} → {meaning}（{n} 行）").format(
                written=written or _("（空）"), meaning=meaning, n=f"{n:,}"))
        out.print(_("{column}的读法：").format(column=names[column]))
        for spelling in spellings:
            out.print("  " + spelling)
        if len(counts) > SHOWN_SPELLINGS:
            out.print("  " + _("…另有 {n} 种写法").format(n=len(counts) - SHOWN_SPELLINGS))


# -- export --------------------------------------------------------------------------------------------


def write_export(sheets, fmt: str, output: Path | None, stdout: IO[str]) -> list[str]:
    """One workbook, one JSON document, or a CSV file per sheet (FILE.followups.csv … beside the
    first; on stdout the cards alone). Returns the files written (none: stdout)."""
    if fmt == "xlsx":
        return _write_xlsx(sheets, output)
    files: list[str] = []
    if fmt == "json":
        with _text_target(output, stdout, "utf-8", files) as out:
            _write_json(sheets, json_writer(out))
        return files
    # Excel opens UTF-8 only with a BOM, on stdout too (`export > 卡片.csv`); the JSON stays plain UTF-8.
    if output is None:
        with file_on_stdout("utf-8-sig") as out:
            _write_csv(sheets[0], out)
        return files
    for sheet in sheets:
        target = output if sheet is sheets[0] else output.with_name(f"{output.stem}.{sheet.name}{output.suffix}")
        with _text_target(target, stdout, "utf-8-sig", files) as out:
            _write_csv(sheet, out)
    return files


@contextmanager
def _text_target(output: Path | None, stdout: IO[str], encoding: str, files: list[str]) -> Iterator[IO[str]]:
    if output is None:
        yield stdout
        return
    with replacing(output) as temp:
        with open(temp, "w", encoding=encoding, newline="") as out:
            yield out
    files.append(str(output))


def _write_csv(sheet, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow([c.header for c in sheet.columns])
    writer.writerows([to_cell(v) for v in row] for row in sheet)


def _write_xlsx(sheets, output: Path) -> list[str]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # The target is checked before the first row: a write-only sheet left unsaved complains at exit.
    with replacing(output) as temp:
        book = Workbook(write_only=True)
        bold = Font(bold=True)
        for sheet in sheets:
            page = book.create_sheet(sheet.title)
            page.freeze_panes = "A2"
            for index, column in enumerate(sheet.columns, start=1):
                page.column_dimensions[get_column_letter(index)].width = column.width + 2
            header = []
            for column in sheet.columns:
                cell = WriteOnlyCell(page, value=column.header)
                cell.font = bold
                header.append(cell)
            page.append(header)
            for row in sheet:
                page.append([to_cell(v) for v in row])
        book.save(temp)
    return [str(output)]


def _write_json(sheets, write: Callable[[str], Any]) -> None:
    """One document, written as it is read: {"format": "leadcard", "version": 2, "cards": [...],
    "followups": [...], "instructions": [...], "visits": [...] …, "store": {"schema": N, "tables":
    {"users": {"columns": [...], "rows": [[...], ...]}, ...}}} (the store part: the whole store)."""
    write(f'{{"format": {json.dumps(EXPORT_FORMAT)}, "version": {EXPORT_VERSION}')
    for sheet in sheets:
        if sheet.schema is not None:
            _write_tables(sheet, write)
            continue
        write(f', "{sheet.name}": [')
        for n, record in enumerate(sheet):
            write(("," if n else "") + "\n  " + dumps(record))
        write("\n]")
    write("}\n")


def _write_tables(sheet, write: Callable[[str], Any]) -> None:
    """The store's tables as stored, a row to a line."""
    write(f', "{sheet.name}": {{"schema": {sheet.schema}, "tables": {{')
    for index, (table, columns, rows) in enumerate(sheet):
        write(f'{", " if index else ""}\n {json.dumps(table)}: {{"columns": {json.dumps(columns)}, "rows": [')
        for n, row in enumerate(rows):
            write(("," if n else "") + "\n  " + dumps(row))
        write("\n]}")
    write("\n}}")


def export_summary(sheets, files: list[str]) -> None:
    # With the data on stdout, the summary goes to stderr.
    out = console(stderr=not files)
    where = _("、").join(files) if files else _("标准输出")
    count = {sheet.name: sheet.count for sheet in sheets}
    out.print(_("已导出 {cards} 张卡片、{followups} 条跟进记录、{instructions} 条主管批示、{visits} 条来店登记、"
                "{test_drives} 条试驾登记、{quotes} 条报价、{trade_ins} 条置换评估、{finance} 条贷款记录 → {where}")
              .format(**count, where=where))


# -- calendar ------------------------------------------------------------------------------------------

CALL_LENGTH = timedelta(minutes=15)  # the slot a due contact takes in the consultant's day


def write_calendar(feed, output: Path | None, stdout: IO[str]) -> None:
    """The feed as iCalendar: a timed event per due contact (all day when due all day), an
    all-day event per wake-up day. What people typed is escaped as on a terminal: a calendar shows
    it to them, and iCalendar text may not hold control characters."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//leadcard//意向客户回访//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("客户回访"))
    stamp = feed.now.astimezone(timezone.utc)
    for due in feed.due:
        item, card = due.item, due.item.card
        late = _("（逾期 {days} 天）").format(days=item.overdue_days) if item.overdue_days > 0 else ""
        event = Event()
        event.add("uid", due.uid)
        event.add("dtstamp", stamp)
        if due.all_day:
            event.add("dtstart", due.at.date())  # VALUE=DATE: the whole day, no alarm at midnight
        else:
            event.add("dtstart", due.at.astimezone(timezone.utc))
            event.add("duration", CALL_LENGTH)
        event.add("summary", shown(_("{reason} {name} {grade}级{late}").format(
            reason=_(DUE_REASON_LABELS[item.reason]), name=card.name, grade=card.grade, late=late), line=True))
        purpose = _("建议：{purpose}") if item.suggested else _("计划：{purpose}")
        lines = [_("卡号 {ref}").format(ref=card.ref), _("电话 {phone}").format(phone=card.phone),
                 _("车型 {model}").format(model=card.fields.get("model") or "—"),
                 purpose.format(purpose=item.purpose or "—")]
        event.add("description", shown("\n".join(lines)))
        calendar.add_component(event)
    for wake in feed.wake_ups:
        event = Event()
        event.add("uid", wake.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", wake.day)
        event.add("summary", _("休眠唤醒 {n} 位客户").format(n=wake.pool))
        lines = [_("{ref} {name} {grade}级 {phone}").format(ref=c.ref, name=c.name, grade=c.grade, phone=c.phone)
                 for c in wake.customers]
        if wake.pool > len(wake.customers):
            lines.append(_("…… 共 {n} 位").format(n=wake.pool))
        lines.append(_("当天 leadcard today 列出全部"))
        event.add("description", shown("\n".join(lines)))
        calendar.add_component(event)
    data = calendar.to_ical()
    if output is None:
        bytes_on_stdout(data)
    else:
        with replacing(output) as temp:
            temp.write_bytes(data)


def calendar_summary(feed, output: Path | None) -> None:
    out = console(stderr=output is None)
    wakes = _("、{n} 个休眠唤醒日").format(n=len(feed.wake_ups)) if feed.wake_ups else ""
    out.print(_("日历：{n} 个回访{wakes}（{start} 至 {end}）→ {where}").format(
        n=len(feed.due), wakes=wakes, start=f"{feed.start:%m-%d}", end=f"{feed.end:%m-%d}",
        where=output or _("标准输出")))


def health_json(health) -> dict:
    return {"path": health.path, "sound": health.sound, "integrity": health.integrity,
            "foreign_keys": health.foreign_keys, "schema_version": health.schema_version,
            "expected_version": health.expected_version, "missing_tables": health.missing_tables,
            "upgrade_pending": health.upgrade_pending,
            "schedule_derivation": health.derivation_version,
            "expected_derivation": health.expected_derivation,
            "rederive_pending": health.rederive_pending,
            "counts": health.counts, "read_only": health.read_only,
            "unknown_objects": health.unknown_objects, "missing_objects": health.missing_objects}


# Every table leadcard makes, as a manager reads it; one it did not make is named as it is (and
# listed among the objects leadcard did not make).
_TABLE_LABELS = {"users": N_("用户"), "cards": N_("卡片"), "followups": N_("跟进记录"), "grade_changes": N_("级别变更"),
                 "instructions": N_("主管批示"), "card_events": N_("卡片事件"), "cases": N_("案例库"),
                 "finance": N_("贷款申请"), "followup_objections": N_("跟进中的客户异议"),
                 "followup_voids": N_("撤回的跟进"), "hub_showrooms": N_("集团汇总的展厅"), "objections": N_("异议类别"),
                 "playbook": N_("话术库"), "quotes": N_("报价"), "sales_targets": N_("销售目标"), "settings": N_("设置"),
                 "test_drives": N_("试驾"), "trade_ins": N_("置换评估"), "visits": N_("来店（电）登记")}


def health_report(health, as_json: bool) -> None:
    if as_json:
        print_json(health_json(health))
        return
    out = console()
    table = new_table()
    table.add_column(_("检查"), no_wrap=True)
    table.add_column(_("结果"))
    table.add_row(_("文件"), health.path)
    more = [_("…（共 {n} 条）").format(n=len(health.integrity))] if len(health.integrity) > 5 else []
    table.add_row(_("完整性"), _("正常") if health.integrity == ["ok"] else "\n".join(health.integrity[:5] + more))
    table.add_row(_("外键"), _("正常") if not health.foreign_keys else "；".join(health.foreign_keys))
    if health.upgrade_pending:
        version = _("{version}（下一条命令会把它升级到 {current}）")
    elif health.newer:
        version = _("{version}（比这个 leadcard 能识别的 {current} 新）")
    elif health.schema_version != health.expected_version:
        version = _("{version}（应为 {current}）")
    else:
        version = "{version}"
    table.add_row(_("结构版本"), version.format(version=health.schema_version, current=health.expected_version))
    if health.rederive_pending:
        table.add_row(_("排期规则版本"), _("{noted}（下一条命令会按这个版本的规则 {current} 重新计算各卡的到期时间）").format(
            noted=health.derivation or _("未记录"), current=health.expected_derivation))
    elif health.derivation:
        table.add_row(_("排期规则版本"), health.derivation)
    if health.missing_tables:
        table.add_row(_("缺少的表"), _("、").join(health.missing_tables))
    if health.unknown_objects:
        table.add_row(_("来历不明的对象"), _("、").join(health.unknown_objects))
    if health.missing_objects:
        table.add_row(_("缺少的对象"), _("、").join(health.missing_objects))
    table.add_row(_("写入"), _("只读（本登录不能写入）") if health.read_only else _("可写"))
    for name, count in health.counts.items():
        table.add_row(_(_TABLE_LABELS[name]) if name in _TABLE_LABELS else name, f"{count:,}")
    out.print(table)
    if health.sound and health.read_only:
        out.print(_("库正常，但本登录只能读取：检查库文件及其目录的权限。"))
    elif health.sound and health.upgrade_pending:
        out.print(_("库正常：它是较早版本的 leadcard 写的，下一条命令（如 `leadcard today`）会先把它升级到这个版本。"))
    elif health.sound:
        out.print(_("库正常。"))
    elif not health.damaged and (health.unknown_objects or health.missing_objects):
        out.print(_("库的结构被改动过（有 leadcard 没有建的对象，或缺少它建的对象），不能当作正常的库："
                    "查明来源，或用 `leadcard restore` 从可靠的备份恢复。"))
    elif not health.damaged and health.newer:
        out.print(_("库是更新版本的 leadcard 写的：请升级 leadcard（不要用备份恢复，那会丢掉之后写的记录）。"))
    else:
        out.print(_("库有问题：请用 `leadcard restore` 从备份恢复。"))


def copy_report(copy, action: str, as_json: bool) -> None:
    if as_json:
        print_json({"path": copy.path, "kept": copy.kept, **health_json(copy.health)})
        return
    counts = copy.health.counts
    console().print(_("{action}完成：{path}（{cards} 张卡片、{followups} 条跟进记录）").format(
        action=_(action), path=copy.path, cards=f"{counts.get('cards', 0):,}",
        followups=f"{counts.get('followups', 0):,}"))
    if copy.kept:
        console().print(_("原库已保留为 {path}").format(path=copy.kept))

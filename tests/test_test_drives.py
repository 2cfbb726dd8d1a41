"""试驾登记: a test drive is a record of its own — the car, whether the driver's licence was checked,
the follow-up it was made at and the showroom visit it was part of."""

import sqlite3

import pytest

from conftest import database, row_counts, sales_floor


def counts(lc) -> dict:
    return row_counts(lc, "followups", "test_drives", "visits", "card_events")


@pytest.fixture
def floor(lc):
    """王芳's customer 张三 (A00001, 凯美瑞), made from the showroom visit #1 of 2 May."""
    sales_floor(lc)
    lc.ok("visit", "add", "--phone", "13800138000", "--name", "张三", "--at", "2026-05-02 09:00", "--left",
          "2026-05-02 10:00", user="王芳", now="2026-05-02T10:00:00")
    lc.ok("add", "张三", "--phone", "13800138000", "--model", "凯美瑞", "--visit", "1", "--grade", "A",
          "--at", "2026-05-02 09:10", user="王芳", now="2026-05-02T10:05:00")
    lc.user = "王芳"
    return lc


def drives(lc, ref="张三", **kwargs):
    return lc.json("show", ref, **kwargs)["test_drives"]


def test_a_test_drive_is_registered_with_its_car_and_the_licence_checked(floor):
    done = floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾双擎版，认可油耗", "--vehicle",
                    "凯美瑞 双擎", "--licence-checked", "--next", "2026-05-04", now="2026-05-03T10:00:00")
    assert "驾驶证" not in done.stderr
    assert drives(floor) == [{"followup": 1, "at": "2026-05-03T10:00:00+08:00", "vehicle": "凯美瑞 双擎",
                              "licence_checked": True, "visit": None, "author": "王芳"}]
    shown = floor.ok("show", "张三").stdout
    assert "试驾登记" in shown and "凯美瑞 双擎  驾照已核验  第 1 次跟进" in shown


def test_a_drive_without_the_licence_checked_is_kept_and_the_consultant_told_at_once(floor):
    done = floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--next", "2026-05-04",
                    now="2026-05-03T10:00:00")
    assert "试驾前须核验客户驾驶证" in done.stderr
    [drive] = drives(floor)
    assert (drive["vehicle"], drive["licence_checked"]) == ("凯美瑞", False)  # the card's model by default
    assert "驾照未核验" in floor.ok("show", "张三").stdout


def test_a_drive_belongs_to_the_visit_of_that_day_and_ticks_it_in_the_showroom_log(floor):
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "首次到店当天试驾", "--at", "2026-05-02 09:40",
             "--licence-checked", now="2026-05-02T10:30:00")
    # He comes back on the 3rd after lunch: the morning's drive was not part of that visit.
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "上午上门试驾", "--at", "2026-05-03 10:00",
             "--licence-checked", now="2026-05-03T10:30:00")
    floor.ok("visit", "add", "--phone", "13800138000", "--at", "2026-05-03 14:00", now="2026-05-03T14:00:00")
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "带爱人再次试驾", "--licence-checked",
             now="2026-05-03T15:00:00")
    assert [(d["followup"], d["visit"]) for d in drives(floor, now="2026-05-03T15:00:00")] == [(1, 1), (2, None), (3, 2)]
    visits = floor.json("visit", "list", "--since", "2026-05-02", "--date", "2026-05-03", now="2026-05-03T15:00:00")
    assert [(v["id"], v["test_drive"]) for v in visits["visits"]] == [(1, True), (2, True)]


def test_a_corrected_drive_gives_way_to_the_correction_and_keeps_what_it_said(floor):
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--vehicle", "凯美瑞 2.0",
             "--licence-checked", now="2026-05-03T10:00:00")
    floor.ok("log", "张三", "--corrects", "1", "--content", "试驾 2.5 豪华版，认可动力", now="2026-05-03T10:20:00")
    assert [(d["followup"], d["vehicle"], d["licence_checked"]) for d in drives(floor)] == [(2, "凯美瑞 2.0", True)]


@pytest.mark.parametrize("args", [
    ("--channel", "phone", "--content", "电话邀约", "--vehicle", "凯美瑞"),
    ("--channel", "visit", "--content", "到店看车", "--licence-checked"),
    ("--channel", "test-drive", "--content", "约了没来", "--outcome", "unreachable"),
], ids=["vehicle-on-a-call", "licence-on-a-visit", "unreached-drive"])
def test_what_is_not_a_test_drive_is_bad_input_and_writes_nothing(floor, args):
    before = counts(floor)
    result = floor("log", "张三", *args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert counts(floor) == before


def test_a_consultant_registers_drives_on_their_own_cards_and_the_supervisor_on_the_team(floor):
    refused = floor("log", "张三", "--channel", "test-drive", "--content", "试驾", user="孙丽")
    assert refused.exit_code == 1 and "A00001" not in refused.stdout
    before = counts(floor)
    assert floor("log", "A00001", "--channel", "test-drive", "--content", "试驾", user="李强").exit_code == 1
    assert counts(floor) == before
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "主管陪同试驾", "--licence-checked", user="钱主管")
    assert [d["author"] for d in drives(floor)] == ["钱主管"]


def test_test_drives_are_append_only(floor):
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--licence-checked")
    with database(floor.db) as db:
        for statement in ("UPDATE test_drives SET licence_checked = 0", "DELETE FROM test_drives"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)


# -- a drive withdrawn or corrected away: the showroom log's 试驾 and 试驾率 ---------------------------


def drove(lc, now="2026-05-06T10:00:00"):
    """The week of 2 May (W18) as 试驾率 and the drives counted, and visit #1's 试驾 in the log now."""
    t = lc.json("report", "weekly", "--week", "2026-W18", user="赵经理", now=now)["traffic"]
    [visit] = lc.json("visit", "list", "--date", "2026-05-02", now=now)["visits"]
    return (t["test_drive"]["numerator"], t["test_drive"]["denominator"], t["test_drives"]), visit["test_drive"]


def test_a_drive_withdrawn_unticks_its_visit_and_leaves_the_rate(floor):
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--at", "2026-05-02 09:40",
             "--licence-checked", now="2026-05-02T10:30:00")
    assert drove(floor, now="2026-05-02T10:35:00") == ((1, 1, 1), True)
    floor.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-05-02T10:40:00")
    assert drove(floor) == ((0, 1, 0), False)


def test_a_drive_corrected_into_another_channel_unticks_its_visit(floor):
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--at", "2026-05-02 09:40",
             "--licence-checked", now="2026-05-02T10:30:00")
    floor.ok("log", "张三", "--corrects", "1", "--channel", "visit", "--content", "只看了车，没试驾",
             now="2026-05-02T10:40:00")
    assert drives(floor) == []
    assert drove(floor) == ((0, 1, 0), False)


def test_the_tick_typed_in_the_log_stays_when_a_drive_on_the_visit_is_withdrawn(floor):
    floor.ok("visit", "add", "--phone", "13800138001", "--name", "李四", "--at", "2026-05-02 11:00", "--test-drive",
             now="2026-05-02T11:00:00")
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--at", "2026-05-02 09:40",
             "--licence-checked", now="2026-05-02T10:30:00")
    floor.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now="2026-05-02T11:30:00")
    t = floor.json("report", "weekly", "--week", "2026-W18", user="赵经理", now="2026-05-06T10:00:00")["traffic"]
    assert (t["test_drive"]["numerator"], t["test_drive"]["denominator"]) == (1, 2)


@pytest.mark.parametrize("withdrawn_at, counted", [("2026-05-03T23:59:59", ((0, 1, 0), False)),
                                                   ("2026-05-04T00:00:00", ((1, 1, 1), False))],
                         ids=["last-second-of-the-week", "first-instant-after"])
def test_a_drive_withdrawn_after_the_weeks_end_stays_in_that_weeks_report(floor, withdrawn_at, counted):
    """W18 ends on Monday 4 May at 00:00: withdrawn before, the drive is out of the week's figures;
    withdrawn at that instant or later, the week reads it as it stood then. The log shows it unticked now."""
    floor.ok("log", "张三", "--channel", "test-drive", "--content", "试驾", "--at", "2026-05-02 09:40",
             "--licence-checked", now="2026-05-02T10:30:00")
    floor.ok("log", "张三", "--void", "1", "--reason", "记错卡片", now=withdrawn_at)
    assert drove(floor) == counted

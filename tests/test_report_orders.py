"""The month is reported in orders and deliveries: the weekly report's orders, cancellations (with
their reasons), deliveries (days from order to delivery), after-delivery visits in time, and the
owners who referred friends — all from dated records, so a past week never changes.

Week 2026-W47 runs from Monday 16 to Sunday 22 November 2026; the reports are read on Wednesday 25th.
"""

import csv
import io

from test_reports import READ_ON, add, log, weekly


def order(lc, name, at, *more):
    lc.ok("win", name, *more, now=at)


def orders_week(lc):
    """张三 orders on the 10th, takes his car on the 18th; 李四 orders on the 17th and has it on the 20th;
    王五 orders on the 18th and cancels on the 19th (价格); 赵六 orders on the 19th and waits."""
    for i, name in enumerate(("张三", "李四", "王五", "赵六"), start=1):
        add(lc, name, f"1380000000{i}", "2026-11-02 10:00", "--model", "凯美瑞")
    order(lc, "张三", "2026-11-10T10:00:00", "--delivery", "2026-11-18")
    lc.ok("deliver", "张三", now="2026-11-18T15:00:00")
    order(lc, "李四", "2026-11-17T10:00:00", "--model", "RAV4")
    lc.ok("deliver", "李四", now="2026-11-20T10:00:00")
    order(lc, "王五", "2026-11-18T10:00:00")
    lc.ok("cancel-order", "王五", "--reason", "价格", now="2026-11-19T10:00:00")
    order(lc, "赵六", "2026-11-19T10:00:00", "--delivery", "2026-12-10")


def test_orders_deliveries_and_cancellations_of_the_week(lc):
    orders_week(lc)
    report = weekly(lc)
    assert report["orders"] == {"count": 3, "standing": 2, "cancelled": 1, "by_model": {"凯美瑞": 2, "RAV4": 1},
                                "waiting_for_delivery_at_end": 1}
    assert report["deliveries"]["count"] == 2
    assert report["deliveries"]["order_to_delivery_days"] == {"deliveries": 2, "average": 5.5, "longest": 8}
    assert report["cancellations"] == {"count": 1, "reasons": {"价格": 1}}
    # Wins are the orders that stood at the week's end: 李四 and 赵六, not 王五, who cancelled in it.
    assert report["totals"]["wins"] == 2
    assert report["kpis"]["conversion"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    assert (report["totals"]["orders"], report["totals"]["cancellations"], report["totals"]["deliveries"]) == (3, 1, 2)
    assert report["funnel"]["B"] == 1  # 王五, open again


def test_an_order_cancelled_after_the_week_leaves_the_week_as_it_was(lc):
    orders_week(lc)
    before = weekly(lc)
    lc.ok("cancel-order", "赵六", "--reason", "贷款未过", now="2026-11-24T10:00:00")
    after = weekly(lc)
    assert after == before
    assert after["totals"]["wins"] == 2 and after["orders"]["waiting_for_delivery_at_end"] == 1
    following = weekly(lc, week="2026-W48")
    assert following["cancellations"] == {"count": 1, "reasons": {"贷款未过": 1}}
    assert following["totals"]["wins"] == 0


def test_after_delivery_visits_due_in_the_week_and_made_in_time(lc):
    add(lc, "张三", "13800000001", "2026-11-02 10:00", "--model", "凯美瑞")
    order(lc, "张三", "2026-11-03T10:00:00")
    lc.ok("deliver", "张三", now="2026-11-10T15:00:00")  # its 7th day is the 17th
    add(lc, "李四", "13800000002", "2026-11-02 10:00", "--model", "凯美瑞")
    order(lc, "李四", "2026-11-03T10:00:00")
    lc.ok("deliver", "李四", now="2026-11-16T15:00:00")  # its 1st day the 17th, its 3rd the 19th
    log(lc, "张三", "2026-11-11 10:00", content="交车后第一天回访")
    log(lc, "张三", "2026-11-13 10:00", content="交车后第三天回访")
    log(lc, "张三", "2026-11-17 10:00", content="交车一周回访")  # in time
    log(lc, "李四", "2026-11-17 10:00", content="交车后第一天回访")  # in time
    log(lc, "李四", "2026-11-20 10:00", content="交车后回访")  # the 3rd day's, a day late
    report = weekly(lc)
    assert report["deliveries"]["after_delivery_visits"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    assert report["kpis"]["after_delivery"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    log(lc, "李四", "2026-11-23 10:00", content="又一次回访")  # after the week: changes nothing
    assert weekly(lc) == report


def test_referrals_are_counted_per_referrer_and_the_referral_rate_reads_the_links(lc):
    add(lc, "刘先生", "13800000009", "2026-10-01 10:00", "--model", "凯美瑞")
    order(lc, "刘先生", "2026-10-02T10:00:00")
    lc.ok("deliver", "刘先生", now="2026-10-20T10:00:00")
    add(lc, "张三", "13800000001", "2026-11-16 10:00", "--model", "RAV4", "--referred-by", "刘先生")
    add(lc, "李四", "13800000002", "2026-11-17 10:00", "--model", "RAV4", "--referred-by", "A00001")
    add(lc, "王五", "13800000003", "2026-11-17 10:00", "--model", "雷凌", "--source", "转介绍")  # a label, no link
    add(lc, "赵六", "13800000004", "2026-11-17 10:00", "--model", "雷凌")
    for name, at in (("张三", "2026-11-19T10:00:00"), ("王五", "2026-11-20T10:00:00"), ("赵六", "2026-11-20T11:00:00")):
        order(lc, name, at)
    report = weekly(lc)
    assert report["referrers"] == [{"ref": "A00001", "name": "刘先生", "owner": None, "referrals": 2, "won": 1}]
    assert report["kpis"]["referral"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    assert report["totals"]["referrals"] == 2
    assert report["new_by_source"]["referral"] == 3


def test_the_orders_are_in_every_format(lc, tmp_path):
    orders_week(lc)
    md = lc.ok("report", "weekly", "--week", "2026-W47", "--format", "md", now=READ_ON).stdout
    assert "## 订单与交车" in md and "| 订单（成交） | 3 |" in md and "| 订单到交车平均天数 | 5.5 |" in md
    assert "## 退订原因" in md and "| 价格 | 1 |" in md
    target = tmp_path / "w47.csv"
    lc.ok("report", "weekly", "--week", "2026-W47", "--format", "csv", "--output", str(target), now=READ_ON)
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert ["退订", "1"] in rows and ["期末待交车", "1"] in rows and ["交车", "2"] in rows
    from openpyxl import load_workbook

    book = tmp_path / "w47.xlsx"
    lc.ok("report", "weekly", "--week", "2026-W47", "--format", "xlsx", "--output", str(book), now=READ_ON)
    sheets = load_workbook(book)
    assert {"订单与交车", "退订原因", "转介绍人", "顾问订单与交车"} <= set(sheets.sheetnames)
    per_owner = list(sheets["顾问订单与交车"].iter_rows(values_only=True))
    assert per_owner[0] == ("顾问", "订单", "退订", "交车", "转介绍", "交车回访及时率")
    table = lc.ok("report", "weekly", "--week", "2026-W47", now=READ_ON).stdout
    assert "订单与交车" in table and "交车回访及时率" in table

"""Still more of the report's figures at their edges (issue 22), each written against a comparison of
the reports' SQL that the stories before it let lean either way: which of a card's gradings in a
window is its first, when two fall at its first instant or at one instant; and what a withdrawal
made exactly at a period's end leaves standing in it (nothing dated at the end is the period's); and a
card of an old store, closed without dated events, made at the period's end.

Week 2026-W47 runs from Monday 16 to Sunday 22 November 2026; it is read on Wednesday 25th. An H
grading is judged in W47 when made from Monday 9th 00:00 to Monday 16th 00:00 (H's horizon: 7 days).
"""

import pytest

from conftest import database, sales_floor
from test_report_edges import add, log, ratio, weekly


def accuracy(lc, user=None):
    return [(g["grader"], g["grade"], g["numerator"], g["denominator"])
            for g in weekly(lc, user=user)["grade_accuracy"]]


# -- a card's first grading to a grade in its window ---------------------------------------------------------


def test_a_card_graded_h_at_its_windows_first_instant_and_again_later_in_it_is_judged_once(lc):
    """张三 is graded H at midnight opening Monday 9th, the first instant of H's window judged in W47,
    then A, then H again on Wednesday 11th; he orders on Tuesday 17th, within 7 days of the second H
    but not of the first. The first H is the one judged: one grading, not proved right."""
    add(lc, "张三", "13800000001", "2026-11-01 10:00", "--model", "凯美瑞")
    lc.ok("grade", "张三", "H", now="2026-11-09T00:00:00")
    lc.ok("grade", "张三", "A", now="2026-11-10T10:00:00")
    lc.ok("grade", "张三", "H", now="2026-11-11T10:00:00")
    lc.ok("win", "张三", now="2026-11-17T10:00:00")
    assert accuracy(lc) == [(None, "H", 0, 1)]


def test_a_card_graded_h_twice_in_one_instant_is_judged_once(lc):
    """李四's call on Tuesday 10th is logged as H, corrected to A and back to H within the same
    minute (three gradings at one instant): one H grading is judged."""
    add(lc, "李四", "13800000002", "2026-11-01 10:00", "--model", "凯美瑞")
    for grade in ("H", "A", "H"):
        lc.ok("grade", "李四", grade, now="2026-11-10T10:00:00")
    lc.ok("win", "李四", now="2026-11-12T10:00:00")
    assert accuracy(lc) == [(None, "H", 1, 1)]


def test_an_earlier_grading_whose_call_is_withdrawn_at_the_next_weeks_first_instant_is_the_one_judged(lc):
    """王五 is graded H at a call on Monday 9th, then A, then H again by hand on Wednesday 11th; he
    orders on Wednesday 18th, 7 days after the second H and 9 after the first. The first call is
    withdrawn at midnight opening W48: all W47 it stood, and its H is the one judged, not proved
    right."""
    add(lc, "王五", "13800000003", "2026-11-01 10:00", "--model", "凯美瑞")
    log(lc, "王五", "2026-11-09 10:00", "phone", "--grade", "H", content="客户说本周订车")
    lc.ok("grade", "王五", "A", now="2026-11-10T10:00:00")
    lc.ok("grade", "王五", "H", now="2026-11-11T10:00:00")
    lc.ok("win", "王五", now="2026-11-18T10:00:00")
    lc.ok("log", "王五", "--void", "1", "--reason", "记错卡片", now="2026-11-23T00:00:00")
    assert accuracy(lc) == [(None, "H", 0, 1)]


# -- withdrawn at the first instant of the next week: it stood all the week ------------------------------------


def test_a_grading_whose_call_is_withdrawn_at_the_next_weeks_first_instant_is_judged_in_the_week(lc):
    """赵六 is graded H at a call on Tuesday 10th, withdrawn at midnight opening W48: one H grading in
    W47, not won."""
    add(lc, "赵六", "13800000004", "2026-11-01 10:00", "--model", "凯美瑞")
    log(lc, "赵六", "2026-11-10 10:00", "phone", "--grade", "H", content="客户说本周订车")
    lc.ok("log", "赵六", "--void", "1", "--reason", "记错卡片", now="2026-11-23T00:00:00")
    assert accuracy(lc) == [(None, "H", 0, 1)]


def test_a_grade_given_at_a_call_withdrawn_at_the_next_weeks_first_instant_is_the_cards_grade_at_the_weeks_end(lc):
    """孙七, a C since he came in, is judged A at a call on Tuesday 17th; the call is withdrawn at
    midnight opening W48. W47's funnel has him as an A."""
    add(lc, "孙七", "13800000007", "2026-11-02 10:00", "--grade", "C")
    log(lc, "孙七", "2026-11-17 10:00", "phone", "--grade", "A", content="客户想本月订车")
    lc.ok("log", "孙七", "--void", "1", "--reason", "记错卡片", now="2026-11-23T00:00:00")
    assert weekly(lc)["funnel"] == {"H": 0, "A": 1, "B": 0, "C": 0}


def test_a_wake_up_by_a_message_withdrawn_at_the_next_weeks_first_instant_stands_in_the_week(lc):
    """丑, dormant since March, is woken by an SMS on Tuesday 17th that turns out to be logged on the
    wrong card; it is withdrawn at midnight opening W48. W47 had one wake-up, not answered."""
    add(lc, "丑", "13800000001", "2026-03-02 10:00", "--grade", "C")
    log(lc, "丑", "2026-03-03 10:00")
    log(lc, "丑", "2026-11-17 10:00", "sms", content="新款上市问候")
    lc.ok("log", "丑", "--void", "2", "--reason", "记错卡片", now="2026-11-23T00:00:00")
    report = weekly(lc)
    assert (report["totals"]["woken"], report["kpis"]["reactivation"]) == (1, ratio(0, 1))


def test_a_first_call_withdrawn_at_the_next_weeks_first_instant_was_in_time_in_the_weeks_trend_point(lc):
    """卯's card is made on Tuesday 17th and he is called within the hour; the call is withdrawn at
    midnight opening W48. The trend's W47 has his card called in time; W48 has no new card."""
    add(lc, "卯", "13800000003", "2026-11-17 10:00")
    log(lc, "卯", "2026-11-17 10:30")
    lc.ok("log", "卯", "--void", "1", "--reason", "记错卡片", now="2026-11-23T00:00:00")
    trend = lc.json("report", "trend", "--weeks", "2", now="2026-11-30T09:00:00")
    assert trend["ratios"]["timeliness"] == [ratio(1, 1), ratio(0, 0)]


# -- a card closed before the week, of a store kept before status events were written ------------------------


@pytest.mark.parametrize("reassigned", [False, True], ids=["kept-by-its-owner", "handed-on-since"])
def test_an_old_stores_order_made_at_the_next_weeks_first_instant_is_not_the_weeks(lc, reassigned):
    """A card of an old store, made at midnight opening W48 and won without a dated event (its status
    and status time alone): nothing of it is W47's — no line for 李强, no car waiting at the week's
    end — whether he still holds it or handed it on after the week."""
    sales_floor(lc)
    lc.ok("add", "周八", "--phone", "13800000008", "--at", "2026-11-23 00:00", user="李强", now="2026-11-23T00:00:00")
    with database(lc.db) as db:
        db.execute("UPDATE cards SET status = 'won', status_at = '2026-11-23T02:00:00Z', "
                   "outcome = '{\"model\": \"凯美瑞\"}' WHERE id = 1")
    if reassigned:
        lc.ok("assign", "A00001", "王芳", user="赵经理", now="2026-11-24T10:00:00")
    report = weekly(lc)
    assert ([o["owner"] for o in report["by_owner"]], report["orders"]["waiting_for_delivery_at_end"]) == ([], 0)

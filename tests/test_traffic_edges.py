"""The showroom's figures at their edges, each written against a comparison of
leadcard/store/traffic.py's SQL turned the other way that the stories of test_traffic let through:
a visit or a test drive at the very first instant of a week is that week's alone; an invitation is
kept by a visit after it and before its day ends; planned again for the same day (a date alone is
that day's first instant) it stands, for the next day (whose first instant ends the invited day) it
does not.

Week 47 is Monday 16 to Sunday 22 November 2026; the trend is read on Wednesday the 25th, when W46
and W47 are its last two complete weeks.
"""

from conftest import sales_floor
from test_traffic import log, ratio, traffic, visit
from test_trends import trend

W47_BEGINS = "2026-11-16 00:00"


def test_a_visit_at_the_first_instant_of_a_week_is_counted_in_that_week_alone(lc):
    sales_floor(lc)
    visit(lc, "孙丽", W47_BEGINS, "--phone", "13900000011")
    assert trend(lc, "--weeks", "2")["counts"]["first_visits"] == [0, 1]


def test_a_test_drive_at_the_first_instant_of_a_week_is_counted_in_that_week_alone(lc):
    sales_floor(lc)
    lc.ok("add", "陈女士", "--phone", "13900000001", "--at", "2026-11-15 20:00", user="王芳", now="2026-11-15T20:00:00")
    log(lc, "王芳", "陈女士", W47_BEGINS, "test-drive", "--licence-checked")
    assert trend(lc, "--weeks", "2")["counts"]["test_drives"] == [0, 1]


def invited(lc, *names_and_phones):
    """Each customer carded on Monday at 09:00 and invited at 10:00 to come on Thursday the 19th."""
    sales_floor(lc)
    for name, phone in names_and_phones:
        lc.ok("add", name, "--phone", phone, "--owner", "王芳", "--at", "2026-11-16 09:00", user="王芳",
              now="2026-11-16T09:00:00")
        log(lc, "王芳", name, "2026-11-16 10:00", "phone", "--next", "2026-11-19 10:00", "--purpose", "邀约周四到店看车")


def test_an_invitation_is_kept_by_a_visit_before_its_days_end_and_not_by_one_at_the_next_days_first_instant(lc):
    invited(lc, ("赶上", "13900000031"), ("迟到", "13900000032"))
    visit(lc, "王芳", "2026-11-19 23:59", "--phone", "13900000031")
    visit(lc, "王芳", "2026-11-20 00:00", "--phone", "13900000032")
    assert ratio(traffic(lc), "invitation") == (1, 2, 0.5)


def test_a_visit_at_the_moment_of_the_invitation_does_not_keep_it_and_one_a_minute_later_does(lc):
    """Early counts (test_traffic); at the invitation's own moment the customer cannot have answered it."""
    invited(lc, ("同时", "13900000041"), ("随后", "13900000042"))
    visit(lc, "王芳", "2026-11-16 10:00", "--phone", "13900000041")
    visit(lc, "王芳", "2026-11-16 10:01", "--phone", "13900000042")
    assert ratio(traffic(lc), "invitation") == (1, 2, 0.5)


def test_an_invitation_planned_again_for_its_own_day_by_a_date_alone_still_stands(lc):
    invited(lc, ("确认", "13900000051"))
    log(lc, "王芳", "确认", "2026-11-17 10:00", "phone", "--next", "2026-11-19", content="电话确认周四来")
    assert ratio(traffic(lc), "invitation") == (0, 1, 0.0)


def test_an_invitation_planned_again_for_the_next_day_by_a_date_alone_is_left_out(lc):
    invited(lc, ("改期", "13900000061"))
    log(lc, "王芳", "改期", "2026-11-17 10:00", "phone", "--next", "2026-11-20", content="客户说周五才有空")
    assert ratio(traffic(lc), "invitation") == (0, 0, None)


def test_a_card_made_from_a_line_logged_without_a_phone_counts_as_details_left(lc):
    """Two lines logged at the door with no phone yet: a card is made from the first (`add --visit`),
    the second browser leaves nothing. The first line left details — 留档 1 of 2, in the report and in
    `visit list`, which shows the card's name and phone on it."""
    sales_floor(lc)
    door = visit(lc, "王芳", "2026-11-17 10:00", "--model", "凯美瑞")["id"]
    visit(lc, "王芳", "2026-11-17 10:05")
    lc.ok("add", "陈女士", "--phone", "13900000071", "--visit", str(door), "--left", "2026-11-17 10:50",
          user="王芳", now="2026-11-17T11:00:00")
    assert ratio(traffic(lc), "card") == (1, 2, 0.5)
    listed = lc.json("visit", "list", "--date", "2026-11-17", user="王芳", now="2026-11-17T12:00:00")
    assert [(v["contact_left"], v["name"], v["phone"], v["card"]) for v in listed["visits"]] == [
        (True, "陈女士", "13900000071", "A00001"), (False, None, None, None)]
    assert (listed["contact_left"], listed["total"]) == (1, 2)


def test_a_reminder_with_no_next_date_plans_no_other_day_and_the_invitation_stands(lc):
    """A reminder that reached the customer the evening before, with no next date, changed no plan:
    the customer who then did not come is one invited who did not come. One reminded and then put off
    to Friday (a date planned, another day) is left out."""
    invited(lc, ("提醒", "13900000081"), ("改约", "13900000082"))
    log(lc, "王芳", "提醒", "2026-11-18 18:00", "sms", content="提醒明天上午10点到店")
    log(lc, "王芳", "改约", "2026-11-18 18:00", "sms", content="提醒明天上午10点到店")
    log(lc, "王芳", "改约", "2026-11-18 19:00", "phone", "--next", "2026-11-20 10:00", content="客户说周五才有空")
    assert ratio(traffic(lc), "invitation") == (0, 1, 0.0)

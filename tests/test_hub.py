"""A dealer group's hub (集团汇总库, issue 21): two showrooms' stores on PostgreSQL, each made by the
demo through the CLI, a hub that attaches both by logical replication, and the group's managers
reading across them. These need the server named by LEADCARD_TEST_PG, with wal_level = logical,
and skip without one."""

from __future__ import annotations

import time

import pytest

from conftest import Leadcard, database, row_counts, server_url

A, B = "望京店", "亦庄店"
# How long replication may take to catch up before a test gives up.
CATCH_UP_SECONDS = 90


class Group:
    """Two showrooms and the hub that attached them."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.showrooms = {A: Leadcard(cluster.database(empty=True)), B: Leadcard(cluster.database(empty=True))}
        self.hub = Leadcard(cluster.database(empty=True))

    def attached(self) -> dict[str, dict]:
        return {s["name"]: s for s in self.hub.json("hub", "list")}

    def caught_up(self, name: str) -> None:
        """Waits until the hub's copy of a showroom holds everything the showroom has written so far:
        every table copied (state `r`), and the showroom's slot confirmed past its WAL as it is now.
        The WAL's insert position, not its write position: with `synchronous_commit=off` (as CI runs
        the cluster) a commit can be behind the write position for a moment."""
        import psycopg

        showroom = self.attached()[name]
        with psycopg.connect(self.showrooms[name].db, autocommit=True) as source, \
                psycopg.connect(server_url(showroom["replica"]), autocommit=True) as replica:
            written = source.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
            deadline = time.monotonic() + CATCH_UP_SECONDS
            while True:
                copied = replica.execute("SELECT count(*) > 0 AND bool_and(srsubstate = 'r') "
                                         "FROM pg_subscription_rel").fetchone()[0]
                confirmed = source.execute("SELECT confirmed_flush_lsn >= %s::pg_lsn FROM pg_replication_slots "
                                           "WHERE slot_name = %s", (written, showroom["slot"])).fetchone()
                if copied and confirmed and confirmed[0]:
                    return
                assert time.monotonic() < deadline, f"{name}: replication did not catch up in {CATCH_UP_SECONDS} s"
                time.sleep(0.2)

    def take_apart(self) -> None:
        for name in list(self.attached()):
            self.hub.ok("hub", "detach", name)
        for store in (self.hub, *self.showrooms.values()):
            self.cluster.drop(store.db)


@pytest.fixture(scope="module")
def group(logical_cluster):
    made = Group(logical_cluster)
    try:
        for seed, (name, showroom) in enumerate(made.showrooms.items(), start=1):
            showroom.ok("demo", "--cards", "200", "--seed", str(seed))
            showroom.user = "赵经理"
        made.hub.ok("init", "--hub")
        for name, showroom in made.showrooms.items():
            made.hub.ok("hub", "attach", name, showroom.db)
        for name in made.showrooms:
            made.caught_up(name)
        yield made
    finally:
        made.take_apart()


def merged(reports: dict[str, dict]) -> dict:
    """Two showrooms' weekly reports (JSON) as the group's should read: counts summed, each rate
    recomputed from the summed numerator and denominator, consultants side by side under their showroom."""
    every = list(reports.values())

    def summed(key: str) -> dict:
        keys = dict.fromkeys(k for r in every for k in r[key])
        return {k: sum(r[key].get(k, 0) for r in every) for k in keys}

    def ratio(key: str) -> dict:
        numerator = sum(r["kpis"][key]["numerator"] for r in every)
        denominator = sum(r["kpis"][key]["denominator"] for r in every)
        return {"numerator": numerator, "denominator": denominator,
                "rate": round(numerator / denominator, 4) if denominator else None}

    return {
        "totals": summed("totals"),
        "funnel": summed("funnel"),
        "new_by_source": summed("new_by_source"),
        "followups_by_channel": summed("followups_by_channel"),
        "loss_reasons": summed("loss_reasons"),
        "kpis": {key: ratio(key) for key in ("timeliness", "completeness", "conversion", "reactivation",
                                             "referral", "after_delivery", "loss_clarity")},
        "by_owner": sorted((name, o["owner"], o["new_cards"], o["followups"], o["wins"], o["kpis"]["timeliness_rate"])
                           for name, r in reports.items() for o in r["by_owner"]),
        "orders": sum(r["orders"]["count"] for r in every),
        "first_visits": sum(r["traffic"]["first_visits"] for r in every),
    }


def as_merged(report: dict) -> dict:
    """The group's report, read the same way."""
    return {
        **{key: report[key] for key in ("totals", "funnel", "new_by_source", "followups_by_channel", "loss_reasons")},
        "kpis": {key: {k: report["kpis"][key][k] for k in ("numerator", "denominator", "rate")}
                 for key in ("timeliness", "completeness", "conversion", "reactivation", "referral",
                             "after_delivery", "loss_clarity")},
        "by_owner": sorted((o["showroom"], o["owner"], o["new_cards"], o["followups"], o["wins"],
                            o["kpis"]["timeliness_rate"]) for o in report["by_owner"]),
        "orders": report["orders"]["count"],
        "first_visits": report["traffic"]["first_visits"],
    }


def settled(showrooms: list[dict]) -> list[dict]:
    """`hub list` without what replication reports of each showroom at the moment it is asked."""
    return [{k: v for k, v in s.items() if k not in ("last_message_at", "lag_bytes")} for s in showrooms]


def test_the_groups_weekly_report_is_the_showrooms_figures_added_up(group):
    own = {name: showroom.json("report", "weekly") for name, showroom in group.showrooms.items()}
    assert all(r["totals"]["new_cards"] and r["totals"]["followups"] for r in own.values())  # weeks of something
    hub = group.hub.json("report", "weekly")
    assert hub["showrooms"] == sorted(own) and hub["week"] == own[A]["week"]
    assert as_merged(hub) == merged(own)
    # A rate of the group is its parts', not an average of the showrooms' rates.
    timeliness = hub["kpis"]["timeliness"]
    assert timeliness["rate"] == round(timeliness["numerator"] / timeliness["denominator"], 4)


def test_the_groups_monthly_report_and_trend_add_up_too(group):
    own = {name: showroom.json("report", "monthly") for name, showroom in group.showrooms.items()}
    assert as_merged(group.hub.json("report", "monthly")) == merged(own)
    trends = {name: showroom.json("report", "trend", "--weeks", "4") for name, showroom in group.showrooms.items()}
    hub = group.hub.json("report", "trend", "--weeks", "4")
    for week in range(4):
        parts = [t["ratios"]["completeness"][week] for t in trends.values()]
        numerator, denominator = sum(p["numerator"] for p in parts), sum(p["denominator"] for p in parts)
        assert hub["ratios"]["completeness"][week] == {
            "numerator": numerator, "denominator": denominator,
            "rate": round(numerator / denominator, 4) if denominator else None}
        assert hub["counts"]["new_cards"][week] == sum(t["counts"]["new_cards"][week] for t in trends.values())
    assert {(s["showroom"], s["owner"]) for s in hub["by_owner"]} == \
        {(name, s["owner"]) for name, t in trends.items() for s in t["by_owner"]}


def test_one_showroom_read_on_the_hub_is_that_showrooms_own_report(group):
    for command in (("report", "weekly"), ("audit",), ("list",)):
        assert group.hub.json("--showroom", A, *command) == group.showrooms[A].json(*command)


def test_the_hubs_lists_and_audit_name_each_rows_showroom(group):
    cards = group.hub.json("list")
    for name, showroom in group.showrooms.items():
        own = showroom.json("list")
        assert [c for c in cards if c["showroom"] == name] == [{"showroom": name, **c} for c in own]
    findings = group.hub.json("audit")
    for name, showroom in group.showrooms.items():
        own = showroom.json("audit")
        assert [f for f in findings["findings"] if f["showroom"] == name] == \
            [{"showroom": name, **f} for f in own["findings"]]
    assert findings["summary"]["findings"] == sum(s.json("audit")["summary"]["findings"]
                                                  for s in group.showrooms.values())
    today = group.hub.json("today", "--all")
    assert len(today["items"]) == sum(len(s.json("today", "--all")["items"]) for s in group.showrooms.values())
    assert {i["showroom"] for i in today["items"]} == {A, B}


def test_a_card_written_at_a_showroom_after_attaching_reaches_the_hub(group):
    group.showrooms[A].ok("add", "钱新客", "--phone", "13912345678", "--grade", "A", "--owner", "王芳")
    group.caught_up(A)
    found = group.hub.json("list", "--search", "钱新客")
    assert [(c["showroom"], c["name"], c["owner"]) for c in found] == [(A, "钱新客", "王芳")]
    assert group.hub.json("--showroom", A, "show", "13912345678")["name"] == "钱新客"


def test_the_hub_refuses_every_write_and_writes_nothing(group):
    tables = ("cards", "followups", "users", "card_events")
    replica = Leadcard(server_url(group.attached()[A]["replica"]))
    before = (row_counts(group.hub, *tables), row_counts(replica, *tables))
    for args in (("add", "张三", "--phone", "13800138000"), ("--showroom", A, "add", "张三", "--phone", "13800138000"),
                 ("log", "A00001", "--channel", "phone", "--content", "电话沟通"),
                 ("--showroom", A, "grade", "A00001", "A"), ("demo", "--cards", "5")):
        refused = group.hub(*args)
        assert refused.exit_code == 1, args
        assert "集团汇总库，只能读" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert (row_counts(group.hub, *tables), row_counts(replica, *tables)) == before


def test_a_consultants_name_means_something_in_one_showroom(group):
    for args in (("audit", "--owner", "王芳"), ("report", "trend", "--owner", "王芳"), ("today", "--owner", "王芳")):
        refused = group.hub(*args)
        assert refused.exit_code == 2 and "--owner 要和 --showroom 一起用" in refused.stderr, args
    own = group.showrooms[A].json("report", "trend", "--weeks", "4", "--owner", "王芳")
    assert group.hub.json("--showroom", A, "report", "trend", "--weeks", "4", "--owner", "王芳") == own


def test_only_the_groups_managers_read_the_hub(group):
    hub = group.hub
    hub.ok("user", "add", "孙总", "--role", "group")
    hub.ok("user", "add", "小周", "--role", "consultant", user="孙总")
    try:
        for args in (("report", "weekly"), ("--showroom", A, "show", "A00001"), ("hub", "list"), ("today",)):
            refused = hub(*args, user="小周")
            assert refused.exit_code == 1 and "小周 不是集团或经理角色" in refused.stderr, args
        assert hub.json("report", "weekly", user="孙总")["showrooms"] == [B, A]
        hub.ok("user", "add", "周经理", "--role", "manager", user="孙总")
        assert settled(hub.json("hub", "list", user="周经理")) == settled(hub.json("hub", "list", user="孙总"))
        refused = hub("--showroom", A, "report", "trend", "--owner", "王芳", user="小周")
        assert refused.exit_code == 1 and "小周 不是集团或经理角色" in refused.stderr
    finally:  # the other tests read the hub as nobody in particular
        with database(hub) as db:
            db.execute("DELETE FROM users")


def test_the_group_role_belongs_to_a_hub_only(group):
    refused = group.showrooms[B]("user", "add", "孙总", "--role", "集团")
    assert refused.exit_code == 1 and "只用在集团汇总库" in refused.stderr


def test_attaching_a_name_twice_or_a_store_that_fails_leaves_nothing_behind(group, logical_cluster):
    cluster = logical_cluster

    def made() -> tuple:
        # What attaching makes; not what replication reports of it (when it last heard, how far behind).
        registry = {name: (s["dsn"], s["replica"], s["slot"], s["attached_at"]) for name, s in group.attached().items()}
        return (registry, {r[0] for r in cluster.admin.execute("SELECT datname FROM pg_database")},
                {r[0] for r in cluster.admin.execute("SELECT slot_name FROM pg_replication_slots")})

    empty = cluster.database(empty=True)
    before = made()
    twice = group.hub("hub", "attach", A, group.showrooms[B].db)
    assert twice.exit_code == 1 and "已经接入" in twice.stderr
    again = group.hub("hub", "attach", "望京二店", group.showrooms[A].db)
    assert again.exit_code == 1 and f"已经作为门店 {A} 接入" in again.stderr
    # The same store under another spelling of its URL: counted twice, it would double every figure.
    respelled = group.hub("hub", "attach", "望京二店", group.showrooms[A].db + "&application_name=leadcard")
    assert respelled.exit_code == 1 and f"已经作为门店 {A} 接入" in respelled.stderr
    missing = server_url("leadcard_no_such_showroom")
    failed = group.hub("hub", "attach", "通州店", missing)
    assert failed.exit_code == 1 and "连不上" in failed.stderr
    try:
        failed = group.hub("hub", "attach", "通州店", empty)
        assert failed.exit_code == 1 and "没有 leadcard 的数据库" in failed.stderr
        assert made() == before
    finally:
        cluster.drop(empty)


def test_the_hub_lists_its_showrooms_streaming(group):
    listed = group.attached()
    assert sorted(listed) == sorted(group.showrooms)
    for showroom in listed.values():
        assert showroom["state"] == "streaming" and showroom["ready_tables"] == showroom["tables"] > 0
        assert showroom["lag_bytes"] is not None


def test_a_showroom_store_knows_no_showroom_option_and_cannot_become_a_hub(group):
    refused = group.showrooms[A]("--showroom", A, "report", "weekly")
    assert refused.exit_code == 2 and "只用于集团汇总库" in refused.stderr
    refused = group.showrooms[A]("init", "--hub")
    assert refused.exit_code == 1 and "已有卡片或用户" in refused.stderr
    assert group.showrooms[A].json("report", "weekly")["totals"]["new_cards"]


def test_a_hub_lives_on_a_server_not_in_a_file(tmp_path):
    store = Leadcard(tmp_path / "group.db")
    refused = store("init", "--hub")
    assert refused.exit_code == 1 and "集团汇总库要建在 PostgreSQL 上" in refused.stderr
    assert not (tmp_path / "group.db").exists()  # refused, it leaves no store behind (as any refused init)

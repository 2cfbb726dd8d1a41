"""`export --format json` then `import` of that file into a new store: the whole store comes back,
ids, sequence numbers, authors and written-at times included (issue 17 item 7, issue 19 item 6)."""

import json
import pwd
import os
import sqlite3

import pytest

from conftest import Leadcard, empty_store, sales_floor, sqlite_only

HERE = pwd.getpwuid(os.geteuid()).pw_name  # the login this test runs as, as leadcard reads it

# Past periods whose reports must read the same after the round trip (the demo's history runs
# from September 2025 to the clock's 3 May 2026).
PAST = (("report", "weekly", "--week", "2026-W17"), ("report", "monthly", "--month", "2026-04"),
        ("report", "monthly", "--month", "2026-03"), ("audit", "--date", "2026-04-20"))


def _a_showroom_with_every_kind_of_record(lc: Leadcard) -> None:
    """The demo's showroom, and what the demo does not write: a reassignment, a rejected loss, a
    reopened card, a cancelled order, a correction and a withdrawal, a do-not-contact, a teaching
    case, a login binding."""
    lc.ok("demo", "--cards", "30")
    lc.user = "赵经理"
    cards = {c["ref"]: c for c in lc.json("list")}
    following = [ref for ref, c in sorted(cards.items()) if c["status"] in ("open", "dormant")]
    lost = [ref for ref, c in sorted(cards.items()) if c["status"] == "lost"]
    won = [ref for ref, c in sorted(cards.items()) if c["status"] == "won"]
    first, second, third, fourth = following[:4]
    lc.ok("assign", first, "李强" if cards[first]["owner"] != "李强" else "王芳", now="2026-04-21T09:00:00")
    lc.ok("lose", second, "--reason", "价格", "--note", "客户嫌贵", user=cards[second]["owner"],
          now="2026-04-22T10:00:00")
    lc.ok("reject", second, "--note", "还没试驾，本周内约试驾", user="钱主管", now="2026-04-22T15:00:00")
    lc.ok("reopen", lost[0], "--note", "客户又来电问价", now="2026-04-23T11:00:00")
    lc.ok("cancel-order", won[0], "--reason", "资金不到位", now="2026-04-24T16:00:00")
    lc.ok("case", "add", lost[1], "--lesson", "报价后三天没联系，客户去了别家", now="2026-04-25T09:00:00")
    owner = cards[third]["owner"]
    lc.ok("log", third, "--channel", "phone", "--content", "打错了客户", user=owner, now="2026-04-27T10:00:00")
    seq = lc.json("show", third)["followups"][-1]["seq"]
    lc.ok("log", third, "--void", str(seq), "--reason", "记错卡片", user=owner, now="2026-04-27T10:05:00")
    lc.ok("log", third, "--channel", "phone", "--content", "电话沟通，周三到店", user=owner, now="2026-04-28T10:00:00")
    seq = lc.json("show", third)["followups"][-1]["seq"]
    lc.ok("log", third, "--corrects", str(seq), "--content", "电话沟通，客户周三到店试驾", "--next", "2026-05-06",
          user=owner, now="2026-04-28T10:10:00")
    lc.ok("do-not-contact", fourth, "--note", "客户要求不再联系", now="2026-04-29T10:00:00")
    lc.ok("user", "bind", "王芳", "--login", "wangfang")
    lc.ok("user", "bind", "赵经理", "--login", HERE)


def _counts(lc: Leadcard) -> dict:
    """Rows per table as `doctor` counts them: every table of the schema, whatever the exporter wrote."""
    return lc.json("doctor", user="赵经理")["counts"]


@sqlite_only("restores into a new file store: a server's export lists the columns of its tables in its own order")
def test_a_json_export_restores_the_whole_showroom_into_a_new_store_exactly(lc, tmp_path):
    _a_showroom_with_every_kind_of_record(lc)
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "before.json"))
    before = _counts(lc)
    past = {args: lc.ok(*args, "--json").stdout for args in PAST}
    weekly = json.loads(past[PAST[0]])
    assert weekly["by_owner"] and weekly["totals"] and json.loads(past[PAST[3]])["findings"]  # reports of something
    other = empty_store(tmp_path / "new.db")
    report = other.json("import", str(tmp_path / "before.json"), user="赵经理")
    assert report["written"] and report["imported"]["cards"] == 30 and report["logins_not_restored"] == []

    # Every table, counted by doctor rather than by the exporter, holds what it held: and every one
    # holds something, so a kind of record the export dropped would show here (but the showrooms a
    # dealer group's hub attaches: a showroom's store has none).
    after = _counts(other)
    assert after == before and all(n > 0 for table, n in before.items() if table != "hub_showrooms"), before
    assert report["imported"] == before
    kinds = {row[3] for row in json.loads((tmp_path / "before.json").read_text())["store"]["tables"]["card_events"]["rows"]}
    assert {"created", "assigned", "lost-requested", "lost-approved", "lost-rejected", "reopened", "won",
            "order-cancelled", "delivered", "handover", "invalid", "do-not-contact", "quote-approved"} <= kinds

    # Exported again, the new store gives the same document, byte for byte.
    other.ok("export", "--format", "json", "--output", str(tmp_path / "after.json"), user="赵经理")
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "before.json").read_bytes()
    # A past week's and month's report and a past day's audit read the same.
    for args, shown in past.items():
        assert other.ok(*args, "--json", user="赵经理").stdout == shown, args
    # The logins travel: the manager bound to this login still acts, the consultant's binding holds.
    assert {u["name"]: u.get("login") for u in other.json("user", "list", user="赵经理")}["王芳"] == "wangfang"
    refused = other("today", user="王芳")
    assert refused.exit_code == 1 and "wangfang" in refused.stderr


def test_the_restored_history_stays_append_only(lc, tmp_path):
    lc.ok("demo", "--cards", "5")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    other = empty_store(tmp_path / "new.db")
    other.ok("import", str(tmp_path / "all.json"))
    with sqlite3.connect(other.db) as db:
        for sql in ("UPDATE followups SET content = 'x'", "DELETE FROM card_events", "DELETE FROM quotes",
                    "UPDATE sales_targets SET orders = 99"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(sql)
    assert other.json("doctor", user="赵经理")["sound"]


def test_a_restore_into_a_store_that_holds_cards_is_refused_and_writes_nothing(lc, tmp_path):
    lc.ok("demo", "--cards", "5")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    before = _counts(lc)
    result = lc("import", str(tmp_path / "all.json"), user="赵经理")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "空数据库" in result.stderr
    assert _counts(lc) == before


def test_only_a_manager_of_the_file_restores_it(lc, tmp_path):
    lc.ok("demo", "--cards", "5")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    other = empty_store(tmp_path / "new.db")
    for who, says in (("王芳", "只有经理"), ("钱主管", "只有经理"), ("周八", "周八")):
        result = other("import", str(tmp_path / "all.json"), user=who)
        assert result.exit_code == 1 and says in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert other.json("doctor")["counts"]["cards"] == 0 and other.json("user", "list") == []
    other.ok("import", str(tmp_path / "all.json"), user="赵经理")
    assert len(other.json("list", user="赵经理")) == 5


def test_a_store_with_only_its_policy_chosen_is_empty_and_takes_the_restore(lc, tmp_path):
    lc.ok("demo", "--cards", "5")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    other = empty_store(tmp_path / "new.db")
    other.ok("init", "--policy", "abc")
    other.ok("import", str(tmp_path / "all.json"))
    assert other.json("doctor", user="赵经理")["counts"] == _counts(lc)
    assert [c["ref"] for c in other.json("list", user="赵经理")] == [c["ref"] for c in lc.json("list", user="赵经理")]


def test_a_dry_run_checks_the_whole_file_and_writes_nothing(lc, tmp_path):
    lc.ok("demo", "--cards", "5")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    other = empty_store(tmp_path / "new.db")
    report = other.json("import", str(tmp_path / "all.json"), "--dry-run")
    assert report["dry_run"] and not report["written"] and report["imported"]["cards"] == 5
    assert other.json("list") == []
    assert other("import", str(tmp_path / "all.json"), "--skip-bad").exit_code == 2


def test_a_consultants_json_export_is_for_reading_and_restores_nothing(lc, tmp_path):
    sales_floor(lc)
    lc.ok("add", "张伟", "--phone", "13800138000", "--owner", "王芳")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "mine.json"), user="王芳")
    document = json.loads((tmp_path / "mine.json").read_text())
    assert document["version"] == 2 and "store" not in document and [c["name"] for c in document["cards"]] == ["张伟"]
    other = empty_store(tmp_path / "new.db")
    result = other("import", str(tmp_path / "mine.json"))
    assert result.exit_code == 1 and "经理" in result.stderr and result.stderr.count("\n") == 1
    assert other.json("list") == []


def test_a_manager_bound_to_another_login_comes_back_unbound_rather_than_locked_out(lc, tmp_path):
    sales_floor(lc)
    lc.ok("add", "张伟", "--phone", "13800138000", "--owner", "王芳")
    lc.ok("user", "bind", "王芳", "--login", "wangfang")
    lc.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"))
    # The file comes from the old server, where the manager logged in as someone this machine does not know.
    document = json.loads((tmp_path / "all.json").read_text())
    users = document["store"]["tables"]["users"]
    name, login = users["columns"].index("name"), users["columns"].index("login")
    for row in users["rows"]:
        if row[name] == "赵经理":
            row[login] = "zhao-on-the-old-server"
    (tmp_path / "all.json").write_text(json.dumps(document, ensure_ascii=False))
    other = empty_store(tmp_path / "new.db")
    report = other.json("import", str(tmp_path / "all.json"))
    assert report["logins_not_restored"] == ["赵经理"]
    logins = {u["name"]: u.get("login") for u in other.json("user", "list", user="赵经理")}
    assert logins["赵经理"] is None and logins["王芳"] == "wangfang"


# -- hostile and mistaken files ---------------------------------------------------------------------


@pytest.fixture
def exported(tmp_path):
    """A small whole-store export, as a document to spoil."""
    source = empty_store(tmp_path / "source.db")
    source.ok("demo", "--cards", "3")
    source.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    return json.loads((tmp_path / "all.json").read_text())


def _column(document, table, column):
    return document["store"]["tables"][table]["columns"].index(column)


def _set(table, column, value, row=0):
    def spoil(document):
        document["store"]["tables"][table]["rows"][row][_column(document, table, column)] = value
    return spoil


def _drop_table(document):
    del document["store"]["tables"]["followups"]


def _drop_column(document):
    part = document["store"]["tables"]["cards"]
    index = part["columns"].index("grade")
    del part["columns"][index]
    for row in part["rows"]:
        del row[index]


def _duplicate_card(document):
    rows = document["store"]["tables"]["cards"]["rows"]
    rows.append(list(rows[0]))


def _unknown_table(document):
    document["store"]["tables"]["secrets"] = {"columns": ["x"], "rows": []}


def _default_user_nobody_is(document):
    settings = document["store"]["tables"]["settings"]
    settings["rows"] = [row for row in settings["rows"] if row[0] != "default_user"] + [["default_user", "周八"]]


def _no_format(document):
    del document["format"]


def _rows_not_a_list(document):
    document["store"]["tables"]["cards"]["rows"] = "all of them"


def _short_row(document):
    document["store"]["tables"]["cards"]["rows"][0].pop()


SPOILED = {
    "a card number as text": _set("cards", "id", "A00001"),
    "a flag as true": _set("cards", "do_not_contact", True),
    "a name as a number": _set("cards", "name", 42),
    "a name as an object": _set("cards", "name", {"$": 1}),
    "an integer past SQLite's": _set("quotes", "price", 2 ** 70),
    "a card number below one": _set("cards", "id", 0),
    "a name of a million and one characters": _set("cards", "notes", "x" * 1_000_001),
    "a NUL in a name": _set("cards", "name", "王\x00芳"),
    "an escape code in a name": _set("cards", "name", "王\x1b[31m芳"),
    "a C1 control in a user's name": _set("users", "name", "钱\x9b2J主管"),
    "a carriage return in a follow-up": _set("followups", "content", "约了\r周六"),
    "a follow-up in 2200": _set("followups", "at", "2200-01-01T00:00:00Z"),
    "a follow-up in 1899": _set("followups", "at", "1899-12-31T15:59:59Z"),
    "a time that is no time": _set("cards", "created_at", "yesterday"),
    "a quote valid until 9999": _set("quotes", "valid_until", "9999-12-31"),
    "a target for month 13": _set("sales_targets", "month", "2026-13"),
    "a birthday on 02-30": _set("cards", "birthday", "02-30"),
    "an outcome that is not JSON": _set("cards", "outcome", "{not json"),
    "an outcome delivered in 9999": _set("cards", "outcome", '{"delivered_at": "9999-12-31T00:00:00Z"}'),
    "a grade outside the scheme": _set("cards", "grade", "Z"),
    "a channel nobody knows": _set("followups", "channel", "telepathy"),
    "a status the schema refuses": _set("cards", "status", "sold"),
    "a follow-up of a card not in the file": _set("followups", "card_id", 999),
    "a card with no name": _set("cards", "name", None),
    "a missing table": _drop_table,
    "a missing column": _drop_column,
    "a card twice": _duplicate_card,
    "a table the store does not have": _unknown_table,
    "a default user nobody is": _default_user_nobody_is,
    "no format": _no_format,
    "rows that are not a list": _rows_not_a_list,
    "a row one value short": _short_row,
}


@pytest.mark.parametrize("spoil", SPOILED.values(), ids=SPOILED.keys())
def test_a_hostile_export_is_one_line_of_bad_input_and_nothing_written(exported, tmp_path, spoil):
    spoil(exported)
    path = tmp_path / "spoiled.json"
    path.write_text(json.dumps(exported, ensure_ascii=False))
    other = empty_store(tmp_path / "new.db")
    result = other("import", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert other.json("doctor")["counts"]["cards"] == 0 and other.json("user", "list") == []


RAW = {
    "not JSON": "cards,followups\n",
    "NaN": '{"format": "leadcard", "version": 2, "store": {"schema": NaN}}',
    "a number of 5,000 digits": '{"format": "leadcard", "version": ' + "9" * 5000 + "}",
    "nesting 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "a list": "[]",
    "a future version": '{"format": "leadcard", "version": 3}',
}


@pytest.mark.parametrize("text", RAW.values(), ids=RAW.keys())
def test_a_file_that_is_no_export_is_one_line_of_bad_input(tmp_path, text):
    path = tmp_path / "odd.json"
    path.write_text(text)
    other = empty_store(tmp_path / "new.db")
    result = other("import", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_times_at_the_edges_of_the_years_a_store_holds_are_restored(exported, tmp_path):
    _set("followups", "at", "1900-01-01T00:00:00Z")(exported)
    _set("followups", "recorded_at", "2199-12-31T23:59:59Z")(exported)
    path = tmp_path / "edges.json"
    path.write_text(json.dumps(exported, ensure_ascii=False))
    other = empty_store(tmp_path / "new.db")
    other.ok("import", str(path))
    assert other.json("doctor", user="赵经理")["counts"]["followups"] == len(exported["store"]["tables"]["followups"]["rows"])


def test_an_export_saved_again_by_a_windows_editor_with_a_bom_still_restores(exported, tmp_path):
    path = tmp_path / "saved.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(exported, ensure_ascii=False).encode())
    other = empty_store(tmp_path / "new.db")
    other.ok("import", str(path))
    assert len(other.json("list", user="赵经理")) == 3


def test_a_table_given_twice_is_bad_input(exported, tmp_path):
    text = json.dumps(exported, ensure_ascii=False)
    cases = json.dumps({"columns": exported["store"]["tables"]["cases"]["columns"], "rows": []}, ensure_ascii=False)
    path = tmp_path / "twice.json"
    path.write_text(text.replace('"tables": {', '"tables": {"cases": ' + cases + ", ", 1))
    other = empty_store(tmp_path / "new.db")
    result = other("import", str(path))
    assert result.exit_code == 2 and "cases" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert other.json("doctor")["counts"]["cards"] == 0


def test_a_json_export_restores_into_an_empty_store_on_either_backend(lc, tmp_path):
    """On a server the restore's reference check was SQLite's PRAGMA, which it has no form of: every
    restore failed there, and was told as a damaged store."""
    source = empty_store(tmp_path / "source.db")
    source.ok("demo", "--cards", "30", "--seed", "1")
    source.ok("export", "--format", "json", "--output", str(tmp_path / "all.json"), user="赵经理")
    lc.ok("import", str(tmp_path / "all.json"))
    counts = lc.json("doctor", user="赵经理")["counts"]
    assert counts == {**source.json("doctor", user="赵经理")["counts"], "settings": counts["settings"]}
    assert [c["ref"] for c in lc.json("list", user="赵经理")] == [c["ref"] for c in source.json("list", user="赵经理")]


def test_an_export_pointing_at_a_record_it_does_not_hold_is_refused_on_either_backend(lc, tmp_path, exported):
    _set("followups", "card_id", 999)(exported)
    (tmp_path / "spoiled.json").write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    result = lc("import", str(tmp_path / "spoiled.json"))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "doctor" not in result.stderr
    assert lc.json("user", "list") == []

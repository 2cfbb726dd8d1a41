"""`leadcard audit` in the reader's language (CONTRACT.md, "language"): a supervisor reads the findings,
the summary and `--explain` in Chinese; with LEADCARD_LANG=en the same audit reads in English. The
JSON keeps its keys, rule names and severities in both; only the words a person reads (`message`,
`expected`, `actual`; `label`, `title`, `reason` of `--explain`) follow the language."""

import re

from conftest import database, sales_floor

from leadcard.domain.audit import RULE_NAMES, RULES_BY_NAME

EN = {"LEADCARD_LANG": "en"}
NOW = "2026-05-06T10:00:00"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CHINESE_PUNCTUATION = re.compile(r"[（），：、；「」。]")
# What people typed, and stays as they typed it in either language: names, a follow-up's words, a loss reason.
TYPED = ("张三", "李四", "王五", "王芳", "李强", "钱主管", "赵经理", "考虑得怎么样", "电话", "价格", "本田雅阁", "差价一万")


def floor_with_findings(lc):
    """Monday's check after a sloppy week: 张三 (王芳) never contacted; 李四 (李强, H) called once with a
    one-word record, no next date and nobody's instruction; 王五 (王芳) given up after one call, the
    loss request waiting on the supervisor."""
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", "--owner", "王芳", now="2026-05-01T10:00:00")
    lc.ok("add", "李四", "--phone", "13900139000", "--grade", "H", "--owner", "李强", "--model", "凯美瑞",
          now="2026-05-01T10:00:00")
    lc.ok("log", "李四", "--channel", "phone", "--content", "电话", "--plan", "电话", "--purpose", "考虑得怎么样",
          user="李强", now="2026-05-02T10:00:00")
    lc.ok("add", "王五", "--phone", "13700137000", "--grade", "B", "--owner", "王芳", now="2026-05-02T10:00:00")
    lc.ok("log", "王五", "--channel", "phone", "--content", "嫌贵，去看雅阁了", "--next", "2026-05-03 10:00",
          user="王芳", now="2026-05-02T11:00:00")
    lc.ok("lose", "王五", "--reason", "价格", "--competitor", "本田雅阁", "--note", "差价一万", user="王芳",
          now="2026-05-03T09:00:00")


def english_words(text: str) -> list[str]:
    """Words of English left in a Chinese page once what is typed as it is has gone: policy tables,
    settings and their keys, rule names, card numbers, options, the command that changes the policy."""
    text = re.sub(r"\[[\w.-]+\]|\w+ = (\"\w+\"|\S+)|\b[a-z]+(_[a-z]+)+\b", " ", text)
    for name in sorted(RULE_NAMES, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"A\d{5}|--[\w-]+|leadcard init", " ", text)
    return re.findall(r"[A-Za-z]{2,}", text)


def as_typed_removed(text: str) -> str:
    for typed in TYPED:
        text = text.replace(typed, " ")
    return text


def test_the_supervisor_reads_monday_s_audit_in_chinese_and_in_english(lc):
    floor_with_findings(lc)
    chinese = lc("audit", now=NOW)
    assert chinese.exit_code == 0, chinese.stderr
    out = chinese.stdout
    for said in ("建卡（05-01 10:00）已 5天，还没有电话或当面联系上客户（时限 24 小时）",
                 "内容只有「电话」；跟踪方案只写了「电话」；访问目的「考虑得怎么样」只是问候",
                 "B 级客户只跟进了 1 次就申请战败", "1 次跟进没有主管批示", "卡片缺少意向车型、预算、购车时间",
                 "错误", "警告", "提示", "顾问", "及时率", "按规则", "合计", "首电=first-call-late",
                 "稽核截至 2026-05-06 10:00：自 2026-04-06 起 · 3 张卡片"):
        assert said in out, said
    assert english_words(out) == [], out

    english = lc("audit", now=NOW, env=EN)
    assert english.exit_code == 0, english.stderr
    out = english.stdout
    for said in ("5 d since the card was made (05-01 10:00), and yet to reach the customer by phone or face to face "
                 "(limit 24 h)",
                 "Loss requested (05-03) for a grade B customer after only 1 follow-up",
                 "Follow-ups without a supervisor's instruction: 1",
                 "The card lacks: Model, Budget, Purchase timeline", "Error", "Warning", "Info", "Consultant",
                 "Timely", "By rule", "Total", "call=first-call-late",
                 "Audit as of 2026-05-06 10:00: from 2026-04-06 · 3 cards"):
        assert said in out, said
    assert not CJK.search(as_typed_removed(out)), out
    assert not CHINESE_PUNCTUATION.search(as_typed_removed(out)), out


def test_explain_first_call_late_in_chinese_and_in_english(lc):
    floor_with_findings(lc)
    chinese = lc.ok("audit", "--explain", "first-call-late").stdout
    for said in ("first-call-late（首电）· 错误 · 启用", "首次电话超时", "限值（本店政策）：", "limit_hours = 24",
                 "为什么：首次电话：客户离店后 24 小时内打电话确认级别", "[sources.online] first_call_minutes",
                 "在政策文件中修改", "[audit.first-call-late]"):
        assert said in chinese, said
    assert english_words(chinese) == [], chinese

    english = lc.ok("audit", "--explain", "first-call-late", env=EN).stdout
    for said in ("first-call-late (call) · Error · on", "First call late:", "Limits (this store's policy):",
                 "limit_hours = 24", "Why: First call: a phone call within 24 hours of the customer leaving",
                 "Change it in the policy file"):
        assert said in english, said
    assert not CJK.search(english) and not CHINESE_PUNCTUATION.search(english), english


def test_the_audit_json_is_the_same_in_both_languages_but_for_the_words_people_read(lc):
    floor_with_findings(lc)
    chinese = lc.json("audit", now=NOW)
    english = lc.json("audit", now=NOW, env=EN)
    words = ("message", "expected", "actual")
    assert len(chinese["findings"]) == len(english["findings"]) >= 8
    assert {f["rule"] for f in chinese["findings"]} >= {"first-touch-late", "first-call-late", "vague-record",
                                                         "no-next-date", "unsigned", "gave-up-early"}

    def without_words(data):
        return {**data, "findings": [{k: v for k, v in f.items() if k not in words} for f in data["findings"]]}

    assert without_words(chinese) == without_words(english)
    for zh, en in zip(chinese["findings"], english["findings"]):
        assert CJK.search(zh["message"]), zh
        assert not CJK.search(as_typed_removed(" ".join(en[k] for k in words))), en


def test_explain_json_keeps_the_rule_its_severity_and_limits_and_translates_its_words(lc):
    lc.ok("init")
    for name in RULE_NAMES:
        chinese = lc.json("audit", "--explain", name)
        english = lc.json("audit", "--explain", name, env=EN)
        same = ("rule", "severity", "enabled", "limits")
        assert {k: chinese[k] for k in same} == {k: english[k] for k in same}
        assert chinese["reason"] == RULES_BY_NAME[name].reason and CJK.search(chinese["title"])
        for key in ("label", "title", "reason"):
            assert english[key] != chinese[key] and not CJK.search(english[key]), (name, key, english[key])


def test_log_warns_of_a_date_beyond_the_cadence_in_the_language_asked_for(lc):
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "H", now="2026-05-03T10:00:00")
    chinese = lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差", "--next", "2026-05-06",
                    now="2026-05-03T10:30:00")
    assert "提醒：下次访问在 3 天后，超出 H 级的联系周期（每 1 天）" in chinese.stderr
    english = lc.ok("log", "张三", "--channel", "phone", "--content", "客户出差", "--next", "2026-05-07",
                    now="2026-05-04T10:30:00", env=EN)
    assert "Note: the next contact is 3 days away, beyond grade H's cadence (every 1 day)" in english.stderr


def test_a_mistake_in_the_policy_s_audit_tables_is_told_in_either_language(lc, tmp_path):
    """`init` refuses such a policy; a store whose policy an older leadcard kept is refused by the audit."""
    policy = tmp_path / "policy.toml"
    policy.write_text('[audit.first-call-late]\nlimit_hours = "soon"\n', encoding="utf-8")
    refused = lc("init", "--policy-file", str(policy))
    assert refused.exit_code == 2 and "limit_hours 必须是不小于 0 的数" in refused.stderr
    with database(lc.db) as db:
        db.execute("INSERT INTO settings (key, value) VALUES ('policy.overrides', ?)", (policy.read_text(),))
    chinese = lc("audit")
    assert chinese.exit_code == 2
    assert chinese.stderr.strip() == ("leadcard: 政策里 [audit.first-call-late] 的 limit_hours 必须是不小于 0 的数；"
                                      "改好政策文件后运行 leadcard init --policy-file 文件")
    english = lc("audit", env=EN)
    assert english.exit_code == 2
    assert english.stderr.strip() == ("leadcard: policy: [audit.first-call-late] limit_hours must be a non-negative "
                                      "number; correct the policy file, then run leadcard init --policy-file FILE")


def test_the_summary_never_cuts_a_rule_from_its_count_nor_a_label_from_its_rule(lc):
    """Wrapped to the terminal, the summary's by-rule column breaks between entries only (无下次4,
    never 无下次 / 4), and the legend between its entries (敷衍=vague-record, never 敷衍 / =vague-record)."""
    lc.ok("demo")
    for columns in ("80", "100", "120"):
        lines = lc.ok("audit", user="赵经理", env={"COLUMNS": columns}).stdout.splitlines()
        head = next(n for n, line in enumerate(lines) if line.startswith("顾问"))
        legend = next(n for n in range(head, len(lines)) if "=first" in lines[n] or "=cadence" in lines[n])
        body = [line.rstrip() for line in lines[head + 2:legend] if line.strip()]
        continued = [line for line in body if line.startswith(" ")]
        assert continued, "the column wraps at this width: the case this test is for"
        for line in body:
            assert re.fullmatch(r"\D+\d+|—", line.split()[-1]), line
        for line in continued:
            assert re.fullmatch(r"\D+\d+", line.split()[0]), line
        for line in lines[legend:]:
            if line.startswith("及时率"):
                break
            assert all(re.fullmatch(r"[^=\s]+=[a-z-]+", entry) for entry in line.split(" · ")), line

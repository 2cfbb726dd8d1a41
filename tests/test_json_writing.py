"""Reports and trends are written as indented JSON without json's pure-Python indenter (a quarter of a
second over a dealer group's trend), byte for byte as json.dumps(indent=2) wrote them; long lists a
row a line, each row as json.dumps writes it."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

from conftest import Leadcard
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcard.render.common import dumps, iso
from leadcard.usertext import JSON_RAW

MOMENTS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31),
                       timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=8))]))
PLAIN = (st.text() | st.sampled_from(["王芳", "比亚迪秦PLUS DM-i", "a, b: c", "\"quoted\"", "\x85\u202e"])
         | st.integers() | st.floats() | st.booleans() | st.none() | st.dates() | MOMENTS)
KEYS = st.text(max_size=8) | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
DOCUMENTS = st.recursive(PLAIN, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                         | st.dictionaries(KEYS, inner, max_size=5), max_leaves=40)


def as_json_wrote_it(value, indent: int | None = 2) -> str:
    text = json.dumps(value, ensure_ascii=False, default=iso, indent=indent)
    return JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(DOCUMENTS)
def test_an_indented_document_is_what_json_dumps_wrote(document):
    assert dumps(document, indent=2) == as_json_wrote_it(document)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(DOCUMENTS)
def test_a_compact_row_is_what_json_dumps_wrote(document):
    # The rows of a streamed list (a manager's `today`, export) are written by json's C encoder made
    # once, not by JSONEncoder.encode.
    assert dumps(document) == as_json_wrote_it(document, indent=None)


def test_empty_and_nested_containers_are_laid_out_as_json_lays_them_out():
    document = {"periods": [], "series": {}, "by_owner": [{"owner": None, "counts": {"orders": [0, 3]}}],
                "start": date(2026, 11, 23), "at": datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc),
                "ratios": [[{"numerator": 1, "denominator": 0, "rate": None}], []], 7: (1.5, True)}
    assert dumps(document, indent=2) == as_json_wrote_it(document)
    assert dumps(document["by_owner"]) == json.dumps(document["by_owner"], ensure_ascii=False)


def test_a_long_list_is_written_whole_one_row_a_line(tmp_path):
    # Rows are gathered into writes of a hundred: 250 cards make two and a half.
    lc = Leadcard(tmp_path / "store.db")
    lc.ok("demo", "--cards", "250", "--seed", "7")
    out = lc.ok("list", "--json", user="赵经理").stdout
    lines = out.splitlines()
    rows = json.loads(out)
    assert len(rows) == 250 and (lines[0], lines[-1]) == ("[", "]")
    assert [json.loads(line.strip().removesuffix(",")) for line in lines[1:-1]] == rows


def test_the_morning_lists_rows_are_what_json_dumps_wrote(tmp_path):
    # A manager's `today` writes its items field by field (thousands of rows), not through the encoder:
    # each row must read as json.dumps wrote the object, quotes, playbook answers and blanks included,
    # and a name with a C1 control and a bidirectional override (which the commands refuse, written
    # into the file by hand) escaped.
    lc = Leadcard(tmp_path / "store.db")
    lc.ok("demo", "--cards", "400", "--seed", "3")
    first = lc.ok("today", "--all", "--json", user="赵经理").json()["items"][0]["ref"]
    with sqlite3.connect(lc.db) as conn:
        conn.execute("UPDATE cards SET name = ? WHERE id = ?", ("\x85\u202e赵\"六\\", int(first[1:])))
    conn.close()
    out = lc.ok("today", "--all", "--json", user="赵经理").stdout
    items = json.loads(out)["items"]
    lines = [line[4:].removesuffix(",") for line in out.splitlines() if line.startswith("    {")]
    assert lines == [as_json_wrote_it(item, indent=None) for item in items]
    assert any(i["quote"] for i in items) and any(i["objections"] for i in items)
    assert any(i["days_since_contact"] is None for i in items) and any(i["suggested"] for i in items)
    assert any(i["name"] == "\x85\u202e赵\"六\\" for i in items)
    assert "\x85" not in out and "\u202e" not in out

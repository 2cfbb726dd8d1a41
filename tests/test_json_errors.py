"""With `--json`, a failure is also the one JSON document on stdout (CONTRACT.md, "language"):
`{"error": {"code": "...", "message": "..."}}`, beside the stderr line and the same exit code.

A script that reads stdout as JSON learns why the command failed instead of meeting an empty
document; a command line without `--json` keeps stdout empty as before.
"""

import json

import pytest

from conftest import empty_store, sales_floor


@pytest.fixture
def floor(lc):
    sales_floor(lc)
    lc.ok("add", "王伟", "--phone", "13800138000", "--owner", "王芳")
    lc.ok("add", "王伟", "--phone", "13900139000", "--owner", "王芳")
    lc.ok("add", "孙强", "--phone", "13700137000", "--owner", "孙丽")
    return lc


FAILURES = {
    # name: (the command line, acting user, exit code, error code)
    "a card that is not there": (("show", "A00099"), "王芳", 1, "not_found"),
    "a card the reader may not see": (("show", "孙强"), "王芳", 1, "not_found"),
    "a malformed date on the lean morning list": (("today", "--date", "xx"), "王芳", 2, "bad_input"),
    "a malformed phone": (("add", "张三", "--phone", "1"), "王芳", 2, "bad_input"),
    "an unknown option": (("list", "--bogus"), "王芳", 2, "usage"),
    "a missing argument": (("show",), "王芳", 2, "usage"),
    "a consultant adding a user": (("user", "add", "某人", "--role", "consultant"), "王芳", 1, "not_allowed"),
    "an ambiguous name": (("approve", "王伟"), "赵经理", 1, "ambiguous"),
    "an unknown acting user": (("list",), "无此人", 1, "not_found"),
}


@pytest.mark.parametrize("name", FAILURES)
def test_a_failure_asked_for_json_is_a_json_document_on_stdout(floor, name):
    args, user, exit_code, code = FAILURES[name]
    result = floor(*args, "--json", user=user)
    assert result.exit_code == exit_code
    error = json.loads(result.stdout)["error"]
    assert error["code"] == code
    # The same words as the stderr line (its first, when candidates follow).
    assert f"leadcard: {error['message']}" == result.stderr.splitlines()[0]
    without = floor(*args, user=user)
    assert (without.exit_code, without.stdout, without.stderr) == (exit_code, "", result.stderr)


def test_an_ambiguous_reference_lists_its_candidates_in_the_document(floor):
    result = floor("show", "王伟", "--json", user="王芳")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "ambiguous"
    assert [c.split()[0] for c in error["candidates"]] == ["A00001", "A00002"]
    assert result.stderr.splitlines()[1:] == [f"  {c}" for c in error["candidates"]]


def test_a_rule_refusing_is_coded_refused(floor):
    result = floor("reopen", "孙强", "--json", user="赵经理")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "refused"


def test_a_store_that_is_not_there_is_coded_as_the_store(tmp_path):
    result = empty_store(tmp_path / "store.db")("today", "--json", env={"LEADCARD_DB": str(tmp_path / "none.db")})
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "store_error"


def test_the_message_is_in_the_readers_language_and_the_code_is_not(floor):
    chinese = json.loads(floor("show", "A00099", "--json", user="王芳").stdout)["error"]
    english = json.loads(floor("show", "A00099", "--json", user="王芳", env={"LEADCARD_LANG": "en"}).stdout)["error"]
    assert chinese["code"] == english["code"] == "not_found"
    assert chinese["message"] != english["message"] and english["message"].isascii()


def test_json_after_the_end_of_the_options_is_an_argument_not_a_request(floor):
    result = floor("show", "--", "--json", user="王芳")
    assert (result.exit_code, result.stdout) == (1, "")


@pytest.mark.parametrize("command", [("list",), ("today",), ("audit",)], ids=" ".join)
def test_ctrl_c_is_told_as_aborted_on_every_command(floor, monkeypatch, command):
    """typer turns a Ctrl-C into exit 130 with nothing said; the morning list's own path said 已中止."""
    import leadcard.domain.audit
    import leadcard.domain.cards

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    for module, name in ((leadcard.domain.cards, "list_cards"), (leadcard.domain.cards, "every_card"),
                         (leadcard.domain.cards, "today"), (leadcard.domain.audit, "audit")):
        monkeypatch.setattr(module, name, interrupted)
    result = floor(*command, user="赵经理")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "leadcard: 已中止\n")
    as_json = floor(*command, "--json", user="赵经理")
    assert (as_json.exit_code, as_json.json()["error"]["code"]) == (1, "interrupted")

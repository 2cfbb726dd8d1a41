"""Every word a person reads is Chinese by default and English with LEADCARD_LANG=en (CONTRACT.md,
"language"): the catalog is complete, every help page and a set of errors read in the language
asked for, and every help page ends with examples."""

import importlib.util
import re
from pathlib import Path

import pytest
import typer.main

from leadcard.commands.app import build_app
from leadcard.model import Channel, DueReason, EventKind, Outcome, Role, Source, Status

ROOT = Path(__file__).resolve().parent.parent
EN = {"LEADCARD_LANG": "en"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# What stays as typed in a Chinese page: values a user types (statuses, channels, formats …), file
# kinds, the names of programs and standards.
TYPED = {v.value for enum in (Channel, DueReason, EventKind, Outcome, Role, Source, Status) for v in enum}
KEPT_AS_IS = {"leadcard", "json", "csv", "xlsx", "ics", "md", "toml", "sqlite", "utf", "bom", "gbk", "gb18030",
              "iso", "sms", "wechat", "excel", "habc", "abc", "four", "tier", "table", "html", "less", "pager",
              "bash", "zsh", "fish", "powershell", "cron", "postgresql", "ref", "name", "user", "text", "tag",
              "label", "file", "day", "when", "seq", "shell", "weekly", "monthly", "trend"}


def catalog_tool():
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "tools" / "catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_english_catalog_is_complete_and_compiled():
    tool = catalog_tool()
    assert tool.problems(tool.messages(), tool.read_po()) == []


def test_the_catalog_tool_finds_an_untranslated_message(tmp_path):
    tool = catalog_tool()
    package = tmp_path / "leadcard"
    (package / "commands").mkdir(parents=True)
    (package / "x.py").write_text('from leadcard.i18n import _\nMESSAGE = _("卡片 {ref} 已成交")\n', encoding="utf-8")
    (package / "commands" / "y.py").write_text(
        'import typer\napp = typer.Typer()\n@app.command()\ndef win(ref: str = typer.Option(help="卡号。")):\n'
        '    """成交。"""\n', encoding="utf-8")
    found = tool.messages(package)
    assert set(found) == {"卡片 {ref} 已成交", "卡号。", "成交。"}
    wrong = tool.problems(found, {"卡片 {ref} 已成交": "Card {card} won", "卡号。": "The card."})
    assert any("placeholders differ" in w for w in wrong) and any("no English for '成交。'" in w for w in wrong)


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group of the program, as typed after `leadcard`."""
    paths = []

    def walk(command, path):
        for name, sub in getattr(command, "commands", {}).items():
            paths.append((*path, name))
            walk(sub, (*path, name))

    walk(typer.main.get_command(build_app()), ())
    return [()] + paths


def readable(page: str) -> str:
    """A help page without what is typed as it is: example lines, options, placeholders, code."""
    kept = []
    page = re.sub(r"`[^`]*`", " ", page)  # code, wrapped over lines or not
    for line in page.splitlines():
        if line.strip().startswith(("leadcard ", "$ ", "用法", "Usage")):
            continue
        line = re.sub(r"`[^`]*`|--?[\w-]+|<[^>]*>|\{[^}]*\}|\[[A-Z_ .]+\]|[\w.-]+\.(?:csv|xlsx|ics|json|toml|md|db)\b",
                      " ", line)
        kept.append(line)
    return "\n".join(kept)


def english_words(text: str) -> list[str]:
    """Words of three letters or more that are not typed as they are: values, file kinds, and the
    names of leadcard's own commands (`init`, `add`, `list` … in a page's list of commands)."""
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text)
            if w.lower() not in KEPT_AS_IS and w not in TYPED and w.lower() not in TYPED
            and w not in COMMAND_NAMES]


COMMAND_NAMES = {name for path in command_paths() for part in path for name in part.split("-")}


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "leadcard")
def test_every_help_page_reads_in_chinese_and_in_english(lc, path):
    chinese = lc.ok(*path, "--help").stdout
    assert english_words(readable(chinese)) == [], chinese
    english = lc.ok(*path, "--help", env=EN).stdout
    # Chinese words may stand in an English page as the floor's terms: (意向客户管理卡), 展厅 …
    assert english_words(readable(english)), english
    assert not CJK.search(re.sub(r"[(（][^()（）]*[)）]|leadcard .*", "", readable(english))), english


@pytest.mark.parametrize("path", [p for p in command_paths() if p], ids=" ".join)
def test_every_command_ends_its_help_with_examples(lc, path):
    command = typer.main.get_command(build_app())
    for name in path:
        command = command.commands[name]
    if hasattr(command, "commands"):
        return  # a group lists its commands; each of them shows its examples
    for env, heading in (({}, "示例"), (EN, "Examples")):
        page = lc.ok(*path, "--help", env=env).stdout
        tail = page[page.rindex(heading):]
        assert re.search(r"^\s+leadcard \S", tail, re.M), page


# Mistakes a consultant makes, with the words each message must not be missing.
MISTAKES = [
    (("show",), "REF"),
    (("show", "A1", "A2"), None),
    (("list", "--grade", "Z"), "Z"),
    (("list", "--limit", "x"), None),
    (("log", "张三", "--channel", "fax", "--content", "x"), "fax"),
    (("add", "张三", "--phone", "12345"), "12345"),
    (("add", "张三", "--phone", "13800138000", "--at", "下下周"), None),
    (("today", "--date", "someday"), None),
    (("show", "A09999"), None),
    (("report", "weekly", "--week", "W99"), None),
    (("audit", "--rule", "nosuchrule"), None),
    (("frobnicate",), "frobnicate"),
    (("calendar", "--dayz", "3"), None),
]


@pytest.mark.parametrize("line, echoed", MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_mistakes_are_told_in_the_language_asked_for(lc, line, echoed):
    lc.ok("init")
    chinese = lc(*line)
    assert chinese.exit_code in (1, 2) and chinese.stdout == ""
    message = chinese.stderr.strip()
    assert CJK.search(message) and english_words(readable(message.replace(echoed or "\0", " "))) == [], message
    english = lc(*line, env=EN).stderr.strip()
    assert english_words(english) and not CJK.search(english.replace("张三", "").replace("下下周", "")), english


def test_the_english_of_every_message_is_what_gettext_reads_in_the_catalog():
    # leadcard looks each message up in en.mo itself (start-up); gettext is the reference reader.
    import gettext

    from leadcard import i18n

    with open(i18n.CATALOGS / "en.mo", "rb") as mo:
        reference = gettext.GNUTranslations(mo).gettext
    english = i18n._english_catalog()
    messages = [*catalog_tool().messages(), "没有这条消息 {ref}", "not a message", ""]
    assert [english(m) for m in messages] == [reference(m) for m in messages]
    assert english("周报") == "Weekly report" and english("没有这条消息 {ref}") == "没有这条消息 {ref}"

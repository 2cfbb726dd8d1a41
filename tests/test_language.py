"""Every word a person reads is Chinese by default and English with LEADCARD_LANG=en (CONTRACT.md,
"language"): the catalog is complete, every help page and a set of errors read in the language
asked for, and every help page ends with examples."""

import ast
import importlib.util
import re
from pathlib import Path

import pytest
import typer.main

from leadcard.commands.app import build_app
from conftest import sales_floor
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
              "label", "file", "day", "when", "seq", "shell", "weekly", "monthly", "trend", "dsn"}


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
    (("log", "张三", "--channel", "phone", "--content", "x", "--next", "明天3点"), None),  # morning or afternoon?
    (("today", "--date", "someday"), None),
    (("show", "A09999"), None),
    (("report", "weekly", "--week", "W99"), None),
    (("audit", "--rule", "nosuchrule"), None),
    (("frobnicate",), "frobnicate"),
    (("calendar", "--dayz", "3"), None),
]


# The deal desk's mistakes, on 王芳's card 张三 with her quote #1 (above the discount limit) on 1 May 2026.
DESK_MISTAKES = [
    ("王芳", ("quote", "张三"), None),  # a quote without its price
    ("王芳", ("quote", "张三", "--price", "0"), None),
    ("王芳", ("quote", "张三", "--price", "12x"), "12x"),
    ("王芳", ("quote", "approve", "张三", "1"), None),  # her own quote
    ("钱主管", ("quote", "approve", "张三", "9"), None),
    ("王芳", ("trade-in", "张三", "--vehicle", " ", "--appraisal", "42000"), None),
    ("赵经理", ("target", "set", "王芳", "--month", "2026-04", "--orders", "8"), None),  # a month gone by
    ("钱主管", ("target", "set", "孙丽", "--orders", "8"), None),  # another team's consultant
    ("王芳", ("log", "张三", "--channel", "phone", "--content", "x", "--vehicle", "凯美瑞"), None),
]
# Names and values typed in Chinese that an English message repeats as they are; amounts as typed (9.58万).
TYPED_CHINESE = ("张三", "下下周", "明天3点", "王芳", "钱主管", "孙丽", "一组", "凯美瑞")
AMOUNT = re.compile(r"\d+(?:\.\d+)?[万亿]")


def told_in_both_languages(lc, line, echoed, user=None):
    chinese = lc(*line, user=user)
    assert chinese.exit_code in (1, 2) and chinese.stdout == ""
    message = chinese.stderr.strip()
    assert CJK.search(message) and english_words(readable(message.replace(echoed or "\0", " "))) == [], message
    english = lc(*line, user=user, env=EN).stderr.strip()
    for typed in TYPED_CHINESE:
        english = english.replace(typed, "")
    english = AMOUNT.sub("", english)
    assert english_words(english) and not CJK.search(english), english


@pytest.mark.parametrize("line, echoed", MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_mistakes_are_told_in_the_language_asked_for(lc, line, echoed):
    lc.ok("init")
    told_in_both_languages(lc, line, echoed)


@pytest.mark.parametrize("user, line, echoed", DESK_MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_the_deal_desks_mistakes_are_told_in_the_language_asked_for(lc, user, line, echoed):
    lc.now = "2026-05-01T10:00:00"
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--grade", "A", user="王芳")
    lc.ok("quote", "张三", "--price", "199800", "--discount", "8000", user="王芳")
    told_in_both_languages(lc, line, echoed, user)


# What the code raises or prints without `_()` never reaches the catalog: the guard below finds it.
ERROR_TYPES = {"BadInput", "Refused", "NotFound", "NotAllowed", "Ambiguous", "StoreError"}


def literal_text(node: ast.expr) -> str | None:
    """A string literal's text, an f-string's with each value as {}; None for anything else (a `_()` call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def spoken(text: str) -> str:
    """What a person reads of a printed literal: not a command line to paste, rich's markup or an option."""
    text = re.sub(r"leadcard(?: [\w{}.#-]+)+", " ", text)
    return readable(re.sub(r"\[/?[a-z #]*\]", " ", text))


def words_outside_the_catalog(package: Path) -> list[str]:
    """Errors raised with a literal or f-string, and literals with words (Latin or Chinese) handed to
    `print` in render/: file:line and the words."""
    found = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            text = literal_text(node.args[0])
            if text is None:
                continue
            if name in ERROR_TYPES:
                found.append(f"{where}:{node.lineno} raises {name}({text!r})")
            elif name == "print" and "render" in where.parts:
                said = spoken(text)
                if CJK.search(said) or english_words(said):
                    found.append(f"{where}:{node.lineno} prints {text!r}")
    return found


def test_every_error_and_printed_line_goes_through_the_catalog():
    assert words_outside_the_catalog(ROOT / "leadcard") == []


def test_the_guard_finds_words_that_skip_the_catalog(tmp_path):
    package = tmp_path / "leadcard"
    (package / "render").mkdir(parents=True)
    (package / "domain.py").write_text(
        'from leadcard.i18n import _\n'
        'def f(ref):\n'
        '    raise NotFound(f"no card {ref}")\n'
        'def g(ref):\n'
        '    raise Refused("卡片已成交")\n'
        'def h(ref):\n'
        '    raise NotFound(_("没有卡片 {ref}").format(ref=ref))\n', encoding="utf-8")
    (package / "render" / "x.py").write_text(
        'from leadcard.i18n import _\n'
        'def f(out, month):\n'
        '    out.print(f"No targets for {month}")\n'
        '    out.print(f"{month} 月度目标")\n'
        '    print("  {month} = {value}", "[bold]leadcard target list --month 2026-12[/bold]")\n'
        '    out.print("[bold]leadcard target list --month 2026-12[/bold]")\n'
        '    out.print(_("{month} 月度目标").format(month=month))\n', encoding="utf-8")
    assert [line.split(" ", 1)[0] for line in words_outside_the_catalog(package)] == [
        "leadcard/domain.py:3", "leadcard/domain.py:5", "leadcard/render/x.py:3", "leadcard/render/x.py:4"]


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

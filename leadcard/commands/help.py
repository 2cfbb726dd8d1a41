"""Help pages and usage errors in the reader's language.

The commands' help texts are written in Chinese, as literals beside their options; they are
translated when a page is drawn (not when a module is imported), so `LEADCARD_LANG` decides at
run time. The frame around them — "Usage:", "Options", "[default: 14]", "Show this message and
exit." — and the usage errors ("No such option …") are typer's bundled click, written in English:
they are put into Chinese here, and left as they are in English.
"""

from __future__ import annotations

import re

import typer
from typer.core import TyperCommand, TyperGroup

from leadcard.i18n import _, english
from leadcard.usertext import LazyPattern

# What click writes around our texts, and what the floor reads instead.
_FRAME = {
    "Usage: ": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Print the version and exit.": "显示版本并退出。",
}
# Placeholders typer and click write for values and the parts of a command line.
_METAVARS = {"<str>": "<文本>", "<path>": "<路径>", "<int>": "<整数>", "<int range>": "<整数>", "<float>": "<数字>",
             "<float range>": "<数字>", "[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}
_METAVAR = LazyPattern("|".join(re.escape(m) for m in sorted(_METAVARS, key=len, reverse=True)))
_EXTRAS = (
    (LazyPattern(r"^default: (.*)$", re.S), "默认：{}"),
    (LazyPattern(r"^required$"), "必填"),
    (LazyPattern(r"^env var: (.*)$", re.S), "环境变量：{}"),
)
_TRAILING_EXTRAS = LazyPattern(r"^(.*?)\s*\[([^\[\]]*)\]$", re.S)


def frame(text: str) -> str:
    return text if english() else _FRAME.get(text, text)


def metavars(text: str) -> str:
    return text if english() else _METAVAR.sub(lambda m: _METAVARS[m.group(0)], text)


def option_help(text: str) -> str:
    """An option's help as click gives it: our text, then typer's `[default: …; required]`."""
    match = _TRAILING_EXTRAS.match(text)
    if not match:
        return frame(_(text)) if text else text
    own, extras = match.groups()
    if not english():
        parts = []
        for part in extras.split("; "):
            for pattern, chinese in _EXTRAS:
                found = pattern.match(part)
                if found:
                    part = chinese.format(*found.groups())
                    break
            parts.append(part)
        extras = "；".join(parts)
    return f"{frame(_(own)) if own else ''}  [{extras}]".lstrip()


class Formatter(typer.core._click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, metavars(args), frame("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{frame(heading)}{':' if english() else '：'}\n")

    def write_text(self, text: str) -> None:
        super().write_text(_(text))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(metavars(term), option_help(text)) for term, text in rows], *args, **kwargs)


class Context(typer.Context):
    formatter_class = Formatter


def short_help(text: str | None) -> str:
    """The first sentence of a command's help, in the reader's language, for the list of commands: to
    its full stop, or to a semicolon, which is left off (the list would read as cut short)."""
    text = _(text or "").strip()
    first = re.split(r"(?<=。)|[；;]|(?<=\.)\s|\n", text, maxsplit=1)[0]
    return first.strip()


class Command(TyperCommand):
    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(self.help)


class Group(TyperGroup):
    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(self.help)


def dress(app: typer.Typer) -> None:
    """Every command and group of an application drawn by the classes above."""
    for command in app.registered_commands:
        if not _chosen(command.cls, TyperCommand):
            command.cls = Command
    for group in app.registered_groups:
        if not _chosen(group.cls, TyperGroup):
            group.cls = Group
        if not _chosen(group.typer_instance.info.cls, TyperGroup):
            group.typer_instance.info.cls = Group
        dress(group.typer_instance)


def _chosen(cls, default: type) -> bool:
    """A class of our own was given (typer fills in its defaults, or a placeholder for them)."""
    return isinstance(cls, type) and cls is not default


# Usage errors, as click words them (English) and as the floor reads them.
_USAGE = (
    (LazyPattern(r"^No such option: (\S+)(?: Did you mean (.+)\?| \(Possible options: (.+)\))?$"),
     "没有选项 {0}{1}"),
    (LazyPattern(r"^No such command '(.+?)'\.(?: Did you mean '(.+)'\?)?$"), "没有命令 {0}{1}"),
    (LazyPattern(r"^Missing argument '(.+)'\.$"), "缺少参数 {0}"),
    (LazyPattern(r"^Missing option '(.+)'\.$"), "缺少选项 {0}"),
    (LazyPattern(r"^Missing parameter: (.+)$"), "缺少 {0}"),
    (LazyPattern(r"^Got unexpected extra argument(?:s|\(s\))? \((.+)\)$"), "多余的参数：{0}"),
    (LazyPattern(r"^Option '(.+)' requires an argument\.$"), "选项 {0} 需要一个值"),
    (LazyPattern(r"^Option '(.+)' does not take a value\.$"), "选项 {0} 不带值"),
    (LazyPattern(r"^Option '(.+)' requires (\d+) arguments\.$"), "选项 {0} 需要 {1} 个值"),
    (LazyPattern(r"^Invalid value for (.+?): '(.*)' is not a valid (?:integer|int)(?: range)?\.?$", re.S),
     "{0} 的值无效：“{1}” 不是整数"),
    (LazyPattern(r"^Invalid value for (.+?): '(.*)' is not a valid float(?: range)?\.?$", re.S),
     "{0} 的值无效：“{1}” 不是数字"),
    (LazyPattern(r"^Invalid value for (.+?): (.+) is not in the range (.+)\.$", re.S),
     "{0} 的值无效：{1} 不在 {2} 范围内"),
    (LazyPattern(r"^Invalid value for (.+?): (.+) is not (?:one of )?(.+)\.$", re.S),
     "{0} 的值无效：{1} 不是 {2}"),
    (LazyPattern(r"^Invalid value for (.+?): (.+)$", re.S), "{0} 的值无效：{1}"),
)


def usage_message(message: str) -> str:
    if english():
        return message
    for pattern, chinese in _USAGE:
        found = pattern.match(message)
        if found:
            values = [v or "" for v in found.groups()]
            if chinese.startswith(("没有选项", "没有命令")):  # and click's guess at what was meant
                guess = values[1] or (values[2] if len(values) > 2 else "")
                values[1:] = [f"（是不是 {guess}？）" if guess else ""]
            return chinese.format(*values)
    return message


def see_help(where: str) -> str:
    return f"(see '{where} --help')" if english() else f"（参见 {where} --help）"

"""The English catalog: `python tools/catalog.py extract|compile|check`.

- extract: collect every message of the package into `leadcard/locale/en.po` — the literals given
  to `_()` (or marked by `N_()`), the `help=` texts of the commands and their docstrings — keeping the translations it
  has, adding new messages untranslated and dropping those no longer used. Translations written
  apart, in `leadcard/locale/en-*.po` beside it (one per piece of work, so that several people
  translate at once), are folded in; the parts can then be deleted.
- compile: write `leadcard/locale/en.mo` from the .po (the GNU format Python's gettext reads).
- check: exit 1, naming them, on messages without a translation, translations whose placeholders
  differ from the message's, or an .mo that is not the .po compiled.

Chinese is the source language (see leadcard/i18n.py), so the msgids are Chinese.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "leadcard"
PO = PACKAGE / "locale" / "en.po"
MO = PACKAGE / "locale" / "en.mo"
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n'
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def messages(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Every message of the package, with where it stands (file:line), in the order first met."""
    found: dict[str, list[str]] = {}

    def add(text: str, path: Path, line: int) -> None:
        if text.strip():
            found.setdefault(text, []).append(f"{path.relative_to(package.parent)}:{line}")

    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        commands = path.parent.name == "commands"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id in ("_", "N_") and node.args:
                    if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                        add(node.args[0].value, path, node.lineno)
                if commands:
                    for keyword in node.keywords:
                        if keyword.arg in ("help", "epilog") and isinstance(keyword.value, ast.Constant) \
                                and isinstance(keyword.value.value, str):
                            add(keyword.value.value, path, keyword.value.lineno)
            elif commands and isinstance(node, ast.FunctionDef) and any(_is_command(d) for d in node.decorator_list):
                doc = ast.get_docstring(node)
                if doc:
                    add(doc, path, node.lineno)
    return found


def _is_command(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("command", "callback")


# -- the .po file -----------------------------------------------------------------------------------


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [f'"{line}\\n"' for line in lines[:-1]] + ([f'"{lines[-1]}"'] if lines[-1] else [])
    return '""\n' + "\n".join(parts)


def _unquote(text: str) -> str:
    out, i = [], 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(escapes.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def read_po(path: Path = PO) -> dict[str, str]:
    """msgid → msgstr (empty: not translated yet); the header is left out."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    field = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if line.startswith("msgid "):
            if msgid is not None:
                entries[msgid] = msgstr or ""
            msgid, msgstr, field = _unquote(line[7:-1]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, field = _unquote(line[8:-1]), "str"
        elif line.startswith('"') and field:
            if field == "id":
                msgid += _unquote(line[1:-1])
            else:
                msgstr += _unquote(line[1:-1])
        elif not line and msgid is not None:
            entries[msgid] = msgstr or ""
            msgid, field = None, None
    entries.pop("", None)
    return entries


def write_po(found: dict[str, list[str]], translations: dict[str, str], path: Path = PO) -> None:
    blocks = [HEADER]
    for msgid, where in found.items():
        refs = "\n".join(f"#: {w}" for w in where[:3])
        blocks.append(f"{refs}\nmsgid {_quote(msgid)}\nmsgstr {_quote(translations.get(msgid, ''))}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(blocks), encoding="utf-8")


# -- the .mo file -----------------------------------------------------------------------------------


def compiled(translations: dict[str, str]) -> bytes:
    """The GNU .mo image of the translated messages (untranslated ones left out: gettext then
    returns the Chinese message, which a test catches first)."""
    pairs = sorted((k.encode(), v.encode()) for k, v in translations.items() if v)
    pairs.insert(0, (b"", b"Content-Type: text/plain; charset=UTF-8\n"))
    ids = strs = b""
    id_offsets, str_offsets = [], []
    for key, value in pairs:
        id_offsets.append((len(key), len(ids)))
        ids += key + b"\0"
        str_offsets.append((len(value), len(strs)))
        strs += value + b"\0"
    n = len(pairs)
    ids_start = 7 * 4 + 16 * n
    strs_start = ids_start + len(ids)
    table = b"".join(struct.pack("<II", length, ids_start + offset) for length, offset in id_offsets)
    table += b"".join(struct.pack("<II", length, strs_start + offset) for length, offset in str_offsets)
    header = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    return header + table + ids + strs


def problems(found: dict[str, list[str]], translations: dict[str, str]) -> list[str]:
    wrong = []
    for msgid, where in found.items():
        text = translations.get(msgid, "")
        if not text:
            wrong.append(f"{where[0]}: no English for {msgid!r}")
        elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
            wrong.append(f"{where[0]}: placeholders differ in the English for {msgid!r}")
    if not MO.exists() or MO.read_bytes() != compiled({k: translations.get(k, "") for k in found}):
        wrong.append(f"{MO.relative_to(ROOT)} is not {PO.relative_to(ROOT)} compiled: run tools/catalog.py compile")
    return wrong


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "check"
    found = messages()
    translations = read_po() if PO.exists() else {}
    for part in sorted(PO.parent.glob("en-*.po")):
        translations |= {k: v for k, v in read_po(part).items() if v}
    if action == "extract":
        write_po(found, translations)
        missing = sum(1 for m in found if not translations.get(m))
        print(f"{PO.relative_to(ROOT)}: {len(found)} messages, {missing} without English")
    elif action == "compile":
        MO.write_bytes(compiled({k: translations.get(k, "") for k in found}))
        print(f"{MO.relative_to(ROOT)} written")
    elif action == "check":
        wrong = problems(found, translations)
        print("\n".join(wrong) or "the catalog is complete")
        return 1 if wrong else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

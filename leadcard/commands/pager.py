"""Long output through a pager on a terminal, as git does: `LEADCARD_PAGER`, else `PAGER`, else
`less -FRX` (which leaves a page that fits on the screen as it is). Never when stdout is not a
terminal, with `--no-pager`, or with the pager set to "" or "cat". On Windows there is no default
pager (its `more` shows colours as escape codes): set LEADCARD_PAGER to use one.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import contextmanager
from typing import Iterator

from leadcard.usertext import SIGN_ERRORS

DEFAULT_PAGER = "less -FRX"


def pager_command() -> list[str] | None:
    """The pager to run, or None when output goes straight to stdout."""
    if not sys.stdout.isatty():
        return None
    chosen = os.environ.get("LEADCARD_PAGER")
    if chosen is None:
        chosen = os.environ.get("PAGER")
    if chosen is None:
        chosen = "" if os.name == "nt" else DEFAULT_PAGER
    if chosen.strip() in ("", "cat"):
        return None
    import shlex

    return shlex.split(chosen, posix=os.name != "nt")


class _Page(io.StringIO):
    """Where a command writes while it is paged: a terminal to those who ask (colour stays on)."""

    def isatty(self) -> bool:
        return True


@contextmanager
def paged(wanted: bool) -> Iterator[None]:
    """Everything the block writes to stdout, shown through the pager when it is longer than the
    terminal; written straight out otherwise, or when no pager can be started."""
    command = pager_command() if wanted else None
    if command is None:
        yield
        return
    terminal, page = sys.stdout, _Page()
    sys.stdout = page
    try:
        yield
    finally:
        sys.stdout = terminal
        _show(page.getvalue(), command, terminal)


def _show(text: str, command: list[str], terminal) -> None:
    if text.count("\n") < _terminal_lines(terminal):
        terminal.write(text)
        terminal.flush()
        return
    import subprocess

    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE)
    except OSError:
        terminal.write(text)
        terminal.flush()
        return
    encoding = getattr(terminal, "encoding", None) or "utf-8"
    try:
        pager.stdin.write(text.encode(encoding, errors=SIGN_ERRORS))
        pager.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit the pager before the end
    pager.wait()


def _terminal_lines(terminal) -> int:
    try:
        return os.get_terminal_size(terminal.fileno()).lines
    except (OSError, ValueError, AttributeError):
        return 24

"""The program's one exit point: our refusals, an interrupt and an unreadable, busy or read-only
store end the program with one line on stderr and the contract's exit code (0 ok, 1 refused, 2 bad
input); a command line that asks for `--json` also gets the failure as the one JSON document on
stdout, `{"error": {"code": …, "message": …}}`, which a script reads instead of the stderr line.

Free of typer: both the lean path of `leadcard today` (leadcard.cli) and the typer application
(leadcard.commands.app) end here.
"""

import os
import sys
from contextlib import contextmanager

from leadcard.errors import (Ambiguous, BadInput, LeadcardError, NotAllowed, NotFound, Refused, StoreBusy, StoreError,
                             StoreReadOnly)
from leadcard.i18n import _
from leadcard.usertext import shown


# The error document's `code`, by the kind of refusal (the most specific first); scripts key on it.
ERROR_CODES = ((Ambiguous, "ambiguous"), (NotFound, "not_found"), (NotAllowed, "not_allowed"), (BadInput, "bad_input"),
               (StoreBusy, "store_busy"), (StoreReadOnly, "store_read_only"), (StoreError, "store_error"),
               (Refused, "refused"), (LeadcardError, "refused"))
USAGE, INTERRUPTED = "usage", "interrupted"

_asked_json = False  # whether the command line being run asks for --json


def asks_json(args: list[str]) -> bool:
    """Whether a command line asks for JSON: `--json` among its options (before a `--` that ends them)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


@contextmanager
def exits(args: list[str]):
    """Our refusals and an unreadable store end the program with one line on stderr (and, when
    `args` ask for JSON, the error document on stdout)."""
    global _asked_json
    _asked_json = asks_json(args)
    try:
        # What is written goes out here, not when Python exits: a reader gone by then (stdout to a
        # pipe is buffered unless PYTHONUNBUFFERED) is met below, not by Python's own complaint.
        try:
            yield
        except SystemExit:
            _flush()
            raise
        _flush()
    except Ambiguous as exc:
        fail(exc.message, exc.exit_code, tuple(f"  {candidate}" for candidate in exc.candidates),
             code=_code(exc), candidates=exc.candidates)
    except LeadcardError as exc:
        fail(str(exc), exc.exit_code, code=_code(exc))
    except KeyboardInterrupt:
        fail(_("已中止"), 1, code=INTERRUPTED)
    except BrokenPipeError:
        # The reader has gone (`leadcard today | head`): exit quietly, as typer does, with nothing
        # left for Python to flush into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        from leadcard.store import DatabaseError, failed  # already loaded by whatever opened the store

        if isinstance(exc, DatabaseError):
            refusal = failed(exc)
            fail(str(refusal), 1, code=_code(refusal))
        raise


def _flush() -> None:
    if sys.stdout is not None:  # None under pythonw, a Windows launcher without a console
        sys.stdout.flush()


def _code(exc: LeadcardError) -> str:
    return next(code for kind, code in ERROR_CODES if isinstance(exc, kind))


def fail(message: str, exit_code: int, more: tuple[str, ...] = (), *, code: str,
         candidates: list[str] | None = None) -> None:
    # Messages quote what people typed: its control characters and line breaks are written out,
    # never sent, so that a refusal stays one line (with `more`, the lines of a list after it).
    sys.stderr.write("".join(f"{shown(line, line=True)}\n" for line in (f"leadcard: {message}", *more)))
    sys.stderr.flush()
    if _asked_json:
        from leadcard.render.common import print_json

        error = {"code": code, "message": message, **({"candidates": candidates} if candidates is not None else {})}
        print_json({"error": error})
        sys.stdout.flush()
    sys.exit(exit_code)

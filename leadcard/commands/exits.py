"""The program's one exit point: our refusals, an interrupt and an unreadable, busy or read-only
store end the program with one line on stderr and the contract's exit code (0 ok, 1 refused, 2 bad
input).

Free of typer: both the lean path of `leadcard today` (leadcard.cli) and the typer application
(leadcard.commands.app) end here.
"""

import os
import sys
from contextlib import contextmanager

from leadcard.errors import Ambiguous, LeadcardError
from leadcard.i18n import _
from leadcard.usertext import shown


@contextmanager
def exits():
    """Our refusals and an unreadable store end the program with one line on stderr."""
    try:
        yield
    except Ambiguous as exc:
        fail(exc.message, exc.exit_code, tuple(f"  {candidate}" for candidate in exc.candidates))
    except LeadcardError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail(_("已中止"), 1)
    except BrokenPipeError:
        # The reader has gone (`leadcard today | head`): exit quietly, as typer does, with nothing
        # left for Python to flush into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        from leadcard.store import DatabaseError, failed  # already loaded by whatever opened the store

        if isinstance(exc, DatabaseError):
            fail(str(failed(exc)), 1)
        raise


def fail(message: str, code: int, more: tuple[str, ...] = ()) -> None:
    # Messages quote what people typed: its control characters and line breaks are written out,
    # never sent, so that a refusal stays one line (with `more`, the lines of a list after it).
    sys.stderr.write("".join(f"{shown(line, line=True)}\n" for line in (f"leadcard: {message}", *more)))
    sys.stderr.flush()
    sys.exit(code)

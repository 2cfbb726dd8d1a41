"""Progress of long work (demo, import, export, audit, report of a large store) on stderr, only on
a terminal: nothing is printed when stderr is piped or under cron, so logs stay clean.

The domain reports progress through a plain callable, `step(done, total)` (`total` None when it
is not known beforehand, as for the rows of a CSV file), and knows nothing of how it is shown;
`None` is no progress at all.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

Step = Callable[[int, int | None], None]

# Below this much work a bar would only flicker.
WORTH_SHOWING = 5_000


@contextmanager
def progress(label: str) -> Iterator[Step | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = None

        def step(done: int, total: int | None) -> None:
            nonlocal task
            if max(done, total or 0) < WORTH_SHOWING:
                return
            if task is None:
                task = bar.add_task(label, total=total)
            bar.update(task, completed=done, total=total)

        yield step

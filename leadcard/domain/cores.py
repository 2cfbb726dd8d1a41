"""How many processes a long piece of work is spread over: the demo's batches, a big store's audit;
and how those processes end with the command."""

import gc
import os
import sys


def usable_cores() -> int:
    """The cores this process may run on (fewer than the machine's under an affinity mask, as a
    container or `taskset` may set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


def worker_started(command: int, collect: bool = True) -> None:
    """A worker process's first step (the pool's initializer): it dies with the command that started it
    (`command`, its process id). A command killed outright (`kill`, a cron job's timeout) would leave
    its workers running on — one blocked for ever writing what nobody reads — and holding the
    command's output open, so that whoever waits on it waits for ever. `collect` False: no cycle
    collector (a batch of a million containers, sent whole, frees nothing before it is sent)."""
    if not collect:
        gc.disable()
    if sys.platform == "linux":
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != command:  # the command was gone before the death signal was asked for
        os._exit(1)

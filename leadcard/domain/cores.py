"""How many processes a long piece of work is spread over: the demo's batches, a big store's audit."""

import os


def usable_cores() -> int:
    """The cores this process may run on (fewer than the machine's under an affinity mask, as a
    container or `taskset` may set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1

"""A read of the store in a thread of its own (`Store.beside`): a report's independent reads share two
cores, for SQLite lets go of Python's lock while it steps a query, as psycopg does while it waits
for the server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")  # the connection read through (a Store): opened, read, closed in the thread
T = TypeVar("T")


class Beside(Generic[T]):
    """`read` of what `open_reader` gives, in a thread of its own; what fails there is raised where its
    result is asked for."""

    def __init__(self, open_reader: Callable[[], R], read: Callable[[R], T]):
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(open_reader, read), daemon=True)
        self._thread.start()

    def _run(self, open_reader: Callable[[], R], read: Callable[[R], T]) -> None:
        try:
            reader = open_reader()
            try:
                self._value = read(reader)
            finally:
                reader.close()
        except BaseException as exc:  # raised where the result is asked for
            self._error = exc

    def __call__(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value

"""The deal desk's records on a card: test drives (试驾登记), and what `show` draws of them.

NamedTuples, as in `leadcard.model`: `show` and `today` load these at every start.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class TestDrive(NamedTuple):
    """试驾登记: made at a follow-up (channel test-drive), part of a showroom visit when one was logged."""

    seq: int  # the follow-up's number on the card
    at: datetime
    vehicle: str | None  # 试驾车型
    licence_checked: bool  # 驾驶证已核验
    visit_id: int | None  # the showroom-log line of that day's visit
    author: str | None


class DealDesk(NamedTuple):
    """A card's deal records, oldest first (corrected follow-ups' test drives left out)."""

    test_drives: tuple[TestDrive, ...] = ()

"""The deal desk's records on a card: test drives (试驾登记), quotes (报价), trade-in appraisals
(置换评估) and loan applications (贷款).

NamedTuples, as in `leadcard.model`: `show` and `today` load these at every start. Money is in
whole yuan.
"""

import enum
from datetime import date, datetime
from typing import NamedTuple

from leadcard.i18n import N_


class TestDrive(NamedTuple):
    """试驾登记: made at a follow-up (channel test-drive), part of a showroom visit when one was logged."""

    seq: int  # the follow-up's number on the card
    at: datetime
    vehicle: str | None  # 试驾车型
    licence_checked: bool  # 驾驶证已核验
    visit_id: int | None  # the showroom-log line of that day's visit
    author: str | None


class QuoteStatus(enum.StrEnum):
    QUOTED = "quoted"  # within the consultant's discount limit: no approval needed
    PENDING = "pending"  # 待批价: the discount is above the limit
    APPROVED = "approved"  # 经理批价: a supervisor of the team or the manager approved it


QUOTE_STATUS_LABELS = {QuoteStatus.QUOTED: N_("已报价"), QuoteStatus.PENDING: N_("待批价"),
                       QuoteStatus.APPROVED: N_("已批价")}


class Quote(NamedTuple):
    """报价: numbered per card; price and discount in yuan, valid through `valid_until`."""

    seq: int
    at: datetime
    author: str | None
    author_id: int | None
    model: str | None
    price: int
    discount: int
    extras: str | None  # 精品 and other items given with the car
    valid_until: date | None  # the last day the quote holds
    status: QuoteStatus
    approved_by: str | None = None
    approved_at: datetime | None = None
    lapsed: bool = False  # 已过期: its last valid day had passed on the day it was read for (domain.cards)

    @property
    def net(self) -> int:
        return self.price - self.discount


class TradeIn(NamedTuple):
    """置换评估: the customer's car, appraised."""

    seq: int
    at: datetime
    author: str | None
    vehicle: str
    appraisal: int


class FinanceStatus(enum.StrEnum):
    APPLIED = "applied"  # 已申请
    APPROVED = "approved"  # 已批贷
    REJECTED = "rejected"  # 被拒


FINANCE_STATUS_LABELS = {FinanceStatus.APPLIED: N_("已申请"), FinanceStatus.APPROVED: N_("已批贷"),
                         FinanceStatus.REJECTED: N_("被拒")}


class Finance(NamedTuple):
    """贷款: one step of a loan application; the latest is where it stands."""

    seq: int
    at: datetime
    author: str | None
    status: FinanceStatus
    bank: str | None
    amount: int | None


class DealDesk(NamedTuple):
    """A card's deal records, oldest first (corrected follow-ups' test drives left out)."""

    test_drives: tuple[TestDrive, ...] = ()
    quotes: tuple[Quote, ...] = ()
    trade_ins: tuple[TradeIn, ...] = ()
    finance: tuple[Finance, ...] = ()

    @property
    def quote(self) -> Quote | None:
        """The latest quote: the one the customer holds."""
        return self.quotes[-1] if self.quotes else None

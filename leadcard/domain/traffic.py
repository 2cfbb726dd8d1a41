"""The showroom's traffic (展厅客流) of a period, as the manager's morning meeting reads it
(DOMAIN.md, "The showroom's numbers and the deal desk"). From dated records only:

- Visits are the showroom log's lines that arrived in the period, under who received them. Phone-ins
  (来电 and the 400 line) stand apart; every other line is a walk-in, a first visit (首次进店) or a
  return visit (再次进店: the customer came to the showroom before — the visit went on their card,
  made at an earlier walk-in or holding an earlier walk-in, visit or test drive; an online lead's or a
  caller's first walk-in goes on their card too, yet is a first visit: store/traffic.py).
- card rate 留档率: first visits that left contact details ÷ first visits. Return visits are left out
  of both: the customer left their details on an earlier visit.
- test-drive rate 试驾率: walk-ins (first and return) during which the customer test-drove — the
  log's 试驾 ticked, by `visit add --test-drive` or by a test drive registered that day (试驾登记)
  whose follow-up stood at the period's end — ÷ walk-ins. Test drives made elsewhere (上门试驾) are counted in `test_drives`, not in the rate.
- invitation rate 邀约到店率: an invitation is a follow-up that reached the customer and planned the
  next contact with a purpose or plan that names a visit (`INVITATION_WORDS`: 到店, 来店, 进店, 展厅,
  试驾, 看车); it counts once per card and planned day, under who invited first, when that day falls
  in the period. It came when the customer was in the showroom after the invitation and by the end of
  the planned day: a showroom-log visit on the card, or a follow-up by visit or test drive. One the
  customer did not keep is left out when a later contact that reached them before the day planned
  another day: the plan changed, nobody was stood up. A contact with no next date (a reminder) plans
  no other day, and the invitation stands. Came ÷ invitations.
- close rate 成交率: orders (cards won in the period, under their owner at its end) ÷ first visits.
Each with its numerator and denominator; no rate with nothing to divide.
"""

from datetime import datetime
from typing import NamedTuple

from leadcard.model import Channel
from leadcard.model.reports import Ratio, Traffic
from leadcard.store import Scope, Store
from leadcard.store import traffic as sql

# Words of a purpose or plan that invite the customer to the showroom: the store keeps whether a
# follow-up names one as its `invites` (migration 20, which a change of them must redefine; a test
# holds the two alike).
INVITATION_WORDS = ("到店", "来店", "进店", "展厅", "试驾", "看车")
# Follow-ups made with the customer in the showroom: one after the invitation is the customer coming.
IN_THE_SHOWROOM = (Channel.VISIT, Channel.TEST_DRIVE)


class _Tally:
    def __init__(self) -> None:
        self.first = self.back = self.phone_ins = self.left = self.walk_ins_driven = 0
        self.invited = self.came = 0
        self.test_drives = 0


class TrafficRecords(NamedTuple):
    visits: list[sql.VisitCount]
    test_drives: dict[tuple[int, str | None], int]
    invitations: list[tuple[int, str | None, bool, int]]


def traffic_records(store: Store, scope: Scope, bounds: list[tuple[datetime, datetime]]) -> TrafficRecords:
    """The showroom's records of each period, counted: every kind read once for all the periods."""
    return TrafficRecords(sql.visit_counts(store, scope, bounds), sql.test_drive_counts(store, scope, bounds),
                          sql.invitations(store, scope, bounds, IN_THE_SHOWROOM))


def showroom_traffic(records: TrafficRecords, orders: list[dict[str | None, int]]) -> list[tuple[Traffic, list[Traffic]]]:
    """Each period's traffic in total and per consultant; `orders` are each period's wins per owner."""
    tallies: list[dict[str | None, _Tally]] = [{} for _o in orders]

    def tally(period: int, name: str | None) -> _Tally:
        return tallies[period].setdefault(name, _Tally())

    for v in records.visits:
        t = tally(v.period, v.consultant)
        if v.phone_in:
            t.phone_ins += v.visits
            continue
        if v.return_visit:
            t.back += v.visits
        else:
            t.first += v.visits
            t.left += v.visits if v.contact_left else 0
        t.walk_ins_driven += v.visits if v.test_drive else 0
    for (period, author), n in records.test_drives.items():
        tally(period, author).test_drives += n
    for period, author, came, n in records.invitations:
        t = tally(period, author)
        t.invited += n
        t.came += n if came else 0
    found = []
    for i, wins in enumerate(orders):
        for owner, n in wins.items():
            if n:
                tally(i, owner)
        by_owner = [_traffic(name, t, wins.get(name, 0)) for name, t in
                    sorted(tallies[i].items(), key=lambda item: (item[0] is None, item[0] or ""))]
        total = _Tally()
        for t in tallies[i].values():
            for key, value in vars(t).items():
                setattr(total, key, getattr(total, key) + value)
        found.append((_traffic(None, total, sum(wins.values())), by_owner))
    return found


def _traffic(owner: str | None, t: _Tally, orders: int) -> Traffic:
    return Traffic(owner, t.first, t.back, t.phone_ins, t.test_drives, card=Ratio(t.left, t.first),
                   test_drive=Ratio(t.walk_ins_driven, t.first + t.back), invitation=Ratio(t.came, t.invited),
                   close=Ratio(orders, t.first))

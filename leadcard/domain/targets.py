"""Monthly targets (月度目标), the attainment (达成率) and the month's forecast in the report.

A manager sets anyone's target; a supervisor their team's, not their own; a consultant none. The
target of a month is set before the month is over; the report reads the one in force at the
period's end, so a past period's attainment stays as it was.

The month is the month of the period's last day. Attainment: the consultant's orders (cards won,
under their owner at the period's end) from the month's first day to the period's end ÷ the target
orders; where the target names deliveries, 交车达成率 likewise: the consultant's deliveries (交车, paper
deals brought in as delivered among them) in those days ÷ the target deliveries. The forecast of the
month's orders: those orders + the open, not dormant, cards of the policy's two hottest grades (H and
A) at the period's end, each grade's count weighted by the consultant's own grade accuracy (级别准确率:
gradings to that grade whose horizon ended in the `ACCURACY_DAYS` before the period's end that were
won within it ÷ those gradings); with no such gradings of their own, the whole floor's (of what the
reader may see); with none at all, 0. Every weight is shown with where it came from.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from leadcard.domain.session import Session
from leadcard.errors import BadInput, NotAllowed, Refused
from leadcard.i18n import _
from leadcard.model import Role, Source
from leadcard.model.reports import (Forecast, ForecastTerm, GradeAccuracy, Period, Ratio, Standing, StandingTotals,
                                    Target)
from leadcard.parse import parse_month
from leadcard.store import Scope
from leadcard.store import report_events as events
from leadcard.store import targets as sql

# The forecast's weights: grade accuracy over the gradings whose horizon ended in these days.
ACCURACY_DAYS = 90
# The grades a forecast counts: the policy's two hottest (H and A).
HOT_GRADES = 2


def set_target(session: Session, user_name: str, month: str | None, orders: int,
               deliveries: int | None) -> Target:
    """Set (or set again) a user's target for a month, by default this month."""
    first = parse_month(month) if month else session.today.replace(day=1)
    if orders < 0 or (deliveries is not None and deliveries < 0):
        raise BadInput(_("目标是订单数（和交车数），从 0 起"))
    session.require_role(Role.SUPERVISOR, Role.MANAGER, doing=_("设定目标"))
    user = session.user(user_name)
    actor = session.actor
    if actor is not None:
        if actor.role == Role.SUPERVISOR and (user.team != actor.team or user.id == actor.id):
            raise NotAllowed(_("{actor} 只能设定{team}顾问的目标；{user} 的目标由经理设定").format(
                actor=actor.name, team=actor.team or _("本组"), user=user.name))
    if not user.active:
        raise NotAllowed(_("用户“{name}”已停用").format(name=user.name))
    if _next_month(first) <= session.today:
        raise Refused(_("{month} 已经过去了：月度目标要在当月结束前设定").format(month=f"{first:%Y-%m}"))
    with session.store.transaction():
        sql.insert_target(session.store, {
            "user_id": user.id, "month": f"{first:%Y-%m}", "orders": orders, "deliveries": deliveries,
            "set_at": session.now, "set_by": session.actor_id,
        })
    return next(t for t in sql.targets(session.store, f"{first:%Y-%m}", Scope(frozenset({user.id})),
                                       session.now + timedelta(seconds=1)))


def list_targets(session: Session, month: str | None) -> tuple[str, list[Target]]:
    """The month's targets (default this month) of the users the reader may see."""
    first = parse_month(month) if month else session.today.replace(day=1)
    label = f"{first:%Y-%m}"
    return label, sql.targets(session.store, label, session.visible(), session.now + timedelta(seconds=1))


def standings(session: Session, period: Period, end: datetime, funnels: dict[str | None, dict[str, int]],
              accuracy: list[GradeAccuracy], wins: list[events.Wins],
              deliveries: list[events.Delivery]) -> list[Standing]:
    """Each consultant against the month's target, with the month's forecast (see the module's words):
    `funnels` are the open cards per grade at the period's end by owner, `accuracy` the grade
    accuracy over the `ACCURACY_DAYS` before it, `wins` and `deliveries` the period's own (under
    their owners at its end): a period that opens the month (a month's report) has read the month's
    already."""
    first = period.last_day.replace(day=1)
    month = f"{first:%Y-%m}"
    month_start = datetime.combine(first, time(), tzinfo=session.tz)
    store, scope = session.store, session.visible()
    targets = {t.user: t for t in sql.targets(store, month, scope, end)}
    if period.first_day != first:
        wins = events.wins(store, scope, [(month_start, end)], Source.REFERRAL, 0)
        deliveries = []
        for delivery in events.deliveries(store, scope, [(month_start, end)], month_start):
            seen, owner = delivery.owner_at(0)
            if seen:
                deliveries.append(delivery._replace(owner=owner))
    orders: dict[str | None, int] = {}
    for won in wins:
        orders[won.owner] = orders.get(won.owner, 0) + won.cards
    delivered: dict[str | None, int] = {}
    for delivery in deliveries:
        delivered[delivery.owner] = delivered.get(delivery.owner, 0) + 1
    hot = [g.code for g in session.policy.grades[:HOT_GRADES]]
    own = {(a.grader, a.grade): a.won for a in accuracy if a.grade in hot}
    floor = {grade: Ratio(sum(a.won.numerator for a in accuracy if a.grade == grade),
                          sum(a.won.denominator for a in accuracy if a.grade == grade)) for grade in hot}
    names = set(targets) | set(orders) | set(delivered) | set(funnels)
    result = []
    for name in sorted(names, key=lambda n: (n is None, n or "")):
        terms = tuple(_term(grade, funnels.get(name, {}).get(grade, 0), own.get((name, grade)), floor[grade])
                      for grade in hot)
        result.append(Standing(name, month, targets.get(name), orders.get(name, 0),
                               Forecast(orders.get(name, 0), terms), deliveries=delivered.get(name, 0)))
    return result


def totals(standings: list[Standing]) -> StandingTotals | None:
    """The standings' 合计 (None: there are none). 达成率 is the orders of the consultants with a target
    over their targets added up, 交车达成率 the deliveries of those whose target names deliveries over
    those: an order of someone without a target counted over the others' targets would inflate it."""
    if not standings:
        return None
    ordering = [s.attainment for s in standings if s.attainment is not None]
    delivering = [s.delivery_attainment for s in standings if s.delivery_attainment is not None]
    attainment = Ratio(sum(r.numerator for r in ordering), sum(r.denominator for r in ordering)) if ordering else None
    delivery = (Ratio(sum(r.numerator for r in delivering), sum(r.denominator for r in delivering))
                if delivering else None)
    return StandingTotals(
        orders_target=attainment.denominator if attainment else None, orders=sum(s.orders for s in standings),
        attainment=attainment, deliveries_target=delivery.denominator if delivery else None,
        deliveries=sum(s.deliveries for s in standings), delivery_attainment=delivery,
        forecast=sum(s.forecast.value for s in standings))


def _term(grade: str, open_cards: int, own: Ratio | None, floor: Ratio) -> ForecastTerm:
    if own is not None and own.denominator:
        return ForecastTerm(grade, open_cards, own.rate, "own", own)
    if floor.denominator:
        return ForecastTerm(grade, open_cards, floor.rate, "floor", floor)
    return ForecastTerm(grade, open_cards, 0.0, "none", floor)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)

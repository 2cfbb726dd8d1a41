"""`leadcard calendar`: which contacts come due and when, and the wake-up days in reach, as events
for a consultant's phone calendar; render.exchange writes the feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from leadcard.domain.cards import today_item, wake_up_days_between
from leadcard.model import Card, TodayItem
from leadcard.schedule import WHOLE_DAY_REASONS, as_the_day_stands, day_bounds
from leadcard.domain.session import Session
from leadcard.store import exchange as sql

WAKE_UP_LISTED = 30  # customers named in a wake-up day's event; `today` lists them all that day


class DueEvent(NamedTuple):
    uid: str
    at: datetime  # when the contact is to be made
    item: TodayItem  # the card as the user may see it, why it is due, how late, what to do
    all_day: bool = False  # the whole of at's day: planned without a time, or an order's or owner's occasion


class WakeUpEvent(NamedTuple):
    uid: str
    day: date
    customers: list[Card]  # the first WAKE_UP_LISTED of the pool, as the user may see them
    pool: int  # customers dormant by then (as_the_day_stands)


@dataclass
class Feed:
    due: list[DueEvent]
    wake_ups: list[WakeUpEvent]  # only the days with someone to wake
    start: datetime
    end: datetime
    now: datetime


def calendar(session: Session, days: int) -> Feed:
    """One event per due contact of the acting user's cards, from overdue to `days` ahead (all day
    when planned for a day without a time, and for the delivery day and an owner's visits, first
    service and birthday, due all that day), and an all-day event on each wake-up day (休眠唤醒)
    with the customers dormant by then.

    Each card keeps one UID (card number @ the store's identity), so importing the feed again
    moves the event to the card's new due time instead of adding another.
    """
    store, tz = session.store, session.tz
    start = day_bounds(session.today, tz)[0]
    end = day_bounds(session.today + timedelta(days=days), tz)[1]
    scope = session.visible()
    uid = sql.store_uid(store)
    due = []
    show = session.shows()
    for card, all_day in sql.due_until(store, end, session.now, scope):
        # An overdue contact is still to be made: it moves to today, at the hour it was planned.
        at = card.due_at if card.due_at >= start else datetime.combine(session.today, card.due_at.timetz())
        item = today_item(session, card, card.due_at, card.due_reason, session.today, show)
        due.append(DueEvent(f"{card.ref}-{uid}@leadcard", at, item, all_day or card.due_reason in WHOLE_DAY_REASONS))
    wake_ups = []
    for day in wake_up_days_between(session, session.today, session.today + timedelta(days=days)):
        pool = store.dormant_cards(as_the_day_stands(session.now, day, tz), scope)
        if pool:
            customers = [show(c) for c in pool[:WAKE_UP_LISTED]]
            wake_ups.append(WakeUpEvent(f"wake-{day:%Y%m%d}-{uid}@leadcard", day, customers, len(pool)))
    return Feed(due, wake_ups, start, end, session.now)

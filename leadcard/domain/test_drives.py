"""试驾登记: a test drive is recorded with the follow-up at which it was made (`log --channel
test-drive [--vehicle V] [--licence-checked]`), and belongs to the showroom visit of that day when
the customer's visit is in the log (the visit the card was made from, or a return visit): the latest
that arrived that day by the time of the drive. The showroom log's 试驾 column shows it while its
follow-up stands (`store.visits.registered_drive`): a drive withdrawn, or corrected into another
channel, unticks it.
"""

from __future__ import annotations

from datetime import datetime

from leadcard.errors import BadInput
from leadcard.i18n import N_, _
from leadcard.model import OUTCOME_LABELS, Card, Channel, Outcome
from leadcard.schedule import day_bounds
from leadcard.domain.session import Session
from leadcard.store import deals as sql

LICENCE_WARNING = N_("提醒：试驾前须核验客户驾驶证（--licence-checked）；本次试驾已登记为未核验。")


def check(channel: Channel, outcome: Outcome, vehicle: str | None, licence_checked: bool) -> None:
    """What a follow-up may say of a test drive, before anything is written."""
    if channel != Channel.TEST_DRIVE:
        if vehicle or licence_checked:
            raise BadInput(_("--vehicle 和 --licence-checked 是试驾的记录：试驾请用 `--channel test-drive` 记"))
        return
    if outcome != Outcome.REACHED:
        raise BadInput(_("试驾是和客户一起做的：结果不能是 {outcome}").format(outcome=_(OUTCOME_LABELS[outcome.value])))


def record(session: Session, card: Card, followup_id: int, at: datetime, vehicle: str | None,
           licence_checked: bool, corrected_id: int | None) -> str | None:
    """Write the test drive of a follow-up (inside the caller's transaction); a correction keeps what
    the corrected drive said unless it says otherwise. The warning when the licence was not checked."""
    store, tz = session.store, session.tz
    before = sql.test_drive_of(store, corrected_id) if corrected_id is not None else None
    vehicle = (vehicle or "").strip() or (before.vehicle if before else None) or card.fields.get("model")
    checked = licence_checked or (before.licence_checked if before else False)
    day_start = day_bounds(at.astimezone(tz).date(), tz)[0]
    visit_id = sql.visit_of_day(store, card.id, day_start, at)
    sql.insert_test_drive(store, {
        "card_id": card.id, "followup_id": followup_id, "visit_id": visit_id, "at": at,
        "vehicle": vehicle, "licence_checked": int(checked),
    })
    return None if checked else _(LICENCE_WARNING)

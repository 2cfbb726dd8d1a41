"""撤回: withdrawing a follow-up logged on the wrong card.

The entry stays on the card, marked, and a new append-only record says who withdrew it, when and
why; from then on it counts nowhere (store/counting.py): not as contact for the schedule or the
dormant clock, not in the audit, the reports, the waiting lists or the calendar.
"""

from __future__ import annotations

from typing import NamedTuple

from leadcard.domain.cards import refresh, resolve, with_status
from leadcard.domain.session import Session
from leadcard.errors import BadInput, NotAllowed, NotFound, Refused
from leadcard.i18n import _
from leadcard.model import Card, FollowUp, Role


class Withdrawn(NamedTuple):
    card: Card  # as it stands after the withdrawal (its due date recomputed)
    followup: FollowUp  # the entry withdrawn, marked
    corrections: tuple[int, ...]  # seqs of the entries correcting it, withdrawn with it


def withdraw(session: Session, ref: str, seq: int, reason: str) -> Withdrawn:
    """Withdraw follow-up `seq` of a card, with every entry that corrects it: the entry's author, a
    supervisor of the card's team or the manager may. A correction is withdrawn only with the entry
    it corrects, so that withdrawing it never brings the corrected words back."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("请说明撤回跟进的原因：--reason（记错卡片 …）"))
    store = session.store
    card = with_status(session, resolve(session, ref))
    entries = store.followups(card.id)
    by_seq = {f.seq: f for f in entries}
    target = by_seq.get(seq)
    if target is None:
        raise NotFound(_("卡片 {ref} 没有跟进 #{seq}").format(ref=card.ref, seq=seq))
    if target.voided is not None:
        v = target.voided
        raise Refused(_("跟进 #{seq} 已经撤回了（{by}，{when}：{reason}）").format(
            seq=seq, by=v.by or "—", when=f"{v.at:%Y-%m-%d %H:%M}", reason=v.reason))
    if target.corrects is not None:
        original = target
        while original.corrects is not None:
            original = by_seq[original.corrects]
        raise Refused(_("跟进 #{seq} 是对 #{corrects} 的更正：请撤回 #{original}，它的更正会一起撤回").format(
            seq=seq, corrects=target.corrects, original=original.seq))
    actor = session.actor
    if actor is not None and actor.name != target.author and actor.role == Role.CONSULTANT:
        if target.author is None:
            raise NotAllowed(_("跟进 #{seq} 是别人写的：只有本人、本组主管或经理可以撤回").format(seq=seq))
        raise NotAllowed(_("跟进 #{seq} 是 {author} 写的：只有本人、本组主管或经理可以撤回").format(
            seq=seq, author=target.author))
    chain = _corrections(entries, target.seq)
    with store.transaction():
        for entry in (target, *chain):
            store.insert_row("followup_voids", {"followup_id": entry.id, "at": session.now,
                                                "by_id": session.actor_id, "reason": reason})
        # A grade judged at the entry goes with it: the card keeps the grade that still stands.
        standing = [g for g in store.grade_changes(card.id) if not g.withdrawn]
        if standing and standing[-1].to_grade != card.grade:
            store.update_card(card.id, {"grade": standing[-1].to_grade})
        refresh(session, card.id)
    followup = next(f for f in store.followups(card.id) if f.seq == seq)
    return Withdrawn(session.shown(with_status(session, store.card(card.id))), followup,
                     tuple(e.seq for e in chain))


def _corrections(entries: list[FollowUp], seq: int) -> list[FollowUp]:
    """The entries that correct entry `seq`, and those that correct them, in order."""
    found, wanted = [], {seq}
    for entry in entries:
        if entry.corrects in wanted:
            found.append(entry)
            wanted.add(entry.seq)
    return found

"""The deal desk on a card, drawn: test drives (试驾登记) in `show` and its JSON."""

from __future__ import annotations

from datetime import datetime

from leadcard.model.deals import DealDesk
from leadcard.render.common import iso


def desk_json(desk: DealDesk | None) -> dict:
    desk = desk or DealDesk()
    return {
        "test_drives": [
            {"followup": t.seq, "at": iso(t.at), "vehicle": t.vehicle, "licence_checked": t.licence_checked,
             "visit": t.visit_id, "author": t.author}
            for t in desk.test_drives
        ],
    }


def desk_lines(desk: DealDesk | None) -> list[tuple[str, list[str]]]:
    """The card's deal records as the form's sections under the follow-ups: (heading, lines)."""
    if desk is None:
        return []
    sections = []
    if desk.test_drives:
        sections.append(("试驾登记", [
            "  ".join(p for p in (
                _when(t.at), t.vehicle or "车型未填", "驾照已核验" if t.licence_checked else "驾照未核验",
                f"第 {t.seq} 次跟进", f"来店 #{t.visit_id}" if t.visit_id else "", t.author or "") if p)
            for t in desk.test_drives]))
    return sections


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"

"""Seeded demo stores with a few later changes, and every report of them: the outputs that the
report's faster queries must leave byte for byte as they were (tests/test_report_golden.py).

    python tests/report_stores.py      # rewrites tests/fixtures/report_golden.json.gz (only to
                                       # record the outputs of a build known to be right)
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from conftest import Leadcard

GOLDEN = Path(__file__).parent / "fixtures" / "report_golden.json.gz"
SEEDS = (1, 2)
CARDS = 500
BUILT = "2026-11-23T08:30:00"
RUN = "2026-11-30T09:00:00"
WEEKS = [f"2026-W{n}" for n in range(40, 48)]
MONTHS = [f"2026-{n:02d}" for n in range(6, 12)]
READERS = ("赵经理", "钱主管", "王芳")

# Changes made after the demo was built, on cards picked by their state: reassignments, reopened
# losses, cancelled orders, a withdrawn follow-up, wake-ups of dormant cards.
PICKS = {
    "won": "SELECT id FROM cards WHERE status = 'won' ORDER BY id LIMIT 2",
    "lost": "SELECT id FROM cards WHERE status = 'lost' ORDER BY id LIMIT 2",
    "open": "SELECT id FROM cards WHERE status = 'open' AND dormant_at > :now "
            "AND owner_id = (SELECT id FROM users WHERE name = '王芳') ORDER BY id LIMIT 3",
    "dormant": "SELECT id FROM cards WHERE status = 'open' AND dormant_at <= :now ORDER BY id LIMIT 2",
}


def _later(picked: dict[str, list[str]]) -> list[tuple[str, str, tuple[str, ...]]]:
    won, lost, open_, dormant = picked["won"], picked["lost"], picked["open"], picked["dormant"]
    steps = [("2026-11-24T10:00:00", "赵经理", ("assign", open_[0], "李强")),
             ("2026-11-24T10:05:00", "赵经理", ("assign", open_[1], "张敏")),
             ("2026-11-24T10:10:00", "赵经理", ("assign", "--from", "王芳", "--to", "李强", "--grade", "B"))]
    steps += [("2026-11-25T11:00:00", "赵经理", ("reopen", ref)) for ref in lost]
    steps += [("2026-11-25T11:10:00", "赵经理", ("cancel-order", ref, "--reason", "资金不足")) for ref in won]
    steps += [("2026-11-26T09:00:00", "赵经理", ("log", open_[2], "--channel", "phone", "--content", "再联系")),
              ("2026-11-26T09:10:00", "赵经理", ("log", open_[2], "--void", "1", "--reason", "记错卡片"))]
    steps += [("2026-11-27T15:00:00", "赵经理", ("log", ref, "--channel", "visit", "--content", "到店看车"))
              for ref in dormant]
    return steps


def build(directory: Path, seed: int) -> Leadcard:
    import sqlite3

    from leadcard.model import card_ref

    lc = Leadcard(directory / f"golden-{seed}.db")
    lc.ok("demo", "--cards", str(CARDS), "--seed", str(seed), now=BUILT)
    with sqlite3.connect(lc.db) as db:
        picked = {k: [card_ref(r[0]) for r in db.execute(q, {"now": "2026-11-24T00:00:00Z"})]
                  for k, q in PICKS.items()}
    for now, user, args in _later(picked):
        lc.ok(*args, now=now, user=user)
    return lc


def outputs(directory: Path) -> dict[str, str]:
    """Every report of the golden stores: JSON for each reader, the Markdown tables for the manager."""
    found = {}
    for seed in SEEDS:
        lc = build(directory, seed)
        periods = [("weekly", "--week", w) for w in WEEKS] + [("monthly", "--month", m) for m in MONTHS]
        for kind, option, label in periods:
            for reader in READERS:
                found[f"{seed} {label} {reader} json"] = lc.ok("report", kind, option, label, "--json",
                                                               now=RUN, user=reader).stdout
            found[f"{seed} {label} md"] = lc.ok("report", kind, option, label, "--format", "md",
                                                now=RUN, user="赵经理").stdout
    return found


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_bytes(gzip.compress(json.dumps(outputs(Path(tmp)), ensure_ascii=False, sort_keys=True).encode(),
                                         mtime=0))
    print(f"wrote {GOLDEN}")

"""The reports of seeded demo stores, changed after they were built, are byte for byte those the
build before the faster report queries printed (tests/report_stores.py recorded them)."""

from __future__ import annotations

import gzip
import json

from report_stores import GOLDEN, outputs


def test_every_report_of_the_golden_stores_is_as_it_was(tmp_path):
    recorded = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    now = outputs(tmp_path)
    assert sorted(now) == sorted(recorded)
    changed = [key for key in recorded if now[key] != recorded[key]]
    assert not changed, f"{len(changed)} reports differ, e.g. {changed[:5]}"

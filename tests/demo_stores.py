"""A seeded demo store, as the build before the faster demo wrote it: the export, the monthly
report and a digest of every table, which a faster build must leave as they were
(tests/test_demo_golden.py).

    python tests/demo_stores.py      # rewrites tests/fixtures/demo_golden.json.gz (only to record
                                     # the outputs of a build known to be right)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path

from conftest import Leadcard
from leadcard.domain.session import DERIVATION_SETTING

GOLDEN = Path(__file__).parent / "fixtures" / "demo_golden.json.gz"
BUILT = "2026-11-23T08:30:00"
# Settings no seed decides: the version of the cards' derivation, which every change of it moves on,
# and the store's identity (migration 23), new for every store.
UNRECORDED = (DERIVATION_SETTING, "store.uid")


def outputs(directory: Path) -> dict[str, str]:
    lc = Leadcard(directory / "golden-demo.db")
    lc.ok("demo", "--cards", "300", "--seed", "7", now=BUILT)
    with sqlite3.connect(lc.db) as db:
        # The objection catalog comes with the schema, stamped with the real clock, not the demo's.
        db.execute("UPDATE objections SET created_at = '2026-01-01T00:00:00Z'")
    found = {"export": without_schema(lc.ok("export", "--format", "json", now=BUILT, user="赵经理").stdout),
             "report": lc.ok("report", "monthly", "--json", now=BUILT, user="赵经理").stdout}
    with sqlite3.connect(lc.db) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            digest = hashlib.sha256()
            # The columns stored (table_info leaves out the generated ones, which the stored ones make).
            columns = ", ".join(r[0] for r in db.execute("SELECT name FROM pragma_table_info(?)", (table,)))
            for row in db.execute(f"SELECT {columns} FROM {table} ORDER BY rowid"):
                if table != "settings" or row[0] not in UNRECORDED:
                    digest.update(repr(row).encode())
            found[f"table {table}"] = digest.hexdigest()
    return found


def without_schema(export: str) -> str:
    """The export without the schema version it names, which every new migration moves on, and the
    settings no seed decides (UNRECORDED)."""
    data = json.loads(export)
    del data["store"]["schema"]
    settings = data["store"]["tables"]["settings"]
    settings["rows"] = [row for row in settings["rows"] if row[0] not in UNRECORDED]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        GOLDEN.write_bytes(gzip.compress(json.dumps(outputs(Path(tmp)), ensure_ascii=False, sort_keys=True).encode(),
                                         mtime=0))
    print(f"wrote {GOLDEN}")

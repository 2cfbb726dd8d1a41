"""Numbered, append-only schema migrations: a changelog of the store's schema.

Each migration runs once, in the same transaction that records it in `PRAGMA user_version`.
Never edit a released migration; add the next one.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Callable

from leadcard.store.initial_schema import INITIAL_SCHEMA

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    expected = f"m{len(MIGRATIONS) + 1:03d}_"
    if not fn.__name__.startswith(expected):
        raise RuntimeError(f"migration {fn.__name__} is out of order (expected {expected}…)")
    MIGRATIONS.append(fn)
    return fn


def rebuilds_tables(fn: Migration) -> Migration:
    """A migration that rebuilds a table (SQLite cannot alter a CHECK in place): the runner turns
    foreign keys off around it, as SQLite's twelve steps ask, and checks them before committing."""
    fn.rebuilds_tables = True
    return fn


def rebuild_table(db: sqlite3.Connection, table: str, old: str, new: str) -> None:
    """Rebuild `table` with `old` replaced by `new` in its CREATE statement, keeping every column
    (whatever migrations added them), every row and every index. PostgreSQL alters it in place."""
    if getattr(db, "dialect", None) == "postgres":
        from leadcard.store.postgres import replace_check

        replace_check(db, table, old, new)
        return
    create = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    if old not in create:
        raise sqlite3.DatabaseError(f"table {table} does not read as expected: {old!r} not found")
    indexes = [r[0] for r in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    db.execute(create.replace(old, new).replace(f"CREATE TABLE {table} (", f"CREATE TABLE {table}_rebuilt (", 1))
    # By name, the generated columns left out (SQLite's table_info lists none): they compute themselves.
    columns = ", ".join(r[0] for r in db.execute("SELECT name FROM pragma_table_info(?)", (table,)))
    db.execute(f"INSERT INTO {table}_rebuilt ({columns}) SELECT {columns} FROM {table}")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
    for index in indexes:
        db.execute(index)


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Execute statements one by one: `executescript` would commit the migration's transaction."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                db.execute(buffer)
            buffer = ""


# Times are UTC ISO 8601 text ("2026-05-03T06:30:00Z"): they sort as they happened whatever the
# store's time zone, and read well in the sqlite3 shell.

@migration
def m001_initial(db: sqlite3.Connection) -> None:
    run_script(db, INITIAL_SCHEMA)
    for table in ("followups", "grade_changes", "instructions", "card_events"):
        run_script(db, 
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            """
        )


@migration
def m002_lifecycle(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- Attempts in a row that did not reach the customer (未接通/拒接/空号) since the last contact.
        ALTER TABLE cards ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
        UPDATE cards SET failed_attempts = (
            SELECT count(*) FROM followups f
            WHERE f.card_id = cards.id AND f.outcome != 'reached'
              AND NOT EXISTS (SELECT 1 FROM followups c WHERE c.corrects = f.id)
              AND f.at > coalesce((SELECT max(r.at) FROM followups r
                                   WHERE r.card_id = cards.id AND r.outcome = 'reached'), '')
        );

        -- 来店(电)客户登记表: every walk-in and phone-in, whether or not it became a card.
        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            arrived_at TEXT NOT NULL,
            left_at TEXT,
            party_size INTEGER,
            source TEXT NOT NULL,
            model TEXT,
            test_drive INTEGER NOT NULL DEFAULT 0,
            consultant_id INTEGER REFERENCES users(id),
            contact_left INTEGER NOT NULL DEFAULT 0,
            name TEXT,
            phone TEXT,
            notes TEXT,
            card_id INTEGER REFERENCES cards(id),
            recorded_at TEXT NOT NULL,
            recorded_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX visits_arrived ON visits (arrived_at);
        CREATE INDEX visits_card ON visits (card_id);
        """
    )


@migration
def m003_objections(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- The store's list of frequent objections (高频异议): an English tag for scripts, a Chinese
        -- label for people. Retired rather than deleted: old follow-ups keep naming them.
        CREATE TABLE objections (
            id INTEGER PRIMARY KEY,
            tag TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL UNIQUE,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );

        -- Objections a customer raised at one follow-up; append-only like the follow-ups.
        CREATE TABLE followup_objections (
            followup_id INTEGER NOT NULL REFERENCES followups(id),
            tag TEXT NOT NULL REFERENCES objections(tag),
            UNIQUE (followup_id, tag)
        );
        CREATE INDEX followup_objections_tag ON followup_objections (tag, followup_id);

        -- 话术库: scripts per objection; an edit is a new version, the latest is shown.
        CREATE TABLE playbook (
            id INTEGER PRIMARY KEY,
            tag TEXT NOT NULL REFERENCES objections(tag),
            text TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            at TEXT NOT NULL
        );
        CREATE INDEX playbook_tag ON playbook (tag, id);

        -- 案例库: won and lost cards kept as teaching cases, with the lesson drawn from each.
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL UNIQUE REFERENCES cards(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('won', 'lost')),
            lesson TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            at TEXT NOT NULL
        );

        -- Derived like the schedule: the tags raised at the card's latest follow-up, so that
        -- `today` looks scripts up only when a due card has one. No follow-up has any yet.
        ALTER TABLE cards ADD COLUMN objections TEXT;
        """
    )
    for table in ("followup_objections", "playbook", "cases"):
        run_script(db,
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            """
        )
    now = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").fetchone()[0]
    db.executemany(
        "INSERT INTO objections (tag, label, created_at) VALUES (?, ?, ?)",
        [(tag, label, now) for tag, label in DEFAULT_OBJECTIONS],
    )


@migration
def m004_clocks(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 离店时间: when the customer left the showroom. The first-touch and first-call clocks run
        -- from it (NULL: from created_at), so typing a card in late does not buy time.
        ALTER TABLE cards ADD COLUMN left_at TEXT;
        -- An online lead's platform (汽车之家, 懂车帝, 易车 …); NULL for other sources.
        ALTER TABLE cards ADD COLUMN platform TEXT;
        """
    )


@migration
def m005_return_visits_and_waiting(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- A return visit (再次到店): a showroom-log line attached to the card its phone was already on,
        -- as opposed to the visit a card was made from.
        ALTER TABLE visits ADD COLUMN return_visit INTEGER NOT NULL DEFAULT 0;

        -- What waits on a supervisor in `today`, each a small partial index: visits that left a phone
        -- and have no card, loss requests, won deals not yet handed over to after-sales.
        CREATE INDEX visits_waiting_card ON visits (arrived_at) WHERE contact_left = 1 AND card_id IS NULL;
        CREATE INDEX cards_lost_pending ON cards (owner_id) WHERE status = 'lost-pending';
        CREATE INDEX cards_handover_waiting ON cards (owner_id)
            WHERE status = 'won' AND json_extract(outcome, '$.handover_to') IS NULL;
        """
    )


@migration
def m006_brand_objection_label(db: sqlite3.Connection) -> None:
    """The brand objection was seeded as 合资vs国产; the trade says 自主 (China's own brands, 自主品牌),
    not 国产 — a joint-venture car is made in China too. Only the seeded wording is changed: a store
    that relabelled it, or already has a 合资vs自主 of its own, keeps its list. The tag stays."""
    db.execute(
        "UPDATE objections SET label = ? WHERE tag = 'brand' AND label = ? "
        "AND NOT EXISTS (SELECT 1 FROM objections WHERE label = ?)",
        (BRAND_LABEL, "合资vs国产", BRAND_LABEL),
    )


BRAND_LABEL = "合资vs自主"


@migration
def m007_clock_override(db: sqlite3.Connection) -> None:
    # Records written while LEADCARD_NOW replaced the clock in a store whose users are bound to
    # logins (a manager back-filling paper cards): their times are the ones typed, so the real time
    # of writing is kept beside them (UTC, as every time; NULL: written on the real clock). The
    # audit's clock-override rule lists them. Adding a column fires no trigger: the history tables
    # stay append-only.
    for table in ("cards", "followups", "grade_changes", "instructions", "card_events", "visits"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN clock_override TEXT")
    for table in ("followups", "grade_changes", "instructions", "card_events"):
        db.execute(f"CREATE INDEX {table}_clock_override ON {table} (clock_override) WHERE clock_override IS NOT NULL")


@migration
@rebuilds_tables
def m008_orders_and_owners(db: sqlite3.Connection) -> None:
    """成交 becomes the order (订车) and `delivered` (交车) its end. A card won before this change
    was ordered and delivered the same day: it becomes `delivered`, with a `delivered` event at its
    win marked legacy (its after-delivery visits are not asked for: they were the store's paper)."""
    rebuild_table(db, "cards", "CHECK (status IN ('open', 'won', 'lost-pending', 'lost', 'invalid'))",
                  "CHECK (status IN ('open', 'won', 'delivered', 'lost-pending', 'lost', 'invalid'))")
    run_script(db,
        """
        -- An owner's birthday ("MM-DD", 生日祝福) and the card of the customer who referred this one (转介绍).
        ALTER TABLE cards ADD COLUMN birthday TEXT;
        ALTER TABLE cards ADD COLUMN referred_by INTEGER REFERENCES cards(id);
        CREATE INDEX cards_referred_by ON cards (referred_by) WHERE referred_by IS NOT NULL;

        INSERT INTO card_events (card_id, at, kind, by_id, detail)
            SELECT cards.id,
                   coalesce((SELECT e.at FROM card_events e WHERE e.card_id = cards.id AND e.kind = 'won'
                             ORDER BY e.at DESC, e.id DESC LIMIT 1), cards.status_at, cards.created_at),
                   'delivered',
                   (SELECT e.by_id FROM card_events e WHERE e.card_id = cards.id AND e.kind = 'won'
                    ORDER BY e.at DESC, e.id DESC LIMIT 1),
                   '{"legacy": true}'
            FROM cards WHERE cards.status = 'won' ORDER BY cards.id;

        UPDATE cards SET status = 'delivered', outcome = {delivered}
            WHERE status = 'won';

        -- After-sales takes over a customer at delivery now, not at the order.
        DROP INDEX cards_handover_waiting;
        CREATE INDEX cards_handover_waiting ON cards (owner_id)
            WHERE status = 'delivered' AND json_extract(outcome, '$.handover_to') IS NULL;
        """.replace("{delivered}", _DELIVERED_OUTCOME[getattr(db, "dialect", "sqlite")])
    )


# The outcome of a card won before orders and deliveries were told apart (m008), in each dialect.
_DELIVERED_OUTCOME = {
    "sqlite": "json_set(coalesce(outcome, '{}'), '$.delivered_at', "
              "coalesce(json_extract(outcome, '$.at'), status_at, created_at), '$.legacy', json('true'))",
    "postgres": "(coalesce(outcome, '{}')::jsonb || jsonb_build_object('delivered_at', "
                "coalesce(json_extract(outcome, '$.at'), status_at, created_at), 'legacy', true))::text",
}


@migration
def m009_withdrawn_followups(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 撤回: a follow-up logged on the wrong card, withdrawn by a new record rather than an edit;
        -- it no longer counts anywhere (store/counting.py). One per follow-up, append-only.
        CREATE TABLE followup_voids (
            id INTEGER PRIMARY KEY,
            followup_id INTEGER NOT NULL UNIQUE REFERENCES followups(id),
            at TEXT NOT NULL,
            by_id INTEGER REFERENCES users(id),
            reason TEXT NOT NULL
        );
        CREATE TRIGGER followup_voids_no_update BEFORE UPDATE ON followup_voids
        BEGIN SELECT RAISE(ABORT, 'followup_voids are append-only'); END;
        CREATE TRIGGER followup_voids_no_delete BEFORE DELETE ON followup_voids
        BEGIN SELECT RAISE(ABORT, 'followup_voids are append-only'); END;
        """
    )


@migration
def m010_all_day_next_dates(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 下次访问时间 typed as a day without a time: the whole day (an all-day calendar event), due
        -- from its start. Entries written before this cannot tell, and stay timed.
        ALTER TABLE followups ADD COLUMN next_all_day INTEGER NOT NULL DEFAULT 0;
        """
    )


# The seeds' frequent objections (the dealer group's regulation, 三(四) and 四(二)); a store edits
# its own list with `leadcard objection`.
DEFAULT_OBJECTIONS = (
    ("price", "价格高于竞品"),
    ("delivery", "交车周期"),
    ("range", "续航焦虑"),
    ("brand", BRAND_LABEL),
    ("financing", "贷款/金融"),
    ("resale", "保值率"),
    ("maintenance", "保养成本"),
)


def append_only(db: sqlite3.Connection, *tables: str) -> None:
    """Triggers that refuse every update and delete of the tables (the migrations from m006 on)."""
    for table in tables:
        run_script(db,
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            """
        )


@migration
def m011_test_drives(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 试驾登记: a test drive, recorded with the follow-up (channel test-drive) at which it was
        -- made, and the showroom visit it was part of when that visit is in the log. Append-only: a
        -- corrected follow-up's drive gives way to the correction's.
        CREATE TABLE test_drives (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            followup_id INTEGER NOT NULL UNIQUE REFERENCES followups(id),
            visit_id INTEGER REFERENCES visits(id),
            at TEXT NOT NULL,                  -- the follow-up's time
            vehicle TEXT,                      -- 试驾车型
            licence_checked INTEGER NOT NULL DEFAULT 0  -- 驾驶证已核验
        );
        CREATE INDEX test_drives_card ON test_drives (card_id);
        CREATE INDEX test_drives_at ON test_drives (at);
        CREATE INDEX test_drives_visit ON test_drives (visit_id) WHERE visit_id IS NOT NULL;
        """
    )
    append_only(db, "test_drives")


@migration
def m012_quotes(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 报价: numbered per card, in whole yuan. A discount above the policy's quote_discount_limit
        -- (as it stood when quoted: discount_limit) waits for 经理批价; filling in the approval, once,
        -- is the only change a quote ever takes.
        CREATE TABLE quotes (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            model TEXT,
            price INTEGER NOT NULL CHECK (price > 0),
            discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount < price),
            extras TEXT,                       -- 精品
            valid_until TEXT,                  -- the last day it holds (local date, 2026-05-10)
            discount_limit INTEGER,
            needs_approval INTEGER NOT NULL DEFAULT 0,
            approved_at TEXT,
            approved_by INTEGER REFERENCES users(id),
            UNIQUE (card_id, seq)
        );
        CREATE TRIGGER quotes_approved_once BEFORE UPDATE ON quotes
        WHEN OLD.needs_approval = 0 OR OLD.approved_at IS NOT NULL OR NEW.approved_at IS NULL
            OR NEW.id IS NOT OLD.id OR NEW.card_id IS NOT OLD.card_id OR NEW.seq IS NOT OLD.seq
            OR NEW.at IS NOT OLD.at OR NEW.author_id IS NOT OLD.author_id OR NEW.model IS NOT OLD.model
            OR NEW.price IS NOT OLD.price OR NEW.discount IS NOT OLD.discount OR NEW.extras IS NOT OLD.extras
            OR NEW.valid_until IS NOT OLD.valid_until OR NEW.discount_limit IS NOT OLD.discount_limit
            OR NEW.needs_approval IS NOT OLD.needs_approval
        BEGIN SELECT RAISE(ABORT, 'quotes are append-only: a pending quote is approved once'); END;
        CREATE TRIGGER quotes_no_delete BEFORE DELETE ON quotes
        BEGIN SELECT RAISE(ABORT, 'quotes are append-only'); END;
        """
    )


@migration
def m013_trade_ins_and_finance(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 置换评估: the customer's car appraised for a trade-in, in whole yuan, numbered per card.
        CREATE TABLE trade_ins (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            vehicle TEXT NOT NULL,
            appraisal INTEGER NOT NULL CHECK (appraisal >= 0),
            UNIQUE (card_id, seq)
        );
        -- 贷款: each step of a loan application (applied, approved, rejected) is a row, numbered per
        -- card; the latest (by time) is where the application stands.
        CREATE TABLE finance (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            status TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected')),
            bank TEXT,
            amount INTEGER CHECK (amount IS NULL OR amount > 0),
            UNIQUE (card_id, seq)
        );
        CREATE INDEX finance_at ON finance (at);
        """
    )
    append_only(db, "trade_ins", "finance")


@migration
def m014_sales_targets(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 月度目标: a consultant's orders (and deliveries) target for a month (2026-12). Setting it
        -- again adds a row: the latest set by a moment is the target then, and who set it stays.
        CREATE TABLE sales_targets (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            month TEXT NOT NULL,
            orders INTEGER NOT NULL CHECK (orders >= 0),
            deliveries INTEGER CHECK (deliveries IS NULL OR deliveries >= 0),
            set_at TEXT NOT NULL,
            set_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX sales_targets_month ON sales_targets (month, user_id, set_at);
        """
    )
    append_only(db, "sales_targets")


@migration
def m015_named_owners(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 销售顾问 named by an imported sheet in a store that has no users yet: kept on the card
        -- (owner_id stays NULL) until a user of that name is added, who then owns it.
        ALTER TABLE cards ADD COLUMN named_owner TEXT;
        CREATE INDEX cards_named_owner ON cards (named_owner) WHERE named_owner IS NOT NULL;
        """
    )


@migration
def m016_report_indexes(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- The reports count the cards closed before a period by status and owner without reading
        -- them, find the cards in hand and those made in a period by their creation, the contacts
        -- planned for a period (the invitations) by their planned day, and a card's contacts
        -- between two moments (what followed an invitation) without reading its others. The two
        -- on cards are partial, so that a query for one status keeps its own index.
        CREATE INDEX cards_closed ON cards (status, owner_id, created_at)
            WHERE status IN ('won', 'delivered', 'lost', 'invalid');
        CREATE INDEX cards_in_hand ON cards (created_at) WHERE status IN ('open', 'lost-pending');
        CREATE INDEX cards_created ON cards (created_at);
        CREATE INDEX followups_planned ON followups (next_at) WHERE outcome = 'reached';
        CREATE INDEX followups_card_at ON followups (card_id, at);
        """
    )


@migration
def m017_lookup_indexes(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- The audit's false-loss rule looks up the showroom log by the phones of recent losses: an
        -- index, not a read of every visit ever logged.
        CREATE INDEX visits_phone ON visits (phone) WHERE phone IS NOT NULL;
        -- A card's latest instruction by a moment (the audit's unsigned rule, the supervisor's
        -- waiting follow-ups): one step down the index instead of every instruction of the card.
        CREATE INDEX instructions_card_at ON instructions (card_id, at);
        DROP INDEX instructions_card;
        """
    )


@migration
@rebuilds_tables
def m018_dealer_group_hub(db: sqlite3.Connection) -> None:
    """A dealer group's hub (集团汇总库, `init --hub`, on PostgreSQL): its own users may be the
    group's managers (role `group`, 集团), and it keeps the showrooms it subscribes to."""
    rebuild_table(db, "users", "CHECK (role IN ('consultant', 'supervisor', 'manager'))",
                  "CHECK (role IN ('consultant', 'supervisor', 'manager', 'group'))")
    run_script(db,
        """
        -- A showroom attached to the hub (`hub attach NAME DSN`): its store replicates, by
        -- PostgreSQL's logical replication, into a database of its own on the hub's server.
        CREATE TABLE hub_showrooms (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            dsn TEXT NOT NULL,  -- the showroom's store as attached, without a password
            replica TEXT NOT NULL UNIQUE,  -- the database on the hub's server it replicates into
            slot TEXT NOT NULL UNIQUE,  -- its replication slot on the showroom's server, and the subscription
            attached_at TEXT NOT NULL,
            attached_by INTEGER REFERENCES users(id)
        );
        """
    )
    if getattr(db, "dialect", None) == "postgres":
        # A store published to a hub replicates every table, and PostgreSQL refuses to update a
        # published table that has no replica identity: the schema version's one row is its own.
        db.execute("ALTER TABLE leadcard_schema REPLICA IDENTITY FULL")


@migration
def m019_report_window_indexes(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- The reports read, for each card in hand, its status events, grade changes and contacts up
        -- to a moment, and for a period the events of a kind with their cards: these indexes carry
        -- what those reads look at (an event's kind, a grading's grade and the follow-up it was
        -- judged at, a contact's outcome, channel and next date), so that each read stays in the
        -- index instead of looking up every record in its table. A card's events and grade changes
        -- keep their order by time then id (the audit merges them card by card in that order).
        DROP INDEX card_events_card;
        CREATE INDEX card_events_card ON card_events (card_id, at, id, kind);
        DROP INDEX card_events_kind_at;
        CREATE INDEX card_events_kind_at ON card_events (kind, at, card_id);
        DROP INDEX grade_changes_card;
        CREATE INDEX grade_changes_card ON grade_changes (card_id, at, id, to_grade, followup_id);
        DROP INDEX followups_card_at;
        CREATE INDEX followups_card_at ON followups (card_id, at, outcome, channel, next_at);
        -- A period's follow-ups: by author and channel, their next date (the complete ones are read
        -- from the table among those that have one), and their cards (the objections raised).
        DROP INDEX followups_at;
        CREATE INDEX followups_at ON followups (at, card_id, author_id, channel, next_at);
        -- What followed an invitation: the card's visits in the showroom log after it.
        DROP INDEX visits_card;
        CREATE INDEX visits_card ON visits (card_id, arrived_at);
        -- The contacts planned for a day that reached the customer: found in the index alone (SQLite
        -- reads the column of a partial index's condition from the table unless the index holds it).
        DROP INDEX followups_planned;
        CREATE INDEX followups_planned ON followups (next_at, outcome) WHERE outcome = 'reached';
        -- The showroom log's visits of a period, counted by who received them and their kind.
        DROP INDEX visits_arrived;
        CREATE INDEX visits_arrived ON visits (arrived_at, consultant_id, source, return_visit, contact_left, test_drive);
        -- The cards in hand with what a report reads of them (SQLite reads the column of a partial
        -- index's condition from the table unless the index holds it).
        DROP INDEX cards_in_hand;
        CREATE INDEX cards_in_hand ON cards (created_at, status, owner_id, grade) WHERE status IN ('open', 'lost-pending');
        -- The grade accuracy reads the gradings to each grade made in a window.
        CREATE INDEX grade_changes_graded ON grade_changes (to_grade, at, card_id, by_id, followup_id);
        """
    )


@migration
def m020_followup_facts(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- What the reports count of a follow-up, kept with it as generated columns, so that every
        -- path writing one (log, correction, import, demo, restore, a hub's replication) keeps them
        -- and no report reads its text: complete (记录完整: a next date, content and plan written)
        -- and invites (its purpose or plan names a visit: the invitation words of domain/traffic.py;
        -- a change of those words is a migration redefining this column). Computed as they are
        -- read on SQLite (VIRTUAL; PostgreSQL stores them), and held by the indexes below.
        ALTER TABLE followups ADD COLUMN complete INTEGER GENERATED ALWAYS AS (CASE WHEN next_at IS NOT NULL
            AND trim(content) != '' AND trim(coalesce(plan, '')) != '' THEN 1 ELSE 0 END) VIRTUAL;
        ALTER TABLE followups ADD COLUMN invites INTEGER GENERATED ALWAYS AS (CASE WHEN
            purpose LIKE '%到店%' OR plan LIKE '%到店%' OR purpose LIKE '%来店%' OR plan LIKE '%来店%'
            OR purpose LIKE '%进店%' OR plan LIKE '%进店%' OR purpose LIKE '%展厅%' OR plan LIKE '%展厅%'
            OR purpose LIKE '%试驾%' OR plan LIKE '%试驾%' OR purpose LIKE '%看车%' OR plan LIKE '%看车%'
            THEN 1 ELSE 0 END) VIRTUAL;
        -- A period's follow-ups counted by author, channel and completeness from this index alone.
        DROP INDEX followups_at;
        CREATE INDEX followups_at ON followups (at, card_id, author_id, channel, next_at, complete);
        -- The invitations planned for a day, with what the reports read of them (SQLite reads the
        -- columns of a partial index's condition from the table unless the index holds them). They
        -- replace all the planned contacts, which only the invitations read.
        DROP INDEX followups_planned;
        CREATE INDEX followups_invitations ON followups (next_at, outcome, invites, card_id, at, seq, author_id)
            WHERE outcome = 'reached' AND invites = 1;
        """
    )


@migration
def m021_price_approvals_waiting(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- The quotes waiting for a price approval (经理批价) that still hold: a supervisor's morning
        -- list reads them by their last valid day from this index, which holds only those waiting.
        CREATE INDEX quotes_waiting ON quotes (valid_until, card_id) WHERE needs_approval = 1 AND approved_at IS NULL;
        """
    )


@migration
def m022_unsigned_from_the_index(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- A supervisor's and the manager's morning list count, for every open card, its follow-ups
        -- of the window that no instruction has signed: when each was recorded (an instruction signs
        -- what was recorded before it) and its number are held here too, so that those tens of
        -- thousands of follow-ups at 100,000 cards are read from the index, not looked up in their
        -- table one by one.
        DROP INDEX followups_card_at;
        CREATE INDEX followups_card_at ON followups (card_id, at, outcome, channel, next_at, recorded_at, seq);
        """
    )


@migration
def m023_store_uid(db: sqlite3.Connection) -> None:
    # The store's identity, which its calendar's UIDs are made of, made with the store rather than
    # by the first calendar: a calendar read from a store this login may only read, or one another
    # command holds, need write nothing, and calendars made at once cannot each make their own.
    db.execute("INSERT INTO settings (key, value) VALUES ('store.uid', ?) ON CONFLICT (key) DO NOTHING",
               (uuid.uuid4().hex,))


@migration
def m024_return_visits_from_the_index(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- A return visit (再次进店) is a customer who came to the showroom before: the reports ask,
        -- of each visit of a period on a card, whether the card holds an earlier walk-in. The card a
        -- visit went on, and an earlier visit's source, are held here, so that the period's visits
        -- and the card's earlier ones are read from the indexes alone.
        DROP INDEX visits_arrived;
        CREATE INDEX visits_arrived ON visits (arrived_at, consultant_id, source, return_visit, contact_left, test_drive, card_id);
        DROP INDEX visits_card;
        CREATE INDEX visits_card ON visits (card_id, arrived_at, source);
        """
    )


@migration
def m025_inbound_followups(db: sqlite3.Connection) -> None:
    run_script(db,
        """
        -- 客户主动: the customer reached out or answered (a call in, a WeChat or SMS reply), told
        -- apart from the consultant's own contacts: a written answer to a wake-up is an answer.
        ALTER TABLE followups ADD COLUMN inbound INTEGER NOT NULL DEFAULT 0;
        """
    )

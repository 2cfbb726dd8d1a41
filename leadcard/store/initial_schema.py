"""The store's schema as first released (migration 1): settings, users, cards and their
append-only history. Every later change is a numbered migration in `store/migrations.py`; this text
is never edited, as a released migration is not.
"""

# Kept byte for byte as released: SQLite stores each CREATE statement as written.
INITIAL_SCHEMA = """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('consultant', 'supervisor', 'manager')),
            team TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            login TEXT,
            created_at TEXT NOT NULL
        );

        -- 意向客户管理卡: one card per prospect.
        CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,          -- 建卡时间 (may be back-dated for paper cards)
            recorded_at TEXT NOT NULL,         -- when it was typed in
            source TEXT NOT NULL,
            owner_id INTEGER REFERENCES users(id),
            name TEXT NOT NULL,
            phone TEXT NOT NULL,               -- normalised digits
            gender TEXT, age INTEGER, wechat TEXT, current_vehicle TEXT, occupation TEXT,
            residence TEXT, main_driver TEXT, payment TEXT, usage TEXT, best_call_time TEXT,
            household TEXT, income TEXT,
            model TEXT, colour TEXT, budget TEXT, purchase_type TEXT, concerns TEXT,
            competitors TEXT, liked TEXT, decision_maker TEXT, timeline TEXT, notes TEXT,
            grade TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'won', 'lost-pending', 'lost', 'invalid')),
            status_at TEXT,
            outcome TEXT,                      -- JSON: the deal, the loss request, the verdict
            do_not_contact INTEGER NOT NULL DEFAULT 0,
            -- Derived from the follow-ups, recomputed on every write to the card:
            followup_count INTEGER NOT NULL DEFAULT 0,
            first_touch_at TEXT,
            first_call_at TEXT,
            last_contact_at TEXT,
            next_at TEXT,
            next_purpose TEXT,
            due_at TEXT,                       -- NULL once the card is closed
            due_reason TEXT,
            dormant_at TEXT
        );
        CREATE INDEX cards_owner_due ON cards (owner_id, due_at);
        CREATE INDEX cards_due ON cards (due_at);
        CREATE INDEX cards_owner_dormant ON cards (owner_id, dormant_at);
        CREATE INDEX cards_dormant ON cards (dormant_at);
        CREATE INDEX cards_phone ON cards (phone);
        CREATE INDEX cards_name ON cards (name);
        CREATE INDEX cards_owner_status ON cards (owner_id, status);

        -- 跟踪洽谈记录: append-only; a correction is a new entry pointing at the one it corrects.
        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            channel TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT 'reached',
            grade TEXT,
            impression TEXT,
            content TEXT NOT NULL,
            problem TEXT, solution TEXT, feasibility TEXT, competition TEXT,
            bottleneck TEXT,
            plan TEXT,
            next_at TEXT,
            purpose TEXT,
            corrects INTEGER REFERENCES followups(id),
            UNIQUE (card_id, seq)
        );
        CREATE INDEX followups_at ON followups (at);
        CREATE INDEX followups_corrects ON followups (corrects) WHERE corrects IS NOT NULL;

        CREATE TABLE grade_changes (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            at TEXT NOT NULL,
            from_grade TEXT,
            to_grade TEXT NOT NULL,
            by_id INTEGER REFERENCES users(id),
            reason TEXT,
            followup_id INTEGER REFERENCES followups(id)
        );
        CREATE INDEX grade_changes_card ON grade_changes (card_id, at);
        CREATE INDEX grade_changes_at ON grade_changes (at);

        -- 主管批示
        CREATE TABLE instructions (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            followup_id INTEGER REFERENCES followups(id),
            at TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id),
            text TEXT NOT NULL
        );
        CREATE INDEX instructions_card ON instructions (card_id);

        -- Dated events of a card's life (created, assigned, won, lost requested/approved/rejected,
        -- invalid, reopened, handed over, woken): reports are computed from these, not from state.
        CREATE TABLE card_events (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            by_id INTEGER REFERENCES users(id),
            detail TEXT
        );
        CREATE INDEX card_events_card ON card_events (card_id, at);
        CREATE INDEX card_events_kind_at ON card_events (kind, at);
        """

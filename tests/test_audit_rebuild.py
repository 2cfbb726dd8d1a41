"""`audit --date` of a past day says exactly what the audit said on that day, however the store
has grown since: the audit reads only part of the store (cards closed before its window are
skipped, comebacks only of recent losses, each card's latest signature and quote), and these
shortcuts must never change an answer.

Random stores are made through the CLI by a seeded generator: a sales floor working day after day
(cards, follow-ups with and without dates, plans and objections, late and corrected records,
quotes, signatures, losses approved and refused, customers coming back on a lost card's phone,
orders, deliveries, reassignments). The audit is run as each checkpoint day ends, and again, for
that day, once the floor has worked for weeks more. An audit shared among processes says the same, each
share audited once — by the command itself when its process is killed or never starts — and what fails
in a share's process is told as the command would tell it."""

import os
import random
import sqlite3
from collections import Counter
from datetime import date, timedelta

import pytest

from conftest import database, on_server, sales_floor

CONSULTANTS = ("王芳", "李强", "孙丽")
START = date(2026, 3, 2)
DAYS = 36
CHECKPOINTS = (9, 20, 27)  # days after START whose audit is kept
CONTENTS = ("电话", "好", "客户说考虑一下，下周和太太再来看车，关心后排空间和油耗",
            "确认预算 20 万，对比雅阁，约周六试驾", "问候")
PLANS = (None, "电话", "准备与雅阁的五年用车成本对比，约夫妻同来", "发送配置表")
LOSSES = (("价格",), ("竞品品牌",), ("竞品品牌", "--competitor", "本田雅阁"), ("其他", "--note", "家里有事，不买了"),
          ("推迟购买",))


class Floor:
    """The generator: what is on the floor, so that most commands it makes are ones a person could."""

    def __init__(self, lc, rng: random.Random):
        self.lc, self.rng = lc, rng
        self.open: dict[str, str] = {}  # name → owner
        self.pending: list[str] = []  # losses waiting for the supervisor
        self.lost_phones: list[str] = []
        self.won: list[str] = []
        self.followups: dict[str, int] = {}
        self.made_on: dict[str, date] = {}
        self.made = 0

    def run(self, *args, at: str, user: str):
        result = self.lc(*args, now=at, user=user)
        assert result.exit_code in (0, 1), (args, result.stderr)  # a refusal is fine; a usage error or crash is not
        return result

    def day(self, day: date) -> None:
        rng = self.rng
        for minute in sorted(rng.sample(range(9 * 60, 20 * 60), rng.randint(4, 9))):
            at = f"{day}T{minute // 60:02d}:{minute % 60:02d}:00"
            rng.choice((self.add, self.add, self.log, self.log, self.log, self.log, self.close, self.desk))(day, at)

    def add(self, day: date, at: str) -> None:
        rng = self.rng
        self.made += 1
        name = f"客户{self.made}"
        back = self.lost_phones and rng.random() < 0.3  # a lost customer comes back
        phone = rng.choice(self.lost_phones) if back else f"139{rng.randint(0, 99_999_999):08d}"
        owner = rng.choice(CONSULTANTS)
        fields = rng.choice((("--model", "凯美瑞", "--budget", "20 万", "--timeline", "一个月内"), ("--model", "雷凌")))
        if self.run("add", name, "--phone", phone, "--grade", rng.choice("HABC"), *fields, at=at, user=owner).exit_code == 0:
            self.open[name] = owner
            self.followups[name] = 0
            self.made_on[name] = day
        if rng.random() < 0.2:  # a visit that left a phone and got no card (yet)
            yesterday = day - timedelta(days=1)
            self.run("visit", "add", "--at", f"{yesterday} 10:00", "--left", f"{yesterday} 10:40", "--name", f"访客{self.made}",
                     "--phone", f"138{rng.randint(0, 99_999_999):08d}", at=at, user=owner)

    def log(self, day: date, at: str) -> None:
        if not self.open:
            return
        rng = self.rng
        name = rng.choice(sorted(self.open))
        args = ["log", name, "--channel", rng.choice(("phone", "phone", "wechat", "visit", "sms")),
                "--content", rng.choice(CONTENTS), "--outcome", rng.choice(("reached", "reached", "unreachable"))]
        if rng.random() < 0.75:
            args += ["--next", f"+{rng.choice((1, 2, 5, 8, 15, 40))}d"]
        plan = rng.choice(PLANS)
        if plan:
            args += ["--plan", plan]
        if rng.random() < 0.5:
            args += ["--bottleneck", "价格高于雅阁"]
        if rng.random() < 0.15:
            args += ["--objection", rng.choice(("price", "交车周期"))]
        if rng.random() < 0.1:
            args += ["--grade", rng.choice("HABC")]
        if self.made_on[name] < day - timedelta(days=1) and rng.random() < 0.2:  # written up the day after
            args += ["--at", f"{day - timedelta(days=1)} 19:30"]
        if self.followups[name] and rng.random() < 0.07:
            args += ["--corrects", str(rng.randint(1, self.followups[name]))]
        if self.run(*args, at=at, user=self.open[name]).exit_code == 0:
            self.followups[name] += 1

    def close(self, day: date, at: str) -> None:
        rng = self.rng
        if self.pending and rng.random() < 0.6:
            name = self.pending.pop(rng.randrange(len(self.pending)))
            if rng.random() < 0.75:
                if self.run("approve", name, at=at, user="钱主管").exit_code == 0:
                    self.lost_phones.append(self.lc.json("show", name, "--json", now=at, user="赵经理")["phone"])
            elif self.run("reject", name, "--note", "客户还在比价", at=at, user="钱主管").exit_code == 0:
                self.open[name] = self.lc.json("show", name, "--json", now=at, user="赵经理")["owner"]
            return
        if not self.open:
            return
        name = rng.choice(sorted(self.open))
        owner = self.open[name]
        choice = rng.random()
        if choice < 0.45:
            if self.run("lose", name, "--reason", *rng.choice(LOSSES), at=at, user=owner).exit_code == 0:
                del self.open[name]
                self.pending.append(name)
        elif choice < 0.75:
            if self.run("win", name, at=at, user=owner).exit_code == 0:
                del self.open[name]
                self.won.append(name)
        elif choice < 0.85:
            to = rng.choice([c for c in CONSULTANTS if c != owner])
            if self.run("assign", name, to, at=at, user="赵经理").exit_code == 0:
                self.open[name] = to
        elif self.run("invalid", name, "--reason", "空号", at=at, user=owner).exit_code == 0:
            del self.open[name]

    def desk(self, day: date, at: str) -> None:
        rng = self.rng
        choice = rng.random()
        if choice < 0.35 and self.won:
            name = self.won.pop(rng.randrange(len(self.won)))
            self.run("deliver", name, at=at, user="赵经理")
        elif choice < 0.7 and self.open:
            name = rng.choice(sorted(self.open))
            self.run("quote", name, "--price", "189800", "--valid-until", f"{day + timedelta(days=rng.randint(0, 4))}",
                     at=at, user=self.open[name])
        elif self.open:
            self.run("comment", rng.choice(sorted(self.open)), "已阅，周末约试驾", at=at, user="钱主管")


def audits(lc, day: date, now: str) -> dict[str, object]:
    """The manager's audit of `day`, as JSON and as text, with the default window and a wider one."""
    since = str(day - timedelta(days=6))
    return {
        "json": lc.json("audit", "--date", str(day), "--json", now=now, user="赵经理"),
        "since": lc.json("audit", "--date", str(day), "--since", since, "--json", now=now, user="赵经理"),
        "text": lc("audit", "--date", str(day), now=now, user="赵经理").stdout,
        "consultant": lc.json("audit", "--date", str(day), "--json", now=now, user="李强"),
    }


# A store that counts a customer back within 8 days of the loss as a false loss: the audit's window
# then starts after some losses whose comebacks it reports.
@pytest.mark.parametrize("seed, policy", [(1, ""), (2, "[audit.false-loss]\nwithin_days = 8\n")])
def test_a_past_days_audit_says_what_it_said_that_evening_however_the_store_grew(lc, tmp_path, seed, policy):
    if policy:
        (tmp_path / "store.toml").write_text(policy, encoding="utf-8")
        lc.ok("init", "--policy-file", str(tmp_path / "store.toml"))
    sales_floor(lc)
    floor = Floor(lc, random.Random(seed))
    said = {}
    for n in range(DAYS):
        day = START + timedelta(days=n)
        floor.day(day)
        if n in CHECKPOINTS:
            said[day] = audits(lc, day, now=f"{day + timedelta(days=1)}T00:00:01")
    assert sum(len(a["json"]["findings"]) for a in said.values()) > 30  # the stores give the audit work
    later = f"{START + timedelta(days=DAYS + 60)}T09:00:00"
    for day, then in said.items():
        assert audits(lc, day, now=later) == then, day


def test_the_audit_says_the_same_whatever_the_batches_its_cards_records_are_read_in(lc, monkeypatch):
    """The cards are read by one query and their records a batch of cards at a time: a batch's end
    must never lose or lend a record (the store here is smaller than one batch of the default)."""
    sales_floor(lc)
    floor = Floor(lc, random.Random(3))
    for n in range(20):
        floor.day(START + timedelta(days=n))
    day = START + timedelta(days=19)
    now = f"{day + timedelta(days=1)}T00:00:01"
    whole = audits(lc, day, now)
    assert len(whole["json"]["findings"]) > 10
    for batch in (1, 7):
        monkeypatch.setattr("leadcard.store.audit._BATCH", batch)
        assert audits(lc, day, now) == whole, batch


def _worked_floor(lc, seed: int) -> tuple[date, str]:
    """Twenty days of a floor, then two open cards of different shares (an odd and an even number)
    put on one phone, as an old store or an outside tool may have left them (the CLI refuses it)."""
    sales_floor(lc)
    floor = Floor(lc, random.Random(seed))
    for n in range(20):
        floor.day(START + timedelta(days=n))
    with database(lc.db) as db:
        open_cards = [r[0] for r in db.execute("SELECT id FROM cards WHERE status = 'open' ORDER BY id")]
        odd, even = (next(i for i in open_cards if i % 2 == parity) for parity in (1, 0))
        db.execute("UPDATE cards SET phone = (SELECT phone FROM cards WHERE id = ?) WHERE id = ?", (odd, even))
    day = START + timedelta(days=19)
    return day, f"{day + timedelta(days=1)}T00:00:01"


def _shared_among(monkeypatch, cores: int) -> list[int]:
    """Every audit from now on shares its cards among `cores` processes, however few it has; the
    shares each audit asked for are listed in what is returned."""
    from leadcard.domain import audit

    asked: list[int] = []
    audited = audit._audited

    def recording(session, plan, shares, step):
        asked.append(shares)
        return audited(session, plan, shares, step)

    monkeypatch.setattr(audit, "SHARED_FROM", 0)
    monkeypatch.setattr(audit, "usable_cores", lambda: cores)
    monkeypatch.setattr(audit, "_audited", recording)
    return asked


@pytest.mark.parametrize("cores", [2, 3])
def test_the_audit_says_the_same_whatever_the_processes_its_cards_are_shared_among(lc, monkeypatch, cores):
    """A big store's audit shares its cards among the machine's cores by card number, a process
    each, started anew (it imports what it needs and opens the store itself): its findings (a shared
    phone's cards in two shares among them), their order, the summaries and the showroom log's visits
    without a card are what one process finds."""
    day, now = _worked_floor(lc, 7)
    whole = audits(lc, day, now)
    assert {"duplicate-phone", "visit-without-card", "false-loss"} <= {f["rule"] for f in whole["json"]["findings"]}
    # False losses on cards of more than one share: each share reads the comebacks of its own cards.
    assert len({int(f["ref"][1:]) % cores for f in whole["json"]["findings"] if f["rule"] == "false-loss"}) > 1
    asked = _shared_among(monkeypatch, cores)
    assert audits(lc, day, now) == whole
    assert asked == [cores] * 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a failure is put into the other process by forking this one")
def test_what_fails_in_another_share_ends_the_audit_with_one_line(lc, monkeypatch):
    """A store that turns busy or unreadable under a share in another process is told as in the
    command's own: one line on stderr, exit 1, no traceback, nothing printed of a half audit. (The
    other process is forked here, to carry the failure put in below; it hands back what fails the
    same way, however it was started.)"""
    from leadcard.domain import audit

    day, now = _worked_floor(lc, 6)
    _shared_among(monkeypatch, 2)
    monkeypatch.setattr(audit, "START_METHOD", "fork")

    def busy(store, *args):  # the last share's cards are read in another process
        if args[-1] == (1, 2):
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = 5
            raise error
        return histories(store, *args)

    histories = audit.histories
    monkeypatch.setattr(audit, "histories", busy)
    failed = lc("audit", "--date", str(day), now=now, user="赵经理")
    assert failed.exit_code == 1, failed.stdout + failed.stderr
    assert failed.stderr.startswith("leadcard: 数据库正忙") and len(failed.stderr.splitlines()) == 1, failed.stderr
    assert failed.stdout == ""


def test_an_audit_is_shared_from_so_many_cards_its_reader_sees_on_a_machine_of_several_cores(lc, monkeypatch):
    """The cards a reader sees decide (the manager's every card, a consultant's own), counted before
    anything is read: from `SHARED_FROM` of them on, one share per core; below it, or on one core,
    the audit runs here alone."""
    from leadcard.domain import audit

    sales_floor(lc)
    for n, owner in enumerate(("王芳", "王芳", "李强")):
        lc.ok("add", f"客户{n}", "--phone", f"1390000000{n}", "--grade", "A", user=owner)
    asked = _shared_among(monkeypatch, 2)
    for at_least, reader, shares in ((3, "赵经理", 2), (4, "赵经理", 1), (2, "王芳", 2), (3, "王芳", 1)):
        monkeypatch.setattr(audit, "SHARED_FROM", at_least)
        lc.ok("audit", user=reader)
        assert asked.pop() == shares, (at_least, reader)
    monkeypatch.setattr(audit, "SHARED_FROM", 0)
    monkeypatch.setattr(audit, "usable_cores", lambda: 1)
    lc.ok("audit", user="赵经理")
    assert asked == [1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the other process is made to die by forking this one")
def test_a_share_whose_process_dies_is_audited_by_the_command_itself(lc, monkeypatch):
    """Another process that cannot start (a frozen program, a machine out of processes) or is killed
    leaves its share to the command's own process: slower, and the same answer."""
    day, now = _worked_floor(lc, 7)
    whole = audits(lc, day, now)
    _shared_among(monkeypatch, 3)
    monkeypatch.setattr("leadcard.domain.audit.START_METHOD", "fork")
    monkeypatch.setattr("leadcard.domain.audit._audit_share_apart", _dying)
    assert audits(lc, day, now) == whole


def _dying(*args):
    os._exit(1)


class _AtOnce:
    """An executor that runs each task as it is handed over, in this process: what a share's own
    process does (`_audit_share_apart`: the store opened anew from its path, the share audited) is
    then seen by the test that runs it."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, task, *args):
        from concurrent.futures import Future

        done = Future()
        try:
            done.set_result(task(*args))
        except Exception as exc:
            done.set_exception(exc)
        return done


class _Refusing(_AtOnce):
    """An executor broken before the shares are handed over (a process that died at its start): it
    refuses every one."""

    def submit(self, task, *args):
        from concurrent.futures.process import BrokenProcessPool

        raise BrokenProcessPool("a process of the pool has died")


def _shares_audited(monkeypatch) -> Counter:
    """How many times each share is audited from now on, in this process or in one handed over."""
    from leadcard.domain import audit

    audited: Counter = Counter()
    audit_share = audit._audit_share

    def counted(session, plan, share, step):
        audited[share] += 1
        return audit_share(session, plan, share, step)

    monkeypatch.setattr(audit, "_audit_share", counted)
    return audited


@pytest.mark.parametrize("executor", [_AtOnce, _Refusing], ids=["handed-over", "refused"])
def test_each_share_is_audited_once_by_its_own_process_or_here_when_the_pool_refuses_it(lc, monkeypatch, executor):
    """Four audits of three shares: each share once an audit, by the process it was handed to (never
    again here), or by the command's own when the pool refused it — the same answer. (A process
    killed under its share: test_a_share_whose_process_dies_is_audited_by_the_command_itself.)"""
    day, now = _worked_floor(lc, 7)
    whole = audits(lc, day, now)
    asked = _shared_among(monkeypatch, 3)
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", executor)
    audited = _shares_audited(monkeypatch)
    assert audits(lc, day, now) == whole
    assert asked == [3] * 4
    assert audited == {(0, 3): 4, (1, 3): 4, (2, 3): 4}


def test_each_other_share_starts_anew_in_a_process_of_its_own_on_the_stores_whole_address(lc, monkeypatch):
    """Started anew (spawn): a fork would copy the locks the progress display's thread may hold at that
    moment, and could wait on them for ever. One process for each other share, handed the store's
    address as given — a server's with its password, which every message leaves out."""
    lc.ok("demo", "--cards", "60")
    address = f"{lc.db}&password=secret" if on_server(lc) else str(lc.db)
    pools, handed = [], []

    class Recorded(_AtOnce):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs)

        def submit(self, task, *args):
            handed.append(args[0])
            return super().submit(task, *args)

    _shared_among(monkeypatch, 3)
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", Recorded)
    lc.ok("audit", user="赵经理", env={"LEADCARD_DB": address})
    assert [(pool["max_workers"], pool["mp_context"].get_start_method()) for pool in pools] == [(2, "spawn")]
    assert [str(where) for where in handed] == [address, address]


def test_a_shared_audit_tells_its_progress_as_its_own_cards_times_the_shares(lc, monkeypatch):
    """The command's own process hears only of the cards of its share: the others read about as many
    meanwhile, so the count it tells (every `PROGRESS_EVERY` cards of its own) is its own times the
    number of shares, the whole's count not known beforehand."""
    from contextlib import contextmanager

    from leadcard.commands import progress
    from leadcard.domain import audit

    lc.ok("demo", "--cards", "60")
    told = []

    @contextmanager
    def recorded(label):
        yield lambda done, total: told.append((done, total))

    monkeypatch.setattr(progress, "progress", recorded)
    monkeypatch.setattr(audit, "PROGRESS_EVERY", 2)
    _shared_among(monkeypatch, 3)
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", _AtOnce)
    lc.ok("audit", "--since", "2025-01-01", user="赵经理")
    assert len(told) >= 3, told
    assert told == [(6 * n, None) for n in range(1, len(told) + 1)]

"""Benchmarks at store scale: whole CLI processes, medians after a warm-up, and the ratios that matter.

    python bench/run.py                      # 1,000 / 10,000 / 100,000 cards, 5 runs each
    python bench/run.py --sizes 1000,10000 --runs 3 --pair-runs 9
    python bench/run.py --postgres /tmp/pg    # and today, the reports, list, audit, log on PostgreSQL too

Each store is built with `leadcard demo --cards N --seed 1`. Prints Markdown tables (paste them into
the README's Performance section): every command's median CPU time (user+sys, which a busy machine
disturbs far less than the wall clock) at each size, how each grew from the smallest store to the
largest beside the work it had to do (due items, cards audited, cards listed, a report's new cards and
follow-ups), and the ratios of issue 20 against their targets, all from this one run. The reports' figures against their targets
are the wall clock beside the CPU time: a report reads on two connections at once (`Store.beside`). The two sides of a ratio are timed in
alternation (--pair-runs each), so that a shared machine's drift in speed weighs on both alike.
Commands that this checkout does not have yet are reported as "n/a". Taskwarrior (`task`, Debian
package `taskwarrior`) is compared when installed, in its own temporary data directory.
With a PostgreSQL server (--postgres: a socket directory or a `postgresql://` URL of a role that
may create databases; default $LEADCARD_BENCH_PG), the same demo stores are built there too, and
`today`, the reports, the reads of every card and `log` are timed on both backends side by side (wall
clock, and the peak memory of the long reads).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

NOW = "2026-11-23T08:30:00"
MANAGER = "赵经理"
SUPERVISOR = "钱主管"  # the demo's 一组: a supervisor audits their team every evening
# The installed `leadcard` script, as users run it (`python -m` adds runpy's imports to each start).
_SCRIPT = Path(sys.executable).with_name("leadcard")
LEADCARD = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "leadcard"]


class Run(NamedTuple):
    wall: float  # seconds
    code: int
    rss: int  # peak memory, KiB
    cpu: float  # user + sys seconds


# What starts each command measured, in a small process of its own: a child's peak memory (ru_maxrss)
# counts that of the process it was started from, up to its exec (Linux takes the old memory's
# high-water mark then), and this one grows as it reads the commands' JSON and loads psycopg — a
# command of 23 MB read as 365 MB when started from here.
_STARTER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    cmd, env, out = json.loads(line)
    with open(out or os.devnull, "wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
        stderr = proc.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.stderr.close()
    print(json.dumps([elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss,
                      usage.ru_utime + usage.ru_stime, stderr.strip()[:300]]), flush=True)
"""
_starter: subprocess.Popen | None = None


def run(cmd: list[str], env: dict, check: bool = True, stdout: Path | None = None) -> Run:
    """One process (its output to `stdout`, or nowhere): its times, exit code and peak memory."""
    global _starter
    if _starter is None:
        _starter = subprocess.Popen([sys.executable, "-c", _STARTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    text=True, encoding="utf-8")
    _starter.stdin.write(json.dumps([cmd, env, str(stdout) if stdout else None]) + "\n")
    _starter.stdin.flush()
    elapsed, code, rss, cpu, stderr = json.loads(_starter.stdout.readline())
    if check and code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {stderr}")
    return Run(elapsed, code, rss, cpu)


def median_cpu(cmd: list[str], env: dict, runs: int) -> tuple[float, int, float] | None:
    """Median CPU seconds, the largest peak memory and the median wall-clock seconds of `runs` runs
    after a warm-up; None when this checkout does not have the command."""
    if run(cmd, env, check=False).code == 2:  # warm-up (and: does this command exist here?)
        return None
    done = [run(cmd, env) for _ in range(runs)]
    return statistics.median(r.cpu for r in done), max(r.rss for r in done), statistics.median(r.wall for r in done)


def median_wall(cmd: list[str], env: dict, runs: int) -> tuple[float, int]:
    """Median wall-clock seconds of `runs` runs after a warm-up (on a server, the client's CPU time
    would leave out the server's work), and the largest peak memory."""
    run(cmd, env, check=False)
    done = [run(cmd, env) for _ in range(runs)]
    return statistics.median(r.wall for r in done), max(r.rss for r in done)


def paired_medians(a: tuple[list[str], dict], b: tuple[list[str], dict], runs: int) -> tuple[float, float] | None:
    """Median CPU seconds of two commands run in alternation, after a warm-up of each."""
    for cmd, env in (a, b):
        if run(cmd, env, check=False).code == 2:
            return None
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(run(*a).cpu)
        times_b.append(run(*b).cpu)
    return statistics.median(times_a), statistics.median(times_b)


def imports_paired(work: Path, csv_path: Path, runs: int) -> tuple[Run, Run]:
    """`import` of the CSV into a new store and `sqlite-utils insert --csv` of it into a new file, in
    alternation `runs` times: each side's median CPU and wall clock and its largest peak memory (the
    import's exit code the worst of its runs)."""
    sqlite_utils = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    ours, theirs = [], []
    for n in range(runs):
        db = work / f"import-{n}.db"
        run([*LEADCARD, "init"], leadcard_env(db))
        ours.append(run([*LEADCARD, "import", str(csv_path)], leadcard_env(db), check=False))
        theirs.append(run([sqlite_utils, "insert", str(work / f"su-{n}.db"), "cards", str(csv_path), "--csv"],
                          dict(os.environ)))
    return tuple(Run(statistics.median(r.wall for r in side), max(r.code for r in side), max(r.rss for r in side),
                     statistics.median(r.cpu for r in side)) for side in (ours, theirs))


def leadcard_env(db: Path) -> dict:
    # As on a user's machine: bytecode cached (a sandbox may set PYTHONDONTWRITEBYTECODE, which
    # makes every run recompile leadcard's sources).
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADCARD_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"LEADCARD_DB": str(db), "LEADCARD_NOW": NOW, "NO_COLOR": "1", "COLUMNS": "100"})
    return env


COMMANDS = {
    "today": ["today"],
    "today --json": ["today", "--json"],
    "today --all --json (manager)": ["--as", MANAGER, "today", "--all", "--json"],
    # What a manager reads in the morning: the same list laid out, its purposes wrapped.
    "today --all (manager)": ["--as", MANAGER, "today", "--all"],
    "show": ["--as", MANAGER, "show", "A00001"],
    "list": ["--as", MANAGER, "list"],
    "list --search": ["--as", MANAGER, "list", "--search", "凯美瑞", "--limit", "50"],
    "list --json (every card)": ["--as", MANAGER, "list", "--json"],
    "audit": ["--as", MANAGER, "audit"],
    "audit --json": ["--as", MANAGER, "audit", "--json"],
    "audit --json (supervisor)": ["--as", SUPERVISOR, "audit", "--json"],
    # The reports' figures (issue 20 item 2, issue 23 item 5).
    "report weekly": ["--as", MANAGER, "report", "weekly", "--format", "json"],
    "report monthly": ["--as", MANAGER, "report", "monthly", "--format", "json"],
    "report trend": ["--as", MANAGER, "report", "trend", "--json"],
}
# What each command's work is, counted in its own JSON at each size: its time should grow with this,
# not with the store.
WORK = {
    "today": (["today", "--json"], lambda d: len(d["items"]), "due items"),
    "today --all --json (manager)": (COMMANDS["today --all --json (manager)"], lambda d: len(d["items"]), "due items"),
    "today --all (manager)": (COMMANDS["today --all --json (manager)"], lambda d: len(d["items"]), "due items"),
    "audit --json": (COMMANDS["audit --json"], lambda d: d["summary"]["cards"], "cards audited"),
    "audit --json (supervisor)": (COMMANDS["audit --json (supervisor)"], lambda d: d["summary"]["cards"],
                                  "cards audited"),
    "list --json (every card)": (COMMANDS["list --json (every card)"], len, "cards listed"),
    # A report reads its periods' records: most of them are the new cards and the follow-ups.
    "report weekly": (COMMANDS["report weekly"], lambda d: d["totals"]["new_cards"] + d["totals"]["followups"],
                      "new cards and follow-ups in the week"),
    "report monthly": (COMMANDS["report monthly"], lambda d: d["totals"]["new_cards"] + d["totals"]["followups"],
                       "new cards and follow-ups in the month"),
    "report trend": (COMMANDS["report trend"], lambda d: sum(d["counts"]["new_cards"]) + sum(d["counts"]["followups"]),
                     "new cards and follow-ups in the 12 weeks"),
}


# Commands timed on both backends: the morning list, the reports (which read beside their own
# connection), the reads of every card (from a cursor a server holds, memory shown), and a write
# (each run adds a follow-up: last).
BACKEND_COMMANDS = [
    ("today", ["today"]),
    ("report weekly", COMMANDS["report weekly"]),
    ("report monthly", COMMANDS["report monthly"]),
    ("report trend", COMMANDS["report trend"]),
    ("list --json (every card)", COMMANDS["list --json (every card)"]),
    ("audit --json", COMMANDS["audit --json"]),
    ("log", ["--as", MANAGER, "log", "A00001", "--channel", "phone", "--content", "电话回访"]),
]


class Server:
    """Databases made on a PostgreSQL server for the benchmark, dropped at the end."""

    def __init__(self, where: str):
        import psycopg
        from urllib.parse import urlsplit, urlunsplit

        self.base = where if where.startswith("postgres") else f"postgresql://postgres@/postgres?host={where}"
        self.url = lambda name: urlunsplit(urlsplit(self.base)._replace(path=f"/{name}"))
        self.admin = psycopg.connect(self.base, autocommit=True)
        self.made: list[str] = []

    def database(self, label: str) -> str:
        name = f"leadcard_bench_{os.getpid()}_{len(self.made)}"
        self.admin.execute(f"DROP DATABASE IF EXISTS {name}")
        self.admin.execute(f"CREATE DATABASE {name}")
        self.made.append(name)
        return self.url(name)

    def close(self) -> None:
        for name in self.made:
            self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin.close()


def on_both_backends(server: Server, columns: dict[str, Path], runs: int) -> dict[str, dict[str, tuple[float, int]]]:
    """command (backend) → size → (median wall, peak memory), the same demo store built on the server
    beside each file."""
    results: dict[str, dict[str, tuple[float, int]]] = {}
    for label, db in columns.items():
        url = server.database(label)
        if label == "empty":  # one card and its manager, on both
            label, db = "1 card", db.with_name("one-card.db")
            for location in (db, url):
                run([*LEADCARD, "init"], leadcard_env(location))
                run([*LEADCARD, "user", "add", MANAGER, "--role", "manager"], leadcard_env(location))
                run([*LEADCARD, "--as", MANAGER, "add", "张三", "--phone", "13800138000"], leadcard_env(location))
        else:
            run([*LEADCARD, "demo", "--cards", label.replace(",", ""), "--seed", "1"], leadcard_env(url))
        for name, cmd in BACKEND_COMMANDS:
            for backend, location in (("SQLite", db), ("PostgreSQL", url)):
                env = {**leadcard_env(location), "LEADCARD_USER": MANAGER}
                results.setdefault(f"{name} ({backend})", {})[label] = median_wall([*LEADCARD, *cmd], env, runs)
    return results


def write_import_csv(path: Path, rows: int) -> None:
    rng = random.Random(1)
    models = ("凯美瑞 双擎", "雷凌 185T", "汉兰达 2.0T", "威兰达 双擎", "赛那 双擎")
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["姓名", "电话", "意向车型", "级别", "来源", "建卡日期", "备注"])
        for i in range(rows):
            out.writerow([f"客户{i}", f"139{i:08d}", rng.choice(models), rng.choice("HABC"), "展厅",
                          f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}", "车展登记"])


def taskwarrior_next(workdir: Path, tasks: int) -> tuple[list[str], dict] | None:
    """`task next` on `tasks` pending tasks in its own data directory, ready to run."""
    task = shutil.which("task")
    if not task:
        return None
    data = workdir / "task"
    data.mkdir()
    rc = workdir / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ngc=off\nnews.version=9.9.9\n")
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    items = [{"description": f"回访 客户{i}", "status": "pending", "entry": "20260501T000000Z",
              "due": f"202611{(i % 28) + 1:02d}T000000Z", "priority": "HML"[i % 3], "uuid": f"{i:08x}-0000-4000-8000-000000000000"}
             for i in range(tasks)]
    payload = workdir / "tasks.json"
    payload.write_text(json.dumps(items))
    subprocess.run([task, "import", str(payload)], env=env, check=True, capture_output=True)
    return [task, "next"], env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pair-runs", type=int, default=21)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("LEADCARD_BENCH_PG"),
                        help="a PostgreSQL server (socket directory or URL) to time some commands on as well")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="leadcard-bench-"))
    results: dict[str, dict[str, tuple[float, int] | None]] = {}
    extra: dict[str, Run] = {}
    backends: dict[str, dict[str, float | None]] = {}
    server = Server(args.postgres) if args.postgres else None
    try:
        empty = work / "empty.db"
        run([*LEADCARD, "init"], leadcard_env(empty))
        run([*LEADCARD, "user", "add", "王芳", "--role", "consultant"], leadcard_env(empty))
        columns = {"empty": empty}
        for n in sizes:
            db = work / f"demo-{n}.db"
            built = run([*LEADCARD, "demo", "--cards", str(n), "--seed", "1"], leadcard_env(db))
            extra[f"demo --cards {n}"] = built
            columns[f"{n:,}"] = db
        # Imports first: a child's peak memory counts the pages it shares with this process at the
        # fork, and this process grows once it has read the commands' JSON below.
        csv_path = work / "import.csv"
        write_import_csv(csv_path, args.import_rows)
        imported, by_sqlite_utils = imports_paired(work, csv_path, args.import_runs)
        envs = {label: leadcard_env(db) for label, db in columns.items()}
        envs["empty"]["LEADCARD_USER"] = "王芳"
        for label, env in envs.items():
            results[label] = {name: median_cpu([*LEADCARD, *cmd], env, args.runs) for name, cmd in COMMANDS.items()}
            results[label]["--help"] = median_cpu([*LEADCARD, "--help"], env, args.runs)
        work_done = {label: {name: count_work(cmd, count, envs[label], work) for name, (cmd, count, _) in WORK.items()}
                     for label in envs if label != "empty"}

        pairs = {}
        smallest, biggest = f"{min(sizes):,}", f"{max(sizes):,}"
        pairs["scale"] = paired_medians(([*LEADCARD, "today"], envs[biggest]), ([*LEADCARD, "today"], envs["empty"]),
                                        args.pair_runs)
        pairs["help"] = paired_medians(([*LEADCARD, "--help"], envs["empty"]),
                                       ([sys.executable, "-c", "import typer"], dict(os.environ)), args.pair_runs)
        pairs["all"] = paired_medians(([*LEADCARD, *COMMANDS["today --all --json (manager)"]], envs[biggest]),
                                      ([*LEADCARD, "today"], envs[biggest]), args.pair_runs)
        pairs["all text"] = paired_medians(([*LEADCARD, *COMMANDS["today --all (manager)"]], envs[biggest]),
                                           ([*LEADCARD, "today"], envs[biggest]), args.pair_runs)
        pairs["list"] = paired_medians(([*LEADCARD, *COMMANDS["list"]], envs[biggest]),
                                       ([*LEADCARD, *COMMANDS["list"]], envs[smallest]), args.pair_runs)
        task = taskwarrior_next(work, 10_000) if "10,000" in envs else None
        if task:
            pairs["task"] = paired_medians(([*LEADCARD, "today"], envs["10,000"]), task, args.pair_runs)
        if server:  # last: the `log` runs add follow-ups to the demo stores
            backends = on_both_backends(server, columns, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if server:
            server.close()

    print(report(results, work_done, sizes, pairs, imported if imported.code == 0 else None, by_sqlite_utils,
                 extra, args))

    if backends:
        print("\nThe same stores on SQLite and on PostgreSQL (a server on this machine, over its Unix socket):\n")
        print(table(backends))


def count_work(cmd: list[str], count, env: dict, work: Path) -> int | None:
    out = work / "work.json"
    if run([*LEADCARD, *cmd], env, check=False, stdout=out).code not in (0, 1):
        return None
    try:
        return count(json.loads(out.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError):
        return None


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"


def mem(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MB"


def table(rows: dict[str, dict[str, tuple[float, int]]]) -> str:
    """command → column → (seconds, peak memory), as a Markdown table; the memory of the commands
    whose memory matters at scale."""
    columns = list(next(iter(rows.values())))
    lines = ["| command | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, values in rows.items():
        memory = name.rsplit(" (", 1)[0] in _MEMORY
        lines.append(f"| `{name}` | " + " | ".join(
            f"{fmt(values[c][0])}, {mem(values[c][1])}" if memory else fmt(values[c][0]) for c in columns) + " |")
    return "\n".join(lines)


def cell(value: tuple[float, int, float] | None, with_memory: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{fmt(value[0])}, {mem(value[1])}" if with_memory else fmt(value[0])


def answered(value: tuple[float, int, float] | None, with_memory: bool = False) -> str:
    """The wall clock a command is answered in, beside its CPU time: a report reads on two
    connections at once (`Store.beside`), a big store's audit shares its cards among the cores (a
    process each), so their CPU time can exceed the wait. Memory: the largest process's."""
    if value is None:
        return "n/a"
    return f"{fmt(value[2])} wall ({fmt(value[0])} CPU" + (f", {mem(value[1])})" if with_memory else ")")


# Commands whose memory matters at scale: shown beside their time.
_MEMORY = {"audit", "audit --json", "audit --json (supervisor)", "list --json (every card)",
           "today --all --json (manager)"}


def report(results, work_done, sizes, pairs, imported, by_sqlite_utils, extra, args) -> str:
    labels = list(results)
    smallest, biggest = f"{min(sizes):,}", f"{max(sizes):,}"
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.system()} {platform.release()}; CPU time (user+sys), median of {args.runs} runs after a "
             f"warm-up; peak memory, the largest of them.", ""]
    lines.append("| command | " + " | ".join(labels) + " |")
    lines.append("|---|" + "---:|" * len(labels))
    for name in results[labels[0]]:
        lines.append(f"| `{name}` | " + " | ".join(cell(results[label][name], name in _MEMORY) for label in labels)
                     + " |")
    lines.append("")
    lines.append(f"Growth from {smallest} to {biggest} cards: the time should follow the work, not the store.")
    lines.append("")
    lines.append("| command | time × | work | work × |")
    lines.append("|---|---:|---|---:|")
    for name in WORK:
        small, big = results[smallest].get(name), results[biggest].get(name)
        grown = f"{big[0] / small[0]:.1f}" if small and big and small[0] else "n/a"
        what = WORK.get(name)
        counts = (work_done[smallest].get(name), work_done[biggest].get(name)) if what else (None, None)
        work = f"{what[2]}: {counts[0]:,} → {counts[1]:,}" if what and None not in counts else "n/a"
        more = f"{counts[1] / counts[0]:.1f}" if what and None not in counts and counts[0] else "n/a"
        lines.append(f"| `{name}` | {grown} | {work} | {more} |")
    lines.append("")
    lines.append("| build | wall | CPU (user+sys) | peak memory |")
    lines.append("|---|---:|---:|---:|")
    for name, done in extra.items():
        lines.append(f"| `{name}` | {done.wall:.1f} s | {done.cpu:.1f} s | {mem(done.rss)} |")
    if imported:
        lines.append(f"| `import` of {args.import_rows:,} CSV rows | {imported.wall:.1f} s | {imported.cpu:.1f} s | "
                     f"{mem(imported.rss)} |")
    lines.append(f"| `sqlite-utils insert --csv` of the same file | {by_sqlite_utils.wall:.1f} s | "
                 f"{by_sqlite_utils.cpu:.1f} s | {mem(by_sqlite_utils.rss)} |")
    lines.append("")
    audit = results[biggest].get("audit --json")
    audit_text = results[biggest].get("audit")
    demo = extra.get(f"demo --cards {max(sizes)}")
    ratios = [
        (f"`today` at {biggest} cards ÷ `today` on an empty store", pairs.get("scale"), 1.3, "≤"),
        (f"manager's `today --all --json` ÷ a consultant's `today`, at {biggest} cards", pairs.get("all"), 3.0, "≤"),
        (f"manager's `today --all`, as laid out, ÷ a consultant's `today`, at {biggest} cards", pairs.get("all text"),
         3.0, "≤"),
        (f"`list` at {biggest} cards ÷ `list` at {smallest}", pairs.get("list"), 1.5, "≤"),
        ("`import` ÷ `sqlite-utils insert --csv`", (imported.cpu, by_sqlite_utils.cpu) if imported else None, 1.0, "≤"),
        ("`leadcard --help` ÷ `python -c 'import typer'`", pairs.get("help"), 1.5, "≤"),
        ("`today` at 10,000 cards ÷ Taskwarrior `task next` on 10,000 tasks", pairs.get("task"), 1.0, "<"),
    ]
    lines.append(f"Ratios of CPU time: the two sides timed in alternation, median of {args.pair_runs} runs each "
                 f"(import: median of {args.import_runs} runs each).")
    lines.append("")
    lines.append("| ratio | sides | measured | target |")
    lines.append("|---|---:|---:|---:|")
    for name, sides, target, op in ratios:
        if sides is None:
            lines.append(f"| {name} | n/a | n/a | {op} {target} |")
            continue
        value = sides[0] / sides[1]
        met = " ✓" if (value <= target if op == "≤" else value < target) else " ✗"
        lines.append(f"| {name} | {fmt(sides[0])} / {fmt(sides[1])} | {value:.2f}{met} | {op} {target} |")
    lines.append("")
    targets = [
        (f"`audit` at {biggest} cards (text; JSON)", f"{answered(audit_text, True)}; {answered(audit, True)}",
         "< 1.5 s, < 60 MB"),
        (f"`demo --cards {max(sizes)}`", f"{demo.wall:.1f} s wall, {demo.cpu:.1f} s CPU" if demo else "n/a",
         "< 15 s on 2 cores"),
        ("`import` peak memory", mem(imported.rss) if imported else "n/a", "flat (< 150 MB)"),
        (f"`report weekly` / `monthly` at {biggest} cards",
         f"{answered(results[biggest].get('report weekly'))} / {answered(results[biggest].get('report monthly'))}",
         "< 0.5 s"),
        (f"`report trend` (12 weeks) at {biggest} cards", answered(results[biggest].get("report trend")), "< 1 s"),
    ]
    lines.append("| figure | measured | target |")
    lines.append("|---|---:|---:|")
    lines += [f"| {name} | {value} | {target} |" for name, value, target in targets]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

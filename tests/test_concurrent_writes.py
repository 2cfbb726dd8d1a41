"""Commands run at once on one store decide as if one ran after the other: each reads what it
decides on under the write lock (SQLite's, a server's advisory lock), so the rules hold — one open
card a phone, one verdict a card — however the showroom's PCs overlap."""

from concurrent.futures import ThreadPoolExecutor

from conftest import database, run_process, sales_floor


def at_once(lc, *commands: tuple[str, ...]) -> list:
    env = {"LEADCARD_DB": str(lc.db), "LEADCARD_NOW": lc.now, "LEADCARD_TZ": "Asia/Shanghai"}
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(lambda args: run_process(*args, env=env), commands))


def test_one_phone_added_by_several_consultants_at_once_makes_one_card(lc):
    sales_floor(lc)
    done = at_once(lc, *(("--as", "王芳", "add", f"同号{i}", "--phone", "13922223333") for i in range(6)))
    assert sorted(r.returncode for r in done) == [0] + [1] * 5, [r.stderr for r in done]
    assert all("13922223333" in r.stderr for r in done if r.returncode)
    assert [c["name"] for c in lc.json("list", "--search", "13922223333")] in ([f"同号{i}"] for i in range(6))


def test_orders_and_losses_recorded_at_once_leave_what_one_after_another_would(lc):
    """Run one after another, the first order stands and every later verdict is refused — or a loss
    request stands and then an order (a customer who came back while it waited), and the rest are
    refused. Never two orders, two requests, or a request after the order."""
    sales_floor(lc)
    cards = ("A00001", "A00002", "A00003")
    for n, _ref in enumerate(cards):
        lc.ok("add", f"客户{n}", "--phone", f"1380013800{n}", "--owner", "王芳", "--model", "凯美瑞")
    done = at_once(lc, *(("--as", "王芳", verdict, ref, *(("--reason", "价格") if verdict == "lose" else ()))
                         for _ in range(3) for ref in cards for verdict in ("win", "lose")))
    with database(lc) as conn:
        decided = {card_id: [r[0] for r in conn.execute(
            "SELECT kind FROM card_events WHERE card_id = ? AND kind IN ('won', 'lost-requested') ORDER BY id",
            (card_id,))] for card_id in (1, 2, 3)}
    assert all(kinds in (["won"], ["lost-requested", "won"]) for kinds in decided.values()), decided
    stood = sum(len(kinds) for kinds in decided.values())
    assert sorted(r.returncode for r in done) == [0] * stood + [1] * (len(done) - stood), [r.stderr for r in done]

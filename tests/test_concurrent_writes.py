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


def test_an_order_and_a_loss_recorded_at_once_leave_one_of_them(lc):
    sales_floor(lc)
    lc.ok("add", "张三", "--phone", "13800138000", "--owner", "王芳", "--model", "凯美瑞")
    done = at_once(lc, *(("--as", "王芳", "win", "A00001") for _ in range(3)),
                   *(("--as", "王芳", "lose", "A00001", "--reason", "价格") for _ in range(3)))
    assert sorted(r.returncode for r in done) == [0] + [1] * 5, [r.stderr for r in done]
    with database(lc) as conn:
        decided = conn.execute("SELECT count(*) FROM card_events WHERE card_id = 1 AND kind IN ('won', 'lost-requested')"
                               ).fetchone()[0]
    assert decided == 1

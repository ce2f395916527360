"""Load test: a real `streamlit run` server, busy as a council would make it, for a minute (issue #12).

- VISITORS websocket sessions (Streamlit's own protocol, bench/stclient.py) each open page after
  page, as a sidebar click does, and time each until the server says the script finished. Between
  pages a visitor reads for 2 to 6 seconds (uniformly at random): a person glancing over a page of
  tiles or a chart and clicking on, quicker than anyone reads a chart properly, so 20 visitors ask
  for about 4 pages a second. ``--stress`` reads for only 0.2 to 1 s (about 25 pages a second: more
  like 100 people browsing at once), to see where the server gives way;
- an officer in headless Chromium (Playwright) signs in and saves commentary every OFFICER_EVERY s;
- an attacker in headless Chromium tries wrong passwords on the Account page, non-stop;
- `python -m perf load` of a LOAD_ROWS-row demand file is started after a few seconds.

Before the minute starts, one visitor opens each page once, as on a server that has been in use.

It prints page p50/p95/max, frozen pages (no answer in 30 s) and failed ones (an exception, or a
page not found), the officer's and attacker's timings, the load's exit code and time, and compares
every table's fingerprint (rows and a hash of them) before and after: nothing lost, and what was
added is exactly the load's rows and the saved commentary.

    .venv/bin/python bench/load_test.py                       # the issue's test: 20 visitors, 60 s
    .venv/bin/python bench/load_test.py --stress              # the same, visitors reading 0.2-1 s a page
    .venv/bin/python bench/load_test.py --deadlock            # the freeze of issue #12: 8 visitors on
                                                              # Demand/Capability, commentary every 0.5 s, 40 s
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # first, so `deploy` is the package and not bench/deploy.py
sys.path.append(str(ROOT / "bench"))  # for stclient

import duckdb  # noqa: E402

from deploy import stack  # noqa: E402
from perf import store  # noqa: E402
from perf.access import users  # noqa: E402
from perf.config import db_path  # noqa: E402
from stclient import PageRun, Visitor  # noqa: E402

PAGES = ["", "purpose", "measure", "locality", "demand", "capability", "review", "briefing", "reports", "accessibility"]
PASSWORD = "bench officer password 1"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
FROZEN_AFTER = 30.0


def fingerprints(db: Path) -> dict[str, tuple[int, int]]:
    """Every table's row count and a hash of its rows (order-free)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in store.TABLES:
            n, h = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {table} t").fetchone()  # type: ignore[misc]
            out[table] = (int(n), int(h))
        return out
    finally:
        con.close()


def subset(db: Path, sql: str) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        n, h = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM ({sql}) t").fetchone()  # type: ignore[misc]
        return int(n), int(h)
    finally:
        con.close()


def prepare(work: Path, rows: int) -> tuple[Path, Path | None, int]:
    """A private copy of the database with an officer, and a demand file of ``rows`` new records."""
    db = work / "load_test.duckdb"
    shutil.copyfile(db_path(), db)
    con = duckdb.connect(str(db))
    try:
        users.create_user(con, "olive", PASSWORD, "officer", display_name="Olive Bench", created_by="bench")
        first = int(con.execute("SELECT max(demand_id) FROM demand").fetchone()[0]) + 1  # type: ignore[index]
        csv = None
        if rows:
            csv = work / "demand_load.csv"
            con.execute(f"""COPY (
                SELECT {first} + row_number() OVER () - 1 AS demand_id, service_id, locality_id, channel,
                       strftime(received_at, '%Y-%m-%d %H:%M') AS received_at, demand_type, nature
                FROM (SELECT * FROM demand UNION ALL SELECT * FROM demand) LIMIT {rows}
            ) TO '{csv}' (HEADER)""")
    finally:
        con.close()
    return db, csv, first


def start_server(db: Path, port: int, log: Path, warm: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OUTSIDE_IN_DB": str(db)}
    env.pop("OUTSIDE_IN_PUBLIC", None)
    if not warm:  # the control run: new figures are worked out by their first visitor (ui.db.warm off)
        env["OUTSIDE_IN_WARM"] = "0"
    proc = subprocess.Popen(
        stack.streamlit_command(port),
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import urllib.request

    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the app as a service manager would (SIGTERM), and kill its process group if it does not go in 30 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


READING = (2.0, 6.0)  # seconds a visitor spends on a page before the next click (see the docstring)
STRESS_READING = (0.2, 1.0)


async def visitor(
    url: str, pages: list[str], until: float, runs: list[PageRun], seed: int, reading: tuple[float, float] = READING
) -> None:
    rng = random.Random(seed)
    async with Visitor(url) as v:
        await asyncio.sleep(rng.uniform(0.0, reading[1]))  # visitors arrive over the first page's reading
        while time.perf_counter() < until:
            opened = time.perf_counter()
            run = await v.open(rng.choice(pages), timeout=FROZEN_AFTER)
            runs.append(run)
            OPENED_AT.append((opened, run))
            if not run.finished:  # a frozen page: a real visitor reloads the tab
                return await visitor(url, pages, until, runs, seed + 1000, reading)
            await asyncio.sleep(rng.uniform(*reading))  # reading the page


OPENED_AT: list[tuple[float, PageRun]] = []  # when each page was asked for (perf_counter): pages after the load


SIGNED_IN = threading.Event()  # the attacker starts once the officer is in (both come from 127.0.0.1, and the
# throttle counts per address: on a real network they would be two clients)


def officer(url: str, every: float, until: float, out: dict[str, object]) -> None:
    """Sign in, then save commentary every ``every`` seconds; record each save's time and outcome."""
    from playwright.sync_api import sync_playwright

    saves: list[tuple[float, bool, str]] = []
    out["saves"] = saves
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/account")
        page.wait_for_selector(READY, timeout=60_000)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_role("textbox", name="Username").fill("olive")
        main.get_by_role("textbox", name="Password").fill(PASSWORD)
        main.get_by_role("button", name="Sign in").click()
        page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=60_000)
        SIGNED_IN.set()
        # by the menu: a reload would start a new session, signed out
        page.locator(".st-key-menu").get_by_text("Enter a value & commentary").click()
        main.get_by_role("tab", name="Commentary").click(timeout=60_000)
        box = main.get_by_role("textbox", name="Commentary")
        i = 0
        while time.perf_counter() < until:
            i += 1
            text = f"bench note {i}"
            box.fill(text)
            started = time.perf_counter()
            main.get_by_role("button", name="Save the commentary").click()
            ok = False
            try:
                # shown under "Latest commentary" once saved (st.text), not just typed in the box
                main.locator('[data-testid="stText"]').get_by_text(text, exact=True).first.wait_for(
                    timeout=FROZEN_AFTER * 1000
                )
                ok = True
            except Exception:  # noqa: BLE001 - a save that never showed is what we count
                pass
            saves.append((time.perf_counter() - started, ok, text))
            time.sleep(max(0.0, every - (time.perf_counter() - started)))
        browser.close()


def attacker(url: str, until: float, out: dict[str, object]) -> None:
    """Wrong passwords, for a real officer's name and for names that do not exist, non-stop."""
    from playwright.sync_api import sync_playwright

    tries: list[tuple[float, str]] = []
    out["tries"] = tries
    SIGNED_IN.wait(120)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/account")
        page.wait_for_selector(READY, timeout=60_000)
        main = page.locator('[data-testid="stMain"]')
        n = 0
        while time.perf_counter() < until:
            n += 1
            main.get_by_role("textbox", name="Username").fill("olive" if n % 2 else f"nobody{n}")
            main.get_by_role("textbox", name="Password").fill(f"wrong password {n}")
            started = time.perf_counter()
            main.get_by_role("button", name="Sign in").click()
            alert = main.locator('[data-testid="stAlertContentError"]')
            try:
                alert.first.wait_for(timeout=FROZEN_AFTER * 1000)
                page.wait_for_selector(READY, timeout=FROZEN_AFTER * 1000)
                message = alert.first.inner_text()
            except Exception:  # noqa: BLE001
                message = "(no answer)"
            tries.append((time.perf_counter() - started, message))
        browser.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visitors", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--officer-every", type=float, default=1.0)
    ap.add_argument("--rows", type=int, default=500_000, help="rows in the `perf load` file (0: no load)")
    ap.add_argument("--attacker", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated URL paths ('' is the Overview)")
    ap.add_argument(
        "--stress",
        action="store_true",
        help=f"visitors read each page for {STRESS_READING[0]}-{STRESS_READING[1]} s, not "
        f"{READING[0]:.0f}-{READING[1]:.0f} s",
    )
    ap.add_argument(
        "--deadlock",
        action="store_true",
        help="issue #12's freeze: 8 visitors on Demand and Capability, commentary every 0.5 s, 40 s, "
        "no load, no attacker",
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument(
        "--warm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="work out the public Demand/Capability date ranges in the background after the load (ui.db.warm); "
        "--no-warm is the control",
    )
    ap.add_argument(
        "--profile",
        type=Path,
        help="record the server with py-spy (only the thread holding the "
        "interpreter lock) into this file: .txt for collapsed stacks, else a flame graph",
    )
    args = ap.parse_args()
    if args.deadlock:
        args.visitors, args.seconds, args.officer_every, args.rows, args.attacker = 8, 40.0, 0.5, 0, False
        args.pages = "demand,capability"
    pages = args.pages.split(",")
    reading = STRESS_READING if args.stress or args.deadlock else READING

    work = Path(tempfile.mkdtemp(prefix="load_test_"))
    db, csv, first_new = prepare(work, args.rows)
    before = fingerprints(db)
    url = f"http://127.0.0.1:{args.port}"
    log = work / "server.log"
    server = start_server(db, args.port, log, warm=args.warm)
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"server up on {url}; {args.visitors} visitors reading {reading[0]}-{reading[1]} s a page, "
        f"officer every {args.officer_every} s, "
        f"load of {args.rows:,} rows, attacker {'on' if args.attacker else 'off'}, {args.seconds:.0f} s, "
        f"warming after new figures {'on' if args.warm else 'off'}"
    )
    # one warm-up visit of each page, as a server in use has had (its first visitors' imports and caches)
    asyncio.run(_warm(url, pages))
    spy = None
    if args.profile:
        spy = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "-o",
                str(args.profile),
                "-p",
                str(server.pid),
                "--rate",
                "100",
                "--nonblocking",
                "--gil",
                *(["--format", "raw"] if args.profile.suffix == ".txt" else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    started = time.perf_counter()
    until = started + args.seconds
    officer_out: dict[str, object] = {}
    attacker_out: dict[str, object] = {}
    threads = [threading.Thread(target=officer, args=(url, args.officer_every, until, officer_out))]
    if args.attacker:
        threads.append(threading.Thread(target=attacker, args=(url, until, attacker_out)))
    for t in threads:
        t.start()
    load_result: dict[str, object] = {}

    def run_load() -> None:
        time.sleep(5)
        t0 = time.perf_counter()
        env = {**os.environ, "OUTSIDE_IN_DB": str(db)}
        done = subprocess.run(
            [sys.executable, "-m", "perf", "load", str(csv), "--user", "bench-load"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        load_result.update(
            code=done.returncode,
            seconds=time.perf_counter() - t0,
            ended=time.perf_counter(),
            stdout=done.stdout,
            stderr=done.stderr,
        )

    loader = threading.Thread(target=run_load)
    if csv is not None:
        loader.start()
    runs: list[PageRun] = []

    async def everyone() -> None:
        await asyncio.gather(*(visitor(url, pages, until, runs, i, reading) for i in range(args.visitors)))

    asyncio.run(everyone())
    for t in threads:
        t.join(timeout=FROZEN_AFTER + 30)
    if csv is not None:
        loader.join(timeout=600)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    stop_server(server)
    after = fingerprints(db)

    # ---- report
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    times = [r.seconds for r in runs if r.finished]
    frozen = [r for r in runs if not r.finished]
    failed = [r for r in runs if r.finished and r.failed]
    errors = [r for r in runs if r.errors]
    print(
        f"\npages: {len(runs)} asked for, {len(times)} answered; frozen (no answer in {FROZEN_AFTER:.0f} s): "
        f"{len(frozen)}; failed (exception or not found): {len(failed)}; with an error message: {len(errors)}"
    )
    if times:
        print(
            f"page seconds: p50 {statistics.median(times):.2f}, p95 {percentile(times, 0.95):.2f}, max {max(times):.2f}"
        )
        by_page: dict[str, list[float]] = {}
        for r in runs:
            if r.finished:
                by_page.setdefault(r.page or "overview", []).append(r.seconds)
        print(
            "  by page (p50/p95 s): "
            + ", ".join(f"{p} {statistics.median(t):.2f}/{percentile(t, 0.95):.2f}" for p, t in sorted(by_page.items()))
        )
    if "ended" in load_result:  # the first visits after new figures: the public date ranges (warmed, ui.db.warm)
        ended = float(load_result["ended"])  # type: ignore[arg-type]
        for name in ("demand", "capability"):
            opened = [
                (at - ended, r) for at, r in sorted(OPENED_AT, key=lambda x: x[0]) if r.page == name and at >= ended
            ]
            later = [r.seconds for _, r in opened if r.finished]
            if later:
                print(
                    f"  {name} after the load ({len(later)} pages): p50 {statistics.median(later):.2f}, "
                    f"p95 {percentile(later, 0.95):.2f}, max {max(later):.2f}; the first five (asked for N s after "
                    "the load: took s): " + ", ".join(f"+{t:.1f}: {r.seconds:.2f}" for t, r in opened[:5])
                )
    for r in (frozen + failed + errors)[:5]:
        print(f"  {r.page or 'overview'}: finished={r.finished} {r.exceptions[:1]} {r.errors[:1]}")
    saves = officer_out.get("saves", [])
    ok_saves = [s for s in saves if s[1]]  # type: ignore[index]
    if saves:
        st = [s[0] for s in saves]  # type: ignore[index]
        print(
            f"officer: {len(saves)} saves, {len(ok_saves)} shown as saved; seconds p50 {statistics.median(st):.2f}, "
            f"p95 {percentile(st, 0.95):.2f}, max {max(st):.2f}"
        )
    tries = attacker_out.get("tries", [])
    if tries:
        tt = [t[0] for t in tries]  # type: ignore[index]
        answers = sorted({t[1] for t in tries})  # type: ignore[index]
        print(
            f"attacker: {len(tries)} wrong sign-ins, seconds p50 {statistics.median(tt):.2f}, max {max(tt):.2f}; "
            f"answers: {answers}"
        )
    if load_result:
        print(
            f"perf load: exit {load_result['code']} in {load_result['seconds']:.1f} s: "
            f"{str(load_result['stdout']).strip()} {str(load_result['stderr']).strip()}"
        )

    # ---- nothing lost: tables nobody wrote are identical; the written ones gained exactly what was written
    changed = {"demand", "commentary", "change_log", "app_user", "meta"}  # meta: the last failed sign-in
    same = [t for t in store.TABLES if t not in changed and before[t] != after[t]]
    print(f"tables nobody wrote, identical before and after: {not same} {same or ''}")
    old_demand = subset(db, f"SELECT * FROM demand WHERE demand_id < {first_new}")
    loaded = after["demand"][0] - before["demand"][0]
    print(
        f"demand: the {before['demand'][0]:,} old rows unchanged: {old_demand == before['demand']}; "
        f"rows added {loaded:,} (expected {args.rows:,})"
    )
    saved = subset(db, "SELECT * FROM commentary WHERE body LIKE 'bench note %'")[0]
    old_notes = subset(db, "SELECT * FROM commentary WHERE body NOT LIKE 'bench note %'")
    print(
        f"commentary: old rows unchanged: {old_notes == before['commentary']}; bench notes in the database "
        f"{saved}, shown as saved {len(ok_saves)}"
    )
    passed = (
        not frozen
        and not failed
        and bool(times)
        and percentile(times, 0.95) < 2.0
        and not same
        and old_demand == before["demand"]
        and old_notes == before["commentary"]
        and (not csv or (load_result.get("code") == 0 and loaded == args.rows))
        and saved >= len(ok_saves)
    )
    print(f"\n{'PASS' if passed else 'FAIL'} (server log: {log})")
    return 0 if passed else 1


async def _warm(url: str, pages: list[str]) -> None:
    async with Visitor(url) as v:
        for page in pages:
            await v.open(page, timeout=120)


if __name__ == "__main__":
    sys.exit(main())

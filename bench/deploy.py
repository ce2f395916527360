"""Replicas behind nginx under load: sessions held, page times, memory, a replica killed, a snapshot published.

Starts the deploy/ stack (N public replicas behind Debian's nginx, on free loopback ports, on a copy
of the sample database) and lets simulated visitors in for ``--seconds``: each is a real websocket
client speaking Streamlit's protocol through nginx (deploy/client.py), opening a public page, reading
it for a few seconds, opening another, and keeping its session open throughout. Visitors arrive at a
steady rate, so the number of open sessions climbs through the run. Reported:

- pages opened, errors, and page time (ask → "script finished") by how many sessions were open then;
  "held" is the most sessions open with page p95 under 3 s and no error up to there;
- memory: the replicas' resident memory when warm, at the most during the run, and what one more
  open session adds (15 per replica opened on the Overview and held, before the run);
- a replica killed at 40% of the run: its visitors' next page (after reconnecting through nginx to
  another replica) and the other visitors' pages (no reconnect, no error expected);
- a snapshot published at 60%: every page after shows one edition (the dataset name in the
  sidebar), never both, and none fails;
- the same with one replica (``--compare``), and the static site: pages/s from nginx (wrk when
  installed, else a Python client), its size, and a rebuild while readers fetch pages through nginx
  (any answer that is not a 200 with a whole page is counted).

Run: .venv/bin/python bench/deploy.py [--seconds 60] [--replicas 3] [--compare] [--static | --static-only]
Quick while developing: --seconds 15 --rate 1. Loopback only; every loop is bounded by time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from deploy import stack  # noqa: E402
from deploy.client import Page, Visitor  # noqa: E402
from perf import seed  # noqa: E402
from perf.config import db_path  # noqa: E402

PAGES = ["", "purpose", "measure", "locality", "demand", "capability"]
# plain words: the sidebar escapes Markdown (a "-" arrives as "\\-"), so a name with punctuation is never found
EDITION_1, EDITION_2 = "Load test first edition", "Load test second edition"
P95_LIMIT = 3.0


@dataclass
class Record:
    visitor: int
    started: float  # seconds since the run began
    sessions: int  # sessions open when the page was asked for
    page: Page
    replica_before: str | None = None


@dataclass
class Run:
    replicas: int
    records: list[Record] = field(default_factory=list)
    sessions_now: int = 0
    peak_sessions: int = 0
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    held_mb_per_session: float = 0.0
    killed: str | None = None
    killed_at: float | None = None
    publish_started: float | None = None
    published_at: float | None = None  # when the new version became current


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _set_edition(db: Path, name: str) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('dataset_name', ?)", [name])
    finally:
        con.close()


async def _visitor(i: int, layout: stack.Layout, run: Run, began: float, end: float, rng: random.Random) -> None:
    v = Visitor(layout.url, timeout=60)
    run.sessions_now += 1
    run.peak_sessions = max(run.peak_sessions, run.sessions_now)
    try:
        while time.monotonic() < end:
            page = rng.choice(PAGES)
            before = v.served_by
            sessions = run.sessions_now
            started = time.monotonic() - began
            result = await v.open(page)
            run.records.append(Record(i, started, sessions, result, before))
            await asyncio.sleep(min(rng.uniform(3.0, 8.0), max(0.0, end - time.monotonic())))  # reading it
    finally:
        run.sessions_now -= 1
        await v.close()


async def _drive(layout: stack.Layout, run: Run, seconds: float, rate: float, source: Path) -> None:
    rng = random.Random(17)
    began = time.monotonic()
    end = began + seconds
    tasks: list[asyncio.Task[None]] = []
    kill_at, publish_at = began + 0.4 * seconds, began + 0.6 * seconds
    killed = published = False
    background: list[asyncio.Task[None]] = []
    replica_pids = [pid for name, pid in stack.pids(layout).items() if name.startswith("replica")]
    n = 0
    while time.monotonic() < end:
        now = time.monotonic()
        while n < rate * (now - began) + 1:  # a steady stream of arrivals
            tasks.append(asyncio.create_task(_visitor(n, layout, run, began, end, random.Random(rng.random()))))
            n += 1
        run.rss_peak_mb = max(run.rss_peak_mb, _rss_mb(replica_pids))
        if not killed and now >= kill_at and run.replicas > 1:
            on = [r.page.served_by for r in run.records if r.page.served_by]
            victim = max(set(on), key=on.count) if on else None  # the busiest replica
            if victim:
                port = int(victim.rsplit(":", 1)[1])
                pid = stack.pids(layout)[f"replica-{layout.replica_ports.index(port) + 1}"]
                run.killed, run.killed_at = victim, now - began
                background.append(asyncio.create_task(asyncio.to_thread(stack.end, pid)))
                replica_pids = [p for p in replica_pids if p != pid]
            killed = True
        if not published and now >= publish_at:
            run.publish_started = now - began

            def publish() -> None:
                _set_edition(source, EDITION_2)
                stack.publish(layout, static=False)
                run.published_at = time.monotonic() - began

            background.append(asyncio.create_task(asyncio.to_thread(publish)))
            published = True
        await asyncio.sleep(0.25)
    await asyncio.gather(*tasks, *background)


async def _memory_per_session(layout: stack.Layout, pids: list[int], n: int) -> float:
    """Open ``n`` sessions (each on the Overview, then idle, as a tab left open), and the memory they add."""
    before = _rss_mb(pids)
    visitors = [Visitor(layout.url, timeout=120) for _ in range(n)]
    for v in visitors:
        await v.open("")
    await asyncio.sleep(2.0)
    held = _rss_mb(pids)
    for v in visitors:
        await v.close()
    return (held - before) / n


def run_once(replicas: int, seconds: float, rate: float, sample: Path, state: Path) -> Run:
    source = state / "council.duckdb"
    shutil.copy(sample, source)
    _set_edition(source, EDITION_1)
    ports = stack.free_ports(2 + replicas)
    layout = stack.Layout(
        state=state,
        port=ports[0],
        staff_port=ports[1],
        replica_ports=ports[2:],
        source_db=source,
        static=False,
        worker_user="root",
    )
    run = Run(replicas)
    stack.start(layout)
    try:

        async def warm_up() -> None:  # each page once on each replica, directly: imports and first queries
            for port in layout.replica_ports:
                v = Visitor(f"http://127.0.0.1:{port}", timeout=120)
                for page in PAGES:
                    await v.open(page)
                await v.close()

        asyncio.run(warm_up())
        pids = [pid for name, pid in stack.pids(layout).items() if name.startswith("replica")]
        run.rss_before_mb = _rss_mb(pids)
        run.held_mb_per_session = asyncio.run(_memory_per_session(layout, pids, 15 * replicas))
        asyncio.run(_drive(layout, run, seconds, rate, source))
    finally:
        stack.stop(layout)
    return run


def report(run: Run) -> None:
    recs = run.records
    errors = [r for r in recs if not r.page.ok]
    print(
        f"\n== {run.replicas} replica{'s' if run.replicas > 1 else ''}: {len(recs)} pages, {len(errors)} errors, "
        f"peak {run.peak_sessions} open sessions"
    )
    for r in errors[:5]:
        print(f"   error at {r.started:.1f} s ({r.page.page or 'overview'}): {r.page.error}")
    buckets: dict[int, list[Record]] = {}
    step = max(5, run.peak_sessions // 8)
    for r in recs:
        buckets.setdefault((r.sessions - 1) // step, []).append(r)
    held = 0
    failed_below = False
    print(f"   {'sessions open':>14} {'pages':>6} {'median s':>9} {'p95 s':>7} {'errors':>7}")
    for b in sorted(buckets):
        group = buckets[b]
        times = [r.page.seconds for r in group if r.page.ok]
        errs = sum(not r.page.ok for r in group)
        p95 = _p95(times)
        top = (b + 1) * step
        print(
            f"   {b * step + 1:>6}-{top:<7} {len(group):>6} {statistics.median(times) if times else float('nan'):>9.2f} "
            f"{p95:>7.2f} {errs:>7}"
        )
        if not failed_below and p95 < P95_LIMIT and errs == 0:
            held = min(top, run.peak_sessions)
        else:
            failed_below = True
    print(f"   held: {held} concurrent sessions with page p95 < {P95_LIMIT:.0f} s and no error")
    idle = (
        f"{run.held_mb_per_session:.2f} MB"
        if run.held_mb_per_session >= 0.1
        else "less than 0.1 MB, below the noise of the replicas' memory"
    )
    during = (run.rss_peak_mb - run.rss_before_mb) / max(run.peak_sessions, 1)
    print(
        f"   memory: replicas {run.rss_before_mb:.0f} MB in all when warm ({run.rss_before_mb / run.replicas:.0f} MB "
        f"each), {run.rss_peak_mb:.0f} MB at the most during the run, i.e. {during:.2f} MB per session at the "
        f"peak (sessions plus the caches their pages filled); an idle session on the Overview adds {idle} "
        f"({15 * run.replicas} opened and held)"
    )
    if run.killed_at is not None:
        after = [r for r in recs if r.started >= run.killed_at]
        theirs = [r for r in after if r.replica_before == run.killed and r.page.reconnected]
        others = [r for r in after if r.replica_before not in (None, run.killed)]
        print(
            f"   replica {run.killed} killed at {run.killed_at:.1f} s: {len(theirs)} of its visitors reconnected, "
            f"{sum(r.page.ok for r in theirs)} got their page from another replica "
            f"(slowest {max((r.page.seconds for r in theirs), default=0):.2f} s); the other visitors' "
            f"{len(others)} pages after it: {sum(not r.page.ok for r in others)} errors, "
            f"{sum(r.page.reconnected for r in others)} reconnects"
        )
    if run.published_at is not None:
        after = [r for r in recs if r.started >= run.published_at and r.page.ok]
        mixed = [
            r for r in recs if any(EDITION_1 in t for t in r.page.texts) and any(EDITION_2 in t for t in r.page.texts)
        ]
        new = [r for r in after if any(EDITION_2 in t for t in r.page.texts)]
        before = [r for r in recs if r.started < (run.publish_started or 0.0) and r.page.ok]
        old = [r for r in before if any(EDITION_1 in t for t in r.page.texts)]
        print(f"   before the publish: {len(old)} of {len(before)} pages show the first edition (the check can see it)")
        late = [r for r in recs if r.started >= (run.publish_started or 0.0) and not r.page.ok]
        print(
            f"   snapshot publish began at {run.publish_started:.1f} s, current at {run.published_at:.1f} s: "
            f"{len(new)} of the {len(after)} pages asked for after it show the new edition; pages showing both "
            f"editions: {len(mixed)}; errors after it: {len(late)}"
        )


def static_bench(seconds: float, sample: Path, state: Path) -> None:
    ports = stack.free_ports(3)
    layout = stack.Layout(
        state=state, port=ports[0], staff_port=ports[1], replica_ports=ports[2:], source_db=sample, worker_user="root"
    )
    stack.start(layout)
    try:
        size = sum(p.stat().st_size for p in layout.site.rglob("*") if p.is_file())
        sitemap = urllib.request.urlopen(f"{layout.url}/site/sitemap.xml", timeout=10).read().decode()
        urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        html = [p for p in layout.site.rglob("*.html")]
        similar = [p for p in html if "similar" in p.relative_to(layout.site).parts[0]]
        print(
            f"\n== static site: {len(urls)} pages, {size / 1e6:.1f} MB in all "
            f"({sum(p.stat().st_size for p in html) / 1e6:.1f} MB of HTML, of which {len(similar)} Similar "
            f"councils pages {sum(p.stat().st_size for p in similar) / 1e6:.1f} MB; the rest CSV downloads)"
        )
        wrk = shutil.which("wrk")
        if wrk:
            script = state / "pages.lua"
            paths = [u.split(str(layout.port), 1)[1] for u in urls]
            script.write_text(
                "paths = {" + ",".join(f'"{p}"' for p in paths) + "}\ni = 0\n"
                "request = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i], {['Accept-Encoding'] = 'gzip'})\nend\n"
            )
            out = subprocess.run(
                [wrk, "-t2", "-c32", f"-d{int(seconds)}s", "-s", str(script), layout.url],
                capture_output=True,
                text=True,
                timeout=seconds + 30,
            ).stdout
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
            lat = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
            errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            print(
                f"   wrk, 2 threads, 32 connections, {int(seconds)} s, every page in turn (gzip): "
                f"{rps.group(1) if rps else '?'} pages/s, mean latency {lat.group(1) if lat else '?'}, "
                f"non-2xx {errs.group(1) if errs else 0}"
            )
        else:
            count, stop = [0], time.monotonic() + seconds

            def worker() -> None:
                k = 0
                while time.monotonic() < stop:
                    urllib.request.urlopen(urls[k % len(urls)], timeout=10).read()
                    count[0] += 1
                    k += 1

            threads = [threading.Thread(target=worker) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            print(f"   Python client, 8 threads, {seconds:.0f} s: {count[0] / seconds:.0f} pages/s")
        republish_while_reading(layout, urls)
    finally:
        stack.stop(layout)


def republish_while_reading(layout: stack.Layout, urls: list[str]) -> None:
    """Rebuild the static site while 4 readers fetch its pages through nginx: any answer but a whole page?"""
    from perf.output import publish, site

    stop, answers = threading.Event(), []  # (status, whole)

    def reader(k: int) -> None:
        while not stop.is_set():
            url = urls[k % len(urls)]
            k += 7
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    body = r.read().decode()
                answers.append((r.status, body.rstrip().endswith(("</html>", "</urlset>"))))
            except urllib.error.HTTPError as err:
                answers.append((err.code, False))

    before = site.current(layout.site)
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    started = time.monotonic()
    try:
        site.build_site(layout.site, publish.resolve(layout.snapshots), base_url=f"{layout.url}/{stack.SITE_PATH}/")
        took = time.monotonic() - started
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join()
    bad = sum(1 for status, whole in answers if status != 200 or not whole)
    print(
        f"   republished while 4 readers fetched pages through nginx: rebuilt in {took:.0f} s, "
        f"{len(answers)} pages fetched, {bad} not a 200 with a whole page; version "
        f"{before} -> {site.current(layout.site)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=2.0, help="new visitors per second (default 2)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="the same load on one replica afterwards")
    parser.add_argument("--static", action="store_true", help="also serve the static site with nginx and time it")
    parser.add_argument("--static-only", action="store_true", help="only the static site (no replicas' load)")
    args = parser.parse_args()
    sample = db_path().resolve()
    if not sample.exists():
        seed.build(sample)
    print(
        f"Outside-In behind nginx: {args.seconds:.0f} s, {args.rate:g} new visitors/s reading a page 3-8 s "
        f"each, pages {', '.join(p or 'overview' for p in PAGES)}"
    )
    print(
        "Load average at the start: {:.1f} {:.1f} {:.1f} (on a shared machine, page times measure the "
        "neighbours too)".format(*os.getloadavg())
    )
    counts = [] if args.static_only else [args.replicas] + ([1] if args.compare and args.replicas != 1 else [])
    for n in counts:
        with tempfile.TemporaryDirectory(prefix="oi-bench-") as tmp:
            report(run_once(n, args.seconds, args.rate, sample, Path(tmp)))
    if args.static or args.static_only:
        with tempfile.TemporaryDirectory(prefix="oi-bench-") as tmp:
            static_bench(min(args.seconds, 15.0), sample, Path(tmp))
    print("\nLoad average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Server time of each page, one visitor at a time: the first run (caches empty) and warm runs.

Starts a real `streamlit run` server on the database (OUTSIDE_IN_DB, or the sample) and asks for each
page over Streamlit's websocket protocol (bench/stclient.py), one after another, so the figure is
what one page run costs the server's one Python process: with 20 visitors on 2 cores, what they
share. Issue #12's load test (bench/load_test.py) needs warm page runs of tens of milliseconds.

    .venv/bin/python bench/page_runs.py [--warm 5] [--port 8766] [--profile out.svg]

``--profile`` records the server with py-spy during the warm runs (pip install py-spy) and writes
a flame graph, to see where a warm run's time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_test import PAGES, start_server  # noqa: E402
from stclient import Visitor  # noqa: E402

from perf.config import db_path  # noqa: E402


async def measure(url: str, warm: int) -> dict[str, tuple[float, list[float]]]:
    out: dict[str, tuple[float, list[float]]] = {}
    async with Visitor(url) as v:
        for page in PAGES:
            first = await v.open(page, timeout=120)
            runs = [(await v.open(page, timeout=120)).seconds for _ in range(warm)]
            out[page or "overview"] = (first.seconds, runs)
            if first.failed:
                print(f"  {page or 'overview'} failed: {first.exceptions[:1]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warm", type=int, default=5)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument(
        "--profile",
        type=Path,
        help="py-spy record of the server during the warm runs (.txt: collapsed stacks, else a flame graph)",
    )
    ap.add_argument("--cold", action="store_true", help="profile the first runs (caches empty) instead")
    args = ap.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    log = Path(tempfile.mkdtemp(prefix="page_runs_")) / "server.log"
    print(f"database {db_path()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    server = start_server(db_path(), args.port, log)
    try:
        spy = None

        def record() -> subprocess.Popen[bytes]:
            raw = ["--format", "raw"] if args.profile.suffix == ".txt" else []
            return subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("py-spy")),
                    "record",
                    "-o",
                    str(args.profile),
                    "-p",
                    str(server.pid),
                    "--rate",
                    "200",
                    "--nonblocking",
                    "--gil",
                    *raw,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        if args.profile and args.cold:
            spy = record()
            time.sleep(1)
        cold = asyncio.run(measure(url, 0))  # caches empty: each page's first run
        if spy is not None:
            spy.send_signal(2)
            spy.wait(timeout=60)
            spy = None
        if args.profile and not args.cold:
            spy = record()
            time.sleep(1)
        started = time.perf_counter()
        figures = asyncio.run(measure(url, args.warm))
        wall = time.perf_counter() - started
        if spy is not None:
            spy.send_signal(2)
            spy.wait(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{'page':<14} {'first s':>8} {'warm median s':>14} {'warm max s':>11}")
    for page, (_, runs) in figures.items():
        print(f"{page:<14} {cold[page][0]:8.3f} {statistics.median(runs):14.3f} {max(runs):11.3f}")
    warm = [s for _, runs in figures.values() for s in runs]
    print(
        f"all warm runs: median {statistics.median(warm):.3f} s, mean {statistics.mean(warm):.3f} s; "
        f"{wall:.1f} s wall; load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

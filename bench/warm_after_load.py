"""The first public Demand and Capability visit after a scheduled `perf load`, with and without warming (issue #12).

A council's nightly load lands; the first public visitor comes some time later. Without warming, that visitor
waits while the four date ranges' small-count rule is worked out for the new figures (``ui.cached_demand.
_demand_ranges``, ``_capability_ranges``: seconds); with it (``ui.db.warm``, on by default) the app has done
that in the background since the load was saved. For each setting: a real `streamlit run` server on a copy of
the sample, every page opened once (a server in use), a `perf load` of ROWS demand records handed to the app's
inbox, a pause of WAIT seconds, then one signed-out visitor opens Demand, then Capability, each timed until the
script finishes. bench/load_test.py measures the busy case (visitors arriving while the work is still being done,
who wait for it either way).

    .venv/bin/python bench/warm_after_load.py                 # both settings, 500,000 rows (as load_test), 20 s pause
    .venv/bin/python bench/warm_after_load.py --wait 5        # a visitor sooner after the load
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

from load_test import PAGES, prepare, start_server, stop_server  # noqa: E402
from stclient import Visitor  # noqa: E402


async def _visit(url: str, pages: list[str]) -> list[float]:
    async with Visitor(url) as v:
        return [(await v.open(page, timeout=180)).seconds for page in pages]


def run(warm: bool, rows: int, wait: float, port: int) -> tuple[float, float, float]:
    """(load seconds, first Demand visit, first Capability visit) for one setting."""
    work = Path(tempfile.mkdtemp(prefix="warm_after_load_"))
    try:
        db, csv, _ = prepare(work, rows)
        server = start_server(db, port, work / "server.log", warm=warm)
        try:
            url = f"http://127.0.0.1:{port}"
            asyncio.run(_visit(url, PAGES))  # a server in use: every page once, its caches full for the old data
            t0 = time.perf_counter()
            env = {**os.environ, "OUTSIDE_IN_DB": str(db)}
            done = subprocess.run(
                [sys.executable, "-m", "perf", "load", str(csv), "--user", "bench-load"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            loaded = time.perf_counter() - t0
            if done.returncode != 0:
                raise SystemExit(f"perf load failed: {done.stderr}")
            time.sleep(wait)
            demand, capability = asyncio.run(_visit(url, ["demand", "capability"]))
            return loaded, demand, capability
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=500_000, help="demand records in the `perf load` file")
    ap.add_argument("--wait", type=float, default=20.0, help="seconds between the load and the first visitor")
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for warm in (True, False):
        loaded, demand, capability = run(warm, args.rows, args.wait, args.port)
        print(
            f"warming {'on ' if warm else 'off'}: perf load of {args.rows:,} rows {loaded:.1f} s; {args.wait:.0f} s "
            f"later the first public Demand visit {demand:.2f} s, then Capability {capability:.2f} s"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

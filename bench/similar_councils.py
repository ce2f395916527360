"""Similar councils: how fast the page draws 16 councils' monthly charts, and loading FixMyStreet's national file.

Prints (goals from issue #14):
- the page with 16 councils' monthly control charts (14 years each), warm server: under 2 s;
- switching the measure on that page: under 1 s;
- loading the whole FixMyStreet national file (every council, month and category, 2007-2020; long
  format through ``perf load``'s checks) into a database without it: under 10 s, adding under 20 MB.

Needs the sample database (``make db``), Debian's Chromium and the shared real data folder
(``OUTSIDE_IN_REAL_DATA`` or ``shared/data/real`` above the repository) for the national file.
Run: ``.venv/bin/python bench/similar_councils.py``
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf import store  # noqa: E402
from perf.analysis import similar  # noqa: E402
from perf.intake import check, save  # noqa: E402
from perf.seed import realdata  # noqa: E402
from perf.config import db_path  # noqa: E402
from tests.browser.conftest import ARGS, READY, running  # noqa: E402

WAIT = 'document.querySelectorAll(".oi-similar").length == 16'
MAIN = '[data-testid="stMain"]'
# the first panel's drawing differs from the one before: the new measure's charts are on screen
CHANGED = (
    "(before) => { const p = document.querySelector('[data-testid=\"stMain\"] .oi-similar');"
    " return p !== null && p.innerHTML !== before; }"
)
# measures to switch to: three not yet drawn on this server, then back to ones already drawn
NEW_MEASURES = (
    "FixMyStreet reports: Rubbish",
    "FixMyStreet reports: Dog Fouling",
    "FixMyStreet reports: Street Lights",
)
DRAWN_MEASURES = (
    "FixMyStreet reports: all problems",
    "FixMyStreet reports: Rubbish",
    "FixMyStreet reports: Dog Fouling",
)


def sixteen(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bromsgrove, its 12 same-tier neighbours and Redditch's first 3: 16 districts with FixMyStreet figures."""
    group = similar.group(con, "E07000234")
    for code in similar.group(con, "E07000236"):
        if code not in group and len(group) < 16:
            group.append(code)
    return group


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def page_times(db: Path) -> tuple[float, float, list[float], list[float]]:
    """First open, warm open (best of 3), and each switch of the measure (to new measures, then back)."""
    from playwright.sync_api import sync_playwright

    with store.connect(db) as con:
        codes = sixteen(con)
        names = dict(zip(*(similar.areas(con)[c] for c in ("area_code", "name")), strict=True))
    query = [
        ("council", names[codes[0]]),
        ("group", "Councils I choose"),
        ("period", "All time"),
        *[("councils", names[c]) for c in codes[1:]],
    ]
    with running(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        link = f"{url}/similar?{urllib.parse.urlencode(query)}"

        def open_page() -> float:
            started = time.perf_counter()
            page.goto(link)
            page.wait_for_function(WAIT, timeout=120_000)
            page.wait_for_selector(READY, timeout=120_000)
            return time.perf_counter() - started

        cold = open_page()
        warm = min(open_page() for _ in range(3))
        print(
            f"Similar councils, 16 councils x 167 months: first open {cold:.2f} s; warm {warm:.2f} s (goal < 2 s)",
            flush=True,
        )
        box = page.locator(MAIN).locator('[data-testid="stSelectbox"]').filter(has_text="Measure")

        def switch(name: str) -> float:
            """Open the Measure list, filter it to the option, then time from its click to the new charts
            drawn and the script finished."""
            before = page.locator(MAIN).locator(".oi-similar").first.inner_html()
            box.click()
            page.keyboard.type(name.split(": ", 1)[1])
            option = page.locator('[role="option"]').filter(has_text=name).first
            option.wait_for(timeout=30_000)
            started = time.perf_counter()
            option.click()
            page.wait_for_function(CHANGED, arg=before, timeout=120_000)
            page.wait_for_selector(READY, timeout=120_000)
            page.wait_for_function(WAIT, timeout=120_000)
            seconds = time.perf_counter() - started
            heading = page.locator(MAIN).locator("h3").first.inner_text()
            assert heading.startswith(name), (heading, name)
            return seconds

        new = [switch(name) for name in NEW_MEASURES]
        drawn = [switch(name) for name in DRAWN_MEASURES]
        browser.close()
    return cold, warm, new, drawn


def national_file(folder: Path, out: Path) -> int:
    """FixMyStreet's three national files as one long file in the upload format."""
    parts = []
    base = folder / "fixmystreet_lad_monthly"
    frames = [("fms-all", pd.read_csv(base / "fms_lad_monthly_all_reports.csv.gz"), None)]
    for kind in ("c", "b"):
        frames.append(("", pd.read_csv(base / f"fms_lad_monthly_shef_{kind}.csv.gz"), f"SHEF_{kind.upper()}_CODE"))
    for metric, frame, column in frames:
        ids = frame[column].str.lower().radd("fms-") if column else metric
        parts.append(
            pd.DataFrame(
                {
                    "metric": ids,
                    "area_code": frame["lad"],
                    "period": frame["period"],
                    "value": frame["reports"],
                    "unit": "reports",
                    "source": "mySociety / FixMyStreet",
                }
            )
        )
    whole = pd.concat(parts, ignore_index=True)
    whole.to_csv(out, index=False)
    return len(whole)


def load_times(db: Path) -> tuple[int, float, float, float, float, float]:
    folder = realdata.real_dir()
    work = Path(tempfile.mkdtemp(prefix="similar-bench-"))
    try:
        target = work / "db.duckdb"
        shutil.copy(db, target)
        with duckdb.connect(str(target)) as con:  # the database without FixMyStreet's national figures
            con.execute("DELETE FROM published_value WHERE metric_id LIKE 'fms-%'")
            con.execute("DELETE FROM published_note WHERE metric_id LIKE 'fms-%'")
            con.execute("CHECKPOINT")
        # a fresh copy of the emptied file, so its size is not inflated by freed blocks
        with duckdb.connect(str(target)) as con:
            con.execute(f"EXPORT DATABASE '{work / 'dump'}' (FORMAT parquet)")
        fresh = work / "fresh.duckdb"
        with duckdb.connect(str(fresh)) as con:
            con.execute(f"IMPORT DATABASE '{work / 'dump'}'")
            con.execute("CHECKPOINT")
        again = work / "again.duckdb"
        shutil.copy(fresh, again)
        before = fresh.stat().st_size
        csv = work / "fixmystreet_national.csv"
        rows = national_file(folder, csv)
        data = csv.read_bytes()
        con = store.connect(fresh, read_only=False)
        started, cpu = time.perf_counter(), time.process_time()
        result = check.validate_upload(con, data, csv.name)
        assert result.ok, result.problems[:5]
        save.apply_upload(con, result, user="bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        con.execute("CHECKPOINT")
        con.close()
        # the command an officer runs, end to end (its own process checks the file, then saves it)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "perf", "load", str(csv), "--user", "bench", "--db", str(again)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        command = time.perf_counter() - started
        assert done.returncode == 0, done.stderr[-2000:]
        return rows, seconds, cpu, command, (fresh.stat().st_size - before) / 1e6, len(data) / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    db = db_path()
    if not db.exists():
        print(f"No database at {db}: building the sample (python -m perf build).", flush=True)
        subprocess.run([sys.executable, "-m", "perf", "build"], cwd=ROOT, check=True)
    print(f"load average before: {_load()}", flush=True)
    rows, seconds, cpu, command, grown, size = load_times(db)
    print(
        f"FixMyStreet national file ({rows:,} rows, {size:.0f} MB CSV) checked and loaded in {seconds:.1f} s "
        f"(goal < 10 s; {cpu:.1f} s of CPU in this process), {command:.1f} s by `python -m perf load` "
        f"(a process of its own, started cold); the database grew {grown:.1f} MB (goal < 20 MB)",
        flush=True,
    )
    cold, warm, new, drawn = page_times(db)
    print(
        f"switch the measure: {_median(new):.2f} s to one not yet drawn (median of "
        f"{', '.join(f'{s:.2f}' for s in new)}), {_median(drawn):.2f} s to one already drawn (median of "
        f"{', '.join(f'{s:.2f}' for s in drawn)}) (goal < 1 s)"
    )
    print(f"load average after: {_load()} (figures on a shared machine are floors)")
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())

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

import shutil
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
from perf.intake import load  # noqa: E402
from perf.seed import realdata  # noqa: E402
from perf.config import db_path  # noqa: E402
from tests.browser.conftest import READY, running  # noqa: E402

WAIT = 'document.querySelectorAll(".oi-similar").length == 16'


def sixteen(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bromsgrove, its 12 same-tier neighbours and Redditch's first 3: 16 districts with FixMyStreet figures."""
    group = similar.group(con, "E07000234")
    for code in similar.group(con, "E07000236"):
        if code not in group and len(group) < 16:
            group.append(code)
    return group


def page_times(db: Path) -> tuple[float, float, float]:
    from playwright.sync_api import sync_playwright

    with store.connect(db) as con:
        codes = sixteen(con)
        names = dict(zip(*(similar.areas(con)[c] for c in ("area_code", "name")), strict=True))
    query = [("council", names[codes[0]]), ("group", "Councils I choose"),
             *[("councils", names[c]) for c in codes[1:]]]
    with running(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
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
        print(f"Similar councils, 16 councils x 167 months: first open {cold:.2f} s; warm {warm:.2f} s (goal < 2 s)",
              flush=True)
        box = page.locator('[data-testid="stSelectbox"]').nth(1)
        started = time.perf_counter()
        box.click()
        page.keyboard.type("FixMyStreet reports: Rubbish")
        page.keyboard.press("Enter")
        page.wait_for_function('document.body.innerText.includes("FixMyStreet reports: Rubbish per 1,000")',
                               timeout=120_000)
        page.wait_for_selector(READY, timeout=120_000)
        page.wait_for_function(WAIT, timeout=120_000)
        switch = time.perf_counter() - started
        browser.close()
    return cold, warm, switch


def national_file(folder: Path, out: Path) -> int:
    """FixMyStreet's three national files as one long file in the upload format."""
    parts = []
    base = folder / "fixmystreet_lad_monthly"
    frames = [("fms-all", pd.read_csv(base / "fms_lad_monthly_all_reports.csv.gz"), None)]
    for kind in ("c", "b"):
        frames.append(("", pd.read_csv(base / f"fms_lad_monthly_shef_{kind}.csv.gz"), f"SHEF_{kind.upper()}_CODE"))
    for metric, frame, column in frames:
        ids = frame[column].str.lower().radd("fms-") if column else metric
        parts.append(pd.DataFrame({"metric": ids, "area_code": frame["lad"], "period": frame["period"],
                                   "value": frame["reports"], "unit": "reports", "source": "mySociety / FixMyStreet"}))
    whole = pd.concat(parts, ignore_index=True)
    whole.to_csv(out, index=False)
    return len(whole)


def load_times(db: Path) -> tuple[int, float, float, float]:
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
        before = fresh.stat().st_size
        csv = work / "fixmystreet_national.csv"
        rows = national_file(folder, csv)
        data = csv.read_bytes()
        con = store.connect(fresh, read_only=False)
        started = time.perf_counter()
        result = load.validate_upload(con, data, csv.name)
        assert result.ok, result.problems[:5]
        load.apply_upload(con, result, user="bench")
        seconds = time.perf_counter() - started
        con.execute("CHECKPOINT")
        con.close()
        return rows, seconds, (fresh.stat().st_size - before) / 1e6, len(data) / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    db = db_path()
    if not db.exists():
        print(f"No database at {db}: run `make db` first.")
        return 1
    rows, seconds, grown, size = load_times(db)
    print(f"FixMyStreet national file ({rows:,} rows, {size:.0f} MB CSV) checked and loaded in {seconds:.1f} s "
          f"(goal < 10 s); the database grew {grown:.1f} MB (goal < 20 MB)", flush=True)
    cold, warm, switch = page_times(db)
    print(f"switch the measure {switch:.2f} s (goal < 1 s)")
    return 0
    rows, seconds, grown, size = load_times(db)
    print(f"FixMyStreet national file ({rows:,} rows, {size:.0f} MB CSV) checked and loaded in {seconds:.1f} s "
          f"(goal < 10 s); the database grew {grown:.1f} MB (goal < 20 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

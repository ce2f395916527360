"""What a hostile or oversized upload costs before it is refused: time and peak memory (issue #12).

Each case is checked the way the Upload page and `perf load` check it (``perf.intake.check.validate_upload``),
in a fresh process, so its peak resident memory is its own:

- a zip bomb: a .xlsx of well under a megabyte that expands to 2,000,000 rows (no <dimension> tag,
  so nothing but reading tells how long it is);
- a 50 MB CSV whose header row matches no kind of file;
- a 500,000-row demand CSV that is fine (the cost of a legitimate big load's check).

    .venv/bin/python bench/upload_limits.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf.config import db_path  # noqa: E402
from perf.intake import inbox  # noqa: E402

CHECK = """
import json, resource, sys, time
from pathlib import Path
from perf import store
from perf.intake import check
path = Path(sys.argv[2])
started = time.perf_counter()
con = store.connect(sys.argv[1])
result = check.validate_upload(con, path.read_bytes(), path.name)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "ok": result.ok,
                  "message": (result.problems[0].message() if result.problems else result.summary)[:160]}))
"""

BASELINE = """
import json, resource
from perf import store
from perf.intake import check
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
    'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.'
    'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Values" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def zip_bomb(path: Path, rows: int) -> None:
    """A workbook of ``rows`` identical measure-value rows, written straight as compressed XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://'
                b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(
                b'<row><c t="inlineStr"><is><t>measure_id</t></is></c><c t="inlineStr"><is><t>period_start'
                b'</t></is></c><c t="inlineStr"><is><t>value</t></is></c></row>'
            )
            # the same row over and over, without row numbers (Excel allows that): it packs ~1000:1
            row = b'<row><c t="inlineStr"><is><t>calls</t></is></c><c t="inlineStr"><is><t>2024-06-03</t></is></c><c><v>41</v></c></row>'
            for start in range(0, rows, 50_000):
                sheet.write(row * min(50_000, rows - start))
            sheet.write(b"</sheetData></worksheet>")


def wrong_header_csv(path: Path, megabytes: float) -> None:
    line = b"alpha,bravo,charlie,delta,echo\n"
    with path.open("wb") as fh:
        fh.write(b"first,second,third,fourth,fifth\n")
        fh.write(line * int(megabytes * 1024 * 1024 / len(line)))


def demand_csv(path: Path, rows: int, source: Path) -> None:
    import duckdb

    con = duckdb.connect(str(source), read_only=True)
    try:
        first = int(con.execute("SELECT max(demand_id) FROM demand").fetchone()[0]) + 1  # type: ignore[index]
        con.execute(f"""COPY (SELECT {first} + row_number() OVER () - 1 AS demand_id, service_id, locality_id,
                        channel, strftime(received_at, '%Y-%m-%d %H:%M') AS received_at, demand_type, nature
                        FROM (SELECT * FROM demand UNION ALL SELECT * FROM demand) LIMIT {rows})
                        TO '{path}' (HEADER)""")
    finally:
        con.close()


def check(path: Path, source: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(source), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "ok": False, "message": done.stderr[-300:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    # the database itself, or (while the app holds it) a consistent copy the app makes: runs either way
    with inbox.readable(db_path()) as source:
        return _run(source)


def _run(source: Path) -> int:
    work = Path(tempfile.mkdtemp(prefix="upload_limits_"))
    cases = []
    bomb = work / "bomb.xlsx"
    zip_bomb(bomb, 2_000_000)
    cases.append(("zip bomb .xlsx, 2,000,000 rows", bomb))
    wrong = work / "wrong_header.csv"
    wrong_header_csv(wrong, 49.9)
    cases.append(("50 MB CSV, header matches nothing", wrong))
    good = work / "demand_500k.csv"
    demand_csv(good, 500_000, source)
    cases.append(("500,000-row demand CSV (valid)", good))
    base = subprocess.run([sys.executable, "-c", BASELINE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    baseline = json.loads(base.stdout.strip().splitlines()[-1])["peak_mb"]
    print(f"load average at the start: {os.getloadavg()[0]:.1f} (figures on a busy machine are floors)")
    print(f"(a process that has only imported perf.intake.load: {baseline:.0f} MB resident)")
    print(f"{'case':<40} {'file':>9} {'seconds':>8} {'peak MB':>8}  verdict")
    for name, path in cases:
        got = check(path, source)
        size = path.stat().st_size / 1024 / 1024
        verdict = "accepted" if got["ok"] else f"refused: {got['message']}"
        print(f"{name:<40} {size:>7.1f}MB {float(got['seconds']):>8.1f} {float(got['peak_mb']):>8.0f}  {verdict}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

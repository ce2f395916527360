"""What an upload may cost: rows, cells and unpacked bytes are counted while reading, and a file over
a limit is refused the moment it passes it, with a message that says what to do (issue #12).

The limits are lowered here so the files stay small; bench/upload_limits.py measures the real ones
(a 2,000,000-row zip bomb, a 50 MB CSV)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from perf import errors
from perf.intake import check, read

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from upload_limits import zip_bomb  # noqa: E402

HEADER = "measure_id,period_start,value\n"


def test_a_csv_with_more_rows_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ROWS", 100)
    ok = (HEADER + "calls,2024-06-03,1\n" * 100).encode()
    assert len(read.read_upload(ok, "v.csv").frame) == 100
    with pytest.raises(
        errors.InputError,
        match=r"^v.csv has more than 100 rows; the limit is 100 rows a file\. "
        r"Split it into smaller files",
    ):
        read.read_upload((HEADER + "calls,2024-06-03,1\n" * 101).encode(), "v.csv")


def test_the_cell_limit_counts_every_column_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_CELLS", 1000)
    wide = ",".join(f"c{i}" for i in range(200)) + "\n" + ("x," * 199 + "x\n") * 10
    with pytest.raises(errors.InputError, match="more than 1,000 cells"):
        read.read_upload(wide.encode(), "wide.csv")


def test_a_header_that_matches_nothing_stops_the_read_at_once() -> None:
    """The rest of the file is not read: a broken row further down is never reached."""
    data = ("first,second,third\n" + "a,b,c\n" * 1000 + 'a,"b\n').encode()
    result = check.validate_upload(None, data, "odd.csv")  # type: ignore[arg-type]  # no database needed
    assert not result.ok and len(result.problems) == 1
    assert result.problems[0].row == 1 and "header row doesn't match" in result.problems[0].reason


def test_a_zip_bomb_workbook_is_refused_before_openpyxl_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_ROWS", 1000)
    bomb = tmp_path / "bomb.xlsx"
    zip_bomb(bomb, 5000)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to read the bomb")

    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(errors.InputError, match="bomb.xlsx has more than 1,000 rows"):
        read.read_upload(bomb.read_bytes(), "bomb.xlsx")


def test_a_workbook_under_the_limit_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ROWS", 1000)
    bomb = tmp_path / "ok.xlsx"
    zip_bomb(bomb, 1000)  # exactly the limit: 1,000 data rows under a header
    raw = read.read_upload(bomb.read_bytes(), "ok.xlsx")
    assert len(raw.frame) == 1000 and list(raw.frame.columns) == ["measure_id", "period_start", "value"]
    assert raw.frame.index[0] == 2 and raw.frame.index[-1] == 1001  # rows as Excel numbers them


def test_the_unpacked_size_of_a_sheet_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_SHEET_BYTES", 20_000)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["measure_id", "period_start", "value"])
    sheet.append(["calls", "2024-06-03", "x" * 30_000])
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(errors.InputError, match="unpacks to more than"):
        read.read_upload(buf.getvalue(), "big.xlsx")

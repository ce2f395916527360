"""An upload read without losing anything: a CSV or Excel file as text cells, headers as written, each row
numbered as a spreadsheet shows it (the header is row 1). Nothing is interpreted here: checking is
:mod:`perf.intake.check`, saving :mod:`perf.intake.save`. Files too large to read safely are refused
before they are read whole (rows, cells, an .xlsx's unpacked size).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal, cast

import pandas as pd

from perf.analysis.similar import WORKING_COLUMNS
from perf.errors import InputError, Problem


if TYPE_CHECKING:  # openpyxl is imported only when an Excel file arrives
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

    AnySheet = Worksheet | ReadOnlyWorksheet
    AnyCell = Cell | MergedCell | ReadOnlyCell | EmptyCell
    AnyRow = tuple[AnyCell, ...]

Kind = Literal["measure_values", "demand", "work", "published"]
KINDS: tuple[Kind, ...] = ("measure_values", "demand", "work", "published")

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # 50 MB: a year of case records for a district fits well within

MAX_ROWS = 1_000_000  # rows in one file: two years of a district's contacts; Excel itself stops at 1,048,576
MAX_CELLS = 20_000_000  # rows x columns read, so a file of few rows but thousands of columns is bounded too
MAX_SHEET_BYTES = 1024 * 1024 * 1024  # a worksheet's XML as unpacked from the .xlsx (a zip): 1 GiB
_CHUNK_ROWS = 100_000  # rows turned into a frame at a time, so the text of only this many is held as lists
_ROW_TAG = b"<row"  # how a worksheet's XML opens each row (counted before openpyxl reads any)


@dataclass(frozen=True)
class Column:
    """One column a kind of file may have, with the header spellings officers actually use."""

    name: str
    label: str  # how a sentence names it: "every row needs a {label}"
    required: bool
    aliases: tuple[str, ...] = ()


# columns of the Similar councils CSV that the app works out from the figures: accepted and left out
WORKED_OUT = WORKING_COLUMNS


COLUMNS: dict[Kind, tuple[Column, ...]] = {
    "measure_values": (
        Column("measure_id", "measure", True, ("measure", "measure_code", "measure_ref", "kpi", "indicator")),
        Column(
            "period_start",
            "period",
            True,
            (
                "period",
                "period_starting",
                "start_of_period",
                "date",
                "week_commencing",
                "week_starting",
                "week",
                "month",
                "quarter",
            ),
        ),
        Column("locality_id", "locality", False, ("locality", "ward", "ward_id", "ward_code", "area")),
        Column("value", "value", False, ("figure", "result", "amount")),
        Column("numerator", "numerator", False, ("num",)),
        Column("denominator", "denominator", False, ("denom",)),
        # a real measure's attribution, as the Values export writes it: accepted so the export loads back,
        # not stored (the measure's source row says whose the figures are)
        Column("source", "source", False, ("attribution",)),
    ),
    "demand": (
        Column("demand_id", "demand ID", True, ("contact_id", "demand")),
        Column("service_id", "service", True, ("service",)),
        Column("locality_id", "ward", True, ("locality", "ward", "ward_id", "ward_code")),
        Column("channel", "channel", True, ("contact_channel",)),
        Column("received_at", "date received", True, ("received", "received_on", "date_received", "contact_date")),
        Column("demand_type", "demand type", True, ("type",)),
        Column("nature", "nature of the demand", True, ("nature_of_demand",)),
        Column("case_id", "case ID", False, ("case", "case_ref", "case_reference")),
    ),
    "work": (
        Column("case_id", "case ID", True, ("case", "case_ref", "case_reference")),
        Column("service_id", "service", True, ("service",)),
        Column("locality_id", "ward", True, ("locality", "ward", "ward_id", "ward_code")),
        Column("channel", "channel", False, ("contact_channel",)),
        Column("nature", "nature of the work", False, ("nature_of_demand",)),
        Column("started_at", "start", True, ("started", "start", "opened_at", "opened", "first_contact")),
        Column("completed_at", "completion", False, ("completed", "closed_at", "closed", "end", "finished_at")),
    ),
    # Published statistics for any council, long format (an LG Inform or ONS download): one figure a row.
    "published": (
        Column(
            "metric_id",
            "measure",
            True,
            ("metric", "metric_name", "indicator", "indicator_name", "indicator_id", "metric_title"),
        ),
        Column(
            "area_code",
            "area code",
            True,
            ("areacd", "area", "gss_code", "ons_code", "la_code", "lad_code", "local_authority_code", "code"),
        ),
        Column("area_name", "area name", False, ("areanm", "area_label", "local_authority", "authority")),
        Column("period_start", "period", True, ("period", "time_period", "date", "year", "month")),
        Column("value", "value", True, ("observation", "figure", "result", "data_value")),
        Column("unit", "unit", False, ("units", "unit_of_measure", "measure_unit")),
        Column("source", "source", False, ("publisher", "source_name", "data_source")),
        # the Similar councils CSV's working (perf.analysis.similar.figures): accepted so the export loads back,
        # not stored; the app works these out again from the figures
        *(Column(name, name.replace("_", " "), False) for name in WORKED_OUT),
    ),
}


# ----------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RawUpload:
    """A file as read: every cell as text, headers as written, indexed by spreadsheet row."""

    filename: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    sheet: str | None = None


# ----------------------------------------------------------------------------------------------
# Reading


def size_problem(filename: str, size: int) -> Problem | None:
    """A problem when a file is over the upload limit (checked before reading it)."""
    if size <= MAX_UPLOAD_BYTES:
        return None
    return Problem(
        None,
        None,
        None,
        (
            f"{filename} is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files (for example one per year) and load each."
        ),
    )


def read_upload(data: bytes, filename: str, *, sheet: str | None = None, known_kind: bool = False) -> RawUpload:
    """Read a CSV or Excel upload into a frame of text, so nothing is lost or guessed at.

    Raises InputError when the file itself cannot be read (too big, wrong type, encoding,
    several sheets with data and none chosen, more than MAX_ROWS rows or MAX_CELLS cells) and, with
    ``known_kind``, as soon as the header row matches no kind of file (the rest is not read).
    """
    too_big = size_problem(filename, len(data))
    if too_big:
        raise InputError([too_big])
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return _read_excel(data, filename, sheet, known_kind)
    if lower.endswith(".xls"):
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    None,
                    (
                        f"{filename} is an old Excel 97-2003 workbook (.xls), which can't be read. "
                        "Save it as an Excel workbook (.xlsx) or CSV and load that."
                    ),
                )
            ]
        )
    if lower.endswith((".csv", ".txt")):
        return _read_csv(data, filename, known_kind)
    raise InputError(
        [Problem(None, None, None, (f"{filename} is not a CSV (.csv) or Excel (.xlsx) file, so it can't be loaded."))]
    )


def _file_problem(message: str) -> InputError:
    return InputError([Problem(None, None, None, message)])


def _too_many_rows(filename: str) -> InputError:
    return _file_problem(
        f"{filename} has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,} rows a file. "
        "Split it into smaller files (for example one per year) and load each."
    )


class _Budget:
    """Counts rows and cells as they are read and stops the read the moment a limit is passed."""

    def __init__(self, filename: str) -> None:
        self.filename, self.rows, self.cells = filename, 0, 0

    def take(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if self.rows > MAX_ROWS + 1:  # the header row is not a data row
            raise _too_many_rows(self.filename)
        if self.cells > MAX_CELLS:
            raise _file_problem(
                f"{self.filename} has more than {MAX_CELLS:,} cells (rows times columns); the limit is "
                f"{MAX_CELLS:,}. Remove columns that are not needed, or split the file, and load each part."
            )


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time (csv reads quoted line breaks across them)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end == -1:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _decode(data: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    """UTF-8 first (what Excel's 'CSV UTF-8' writes, with a BOM); Windows-1252 is the older default."""
    if data.startswith(b"PK\x03\x04"):
        raise _file_problem(f"{filename} is an Excel workbook, not a CSV file. Rename it to .xlsx or save it as CSV.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise _file_problem(
            f"{filename} is saved as UTF-16 (Excel's 'Unicode Text') or is not a text file. "
            "Save it as 'CSV UTF-8 (Comma delimited)' and load that."
        )
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _file_problem(
            f"{filename} is not text in UTF-8 or Windows-1252 (byte {exc.start + 1} can't be read). "
            "Save it as 'CSV UTF-8 (Comma delimited)' and load that."
        ) from exc
    return text, (
        f"{filename} is not UTF-8, so it was read as Windows-1252 (cp1252); check that "
        "characters such as £ and accented names look right.",
    )


def _read_csv(data: bytes, filename: str, known_kind: bool, *, plain: bool = True) -> RawUpload:
    """``plain=False`` skips the one-pass reader for plain files (tests compare the two readers)."""
    text, notes = _decode(data, filename)
    if not text.strip():
        raise _file_problem(f"{filename} is empty.")
    first_line = text.split("\n", 1)[0] if len(text) < 65536 else text[:65536].split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    if delimiter != ",":
        name = "semicolons" if delimiter == ";" else "tabs"
        notes = (*notes, f"{filename} separates columns with {name}, so it was read that way.")
    fast = _read_plain_csv(text, filename, notes, delimiter, known_kind) if plain else None
    if fast is not None:
        return fast
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    read = 0

    def records() -> Iterator[tuple[int, list[str]]]:
        nonlocal read
        try:
            for record in reader:
                read += 1
                yield read, record
        except csv.Error as exc:
            raise _file_problem(
                f"Row {read + 1} of {filename} has broken quoting ({exc}); "
                'check for a stray double quote (") in that row.'
            ) from exc

    return _to_frame(records(), filename, notes, None, known_kind)


def _read_plain_csv(
    text: str,
    filename: str,
    notes: tuple[str, ...],
    delimiter: str,
    known_kind: bool,
) -> RawUpload | None:
    """The common plain file in one pass by pyarrow (a national extract's 600,000 rows in a fraction
    of a second); None, so the careful reader below takes over, for anything it would read differently.

    Plain means: no quote character at all, lines ended by \\n or \\r\\n, the header on row 1 with its
    last cell filled in, header names unique, and every row exactly as wide as the header. Then each
    line is one record, so rows are numbered as the careful reader numbers them (the header is row 1),
    blank rows are dropped but keep their numbers, and the row and cell limits are the same.
    """
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    header = first.split(delimiter)
    if not header[-1].strip() or len(set(header)) != len(header):
        return None
    if known_kind and recognise(header) is None:
        raise InputError([_unrecognised_header()])
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyarrow import compute as pc
    from pyarrow import csv as pa_csv

    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None  # a ragged row, say: the careful reader says which
    if table.num_columns != len(header):
        return None
    if table.num_rows > MAX_ROWS:
        raise _too_many_rows(filename)
    if (table.num_rows + 1) * len(header) > MAX_CELLS:
        _Budget(filename).take(MAX_CELLS + 1)  # the careful reader's message
    rows = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    blank = None
    for column in table.columns:
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        keep = pc.invert(blank)
        table, rows = table.filter(keep), rows.filter(keep)
    frame = table.to_pandas()
    frame.columns = pd.Index(header, dtype=object)
    frame.index = pd.Index(rows.to_numpy(), name="row")
    if frame.empty:
        raise _file_problem(f"{filename} has a header row but no data rows.")
    return RawUpload(filename, frame, notes, None)


def _to_frame(
    records: Iterator[tuple[int, list[str]]],
    filename: str,
    notes: tuple[str, ...],
    sheet: str | None,
    known_kind: bool = False,
) -> RawUpload:
    """Numbered records (header first) to a text frame, read as they come: ragged rows are padded or
    refused, never cut; a header that matches no kind of file, or too many rows or cells, stops the
    read at once (MAX_ROWS, MAX_CELLS)."""
    budget = _Budget(filename)
    header: list[str] | None = None
    for _, record in records:  # blank lines above the header
        budget.take(len(record))
        if any(c.strip() for c in record):
            header = list(record)
            break
    if header is None:
        raise _file_problem(f"{filename} is empty.")
    while header and not header[-1].strip():  # trailing empty header cells (a spreadsheet's edge)
        header.pop()
    if known_kind and recognise([str(h) for h in header]) is None:  # nothing to check the rest against
        raise InputError([_unrecognised_header()])
    width = len(header)
    columns = pd.Index(header, dtype=object)
    rows: list[list[str]] = []
    index: list[int] = []
    parts: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for number, record in records:
        budget.take(len(record))
        if not "".join(record).strip():
            continue  # a blank row carries nothing
        if len(record) > width:
            extra = record[width:]
            if any(c.strip() for c in extra):
                problems.append(
                    Problem(
                        number,
                        None,
                        None,
                        (
                            f"this row has {_used(record)} cells but the header row names {width} columns; "
                            "a value is outside every column."
                        ),
                    )
                )
                continue
            record = record[:width]
        rows.append(record + [""] * (width - len(record)))
        index.append(number)
        if len(rows) >= _CHUNK_ROWS:
            parts.append(pd.DataFrame(rows, columns=columns, index=pd.Index(index, name="row"), dtype=str))
            rows, index = [], []
    if problems:
        raise InputError(problems)
    if rows or not parts:
        parts.append(pd.DataFrame(rows, columns=columns, index=pd.Index(index, name="row"), dtype=str))
    frame = parts[0] if len(parts) == 1 else pd.concat(parts)
    if frame.empty:
        raise _file_problem(f"{filename} has a header row but no data rows.")
    return RawUpload(filename, frame, notes, sheet)


def _used(record: list[str]) -> int:
    """Cells up to the last non-blank one."""
    used = len(record)
    while used and not record[used - 1].strip():
        used -= 1
    return used


def _read_excel(data: bytes, filename: str, sheet: str | None, known_kind: bool) -> RawUpload:
    # openpyxl rather than DuckDB's excel extension, which cannot be installed offline (notes/stack.md)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked(data, filename)
    try:
        # data_only=False keeps formulas as text (=SUM(...)), so a formula is refused, not evaluated
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _file_problem(
            f"{filename} is not an Excel workbook that can be read (.xlsx). Open it in Excel and save it "
            "as 'Excel Workbook (.xlsx)' or CSV."
        ) from exc
    try:
        names = list(book.sheetnames)
        with_data = [n for n in names if _sheet_has_data(book[n])]
        if sheet is not None:
            if sheet not in names:
                raise _file_problem(f"{filename} has no sheet called '{sheet}'; its sheets are {_quoted(names)}.")
            chosen = sheet
        elif len(with_data) == 1:
            chosen = with_data[0]
        elif not with_data:
            raise _file_problem(f"{filename} is empty: none of its sheets has any data.")
        else:
            raise InputError(
                [
                    Problem(
                        None,
                        None,
                        None,
                        (
                            f"{filename} has {len(with_data)} sheets with data ({_quoted(with_data)}); choose the sheet "
                            "to load, or save the one you want as its own file."
                        ),
                    )
                ]
            )
        try:
            result = _to_frame(_sheet_records(book[chosen]), filename, (), chosen, known_kind)
        except InputError as err:
            if err.problems and err.problems[0].reason == f"{filename} is empty.":
                raise _file_problem(f"Sheet '{chosen}' of {filename} is empty.") from err
            raise
    finally:
        book.close()
    return RawUpload(result.filename, result.frame, result.notes, chosen)


def _check_unpacked(data: bytes, filename: str) -> None:
    """Refuse a workbook whose sheets unpack to more than MAX_ROWS rows or MAX_SHEET_BYTES before
    openpyxl reads a row: an .xlsx is a zip, and 0.8 MB of it can unpack to two million rows.

    The sheets' XML is streamed a megabyte at a time and its row tags counted, so this costs about a
    second per 300 MB unpacked and never holds more than a megabyte of it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # not a zip at all: openpyxl says the workbook cannot be read
    too_big = _file_problem(
        f"{filename} unpacks to more than {MAX_SHEET_BYTES // 1024 // 1024:,} MB of sheet data, far more than "
        f"{MAX_ROWS:,} rows need. Save just the rows to load as CSV, or split the workbook, and load each part."
    )
    with archive:
        for info in archive.infolist():
            if not (
                (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"))
                or info.filename == "xl/sharedStrings.xml"
            ):
                continue
            if info.file_size > MAX_SHEET_BYTES:
                raise too_big
            rows, unpacked, tail = 0, 0, b""
            try:
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > MAX_SHEET_BYTES:
                            raise too_big
                        block = tail + chunk  # a tag split between two chunks is counted once
                        rows += block.count(_ROW_TAG)
                        tail = block[-(len(_ROW_TAG) - 1) :]
                        if rows > MAX_ROWS + 1:
                            raise _too_many_rows(filename)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                return  # damaged: openpyxl says the workbook cannot be read


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _iter_cells(ws: AnySheet) -> Iterator[AnyRow]:
    # the stubs type ReadOnlyWorksheet.iter_rows with a Worksheet self; the API is the same
    return cast("Iterator[AnyRow]", cast("Worksheet", ws).iter_rows())


def _iter_values(ws: AnySheet) -> Iterator[tuple[object, ...]]:
    return cast("Iterator[tuple[object, ...]]", cast("Worksheet", ws).iter_rows(values_only=True))


def _sheet_has_data(ws: AnySheet) -> bool:
    for row in _iter_values(ws):
        if any(v is not None and str(v).strip() for v in row):
            return True
    return False


def _sheet_records(ws: AnySheet) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows as numbered text records, one at a time (each numbered as Excel shows it)."""
    last = 0
    for cells in _iter_cells(ws):
        if not cells:
            continue
        number = next((getattr(c, "row", None) for c in cells if getattr(c, "row", None)), None)
        last = int(number) if number else last + 1
        yield last, [_cell_text(c) for c in cells]


def _cell_text(cell: AnyCell) -> str:
    """A cell as the officer sees it: 85% stays 85, a date is ISO, 12.0 is 12."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        number = float(value)
        if "%" in str(getattr(cell, "number_format", "") or ""):
            number = round(number * 100, 9)  # shown as a percentage, so read the figure shown
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    text = getattr(value, "text", None)  # openpyxl ArrayFormula
    return str(text) if isinstance(text, str) else str(value)


# ----------------------------------------------------------------------------------------------
# Recognising the kind of file


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def _match_columns(headers: Sequence[str], kind: Kind) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
    """Header -> column for a kind: (canonical -> header as written, unexpected, (header, canonical))."""
    lookup: dict[str, str] = {}
    for col in COLUMNS[kind]:
        for alias in (col.name, *col.aliases):
            lookup[alias] = col.name
    found: dict[str, str] = {}
    unexpected: list[str] = []
    duplicated: list[tuple[str, str]] = []
    for header in headers:
        name = lookup.get(_normal(header))
        if name is None:
            unexpected.append(header)
        elif name in found:
            duplicated.append((header, name))
        else:
            found[name] = header
    return found, unexpected, duplicated


def recognise(headers: Sequence[str]) -> Kind | None:
    """The kind of file a header row belongs to, or None when it looks like none of them.

    Example
    -------
    >>> recognise(["Measure", "Period", "Ward", "Value"])
    'measure_values'
    """
    best: tuple[int, int, int, int] | None = None
    chosen: Kind | None = None
    for rank, kind in enumerate(KINDS):
        found, unexpected, _ = _match_columns(headers, kind)
        required = sum(1 for c in COLUMNS[kind] if c.required and c.name in found)
        complete = int(required == sum(1 for c in COLUMNS[kind] if c.required))
        score = (complete, required, len(found) - len(unexpected), -rank)
        if len(found) >= 2 and (best is None or score > best):
            best, chosen = score, kind
    return chosen


def _sheets_with_data(data: bytes) -> tuple[str, ...]:
    from openpyxl import load_workbook

    try:
        _check_unpacked(data, "")
    except InputError:
        return ()  # refused for its size: openpyxl would read it all (to size a sheet with no <dimension>)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - the read error is already reported; this only lists sheets
        return ()
    try:
        return tuple(n for n in book.sheetnames if _sheet_has_data(book[n]))
    finally:
        book.close()


def _unrecognised_header() -> Problem:
    return Problem(
        1,
        None,
        None,
        (
            "the header row doesn't match any kind of file that can be loaded. Measure values need "
            "'measure_id', 'period_start', 'value' (and optionally 'locality_id', 'numerator', "
            "'denominator'); demand records need 'demand_id', 'service_id', 'locality_id', 'channel', "
            "'received_at', 'demand_type', 'nature'; work records need 'case_id', 'service_id', "
            "'locality_id', 'started_at'; published figures need 'metric', 'area_code', 'period', 'value' "
            "(and optionally 'unit', 'source', 'area_name')."
        ),
    )

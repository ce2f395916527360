"""Officers' uploads: read a CSV or Excel file without losing anything, check every row, then save
the whole file in one transaction or nothing at all.

Three kinds of file are recognised from the header row: measure values (one figure per measure,
period and place), demand records (one customer contact a row) and work records (one case a row).
Every problem is collected, not just the first, so an officer can fix the file in one go; each says
the row as the officer sees it in a spreadsheet (the header is row 1), the column, the value and the
reason in plain English. Loading is an idempotent upsert: the same file twice changes nothing, and a
corrected value keeps the old one in ``change_log``.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Literal, cast

import duckdb
import pandas as pd

from perf import store
from perf.signals import signal_items
# re-exported: callers have long caught load.InputError and load.WriteConflictError
from perf.errors import CONFLICT_MESSAGE as CONFLICT_MESSAGE
from perf.errors import InputError as InputError
from perf.errors import Problem as Problem
from perf.errors import WriteConflictError as WriteConflictError
from perf.store import write_transaction as write_transaction
from perf.errors import show
from perf.periods import period_start_problem
from perf.store import run

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
MAX_PLAUSIBLE = 1e12  # no council figure (contacts, days, pounds) comes near a million million
EARLIEST = date(1990, 1, 1)  # older dates are almost always a mistyped year (0024, 1924)
MAX_TEXT = 1000  # characters in one text cell; longer is a pasted document, not a category
AREA = "ALL"  # the locality row that stands for the whole area (perf/sql/schema.sql)

MAX_ROWS = 1_000_000  # rows in one file: two years of a district's contacts; Excel itself stops at 1,048,576
MAX_CELLS = 20_000_000  # rows x columns read, so a file of few rows but thousands of columns is bounded too
MAX_SHEET_BYTES = 1024 * 1024 * 1024  # a worksheet's XML as unpacked from the .xlsx (a zip): 1 GiB
_CHUNK_ROWS = 100_000  # rows turned into a frame at a time, so the text of only this many is held as lists
_ROW_TAG = b"<row"  # how a worksheet's XML opens each row (counted before openpyxl reads any)

NOUNS: dict[Kind, tuple[str, str]] = {
    "measure_values": ("measure value", "measure values"),
    "demand": ("demand record", "demand records"),
    "work": ("work record", "work records"),
    "published": ("published figure", "published figures"),
}
TABLE: dict[Kind, str] = {"measure_values": "measurement", "demand": "demand", "work": "work_case",
                          "published": "published_value"}


@dataclass(frozen=True)
class Column:
    """One column a kind of file may have, with the header spellings officers actually use."""

    name: str
    label: str  # how a sentence names it: "every row needs a {label}"
    required: bool
    aliases: tuple[str, ...] = ()


# columns of the Similar councils CSV that the app works out from the figures (perf.analysis.similar.WORKING_COLUMNS)
WORKED_OUT = ("per_1000_residents", "population", "centre", "lower", "upper", "phase", "variation",
              "group_median", "group_mad")

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    "measure_values": (
        Column("measure_id", "measure", True, ("measure", "measure_code", "measure_ref", "kpi", "indicator")),
        Column("period_start", "period", True, (
            "period", "period_starting", "start_of_period", "date", "week_commencing", "week_starting",
            "week", "month", "quarter",
        )),
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
        Column("metric_id", "measure", True, ("metric", "metric_name", "indicator", "indicator_name",
                                              "indicator_id", "metric_title")),
        Column("area_code", "area code", True, ("areacd", "area", "gss_code", "ons_code", "la_code", "lad_code",
                                                "local_authority_code", "code")),
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


@dataclass(frozen=True)
class ValidationResult:
    """What an upload would do, checked in full before anything is saved.

    ``frame`` has the table's columns with proper types, indexed by spreadsheet row; ``raw`` is the
    file as read (all text) for a preview; ``sheets`` lists an Excel file's sheets that have data.
    """

    filename: str
    kind: Kind | None
    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    summary: str
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.kind is not None and not self.problems

    def problem_frame(self) -> pd.DataFrame:
        """The problems as a table for the upload page: row, column, value, reason."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.reason) for p in self.problems],
            columns=["row", "column", "value", "reason"],
        ).astype({"row": "Int64"})


@dataclass(frozen=True)
class LoadResult:
    """What a load changed: rows new to the database, corrected, and already there unchanged."""

    filename: str
    kind: Kind
    new: int
    corrected: int
    unchanged: int
    signals: signal_items.Found = field(default_factory=signal_items.Found)  # items opened or closed

    @property
    def rows(self) -> int:
        return self.new + self.corrected + self.unchanged

    @property
    def changed(self) -> int:
        return self.new + self.corrected

    @property
    def summary(self) -> str:
        """``Loaded 120 measure values from values.csv: 100 new, 20 corrected, 0 unchanged.``"""
        return (
            f"Loaded {self.rows:,} {_noun(self.kind, self.rows)} from {self.filename}: "
            f"{self.new:,} new, {self.corrected:,} corrected, {self.unchanged:,} unchanged."
        ) + self.signals.summary


def _noun(kind: Kind, n: int) -> str:
    return NOUNS[kind][0 if n == 1 else 1]


# ----------------------------------------------------------------------------------------------
# Reading


def size_problem(filename: str, size: int) -> Problem | None:
    """A problem when a file is over the upload limit (checked before reading it)."""
    if size <= MAX_UPLOAD_BYTES:
        return None
    return Problem(None, None, None, (
        f"{filename} is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
        "Split it into smaller files (for example one per year) and load each."
    ))


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
        raise InputError([Problem(None, None, None, (
            f"{filename} is an old Excel 97-2003 workbook (.xls), which can't be read. "
            "Save it as an Excel workbook (.xlsx) or CSV and load that."
        ))])
    if lower.endswith((".csv", ".txt")):
        return _read_csv(data, filename, known_kind)
    raise InputError([Problem(None, None, None, (
        f"{filename} is not a CSV (.csv) or Excel (.xlsx) file, so it can't be loaded."
    ))])


def _file_problem(message: str) -> InputError:
    return InputError([Problem(None, None, None, message)])


def _too_many_rows(filename: str) -> InputError:
    return _file_problem(
        f"{filename} has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,} rows a file. "
        "Split it into smaller files (for example one per year) and load each.")


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
                f"{MAX_CELLS:,}. Remove columns that are not needed, or split the file, and load each part.")


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time (csv reads quoted line breaks across them)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end == -1:
            yield text[start:]
            return
        yield text[start:end + 1]
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
    return text, (f"{filename} is not UTF-8, so it was read as Windows-1252 (cp1252); check that "
                  "characters such as £ and accented names look right.",)


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
                "check for a stray double quote (\") in that row."
            ) from exc

    return _to_frame(records(), filename, notes, None, known_kind)


def _read_plain_csv(
    text: str, filename: str, notes: tuple[str, ...], delimiter: str, known_kind: bool,
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
            convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                  strings_can_be_null=False))
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
    records: Iterator[tuple[int, list[str]]], filename: str, notes: tuple[str, ...], sheet: str | None,
    known_kind: bool = False,
) -> RawUpload:
    """Numbered records (header first) to a text frame, read as they come: ragged rows are padded or
    refused, never cut; a header that matches no kind of file, or too many rows or cells, stops the
    read at once (perf.intake.load.MAX_ROWS, MAX_CELLS)."""
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
                problems.append(Problem(number, None, None, (
                    f"this row has {_used(record)} cells but the header row names {width} columns; "
                    "a value is outside every column."
                )))
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
            raise InputError([Problem(None, None, None, (
                f"{filename} has {len(with_data)} sheets with data ({_quoted(with_data)}); choose the sheet "
                "to load, or save the one you want as its own file."
            ))])
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
        f"{MAX_ROWS:,} rows need. Save just the rows to load as CSV, or split the workbook, and load each part.")
    with archive:
        for info in archive.infolist():
            if not ((info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"))
                    or info.filename == "xl/sharedStrings.xml"):
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
                        tail = block[-(len(_ROW_TAG) - 1):]
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


def _match_columns(
    headers: Sequence[str], kind: Kind
) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
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


def _header_problems(headers: Sequence[str], kind: Kind) -> tuple[dict[str, str], list[Problem]]:
    found, unexpected, duplicated = _match_columns(headers, kind)
    problems: list[Problem] = []
    noun = NOUNS[kind][1]
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in found]
    if missing:
        problems.append(Problem(1, None, None, (
            f"this looks like a file of {noun}, but it has no {_plural_columns(missing)}."
        )))
    if kind == "measure_values" and "value" not in found and not {"numerator", "denominator"} <= found.keys():
        problems.append(Problem(1, None, None, (
            "there is no 'value' column (or 'numerator' and 'denominator' columns to work it out from)."
        )))
    for header in unexpected:
        label = header if header.strip() else "(blank)"
        problems.append(Problem(1, label, header, (
            f"'{label}' is not a column a file of {noun} can have; expected columns are "
            f"{_quoted([c.name for c in COLUMNS[kind]])}."
        )))
    for header, name in duplicated:
        problems.append(Problem(1, header, header, (
            f"'{header}' is a second '{name}' column (after '{found[name]}'); keep only one."
        )))
    return found, problems


def _plural_columns(names: Sequence[str]) -> str:
    word = "column" if len(names) == 1 else "columns"
    return f"{_quoted(names)} {word}"


# ----------------------------------------------------------------------------------------------
# Checking cells

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_THOUSANDS = r"[+-]?£?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?"
_INTEGER = r"\d{1,18}"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME_FORMATS = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M", " %H:%M:%S.%f", "T%H:%M:%S.%f")
_DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2024-04-01) or DD/MM/YYYY"


def formula_risk(value: str) -> bool:
    """True for text a spreadsheet would run as a formula (OWASP 'CSV Injection').

    A cell starting with '=' is always refused; '+', '-' or '@' only when what follows is not a
    number (so -5 and +3.2 are fine); a leading tab or carriage return hides such a prefix.

    Example
    -------
    >>> [formula_risk(v) for v in ["=1+1", "-5", "@SUM(A1)", "+44 1527", "hello"]]
    [True, False, True, True, False]
    """
    if not value:
        return False
    first = value[0]
    if first in "\t\r":
        return True
    if first == "=":
        return True
    if first in "+-@":
        rest = value[1:].strip()
        return bool(rest) and re.fullmatch(_NUMBER, rest.replace(",", "")) is None
    return False


def neutralise_formula(value: str) -> str:
    """Text made safe for a CSV or Excel export by a leading apostrophe (OWASP 'CSV Injection').

    Example
    -------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    """
    return "'" + value if formula_risk(value) else value


class _Checker:
    """Checks the cells of one file column by column, vectorised; a cell is faulted once at most."""

    def __init__(self, raw: pd.DataFrame, found: Mapping[str, str]) -> None:
        self.headers = dict(found)  # canonical -> header as written
        self.raw = pd.DataFrame({name: raw[header] for name, header in found.items()}, index=raw.index)
        self.text = self.raw.apply(lambda s: s.str.strip())
        self.bad = pd.DataFrame(False, index=raw.index, columns=self.raw.columns)
        self.problems: list[Problem] = []

    def has(self, column: str) -> bool:
        return column in self.text.columns

    def col(self, column: str) -> pd.Series:
        if self.has(column):
            return pd.Series(self.text[column])
        return pd.Series("", index=self.text.index, dtype=str)

    def unfaulted(self, column: str) -> pd.Series:
        """Rows where this column's cell has no problem (all rows for a column the file lacks)."""
        if not self.has(column):
            return pd.Series(True, index=self.text.index)
        return pd.Series(~self.bad[column])

    def good(self, column: str) -> pd.Series:
        """Rows where the cell is filled in and not yet faulted."""
        if not self.has(column):
            return pd.Series(False, index=self.text.index)
        return pd.Series((self.text[column] != "") & ~self.bad[column])

    def flag(
        self, column: str, mask: pd.Series, reason: str | Callable[[str], str] | pd.Series, *,
        as_typed: bool = False,
    ) -> None:
        """Fault the masked cells of a column; a callable reason gets the cell stripped of spaces
        unless ``as_typed`` (a leading tab is the point of a formula-injection message)."""
        if not self.has(column):
            return
        mask = mask.fillna(False).astype(bool) & ~self.bad[column]
        if not mask.any():
            return
        self.bad.loc[mask, column] = True
        values = self.raw.loc[mask, column]
        header = self.headers[column]
        for row, value in zip(values.index.tolist(), values.tolist(), strict=True):
            if isinstance(reason, str):
                text = reason
            elif isinstance(reason, pd.Series):
                text = str(reason.at[row])
            else:
                text = reason(value if as_typed else value.strip())
            self.problems.append(Problem(int(row), header, value, text))

    def formulas(self) -> None:
        for column in self.raw.columns:
            suspect = self.raw[column].str.match(r"[=+\-@\t\r]")  # cheap filter before the full rule
            risky = pd.Series(False, index=self.raw.index)
            risky.loc[suspect] = self.raw[column][suspect].map(formula_risk).astype(bool)
            self.flag(column, risky, lambda v: (
                f"{show(v)} looks like a spreadsheet formula, which could run when the data is opened in "
                "Excel; type the value itself."
            ), as_typed=True)

    def required(self, column: str, label: str, hint: str = "") -> None:
        extra = f" {hint}" if hint else ""
        self.flag(column, self.col(column) == "", f"this cell is blank, but every row needs a {label}.{extra}")

    def long_text(self) -> None:
        for column in self.raw.columns:
            long = self.text[column].str.len() > MAX_TEXT
            self.flag(column, long, lambda v: (
                f"this cell has {len(v):,} characters; the limit is {MAX_TEXT:,}."
            ))

    def numbers(self, column: str) -> pd.Series:
        """Parsed floats (NaN where blank or faulted); '1,234', '£5' and '85%' are read as shown."""
        s = self.col(column)
        cleaned = s.where(~s.str.fullmatch(_THOUSANDS), s.str.replace(",", "", regex=False))
        cleaned = cleaned.str.replace(r"^([+-]?)£", r"\1", regex=True).str.replace(r"%$", "", regex=True)
        ok = cleaned.str.fullmatch(_NUMBER)
        self.flag(column, self.good(column) & ~ok, lambda v: f"{show(v)} is not a number.")
        parsed = pd.to_numeric(cleaned.where(ok & self.good(column)), errors="coerce").astype("Float64")
        huge = parsed.abs() > MAX_PLAUSIBLE
        self.flag(column, huge, lambda v: (
            f"{show(v)} is implausibly large (more than 1,000,000,000,000); check the number."
        ))
        return parsed.where(self.good(column))

    def integers(self, column: str, label: str) -> pd.Series:
        s = self.col(column)
        cleaned = s.str.replace(r"\.0+$", "", regex=True)  # 10452.0 from a spreadsheet is 10452
        ok = cleaned.str.fullmatch(_INTEGER)
        self.flag(column, self.good(column) & ~ok, lambda v: (
            f"{show(v)} is not a whole number; a {label} is a number such as 10452."
        ))
        return pd.to_numeric(cleaned.where(self.good(column)), errors="coerce").astype("Int64")

    def timestamps(self, column: str, *, date_only: bool, now: datetime) -> pd.Series:
        """Parsed datetimes (NaT where blank or faulted): UK and ISO forms, never US month-first."""
        s = self.col(column)
        parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
        todo = self.good(column)
        for day_format in _DATE_FORMATS:
            for time_format in _TIME_FORMATS:
                if not todo.any():
                    break
                attempt = pd.to_datetime(s[todo], format=day_format + time_format, errors="coerce")
                parsed.loc[attempt.index] = parsed.loc[attempt.index].fillna(attempt.astype("datetime64[us]"))
                todo = todo & parsed.isna()
        self.flag(column, self.good(column) & parsed.isna(), lambda v: f"{show(v)} is not a date; {_DATE_HINT}.")
        if date_only:
            timed = parsed.notna() & (parsed != parsed.dt.normalize())
            self.flag(column, timed, lambda v: f"{show(v)} includes a time of day; a period is a date.")
        early = parsed < pd.Timestamp(EARLIEST)
        self.flag(column, early, lambda v: f"{show(v)} is before {EARLIEST.year}; check the year.")
        limit = pd.Timestamp(now.date()) if date_only else pd.Timestamp(now)
        future = parsed > limit
        self.flag(column, future, lambda v: f"{show(v)} is in the future.")
        return parsed.where(self.good(column))

    def lookup(
        self, column: str, resolve: Mapping[str, str], reason: Callable[[str], str]
    ) -> pd.Series:
        """Ids resolved through ``resolve`` (id, lower-case id or name -> id); unknown ones faulted."""
        s = self.col(column)
        uniques = s[self.good(column)].unique()
        table = {u: _resolve(u, resolve) for u in uniques}
        ids = s.map(table)
        self.flag(column, self.good(column) & ids.isna(), reason)
        return ids.where(self.good(column))

    def duplicates(self, column: str, keys: pd.DataFrame, reason: Callable[[int], str]) -> None:
        complete = keys.notna().all(axis=1)
        keyed = keys[complete]
        dup = keyed.duplicated(keep="first")
        if not dup.any():
            return
        first_row = keyed.reset_index().groupby(list(keyed.columns), dropna=False)["row"].transform("first")
        first_row.index = keyed.index
        reasons = first_row.map(lambda r: reason(int(r)))
        mask = pd.Series(False, index=keys.index)
        mask.loc[dup[dup].index] = True
        self.flag(column, mask, reasons.reindex(keys.index))


def _resolve(text: str, resolve: Mapping[str, str]) -> str | None:
    return resolve.get(text) or resolve.get(text.lower()) or resolve.get(_squash(text))


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _resolver(ids: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """Exact id, then id ignoring case, then name ignoring case (names used by two ids are left out)."""
    table: dict[str, str] = {}
    name_count: dict[str, int] = {}
    for name in names:
        key = _squash(str(name))
        name_count[key] = name_count.get(key, 0) + 1
    for ident, name in zip(ids, names, strict=True):
        key = _squash(str(name))
        if name_count[key] == 1:
            table.setdefault(key, ident)
    for ident in ids:
        table[ident.lower()] = ident
    for ident in ids:
        table[ident] = ident
    return table


def _suggest(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.75)
    return f" Did you mean '{close[0]}'?" if close else ""


# ----------------------------------------------------------------------------------------------
# Validation per kind


@dataclass(frozen=True)
class _Reference:
    """What the database already knows: measures, places and services to check against."""

    measures: pd.DataFrame
    localities: pd.DataFrame
    services: pd.DataFrame

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> _Reference:
        return cls(
            store.query(con, "load_measures"),
            store.query(con, "load_localities"),
            store.query(con, "load_services"),
        )

    def locality_resolver(self) -> dict[str, str]:
        ids = [str(i) for i in self.localities["locality_id"]]
        names = [str(n) for n in self.localities["name"]]
        table = _resolver(ids, names)
        table.setdefault(AREA, AREA)
        table.setdefault(AREA.lower(), AREA)
        return table


# The tables a file is checked against (``_Reference``, ``load_published.check``): a file checked in
# another process (``python -m perf load``) is saved without checking again only while they are unchanged.
REFERENCE_TABLES: tuple[str, ...] = ("measure", "locality", "service", "area", "published_metric")


class ReferenceChangedError(Exception):
    """The reference tables changed since the file was checked: it must be checked again."""


def reference_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Rows and a hash of every reference table, read in one statement (one snapshot), on ``con`` itself
    (a cursor inside a transaction reads that transaction's view)."""
    union = " UNION ALL ".join(
        f"SELECT '{t}' AS t, count(*) AS n, coalesce(sum(hash(x)), 0)::VARCHAR AS h FROM {t} x"
        for t in REFERENCE_TABLES)
    rows = con.execute(f"SELECT t, n, h FROM ({union}) ORDER BY t").fetchall()
    return ";".join(f"{t}:{n}:{h}" for t, n, h in rows)


def validate_upload(
    con: duckdb.DuckDBPyConnection, data: bytes, filename: str, *, sheet: str | None = None,
    now: datetime | None = None,
) -> ValidationResult:
    """Read and check an upload without saving anything: the page's preview and the CLI's verdict.

    Parameters
    ----------
    con : an open database (read-only is enough)
    data, filename : the uploaded bytes and the file's name (its extension chooses CSV or Excel)
    sheet : the Excel sheet to load when a workbook has several sheets with data
    now : the time future dates are judged against (default: now)
    """
    sheets: tuple[str, ...] = ()
    try:
        raw = read_upload(data, filename, sheet=sheet, known_kind=True)
    except InputError as exc:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            sheets = _sheets_with_data(data)
        return _rejected(filename, None, exc.problems, pd.DataFrame(), (), sheets)
    if raw.sheet is not None:
        sheets = _sheets_with_data(data)
    result = validate_frame(con, raw.frame, filename, now=now)
    return ValidationResult(
        result.filename, result.kind, result.frame, result.problems, result.summary, raw.frame,
        (*raw.notes, *result.notes), sheets,
    )


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
    return Problem(1, None, None, (
        "the header row doesn't match any kind of file that can be loaded. Measure values need "
        "'measure_id', 'period_start', 'value' (and optionally 'locality_id', 'numerator', "
        "'denominator'); demand records need 'demand_id', 'service_id', 'locality_id', 'channel', "
        "'received_at', 'demand_type', 'nature'; work records need 'case_id', 'service_id', "
        "'locality_id', 'started_at'; published figures need 'metric', 'area_code', 'period', 'value' "
        "(and optionally 'unit', 'source', 'area_name')."
    ))


def validate_frame(
    con: duckdb.DuckDBPyConnection, raw: pd.DataFrame, filename: str, *, now: datetime | None = None,
    kind: Kind | None = None,
) -> ValidationResult:
    """Check a frame of text cells (as ``read_upload`` gives) against the database's measures and places."""
    now = now or datetime.now()
    headers = [str(h) for h in raw.columns]
    kind = kind or recognise(headers)
    if kind is None:
        return _rejected(filename, None, [_unrecognised_header()], raw, (), ())
    found, header_problems = _header_problems(headers, kind)
    if header_problems:
        return _rejected(filename, kind, header_problems, raw, (), ())
    ref = _Reference.read(con)
    check = _Checker(raw, found)
    check.formulas()
    check.long_text()
    notes: tuple[str, ...] = ()
    if kind == "measure_values":
        frame = _check_measure_values(check, ref, now)
    elif kind == "published":
        from perf.intake import load_published

        frame = load_published.check(check, con)
        if not check.problems:
            notes = load_published.notes(frame, con)
            worked = [name for name in WORKED_OUT if name in found]
            if worked:
                notes = (*notes, f"The columns {_quoted(worked)} are the chart's working, as Similar councils "
                                 "exports it: they are not loaded, and the app works them out again from the figures.")
    elif kind == "demand":
        frame = _check_demand(check, ref, now)
    else:
        frame = _check_work(check, ref, now)
    order = {name: i for i, name in enumerate(c.name for c in COLUMNS[kind])}
    by_header = {header: order[name] for name, header in found.items()}
    problems = sorted(check.problems, key=lambda p: (p.row or 0, by_header.get(p.column or "", -1)))
    if problems:
        return _rejected(filename, kind, problems, raw, (), (), frame)
    n = len(frame)
    summary = f"{n:,} {_noun(kind, n)} in {filename} are ready to load." if n != 1 else (
        f"1 {_noun(kind, 1)} in {filename} is ready to load."
    )
    return ValidationResult(filename, kind, frame, (), summary, raw, notes)


def _rejected(
    filename: str, kind: Kind | None, problems: Sequence[Problem], raw: pd.DataFrame,
    notes: tuple[str, ...], sheets: tuple[str, ...], frame: pd.DataFrame | None = None,
) -> ValidationResult:
    rows = {p.row for p in problems if p.row is not None and p.row > 1}
    count = len(problems)
    where = f" in {len(rows):,} {'row' if len(rows) == 1 else 'rows'}" if rows else ""
    summary = (f"{filename} was not loaded: {count:,} {'problem' if count == 1 else 'problems'}{where}. "
               "Nothing was saved.")
    return ValidationResult(filename, kind, frame if frame is not None else pd.DataFrame(), tuple(problems),
                            summary, raw, notes, sheets)


def _unknown(what: str, choices: Sequence[str]) -> Callable[[str], str]:
    return lambda v: f"{show(v)} is not a known {what}.{_suggest(v, choices)}"


def _check_measure_values(check: _Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    measures = ref.measures.set_index("measure_id")
    ids = [str(i) for i in measures.index]
    check.required("measure_id", "measure")
    check.required("period_start", "period", "(the date the week, month or quarter starts)")
    measure = check.lookup(
        "measure_id", _resolver(ids, [str(n) for n in measures["name"]]), _unknown("measure", ids)
    )
    period = check.timestamps("period_start", date_only=True, now=now)
    frequency = measure.map(measures["frequency"].to_dict())
    has_both = period.notna() & frequency.notna()
    reasons = pd.Series(
        [period_start_problem(p.date(), f) if ok else None
         for p, f, ok in zip(period, frequency, has_both, strict=True)],
        index=period.index, dtype=object,
    )
    check.flag("period_start", reasons.notna(), reasons)

    place_ids = [str(i) for i in ref.localities["locality_id"]]
    locality_text = check.col("locality_id")
    locality = check.lookup(
        "locality_id", ref.locality_resolver(),
        _unknown("ward or locality", [*place_ids, *map(str, ref.localities["name"])]),
    )
    locality = locality.where(locality_text != "", AREA).where(check.unfaulted("locality_id"))
    by_locality = measure.map(measures["by_locality"].astype(bool).to_dict())
    area_only = locality.notna() & (locality != AREA) & (by_locality == False)  # noqa: E712 - NA stays NA
    check.flag("locality_id", area_only, lambda v: (
        f"{show(v)} is a ward or locality, but this measure is recorded for the whole area only; "
        f"leave the cell blank or write '{AREA}'."
    ))

    value = check.numbers("value")
    numerator = check.numbers("numerator")
    denominator = check.numbers("denominator")
    unit = measure.map(measures["unit"].to_dict())
    percent = (unit == "%").fillna(False).astype(bool)
    check.flag("value", percent & ((value < 0) | (value > 100)).fillna(False), lambda v: (
        f"{show(v)} is not a percentage between 0 and 100."
    ))
    for column, series in (("numerator", numerator), ("denominator", denominator)):
        check.flag(column, (series < 0).fillna(False), lambda v: f"{show(v)} is negative; a count can't be below zero.")
    value_blank = check.col("value") == ""
    num_blank = check.col("numerator") == ""
    den_blank = check.col("denominator") == ""
    check.flag("numerator", num_blank & ~den_blank, "this cell is blank, but a denominator needs a numerator.")
    check.flag("denominator", den_blank & ~num_blank, "this cell is blank, but a numerator needs a denominator.")
    if check.has("value"):
        check.flag("value", value_blank & (num_blank | den_blank),
                   "this cell is blank, but every row needs a value (or a numerator and a denominator).")
    zero = value_blank & (denominator == 0).fillna(False)
    check.flag("denominator", zero, "the denominator is 0, so the value can't be worked out from it.")
    derived = numerator / denominator.where(denominator != 0)
    derived = derived.where(~percent, derived * 100)  # a % measure stores 0-100, as its target does
    value = value.where(~value_blank, derived)

    keys = pd.DataFrame({"m": measure, "p": period, "l": locality}).where(
        ~check.bad[[c for c in ("measure_id", "period_start", "locality_id") if check.has(c)]].any(axis=1)
    )
    check.duplicates("period_start", keys, lambda first: (
        f"the same measure, period and locality as row {first}; each can appear only once."
    ))
    return pd.DataFrame({
        "measure_id": measure.astype(object),
        "period_start": period,
        "locality_id": locality.astype(object),
        "value": value.astype("Float64"),
        "numerator": numerator.astype("Float64"),
        "denominator": denominator.astype("Float64"),
    })


_DEMAND_TYPES = {"value": "value", "value demand": "value", "failure": "failure", "failure demand": "failure"}


def _check_cases_common(check: _Checker, ref: _Reference) -> tuple[pd.Series, pd.Series]:
    service_ids = [str(i) for i in ref.services["service_id"]]
    service = check.lookup(
        "service_id", _resolver(service_ids, [str(n) for n in ref.services["name"]]),
        _unknown("service", service_ids),
    )
    place_ids = [str(i) for i in ref.localities["locality_id"]]
    locality = check.lookup(
        "locality_id", ref.locality_resolver(),
        _unknown("ward or locality", [*place_ids, *map(str, ref.localities["name"])]),
    )
    return service, locality


def _text(check: _Checker, column: str) -> pd.Series:
    s = check.col(column)
    return s.where(s != "").where(check.unfaulted(column)).astype(object)


def _check_demand(check: _Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    for col in COLUMNS["demand"]:
        if col.required:
            check.required(col.name, col.label)
    demand_id = check.integers("demand_id", "demand ID")
    service, locality = _check_cases_common(check, ref)
    received = check.timestamps("received_at", date_only=False, now=now)
    kinds = check.col("demand_type").str.lower().str.split().str.join(" ").map(_DEMAND_TYPES)
    check.flag("demand_type", check.good("demand_type") & kinds.isna(), lambda v: (
        f"{show(v)} is not a demand type; use 'value' or 'failure'."
    ))
    case_id = check.integers("case_id", "case ID")
    check.duplicates("demand_id", pd.DataFrame({"id": demand_id}), lambda first: (
        f"the same demand ID as row {first}; each contact can appear only once."
    ))
    return pd.DataFrame({
        "demand_id": demand_id,
        "service_id": service.astype(object),
        "locality_id": locality.astype(object),
        "channel": _text(check, "channel"),
        "received_at": received,
        "demand_type": kinds.where(check.good("demand_type")).astype(object),
        "nature": _text(check, "nature"),
        "case_id": case_id,
    })


def _check_work(check: _Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    for col in COLUMNS["work"]:
        if col.required:
            check.required(col.name, col.label)
    case_id = check.integers("case_id", "case ID")
    service, locality = _check_cases_common(check, ref)
    started = check.timestamps("started_at", date_only=False, now=now)
    completed = check.timestamps("completed_at", date_only=False, now=now)
    before = (completed < started).fillna(False)
    started_header = check.headers.get("started_at", "started_at")
    check.flag("completed_at", before, pd.Series(
        [f"{c:%Y-%m-%d %H:%M} is before the start in '{started_header}' ({s:%Y-%m-%d %H:%M}); "
         "a case can't end before it starts." if b else ""
         for c, s, b in zip(completed, started, before, strict=True)],
        index=completed.index, dtype=object,
    ))
    check.duplicates("case_id", pd.DataFrame({"id": case_id}), lambda first: (
        f"the same case ID as row {first}; each case can appear only once."
    ))
    return pd.DataFrame({
        "case_id": case_id,
        "service_id": service.astype(object),
        "locality_id": locality.astype(object),
        "channel": _text(check, "channel"),
        "nature": _text(check, "nature"),
        "started_at": started,
        "completed_at": completed.where(check.unfaulted("completed_at")),
    })


# ----------------------------------------------------------------------------------------------
# Saving

def apply_upload(
    con: duckdb.DuckDBPyConnection, result: ValidationResult, *, user: str, now: datetime | None = None,
    checked_against: str | None = None,
) -> LoadResult:
    """Save a checked upload in one transaction; the same file twice changes nothing.

    Corrections write the old and new value to change_log with who and when; a load that changed
    anything adds one change_log line naming the file. Raises InputError if the result has
    problems and WriteConflictError if another session wrote the same rows at the same moment.
    ``checked_against``: the ``reference_fingerprint`` the file was checked against in another
    process; if the tables now differ, ReferenceChangedError and nothing is saved.
    """
    if not result.ok or result.kind is None:
        raise InputError(result.problems or [Problem(None, None, None, "Nothing to load.")])
    if not user.strip():
        raise ValueError("user must name who is loading the file")
    now = now or datetime.now()
    with write_transaction(con, bulk=True) as cur:
        if checked_against is not None and reference_fingerprint(cur) != checked_against:
            raise ReferenceChangedError(result.filename)
        done = save_rows(cur, result.kind, result.frame, filename=result.filename, user=user, now=now)
        if done.changed:
            run(cur, "load_log_upload", {
                "table_name": TABLE[result.kind], "row_key": result.filename,
                "summary": done.summary, "user": user, "now": now,
            })
    return done


def save_rows(
    cur: duckdb.DuckDBPyConnection, kind: Kind, frame: pd.DataFrame, *, filename: str, user: str,
    now: datetime,
) -> LoadResult:
    """The upsert itself, on a cursor already inside a transaction (see ``write_transaction``)."""
    if kind == "published":
        from perf.intake import load_published

        return load_published.save(cur, frame, filename=filename, user=user, now=now)
    prefix = {"measure_values": "load_measurement", "demand": "load_demand", "work": "load_work"}[kind]
    incoming = frame.reset_index(drop=True)
    cur.register("incoming", incoming)
    try:
        counts = run(cur, f"{prefix}_counts").iloc[0]
        new, corrected, unchanged = (int(counts["new"]), int(counts["corrected"]), int(counts["unchanged"]))
        if corrected:
            run(cur, f"{prefix}_log", {"user": user, "now": now})
        found = signal_items.Found()
        if kind == "measure_values":
            if new or corrected:
                changed = run(cur, "load_measurement_changed")
                run(cur, "load_measurement_upsert", {"user": user, "now": now})
                # in the same transaction: the values and the signals they show are saved together
                found = signal_items.find(cur, user=user, now=now, changed=changed)
        else:
            if corrected:
                run(cur, f"{prefix}_delete")
            if new or corrected:
                run(cur, f"{prefix}_insert")
    finally:
        try:
            cur.unregister("incoming")
        except duckdb.Error:
            pass  # an aborted transaction refuses even this; the original error is what matters
    return LoadResult(filename, kind, new, corrected, unchanged, found)


def load_upload(
    con: duckdb.DuckDBPyConnection, data: bytes, filename: str, *, user: str, sheet: str | None = None,
    now: datetime | None = None,
) -> tuple[ValidationResult, LoadResult | None]:
    """Check then save in one call (the command line's path); nothing is saved when rejected."""
    result = validate_upload(con, data, filename, sheet=sheet, now=now)
    if not result.ok:
        return result, None
    return result, apply_upload(con, result, user=user, now=now)

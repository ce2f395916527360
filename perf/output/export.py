"""Data out: any table as CSV or Excel, and the published dataset as a zip for partners.

Files leave the council and are opened in Excel, so text cells that Excel would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return) are prefixed with a quote (OWASP, "CSV
Injection"). The partner zip carries published measures only, public commentary only, no
case-level rows and no officers' names, and small counts are suppressed (:data:`SUPPRESSION_RULE`).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from perf import periods, store
from perf.analysis import demand, measures

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV Injection: characters a spreadsheet evaluates
SUPPRESSION_RULE = (
    "Counts of people or contacts from 1 to 4 for a ward or locality are replaced by an empty cell and the "
    "row is flagged suppressed = true. Zero is shown: it identifies no one. For a ratio (numerator / "
    "denominator) the whole row is blanked when either count is from 1 to 4. So that a blank cannot be "
    "worked out by subtracting the other cells from a total, when only one cell in a group (the wards of "
    "one locality, or the localities of one council, for one measure and period) is blanked, the next "
    "smallest cell in that group is blanked as well. Figures for a whole council or the whole area are not "
    "suppressed. Demand by ward follows the public Demand pages: a ward's month of a service is given only "
    "where those pages show it, so it is blank (both its rows, value and failure demand, flagged) when it "
    "holds a count from 1 to 4, when it would give such a count away from a total (across weeks, months and "
    "quarters, wards, localities and services), and every month of a ward and service the pages show by "
    "quarter only; demand_by_ward_quarter gives the quarters the pages show. Owners are given by role, "
    "without names. Case-level and contact-level records are never exported."
)

DICTIONARY: dict[str, dict[str, str]] = {
    "measures": {
        "measure_id": "Identifier of the measure, used in every other table.",
        "name": "The measure's name as shown in the app.",
        "purpose_id": "The purpose (operational or strategic) the measure serves.",
        "purpose_name": "Name of that purpose, in the customer's words.",
        "strategic_purpose_id": "The council-wide strategic purpose it rolls up to.",
        "strategic_purpose_name": "Name of the strategic purpose.",
        "portfolio": "The Portfolio Holder's portfolio responsible for the strategic purpose.",
        "kind": "strategic (council-wide) or operational (service, locality or team).",
        "unit": "What a value counts or measures: contacts, days, %, £ ...",
        "frequency": "How often it is recorded: week, month or quarter.",
        "improvement": "Which direction is better: up, down or neutral (neither).",
        "aggregation": "How ward figures add up to larger places: sum, mean, or ratio (of summed parts).",
        "target": "The target, where the council keeps one; empty if none.",
        "decimals": "Decimal places the council shows values with.",
        "owner": "The role that owns the measure.",
        "definition": "What is counted, from when to when, and what is left out.",
        "source": "The system or return the figures come from.",
        "by_locality": "true when values are recorded for each ward.",
        "dq_relevant": "Data quality: is it relevant to the purpose?",
        "dq_well_defined": "Data quality: is the definition clear and stable?",
        "dq_timely": "Data quality: how soon after the period it is available.",
        "dq_reliable": "Data quality: is it collected the same way each time?",
        "dq_verifiable": "Data quality: can it be checked back to source records?",
        "dq_accurate": "Data quality: known errors or limitations.",
        "data": "real (published figures from the source named) or illustrative (made up to show how the app works).",
        "data_source": "For real published figures: whose they are (see sources.csv); empty otherwise.",
        "data_licence": "The licence the source publishes them under.",
        "data_attribution": "The attribution the licence asks for: keep it wherever the figures are shown.",
    },
    "sources": {
        "source_id": "Identifier of the source.",
        "name": "Who publishes the figures.",
        "licence": "The licence they are published under.",
        "attribution": "The attribution to show wherever the figures appear.",
        "url": "Where the figures were taken from.",
        "note": "Which release, and anything to know about it.",
    },
    "measurements": {
        "measure_id": "The measure (see measures.csv).",
        "period_start": "First day of the period: Monday of the week, first of the month or quarter.",
        "locality_id": "The place (see places.csv); ALL is the whole area.",
        "locality_name": "Name of the place.",
        "locality_kind": "area, council, locality or ward.",
        "value": "The value in the measure's unit; empty when suppressed or not recorded.",
        "numerator": "For ratios: the count on top (e.g. failure demand); empty otherwise or when suppressed.",
        "denominator": "For ratios: the count below (e.g. all demand); empty otherwise or when suppressed.",
        "suppressed": "true when small counts in this row were blanked (see README.md).",
    },
    "phases": {
        "measure_id": "The measure (see measures.csv).",
        "starts_on": "The date the system was changed; limits are recalculated from the first period on or after it.",
        "label": "A short name for the change.",
        "description": "What was changed.",
    },
    "commentary": {
        "measure_id": "The measure (see measures.csv).",
        "period_start": "The period the comment is about (empty for a general comment).",
        "written_on": "The day it was written.",
        "body": "What the council said about the measure.",
    },
    "purposes": {
        "purpose_id": "Identifier of the purpose.",
        "name": "What the service is for, from the customer's point of view.",
        "kind": "strategic (council-wide) or operational.",
        "parent_id": "For an operational purpose, the strategic purpose it serves.",
        "portfolio": "The Portfolio Holder's portfolio (strategic purposes).",
        "description": "A longer description.",
    },
    "places": {
        "locality_id": "Identifier of the place, used in measurements and demand_by_ward.",
        "name": "Name of the place.",
        "kind": "area (everything), council, locality or ward.",
        "parent_id": "The place it lies in.",
        "council_id": "ONS code of its council.",
        "code": "ONS GSS code where known (wards).",
        "vintage": "Year its boundaries took effect.",
    },
    "demand_by_ward": {
        "month_start": "First day of the month.",
        "service_id": "The service the customer contacted.",
        "service_name": "Name of the service.",
        "ward_id": "The ward the customer lives in (see places.csv).",
        "ward_name": "Name of the ward.",
        "demand_type": "value (what the service is there to do) or failure (caused by a failure to do "
        "something, or to do it right, for the customer).",
        "contacts": "Number of contacts; empty when suppressed (1 to 4, or a count that would give one away).",
        "suppressed": "true when the count was blanked (see README.md).",
    },
    "demand_by_ward_quarter": {
        "quarter_start": "First day of the quarter (January, April, July or October).",
        "service_id": "The service the customer contacted.",
        "service_name": "Name of the service.",
        "ward_id": "The ward the customer lives in (see places.csv).",
        "ward_name": "Name of the ward.",
        "demand_type": "value or failure demand, as in demand_by_ward.",
        "contacts": "Number of contacts; empty when suppressed (1 to 4, or a count that would give one away).",
        "suppressed": "true when the count was blanked (see README.md).",
    },
}


# --- any table as CSV or Excel --------------------------------------------------------------------
def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) cannot run as a spreadsheet formula.

    Numbers are left alone: -3 is a number, not a formula; the text "-3" gets a quote.

    Example
    -------
    >>> guard_formulas(pd.DataFrame({"a": ["=1+1", "ok", "@SUM(A1)"]}))["a"].tolist()
    ["'=1+1", 'ok', "'@SUM(A1)"]
    """

    def safe(value: object) -> object:
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    out = frame.copy()
    out.columns = [safe(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(safe).astype(out[col].dtype)
    return out


def to_csv_bytes(frame: pd.DataFrame, *, guard: bool = True) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows £ and – correctly) and CRLF rows (RFC 4180)."""
    data = guard_formulas(frame) if guard else frame
    return data.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n").encode("utf-8-sig")


def values_for_upload(
    values: pd.DataFrame, *, measure_id: str, locality_id: str, attribution: str = ""
) -> pd.DataFrame:
    """A measure's values in the upload format (``perf.intake.check``'s measure values), so an edited export loads back.

    ``values`` has period_start, value, numerator and denominator. A real published measure's
    attribution goes in a ``source`` column, which the loader accepts and does not store.
    """
    out = pd.DataFrame(
        {
            "measure_id": measure_id,
            "period_start": pd.to_datetime(values["period_start"]).dt.date,
            "locality_id": locality_id,
            "value": values["value"].astype(float),
            "numerator": values["numerator"].astype(float),
            "denominator": values["denominator"].astype(float),
        }
    )
    if attribution:
        out["source"] = attribution
    return out.reset_index(drop=True)


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: keep local clock times."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out


def to_excel_bytes(
    frame: pd.DataFrame,
    *,
    title: str,
    source: str,
    exported_at: dt.datetime | None = None,
    notes: Sequence[str] = (),
    guard: bool = True,
) -> bytes:
    """An .xlsx with an 'About' sheet (title, source, date, notes) and the table on 'Data'.

    A table travels without the app around it, so the file itself says where it came from.
    """
    when = exported_at or dt.datetime.now().replace(microsecond=0)
    about = pd.DataFrame(
        {
            "Field": ["Title", "Source", "Exported", "Rows", "Columns", *(["Note"] * len(notes))],
            "Value": [title, source, when.strftime("%Y-%m-%d %H:%M"), str(len(frame)), str(len(frame.columns)), *notes],
        }
    )
    data = _excel_ready(guard_formulas(frame) if guard else frame)
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        guard_formulas(about).to_excel(writer, sheet_name="About", index=False)
        data.to_excel(writer, sheet_name="Data", index=False)
        for sheet in writer.sheets.values():
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max((len(str(c.value)) for c in column[:200] if c.value is not None), default=8)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 80)
    return out.getvalue()


# --- the published dataset ----------------------------------------------------------------------------
def published_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Every table partners get, already restricted to published measures and suppressed."""
    from perf.access import disclosure, public  # the one public filter (it builds on this module's rule)

    values = store.query(con, "export_measurements")
    values["period_start"] = pd.to_datetime(values["period_start"])
    # the same cells the public pages show: a ward's small count, and whatever would give it away from
    # its locality's or council's total, hidden (perf.access.public.suppress_cells)
    shown = public.cells(con, sorted(set(values["measure_id"])), "public")
    flags = shown.set_index(["measure_id", "period_start", "locality_id"])["suppressed"]
    keys = pd.MultiIndex.from_frame(values[["measure_id", "period_start", "locality_id"]])
    hidden = pd.Series(flags.reindex(keys).fillna(False).astype(bool).to_numpy(), index=values.index)
    done = values.assign(suppressed=hidden)
    for col in ("value", "numerator", "denominator"):
        done[col] = done[col].astype("float64").mask(done["suppressed"], np.nan)
    measurements = done.drop(columns=["unit", "aggregation"])
    measurements["period_start"] = measurements["period_start"].dt.date

    # the public Demand page's decisions (all dates, decided with the other date ranges it offers): a partner can
    # set the zip beside the pages, so a ward's service month or quarter is in the zip only where the page shows
    # it (perf.access.disclosure.ward_periods)
    last = demand.data_span(con)["last_contact"]
    if last is None:
        cells, parent = disclosure.demand_cells(con)
        ladders = disclosure.demand_group_ladders(cells, parent)
    else:
        each = {s: disclosure.demand_cells(con, start=s, end=last) for s in periods.public_range_starts(last)}
        cells, parent = each[None]
        ladders = disclosure.demand_ranges_ladders({s: c for s, (c, _) in each.items()}, parent)[None]
    by_ward = {}
    for length, on in (("month", "month_start"), ("quarter", "quarter_start")):
        rows = store.query(con, "export_demand_by_ward", {"granularity": length}).rename(columns={"period_start": on})
        by_ward[length] = disclosure.ward_periods(rows, cells[length], ladders, length, on=on)
    return {
        "measures": public.scrub_measures(store.query(con, "export_measures").assign(published=True), "public").drop(
            columns=["published"]
        ),
        "measurements": measurements,
        "phases": store.query(con, "export_phases"),
        "commentary": store.query(con, "export_commentary"),
        "purposes": store.query(con, "export_purposes"),
        "places": store.query(con, "export_places"),
        "demand_by_ward": by_ward["month"],
        "demand_by_ward_quarter": by_ward["quarter"],
        "sources": store.query(con, "export_sources"),
    }


def _type_word(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "true/false"
    if pd.api.types.is_integer_dtype(dtype):
        return "whole number"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


def data_dictionary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per column of every exported table: its type and meaning.

    Raises ValueError for a column with no meaning written down: an undocumented column must not ship.
    """
    rows = []
    for name, frame in tables.items():
        meanings = DICTIONARY.get(name, {})
        for col in frame.columns:
            if col not in meanings:
                raise ValueError(f"column {name}.{col} has no entry in perf.output.export.DICTIONARY")
            rows.append({"table": name, "column": col, "type": _type_word(frame[col].dtype), "meaning": meanings[col]})
    return pd.DataFrame(rows, columns=["table", "column", "type", "meaning"])


def _readme(meta: Mapping[str, str], tables: Mapping[str, pd.DataFrame], when: dt.datetime) -> str:
    name = meta.get("dataset_name") or "Council performance data"
    lines = [f"# {name}: published performance measures", ""]
    if meta.get("dataset", "").lower() == "illustrative":
        lines += [
            "**Illustrative data.** These figures are made up to show how Outside-In works"
            + (
                ", except measures whose `data` column in measures.csv says real: " + meta["real_data"]
                if meta.get("real_data")
                else "."
            ),
            "",
        ]
    lines += [f"Exported {when:%d %B %Y %H:%M} by Outside-In.", ""]
    if meta.get("attribution"):
        lines += [meta["attribution"], ""]
    lines += [
        "## Files",
        "",
        "Each table comes twice, with the same rows: `parquet/<table>.parquet` (typed) and "
        "`csv/<table>.csv` (UTF-8; text that a spreadsheet would run as a formula starts with a quote ').",
        "`data_dictionary.csv` and `.md` describe every column.",
        "",
    ]
    lines += [f"- `{t}`: {len(f):,} row{'' if len(f) == 1 else 's'}" for t, f in tables.items()]
    lines += [
        "",
        "## What is left out",
        "",
        "Only measures the council publishes; only public commentary, without officers' names; no "
        "record of a single case or contact; no record of who entered a value.",
        "",
        "## Small counts",
        "",
        SUPPRESSION_RULE,
        "",
    ]
    return "\n".join(lines)


def _dictionary_md(dictionary: pd.DataFrame) -> str:
    parts = ["# Data dictionary", ""]
    for table, rows in dictionary.groupby("table", sort=False):
        parts += [f"## {table}", "", "| column | type | meaning |", "|---|---|---|"]
        parts += [f"| {r.column} | {r.type} | {str(r.meaning).replace('|', '/')} |" for r in rows.itertuples()]
        parts.append("")
    return "\n".join(parts)


def published_zip(con: duckdb.DuckDBPyConnection, *, exported_at: dt.datetime | None = None) -> bytes:
    """The published dataset as one zip: Parquet and CSV per table, a data dictionary and a README."""
    when = exported_at or dt.datetime.now().replace(microsecond=0)
    tables = published_tables(con)
    dictionary = data_dictionary(tables)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, data: bytes) -> None:
            zf.writestr(zipfile.ZipInfo(name, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)

        put("README.md", _readme(measures.meta(con), tables, when).encode("utf-8"))
        put("data_dictionary.csv", to_csv_bytes(dictionary))
        put("data_dictionary.md", _dictionary_md(dictionary).encode("utf-8"))
        for name, frame in tables.items():
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            put(f"parquet/{name}.parquet", buf.getvalue())
            put(f"csv/{name}.csv", to_csv_bytes(frame))
    return out.getvalue()

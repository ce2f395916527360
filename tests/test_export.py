"""Exports: tables round-trip through CSV, Excel and Parquet; nothing a spreadsheet would run."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perf import store
from perf.access import small_counts
from perf.output import export
from perf.__main__ import main
from tests import tiny_db

WHEN = dt.datetime(2025, 4, 7, 9, 30)


db = tiny_db.db  # the shared fixture, made visible to pytest in this module


@pytest.fixture(scope="module")
def tables(db: Path) -> dict[str, pd.DataFrame]:
    with store.connect(db) as con:
        return export.published_tables(con)


@pytest.fixture(scope="module")
def bundle(db: Path) -> zipfile.ZipFile:
    with store.connect(db) as con:
        return zipfile.ZipFile(io.BytesIO(export.published_zip(con, exported_at=WHEN)))


@pytest.fixture()
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward": ["Alvechurch Village", "Avoncroft", "Barnt Green & Hopwood"],
            "period_start": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
            "contacts": [12, 0, 350],
            "failure_share": [0.25, np.nan, 0.375],
            "cost": [-12.5, 3.0, 1_000_000.25],
            "published": [True, False, True],
            "note": ["£5 a contact – roughly", "", "café"],
        }
    )


def test_csv_round_trips(frame: pd.DataFrame) -> None:
    back = pd.read_csv(
        io.BytesIO(export.to_csv_bytes(frame)),
        encoding="utf-8-sig",
        parse_dates=["period_start"],
        keep_default_na=False,
        na_values={"failure_share": [""]},
    )
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_utf8(frame: pd.DataFrame) -> None:
    assert export.to_csv_bytes(frame).startswith(b"\xef\xbb\xbf")


def test_excel_round_trips_with_an_about_sheet(frame: pd.DataFrame) -> None:
    data = export.to_excel_bytes(
        frame, title="Demand by ward", source="Tinytown CRM", exported_at=WHEN, notes=["Counts under 5 are suppressed."]
    )
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, keep_default_na=False, na_values={"failure_share": [""]})
    assert list(sheets) == ["About", "Data"]
    pd.testing.assert_frame_equal(sheets["Data"], frame, check_dtype=False)
    about = dict(zip(sheets["About"]["Field"], sheets["About"]["Value"].astype(str), strict=False))
    assert about["Title"] == "Demand by ward"
    assert about["Source"] == "Tinytown CRM"
    assert about["Exported"] == "2025-04-07 09:30"
    assert about["Note"] == "Counts under 5 are suppressed."


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(evil: str) -> None:
    frame = pd.DataFrame({"body": [evil], "n": [-3]})
    csv = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)), encoding="utf-8-sig")
    assert csv["body"].iloc[0].startswith("'")
    assert csv["n"].iloc[0] == -3  # numbers are left alone
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(export.to_excel_bytes(frame, title="t", source="s")))
    cell = book["Data"]["A2"]
    assert cell.data_type == "s" and str(cell.value).startswith("'")


def test_a_formula_in_a_column_name_is_prefixed_too() -> None:
    assert list(export.guard_formulas(pd.DataFrame({"=cmd": [1]})).columns) == ["'=cmd"]


# --- small counts --------------------------------------------------------------------------------------
def test_counts_from_one_to_four_are_blanked_and_flagged_but_zero_is_shown() -> None:
    frame = pd.DataFrame({"ward": list("abcdef"), "n": [0, 1, 4, 5, 30, 31]})
    out = small_counts.suppress_small_counts(frame, ["n"])
    assert out["n"].isna().tolist() == [False, True, True, False, False, False]
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]


def test_a_lone_blank_in_a_group_gets_a_second_so_it_cannot_be_worked_out_from_the_total() -> None:
    frame = pd.DataFrame({"month": ["Jan"] * 3 + ["Feb"] * 3, "ward": list("abcabc"), "n": [3, 40, 9, 30, 40, 50]})
    out = small_counts.suppress_small_counts(frame, ["n"], groups=[["month"]])
    assert out["suppressed"].tolist() == [True, False, True, False, False, False]


def test_only_eligible_rows_are_suppressed() -> None:
    frame = pd.DataFrame({"kind": ["ward", "area"], "n": [2, 2]})
    out = small_counts.suppress_small_counts(frame, ["n"], eligible=frame["kind"] == "ward")
    assert out["suppressed"].tolist() == [True, False]


def test_a_ratio_row_is_blanked_whole_when_its_denominator_is_small() -> None:
    frame = pd.DataFrame({"num": [0.0, 20.0], "den": [3.0, 80.0]})
    out = small_counts.suppress_small_counts(frame, ["num", "den"])
    assert out.loc[0, ["num", "den"]].isna().all() and not out.loc[1, ["num", "den"]].isna().any()


@pytest.mark.parametrize(
    ("unit", "aggregation", "counts"),
    [
        ("contacts", "sum", True),
        ("reports", "sum", True),
        ("days", "mean", False),
        ("days", "sum", False),
        ("%", "ratio", False),
        ("£", "sum", False),
        ("contacts per 1,000", "sum", False),
    ],
)
def test_which_units_count_people_or_contacts(unit: str, aggregation: str, counts: bool) -> None:
    assert small_counts.is_count_unit(unit, aggregation) is counts


def test_ward_counts_under_five_are_suppressed_in_the_published_measurements(tables: dict[str, pd.DataFrame]) -> None:
    wards = tables["measurements"].query("measure_id == 'M_WARD'")
    w1 = wards[wards["locality_id"] == "W1"]
    assert w1["value"].isna().all() and w1["suppressed"].all()
    w3 = wards[wards["locality_id"] == "W3"]
    assert not w3["suppressed"].any() and (w3["value"] >= 9).all()
    kept = tables["measurements"]["value"].dropna()
    small = tables["measurements"].loc[kept.index].query("locality_kind == 'ward'")["value"]
    assert not ((small >= 1) & (small < 5)).any()


def test_demand_by_ward_is_aggregated_and_suppressed(tables: dict[str, pd.DataFrame]) -> None:
    demand = tables["demand_by_ward"]
    assert "demand_id" not in demand.columns and "case_id" not in demand.columns
    shown = demand["contacts"].dropna()
    assert len(shown) and (shown >= 5).all()
    w1 = demand[(demand["ward_id"] == "W1") & (demand["demand_type"] == "value")]
    assert w1["contacts"].isna().all() and w1["suppressed"].all()


# --- the partner zip ------------------------------------------------------------------------------------
def test_zip_holds_parquet_and_csv_per_table_a_dictionary_and_a_readme(
    bundle: zipfile.ZipFile, tables: dict[str, pd.DataFrame]
) -> None:
    names = set(bundle.namelist())
    assert {"README.md", "data_dictionary.csv", "data_dictionary.md"} <= names
    for table in tables:
        assert {f"parquet/{table}.parquet", f"csv/{table}.csv"} <= names
    assert not any("work_case" in n or n.endswith("/demand.csv") for n in names)


def test_parquet_in_the_zip_round_trips(bundle: zipfile.ZipFile, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        back = pd.read_parquet(io.BytesIO(bundle.read(f"parquet/{name}.parquet")))
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_csv_in_the_zip_has_the_same_rows_as_the_parquet(
    bundle: zipfile.ZipFile, tables: dict[str, pd.DataFrame]
) -> None:
    for name, frame in tables.items():
        back = pd.read_csv(io.BytesIO(bundle.read(f"csv/{name}.csv")), encoding="utf-8-sig")
        assert list(back.columns) == list(frame.columns)
        assert len(back) == len(frame)


def test_every_exported_column_is_in_the_data_dictionary(
    bundle: zipfile.ZipFile, tables: dict[str, pd.DataFrame]
) -> None:
    dictionary = pd.read_csv(io.BytesIO(bundle.read("data_dictionary.csv")), encoding="utf-8-sig")
    listed = set(zip(dictionary["table"], dictionary["column"], strict=True))
    for name, frame in tables.items():
        for col in frame.columns:
            assert (name, col) in listed
    assert dictionary["meaning"].str.len().min() > 10


def test_an_undocumented_column_stops_the_export() -> None:
    with pytest.raises(ValueError, match="column measures.secret_column has no entry"):
        export.data_dictionary({"measures": pd.DataFrame({"secret_column": [1]})})


def test_readme_states_the_suppression_rule_and_the_date(bundle: zipfile.ZipFile) -> None:
    readme = bundle.read("README.md").decode("utf-8")
    assert "from 1 to 4" in readme and "suppressed" in readme
    assert "7 April 2025" in readme
    assert "Illustrative data" in readme


def test_who_entered_values_and_who_wrote_commentary_are_not_exported(tables: dict[str, pd.DataFrame]) -> None:
    assert "entered_by" not in tables["measurements"].columns
    assert "author" not in tables["commentary"].columns


def test_cli_writes_the_partner_zip(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "partners.zip"
    assert main(["export", "--db", str(db), "--out", str(out)]) == 0
    assert "README.md" in zipfile.ZipFile(out).namelist()

"""A tiny hand-made council database for the report, export and public-view tests.

Small enough to read in one sitting, and built so each rule has a case: one unpublished measure
with internal commentary, a measure whose latest month is a signal, a ward-level count measure
with small counts, and demand by ward with cells under five.

A test module takes the fixtures at the bottom (``db = tiny_db.db`` makes one visible to pytest there):
the database, built once a module, and its briefing pack for the year ``PERIOD`` with the PDF read back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import io

import duckdb
import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from perf import store
from perf.output import pdf, report

MONTHS = pd.date_range("2022-04-01", periods=36, freq="MS")
WARDS = ("W1", "W2", "W3")
PUBLISHED = ("M_CALLS", "M_DAYS", "M_FAIL", "M_WARD")
UNPUBLISHED = "M_SECRET"
SECRET_NOTE = "Internal: staffing gap in the team, do not publish"
OFFICER = "officer"
PERIOD = {"start": "2024-04-01", "end": "2025-03-31"}  # the financial year the packs cover
PREPARED = dt.date(2025, 4, 7)  # the day the pack says it was prepared


def _series(seed: int, n: int, centre: float, sd: float) -> np.ndarray:
    return np.round(np.random.default_rng(seed).normal(centre, sd, n), 1)


def build(path: Path) -> Path:
    """Create the database at ``path`` and return it."""
    con = duckdb.connect(str(path))
    store.create_schema(con)
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("dataset", "illustrative"),
            ("dataset_name", "Tinytown District Council"),
            ("attribution", "Contains public sector information licensed under the Open Government Licence v3.0"),
            ("built_at", "2025-04-02T09:00:00"),
        ],
    )
    con.execute("INSERT INTO council VALUES ('E07000999', 'Tinytown District Council', 'Tinytown', 1000, 400, 'test')")
    con.executemany(
        "INSERT INTO locality (locality_id, name, kind, parent_id, council_id) VALUES (?, ?, ?, ?, ?)",
        [
            ("ALL", "Whole area", "area", None, None),
            ("E07000999", "Tinytown", "council", "ALL", "E07000999"),
            *[(w, f"Ward {w[-1]}", "ward", "E07000999", "E07000999") for w in WARDS],
        ],
    )
    con.executemany(
        "INSERT INTO purpose VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "SAFE",
                "Keep my place safe and looking good",
                "strategic",
                None,
                "Environment",
                None,
                None,
                "Streets and open spaces",
                1,
            ),
            (
                "STREETS",
                "Clear the streets when I tell you",
                "operational",
                "SAFE",
                None,
                "Street scene",
                None,
                None,
                1,
            ),
            ("HOME", "Help me find a home", "strategic", None, "Housing", None, None, "Housing advice", 2),
        ],
    )
    measures = [
        # id, name, purpose, kind, unit, frequency, improvement, aggregation, target, published, decimals
        (
            "M_CALLS",
            "Contacts about street cleaning",
            "STREETS",
            "operational",
            "contacts",
            "month",
            "down",
            "sum",
            None,
            True,
            0,
        ),
        (
            "M_DAYS",
            "Days to clear fly-tipping",
            "STREETS",
            "operational",
            "days",
            "month",
            "down",
            "mean",
            6.0,
            True,
            1,
        ),
        (
            "M_FAIL",
            "Failure demand in housing advice",
            "HOME",
            "strategic",
            "%",
            "month",
            "down",
            "ratio",
            None,
            True,
            1,
        ),
        ("M_WARD", "Reports of dog fouling", "SAFE", "strategic", "reports", "month", "down", "sum", None, True, 0),
        (
            UNPUBLISHED,
            "Staff absence in street scene",
            "STREETS",
            "operational",
            "days",
            "month",
            "down",
            "mean",
            None,
            False,
            1,
        ),
    ]
    for mid, name, pid, kind, unit, freq, imp, agg, target, published, dec in measures:
        con.execute(
            "INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement, aggregation,"
            " target, owner, definition, source, by_locality, dq_relevant, dq_timely, published, decimals)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                mid,
                name,
                pid,
                kind,
                unit,
                freq,
                imp,
                agg,
                target,
                "Head of Street Scene",
                f"Definition of {name.lower()}: counted from the customer's first contact.",
                "Case management system",
                mid == "M_WARD",
                "Relevant to the purpose",
                "Monthly, 5 days after",
                published,
                dec,
            ],
        )
    rows: list[tuple[object, ...]] = []
    calls = _series(1, 36, 120, 8)
    calls[-1] = 180.0  # the latest month is far above the limits: a new signal of concern
    days = _series(2, 36, 5.0, 0.6)
    secret = _series(3, 36, 9.0, 1.0)
    for i, month in enumerate(MONTHS):
        day = month.date()
        rows.append(("M_CALLS", day, "ALL", float(calls[i]), None, None))
        rows.append(("M_DAYS", day, "ALL", float(days[i]), None, None))
        rows.append((UNPUBLISHED, day, "ALL", float(secret[i]), None, None))
        fail, total = 30 + (i % 5), 100 + (i % 7)
        rows.append(("M_FAIL", day, "ALL", 100.0 * fail / total, float(fail), float(total)))
        for j, ward in enumerate(WARDS):  # small counts: ward W1 always under 5
            rows.append(("M_WARD", day, ward, float([2, 6, 9][j] + (i % 2)), None, None))
    values = pd.DataFrame(  # noqa: F841 (DuckDB reads it by name)
        rows,
        columns=[
            "measure_id",
            "period_start",
            "locality_id",
            "value",
            "numerator",
            "denominator",
        ],
    )
    con.execute(
        "INSERT INTO measurement (measure_id, period_start, locality_id, value, numerator, denominator)"
        " SELECT * FROM values"
    )
    con.executemany(
        "INSERT INTO phase VALUES (?, ?, ?, ?)",
        [
            ("M_DAYS", dt.date(2023, 10, 1), "New triage", "Crews sent from the first call"),
            (UNPUBLISHED, dt.date(2023, 10, 1), "Secret redesign", None),
        ],
    )
    con.executemany(
        "INSERT INTO commentary (measure_id, period_start, author, written_at, body, visibility) VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("M_CALLS", dt.date(2025, 3, 1), "A Officer", dt.datetime(2025, 3, 20), SECRET_NOTE, "internal"),
            (
                "M_CALLS",
                dt.date(2025, 2, 1),
                "A Officer",
                dt.datetime(2025, 2, 20),
                "Storm damage brought more calls; crews were moved to clear fallen trees.",
                "public",
            ),
            (
                "M_DAYS",
                dt.date(2025, 3, 1),
                "B Officer",
                dt.datetime(2025, 3, 21),
                "Since the new triage the time to clear has fallen and stayed lower.",
                "public",
            ),
            (UNPUBLISHED, dt.date(2025, 3, 1), "C Officer", dt.datetime(2025, 3, 22), SECRET_NOTE, "public"),
        ],
    )
    con.execute("INSERT INTO service VALUES ('S1', 'Street cleaning', 'STREETS', 6, 30)")
    demand = []
    n = 0
    for month in MONTHS[-3:]:
        for j, ward in enumerate(WARDS):
            for kind, count in (("value", [3, 12, 20][j]), ("failure", [6, 7, 9][j])):
                for _ in range(count):
                    n += 1
                    demand.append((n, "S1", ward, "phone", month.to_pydatetime(), kind, "missed bin", n))
    contacts = pd.DataFrame(  # noqa: F841 (read by name)
        demand,
        columns=[
            "demand_id",
            "service_id",
            "locality_id",
            "channel",
            "received_at",
            "demand_type",
            "nature",
            "case_id",
        ],
    )
    con.execute("INSERT INTO demand SELECT * FROM contacts")
    # an officer to sign in as (the password hash is never checked: tests set the session directly)
    con.execute(
        "INSERT INTO app_user (username, display_name, role, password_hash, created_at)"
        " VALUES (?, 'An Officer', 'officer', 'not-a-hash', TIMESTAMP '2025-01-01 09:00:00')",
        [OFFICER],
    )
    con.execute("INSERT INTO work_case VALUES (1, 'S1', 'W1', 'phone', 'missed bin', '2025-01-02', '2025-01-05')")
    con.close()
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database, built afresh for each test module (a module's tests may change it)."""
    return build(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")


@pytest.fixture(scope="module")
def pack(db: Path) -> report.Pack:
    """The briefing pack of every measure for ``PERIOD``."""
    with store.connect(db) as con:
        return report.build_pack(con, purpose_id="all", prepared=PREPARED, start=PERIOD["start"], end=PERIOD["end"])


@pytest.fixture(scope="module")
def pdf_reader(pack: report.Pack) -> PdfReader:
    """The pack's PDF, read back as a councillor's reader would open it."""
    return PdfReader(io.BytesIO(pdf.pack_pdf(pack)))

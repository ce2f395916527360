"""The public view: an unpublished measure or internal commentary cannot be reached, small counts are blank."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pypdf import PdfReader

from perf import store
from perf.access import small_counts
from perf.analysis import measures
from perf.output import export, pdf, report
from perf.__main__ import main
from tests import tiny_db

SECRET = tiny_db.UNPUBLISHED
SECRET_NAME = "Staff absence in street scene"
PERIOD = tiny_db.PERIOD


db = tiny_db.db  # the shared fixture, made visible to pytest in this module


@pytest.fixture(scope="module")
def con(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(db)
    yield connection
    connection.close()


def test_the_public_catalogue_leaves_out_unpublished_measures(con: duckdb.DuckDBPyConnection) -> None:
    assert SECRET in set(measures.catalogue(con, public_only=False)["measure_id"])
    assert SECRET not in set(measures.catalogue(con, public_only=True)["measure_id"])


def test_public_commentary_leaves_out_internal_notes(con: duckdb.DuckDBPyConnection) -> None:
    bodies = measures.commentary(con, "M_CALLS", public_only=True)["body"].tolist()
    assert bodies and tiny_db.SECRET_NOTE not in bodies


def test_a_public_pack_asked_for_an_unpublished_measure_says_it_is_unknown(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=f"unknown measure '{SECRET}' \\(or not published\\)"):
        report.build_pack(con, purpose_id=None, measure_ids=[SECRET], public_only=True, render=False, **PERIOD)


def test_a_public_pack_for_a_purpose_leaves_out_unpublished_measures_and_internal_notes(
    con: duckdb.DuckDBPyConnection,
) -> None:
    pack = report.build_pack(con, purpose_id="SAFE", public_only=True, **PERIOD)
    assert SECRET not in [p.measure_id for p in pack.pages]
    calls = next(p for p in pack.pages if p.measure_id == "M_CALLS")
    assert calls.commentary is not None and "Storm damage" in calls.commentary
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.pack_pdf(pack))).pages)
    assert SECRET_NAME not in text and "do not publish" not in text
    assert "Published measures" in text


def test_the_internal_pack_does_show_them(con: duckdb.DuckDBPyConnection) -> None:
    """The same request inside the council: proves the public test above is not passing by accident."""
    pack = report.build_pack(con, purpose_id="SAFE", public_only=False, render=False, **PERIOD)
    assert SECRET in [p.measure_id for p in pack.pages]
    calls = next(p for p in pack.pages if p.measure_id == "M_CALLS")
    assert calls.commentary == tiny_db.SECRET_NOTE


def test_a_public_measure_sheet_for_an_unpublished_measure_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="unknown measure"):
        pdf.sheet(con, SECRET, public_only=True, **PERIOD)


def test_the_command_line_in_public_mode_refuses_an_unpublished_measure(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    code = main(["report", "--db", str(db), "--measures", SECRET, "--out", str(tmp_path / "x.pdf")])
    assert code == 2
    assert "unknown measure" in capsys.readouterr().err


def test_the_partner_zip_holds_no_unpublished_measure_or_internal_note(con: duckdb.DuckDBPyConnection) -> None:
    bundle = zipfile.ZipFile(io.BytesIO(export.published_zip(con)))
    for name in bundle.namelist():
        text = bundle.read(name).decode("utf-8", errors="ignore") if not name.endswith(".parquet") else ""
        assert SECRET not in text and SECRET_NAME not in text and "do not publish" not in text, name
    for name in (n for n in bundle.namelist() if n.endswith(".parquet")):
        frame = pd.read_parquet(io.BytesIO(bundle.read(name)))
        if "measure_id" in frame.columns:
            assert SECRET not in set(frame["measure_id"]), name
        if "body" in frame.columns:
            assert tiny_db.SECRET_NOTE not in set(frame["body"]), name


def test_the_partner_zip_has_no_ward_count_under_five(con: duckdb.DuckDBPyConnection) -> None:
    bundle = zipfile.ZipFile(io.BytesIO(export.published_zip(con)))
    demand = pd.read_parquet(io.BytesIO(bundle.read("parquet/demand_by_ward.parquet")))
    values = pd.read_parquet(io.BytesIO(bundle.read("parquet/measurements.parquet")))
    counts = pd.concat(
        [demand["contacts"].astype("float64"), values.loc[values["locality_kind"] == "ward", "value"]]
    ).dropna()
    assert not ((counts >= 1) & (counts < small_counts.SMALL_COUNT)).any()
    assert demand["suppressed"].any() and values["suppressed"].any()  # there were small counts to blank


# --- pages, through app.py (AppTest) --------------------------------------------------------------
APP = Path(__file__).resolve().parent.parent / "app.py"


PAGES = ["app_pages/measure.py", "app_pages/briefing.py", "app_pages/reports.py"]


def open_by_url(db: Path, monkeypatch: pytest.MonkeyPatch, page: str, *, public: bool) -> str:
    """Open ``page`` with ?measure=<the unpublished measure's name>; return the measure it shows."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    if public:
        monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    else:
        monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    if not public:
        at.session_state["_signed_in"] = tiny_db.OFFICER  # ui.auth: visitors who are not signed in see the public view
    at.query_params["measure"] = SECRET_NAME
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return str(at.selectbox(key="measure").value)


@pytest.mark.parametrize("page", PAGES)
def test_a_link_to_an_unpublished_measure_does_not_open_it_in_the_public_view(
    db: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    assert open_by_url(db, monkeypatch, page, public=True) != SECRET


@pytest.mark.parametrize("page", PAGES)
def test_the_same_link_inside_the_council_does_open_it(db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    """Signed in as an officer: proves the public test above passes for the right reason."""
    assert open_by_url(db, monkeypatch, page, public=False) == SECRET

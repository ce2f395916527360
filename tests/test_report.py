"""Briefing packs and measure sheets: read back the PDF and the deck a councillor would get."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from perf import store
from perf.output import pdf, report, slides
from perf.__main__ import main
from tests import tiny_db
from tests.conftest import run_page as open_page

PERIOD = tiny_db.PERIOD
db, pack, pdf_reader = tiny_db.db, tiny_db.pack, tiny_db.pdf_reader  # the shared fixtures, visible to pytest here


def flat(text: str) -> str:
    """Text as one line: PDF extraction breaks lines where the page wrapped them."""
    return re.sub(r"\s+", " ", text).strip()


def test_pdf_has_a_title_page_an_exceptions_page_and_a_page_per_measure(
    pack: report.Pack, pdf_reader: PdfReader
) -> None:
    assert len(pack.pages) == 5
    assert len(pdf_reader.pages) == 1 + 1 + 5


def test_each_measure_page_carries_its_sentence_in_full(pack: report.Pack, pdf_reader: PdfReader) -> None:
    for i, page in enumerate(pack.pages):
        text = flat(pdf_reader.pages[2 + i].extract_text())
        assert page.name in text
        assert flat(page.sentence) in text


def test_title_page_names_the_council_period_and_illustrative_data(pdf_reader: PdfReader) -> None:
    text = flat(pdf_reader.pages[0].extract_text())
    assert "Tinytown District Council" in text
    assert "1 April 2024 to 31 March 2025" in text
    assert "Illustrative data" in text


def test_exceptions_list_only_measures_whose_latest_value_is_a_signal(pack: report.Pack, pdf_reader: PdfReader) -> None:
    assert [p.measure_id for p in pack.exceptions] == ["M_CALLS"]
    text = flat(pdf_reader.pages[1].extract_text())
    assert "Contacts about street cleaning" in text
    assert "Unusual: concerning (special cause)" in text
    for page in pack.pages:
        if page.measure_id != "M_CALLS":
            assert page.name not in text


def test_variation_and_assurance_are_written_in_words(pack: report.Pack, pdf_reader: PdfReader) -> None:
    days = next(i for i, p in enumerate(pack.pages) if p.measure_id == "M_DAYS")
    text = flat(pdf_reader.pages[2 + days].extract_text())
    assert "Normal variation (common cause)" in text
    assert "Will sometimes meet and sometimes miss the target" in text


def test_latest_commentary_up_to_the_period_end_is_shown(pack: report.Pack) -> None:
    days = next(p for p in pack.pages if p.measure_id == "M_DAYS")
    assert days.commentary is not None and "new triage" in days.commentary


def test_every_measure_page_has_a_chart_image_with_alt_text(pack: report.Pack) -> None:
    for page in pack.pages:
        assert page.chart_png is not None and page.chart_png.startswith(b"\x89PNG")
        assert page.name in page.chart_alt and page.sentence in page.chart_alt


def test_pptx_has_title_exceptions_and_a_slide_per_measure_titled_by_name(pack: report.Pack) -> None:
    deck = Presentation(io.BytesIO(slides.pack_pptx(pack)))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert len(deck.slides) == 1 + 1 + 5
    assert titles[0] == "Performance briefing: All purposes"
    assert titles[1] == report.EXCEPTIONS_TITLE
    assert titles[2:] == [p.name for p in pack.pages]


def test_pptx_slides_carry_sentences_and_charts_with_alt_text(pack: report.Pack) -> None:
    deck = Presentation(io.BytesIO(slides.pack_pptx(pack)))
    for page, slide in zip(pack.pages, list(deck.slides)[2:], strict=True):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert page.sentence in texts
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == 1
        assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == page.chart_alt


def test_a_hand_picked_list_keeps_its_order(db: Path) -> None:
    with store.connect(db) as con:
        pack = report.build_pack(con, purpose_id=None, measure_ids=["M_FAIL", "M_CALLS"], render=False, **PERIOD)
    assert [p.measure_id for p in pack.pages] == ["M_FAIL", "M_CALLS"]
    assert pack.scope_name == "Selected measures"


def test_a_portfolio_pack_covers_that_portfolios_measures(db: Path) -> None:
    with store.connect(db) as con:
        pack = report.build_pack(con, purpose_id=None, portfolio="Housing", render=False, **PERIOD)
    assert [p.measure_id for p in pack.pages] == ["M_FAIL"]
    assert pack.scope_name == "Housing portfolio"


def test_a_purpose_pack_covers_its_operational_purposes_too(db: Path) -> None:
    with store.connect(db) as con:
        pack = report.build_pack(con, purpose_id="SAFE", render=False, **PERIOD)
    assert {p.measure_id for p in pack.pages} == {"M_WARD", "M_CALLS", "M_DAYS", tiny_db.UNPUBLISHED}
    assert pack.scope_name == "Keep my place safe and looking good"


def test_a_period_with_no_values_says_so_and_draws_no_chart(db: Path) -> None:
    with store.connect(db) as con:
        pack = report.build_pack(con, measure_ids=["M_CALLS"], purpose_id=None, start="2030-01-01", end="2030-03-31")
    page = pack.pages[0]
    assert page.chart_png is None and page.variation is None
    assert "No values were recorded between 1 January 2030 and 31 March 2030" in page.sentence
    assert len(PdfReader(io.BytesIO(pdf.pack_pdf(pack))).pages) == 3


def test_limits_come_from_history_before_the_period(db: Path) -> None:
    """A three-month pack still judges March 2025 against the whole phase, so the signal is found."""
    with store.connect(db) as con:
        pack = report.build_pack(
            con, measure_ids=["M_CALLS"], purpose_id=None, start="2025-01-01", end="2025-03-31", render=False
        )
    assert pack.pages[0].variation == "special_cause_concern"
    assert pack.pages[0].first_signal


def test_unknown_purpose_is_refused_naming_the_known_ones(db: Path) -> None:
    with store.connect(db) as con, pytest.raises(ValueError, match="unknown purpose 'NOPE'.*SAFE, HOME"):
        report.build_pack(con, purpose_id="NOPE", render=False)


def test_unknown_portfolio_and_measure_are_refused(db: Path) -> None:
    with store.connect(db) as con:
        with pytest.raises(ValueError, match="unknown portfolio 'Sport'"):
            report.build_pack(con, purpose_id=None, portfolio="Sport", render=False)
        with pytest.raises(ValueError, match="unknown measure 'M_NOPE'"):
            report.build_pack(con, purpose_id=None, measure_ids=["M_NOPE"], render=False)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-03-31", "2024-04-01", "start .2025-03-31. is after end .2024-04-01."),
        ("31/03/2025", None, "start must be a date written YYYY-MM-DD, got '31/03/2025'"),
        (None, "2025-02-30", "end must be a date written YYYY-MM-DD, got '2025-02-30'"),
    ],
)
def test_bad_dates_are_refused_with_a_clear_message(db: Path, start: str | None, end: str | None, message: str) -> None:
    with store.connect(db) as con, pytest.raises(ValueError, match=message):
        report.build_pack(con, start=start, end=end, render=False)


def test_measure_sheet_is_one_page_with_definition_owner_quality_and_source(db: Path) -> None:
    with store.connect(db) as con:
        data = pdf.sheet(con, "M_DAYS", prepared=tiny_db.PREPARED, **PERIOD)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = flat(reader.pages[0].extract_text())
    for words in (
        "Days to clear fly-tipping",
        "Definition of days to clear fly-tipping",
        "Head of Street Scene",
        "Relevant: Relevant to the purpose",
        "Case management system",
        "Prepared 7 April 2025",
        "new triage",
        "Target 6.0 days",
    ):
        assert words in text, words


def test_pdf_falls_back_to_core_fonts_when_no_ttf_is_found(pack: report.Pack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "find_fonts", lambda: None)
    reader = PdfReader(io.BytesIO(pdf.pack_pdf(pack)))
    assert "Performance briefing" in reader.pages[0].extract_text()
    assert len(reader.pages) == 7


def test_a_weekly_series_longer_than_altairs_row_limit_still_renders() -> None:
    from perf import spc

    dates = pd.Series(pd.date_range("1900-01-01", periods=5200, freq="W-MON"))
    values = pd.Series(range(5200), dtype=float) % 17
    chart = spc.xmr(values.to_numpy())
    png = report.render_chart(chart.points, dates, y_title="contacts", target=None, phase_labels={})
    assert png.startswith(b"\x89PNG")


# --- the command line ---------------------------------------------------------------------------------
def test_cli_writes_a_pdf_pack(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack.pdf"
    code = main(
        [
            "report",
            "--db",
            str(db),
            "--purpose",
            "HOME",
            "--from",
            "2024-04-01",
            "--to",
            "2025-03-31",
            "--format",
            "pdf",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert len(PdfReader(out).pages) == 3
    assert f"Wrote {out}: 1 measures" in capsys.readouterr().out


def test_cli_writes_a_pptx_pack_from_the_database_in_outside_in_db(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    out = tmp_path / "pack.pptx"
    assert main(["report", "--purpose", "HOME", "--from", "2024-04-01", "--to", "2025-03-31", "--out", str(out)]) == 0
    assert len(Presentation(str(out)).slides) == 3


def test_cli_refuses_an_unknown_purpose(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--db", str(db), "--purpose", "NOPE", "--format", "pdf", "--out", str(tmp_path / "x.pdf")])
    assert code == 2
    assert "error: unknown purpose 'NOPE'" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_cli_refuses_bad_dates(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["report", "--db", str(db), "--from", "2025-04-01", "--to", "2024-04-01", "--out", str(tmp_path / "x.pdf")]
    )
    assert code == 2
    assert "is after end" in capsys.readouterr().err


def test_cli_refuses_an_unknown_format(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "x.docx")]) == 2
    assert "--format must be pdf or pptx" in capsys.readouterr().err


# --- the Reports and Accessibility pages, through app.py (AppTest) -------------------------------------


def run_page(db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    return open_page(page)


def test_reports_page_offers_the_pack_the_sheet_the_values_and_the_partner_zip(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(db, monkeypatch, "app_pages/reports.py")
    assert at.title[0].value == "Reports and exports"
    assert [s.value for s in at.subheader] == ["Briefing pack", "Measure sheet", "Published data for partners"]
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == [
        "Download PDF pack",
        "Download PowerPoint pack",
        "Measure sheet (PDF)",
        "Values (CSV)",
        "Values (Excel)",
        "Download published data (zip)",
    ]


def test_reports_page_asks_for_measures_before_a_hand_picked_pack(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(db, monkeypatch, "app_pages/reports.py")
    at.radio(key="pack_cover").set_value("measures").run()
    assert "Choose at least one measure" in at.info[0].value
    assert [d.proto.disabled for d in at.get("download_button")][:2] == [True, True]
    at.multiselect(key="pack_measures").set_value(["M_DAYS"]).run()
    assert [d.proto.disabled for d in at.get("download_button")][:2] == [False, False]


def test_accessibility_statement_names_the_standard_and_how_to_report_a_problem(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(db, monkeypatch, "app_pages/accessibility.py")
    assert at.title[0].value == "Accessibility statement"
    text = " ".join(m.value for m in at.markdown)
    for words in ("WCAG) 2.2", "level AA", "Known limitations", "Reporting a problem", "Colour is never the only cue"):
        assert words in text, words

"""Packs carry each measure's latest Check–Plan–Do review: its dates, verdict and evidence for officers,
the dates only for the public (perf.access.public.reviews)."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from perf import store
from perf.access import public
from perf.analysis import measures, review
from perf.output import pdf, report, slides

PURPOSE = "op-housing-repairs"
MEASURE = "repairs-end-to-end"
CHANGE = date(2024, 4, 1)
DECISION = "Make the new repairs design normal across all teams"
REVIEWER = "Priya Sandhu"
ACTIONS = "Dee Hartley to brief the trades teams by May"


def _finding(con: object) -> tuple[str, str]:
    """The verdict and sentence the review page words for the change, from the engine."""
    data = public.series(con, [MEASURE], measures.AREA, "officer")  # type: ignore[arg-type]
    data = data.sort_values("period_start")
    position = int((data["period_start"] < pd.Timestamp(CHANGE)).sum())
    result = review.before_after(data["value"].to_numpy(), position, improvement="down", dates=data["period_start"])
    return result.headline(), result.sentence(unit="days", decimals=1)


@pytest.fixture()
def reviewed(sample_db: Path, tmp_path: Path) -> tuple[Path, str, str]:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, copy)
    with store.connect(copy, read_only=False) as con:
        headline, sentence = _finding(con)
        review.record(
            con,
            measure_id=MEASURE,
            change_date=CHANGE,
            decision=DECISION,
            actions=f"{ACTIONS}{review.FINDING_MARK}{headline}. {sentence}",
            reviewed_by=REVIEWER,
            now=datetime(2026, 11, 20, 10),
        )
    return copy, headline, sentence


def _pack(path: Path, **options: object) -> report.Pack:
    with store.connect(path) as con:
        return report.build_pack(con, purpose_id=PURPOSE, prepared=date(2026, 12, 7), **options)  # type: ignore[arg-type]


def _pdf_text(pack: report.Pack) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.pack_pdf(pack))).pages)


def _pptx_text(pack: report.Pack) -> str:
    deck = Presentation(io.BytesIO(slides.pack_pptx(pack)))
    return " ".join(" ".join(sh.text_frame.text.split()) for s in deck.slides for sh in s.shapes if sh.has_text_frame)


def test_the_officer_pack_carries_the_verdict_and_its_evidence(reviewed: tuple[Path, str, str]) -> None:
    path, headline, sentence = reviewed
    assert "below the old average" in sentence  # the engine's evidence, in words
    pack = _pack(path)
    (entry,) = pack.reviews
    assert (entry.measure_id, entry.reviewed, entry.change_date) == (MEASURE, date(2026, 11, 20), CHANGE)
    assert entry.verdict == headline and entry.evidence == sentence
    evidence = sentence.split(": ", 1)[1][:80]  # a stretch of the evidence, as drawn
    pdf = _pdf_text(pack)
    assert "Check–Plan–Do reviews" in pdf and headline in pdf and evidence in pdf
    assert "Reviewed 20 November 2026: the change of 1 April 2024" in pdf
    deck = _pptx_text(pack)
    assert "Check–Plan–Do reviews" in deck and headline in deck and evidence in deck


def test_the_public_pack_shows_the_dates_and_nothing_said_inside(reviewed: tuple[Path, str, str]) -> None:
    path, headline, sentence = reviewed
    pack = _pack(path, public_only=True)
    (entry,) = pack.reviews
    assert (entry.verdict, entry.evidence) == ("", "")
    for text in (_pdf_text(pack), _pptx_text(pack)):
        assert "Reviewed 20 November 2026: the change of 1 April 2024" in text
        for secret in (REVIEWER, DECISION, "Dee Hartley to brief", headline):
            assert secret not in text


def test_a_pack_before_the_review_or_without_one_has_no_reviews_section(
    reviewed: tuple[Path, str, str], sample_db: Path
) -> None:
    path, _, _ = reviewed
    earlier = _pack(path, start="2025-04-01", end="2026-03-31")  # ended before the review was made
    assert earlier.reviews == ()
    none = _pack(sample_db)
    assert none.reviews == ()
    for pack in (earlier, none):
        assert "Check–Plan–Do reviews" not in _pdf_text(pack)
        assert "Check–Plan–Do reviews" not in _pptx_text(pack)


def test_a_review_saved_without_a_finding_shows_its_decision_to_officers(sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, copy)
    with store.connect(copy, read_only=False) as con:
        review.record(
            con,
            measure_id=MEASURE,
            change_date=CHANGE,
            decision=DECISION,
            actions="",
            reviewed_by=REVIEWER,
            now=datetime(2026, 11, 20, 10),
        )
    (entry,) = _pack(copy).reviews
    assert entry.verdict == f"Decision: {DECISION}" and entry.evidence == ""
    assert _pack(copy, public_only=True).reviews[0].verdict == ""

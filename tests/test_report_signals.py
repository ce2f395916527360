"""Packs carry the exceptions: open and recently closed signals of the pack's scope with their answers."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from perf import store
from perf.intake import save
from perf.output import pdf, report, slides
from perf.signals import signal_answers

NEW_SIGNAL_CSV = b"measure_id,period_start,value\nleisure-visits,2026-11-01,330000\n"
PURPOSE = "sp-things-to-do"
CAUSE = "The new pool opened with free swims for the first month."


@pytest.fixture()
def answered(sample_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, copy)
    with store.connect(copy, read_only=False) as con:
        _, done = save.load_upload(con, NEW_SIGNAL_CSV, "november.csv", user="amy", now=datetime(2026, 12, 1, 9))
        assert done is not None
        signal_answers.answer(
            con,
            done.signals.new[0],
            signal_answers.Answer(True, CAUSE, "Nothing: visits settle once the offer ends.", "one_off"),
            user="jon",
            now=datetime(2026, 12, 2, 10),
        )
    return copy


def _pack(path: Path, **options: object) -> report.Pack:
    with store.connect(path) as con:
        return report.build_pack(
            con, purpose_id=options.pop("purpose_id", PURPOSE), prepared=date(2026, 12, 7), **options
        )  # type: ignore[arg-type]


def test_the_pack_lists_the_answered_signal_with_its_answer(answered: Path) -> None:
    pack = _pack(answered)
    mine = [s for s in pack.signals if s.measure_id == "leisure-visits"]
    assert len(mine) == 1
    assert mine[0].sentence.startswith("Leisure centre visits, Whole area: outside the limits, in November 2026")
    assert mine[0].status == "Closed 2 December 2026"
    assert CAUSE in mine[0].answer and "A one-off with a known cause" in mine[0].answer


def test_the_pdf_and_the_deck_carry_the_exceptions_section(answered: Path) -> None:
    pack = _pack(answered)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.pack_pdf(pack))).pages)
    flat = " ".join(text.split())
    assert report.SIGNALS_TITLE in flat and "free swims" in flat
    from pptx import Presentation

    deck = Presentation(io.BytesIO(slides.pack_pptx(pack)))
    said = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert report.SIGNALS_TITLE in said and CAUSE in said


def test_a_pack_for_another_purpose_leaves_it_out(answered: Path) -> None:
    pack = _pack(answered, purpose_id="sp-place")
    assert "leisure-visits" not in {s.measure_id for s in pack.signals}


def test_a_public_pack_carries_no_answers(answered: Path) -> None:
    pack = _pack(answered, public_only=True)
    assert pack.signals == ()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.pack_pdf(pack))).pages)
    assert report.SIGNALS_TITLE not in " ".join(text.split())


def test_an_open_signal_says_whose_answer_it_awaits(sample_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, copy)
    with store.connect(copy, read_only=False) as con:
        save.load_upload(con, NEW_SIGNAL_CSV, "november.csv", user="amy", now=datetime(2026, 12, 1, 9))
    entry = next(s for s in _pack(copy).signals if s.measure_id == "leisure-visits")
    assert entry.status == "Open, awaiting an answer from Leisure Services Manager (Jonathan Reeve)"
    assert entry.answer == ""

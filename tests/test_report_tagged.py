"""Packs a screen reader can read: the PDF's structure tree and the deck's alt text, read back from the files.

A tagged PDF carries a structure tree (headings, paragraphs, figures in reading order) beside what
is drawn; PDF/UA (ISO 14289-1) asks for it, with a language, a title shown in the window, alt text
on every figure, and nothing drawn left untagged unless marked as an artifact.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pptx import Presentation
from pypdf import PdfReader
from pypdf.generic import ContentStream

from perf.output import pdf, report, slides
from tests import tiny_db

PAINTS_TEXT = {b"Tj", b"TJ", b"'", b'"'}
PAINTS_SHAPES = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"Do", b"sh"}


db, pack, pdf_reader = tiny_db.db, tiny_db.pack, tiny_db.pdf_reader  # the shared fixtures, visible to pytest here


@pytest.fixture(scope="module")
def sheet(pack: report.Pack) -> PdfReader:
    return PdfReader(io.BytesIO(pdf.measure_sheet_pdf(pack)))


def elements(reader: PdfReader) -> list[dict[str, Any]]:
    """The structure tree's elements in reading order (depth first), each as its dictionary."""
    out: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, dict) and node.get("/Type") == "/StructElem":
            out.append(node)
        kids = node.get("/K") if isinstance(node, dict) else None
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            if not isinstance(kid, int):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def text_of(reader: PdfReader, element: dict[str, Any]) -> str:
    """The text drawn inside one element's marked content (its MCIDs on its page), as pypdf decodes it."""
    page = next(p for p in reader.pages if p.indirect_reference.idnum == element.raw_get("/Pg").idnum)
    mcids = {int(k) for k in (element["/K"] if isinstance(element["/K"], list) else [element["/K"]])}
    found: list[str] = []
    stack: list[int | None] = []

    def operator(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else {}
            stack.append(int(props["/MCID"]) if isinstance(props, dict) and "/MCID" in props else None)
        elif op == b"BMC":
            stack.append(None)
        elif op == b"EMC":
            stack.pop()

    def text(chars: str, *_: Any) -> None:
        if any(m in mcids for m in stack):
            found.append(chars)

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return " ".join("".join(found).split())


@pytest.mark.parametrize("which", ["pack", "sheet"])
def test_the_pdf_is_tagged_with_language_and_a_title_shown_in_the_window(
    which: str, pdf_reader: PdfReader, sheet: PdfReader
) -> None:
    reader = pdf_reader if which == "pack" else sheet
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "no structure tree: the PDF is not tagged"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert str(root["/Lang"]) == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None and reader.metadata.title
    assert all("/StructParents" in page for page in reader.pages)


def test_pack_headings_come_in_reading_order(pack: report.Pack, pdf_reader: PdfReader) -> None:
    tree = elements(pdf_reader)
    kinds = [str(e["/S"]) for e in tree]
    headings = [(k, text_of(pdf_reader, e)) for k, e in zip(kinds, tree, strict=True) if k in ("/H1", "/H2", "/H3")]
    assert headings[0] == ("/H1", "Performance briefing")
    assert [h for h in headings if h[0] == "/H1"] == [("/H1", "Performance briefing")]  # one H1
    measure_headings = [t for k, t in headings if k == "/H2" and t != report.EXCEPTIONS_TITLE]
    assert measure_headings == [p.name for p in pack.pages]
    assert ("/H2", report.EXCEPTIONS_TITLE) in headings
    # each exception is named by an H3 under the exceptions heading, before the first measure page
    first_measure = next(i for i, h in enumerate(headings) if h[0] == "/H2" and h[1] != report.EXCEPTIONS_TITLE)
    assert [t for k, t in headings[:first_measure] if k == "/H3"] == [p.name for p in pack.exceptions]


def test_each_chart_is_a_figure_with_its_sentence_as_alt_text_after_its_heading(
    pack: report.Pack, pdf_reader: PdfReader
) -> None:
    tree = elements(pdf_reader)
    figures = [e for e in tree if e["/S"] == "/Figure"]
    charted = [p for p in pack.pages if p.chart_png is not None]
    assert len(figures) == len(charted) > 0
    assert [str(f["/Alt"]) for f in figures] == [p.chart_alt for p in charted]
    kinds = [str(e["/S"]) for e in tree]
    for figure in figures:  # the measure's heading and sentence are read before its chart
        at = next(i for i, e in enumerate(tree) if e is figure)
        assert "/H2" in kinds[:at]


def test_nothing_is_drawn_outside_a_tag_or_an_artifact(pdf_reader: PdfReader, sheet: PdfReader) -> None:
    """Every text and shape is either in the reading order or marked as decoration (PDF/UA 7.1)."""
    for name, reader in (("pack", pdf_reader), ("sheet", sheet)):
        for number, page in enumerate(reader.pages, start=1):
            depth = 0
            for _operands, operator in ContentStream(page.get_contents(), reader).operations:
                if operator in (b"BDC", b"BMC"):
                    depth += 1
                elif operator == b"EMC":
                    depth -= 1
                elif operator in PAINTS_TEXT | PAINTS_SHAPES:
                    assert depth > 0, f"{name} page {number}: '{operator.decode()}' drawn outside any tag"


def test_measure_sheet_reads_name_then_sentence_chart_and_sections(pack: report.Pack, sheet: PdfReader) -> None:
    tree = elements(sheet)
    kinds = [str(e["/S"]) for e in tree]
    page = pack.pages[0]
    assert kinds.count("/H1") == 1 and text_of(sheet, tree[kinds.index("/H1")]) == page.name
    assert kinds.index("/H1") < kinds.index("/Figure") < kinds.index("/H2")
    sections = [text_of(sheet, e) for e in tree if e["/S"] == "/H2"]
    assert sections[:3] == ["What it measures", "Owner", "Target"]
    assert str(tree[kinds.index("/Figure")]["/Alt"]) == page.chart_alt


def test_deck_charts_have_alt_text_and_every_slide_is_read_title_first(pack: report.Pack) -> None:
    deck = Presentation(io.BytesIO(slides.pack_pptx(pack)))
    pictures = 0
    for slide in deck.slides:
        shapes = list(slide.shapes)  # the order a screen reader reads them (the slide's shape tree)
        assert shapes[0].is_placeholder and shapes[0] == slide.shapes.title, (
            f"slide '{slide.shapes.title.text}' is not read title first: {[s.name for s in shapes]}"
        )
        for shape in shapes:
            if shape.shape_type == 13:  # MSO_SHAPE_TYPE.PICTURE
                pictures += 1
                assert shape._element.nvPicPr.cNvPr.get("descr"), (
                    f"a chart on '{slide.shapes.title.text}' has no alt text"
                )
    assert pictures == sum(p.chart_png is not None for p in pack.pages) > 0


def test_deck_badge_shapes_are_marked_decorative_beside_their_words(pack: report.Pack) -> None:
    deck = Presentation(io.BytesIO(slides.pack_pptx(pack)))
    shapes = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 1]  # MSO_SHAPE_TYPE.AUTO_SHAPE
    assert shapes
    for shape in shapes:
        exts = shape._element.nvSpPr.cNvPr.xpath("./a:extLst/a:ext/@uri")
        assert slides.DECORATIVE_EXT in exts, f"{shape.name} is read out as a bare shape"

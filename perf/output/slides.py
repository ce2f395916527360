"""Briefing packs as PowerPoint slides: the same pages as the PDF, a slide each, with alt text and reading order.

The pack's content comes from :mod:`perf.output.report`; this module only lays it out on slides.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from perf.drawing import charts
from perf.output import report
from perf.words import vocabulary


# --- PowerPoint -----------------------------------------------------------------------------------
def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())  # type: ignore[no-untyped-call]


def _textbox(
    slide: Any,
    x: float,
    y: float,
    w: float,
    h: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    colour: str = report.INK,
) -> Any:
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    frame = box.text_frame
    frame.word_wrap = True
    para = frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    return box


@cache
def _measure_font(size: float, bold: bool) -> Any:
    from PIL import ImageFont

    fonts = report.find_fonts()
    return ImageFont.truetype(str(fonts[1 if bold else 0]), size=int(size * 10)) if fonts else None


def text_width_in(text: str, size: float, *, bold: bool = False) -> float:
    """Roughly how wide ``text`` is in inches at ``size`` points, to lay out a slide without a renderer.

    Measured with DejaVu/Liberation (wider than PowerPoint's Calibri, so it errs on the safe side);
    without them, 0.6 em a character.
    """
    font = _measure_font(size, bold)
    if font is None:
        return len(text) * size * 0.6 / 72
    return float(font.getlength(text)) / 10 / 72


def _fit_in(text: str, width: float, size: float) -> str:
    while len(text) > 1 and text_width_in(text, size) > width:
        text = text[:-2].rstrip() + "…"
    return text


DECORATIVE_EXT = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"  # PowerPoint's "Mark as decorative" (Office 2019+)


def _decorative(shape: Any) -> None:
    """Mark a shape decorative, so screen readers skip it: the words beside it say the same."""
    from pptx.oxml import parse_xml

    shape._element.nvSpPr.cNvPr.append(
        parse_xml(
            '<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            f'<a:ext uri="{DECORATIVE_EXT}"><adec:decorative '
            'xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" val="1"/></a:ext></a:extLst>'
        )
    )


def _slide_badges(slide: Any, page: report.MeasurePage, x: float, y: float, size: float = 16) -> float:
    """Variation and assurance as shapes and words; returns the height used in inches."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches, Pt

    kinds = {
        "triangle-up": MSO_SHAPE.ISOSCELES_TRIANGLE,
        "triangle-down": MSO_SHAPE.FLOWCHART_MERGE,
        "square": MSO_SHAPE.RECTANGLE,
        "diamond": MSO_SHAPE.DIAMOND,
        "circle": MSO_SHAPE.OVAL,
    }
    box = size / 72 * 0.85
    line = size / 72 * 1.6
    cx, cy = x, y
    if page.variation is not None:
        _, colour, shape = charts.POINT_STYLE.get(page.variation, charts.POINT_STYLE["common_cause"])
        marker = slide.shapes.add_shape(
            kinds.get(shape, MSO_SHAPE.OVAL), Inches(cx), Inches(cy + (line - box) / 2), Inches(box), Inches(box)
        )
        marker.fill.solid()
        marker.fill.fore_color.rgb = _rgb(colour)
        marker.line.fill.background()
        marker.name = f"Variation: {page.variation_label}"
        _decorative(marker)
        words = page.variation_label + (" (new this period)" if page.first_signal else "")
        width = text_width_in(words, size, bold=True) + 0.25
        _textbox(slide, cx + box + 0.08, cy, width, line, words, size, bold=True)
        cx += box + 0.08 + width + 0.35
    if page.assurance is not None and page.assurance_label:
        width = text_width_in(page.assurance_label, size, bold=True) + 0.25
        if cx + box * 1.2 + 0.08 + width > 12.83:  # no room beside the variation label: next line
            cx, cy = x, cy + line
        colour = report.ASSURANCE_COLOUR[page.assurance]
        ring = slide.shapes.add_shape(
            MSO_SHAPE.OVAL, Inches(cx), Inches(cy + (line - box * 1.2) / 2), Inches(box * 1.2), Inches(box * 1.2)
        )
        ring.fill.background()
        ring.line.color.rgb = _rgb(colour)
        ring.line.width = Pt(2)
        ring.name = f"Assurance: {page.assurance_label}"
        _decorative(ring)
        frame = ring.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.text = report.ASSURANCE_MARK[page.assurance]
        run = frame.paragraphs[0].runs[0]
        run.font.size = Pt(size * 0.6)
        run.font.bold = True
        run.font.color.rgb = _rgb(colour)
        _textbox(slide, cx + box * 1.2 + 0.08, cy, width, line, page.assurance_label, size, bold=True)
    return cy - y + line


def _set_title(slide: Any, text: str, size: float, *, top: float = 0.45, height: float = 0.9) -> None:
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.5), Inches(top), Inches(12.3), Inches(height)
    title.text_frame.text = text
    title.text_frame.word_wrap = True
    para = title.text_frame.paragraphs[0]
    from pptx.enum.text import PP_ALIGN

    para.alignment = PP_ALIGN.LEFT
    lines = max(int(height / (size / 72 * 1.25)), 1)
    while size > 20 and text_width_in(text, size, bold=True) > 12.1 * lines:
        size -= 2  # shrink a long title rather than let it run into the slide's body
    for run in para.runs:
        run.font.size = Pt(size)
        run.font.bold = True
        run.font.color.rgb = _rgb(report.INK)


EXCEPTIONS_PER_SLIDE = 4  # each takes a badge line and up to three lines of 15 pt
SIGNALS_PER_SLIDE = 3  # each takes its sentence, where it stands and its answer
REVIEWS_PER_SLIDE = 3  # each takes its measure, dates, verdict and evidence


def pack_pptx(pack: report.Pack) -> bytes:
    """The pack as a 16:9 deck: title, exceptions, then a slide per measure (notes hold the detail)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = f"Performance briefing: {pack.scope_name}"
    deck.core_properties.author = pack.dataset_name
    title_only = deck.slide_layouts[5]
    footer = report.footer_line(pack)

    cover = deck.slides.add_slide(title_only)
    _set_title(cover, f"Performance briefing: {pack.scope_name}", 40, top=2.0, height=1.6)
    _textbox(cover, 0.5, 0.6, 12, 0.6, pack.dataset_name, 22, colour=report.MUTED)
    _textbox(cover, 0.5, 3.7, 12, 0.6, f"{pack.period_label} · {pack.place}", 22)
    _textbox(cover, 0.5, 4.3, 12, 0.5, f"Prepared {report.long_date(pack.prepared)}", 18, colour=report.MUTED)
    _textbox(
        cover,
        0.5,
        5.0,
        12,
        0.5,
        f"{len(pack.pages)} measures; the latest value of {len(pack.exceptions)} is a signal",
        18,
    )
    if pack.illustrative:
        warning = vocabulary.PROVENANCE["illustrative"].colour
        _textbox(cover, 0.5, 5.8, 12, 0.5, report.illustrative_line(pack), 18, bold=True, colour=warning)

    items = list(pack.exceptions)
    chunks = [items[i : i + EXCEPTIONS_PER_SLIDE] for i in range(0, len(items), EXCEPTIONS_PER_SLIDE)] or [[]]
    for n, chunk in enumerate(chunks):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, report.EXCEPTIONS_TITLE + (" (continued)" if n else ""), 32)
        if not chunk:
            _textbox(
                slide,
                0.5,
                1.6,
                12.3,
                1,
                f"No measure shows a signal in its latest value up to {report.long_date(pack.end)}.",
                24,
            )
        y = 1.45
        for page in chunk:
            y += _slide_badges(slide, page, 0.5, y, size=14)
            _textbox(slide, 0.5, y, 12.3, 0.85, f"{page.name}: {page.sentence}", 15)
            y += 1.05
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=report.MUTED)

    signal_items = list(pack.signals)
    for n, start in enumerate(range(0, len(signal_items), SIGNALS_PER_SLIDE)):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, report.SIGNALS_TITLE + (" (continued)" if n else ""), 28)
        y = 1.45
        for entry in signal_items[start : start + SIGNALS_PER_SLIDE]:
            _textbox(slide, 0.5, y, 12.3, 0.7, entry.sentence, 15, bold=True)
            _textbox(slide, 0.5, y + 0.7, 12.3, 0.35, entry.status, 13, colour=vocabulary.NAVY)
            if entry.answer:
                text = entry.answer if len(entry.answer) < 300 else entry.answer[:297] + "…"
                _textbox(slide, 0.5, y + 1.05, 12.3, 0.55, text, 12)
            y += 1.8
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=report.MUTED)

    review_items = list(pack.reviews)
    for n, start in enumerate(range(0, len(review_items), REVIEWS_PER_SLIDE)):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, report.REVIEWS_TITLE + (" (continued)" if n else ""), 28)
        y = 1.45
        for rev in review_items[start : start + REVIEWS_PER_SLIDE]:
            _textbox(slide, 0.5, y, 12.3, 0.4, rev.name, 15, bold=True)
            _textbox(slide, 0.5, y + 0.4, 12.3, 0.35, report.review_dates(rev), 13, colour=vocabulary.NAVY)
            if rev.verdict:
                _textbox(slide, 0.5, y + 0.75, 12.3, 0.35, rev.verdict, 13, bold=True)
            if rev.evidence:
                text = rev.evidence if len(rev.evidence) < 300 else rev.evidence[:297] + "…"
                _textbox(slide, 0.5, y + 1.1, 12.3, 0.55, text, 12)
            y += 1.8
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=report.MUTED)

    for i, page in enumerate(pack.pages):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, page.name, 30, top=0.45, height=0.75)
        where = page.strategic_purpose_name + (
            f" › {page.purpose_name}" if page.purpose_name and page.purpose_name != page.strategic_purpose_name else ""
        )
        header = " · ".join(p for p in (where, page.place, page.provenance) if p)
        _textbox(slide, 0.5, 0.1, 10.3, 0.35, _fit_in(header, 10.0, 12), 12, colour=report.MUTED)
        _textbox(slide, 10.8, 0.1, 2.0, 0.35, f"{i + 1} of {len(pack.pages)}", 12, colour=report.MUTED)
        _textbox(slide, 0.5, 1.15, 12.3, 1.1, page.sentence, 22)
        top = 2.3 + _slide_badges(slide, page, 0.55, 2.3, size=16) + 0.05
        bottom = 6.95 - (0.45 if page.commentary else 0)
        if page.chart_png is not None:
            from PIL import Image

            with Image.open(io.BytesIO(page.chart_png)) as img:
                ratio = img.height / img.width
            w = min(12.3, (bottom - top) / ratio)
            pic = slide.shapes.add_picture(
                io.BytesIO(page.chart_png), Inches(0.5 + (12.3 - w) / 2), Inches(top), Inches(w), Inches(w * ratio)
            )
            pic._element.nvPicPr.cNvPr.set("descr", page.chart_alt)  # alt text for screen readers
            pic.name = f"Chart: {page.name}"
        if page.commentary:
            by = f" ({page.commentary_by})" if page.commentary_by else ""
            text = f"Latest commentary{by}: {page.commentary}"
            _textbox(slide, 0.5, bottom + 0.02, 12.3, 0.45, text if len(text) < 260 else text[:257] + "…", 13)
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=report.MUTED)
        notes = [
            page.chart_alt,
            f"Definition: {page.definition or 'not recorded'}",
            f"Owner: {page.owner or 'not recorded'}",
            f"Source: {page.source or 'not recorded'}",
        ]
        notes += [t for t in (page.provenance, page.attribution) if t]
        notes += [f"{k}: {v}" for k, v in page.quality]
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()

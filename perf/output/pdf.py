"""Briefing packs and measure sheets as PDF: tagged (PDF/UA), A4 landscape for a pack, portrait for a sheet.

The pack's content comes from :mod:`perf.output.report`; this module only lays it out on paper.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import duckdb

from perf.drawing import charts
from perf.output import report
from perf.words import vocabulary


_LATIN1 = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "≈": "~",
        "•": "-",
        "→": "->",
        "−": "-",
        "›": ">",
        "\u00a0": " ",
    }
)


# --- PDF ------------------------------------------------------------------------------------------
def _pdf_class() -> type:
    """The pack's PDF document: a tagged PDF (structure tree, reading order, headings, chart alt text).

    fpdf2 tags images with alt text itself (Figure); ``tag`` marks each heading and paragraph as drawn,
    and ``artifact`` the page furniture, so everything on a page is either read out in order or skipped.
    """
    from fpdf import FPDF, ViewerPreferences

    class _Doc(FPDF):
        """An FPDF with the pack's font, footer and drawing helpers."""

        footer_text = ""

        def __init__(self, orientation: str) -> None:
            super().__init__(orientation=orientation, unit="mm", format="A4")
            self.set_margins(14, 12, 14)
            self.set_auto_page_break(False)
            fonts = report.find_fonts()
            self.unicode = fonts is not None
            if fonts is not None:
                self.add_font("Body", "", str(fonts[0]))
                self.add_font("Body", "B", str(fonts[1]))
                self.family_name = "Body"
            else:
                self.family_name = "helvetica"
            self.set_lang("en-GB")
            self.viewer_preferences = ViewerPreferences(display_doc_title=True)
            self.alias_nb_pages()

        def t(self, text: str) -> str:
            """Text the current font can draw."""
            if self.unicode:
                return text
            return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

        def fit(self, text: str, width: float) -> str:
            """``text`` cut with an ellipsis to fit ``width`` mm in the current font."""
            text = self.t(text)
            if self.get_string_width(text) <= width:
                return text
            dots = self.t("…")
            while len(text) > 1 and self.get_string_width(text + dots) > width:
                text = text[:-1]
            return text.rstrip() + dots

        def font(self, size: float, bold: bool = False, colour: str = report.INK) -> None:
            self.set_font(self.family_name, "B" if bold else "", size)
            self.set_text_color(colour)

        @contextmanager
        def tag(self, kind: str) -> Iterator[None]:
            """What is drawn inside is one structure element (H1, H2, H3, P), next in reading order."""
            mcid = self.struct_builder.next_mcid_for_page(self.page)
            self._add_marked_content(struct_type=f"/{kind}", mcid=mcid)
            self._out(f"/{kind} <</MCID {mcid}>> BDC")
            yield
            self._out("EMC")

        @contextmanager
        def artifact(self) -> Iterator[None]:
            """Page furniture and decoration (footers, bands, shapes beside their words): not read out."""
            self._out("/Artifact BMC")
            yield
            self._out("EMC")

        def footer(self) -> None:
            with self.artifact():
                self.set_y(-10)
                self.font(9, colour=report.MUTED)
                self.cell(0, 5, self.t(self.footer_text), new_x="LMARGIN")
                self.set_x(self.l_margin)
                self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

        def lines(self, text: str, w: float, h: float, max_lines: int, **kw: Any) -> float:
            """Write wrapped text, cut to ``max_lines`` with an ellipsis; returns the height used."""
            text = self.t(text)
            got = cast(list[str], self.multi_cell(w, h, text, align="L", dry_run=True, output="LINES"))
            if len(got) > max_lines:
                keep = got[:max_lines]
                keep[-1] = keep[-1].rstrip()[: max(len(keep[-1]) - 2, 0)].rstrip() + self.t("…")
                text = "\n".join(s.rstrip() for s in keep)  # the lines as they would print
            x = self.get_x()
            y = self.get_y()
            self.multi_cell(w, h, text, align=kw.pop("align", "L"), new_x="LEFT", new_y="NEXT", **kw)
            self.set_x(x)
            return self.get_y() - y

        def shape(self, kind: str, x: float, y: float, size: float, colour: str) -> None:
            """A filled marker matching the chart's point shapes (top-left at x, y)."""
            self.set_fill_color(colour)
            self.set_draw_color(colour)
            s = size
            if kind == "triangle-up":
                self.polygon([(x, y + s), (x + s / 2, y), (x + s, y + s)], style="F")
            elif kind == "triangle-down":
                self.polygon([(x, y), (x + s, y), (x + s / 2, y + s)], style="F")
            elif kind == "diamond":
                self.polygon([(x + s / 2, y), (x + s, y + s / 2), (x + s / 2, y + s), (x, y + s / 2)], style="F")
            elif kind == "square":
                self.rect(x + s * 0.08, y + s * 0.08, s * 0.84, s * 0.84, style="F")
            else:
                self.ellipse(x, y, s, s, style="F")

        def badges(self, page: report.MeasurePage, x: float, y: float, size: float = 11) -> float:
            """Variation and assurance as a shape and words; returns the height used."""
            box = size * 0.42
            cx, top = x, y
            if page.variation is not None:
                style = charts.POINT_STYLE.get(page.variation, charts.POINT_STYLE["common_cause"])
                with self.artifact():
                    self.shape(style[2], cx, y + 0.6, box, style[1])
                self.set_xy(cx + box + 2, y)
                self.font(size, bold=True)
                label = self.t(page.variation_label + (" (new this period)" if page.first_signal else ""))
                with self.tag("P"):
                    self.cell(self.get_string_width(label) + 1, box + 1.2, label)
                cx = self.get_x() + 8
            if page.assurance is not None and page.assurance_label:
                colour = report.ASSURANCE_COLOUR[page.assurance]
                self.font(size, bold=True)
                if cx + box + 3 + self.get_string_width(self.t(page.assurance_label)) > self.w - self.r_margin:
                    cx, y = x, y + box + 3  # no room beside the variation label: next line
                self.set_draw_color(colour)
                self.set_line_width(0.6)
                with self.artifact():  # the circled letter repeats the words beside it
                    self.ellipse(cx, y + 0.3, box + 0.6, box + 0.6, style="D")
                    self.set_xy(cx, y + 0.3)
                    self.font(size * 0.62, bold=True, colour=colour)
                    self.cell(box + 0.6, box + 0.6, report.ASSURANCE_MARK[page.assurance], align="C")
                self.set_xy(cx + box + 2.6, y)
                self.font(size, bold=True)
                with self.tag("P"):
                    self.cell(0, box + 1.2, self.t(page.assurance_label))
                self.set_line_width(0.2)
            return y - top + box + 2.5

    return _Doc


def _chart(doc: Any, page: report.MeasurePage, x: float, y: float, max_w: float, max_h: float) -> float:
    """Place the chart PNG as large as fits, centred; returns the height used."""
    if page.chart_png is None:
        return 0.0
    from PIL import Image

    with Image.open(io.BytesIO(page.chart_png)) as img:
        ratio = img.height / img.width
    w = min(max_w, max_h / ratio)
    h = w * ratio
    doc.image(io.BytesIO(page.chart_png), x=x + (max_w - w) / 2, y=y, w=w, h=h, alt_text=page.chart_alt)
    return h


def _title_page(doc: Any, pack: report.Pack, links: list[int], exceptions_link: int, first_measure: int) -> None:
    doc.add_page()
    w = doc.w - doc.l_margin - doc.r_margin
    doc.set_fill_color(vocabulary.NAVY)
    with doc.artifact():
        doc.rect(0, 0, doc.w, 8, style="F")
    doc.set_xy(doc.l_margin, 22)
    doc.font(16, colour=report.MUTED)
    with doc.tag("P"):
        doc.cell(w, 8, doc.t(pack.dataset_name), new_x="LMARGIN", new_y="NEXT")
    doc.font(34, bold=True)
    with doc.tag("H1"):
        doc.cell(w, 16, doc.t("Performance briefing"), new_x="LMARGIN", new_y="NEXT")
    doc.font(22, bold=True, colour=vocabulary.NAVY)
    with doc.tag("P"):
        doc.lines(pack.scope_name, w, 10, 2)
    doc.ln(2)
    doc.font(15)
    with doc.tag("P"):
        doc.cell(w, 8, doc.t(f"{pack.period_label} · {pack.place}"), new_x="LMARGIN", new_y="NEXT")
    with doc.tag("P"):
        doc.cell(w, 8, doc.t(f"Prepared {report.long_date(pack.prepared)}"), new_x="LMARGIN", new_y="NEXT")
    if pack.illustrative:
        doc.ln(3)
        doc.set_fill_color("#FFF4CE")
        doc.font(13, bold=True)
        with doc.tag("P"):
            doc.cell(w, 9, doc.t("  " + report.illustrative_line(pack)), fill=True, new_x="LMARGIN", new_y="NEXT")
    doc.ln(5)
    doc.font(13, bold=True)
    n = len(pack.exceptions)
    with doc.tag("P"):
        doc.cell(
            w,
            7,
            doc.t(f"In this pack: {len(pack.pages)} measures; the latest value of {n} is a signal"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.font(11, colour=vocabulary.NAVY)
    with doc.tag("P"):
        doc.cell(w, 6, doc.t(report.EXCEPTIONS_TITLE), link=exceptions_link, new_x="LMARGIN", new_y="NEXT")
    # contents: two columns of measures with their variation shape, each linking to its page
    top = doc.get_y() + 1
    row_h = 4.9
    rows = max(int((doc.h - 16 - top) // row_h), 1)
    col_w = w / 2
    shown = pack.pages[: rows * 2]
    for i, page in enumerate(shown):
        x = doc.l_margin + (i // rows) * col_w
        y = top + (i % rows) * row_h
        if page.variation is not None:
            style = charts.POINT_STYLE.get(page.variation, charts.POINT_STYLE["common_cause"])
            with doc.artifact():
                doc.shape(style[2], x, y + 1.0, 2.8, style[1])
        doc.set_xy(x + 5, y)
        with doc.tag("P"):  # one contents line: name, variation, page
            doc.font(10)
            doc.cell(col_w - 50, row_h, doc.fit(page.name, col_w - 52), link=links[i])
            doc.font(10, colour=report.MUTED)
            doc.cell(30, row_h, doc.t(report.VARIATION_SHORT.get(page.variation or "", "No values")), link=links[i])
            doc.cell(8, row_h, str(first_measure + i), align="R", link=links[i])
    if len(pack.pages) > len(shown):
        doc.set_xy(doc.l_margin, top + rows * row_h)
        doc.font(10, colour=report.MUTED)
        with doc.tag("P"):
            doc.cell(w, row_h, doc.t(f"…and {len(pack.pages) - len(shown)} more"))


EXCEPTIONS_TOP = 44.0  # mm: below the heading and the explanation


def _exception_height(doc: Any, page: report.MeasurePage, w: float) -> float:
    doc.font(13)
    lines = min(len(doc.multi_cell(w, 6.2, doc.t(page.sentence), align="L", dry_run=True, output="LINES")), 3)
    return 7.5 + 8 + lines * 6.2 + 4


def _exception_chunks(doc: Any, pack: report.Pack) -> list[list[report.MeasurePage]]:
    """The exceptions split into pages by the height each entry takes, so none runs into the footer."""
    w = doc.w - doc.l_margin - doc.r_margin
    room = doc.h - 14 - EXCEPTIONS_TOP
    chunks: list[list[report.MeasurePage]] = [[]]
    used = 0.0
    for page in pack.exceptions:
        height = _exception_height(doc, page, w)
        if chunks[-1] and used + height > room:
            chunks.append([])
            used = 0.0
        chunks[-1].append(page)
        used += height
    return chunks


def _section_page(doc: Any, title: str, n: int, intro: str, *, size: float = 22) -> float:
    """A new page of a pack's section: its heading (" (continued)" after the first page) and the line that
    says what the section holds; returns the width to write in."""
    w = float(doc.w - doc.l_margin - doc.r_margin)
    doc.add_page()
    doc.set_xy(doc.l_margin, 14)
    doc.font(size, bold=True)
    with doc.tag("H2"):
        doc.cell(w, 11, doc.fit(title + (" (continued)" if n else ""), w), new_x="LMARGIN", new_y="NEXT")
    doc.font(13, colour=report.MUTED)
    with doc.tag("P"):
        doc.lines(intro, w, 6.5, 2)
    doc.set_y(EXCEPTIONS_TOP)
    return w


def _exceptions(
    doc: Any, pack: report.Pack, chunks: list[list[report.MeasurePage]], page_links: dict[str, int]
) -> None:
    for n, chunk in enumerate(chunks):
        w = _section_page(
            doc,
            report.EXCEPTIONS_TITLE,
            n,
            (
                "The latest value of each measure below is a signal: something has probably changed in the "
                "system, so it is worth asking why. Every other measure is behaving as it has been."
            ),
            size=24,
        )
        if not chunk:
            doc.font(16)
            with doc.tag("P"):
                doc.lines(f"No measure shows a signal in its latest value up to {report.long_date(pack.end)}.", w, 8, 3)
        for page in chunk:
            y = doc.get_y()
            doc.set_xy(doc.l_margin, y + 7.5)  # the name is read first, then its badges and sentence
            doc.font(15, bold=True)
            with doc.tag("H3"):
                doc.cell(w, 8, doc.fit(page.name, w), link=page_links[page.measure_id], new_x="LMARGIN", new_y="NEXT")
            after = doc.get_y()
            doc.badges(page, doc.l_margin, y, size=12)
            doc.set_xy(doc.l_margin, after)
            doc.font(13)
            with doc.tag("P"):
                doc.lines(page.sentence, w, 6.2, 3)
            doc.ln(4)


def _signal_height(doc: Any, entry: report.SignalEntry, w: float) -> float:
    doc.font(13, bold=True)
    lines = min(len(doc.multi_cell(w, 6.2, doc.t(entry.sentence), dry_run=True, output="LINES")), 3)
    doc.font(11.5)
    answer = (
        min(len(doc.multi_cell(w, 5.4, doc.t(entry.answer), dry_run=True, output="LINES")), 4) if entry.answer else 0
    )
    return lines * 6.2 + 6 + answer * 5.4 + 4


E = TypeVar("E")


def _page_chunks(doc: Any, entries: Sequence[E], height: Callable[[Any, E, float], float]) -> list[list[E]]:
    """Entries split into pages by their height (signals, reviews); no page at all for none."""
    w = doc.w - doc.l_margin - doc.r_margin
    room = doc.h - 14 - EXCEPTIONS_TOP
    chunks: list[list[E]] = []
    used = room + 1
    for entry in entries:
        h = height(doc, entry, w)
        if used + h > room:
            chunks.append([])
            used = 0.0
        chunks[-1].append(entry)
        used += h
    return chunks


def _signals(doc: Any, pack: report.Pack, chunks: list[list[report.SignalEntry]], page_links: dict[str, int]) -> None:
    for n, chunk in enumerate(chunks):
        w = _section_page(
            doc,
            report.SIGNALS_TITLE,
            n,
            (
                "Each signal found when data arrived stays open until its owner says what caused it, what is "
                f"being done and the outcome. Open signals, and those closed in the last "
                f"{report.SIGNALS_RECENT_DAYS} days."
            ),
        )
        for entry in chunk:
            doc.font(13, bold=True)
            doc.lines(entry.sentence, w, 6.2, 3)
            doc.font(11.5, colour=vocabulary.NAVY)
            doc.cell(
                w, 6, doc.fit(entry.status, w), link=page_links.get(entry.measure_id, ""), new_x="LMARGIN", new_y="NEXT"
            )
            if entry.answer:
                doc.font(11.5)
                doc.lines(entry.answer, w, 5.4, 4)
            doc.ln(4)


def _review_height(doc: Any, entry: report.ReviewEntry, w: float) -> float:
    doc.font(11.5)
    lines = (
        min(len(doc.multi_cell(w, 5.4, doc.t(entry.evidence), dry_run=True, output="LINES")), 5)
        if entry.evidence
        else 0
    )
    return 7.5 + 6 + (6.2 if entry.verdict else 0) + lines * 5.4 + 4


def _reviews(doc: Any, pack: report.Pack, chunks: list[list[report.ReviewEntry]], page_links: dict[str, int]) -> None:
    for n, chunk in enumerate(chunks):
        w = _section_page(
            doc,
            report.REVIEWS_TITLE,
            n,
            (
                "The latest review of each measure that has one: the change it judged and, for officers, "
                "what the data showed against the old system's limits."
            ),
        )
        for entry in chunk:
            doc.font(14, bold=True)
            with doc.tag("H3"):
                doc.cell(
                    w,
                    7.5,
                    doc.fit(entry.name, w),
                    link=page_links.get(entry.measure_id, ""),
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
            doc.font(11.5, colour=vocabulary.NAVY)
            with doc.tag("P"):
                doc.cell(w, 6, doc.fit(report.review_dates(entry), w), new_x="LMARGIN", new_y="NEXT")
            if entry.verdict:
                doc.font(12.5, bold=True)
                with doc.tag("P"):
                    doc.cell(w, 6.2, doc.fit(entry.verdict, w), new_x="LMARGIN", new_y="NEXT")
            if entry.evidence:
                doc.font(11.5)
                with doc.tag("P"):
                    doc.lines(entry.evidence, w, 5.4, 5)
            doc.ln(4)


def _measure(doc: Any, pack: report.Pack, page: report.MeasurePage, index: int) -> None:
    doc.add_page()
    w = doc.w - doc.l_margin - doc.r_margin
    doc.set_xy(doc.l_margin, 16)
    doc.font(22, bold=True)
    with doc.tag("H2"):  # drawn before the line above it, so a screen reader reads the name first
        doc.lines(page.name, w, 10, 2)
    below = doc.get_y()
    doc.set_xy(doc.l_margin, 10)
    doc.font(10.5, colour=report.MUTED)
    where = page.strategic_purpose_name + (
        f" › {page.purpose_name}" if page.purpose_name and page.purpose_name != page.strategic_purpose_name else ""
    )
    with doc.tag("P"):
        doc.cell(w - 40, 6, doc.fit(" · ".join(p for p in (where, page.place, page.provenance) if p), w - 44))
        doc.cell(40, 6, doc.t(f"Measure {index + 1} of {len(pack.pages)}"), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_xy(doc.l_margin, below)
    doc.ln(1)
    doc.font(19)
    with doc.tag("P"):
        doc.lines(page.sentence, w, 8.6, 4)
    doc.ln(2)
    doc.set_y(doc.get_y() + doc.badges(page, doc.l_margin, doc.get_y(), size=13))
    note_h = 0.0
    note = ""
    if page.commentary:
        note = (
            f"Latest commentary ({page.commentary_by}): {page.commentary}"
            if page.commentary_by
            else f"Latest commentary: {page.commentary}"
        )
        doc.font(12)
        note_h = min(len(doc.multi_cell(w, 5.6, doc.t(note), dry_run=True, output="LINES")), 4) * 5.6 + 3
    bottom = doc.h - 13
    y = doc.get_y() + 1
    used = _chart(doc, page, doc.l_margin, y, w, bottom - note_h - y)
    if page.chart_png is None:
        doc.set_xy(doc.l_margin, y + 10)
        doc.font(14, colour=report.MUTED)
        with doc.tag("P"):
            doc.lines("There is no chart: no values were recorded in this period.", w, 7, 2)
    if note:
        doc.set_xy(doc.l_margin, y + used + 2)
        doc.font(12)
        with doc.tag("P"):
            doc.lines(note, w, 5.6, 4)
    if page.attribution:
        doc.set_xy(doc.l_margin, bottom - 5)
        doc.font(9, colour=report.MUTED)
        with doc.tag("P"):
            doc.lines(f"Source: {page.attribution}", w, 4.2, 1)


def pack_pdf(pack: report.Pack) -> bytes:
    """The pack as an A4 landscape PDF: title and contents, exceptions, then a page per measure."""
    doc = _pdf_class()("L")
    doc.set_title(f"Performance briefing: {pack.scope_name}, {pack.period_label}")
    doc.set_author(pack.dataset_name)
    doc.set_creator("Outside-In")
    doc.footer_text = report.footer_line(pack)
    scratch = _pdf_class()("L")  # measuring text needs a page; the real document's first is the title
    scratch.add_page()
    chunks = _exception_chunks(scratch, pack)
    signal_chunks = _page_chunks(scratch, pack.signals, _signal_height)
    review_chunks = _page_chunks(scratch, pack.reviews, _review_height)
    first_measure = 2 + len(chunks) + len(signal_chunks) + len(review_chunks)  # title, exceptions, signals,
    # reviews, a page per measure
    links = [doc.add_link(page=first_measure + i) for i in range(len(pack.pages))]
    by_id = {p.measure_id: links[i] for i, p in enumerate(pack.pages)}
    exceptions_link = doc.add_link(page=2)
    _title_page(doc, pack, links, exceptions_link, first_measure)
    _exceptions(doc, pack, chunks, by_id)
    _signals(doc, pack, signal_chunks, by_id)
    _reviews(doc, pack, review_chunks, by_id)
    for i, page in enumerate(pack.pages):
        _measure(doc, pack, page, i)
    return bytes(doc.output())


def measure_sheet_pdf(pack: report.Pack, measure_id: str | None = None) -> bytes:
    """A one-page A4 portrait sheet for one measure: chart, sentence, definition, owner, quality notes."""
    page = next((p for p in pack.pages if measure_id in (None, p.measure_id)), None)
    if page is None:
        raise ValueError(f"measure {measure_id!r} is not in the pack")
    doc = _pdf_class()("P")
    doc.set_title(f"Measure sheet: {page.name}")
    doc.set_author(pack.dataset_name)
    doc.set_creator("Outside-In")
    doc.footer_text = report.footer_line(pack)
    doc.add_page()
    w = doc.w - doc.l_margin - doc.r_margin
    doc.set_xy(doc.l_margin, 10)
    doc.font(10, colour=report.MUTED)
    with doc.tag("P"):
        doc.cell(
            w,
            5,
            doc.t(f"Measure sheet · {pack.dataset_name}" + (" · Illustrative data" if pack.illustrative else "")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.font(20, bold=True)
    with doc.tag("H1"):
        doc.lines(page.name, w, 9, 2)
    doc.font(11, colour=report.MUTED)
    where = page.strategic_purpose_name + (
        f" › {page.purpose_name}" if page.purpose_name and page.purpose_name != page.strategic_purpose_name else ""
    )
    with doc.tag("P"):
        doc.lines(f"{where} · {page.place} · {pack.period_label}", w, 5.5, 2)
    doc.ln(2)
    doc.font(15)
    with doc.tag("P"):
        doc.lines(page.sentence, w, 7, 4)
    doc.ln(1.5)
    doc.set_y(doc.get_y() + doc.badges(page, doc.l_margin, doc.get_y(), size=11.5))
    used = _chart(doc, page, doc.l_margin, doc.get_y() + 1, w, 80)
    doc.set_y(doc.get_y() + used + 4)
    quality = "\n".join(f"{k}: {v}" for k, v in page.quality) or "No data-quality notes recorded."
    sections = [  # data quality last: it takes whatever room is left, the rest must always show
        ("What it measures", page.definition or "No definition recorded.", 5),
        ("Owner", page.owner or "Not recorded.", 1),
        ("Target", page.target or "No target.", 1),
        (
            "Latest commentary",
            (f"{page.commentary} ({page.commentary_by})" if page.commentary_by else page.commentary)
            if page.commentary
            else "No commentary yet.",
            5,
        ),
        (
            "Source and date",
            (f"{page.provenance}. " if page.provenance else "")
            + (f"{page.attribution} " if page.attribution else "")
            + f"{page.source or 'Source not recorded'}. Latest value: "
            f"{page.latest_label or 'none in this period'}. Prepared {report.long_date(pack.prepared)}.",
            3,
        ),
        ("Data quality", quality, 14),
    ]
    for heading, body, max_lines in sections:
        if doc.get_y() > doc.h - 24:
            break
        doc.font(11, bold=True, colour=vocabulary.NAVY)
        with doc.tag("H2"):
            doc.cell(w, 6, doc.t(heading), new_x="LMARGIN", new_y="NEXT")
        doc.font(11)
        room = int((doc.h - 16 - doc.get_y()) // 5.2)
        with doc.tag("P"):
            doc.lines(body, w, 5.2, max(1, min(max_lines, room)))
        doc.ln(2)
    return bytes(doc.output())


def sheet(con: duckdb.DuckDBPyConnection, measure_id: str, **options: Any) -> bytes:
    """A measure sheet straight from the database (options as :func:`build_pack`)."""
    return measure_sheet_pdf(report.sheet_pack(con, measure_id, **options), measure_id)

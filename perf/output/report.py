"""Briefing packs and measure sheets: the app's charts and sentences on paper and on slides.

Councils brief Portfolio Holders before Cabinet and councillors read papers offline, so the pack
is built from the same pieces as the pages (``measure_chart.build``, ``narrative.measure_sentence``,
``charts.xmr_chart``) and drawn offline: charts to PNG with vl-convert, pages with fpdf2 (pure
Python), slides with python-pptx. Variation and assurance are drawn as a shape *and* a text label
(vector shapes, so no font needs the glyph), never colour alone (WCAG 2.2 SC 1.4.1).

A pack is gathered once (:func:`build_pack`: queries, limits, sentences, chart specs; charts are drawn
on first use and cached, so the database can be released before the slow part) and written as a
PDF (:func:`pack_pdf`) or a deck (:func:`pack_pptx`). ``public_only=True`` keeps unpublished
measures and internal commentary out, whatever ids are asked for.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import pandas as pd

from perf import store
from perf.output import measure_chart
from perf.access import public
from perf.analysis import measures
from perf.drawing import charts
from perf.signals import signal_answers
from perf.words import narrative, vocabulary
from perf.analysis.measures import Measure

CHART_WIDTH_PX = 1200  # drawn at scale 2, so a full-width A4 landscape chart stays sharp in print
CHART_HEIGHT_PX = 370
SHEET_CHART_WIDTH_PX = 900  # narrower on a portrait sheet, so its type prints at the same size
PNG_SCALE = 2
MIN_CONTEXT_POINTS = 12  # a short period is drawn with earlier points for context, the period shaded
VARIATION_SHORT = {"common_cause": "Normal variation", "special_cause_improvement": "Improving",
                   "special_cause_concern": "Concerning", "special_cause_neutral_high": "Unusually high",
                   "special_cause_neutral_low": "Unusually low"}
ASSURANCE_MARK = {"consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}  # as MDC's icons
ASSURANCE_COLOUR = {kind: style.colour for kind, style in vocabulary.ASSURANCE.items()}
INK = "#1A1A1A"
MUTED = "#505050"  # 8.1:1 on white: small print stays readable (WCAG 1.4.3 asks 4.5:1)
BAND = "#E8F0F8"


# --- the pack as data ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MeasurePage:
    """Everything one page or slide says about one measure."""

    measure_id: str
    name: str
    purpose_name: str
    strategic_purpose_name: str
    unit: str
    place: str
    sentence: str
    variation: str | None  # point type of the latest value in the period; None without data
    assurance: str | None
    first_signal: bool  # the latest value is a new signal (perf.output.measure_chart.is_new_signal), as on the Overview
    latest_label: str  # 'March 2025'
    chart_json: str | None  # Vega-Lite; drawn on first use, so a pack can be gathered under a read lock
    chart_alt: str
    commentary: str | None
    commentary_by: str | None
    definition: str
    owner: str
    source: str
    target: str | None
    quality: tuple[tuple[str, str], ...] = ()
    provenance: str = ""  # 'Real data: <source> (<licence>)' or 'Illustrative data' (perf.analysis.measures.provenance)
    attribution: str = ""  # the source's attribution sentence, for real published figures

    @property
    def is_exception(self) -> bool:
        """True when the latest value is a signal (special cause): the pack's exceptions section."""
        return self.variation is not None and self.variation != "common_cause"

    @property
    def chart_png(self) -> bytes | None:
        """The chart as a PNG (drawn once, then cached), or None when there were no values."""
        return None if self.chart_json is None else png(self.chart_json)

    @property
    def variation_label(self) -> str:
        if self.variation is None:
            return "No values in this period"
        return narrative.VARIATION_WORDS.get(self.variation, self.variation)

    @property
    def assurance_label(self) -> str | None:
        return narrative.ASSURANCE_WORDS.get(self.assurance) if self.assurance else None


@dataclass(frozen=True)
class SignalEntry:
    """A signal item for the pack's exceptions: what it is, where it stands, and its answer."""

    measure_id: str
    sentence: str
    status: str
    answer: str


@dataclass(frozen=True)
class ReviewEntry:
    """The latest Check–Plan–Do review of one measure: when, which change, and what it found. The
    public's entry carries the dates only (perf.access.public.reviews): verdict and evidence are "" there."""

    measure_id: str
    name: str
    reviewed: dt.date
    change_date: dt.date
    verdict: str = ""
    evidence: str = ""
    provisional: bool = False


@dataclass(frozen=True)
class Pack:
    """A briefing pack: what it covers, for when, and one page per measure."""

    scope_name: str
    start: dt.date
    end: dt.date
    prepared: dt.date
    dataset_name: str
    illustrative: bool
    public_only: bool
    place: str
    attribution: str = ""
    pages: tuple[MeasurePage, ...] = field(default_factory=tuple)
    signals: tuple[SignalEntry, ...] = ()  # open and recently closed signal items, with their answers
    reviews: tuple[ReviewEntry, ...] = ()  # each measure's latest Check–Plan–Do review up to the pack

    @property
    def exceptions(self) -> tuple[MeasurePage, ...]:
        return tuple(p for p in self.pages if p.is_exception)

    @property
    def period_label(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"


def long_date(day: dt.date) -> str:
    """'1 April 2024': how a committee paper writes a date."""
    return f"{day.day} {day:%B %Y}"


def parse_date(value: str | dt.date | None, name: str) -> dt.date | None:
    """A date from ISO text or a date; the error names the argument and the expected form."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a date written YYYY-MM-DD, got {value!r}") from None


# --- choosing the measures ----------------------------------------------------------------------
def select_measures(
    con: duckdb.DuckDBPyConnection,
    *,
    purpose_id: str | None = "all",
    portfolio: str | None = None,
    measure_ids: Sequence[str] | None = None,
    public_only: bool = False,
) -> pd.DataFrame:
    """The catalogue rows a pack covers; unknown purposes, portfolios or measures raise ValueError.

    In public mode an unpublished measure is reported as unknown, so its existence is not revealed.
    """
    if purpose_id not in (None, "all") and store.query(con, "report_purpose", {"purpose_id": purpose_id}).empty:
        known = ", ".join(measures.purposes(con).query("kind == 'strategic'")["purpose_id"].astype(str))
        raise ValueError(f"unknown purpose {purpose_id!r}; strategic purposes are: {known} (or 'all')")
    ids = None if measure_ids is None else [str(m) for m in measure_ids]
    frame = store.query(con, "report_measures", {
        "purpose_id": purpose_id, "portfolio": portfolio, "measure_ids": ids, "public_only": public_only,
    })
    if portfolio is not None and frame.empty:
        cat = measures.catalogue(con, public_only=public_only)
        if portfolio not in set(cat["portfolio"].dropna()):
            known = ", ".join(sorted(str(p) for p in cat["portfolio"].dropna().unique()))
            raise ValueError(f"unknown portfolio {portfolio!r}; portfolios are: {known}")
    if ids is not None:
        missing = [m for m in ids if m not in set(frame["measure_id"])]
        if missing:
            raise ValueError(f"unknown measure {missing[0]!r}" + (" (or not published)" if public_only else ""))
    return public.scrub_measures(frame, public.audience_for(public_only))


def scope_name(con: duckdb.DuckDBPyConnection, purpose_id: str | None, portfolio: str | None,
               measure_ids: Sequence[str] | None) -> str:
    """How the title page names what the pack covers."""
    if measure_ids is not None:
        return "Selected measures"
    if portfolio is not None:
        return f"{portfolio} portfolio"
    if purpose_id in (None, "all"):
        return "All purposes"
    row = store.query(con, "report_purpose", {"purpose_id": purpose_id})
    return str(row["name"].iloc[0])


# --- one measure --------------------------------------------------------------------------------
def chart_spec(
    points: pd.DataFrame,
    dates: pd.Series,
    *,
    y_title: str,
    target: float | None,
    phase_labels: dict[int, str],
    period_from: pd.Timestamp | None = None,
    width: int = CHART_WIDTH_PX,
) -> str:
    """The measure's process-behaviour chart for print, as Vega-Lite JSON, the reporting period shaded."""
    chart = charts.xmr_chart(points, dates, title="", y_title=y_title, target=target,
                             phase_labels=phase_labels, size="large", height=CHART_HEIGHT_PX)
    spec: dict[str, Any] = chart.to_dict()
    when = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    months = (when.iloc[-1].year - when.iloc[0].year) * 12 + when.iloc[-1].month - when.iloc[0].month if len(when) else 0
    step = next(s for limit, s in ((8, 1), (18, 2), (36, 3), (72, 6), (10**6, 12)) if months <= limit)
    spec["width"], spec["height"] = width, CHART_HEIGHT_PX  # a file has no container to fill
    config = spec.setdefault("config", {})
    config["legend"] = {**config.get("legend", {}), "labelLimit": 0, "symbolSize": 160,
                        "columns": 0 if width >= 1000 else 3}
    config["axisX"] = {**config.get("axisX", {}), "tickCount": {"interval": "month", "step": step},
                       "labelOverlap": True}
    if period_from is not None and len(when) and when.iloc[0] < period_from <= when.iloc[-1]:
        band = {"values": [{"start": f"{period_from:%Y-%m-%d}", "end": f"{when.iloc[-1]:%Y-%m-%d}",
                            "label": "Reporting period"}]}
        x = {"field": "start", "type": "temporal"}
        shade = {"data": band, "mark": {"type": "rect", "color": BAND},
                 "encoding": {"x": x, "x2": {"field": "end"}}}
        words = {"data": band, "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 4,
                                        "y": CHART_HEIGHT_PX - 4, "fontSize": 16, "color": MUTED},
                 "encoding": {"x": x, "text": {"field": "label", "type": "nominal"}}}
        spec["layer"] = [shade, words, *spec.get("layer", [])]
    return json.dumps(spec, sort_keys=True, default=str)


def render_chart(points: pd.DataFrame, dates: pd.Series, **options: Any) -> bytes:
    """The chart of :func:`chart_spec` as a PNG, drawn offline by vl-convert."""
    return png(chart_spec(points, dates, **options))


@lru_cache(maxsize=64)  # ~0.7 MB each; a PDF then a deck of the same pack draws each chart once
def png(spec_json: str) -> bytes:
    """Vega-Lite JSON to PNG at scale 2 (sharp in print); cached on the spec, which holds the data."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(json.loads(spec_json), scale=PNG_SCALE))


def measure_page(
    measure: Measure,
    data: pd.DataFrame,
    phase_rows: pd.DataFrame,
    note: pd.Series | None,
    *,
    start: dt.date,
    end: dt.date,
    place: str,
    render: bool = False,
    chart_width: int = CHART_WIDTH_PX,
    withheld: str | None = None,
    excluded: pd.DataFrame | None = None,
) -> MeasurePage:
    """One measure's page: limits from all its history up to ``end``, shown for the period.

    The limits use every value to the end of the period (a phase is judged against itself, not
    against the reporting window); a period with fewer than ``MIN_CONTEXT_POINTS`` values is drawn
    with earlier values for context and the period shaded. The chart is built as every page builds
    it (:func:`perf.output.measure_chart.build`); ``excluded``: the periods one-off answers left out of the limits.
    """
    m = measure
    frequency = m.frequency
    unit = m.unit
    target = m.target
    common: dict[str, Any] = {
        "measure_id": m.measure_id, "name": m.name, "purpose_name": m.purpose_name,
        "strategic_purpose_name": m.strategic_purpose_name, "unit": unit, "place": place,
        "definition": m.definition or "", "owner": m.owner or "", "source": m.source or "",
        "target": None if target is None else narrative.format_value(target, unit, m.decimals),
        "quality": m.quality,
        "provenance": m.provenance, "attribution": m.attribution,
        "commentary": None if note is None else str(note["body"]),
        "commentary_by": None if note is None else _note_by(note, frequency),
    }
    if withheld is not None:  # the public pack of a series too thin to chart (perf.access.public.mostly_hidden)
        return MeasurePage(**common, sentence=withheld, variation=None, assurance=None, first_signal=False,
                           latest_label="", chart_json=None, chart_alt=withheld)
    built = measure_chart.build(m, data, phase_rows, end=pd.Timestamp(end), drop_missing=True,
                                since=pd.Timestamp(start), context=MIN_CONTEXT_POINTS, excluded=excluded)
    upto = built.data
    in_period = upto["period_start"] >= pd.Timestamp(start)
    if not in_period.any():
        sentence = f"No values were recorded between {long_date(start)} and {long_date(end)}."
        return MeasurePage(**common, sentence=sentence, variation=None, assurance=None, first_signal=False,
                           latest_label="", chart_json=None, chart_alt=sentence)
    dates, chart, shown, points = upto["period_start"], built.chart, built.shown, built.points
    if note is not None:
        common["commentary_by"] = _note_by(note, frequency, dates.loc[shown].iloc[0], dates.iloc[-1])
    sentence = narrative.measure_sentence(m.words(), points, dates.loc[shown], changed_since=built.changed_since)
    latest_label = narrative.period_label(dates.iloc[-1], frequency)
    alt_text = (f"Process-behaviour chart of {m.name} ({unit}) from "
                f"{narrative.period_label(dates.loc[shown].iloc[0], frequency)} to {latest_label}, with its "
                f"average and natural process limits. {sentence}")
    # number the phases from the first one shown, so a phase that began before the window
    # does not draw a change line at the chart's left edge
    offset = int(points["phase"].min())
    labels = built.phase_labels
    spec = chart_spec(points.assign(phase=points["phase"] - offset), dates.loc[shown], y_title=unit,
                      target=target, phase_labels={k - offset: v for k, v in labels.items() if k > offset},
                      period_from=pd.Timestamp(dates[in_period].iloc[0]), width=chart_width)
    if render:
        png(spec)
    return MeasurePage(**common, sentence=sentence, variation=built.variation, assurance=chart.assurance,
                       first_signal=built.new_signal, latest_label=latest_label, chart_json=spec, chart_alt=alt_text)


def _note_by(note: pd.Series, frequency: str, first_shown: Any = None, latest: Any = None) -> str:
    """Who wrote the note and which period it is about, marked when older than the chart."""
    about = narrative.note_label(note.get("period_start"), note.get("written_at"), frequency,
                                 first_shown=first_shown, latest=latest)
    author = str(note.get("author") or "")
    return ", ".join(part for part in (author, about) if part)


def build_pack(
    con: duckdb.DuckDBPyConnection,
    *,
    purpose_id: str | None = "all",
    portfolio: str | None = None,
    measure_ids: Sequence[str] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    locality_id: str = measures.AREA,
    public_only: bool = False,
    prepared: dt.date | None = None,
    render: bool = False,
    chart_width: int = CHART_WIDTH_PX,
) -> Pack:
    """Gather and draw every page of a briefing pack.

    ``end`` defaults to the latest period in the data and ``start`` to a year before ``end``.
    A measure with no values for ``locality_id`` is shown for the whole area, and says so.
    Charts are drawn when first used (``render=True`` draws them all now), so a caller can close
    the database before writing the PDF or deck, the slow part.

    Example
    -------
    >>> import tempfile, pathlib, tests.tiny_db as tiny
    >>> con = store.connect(tiny.build(pathlib.Path(tempfile.mkdtemp()) / "t.duckdb"))
    >>> pack = build_pack(con, purpose_id="SAFE", start="2024-04-01", end="2025-03-31", render=False)
    >>> [p.measure_id for p in pack.exceptions]
    ['M_CALLS']
    """
    first = parse_date(start, "start")
    last = parse_date(end, "end")
    if first is not None and last is not None and first > last:
        raise ValueError(f"start ({first}) is after end ({last})")
    chosen = select_measures(con, purpose_id=purpose_id, portfolio=portfolio, measure_ids=measure_ids,
                             public_only=public_only)
    ids = [str(m) for m in chosen["measure_id"]]
    audience = public.audience_for(public_only)  # the public's pack: small counts hidden, no names (perf.access.public)
    data = public.series(con, ids, locality_id, audience) if ids else pd.DataFrame()
    area = public.series(con, ids, measures.AREA, audience) if ids and locality_id != measures.AREA else data
    if last is None:
        latest = data["period_start"].max() if len(data) else pd.NaT
        last = (latest.date() if pd.notna(latest) else dt.date.today())
    if first is None:
        first = (pd.Timestamp(last) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date()
    if first > last:
        raise ValueError(f"start ({first}) is after end ({last})")
    places = measures.localities(con)
    place_name = str(dict(zip(places["locality_id"], places["name"], strict=True)).get(locality_id, locality_id))
    phase_rows = public.phases(con, audience)
    left_out = signal_answers.all_excluded(con)  # one-off points answered "leave out of the limits"
    notes = store.query(con, "report_commentary", {"measure_ids": ids, "end": last, "public_only": public_only})
    notes["author"] = [public.commentary_author(a, audience) for a in notes["author"]]
    note_for = {str(r["measure_id"]): r for _, r in notes.iterrows()}
    meta = measures.meta(con)
    pages = []
    for _, row in chosen.iterrows():
        mid = str(row["measure_id"])
        own = data[data["measure_id"] == mid] if len(data) else data
        place = place_name
        if own.empty and locality_id != measures.AREA and len(area):
            own, place = area[area["measure_id"] == mid], "Whole area"
        if own.empty:
            own = pd.DataFrame({"period_start": pd.Series(dtype="datetime64[us]"), "value": pd.Series(dtype=float)})
        window = own[(own["period_start"] >= pd.Timestamp(first)) & (own["period_start"] <= pd.Timestamp(last))]
        withheld = public.too_few_words(place) if public.mostly_hidden(window) else None
        where = measures.AREA if place == "Whole area" else locality_id
        pages.append(measure_page(
            Measure.from_row(row), own, phase_rows[phase_rows["measure_id"] == mid],
            note_for.get(mid),
            start=first, end=last, place=place, render=render, chart_width=chart_width, withheld=withheld,
            excluded=left_out[(left_out["measure_id"] == mid) & (left_out["locality_id"] == where)],
        ))
    day = prepared or dt.date.today()
    latest = data["period_start"].max() if len(data) else pd.NaT
    # a pack up to the latest data also carries reviews made since it arrived; an older pack, those up to its end
    cutoff = max(last, day) if pd.isna(latest) or last >= pd.Timestamp(latest).date() else last
    return Pack(
        scope_name=scope_name(con, purpose_id, portfolio, measure_ids), start=first, end=last,
        prepared=day, dataset_name=meta.get("dataset_name") or "Council performance",
        illustrative=meta.get("dataset", "").lower() == "illustrative", public_only=public_only,
        place=place_name, attribution=meta.get("attribution", ""), pages=tuple(pages),
        signals=() if public_only else signal_entries(con, ids, locality_id, places, day),
        reviews=review_entries(con, chosen, audience, cutoff),
    )


def review_entries(con: duckdb.DuckDBPyConnection, chosen: pd.DataFrame, audience: public.Audience,
                   cutoff: dt.date) -> tuple[ReviewEntry, ...]:
    """Each measure's latest Check–Plan–Do review recorded by ``cutoff``, with the verdict and its evidence
    as the review page worded them; for the public, the dates only (perf.access.public.reviews)."""
    from perf.analysis import review

    out = []
    for _, m in chosen.iterrows():
        past = public.reviews(con, str(m["measure_id"]), audience)
        past = past[pd.to_datetime(past["reviewed_at"]).dt.date <= cutoff]
        if past.empty:
            continue
        row = past.iloc[0]  # newest first
        verdict = evidence = ""
        if audience == "officer":
            _, verdict, evidence = review.split_finding(str(row.get("actions") or ""))
            if not verdict:  # saved without the page's finding: the decision is what the review said
                verdict = f"Decision: {str(row.get('decision') or '').strip()}"
        out.append(ReviewEntry(
            str(m["measure_id"]), str(m["name"]), pd.Timestamp(row["reviewed_at"]).date(),
            pd.Timestamp(row["change_date"]).date(), verdict, evidence, "limits are provisional" in evidence))
    return tuple(out)


SIGNALS_RECENT_DAYS = 90  # "recently closed": a quarter, the span between most performance reviews


def signal_entries(con: duckdb.DuckDBPyConnection, ids: Sequence[str], locality_id: str, places: pd.DataFrame,
                   prepared: dt.date) -> tuple[SignalEntry, ...]:
    """The open and recently closed signal items of the pack's measures in its place (and the wards
    under it), newest first, each with its answer. Answers are internal: public packs carry none."""
    since = prepared - dt.timedelta(days=SIGNALS_RECENT_DAYS)
    found = signal_answers.items(con, status="recent", since=since)
    found = found[found["measure_id"].isin(list(ids))]
    if locality_id != measures.AREA:
        inside = {locality_id}
        while True:
            more = set(places.loc[places["parent_id"].isin(inside), "locality_id"]) - inside
            if not more:
                break
            inside |= more
        found = found[found["locality_id"].isin(inside)]
    out = []
    for _, item in found.iterrows():
        if item["status"] == "open":
            status = f"Open, awaiting an answer from {item['owner'] or 'its owner'}"
            answer = ""
        else:
            status = f"Closed {long_date(pd.Timestamp(item['closed_at']).date())}"
            answer = signal_answers.answer_words(item) or str(item["closed_reason"] or "")
        out.append(SignalEntry(str(item["measure_id"]), str(item["sentence"]), status, answer))
    return tuple(out)


# --- fonts ----------------------------------------------------------------------------------------
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
             Path.home() / ".local/share/fonts", Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
FONT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"))
_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                         "≈": "~", "•": "-", "→": "->", "−": "-", "›": ">", "\u00a0": " "})


@cache
def find_fonts() -> tuple[Path, Path] | None:
    """Regular and bold TTF of DejaVu Sans or Liberation Sans, if the system has them.

    Found at run time, not shipped: both come with Debian's chromium and most desktops. Without
    them the PDF falls back to the built-in Helvetica (Latin-1 only, so text is transliterated).
    """
    for regular, bold in FONT_FILES:
        for folder in FONT_DIRS:
            if not folder.is_dir():
                continue
            found = {p.name: p for p in folder.rglob("*.ttf") if p.name in (regular, bold)}
            if regular in found and bold in found:
                return found[regular], found[bold]
    return None


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
            fonts = find_fonts()
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

        def font(self, size: float, bold: bool = False, colour: str = INK) -> None:
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
                self.font(9, colour=MUTED)
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

        def badges(self, page: MeasurePage, x: float, y: float, size: float = 11) -> float:
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
                colour = ASSURANCE_COLOUR[page.assurance]
                self.font(size, bold=True)
                if cx + box + 3 + self.get_string_width(self.t(page.assurance_label)) > self.w - self.r_margin:
                    cx, y = x, y + box + 3  # no room beside the variation label: next line
                self.set_draw_color(colour)
                self.set_line_width(0.6)
                with self.artifact():  # the circled letter repeats the words beside it
                    self.ellipse(cx, y + 0.3, box + 0.6, box + 0.6, style="D")
                    self.set_xy(cx, y + 0.3)
                    self.font(size * 0.62, bold=True, colour=colour)
                    self.cell(box + 0.6, box + 0.6, ASSURANCE_MARK[page.assurance], align="C")
                self.set_xy(cx + box + 2.6, y)
                self.font(size, bold=True)
                with self.tag("P"):
                    self.cell(0, box + 1.2, self.t(page.assurance_label))
                self.set_line_width(0.2)
            return y - top + box + 2.5

    return _Doc


def _illustrative_line(pack: Pack) -> str:
    """The cover's warning: made-up figures, except the measures marked Real data when a pack has some."""
    real = sum(p.provenance.startswith("Real data") for p in pack.pages)
    if real:
        return (f"Illustrative data, except {real} measure{'s' if real != 1 else ''} marked Real data "
                "(real published figures, source on the page).")
    return "Illustrative data: these figures are made up to show how the pack works."


def _footer(pack: Pack) -> str:
    parts = [pack.dataset_name]
    if pack.illustrative:
        real = any(p.provenance.startswith("Real data") for p in pack.pages)
        parts.append("Illustrative data except measures marked Real data" if real else "Illustrative data")
    if pack.public_only:
        parts.append("Published measures")
    parts.append(f"Prepared {long_date(pack.prepared)}")
    return " · ".join(parts)


def _chart(doc: Any, page: MeasurePage, x: float, y: float, max_w: float, max_h: float) -> float:
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


def _title_page(doc: Any, pack: Pack, links: list[int], exceptions_link: int, first_measure: int) -> None:
    doc.add_page()
    w = doc.w - doc.l_margin - doc.r_margin
    doc.set_fill_color("#1F3A5F")
    with doc.artifact():
        doc.rect(0, 0, doc.w, 8, style="F")
    doc.set_xy(doc.l_margin, 22)
    doc.font(16, colour=MUTED)
    with doc.tag("P"):
        doc.cell(w, 8, doc.t(pack.dataset_name), new_x="LMARGIN", new_y="NEXT")
    doc.font(34, bold=True)
    with doc.tag("H1"):
        doc.cell(w, 16, doc.t("Performance briefing"), new_x="LMARGIN", new_y="NEXT")
    doc.font(22, bold=True, colour="#1F3A5F")
    with doc.tag("P"):
        doc.lines(pack.scope_name, w, 10, 2)
    doc.ln(2)
    doc.font(15)
    with doc.tag("P"):
        doc.cell(w, 8, doc.t(f"{pack.period_label} · {pack.place}"), new_x="LMARGIN", new_y="NEXT")
    with doc.tag("P"):
        doc.cell(w, 8, doc.t(f"Prepared {long_date(pack.prepared)}"), new_x="LMARGIN", new_y="NEXT")
    if pack.illustrative:
        doc.ln(3)
        doc.set_fill_color("#FFF4CE")
        doc.font(13, bold=True)
        with doc.tag("P"):
            doc.cell(w, 9, doc.t("  " + _illustrative_line(pack)), fill=True, new_x="LMARGIN", new_y="NEXT")
    doc.ln(5)
    doc.font(13, bold=True)
    n = len(pack.exceptions)
    with doc.tag("P"):
        doc.cell(w, 7, doc.t(f"In this pack: {len(pack.pages)} measures; the latest value of {n} is a signal"),
                 new_x="LMARGIN", new_y="NEXT")
    doc.font(11, colour="#1F3A5F")
    with doc.tag("P"):
        doc.cell(w, 6, doc.t(EXCEPTIONS_TITLE), link=exceptions_link,
                 new_x="LMARGIN", new_y="NEXT")
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
            doc.font(10, colour=MUTED)
            doc.cell(30, row_h, doc.t(VARIATION_SHORT.get(page.variation or "", "No values")), link=links[i])
            doc.cell(8, row_h, str(first_measure + i), align="R", link=links[i])
    if len(pack.pages) > len(shown):
        doc.set_xy(doc.l_margin, top + rows * row_h)
        doc.font(10, colour=MUTED)
        with doc.tag("P"):
            doc.cell(w, row_h, doc.t(f"…and {len(pack.pages) - len(shown)} more"))


EXCEPTIONS_TITLE = "Exceptions: measures whose latest value is a signal"
EXCEPTIONS_TOP = 44.0  # mm: below the heading and the explanation


def _exception_height(doc: Any, page: MeasurePage, w: float) -> float:
    doc.font(13)
    lines = min(len(doc.multi_cell(w, 6.2, doc.t(page.sentence), align="L", dry_run=True, output="LINES")), 3)
    return 7.5 + 8 + lines * 6.2 + 4


def _exception_chunks(doc: Any, pack: Pack) -> list[list[MeasurePage]]:
    """The exceptions split into pages by the height each entry takes, so none runs into the footer."""
    w = doc.w - doc.l_margin - doc.r_margin
    room = doc.h - 14 - EXCEPTIONS_TOP
    chunks: list[list[MeasurePage]] = [[]]
    used = 0.0
    for page in pack.exceptions:
        height = _exception_height(doc, page, w)
        if chunks[-1] and used + height > room:
            chunks.append([])
            used = 0.0
        chunks[-1].append(page)
        used += height
    return chunks


def _exceptions(doc: Any, pack: Pack, chunks: list[list[MeasurePage]], page_links: dict[str, int]) -> None:
    w = doc.w - doc.l_margin - doc.r_margin
    for n, chunk in enumerate(chunks):
        doc.add_page()
        doc.set_xy(doc.l_margin, 14)
        doc.font(24, bold=True)
        with doc.tag("H2"):
            doc.cell(w, 11, doc.t(EXCEPTIONS_TITLE + (" (continued)" if n else "")),
                     new_x="LMARGIN", new_y="NEXT")
        doc.font(13, colour=MUTED)
        with doc.tag("P"):
            doc.lines("The latest value of each measure below is a signal: something has probably changed in the "
                      "system, so it is worth asking why. Every other measure is behaving as it has been.", w, 6.5, 2)
        doc.set_y(EXCEPTIONS_TOP)
        if not chunk:
            doc.font(16)
            with doc.tag("P"):
                doc.lines(f"No measure shows a signal in its latest value up to {long_date(pack.end)}.", w, 8, 3)
        for page in chunk:
            y = doc.get_y()
            doc.set_xy(doc.l_margin, y + 7.5)  # the name is read first, then its badges and sentence
            doc.font(15, bold=True)
            with doc.tag("H3"):
                doc.cell(w, 8, doc.fit(page.name, w), link=page_links[page.measure_id], new_x="LMARGIN",
                         new_y="NEXT")
            after = doc.get_y()
            doc.badges(page, doc.l_margin, y, size=12)
            doc.set_xy(doc.l_margin, after)
            doc.font(13)
            with doc.tag("P"):
                doc.lines(page.sentence, w, 6.2, 3)
            doc.ln(4)


SIGNALS_TITLE = "Exceptions: signals found as data arrived, and their answers"


def _signal_height(doc: Any, entry: SignalEntry, w: float) -> float:
    doc.font(13, bold=True)
    lines = min(len(doc.multi_cell(w, 6.2, doc.t(entry.sentence), dry_run=True, output="LINES")), 3)
    doc.font(11.5)
    answer = min(len(doc.multi_cell(w, 5.4, doc.t(entry.answer), dry_run=True, output="LINES")), 4) \
        if entry.answer else 0
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


def _signals(doc: Any, pack: Pack, chunks: list[list[SignalEntry]], page_links: dict[str, int]) -> None:
    w = doc.w - doc.l_margin - doc.r_margin
    for n, chunk in enumerate(chunks):
        doc.add_page()
        doc.set_xy(doc.l_margin, 14)
        doc.font(22, bold=True)
        doc.cell(w, 11, doc.fit(SIGNALS_TITLE + (" (continued)" if n else ""), w), new_x="LMARGIN", new_y="NEXT")
        doc.font(13, colour=MUTED)
        doc.lines(f"Each signal found when data arrived stays open until its owner says what caused it, what is "
                  f"being done and the outcome. Open signals, and those closed in the last "
                  f"{SIGNALS_RECENT_DAYS} days.", w, 6.5, 2)
        doc.set_y(EXCEPTIONS_TOP)
        for entry in chunk:
            doc.font(13, bold=True)
            doc.lines(entry.sentence, w, 6.2, 3)
            doc.font(11.5, colour="#1F3A5F")
            doc.cell(w, 6, doc.fit(entry.status, w), link=page_links.get(entry.measure_id, ""),
                     new_x="LMARGIN", new_y="NEXT")
            if entry.answer:
                doc.font(11.5)
                doc.lines(entry.answer, w, 5.4, 4)
            doc.ln(4)


REVIEWS_TITLE = "Check–Plan–Do reviews: did the changes shift the system?"


def review_dates(entry: ReviewEntry) -> str:
    """The line under a review's measure: when it was reviewed, which change, and whether its limits are firm."""
    text = f"Reviewed {long_date(entry.reviewed)}: the change of {long_date(entry.change_date)}"
    return text + (" (old limits provisional)" if entry.provisional else "")


def _review_height(doc: Any, entry: ReviewEntry, w: float) -> float:
    doc.font(11.5)
    lines = min(len(doc.multi_cell(w, 5.4, doc.t(entry.evidence), dry_run=True, output="LINES")), 5) \
        if entry.evidence else 0
    return 7.5 + 6 + (6.2 if entry.verdict else 0) + lines * 5.4 + 4


def _reviews(doc: Any, pack: Pack, chunks: list[list[ReviewEntry]], page_links: dict[str, int]) -> None:
    w = doc.w - doc.l_margin - doc.r_margin
    for n, chunk in enumerate(chunks):
        doc.add_page()
        doc.set_xy(doc.l_margin, 14)
        doc.font(22, bold=True)
        with doc.tag("H2"):
            doc.cell(w, 11, doc.fit(REVIEWS_TITLE + (" (continued)" if n else ""), w), new_x="LMARGIN",
                     new_y="NEXT")
        doc.font(13, colour=MUTED)
        with doc.tag("P"):
            doc.lines("The latest review of each measure that has one: the change it judged and, for officers, "
                      "what the data showed against the old system's limits.", w, 6.5, 2)
        doc.set_y(EXCEPTIONS_TOP)
        for entry in chunk:
            doc.font(14, bold=True)
            with doc.tag("H3"):
                doc.cell(w, 7.5, doc.fit(entry.name, w), link=page_links.get(entry.measure_id, ""),
                         new_x="LMARGIN", new_y="NEXT")
            doc.font(11.5, colour="#1F3A5F")
            with doc.tag("P"):
                doc.cell(w, 6, doc.fit(review_dates(entry), w), new_x="LMARGIN", new_y="NEXT")
            if entry.verdict:
                doc.font(12.5, bold=True)
                with doc.tag("P"):
                    doc.cell(w, 6.2, doc.fit(entry.verdict, w), new_x="LMARGIN", new_y="NEXT")
            if entry.evidence:
                doc.font(11.5)
                with doc.tag("P"):
                    doc.lines(entry.evidence, w, 5.4, 5)
            doc.ln(4)


def _measure(doc: Any, pack: Pack, page: MeasurePage, index: int) -> None:
    doc.add_page()
    w = doc.w - doc.l_margin - doc.r_margin
    doc.set_xy(doc.l_margin, 16)
    doc.font(22, bold=True)
    with doc.tag("H2"):  # drawn before the line above it, so a screen reader reads the name first
        doc.lines(page.name, w, 10, 2)
    below = doc.get_y()
    doc.set_xy(doc.l_margin, 10)
    doc.font(10.5, colour=MUTED)
    where = page.strategic_purpose_name + (f" › {page.purpose_name}" if page.purpose_name
                                          and page.purpose_name != page.strategic_purpose_name else "")
    with doc.tag("P"):
        doc.cell(w - 40, 6, doc.fit(" · ".join(p for p in (where, page.place, page.provenance) if p), w - 44))
        doc.cell(40, 6, doc.t(f"Measure {index + 1} of {len(pack.pages)}"), align="R", new_x="LMARGIN",
                 new_y="NEXT")
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
        note = f"Latest commentary ({page.commentary_by}): {page.commentary}" if page.commentary_by \
            else f"Latest commentary: {page.commentary}"
        doc.font(12)
        note_h = min(len(doc.multi_cell(w, 5.6, doc.t(note), dry_run=True, output="LINES")), 4) * 5.6 + 3
    bottom = doc.h - 13
    y = doc.get_y() + 1
    used = _chart(doc, page, doc.l_margin, y, w, bottom - note_h - y)
    if page.chart_png is None:
        doc.set_xy(doc.l_margin, y + 10)
        doc.font(14, colour=MUTED)
        with doc.tag("P"):
            doc.lines("There is no chart: no values were recorded in this period.", w, 7, 2)
    if note:
        doc.set_xy(doc.l_margin, y + used + 2)
        doc.font(12)
        with doc.tag("P"):
            doc.lines(note, w, 5.6, 4)
    if page.attribution:
        doc.set_xy(doc.l_margin, bottom - 5)
        doc.font(9, colour=MUTED)
        with doc.tag("P"):
            doc.lines(f"Source: {page.attribution}", w, 4.2, 1)


def pack_pdf(pack: Pack) -> bytes:
    """The pack as an A4 landscape PDF: title and contents, exceptions, then a page per measure."""
    doc = _pdf_class()("L")
    doc.set_title(f"Performance briefing: {pack.scope_name}, {pack.period_label}")
    doc.set_author(pack.dataset_name)
    doc.set_creator("Outside-In")
    doc.footer_text = _footer(pack)
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


def measure_sheet_pdf(pack: Pack, measure_id: str | None = None) -> bytes:
    """A one-page A4 portrait sheet for one measure: chart, sentence, definition, owner, quality notes."""
    page = next((p for p in pack.pages if measure_id in (None, p.measure_id)), None)
    if page is None:
        raise ValueError(f"measure {measure_id!r} is not in the pack")
    doc = _pdf_class()("P")
    doc.set_title(f"Measure sheet: {page.name}")
    doc.set_author(pack.dataset_name)
    doc.set_creator("Outside-In")
    doc.footer_text = _footer(pack)
    doc.add_page()
    w = doc.w - doc.l_margin - doc.r_margin
    doc.set_xy(doc.l_margin, 10)
    doc.font(10, colour=MUTED)
    with doc.tag("P"):
        doc.cell(w, 5, doc.t(f"Measure sheet · {pack.dataset_name}" + (" · Illustrative data" if pack.illustrative
                                                                          else "")), new_x="LMARGIN", new_y="NEXT")
    doc.font(20, bold=True)
    with doc.tag("H1"):
        doc.lines(page.name, w, 9, 2)
    doc.font(11, colour=MUTED)
    where = page.strategic_purpose_name + (f" › {page.purpose_name}" if page.purpose_name
                                          and page.purpose_name != page.strategic_purpose_name else "")
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
        ("Latest commentary", (f"{page.commentary} ({page.commentary_by})" if page.commentary_by
                               else page.commentary) if page.commentary else "No commentary yet.", 5),
        ("Source and date", (f"{page.provenance}. " if page.provenance else "")
                            + (f"{page.attribution} " if page.attribution else "")
                            + f"{page.source or 'Source not recorded'}. Latest value: "
                            f"{page.latest_label or 'none in this period'}. Prepared {long_date(pack.prepared)}.", 3),
        ("Data quality", quality, 14),
    ]
    for heading, body, max_lines in sections:
        if doc.get_y() > doc.h - 24:
            break
        doc.font(11, bold=True, colour="#1F3A5F")
        with doc.tag("H2"):
            doc.cell(w, 6, doc.t(heading), new_x="LMARGIN", new_y="NEXT")
        doc.font(11)
        room = int((doc.h - 16 - doc.get_y()) // 5.2)
        with doc.tag("P"):
            doc.lines(body, w, 5.2, max(1, min(max_lines, room)))
        doc.ln(2)
    return bytes(doc.output())


# --- PowerPoint -----------------------------------------------------------------------------------
def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())  # type: ignore[no-untyped-call]


def _textbox(slide: Any, x: float, y: float, w: float, h: float, text: str, size: float, *,
             bold: bool = False, colour: str = INK) -> Any:
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

    fonts = find_fonts()
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

    shape._element.nvSpPr.cNvPr.append(parse_xml(
        '<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<a:ext uri="{DECORATIVE_EXT}"><adec:decorative '
        'xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" val="1"/></a:ext></a:extLst>'))


def _slide_badges(slide: Any, page: MeasurePage, x: float, y: float, size: float = 16) -> float:
    """Variation and assurance as shapes and words; returns the height used in inches."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches, Pt

    kinds = {"triangle-up": MSO_SHAPE.ISOSCELES_TRIANGLE, "triangle-down": MSO_SHAPE.FLOWCHART_MERGE,
             "square": MSO_SHAPE.RECTANGLE, "diamond": MSO_SHAPE.DIAMOND, "circle": MSO_SHAPE.OVAL}
    box = size / 72 * 0.85
    line = size / 72 * 1.6
    cx, cy = x, y
    if page.variation is not None:
        _, colour, shape = charts.POINT_STYLE.get(page.variation, charts.POINT_STYLE["common_cause"])
        marker = slide.shapes.add_shape(kinds.get(shape, MSO_SHAPE.OVAL), Inches(cx), Inches(cy + (line - box) / 2),
                                        Inches(box), Inches(box))
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
        colour = ASSURANCE_COLOUR[page.assurance]
        ring = slide.shapes.add_shape(MSO_SHAPE.OVAL, Inches(cx), Inches(cy + (line - box * 1.2) / 2),
                                      Inches(box * 1.2), Inches(box * 1.2))
        ring.fill.background()
        ring.line.color.rgb = _rgb(colour)
        ring.line.width = Pt(2)
        ring.name = f"Assurance: {page.assurance_label}"
        _decorative(ring)
        frame = ring.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.text = ASSURANCE_MARK[page.assurance]
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
        run.font.color.rgb = _rgb(INK)


EXCEPTIONS_PER_SLIDE = 4  # each takes a badge line and up to three lines of 15 pt
SIGNALS_PER_SLIDE = 3  # each takes its sentence, where it stands and its answer
REVIEWS_PER_SLIDE = 3  # each takes its measure, dates, verdict and evidence


def pack_pptx(pack: Pack) -> bytes:
    """The pack as a 16:9 deck: title, exceptions, then a slide per measure (notes hold the detail)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = f"Performance briefing: {pack.scope_name}"
    deck.core_properties.author = pack.dataset_name
    title_only = deck.slide_layouts[5]
    footer = _footer(pack)

    cover = deck.slides.add_slide(title_only)
    _set_title(cover, f"Performance briefing: {pack.scope_name}", 40, top=2.0, height=1.6)
    _textbox(cover, 0.5, 0.6, 12, 0.6, pack.dataset_name, 22, colour=MUTED)
    _textbox(cover, 0.5, 3.7, 12, 0.6, f"{pack.period_label} · {pack.place}", 22)
    _textbox(cover, 0.5, 4.3, 12, 0.5, f"Prepared {long_date(pack.prepared)}", 18, colour=MUTED)
    _textbox(cover, 0.5, 5.0, 12, 0.5, f"{len(pack.pages)} measures; the latest value of {len(pack.exceptions)} is a signal",
             18)
    if pack.illustrative:
        _textbox(cover, 0.5, 5.8, 12, 0.5, _illustrative_line(pack), 18, bold=True, colour="#8A5A00")

    items = list(pack.exceptions)
    chunks = [items[i:i + EXCEPTIONS_PER_SLIDE] for i in range(0, len(items), EXCEPTIONS_PER_SLIDE)] or [[]]
    for n, chunk in enumerate(chunks):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, EXCEPTIONS_TITLE + (" (continued)" if n else ""), 32)
        if not chunk:
            _textbox(slide, 0.5, 1.6, 12.3, 1, f"No measure shows a signal in its latest value up to "
                                               f"{long_date(pack.end)}.", 24)
        y = 1.45
        for page in chunk:
            y += _slide_badges(slide, page, 0.5, y, size=14)
            _textbox(slide, 0.5, y, 12.3, 0.85, f"{page.name}: {page.sentence}", 15)
            y += 1.05
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=MUTED)

    signal_items = list(pack.signals)
    for n, start in enumerate(range(0, len(signal_items), SIGNALS_PER_SLIDE)):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, SIGNALS_TITLE + (" (continued)" if n else ""), 28)
        y = 1.45
        for entry in signal_items[start:start + SIGNALS_PER_SLIDE]:
            _textbox(slide, 0.5, y, 12.3, 0.7, entry.sentence, 15, bold=True)
            _textbox(slide, 0.5, y + 0.7, 12.3, 0.35, entry.status, 13, colour="#1F3A5F")
            if entry.answer:
                text = entry.answer if len(entry.answer) < 300 else entry.answer[:297] + "…"
                _textbox(slide, 0.5, y + 1.05, 12.3, 0.55, text, 12)
            y += 1.8
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=MUTED)

    review_items = list(pack.reviews)
    for n, start in enumerate(range(0, len(review_items), REVIEWS_PER_SLIDE)):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, REVIEWS_TITLE + (" (continued)" if n else ""), 28)
        y = 1.45
        for rev in review_items[start:start + REVIEWS_PER_SLIDE]:
            _textbox(slide, 0.5, y, 12.3, 0.4, rev.name, 15, bold=True)
            _textbox(slide, 0.5, y + 0.4, 12.3, 0.35, review_dates(rev), 13, colour="#1F3A5F")
            if rev.verdict:
                _textbox(slide, 0.5, y + 0.75, 12.3, 0.35, rev.verdict, 13, bold=True)
            if rev.evidence:
                text = rev.evidence if len(rev.evidence) < 300 else rev.evidence[:297] + "…"
                _textbox(slide, 0.5, y + 1.1, 12.3, 0.55, text, 12)
            y += 1.8
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=MUTED)

    for i, page in enumerate(pack.pages):
        slide = deck.slides.add_slide(title_only)
        _set_title(slide, page.name, 30, top=0.45, height=0.75)
        where = page.strategic_purpose_name + (f" › {page.purpose_name}" if page.purpose_name
                                              and page.purpose_name != page.strategic_purpose_name else "")
        header = " · ".join(p for p in (where, page.place, page.provenance) if p)
        _textbox(slide, 0.5, 0.1, 10.3, 0.35, _fit_in(header, 10.0, 12), 12, colour=MUTED)
        _textbox(slide, 10.8, 0.1, 2.0, 0.35, f"{i + 1} of {len(pack.pages)}", 12, colour=MUTED)
        _textbox(slide, 0.5, 1.15, 12.3, 1.1, page.sentence, 22)
        top = 2.3 + _slide_badges(slide, page, 0.55, 2.3, size=16) + 0.05
        bottom = 6.95 - (0.45 if page.commentary else 0)
        if page.chart_png is not None:
            from PIL import Image

            with Image.open(io.BytesIO(page.chart_png)) as img:
                ratio = img.height / img.width
            w = min(12.3, (bottom - top) / ratio)
            pic = slide.shapes.add_picture(io.BytesIO(page.chart_png), Inches(0.5 + (12.3 - w) / 2), Inches(top),
                                           Inches(w), Inches(w * ratio))
            pic._element.nvPicPr.cNvPr.set("descr", page.chart_alt)  # alt text for screen readers
            pic.name = f"Chart: {page.name}"
        if page.commentary:
            by = f" ({page.commentary_by})" if page.commentary_by else ""
            text = f"Latest commentary{by}: {page.commentary}"
            _textbox(slide, 0.5, bottom + 0.02, 12.3, 0.45, text if len(text) < 260 else text[:257] + "…", 13)
        _textbox(slide, 0.5, 7.0, 12.3, 0.35, footer, 11, colour=MUTED)
        notes = [page.chart_alt, f"Definition: {page.definition or 'not recorded'}",
                 f"Owner: {page.owner or 'not recorded'}", f"Source: {page.source or 'not recorded'}"]
        notes += [t for t in (page.provenance, page.attribution) if t]
        notes += [f"{k}: {v}" for k, v in page.quality]
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def sheet_pack(con: duckdb.DuckDBPyConnection, measure_id: str, **options: Any) -> Pack:
    """A one-measure pack laid out for a portrait sheet (options as :func:`build_pack`)."""
    options.setdefault("chart_width", SHEET_CHART_WIDTH_PX)
    pack = build_pack(con, purpose_id=None, measure_ids=[measure_id], **options)
    return replace(pack, scope_name=pack.pages[0].name)


def sheet(con: duckdb.DuckDBPyConnection, measure_id: str, **options: Any) -> bytes:
    """A measure sheet straight from the database (options as :func:`build_pack`)."""
    return measure_sheet_pdf(sheet_pack(con, measure_id, **options), measure_id)

"""Briefing packs and measure sheets: what a pack holds, gathered once for paper and slides alike.

Councils brief Portfolio Holders before Cabinet and councillors read papers offline, so the pack
is built from the same pieces as the pages (``measure_chart.build``, ``narrative.measure_sentence``,
``charts.xmr_chart``) and drawn offline: charts to PNG with vl-convert, pages with fpdf2 (pure
Python), slides with python-pptx. Variation and assurance are drawn as a shape *and* a text label
(vector shapes, so no font needs the glyph), never colour alone (WCAG 2.2 SC 1.4.1).

A pack is gathered once (:func:`build_pack`: queries, limits, sentences, chart specs; charts are drawn
on first use and cached, so the database can be released before the slow part) and written as a
PDF (:func:`perf.output.pdf.pack_pdf`) or a deck (:func:`perf.output.slides.pack_pptx`). The words
both formats print (titles, footer, the illustrative-data line) are defined here once. ``public_only=True`` keeps unpublished
measures and internal commentary out, whatever ids are asked for.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

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
VARIATION_SHORT = {kind: style.short for kind, style in vocabulary.POINT_TYPES.items()}
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
    frame = store.query(
        con,
        "report_measures",
        {
            "purpose_id": purpose_id,
            "portfolio": portfolio,
            "measure_ids": ids,
            "public_only": public_only,
        },
    )
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


def scope_name(
    con: duckdb.DuckDBPyConnection, purpose_id: str | None, portfolio: str | None, measure_ids: Sequence[str] | None
) -> str:
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
    chart = charts.xmr_chart(
        points,
        dates,
        title="",
        y_title=y_title,
        target=target,
        phase_labels=phase_labels,
        size="large",
        height=CHART_HEIGHT_PX,
    )
    spec: dict[str, Any] = chart.to_dict()
    when = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    months = (
        (when.iloc[-1].year - when.iloc[0].year) * 12 + when.iloc[-1].month - when.iloc[0].month if len(when) else 0
    )
    step = next(s for limit, s in ((8, 1), (18, 2), (36, 3), (72, 6), (10**6, 12)) if months <= limit)
    spec["width"], spec["height"] = width, CHART_HEIGHT_PX  # a file has no container to fill
    config = spec.setdefault("config", {})
    config["legend"] = {
        **config.get("legend", {}),
        "labelLimit": 0,
        "symbolSize": 160,
        "columns": 0 if width >= 1000 else 3,
    }
    config["axisX"] = {
        **config.get("axisX", {}),
        "tickCount": {"interval": "month", "step": step},
        "labelOverlap": True,
    }
    if period_from is not None and len(when) and when.iloc[0] < period_from <= when.iloc[-1]:
        band = {
            "values": [
                {"start": f"{period_from:%Y-%m-%d}", "end": f"{when.iloc[-1]:%Y-%m-%d}", "label": "Reporting period"}
            ]
        }
        x = {"field": "start", "type": "temporal"}
        shade = {"data": band, "mark": {"type": "rect", "color": BAND}, "encoding": {"x": x, "x2": {"field": "end"}}}
        words = {
            "data": band,
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "bottom",
                "dx": 4,
                "y": CHART_HEIGHT_PX - 4,
                "fontSize": 16,
                "color": MUTED,
            },
            "encoding": {"x": x, "text": {"field": "label", "type": "nominal"}},
        }
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
    locality_id: str = measures.AREA,
) -> MeasurePage:
    """One measure's page: limits from all its history up to ``end``, shown for the period.

    The limits use every value to the end of the period (a phase is judged against itself, not
    against the reporting window); a period with fewer than ``MIN_CONTEXT_POINTS`` values is drawn
    with earlier values for context and the period shaded. The chart is built as every page builds
    it (:func:`perf.output.measure_chart.build`); ``excluded``: the periods one-off answers left out of the limits.
    ``locality_id``: the place charted; a ward's chart draws no whole-area total as its target
    (:meth:`perf.analysis.measures.Measure.target_at`), and the page says the target is the whole area's.
    """
    m = measure
    frequency = m.frequency
    unit = m.unit
    target = m.target_at(locality_id)
    whole_area = " for the whole area" if m.target is not None and target is None else ""
    common: dict[str, Any] = {
        "measure_id": m.measure_id,
        "name": m.name,
        "purpose_name": m.purpose_name,
        "strategic_purpose_name": m.strategic_purpose_name,
        "unit": unit,
        "place": place,
        "definition": m.definition or "",
        "owner": m.owner or "",
        "source": m.source or "",
        "target": None if m.target is None else narrative.format_value(m.target, unit, m.decimals) + whole_area,
        "quality": m.quality,
        "provenance": m.provenance,
        "attribution": m.attribution,
        "commentary": None if note is None else str(note["body"]),
        "commentary_by": None if note is None else _note_by(note, frequency),
    }
    if withheld is not None:  # the public pack of a series too thin to chart (perf.access.public.withheld)
        return MeasurePage(
            **common,
            sentence=withheld,
            variation=None,
            assurance=None,
            first_signal=False,
            latest_label="",
            chart_json=None,
            chart_alt=withheld,
        )
    built = measure_chart.build(
        m,
        data,
        phase_rows,
        end=pd.Timestamp(end),
        drop_missing=True,
        since=pd.Timestamp(start),
        context=MIN_CONTEXT_POINTS,
        excluded=excluded,
        place=locality_id,
    )
    upto = built.data
    in_period = upto["period_start"] >= pd.Timestamp(start)
    if not in_period.any():
        sentence = f"No values were recorded between {long_date(start)} and {long_date(end)}."
        return MeasurePage(
            **common,
            sentence=sentence,
            variation=None,
            assurance=None,
            first_signal=False,
            latest_label="",
            chart_json=None,
            chart_alt=sentence,
        )
    dates, chart, shown, points = upto["period_start"], built.chart, built.shown, built.points
    if note is not None:
        common["commentary_by"] = _note_by(note, frequency, dates.loc[shown].iloc[0], dates.iloc[-1])
    sentence = narrative.measure_sentence(m.words(), points, dates.loc[shown], changed_since=built.changed_since)
    latest_label = narrative.period_label(dates.iloc[-1], frequency)
    alt_text = (
        f"Process-behaviour chart of {m.name} ({unit}) from "
        f"{narrative.period_label(dates.loc[shown].iloc[0], frequency)} to {latest_label}, with its "
        f"average and natural process limits. {sentence}"
    )
    window = data[(data["period_start"] >= pd.Timestamp(start)) & (data["period_start"] <= pd.Timestamp(end))]
    if "suppressed" in window.columns and window["suppressed"].astype(bool).any():
        # at most a tenth hidden (else withheld): charted from the periods shown, and said, as the app says it
        hidden_note = public.some_hidden_words(window["suppressed"].astype(bool))
        alt_text += f" {hidden_note}"
        common["quality"] = (*common["quality"], ("Public view", hidden_note))
    drawn, labels = built.drawn  # phases numbered from the first shown: no change line at the left edge
    spec = chart_spec(
        drawn,
        dates.loc[shown],
        y_title=unit,
        target=target,
        phase_labels=labels,
        period_from=pd.Timestamp(dates[in_period].iloc[0]),
        width=chart_width,
    )
    if render:
        png(spec)
    return MeasurePage(
        **common,
        sentence=sentence,
        variation=built.variation,
        assurance=chart.assurance,
        first_signal=built.new_signal,
        latest_label=latest_label,
        chart_json=spec,
        chart_alt=alt_text,
    )


def _note_by(note: pd.Series, frequency: str, first_shown: Any = None, latest: Any = None) -> str:
    """Who wrote the note and which period it is about, marked when older than the chart."""
    about = narrative.note_label(
        note.get("period_start"), note.get("written_at"), frequency, first_shown=first_shown, latest=latest
    )
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
    chosen = select_measures(
        con, purpose_id=purpose_id, portfolio=portfolio, measure_ids=measure_ids, public_only=public_only
    )
    ids = [str(m) for m in chosen["measure_id"]]
    audience = public.audience_for(public_only)  # the public's pack: small counts hidden, no names (perf.access.public)
    data = public.series(con, ids, locality_id, audience) if ids else pd.DataFrame()
    area = public.series(con, ids, measures.AREA, audience) if ids and locality_id != measures.AREA else data
    if last is None:
        latest = data["period_start"].max() if len(data) else pd.NaT
        last = latest.date() if pd.notna(latest) else dt.date.today()
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
    every = measures.measure_list(chosen)
    for m in every:
        mid = m.measure_id
        own = data[data["measure_id"] == mid] if len(data) else data
        place = place_name
        if own.empty and locality_id != measures.AREA and len(area):
            own, place = area[area["measure_id"] == mid], "Whole area"
        if own.empty:
            own = pd.DataFrame({"period_start": pd.Series(dtype="datetime64[us]"), "value": pd.Series(dtype=float)})
        window = own[(own["period_start"] >= pd.Timestamp(first)) & (own["period_start"] <= pd.Timestamp(last))]
        flags = [
            f.get("suppressed", pd.Series(False, index=f.index))
            for f in (window, own[own["period_start"] <= pd.Timestamp(last)])
        ]
        withheld = public.withheld(place, m.frequency, *flags)  # more than a tenth hidden: no chart, no sentence
        where = measures.AREA if place == "Whole area" else locality_id
        pages.append(
            measure_page(
                m,
                own,
                phase_rows[phase_rows["measure_id"] == mid],
                note_for.get(mid),
                start=first,
                end=last,
                place=place,
                render=render,
                chart_width=chart_width,
                withheld=withheld,
                excluded=left_out[(left_out["measure_id"] == mid) & (left_out["locality_id"] == where)],
                locality_id=where,
            )
        )
    day = prepared or dt.date.today()
    latest = data["period_start"].max() if len(data) else pd.NaT
    # a pack up to the latest data also carries reviews made since it arrived; an older pack, those up to its end
    cutoff = max(last, day) if pd.isna(latest) or last >= pd.Timestamp(latest).date() else last
    return Pack(
        scope_name=scope_name(con, purpose_id, portfolio, measure_ids),
        start=first,
        end=last,
        prepared=day,
        dataset_name=meta.get("dataset_name") or "Council performance",
        illustrative=meta.get("dataset", "").lower() == "illustrative",
        public_only=public_only,
        place=place_name,
        attribution=meta.get("attribution", ""),
        pages=tuple(pages),
        signals=() if public_only else signal_entries(con, ids, locality_id, places, day),
        reviews=review_entries(con, every, audience, cutoff),
    )


def review_entries(
    con: duckdb.DuckDBPyConnection, chosen: Sequence[Measure], audience: public.Audience, cutoff: dt.date
) -> tuple[ReviewEntry, ...]:
    """Each measure's latest Check–Plan–Do review recorded by ``cutoff``, with the verdict and its evidence
    as the review page worded them; for the public, the dates only (perf.access.public.reviews)."""
    from perf.analysis import review

    out = []
    for m in chosen:
        past = [r for r in review.recorded(public.reviews(con, m.measure_id, audience)) if r.reviewed <= cutoff]
        if not past:
            continue
        latest = past[0]  # newest first
        verdict = evidence = ""
        if audience == "officer":
            verdict, evidence = latest.finding
            if not verdict:  # saved without the page's finding: the decision is what the review said
                verdict = f"Decision: {latest.decision}"
        out.append(
            ReviewEntry(
                m.measure_id,
                m.name,
                latest.reviewed,
                latest.change_date,
                verdict,
                evidence,
                "limits are provisional" in evidence,
            )
        )
    return tuple(out)


SIGNALS_RECENT_DAYS = 90  # "recently closed": a quarter, the span between most performance reviews


def signal_entries(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], locality_id: str, places: pd.DataFrame, prepared: dt.date
) -> tuple[SignalEntry, ...]:
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
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
FONT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"))


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


def illustrative_line(pack: Pack) -> str:
    """The cover's warning: made-up figures, except the measures marked Real data when a pack has some."""
    real = sum(p.provenance.startswith("Real data") for p in pack.pages)
    if real:
        return (
            f"Illustrative data, except {real} measure{'s' if real != 1 else ''} marked Real data "
            "(real published figures, source on the page)."
        )
    return "Illustrative data: these figures are made up to show how the pack works."


def footer_line(pack: Pack) -> str:
    parts = [pack.dataset_name]
    if pack.illustrative:
        real = any(p.provenance.startswith("Real data") for p in pack.pages)
        parts.append("Illustrative data except measures marked Real data" if real else "Illustrative data")
    if pack.public_only:
        parts.append("Published measures")
    parts.append(f"Prepared {long_date(pack.prepared)}")
    return " · ".join(parts)


EXCEPTIONS_TITLE = "Exceptions: measures whose latest value is a signal"


SIGNALS_TITLE = "Exceptions: signals found as data arrived, and their answers"


REVIEWS_TITLE = "Check–Plan–Do reviews: did the changes shift the system?"


def review_dates(entry: ReviewEntry) -> str:
    """The line under a review's measure: when it was reviewed, which change, and whether its limits are firm."""
    text = f"Reviewed {long_date(entry.reviewed)}: the change of {long_date(entry.change_date)}"
    return text + (" (old limits provisional)" if entry.provisional else "")


def sheet_pack(con: duckdb.DuckDBPyConnection, measure_id: str, **options: Any) -> Pack:
    """A one-measure pack laid out for a portrait sheet (options as :func:`build_pack`)."""
    options.setdefault("chart_width", SHEET_CHART_WIDTH_PX)
    pack = build_pack(con, purpose_id=None, measure_ids=[measure_id], **options)
    return replace(pack, scope_name=pack.pages[0].name)

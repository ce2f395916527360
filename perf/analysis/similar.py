"""Similar councils: one published measure for a group of councils, each on its own control chart.

Why it exists: benchmarking usually means a league table, which turns a council's number into a
rank that says nothing about its system. Here each council gets its own process-behaviour chart
(its own limits, its own phases), a sentence in the usual words, and the group's median and median
absolute deviation for context. No ranks, no colours for "better" or "worse".
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from perf import spc, store
from perf.analysis import published
from perf.drawing import svg
from perf.spc import shifts
from perf.words import narrative, signal_words, vocabulary

PER_YEAR = {"month": 12, "year": 1}  # points a year: a shift must outlast a year's seasons (perf.spc.shifts)
NO_RANKS = (
    "No ranks, league table or red-amber-green: a council's place in a list says nothing about how its "
    "own system behaves; its chart against its own limits does."
)
READING = (
    "Each council has its own average (solid line) and limits (dashed), recalculated where its level shifted "
    "for good; ▲■◆▼ mark signals. Grey band: the group's median ± median absolute deviation each period, for "
    "context, not a target. Each chart has its own scale, which always shows the group's median; where the "
    "group spreads far wider than a council, the band runs off the edge."
)
BASES = {"global": "Overall", "economic": "Economic", "demographic": "Demographic"}  # ONS's similar-areas bases


def metrics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every published metric (FixMyStreet first), with its source and the span of its data."""
    return store.query(con, "similar_metrics")


def areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every council the published figures cover (today's first)."""
    return store.query(con, "similar_areas")


def group(
    con: duckdb.DuckDBPyConnection,
    code: str,
    *,
    basis: str = "global",
    same_tier: bool = True,
    most: int = published.MAX_GROUP,
) -> list[str]:
    """The chosen council and ONS's nearest neighbours on a basis (same tier by default), chosen first."""
    frame = store.query(con, "similar_neighbours", {"area_code": code, "basis": basis})
    return published.neighbour_group(frame, code, basis=basis, same_tier=same_tier, most=most)


def group_words(name: str, code: str, size: int, *, same_tier: bool = True, basis: str = "global") -> str:
    """Who the group is, in words: the council and its neighbours, and why the same tier by default.

    ``size`` counts the group with the council itself.
    """
    basis_words = BASES.get(basis, basis).lower()
    if same_tier:
        kind = published.TIER_WORDS.get(published.tier(code), "councils")
        return (
            f"{name} and the {size - 1} {kind} among ONS's 20 nearest neighbours ({basis_words}). Same tier "
            "only, by default: a district and a unitary council do different jobs, so their service figures are "
            "not alike."
        )
    return (
        f"{name} and its {size - 1} nearest neighbours ({basis_words}), every tier and nation: fine for outcomes "
        "such as pay or wellbeing, not for what a council delivers."
    )


def heading(metric: dict[str, Any]) -> str:
    """The measure as the comparison shows it: a count per 1,000 residents a month, else in its own unit."""
    if metric.get("per_1000"):
        return f"{metric['name']} per 1,000 residents, a month"
    return f"{metric['name']} ({metric['unit']})"


def auto_phases(frame: pd.DataFrame, *, per_year: int) -> np.ndarray:
    """Phase numbers per row: a new phase where the council's system moved (``perf.spc.shifts``).

    ``frame`` has area_code and value, in time order within each council. No council has told us
    when its system changed, so each new phase starts where a sustained shift begins, found as the
    Check–Plan–Do review finds one (``perf.spc.shifts.sustained_shifts``: a run that lasts, judged
    against the old system's own average; a season is not a new system).
    """
    phase = np.zeros(len(frame), dtype=int)
    codes = frame["area_code"].to_numpy(dtype=object)
    values = frame["value"].to_numpy(dtype=float)
    for code in pd.unique(codes):
        rows = np.flatnonzero(codes == code)
        for found in shifts.sustained_shifts(values[rows], per_year=per_year):
            phase[rows[found.start :]] += 1
    return phase


@dataclass(frozen=True)
class Comparison:
    """A metric for a group: each council's chart points, its sentence, and the group's median and spread."""

    metric: dict[str, Any]
    codes: tuple[str, ...]  # in the order shown: the chosen council first
    names: dict[str, str]
    points: pd.DataFrame  # area_code, period_start, value, centre, lower, upper, phase, point_type...
    band: pd.DataFrame  # period_start, median, mad, low, high, councils
    sentences: dict[str, str]
    unit: str
    population_used: str = ""  # which population the rates use ('' when not a rate)
    notes: tuple[str, ...] = ()  # code changes: moved to a successor, or ended
    without: tuple[str, ...] = ()  # councils in the group with no figures (named on the page)
    sources: tuple[str, ...] = field(default_factory=tuple)  # attribution sentences to show
    since: pd.Timestamp | None = None  # the first period shown (None: all of them)
    span: str = ""  # every period the limits come from, in words: 'Feb 2007 to Dec 2020'
    chosen: str = ""  # the council compared with the others (first asked for; may have no figures)
    few: tuple[str, ...] = ()  # councils with no report in most periods shown: drawn without signals

    @property
    def frequency(self) -> str:
        return str(self.metric["frequency"])

    @property
    def shown_span(self) -> str:
        """The periods shown, in words: 'January 2018 to December 2020'."""
        if self.points.empty:
            return ""
        dates = pd.to_datetime(self.points["period_start"])
        return _span_words(dates.min(), dates.max(), self.frequency)


def _filled(values: pd.DataFrame, codes: list[str], metric: dict[str, Any]) -> pd.DataFrame:
    """Zeros for the months a council had no report (FixMyStreet's files leave those rows out)."""
    if not metric.get("missing_is_zero"):
        return values
    months = pd.date_range(pd.Timestamp(metric["first_period"]), pd.Timestamp(metric["last_period"]), freq="MS")
    idx = pd.MultiIndex.from_product([codes, months], names=["area_code", "period_start"])
    return values.set_index(["area_code", "period_start"])["value"].reindex(idx, fill_value=0.0).reset_index()


def population_words(used: pd.DataFrame) -> str:
    """Which population each year's rate used, in words: 'Census 2011 for 2007–2011; ...'."""
    if used.empty:
        return ""
    spans = used.groupby("basis")["year"].agg(["min", "max"]).sort_values("min")
    parts = [f"{basis} for {lo}" + (f"–{hi}" if hi != lo else "") for basis, (lo, hi) in spans.iterrows()]
    return (
        "Rates per 1,000 residents use the population of the same year: "
        + "; ".join(parts)
        + " (ONS, Census 2011 and 2021)."
    )


def enough_decimals(values: pd.Series, least: int) -> int:
    """Decimals that show the group's typical figure to two significant figures (at least ``least``).

    Dog fouling reports are about 0.01 per 1,000 residents a month: with two decimals every council
    would be "about 0.00 per 1,000".
    """
    positive = values[values > 0].astype(float)
    if positive.empty:
        return least
    typical = float(positive.median())
    return int(min(max(least, math.ceil(-math.log10(typical)) + 1), 4))


def few_words(seen: pd.DataFrame, frequency: str) -> str:
    """For a count with no report in most of the periods shown: say so, rather than read a chart of zeros.

    ``seen`` has ``published`` (the count as published). A run of empty months under an average of a
    fraction of a report is what rare events look like, not a change in the system.
    """
    counts = seen["published"].astype(float)
    zeros, total = int((counts == 0).sum()), len(counts)
    if total == 0 or zeros * 2 <= total:
        return ""
    reports = int(round(float(counts.sum())))
    return (
        f"Few reports: none in {zeros} of the {signal_words.plural(total, frequency)} shown "
        f"({signal_words.plural(reports, 'report')} in all), too few for a {frequency}ly chart to say much."
    )


def _phase_words(pts: pd.DataFrame, dates: pd.Series, unit: str, decimals: int, frequency: str) -> str:
    """' Its level rose in June 2018, from about 0.60 per 1,000 to about 1.10 per 1,000.' when it moved."""
    phases = pts["phase"].to_numpy()
    if phases.max() == 0:
        return ""
    last = phases.max()
    now = float(pts["centre"].to_numpy()[phases == last][0])
    before = float(pts["centre"].to_numpy()[phases == last - 1][0])
    when = narrative.period_label(dates.to_numpy()[phases == last][0], frequency)
    word = "rose" if now > before else "fell"
    return (
        f" Its level {word} in {when}, from about {narrative.format_value(before, unit, decimals)} to about "
        f"{narrative.format_value(now, unit, decimals)}."
    )


def _span_words(first: Any, last: Any, frequency: str) -> str:
    a, b = narrative.period_label(first, frequency), narrative.period_label(last, frequency)
    return a if a == b else f"{a} to {b}"


def compare(
    con: duckdb.DuckDBPyConnection, metric_id: str, codes: list[str], *, since: pd.Timestamp | None = None
) -> Comparison:
    """Chart a metric for each council in ``codes`` (per 1,000 residents of the year where it is a count).

    Each council's average, limits and phases come from all its figures, as on every chart in the app;
    ``since`` (the sidebar's period, counted back from the latest figure) chooses the periods shown,
    worded and in the CSV, and the group's band is drawn for those.
    """
    found = store.query(con, "similar_metric", {"metric_id": metric_id})
    if found.empty:
        raise ValueError(f"no published metric {metric_id!r}")
    metric: dict[str, Any] = {str(k): v for k, v in found.iloc[0].items()}
    names = dict(zip(*(areas(con)[c] for c in ("area_code", "name")), strict=True))
    raw = store.query(con, "similar_values", {"metric_id": metric_id, "area_codes": codes})
    raw["period_start"] = pd.to_datetime(raw["period_start"])
    present = set(raw["area_code"].tolist())
    values = _filled(raw, [c for c in codes if c in present], metric)
    values["published"] = values["value"]  # the figure as its source publishes it: what the CSV loads back as
    unit = str(metric["unit"])
    population_used = ""
    if metric.get("per_1000"):
        census = store.query(con, "similar_population", {"area_codes": codes})
        years = sorted(values["period_start"].dt.year.unique().tolist())
        pop = published.population_by_year(census, years)
        values = published.per_thousand(values, pop)
        unit = "per 1,000"  # the sentence's words: 'about 0.37 per 1,000 a month' (the page says residents)
    # sorted by code, as the batch engine returns its points: rows and points stay aligned
    values = values.sort_values(["area_code", "period_start"]).reset_index(drop=True)
    present = set(values["area_code"].tolist())
    shown = [c for c in codes if c in present]
    without = tuple(c for c in codes if c not in shown)
    frequency = str(metric["frequency"])
    decimals = int(metric.get("decimals") or 1)
    if values.empty:
        return Comparison(
            metric,
            tuple(shown),
            names,
            pd.DataFrame(),
            pd.DataFrame(),
            {},
            unit,
            population_used,
            without=without,
            since=since,
            chosen=codes[0] if codes else "",
        )
    span = _span_words(values["period_start"].min(), values["period_start"].max(), frequency)
    phase = auto_phases(values[["area_code", "value"]], per_year=PER_YEAR.get(frequency, 12))
    pts = spc.batch_points(values[["area_code", "value"]].assign(phase=phase), series="area_code", phase="phase")
    pts["period_start"] = values["period_start"].to_numpy()
    pts["published"] = values["published"].to_numpy()
    if "population" in values.columns:
        pts["population"] = values["population"].to_numpy()
    window = np.ones(len(pts), dtype=bool) if since is None else (values["period_start"] >= since).to_numpy()
    decimals = enough_decimals(values.loc[window, "value"], decimals)
    about = {
        "unit": unit,
        "decimals": decimals,
        "frequency": frequency,
        "aggregation": "sum" if metric.get("additive") else "mean",
    }
    sentences: dict[str, str] = {}
    rare: list[str] = []
    for code, one in pts.groupby("area_code", sort=False):
        # the periods shown in the usual short words ("stable" only when none of them is special
        # cause), then when its level last moved (which may be before them: it says where it is now)
        seen = one[window[one.index.to_numpy()]].reset_index(drop=True)
        if seen.empty:
            continue
        few = few_words(seen, frequency) if metric.get("per_1000") else ""
        if few:  # most periods have no report: the chart's lines and signals say little, and it says so
            sentences[str(code)] = few
            rare.append(str(code))
            continue
        head, _ = narrative.headline(about, seen, seen["period_start"])
        sentences[str(code)] = head + _phase_words(one, one["period_start"], unit, decimals, frequency)
    if metric.get("per_1000"):
        used = values.loc[window, ["period_start", "basis"]]
        population_used = population_words(
            pd.DataFrame({"year": used["period_start"].dt.year, "basis": used["basis"]}).drop_duplicates()
        )
    pts = pts[window].reset_index(drop=True)
    shown = [c for c in shown if c in sentences]  # a council with no figure in the periods shown is named
    without = tuple(c for c in codes if c not in shown)
    notes = tuple(store.query(con, "similar_notes", {"metric_id": metric_id, "area_codes": codes})["note"])
    wanted = [
        s
        for s in (metric.get("source_id"), "ons-similar-areas", "ons-census" if metric.get("per_1000") else None)
        if isinstance(s, str)
    ]
    sources = tuple(store.query(con, "similar_sources", {"source_ids": wanted})["attribution"])
    return Comparison(
        metric,
        tuple(shown),
        names,
        pts,
        published.median_mad(values[window]),
        sentences,
        unit,
        population_used,
        notes,
        without,
        sources,
        since,
        span,
        chosen=codes[0],
        few=tuple(rare),
    )


# The CSV: the published-figures upload format first (what loads back), then the chart's working,
# which the loader accepts and leaves out (perf.intake.read.COLUMNS["published"]).
UPLOAD_COLUMNS = ("metric_id", "area_code", "area_name", "period_start", "value", "unit", "source")
WORKING_COLUMNS = (
    "per_1000_residents",
    "population",
    "centre",
    "lower",
    "upper",
    "phase",
    "variation",
    "group_median",
    "group_mad",
)


def figures(comparison: Comparison) -> pd.DataFrame:
    """The page's figures as a long file that loads back through ``perf load`` and the Upload page.

    First the upload format (measure, area code and name, period, the value as its source publishes
    it, its unit and source: the attribution travels with the figures), then the chart's working:
    the rate per 1,000 residents and the population it used (for counts), each council's average,
    limits and phase, the kind of variation, and the group's median and MAD, in the charted unit.
    The loader reads the first part and leaves the working out, so an exported file edited in a
    spreadsheet loads back as the same figures.
    """
    pts = comparison.points
    if pts.empty:
        return pd.DataFrame(columns=[*UPLOAD_COLUMNS, *WORKING_COLUMNS])
    band = comparison.band.set_index("period_start")
    rate = bool(comparison.metric.get("per_1000"))
    frame = pd.DataFrame(
        {
            "metric_id": comparison.metric["metric_id"],
            "area_code": pts["area_code"],
            "area_name": pts["area_code"].map(comparison.names),
            "period_start": pd.to_datetime(pts["period_start"]).dt.date,
            "value": pts["published"].astype(float).round(6),
            "unit": str(comparison.metric["unit"]),
            "source": "; ".join(comparison.sources),
            "per_1000_residents": pts["value"].round(6) if rate else np.nan,
            "population": pts["population"].round(0) if rate and "population" in pts.columns else np.nan,
            "centre": pts["centre"].round(6),
            "lower": pts["lower"].round(6),
            "upper": pts["upper"].round(6),
            "phase": pts["phase"] + 1,
            "variation": pts["point_type"].astype(str).map(lambda t: narrative.VARIATION_WORDS.get(t, t)),
            "group_median": pts["period_start"].map(band["median"]).round(6),
            "group_mad": pts["period_start"].map(band["mad"]).round(6),
        }
    )
    order = {code: i for i, code in enumerate(comparison.codes)}  # the chosen council first, as on the page
    frame = frame.iloc[np.argsort(pts["area_code"].map(order).to_numpy(), kind="stable")].reset_index(drop=True)
    return frame if rate else frame.drop(columns=["per_1000_residents", "population"])


def panel(one: pd.DataFrame, band: pd.DataFrame, *, title: str, sentence: str, frequency: str, chosen: bool) -> str:
    """One council's small chart with the group's band behind it, and its sentence under it (HTML).

    ``band`` is :attr:`Comparison.band` indexed by period_start. The app's page and the static site
    (:mod:`perf.output.site`) draw the same panel.
    """
    low = one["period_start"].map(band["low"]).to_numpy(dtype=float)
    high = one["period_start"].map(band["high"]).to_numpy(dtype=float)
    middle = one["period_start"].map(band["median"]).to_numpy(dtype=float)
    own = pd.concat([one["value"], one["upper"], one["lower"].clip(lower=0)]).astype(float)
    # the council's own chart sets the scale (its process is what the panel is for), stretched to show the
    # group's median; the band beyond that runs off the edge rather than squashing the council's line
    every = np.concatenate([own.dropna().to_numpy(), middle[np.isfinite(middle)]])
    dates = pd.to_datetime(one["period_start"])
    first, last = (narrative.period_label(dates.iloc[i], frequency) for i in (0, -1))
    width, height = (640, 170) if chosen else (240, 104)  # three neighbours a row beside a 1280-pixel menu
    chart = svg.small_control_chart(
        one,
        title=title,
        width=width,
        height=height,
        band=(low.tolist(), high.tolist()),
        y_range=(max(float(every.min()), 0.0), float(every.max())),
        x_labels=(first, last),
    )
    border = f"3px solid {vocabulary.NAVY}" if chosen else "1px solid #C9CCD1"
    label = f"<p style='margin:0;font-weight:700;color:{vocabulary.NAVY}'>Chosen council</p>" if chosen else ""
    return (
        f"<div class='oi-similar{' oi-chosen' if chosen else ''}' style='border:{border};border-radius:6px;"
        f"padding:6px 8px;width:{width + 18}px;max-width:100%;box-sizing:border-box'>{label}{chart}"
        f"<p style='margin:.2rem 0 0;font-size:.85rem;line-height:1.25'>{html.escape(sentence)}</p></div>"
    )


def panels(result: Comparison) -> list[str]:
    """Each council's panel in the group's order: the chosen one first, marked, when it has figures at all."""
    band = result.band.set_index("period_start")
    out = []
    for code in result.codes:
        one = result.points[result.points["area_code"] == code].reset_index(drop=True)
        if code in result.few:  # a month with none among months with none is no signal: no marks
            one = one.assign(point_type="common_cause")
        out.append(
            panel(
                one,
                band,
                title=result.names.get(code, code),
                sentence=result.sentences.get(code, ""),
                frequency=result.frequency,
                chosen=code == result.chosen,
            )
        )
    return out

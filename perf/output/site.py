"""The static public site: every published measure, purpose and ward as plain HTML, charts as inline SVG.

``python -m perf publish --static DIR`` writes it. No server runs per visitor and no JavaScript runs
at all: any web server, CDN or object store can host it, a screen reader reads it as a document,
and a link shared on a bad-news day costs a file read, not a Streamlit session.

It is drawn from a published snapshot (:mod:`perf.output.publish`), so it can only hold what the public may
see, with the same pieces as the app: each measure's chart built as the Measure page builds it
(:func:`perf.output.measure_chart.build`: phases and their labels, one-off points left out of the limits,
periods without a value kept as gaps, stale limits said), drawn by :mod:`perf.drawing.svg`, sentences from
:mod:`perf.words.narrative`, real or illustrative said under each measure's title, and every number also in
a table. Every period is shown: a static page has no sidebar to choose a window. Ward figures come from the
one public filter (:mod:`perf.access.public`, audience "public"), so a ward count from 1 to 4, and a count
that would give one away from its locality's total, reads "not shown", as in the app and the
published data. A ward series follows the app's Measure page: charted with its hidden periods blank
and the average and limits from the shown ones, unless more than a tenth of them are hidden
(:func:`perf.access.public.withheld`), when it is given as a table with no chart or sentence; a
ward's chart draws no target that is a whole-area total (:meth:`perf.analysis.measures.Measure.target_at`).

The Similar councils comparison is there too, as the app's page first shows it: for each council
of the dataset and each published measure (FixMyStreet reports per 1,000 residents by month, ONS
indicators by year), the council and ONS's nearest neighbours of the same tier, each on its own
control chart with its own limits and sentence, the group's median and spread behind it, no ranks;
drawn by :mod:`perf.analysis.similar`, the same code as the app's page.

URLs are stable (``measures/<measure_id>.html``, ``purposes/<purpose_id>.html``,
``wards/<ward code or id>.html``, ``similar/<council code>/<metric_id>.html``); links are relative,
so the folder works under any path; a ``sitemap.xml`` lists every page (absolute when ``base_url``
is given). ``DIR`` is a symbolic link to the current version, swapped by one rename (:func:`build_site`).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perf import store
from perf.access import public
from perf.access.public import SMALL_COUNT
from perf.analysis import measures, similar
from perf.analysis.measures import Measure
from perf.drawing import svg
from perf.output import export, measure_chart, publish
from perf.output.measure_chart import MeasureChart
from perf.signals import signal_answers
from perf.words import narrative, vocabulary

SIMILAR_COUNTS = (
    "These are figures for whole councils, published openly by their sources, so they are shown in "
    "full, as the app shows them; the small-count rule hides counts for wards."
)
KEEP = 3  # versions kept besides the newest: a reader that resolved the old link a moment ago reads on
NOT_SHOWN = "not shown"  # a hidden count: 1 to 4, or one that would give such a count away

# the accent is the app's (perf.words.vocabulary.ACCENT), so the site and the app link in one blue
STYLE = """
:root { color-scheme: light; }
body { font-family: "Source Sans Pro", "Source Sans", Arial, sans-serif; color: #1f1f1f; margin: 0; line-height: 1.5; }
a { color: $accent; } a:focus { outline: 3px solid #FFBF47; outline-offset: 0; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
header, main, footer { max-width: 960px; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 4px solid $accent; padding-top: .75rem; padding-bottom: .5rem; }
header .site { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: #1f1f1f; }
nav ul { list-style: none; padding: 0; margin: .25rem 0 0; display: flex; flex-wrap: wrap; gap: 1rem; }
.banner { background: #FFF4D6; border-left: 6px solid #B58100; padding: .5rem 1rem; max-width: 928px; margin: 1rem auto; }
.banner.real { background: #E8F1F8; border-left-color: $accent; }
.sentence { font-size: 1.25rem; font-weight: 600; }
.card { border: 1px solid #c8c8c8; border-radius: 4px; padding: .5rem 1rem; margin: .75rem 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid #d0d0d0; padding: .2rem .6rem; text-align: left; }
td.n, th.n { text-align: right; }
.muted { color: #505050; }
footer { border-top: 1px solid #c8c8c8; margin-top: 2rem; padding-top: .5rem; padding-bottom: 2rem; font-size: .9rem; color: #505050; }
details { margin: .5rem 0 1rem; }
.spark { max-width: 320px; }
.panels { display: flex; flex-wrap: wrap; gap: 10px 12px; margin: .75rem 0; }
.panels svg { max-width: 100%; height: auto; }
""".replace("$accent", vocabulary.ACCENT)
VARIATION_WORDS = narrative.VARIATION_WORDS


@dataclass
class Built:
    """What was written: the folder, its pages (paths relative to it) and its size in bytes."""

    folder: Path
    urls: list[str] = field(default_factory=list)
    bytes: int = 0
    version: str = ""

    @property
    def pages(self) -> int:
        return len(self.urls)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _slug(value: object) -> str:
    """A file name from an id: letters, digits, '-' and '_' kept, anything else '-'."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in str(value))


class _Site:
    """The pages, built from one snapshot connection."""

    def __init__(self, con: Any, base_url: str) -> None:
        self.con = con
        self.base_url = base_url
        self.meta = measures.meta(con)
        self.name = self.meta.get("dataset_name") or "Council performance"
        self.banner = measures.dataset_banner(self.meta)
        self.catalogue = public.catalogue(con, "public")  # published measures, owners as roles
        self.measures = measures.measure_list(self.catalogue)
        self.purposes = measures.purposes(con)
        self.places = measures.localities(con)
        self.phases = public.phases(con, "public")
        self.excluded = signal_answers.all_excluded(con)  # one-off points left out of the limits, as the app does
        self.published = self.meta.get("published_at", "")
        self.files: dict[str, str] = {}
        self.tables = export.published_tables(con)
        by_ward = [m.measure_id for m in self.measures if m.by_locality]
        cells = public.cells(con, by_ward, "public")  # small counts hidden, as the public view hides them
        self.ward_values = cells[cells["locality_kind"] == "ward"]
        self.similar_links = False  # set once a Similar councils page is written: the menu links to them
        self.similar_sources: dict[str, None] = {}  # the sources of the Similar councils pages, in order

    # --- the frame every page shares ------------------------------------------------------------------
    def page(self, path: str, title: str, body: str, *, description: str = "", real: bool = False) -> None:
        """One page in the shared frame; ``real``: its figures are real published ones, whatever the dataset."""
        root = "../" * path.count("/")
        banner = ""
        if real:
            banner = (
                '<p class="banner real"><strong>Real data.</strong> Published figures for every council: '
                "FixMyStreet reports (mySociety) and ONS statistics. Sources are named at the foot of the page.</p>"
            )
        elif self.banner is not None:  # the app's banner (perf.analysis.measures.dataset_banner)
            banner = f'<p class="banner"><strong>{_e(self.banner[0])}</strong> {_e(self.banner[1])}</p>'
        similar_link = f'<li><a href="{root}similar.html">Similar councils</a></li>' if self.similar_links else ""
        when = f"Figures published {_e(self.published[:16].replace('T', ' '))} UTC. " if self.published else ""
        self.files[path] = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} – {_e(self.name)}</title>
<meta name="description" content="{_e(description or title)}">
<link rel="stylesheet" href="{root}style.css">
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header>
<a class="site" href="{root}index.html">{_e(self.name)}</a>
<nav aria-label="Site"><ul><li><a href="{root}index.html">All purposes</a></li><li><a href="{root}wards.html">Wards</a></li>{similar_link}<li><a href="{root}data.html">Download the data</a></li></ul></nav>
</header>
{banner}
<main id="main">
{body}
</main>
<footer>
<p>{when}{_e(self.meta.get("attribution", ""))}</p>
<p>Small counts: a count of people or contacts from 1 to {SMALL_COUNT - 1} for a ward is not shown, so that no one can be
identified. Figures for the whole area are shown in full.</p>
</footer>
</body>
</html>
"""

    # --- measures -----------------------------------------------------------------------------------------
    def chart(self, m: Measure, series: pd.DataFrame, place: str) -> MeasureChart:
        """A measure's chart in ``place`` as the app's Measure page builds it (:func:`perf.output.measure_chart.build`):
        the phases recorded, the one-off points answers left out of the limits there, every period."""
        spans = self.excluded[(self.excluded["measure_id"] == m.measure_id) & (self.excluded["locality_id"] == place)]
        own = self.phases[self.phases["measure_id"] == m.measure_id]
        return measure_chart.build(m, series, own, excluded=spans, place=place)

    def measure_page(self, m: Measure) -> tuple[str, str] | None:
        """measures/<id>.html; returns (headline, sparkline) for the purpose page, or None with no values."""
        series = public.series(self.con, m.measure_id, measures.AREA, "public")
        path = f"measures/{_slug(m.measure_id)}.html"
        purpose = f'<a href="../purposes/{_slug(m.strategic_purpose_id)}.html">{_e(m.strategic_purpose_name)}</a>'
        provenance = f'<p class="muted">{_e(m.provenance)}</p>' if m.provenance else ""
        about = self.about(m)
        if not series["value"].notna().any():
            self.page(
                path,
                m.name,
                f"<h1>{_e(m.name)}</h1><p>{purpose}</p>{provenance}"
                "<p>No values have been published for this measure yet.</p>" + about,
            )
            return None
        view = self.chart(m, series, measures.AREA)
        points, dates = view.points, view.dates
        words = m.words(frequency=view.shown_by)
        sentence = narrative.measure_sentence(words, points, dates, changed_since=view.changed_since)
        drawn, labels = view.drawn
        drawing = svg.xmr_chart(
            drawn,
            dates,
            title=f"{m.name}, whole area",
            y_title=m.unit,
            target=view.target,
            phase_labels=labels,
            label=f"Control chart of {m.name}. {sentence}",
        )
        rows = number_rows(view)
        table = _table(
            f"The numbers behind the chart ({m.unit})",
            ["Period", "Value", "Average", "Lower limit", "Upper limit", "Variation"],
            rows[::-1],
            numeric={1, 2, 3, 4},
        )
        notes = public.commentary(self.con, m.measure_id, "public")
        said = (
            "".join(
                f'<div class="card"><p class="muted">'
                f"{_e(narrative.note_label(n['period_start'], n['written_at'], m.frequency, first_shown=dates.min(), latest=dates.max()))}"
                f" · Council officer</p><p>{_e(n['body'])}</p></div>"
                for _, n in notes.head(10).iterrows()
            )
            or "<p>No commentary yet.</p>"
        )
        changes = "".join(
            f"<li><strong>{r['starts_on']:%d %b %Y}</strong>: {_e(r['label'])}</li>"
            for _, r in view.phase_rows.iterrows()
        )
        body = (
            f"<h1>{_e(m.name)}</h1><p>{purpose} · every {_e(m.frequency)} · "
            f"{_e(narrative.freshness(m.latest_period, m.last_entered, m.frequency))}</p>{provenance}"
            f'<p class="sentence">{_e(sentence)}</p>{drawing}'
            + "".join(f'<p class="muted">Note: {_e(w)}</p>' for w in view.chart.warnings)
            + (f'<p class="muted">Source: {_e(m.attribution)}</p>' if m.attribution else "")
            + (f"<h2>System changes</h2><ul>{changes}</ul>" if changes else "")
            + f"<h2>Commentary</h2>{said}<details><summary>The numbers behind the chart</summary>{table}</details>"
            + about
        )
        self.page(path, m.name, body, description=sentence)
        head, _ = narrative.headline(words, points, dates, changed_since=view.changed_since)
        spark = svg.sparkline(view.data["value"].dropna().tail(24), label=f"Recent trend of {m.name}")
        return head, spark

    def about(self, m: Measure) -> str:
        better = {"up": "higher", "down": "lower", "neutral": "neither"}[m.improvement]
        target = "" if m.target is None else f" · <strong>Target:</strong> {m.target:,g}"
        return (
            f"<h2>What it measures</h2><p>{_e(m.definition or 'No definition recorded.')}</p>"
            f"<p><strong>Owner:</strong> {_e(m.owner)} · <strong>Unit:</strong> {_e(m.unit)} · "
            f"<strong>Better when:</strong> {better}{target} · <strong>Source:</strong> {_e(m.source or '—')}</p>"
            + _table("Data quality", ["Criterion", "Note"], m.quality_notes)
        )

    # --- purposes, wards, index -----------------------------------------------------------------------------
    def purpose_pages(self, headlines: Mapping[str, tuple[str, str] | None]) -> list[tuple[str, str, int]]:
        done = []
        strategic = self.purposes[self.purposes["kind"] == "strategic"]
        for _, p in strategic.iterrows():
            pid = str(p["purpose_id"])
            mine = self.catalogue[self.catalogue["strategic_purpose_id"] == pid]
            parts = [f"<h1>{_e(p['name'])}</h1>"]
            if pd.notna(p["portfolio"]):
                parts.append(f'<p class="muted">Portfolio: {_e(p["portfolio"])}</p>')
            if pd.notna(p["description"]):
                parts.append(f"<p>{_e(p['description'])}</p>")
            if mine.empty:
                parts.append("<p>No measures are published for this purpose yet.</p>")
            for name, group in mine.groupby("purpose_name", sort=False):
                parts.append(f"<h2>{'Strategic measures' if name == p['name'] else _e(name)}</h2>")
                for m in measures.measure_list(group):
                    head = headlines.get(m.measure_id)
                    text, spark = head if head else ("No values published yet.", "")
                    parts.append(
                        f'<div class="card"><h3><a href="../measures/{_slug(m.measure_id)}.html">'
                        f'{_e(m.name)}</a></h3><p>{_e(text)}</p><div class="spark">{spark}</div></div>'
                    )
            self.page(f"purposes/{_slug(pid)}.html", str(p["name"]), "".join(parts))
            done.append((pid, str(p["name"]), len(mine)))
        return done

    def ward_pages(self) -> list[tuple[str, str, str]]:
        wards = self.places[self.places["kind"] == "ward"]
        council_rows = self.places[self.places["kind"] == "council"]
        councils = dict(zip(council_rows["council_id"], council_rows["name"], strict=True))
        by_ward = [m for m in self.measures if m.by_locality]
        done = []
        for _, w in wards.iterrows():
            wid = str(w["locality_id"])
            values = self.ward_values[self.ward_values["locality_id"] == wid]
            parts = [
                f"<h1>{_e(w['name'])}</h1>",
                f'<p class="muted">A ward of {_e(councils.get(w["council_id"], ""))}'
                + (f" · ONS code {_e(w['code'])}" if pd.notna(w["code"]) and w["code"] else "")
                + "</p>",
            ]
            shown = 0
            for m in by_ward:
                rows = values[values["measure_id"] == m.measure_id].sort_values("period_start")
                if rows.empty:
                    continue
                shown += 1
                parts.append(self.ward_measure(m, rows, wid, str(w["name"])))
            if shown == 0:
                parts.append("<p>No measures are published by ward here.</p>")
            council = councils.get(w["council_id"], "")
            self.page(
                f"wards/{_slug(wid)}.html", f"{w['name']} ward" + (f", {council}" if council else ""), "".join(parts)
            )
            done.append((wid, str(w["name"]), councils.get(w["council_id"], "")))
        return done

    def ward_measure(self, m: Measure, rows: pd.DataFrame, ward_id: str, ward: str) -> str:
        link = f'<h2><a href="../measures/{_slug(m.measure_id)}.html">{_e(m.name)}</a></h2>'
        hidden = rows["suppressed"].astype(bool)
        dates = pd.to_datetime(rows["period_start"]).reset_index(drop=True)
        cells = [
            (
                narrative.period_label(d, m.frequency),
                NOT_SHOWN if h else narrative.format_value(float(v), "", m.decimals),
            )
            for d, v, h in zip(dates, rows["value"], hidden, strict=True)
        ]
        table = _table(f"{m.name} in {ward} ({m.unit})", ["Period", "Value"], cells[::-1], numeric={1})
        # as the app's Measure page: a hidden period is a blank point, the average and limits from the shown ones
        series = pd.DataFrame(
            {
                "period_start": dates,
                "value": rows["value"].astype(float).to_numpy(),
                "suppressed": hidden.to_numpy(),
            }
        )
        view = self.chart(m, series, ward_id)
        withheld = view.withheld(ward)  # the app's rule: more than a tenth hidden, no chart and no average
        if withheld is not None:
            return link + f"<p>{_e(withheld)}</p><details><summary>The published figures</summary>{table}</details>"
        sentence = narrative.measure_sentence(
            m.words(frequency=view.shown_by), view.points, view.dates, changed_since=view.changed_since
        )
        drawn, labels = view.drawn
        drawing = svg.xmr_chart(
            drawn,
            view.dates,
            title=f"{m.name}, {ward}",
            y_title=m.unit,
            target=view.target,  # none where the target is a whole-area total (Measure.target_at)
            phase_labels=labels,
            height=280,
            label=f"Control chart of {m.name} in {ward}. {sentence}",
        )
        note = f'<p class="muted">{_e(public.some_hidden_words(view.hidden))}</p>' if view.hidden.any() else ""
        return (
            link + f'<p class="sentence">{_e(sentence)}</p>{drawing}{note}'
            f"<details><summary>The numbers</summary>{table}</details>"
        )

    # --- similar councils -------------------------------------------------------------------------------------
    def similar_pages(self) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
        """similar/<council code>/<measure id>.html: the app's Similar councils page, as a visitor first sees it.

        For each council of this dataset that the published figures cover, and each published measure:
        the council and its default group (ONS's nearest neighbours of the same tier), every council on
        its own control chart. Returns (code, council name, [(path, measure, kind)]) per council.
        """
        metrics = similar.metrics(self.con)  # a snapshot has every table, empty where nothing was published
        known = similar.areas(self.con)
        names = dict(zip(known["area_code"], known["name"], strict=True))
        ours = [str(c) for c in self.places.loc[self.places["kind"] == "council", "council_id"].dropna().unique()]
        ours = [c for c in ours if c in names] if not metrics.empty else []
        self.similar_links = bool(ours)  # before the pages are drawn: their menu links to the index too
        done = []
        for code in ours:
            group = similar.group(self.con, code)
            pages = []
            for _, row in metrics.iterrows():
                result = similar.compare(self.con, str(row["metric_id"]), group)
                if code not in result.codes:  # no figures for this council: nothing to set beside the others
                    continue
                path = f"similar/{_slug(code)}/{_slug(row['metric_id'])}.html"
                name = names[code]
                self.page(
                    path,
                    f"{similar.heading(result.metric)}: {name} and similar councils",
                    self.similar_body(result, code, name, len(group)),
                    description=result.sentences.get(code, ""),
                    real=True,
                )
                by = (
                    f"{row['source_name']}"
                    + (", per 1,000 residents" if row["per_1000"] else "")
                    + (
                        ", by month"
                        if str(row["frequency"]) == "month"
                        else ", by year"
                        if str(row["frequency"]) == "year"
                        else ""
                    )
                )
                pages.append((path, str(row["name"]), by))
                self.similar_sources[f"{row['source_name']} ({row['source_licence']})"] = None
            if pages:
                done.append((code, names[code], pages))
        self.similar_links = bool(done)
        return done

    def similar_body(self, result: similar.Comparison, code: str, name: str, size: int) -> str:
        metric = result.metric
        panels = similar.panels(result)
        parts = [
            f"<h1>{_e(similar.heading(metric))}: {_e(name)} and similar councils</h1>",
            f'<p class="muted"><a href="../../similar.html">Similar councils</a> · {_e(name)}</p>',
            f"<p>{_e(similar.group_words(name, code, size))}</p>",
            f"<p><strong>{_e(similar.NO_RANKS)}</strong></p>",
            f"<p>{_e(metric.get('definition') or '')} {_e(similar.READING)}</p>",
        ]
        parts.append(f'<p class="muted">Shown: every period, {_e(result.shown_span)}.</p>')
        if result.population_used:
            parts.append(f'<p class="muted">{_e(result.population_used)}</p>')
        if result.without:
            parts.append(
                '<p class="muted">No figures for: '
                + _e(", ".join(result.names.get(c, c) for c in result.without))
                + ".</p>"
            )
        parts.append(panels[0])
        parts.append('<div class="panels">' + "".join(panels[1:]) + "</div>")
        parts += [f'<p class="muted">Note: {_e(n)}</p>' for n in result.notes]
        parts.append(f"<p>{_e(SIMILAR_COUNTS)}</p>")
        parts.append(self.similar_tables(result, code))
        parts.append("<h2>Sources</h2>" + "".join(f"<p>{_e(s)}</p>" for s in result.sources))
        return "".join(parts)

    def similar_tables(self, result: similar.Comparison, code: str) -> str:
        """Each council's current average and limits (in the group's order, never sorted by value), and the
        chosen council's every figure beside the group's median: the numbers behind the charts."""
        frequency = result.frequency
        decimals = int(result.metric.get("decimals") or 1)
        pts = result.points
        band = result.band.set_index("period_start")
        summary = []
        for c in result.codes:
            one = pts[pts["area_code"] == c]
            now = one[one["phase"] == one["phase"].max()]
            last = one.iloc[-1]
            summary.append(
                (
                    result.names.get(c, c),
                    narrative.period_label(last["period_start"], frequency),
                    narrative.format_value(float(last["value"]), "", decimals),
                    f"{float(now['centre'].iloc[0]):,.{decimals}f}",
                    f"{max(float(now['lower'].iloc[0]), 0.0):,.{decimals}f}",
                    f"{float(now['upper'].iloc[0]):,.{decimals}f}",
                )
            )
        unit = result.unit if result.unit != "per 1,000" else "per 1,000 residents"
        first = _table(
            f"Each council's latest figure and its current average and limits ({unit}), in the order "
            "of the group (the chosen council, then ONS's nearest first)",
            ["Council", "Latest period", "Latest", "Average", "Lower limit", "Upper limit"],
            summary,
            numeric={2, 3, 4, 5},
        )
        one = pts[pts["area_code"] == code]
        median = one["period_start"].map(band["median"]).astype(float)
        mad = one["period_start"].map(band["mad"]).astype(float)

        def number(v: float) -> str:
            return "—" if pd.isna(v) else f"{v:,.{decimals}f}"

        rows = [
            (
                narrative.period_label(d, frequency),
                narrative.format_value(float(v), "", decimals),
                number(c),
                number(max(lo, 0.0)),
                number(hi),
                VARIATION_WORDS.get(str(t), str(t)),
                number(md),
                number(spread),
            )
            for d, v, c, lo, hi, t, md, spread in zip(
                one["period_start"],
                one["value"].astype(float),
                one["centre"].astype(float),
                one["lower"].astype(float),
                one["upper"].astype(float),
                one["point_type"],
                median,
                mad,
                strict=True,
            )
        ]
        second = _table(
            f"{result.names.get(code, code)}: every figure ({unit}) and the group's median and median "
            "absolute deviation",
            ["Period", "Value", "Average", "Lower limit", "Upper limit", "Variation", "Group median", "Group MAD"],
            rows[::-1],
            numeric={1, 2, 3, 4, 6, 7},
        )
        return f"<details><summary>The numbers behind the charts</summary>{first}{second}</details>"

    def similar_index(self, councils: list[tuple[str, str, list[tuple[str, str, str]]]]) -> None:
        parts = [
            "<h1>Similar councils</h1>",
            "<p>Published figures for each council here beside ONS's nearest neighbours of the same tier: every "
            "council on its own control chart, with its own average and limits, and the group's median and "
            "spread for context.</p>",
            f"<p>{_e(similar.NO_RANKS)}</p>",
        ]
        for _code, name, pages in councils:
            parts.append(f"<h2>{_e(name)}</h2>")
            for by in dict.fromkeys(b for _, _, b in pages):  # by source, frequency and rate, as listed
                parts.append(
                    f"<h3>{_e(by)}</h3><ul>"
                    + "".join(f'<li><a href="{path}">{_e(metric)}</a></li>' for path, metric, b in pages if b == by)
                    + "</ul>"
                )
        parts.append(
            f'<p class="muted">Figures: {_e("; ".join(self.similar_sources))}. Each page names its sources in full.</p>'
        )
        self.page("similar.html", "Similar councils", "".join(parts), real=True)

    def index(self, purposes: Iterable[tuple[str, str, int]]) -> None:
        items = "".join(
            f'<li><a href="purposes/{_slug(pid)}.html">{_e(name)}</a> '
            f'<span class="muted">({n} measure{"" if n == 1 else "s"})</span></li>'
            for pid, name, n in purposes
        )
        body = (
            f"<h1>{_e(self.name)}: how the council is doing</h1>"
            "<p>Each measure is shown as a control chart: the line is what happened, the dashed lines are the "
            "range to expect while nothing changes, and a coloured point is a signal worth looking into. "
            "The sentence under each title says what the chart shows.</p>"
            f"<h2>What the council is for</h2><ul>{items}</ul>"
            '<h2>Your ward</h2><p><a href="wards.html">Figures for each ward</a></p>'
            + (
                '<h2>Similar councils</h2><p><a href="similar.html">This council beside similar councils</a>: '
                "published figures, each council on its own chart, no league table.</p>"
                if self.similar_links
                else ""
            )
        )
        self.page("index.html", "How the council is doing", body)

    def wards_index(self, wards: list[tuple[str, str, str]]) -> None:
        parts = ["<h1>Wards</h1>"]
        frame = pd.DataFrame(wards, columns=["id", "name", "council"])
        for council, group in frame.groupby("council", sort=True):
            parts.append(
                f"<h2>{_e(council)}</h2><ul>"
                + "".join(
                    f'<li><a href="wards/{_slug(r.id)}.html">{_e(r.name)}</a></li>'
                    for r in group.sort_values("name").itertuples()
                )
                + "</ul>"
            )
        self.page("wards.html", "Wards", "".join(parts))

    def data_page(self) -> None:
        items = []
        for name, frame in self.tables.items():
            self.files[f"data/{name}.csv"] = export.to_csv_bytes(frame).decode("utf-8-sig")
            items.append(f'<li><a href="data/{name}.csv">{_e(name)}.csv</a> ({len(frame):,} rows)</li>')
        body = (
            "<h1>Download the data</h1><p>The published figures behind these pages, as CSV (UTF-8). Small counts "
            f"are blank and flagged in a <code>suppressed</code> column.</p><ul>{''.join(items)}</ul>"
            f"<h2>Small counts</h2><p>{_e(export.SUPPRESSION_RULE)}</p>"
        )
        self.page("data.html", "Download the data", body)

    def sitemap(self, pages: list[str]) -> str:
        day = (self.published or dt.date.today().isoformat())[:10]
        urls = "".join(f"<url><loc>{_e(self.base_url + p)}</loc><lastmod>{day}</lastmod></url>" for p in pages)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
        )


def number_rows(view: MeasureChart) -> list[tuple[str, ...]]:
    """The numbers behind a measure's chart, oldest first: period, value, average, lower and upper limit, variation."""
    points, m = view.points, view.measure
    return [
        (
            narrative.period_label(d, view.shown_by),
            narrative.format_value(v, "", m.decimals),
            f"{c:,.2f}",
            f"{lo:,.2f}",
            f"{hi:,.2f}",
            VARIATION_WORDS.get(str(t), str(t)),
        )
        for d, v, c, lo, hi, t in zip(
            view.dates,
            points["value"],
            points["centre"],
            points["lower"],
            points["upper"],
            points["point_type"],
            strict=True,
        )
    ]


def _table(
    caption: str, headers: list[str], rows: Iterable[tuple[object, ...]], *, numeric: set[int] | None = None
) -> str:
    """A table with a caption and column headers (scope="col"); ``numeric`` columns right-aligned."""
    right = numeric or set()
    head = "".join(f'<th scope="col"{" class=n" if i in right else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in right else ''}>{_e(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def versions_folder(out: str | Path) -> Path:
    """Where the versions of the site at ``out`` live: a hidden folder beside it (``.<name>.versions``)."""
    target = Path(out)
    return target.with_name(f".{target.name}.versions")


def build_site(out: str | Path, db: str | Path, *, base_url: str = "", keep: int = KEEP) -> Built:
    """Write the static site for the database ``db`` (a published snapshot) at ``out``.

    ``out`` is a symbolic link to the current version, a folder beside it (:func:`versions_folder`).
    A new version is written whole there, then the link is replaced by renaming a new link over it:
    a web server serving ``out`` finds the old site or the new one at every moment, never none and
    never half of one (as :mod:`perf.output.publish` swaps snapshots). The ``keep`` versions before it stay,
    so a reader that resolved the old link a moment ago still reads whole files. A folder left at
    ``out`` by an earlier release is moved among the versions once (out is absent for that instant).
    """
    target = Path(out)
    base = base_url if not base_url or base_url.endswith("/") else base_url + "/"
    con = store.connect(db, read_only=True)
    try:
        site = _Site(con, base)
        councils = site.similar_pages()  # first: every page's menu links to them when there are any
        headlines = {m.measure_id: site.measure_page(m) for m in site.measures}
        purposes = site.purpose_pages(headlines)
        wards = site.ward_pages()
        site.wards_index(wards)
        if councils:
            site.similar_index(councils)
        site.index(purposes)
        site.data_page()
    finally:
        con.close()
    pages = sorted(p for p in site.files if p.endswith(".html"))
    site.files["sitemap.xml"] = site.sitemap(pages)
    site.files["style.css"] = STYLE.lstrip()
    site.files["robots.txt"] = "User-agent: *\nAllow: /\n" + (f"Sitemap: {base}sitemap.xml\n" if base else "")
    versions = versions_folder(target)
    versions.mkdir(parents=True, exist_ok=True)
    versions.chmod(0o755)
    _remove_stale_temps(versions)
    version = publish.new_version()
    while (versions / version).exists():
        version = publish.new_version()
    temp = versions / f".tmp-{version}-{uuid.uuid4().hex[:8]}"
    built = Built(target)
    try:
        for rel, text in site.files.items():
            path = temp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            path.write_bytes(data)
            built.bytes += len(data)
        for d in [temp, *[p for p in temp.rglob("*") if p.is_dir()]]:
            d.chmod(0o755)  # nginx's workers (another user) read it
        publish.fsync_tree(temp)
        final = versions / version
        os.replace(temp, final)
        if target.is_dir() and not target.is_symlink():  # an earlier release's plain folder: kept as a version
            os.replace(target, versions / f"{version[:-1]}-earlier")
        link = target.with_name(f".{target.name}.link-{uuid.uuid4().hex[:8]}")
        os.symlink(os.path.relpath(final, target.parent), link)
        os.replace(link, target)  # one rename: readers see the old link or the new
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    prune(target, keep=keep)
    built.urls = pages
    built.version = version
    return built


def current(out: str | Path) -> str | None:
    """The version the site at ``out`` shows, or None when it is not (yet) a link."""
    target = Path(out)
    return Path(os.readlink(target)).name if target.is_symlink() else None


def prune(out: str | Path, *, keep: int = KEEP) -> list[str]:
    """Remove versions older than the newest ``keep`` + 1 (never the current one); returns their names."""
    versions = versions_folder(out)
    now = current(out)
    names = sorted((p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    gone = [n for n in names[keep + 1 :] if n != now]
    for name in gone:
        shutil.rmtree(versions / name, ignore_errors=True)
    return gone


def _remove_stale_temps(versions: Path) -> None:
    """A half-written version from a build that died (over an hour old) goes; a build running now stays."""
    cutoff = time.time() - publish.STALE_TEMP_SECONDS
    for path in versions.glob(".tmp-*"):
        if path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)

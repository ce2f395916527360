"""The Overview's tiles: each measure's latest value, variation, change and trend as one block of HTML.

Built once per view (audience, place, period) and version of the figures, not on every rerun: thirty
tiles' sparklines and sentences took a third of a warm Overview run, and every visitor's run holds
the server's one interpreter lock (issue #12's load test).
"""

from __future__ import annotations

import pandas as pd

from perf.access import public
from perf.analysis import measures
from perf.drawing import svg
from perf.words import narrative, text
from perf.analysis.measures import Measure
from perf.store import FIGURES
from ui import cached, icons
from ui.db import cached_result
from ui.filters import Scope


def change_text(m: Measure, data: pd.DataFrame, variation: str | None) -> str:
    """'Up 12 on September 2026: within normal variation' — never a bare 'this vs last'."""
    present = data.dropna(subset=["value"])
    if len(present) < 2:
        return ""
    now, before = present.iloc[-1], present.iloc[-2]
    diff = float(now["value"] - before["value"])
    word = "Up" if diff > 0 else "Down" if diff < 0 else "No change"
    amount = (
        ""
        if diff == 0
        else " "
        + narrative.format_value(abs(diff), m.unit if m.unit == "%" else "", m.decimals).replace("%", " points")
    )
    qualifier = "within normal variation" if variation in (None, "common_cause") else "a signal"
    return f"{word}{amount} on {narrative.period_label(before['period_start'], m.frequency)}: {qualifier}"


NOTE = "class='oi-tile-note' style='color:#555;font-size:.875rem;margin:0 0 .4rem'"
STALE = "class='oi-stale' style='color:#7a4300;font-size:.875rem;font-weight:600;margin:0 0 .4rem'"


def tile(m: Measure, data: pd.DataFrame, status: pd.DataFrame, latest: dict[str, pd.Series], scope: Scope) -> str:
    """A measure's tile as one block of HTML: a page of thirty tiles stays light for the browser."""
    name = (
        f"<p style='margin:0 0 .3rem'><strong>{text.html(m.name)}</strong></p>"
        f"<p style='margin:0 0 .3rem'>{icons.data_badge(m.provenance)}</p>"
    )
    if data.empty or m.measure_id not in status.index:
        return name + f"<p {NOTE}>No values yet.</p>"
    since = scope.since(data["period_start"].max())
    recent = data if since is None else data[data["period_start"] >= since]
    if public.withheld("here", m.frequency, recent["suppressed"], data["suppressed"]) is not None:
        # perf.access.public: more than a tenth hidden, the latest value and trend would not describe this place
        return name + (
            f"<p {NOTE}>Too many counts under {public.SMALL_COUNT} here to chart in the public view "
            f"(more than a tenth of the {m.frequency}s).</p>"
        )
    s = latest[m.measure_id]
    value = narrative.format_value(float(s["value"]), m.unit, m.decimals)
    when = narrative.period_label(s["period_start"], m.frequency)
    parts = [
        name,
        f"<p><span style='font-size:1.6rem;font-weight:700'>{text.html(value)}</span> "
        f"<span style='color:#555;font-size:.875rem'>{when}</span></p>",
        f"<p>{icons.variation_badge(s['variation'])}{icons.assurance_badge(s['assurance'])}</p>",
        f"<p {NOTE}>{text.html(change_text(m, data, s['variation']))}</p>",
        svg.sparkline(
            recent["value"], label=f"Recent trend of {m.name}; the latest value and its variation are given above."
        ),
    ]
    if pd.notna(s.get("changed_since")):  # a sustained shift since the last phase: the limits are stale
        parts.append(f"<p {STALE}>{text.html(narrative.changed_note(s['changed_since']))}</p>")
    if data["whole_area"].any():
        parts.append(f"<p {NOTE}>Whole-area figure: not recorded by ward.</p>")
    return "".join(parts)


@cached_result(16, reads=FIGURES)
def overview_tiles(public_only: bool, locality_id: str, period: str) -> dict[str, tuple[str, bool]]:
    """Measure id -> its tile's HTML, and whether it has a chart to open."""
    scope = Scope("", "", locality_id, "", "", period, public_only)  # only the period and place matter here
    status, values = cached.status(public_only, locality_id)
    status = status.set_index("measure_id")
    latest: dict[str, pd.Series] = {str(k): row for k, row in status.iterrows()}
    out: dict[str, tuple[str, bool]] = {}
    for m in measures.measure_list(cached.catalogue(public_only)):
        data = values[values["measure_id"] == m.measure_id].sort_values("period_start")
        html = tile(m, data, status, latest, scope)
        charted = m.measure_id in latest and latest[m.measure_id].get("variation") is not None  # withheld: none
        out[m.measure_id] = (html, charted)
    return out

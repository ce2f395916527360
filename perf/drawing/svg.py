"""Charts as inline SVG, drawn on the server: a page of them costs the browser nothing to run.

A Vega chart brings the browser a chart runtime to load and a dataflow to run: on the test
machine the first one on a page costs about 0.3 s (bench/pages.py). The Overview's sparklines,
By locality's small multiples and the charts of the Demand, Capability and By locality pages are
drawn here instead, in the same colours and shapes as ``perf.drawing.charts`` (Making Data Count's
palette, a shape for every kind of point). Each chart is an ``<svg role="img">`` with a text alternative; every point, bar and tile carries a ``<title>``,
which browsers show on hover and screen readers read. The page gives the numbers as a table too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perf.words import text, vocabulary
from perf.drawing.charts import POINT_STYLE, xmr_frame

WIDTH = 900
FONT = 'font-family=\'"Source Sans", "Source Sans Pro", sans-serif\''  # Streamlit's own typeface
INK, MUTED, GRID, BLUE = "#31333F", "#555555", "#E6E6E6", vocabulary.ACCENT
# Text sizes in chart units. A 900-wide chart is drawn at the page's width (820 px at 1280 x 720, so
# x 0.91): 16 units is 14.6 px, the least that reads on a screen shared in a meeting.
SMALL, HEADING = 16, 19
LEFT = 76  # room left of the plot for tick labels of six figures at SMALL, then the axis title
# ColorBrewer "Blues" (Brewer, colorbrewer2.org; as d3.schemeBlues[9]), light to dark, for the tile map
BLUES = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def _e(value: object) -> str:
    """User text inside SVG: escaped, on one line (perf.words.text.html), so a nature with a blank line in it
    cannot end the HTML block the chart is drawn in."""
    return text.html(value)


def _num(value: float) -> str:
    """A figure for an axis or a tooltip: thousands separated, no trailing zeros."""
    if value is None or not np.isfinite(value):
        return ""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _time_ticks(start: pd.Timestamp, end: pd.Timestamp, most: int = 9) -> list[tuple[pd.Timestamp, str]]:
    """Month starts between start and end, every 1, 3, 6, 12 or 24 months so that at most ``most`` show."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in (1, 3, 6, 12, 24) if months / s <= most), 48)
    ticks = []
    for when in pd.date_range(start.to_period("M").to_timestamp(), end, freq="MS"):
        if when < start or (when.year * 12 + when.month - 1) % step:
            continue
        ticks.append((when, f"{when:%Y}" if step >= 12 else f"{when:%b %Y}"))
    return ticks


@dataclass(frozen=True)
class _Box:
    """The plotting area inside the chart and the y scale."""

    left: float
    top: float
    width: float
    height: float
    y_lo: float
    y_hi: float

    def y(self, value: float) -> float:
        span = (self.y_hi - self.y_lo) or 1.0
        return self.top + self.height - (value - self.y_lo) / span * self.height


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f"<svg role='img' aria-label='{_e(label)}' viewBox='0 0 {width} {height}' width='100%' "
        f"style='max-width:{width}px;height:auto' xmlns='http://www.w3.org/2000/svg' {FONT}>"
        f"<title>{_e(label)}</title>{''.join(body)}</svg>"
    )


def _title(text: str) -> str:
    return f"<text x='0' y='18' font-size='{HEADING}' font-weight='600' fill='{INK}'>{_e(text)}</text>"


def _y_axis(box: _Box, ticks: Sequence[float], title: str, *, fmt: str = "number", right: bool = False) -> list[str]:
    parts = []
    x_text = box.left + box.width + 6 if right else box.left - 6
    anchor = "start" if right else "end"
    for tick in ticks:
        y = box.y(tick)
        if not right:
            parts.append(
                f"<line x1='{box.left:.1f}' x2='{box.left + box.width:.1f}' y1='{y:.1f}' y2='{y:.1f}' stroke='{GRID}'/>"
            )
        label = f"{tick:.0%}" if fmt == "percent" else _num(tick)
        parts.append(
            f"<text x='{x_text:.1f}' y='{y + 4:.1f}' font-size='{SMALL}' text-anchor='{anchor}' "
            f"fill='{MUTED}'>{label}</text>"
        )
    if title:
        x = box.left + box.width + 48 if right else 14
        cy = box.top + box.height / 2
        parts.append(
            f"<text transform='translate({x:.1f},{cy:.1f}) rotate({90 if right else -90})' font-size='{SMALL}' "
            f"text-anchor='middle' fill='{MUTED}'>{_e(title)}</text>"
        )
    return parts


def _baseline(box: _Box) -> str:
    """The x axis line along the foot of the plotting area."""
    base = box.top + box.height
    return f"<line x1='{box.left}' x2='{box.left + box.width}' y1='{base:.1f}' y2='{base:.1f}' stroke='#888'/>"


def _polyline(points: list[tuple[float, float]], colour: str, width: float = 1.5, dash: str | None = None) -> str:
    if len(points) < 2:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashes = f" stroke-dasharray='{dash}'" if dash else ""
    return f"<polyline fill='none' stroke='{colour}' stroke-width='{width}'{dashes} points='{path}'/>"


def _runs(xs: Sequence[float], ys: Sequence[float], box: _Box) -> list[list[tuple[float, float]]]:
    """Unbroken stretches of a line: a missing value (a hidden period) breaks it."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if y is None or not np.isfinite(y):
            runs.append([])
        else:
            runs[-1].append((x, box.y(float(y))))
    return [r for r in runs if r]


def _marker(shape: str, x: float, y: float, colour: str, size: float, tip: str) -> str:
    r = size
    if shape == "triangle-up":
        body = f"<path d='M{x:.1f},{y - r:.1f}L{x + r:.1f},{y + r * 0.8:.1f}L{x - r:.1f},{y + r * 0.8:.1f}Z'"
    elif shape == "triangle-down":
        body = f"<path d='M{x:.1f},{y + r:.1f}L{x + r:.1f},{y - r * 0.8:.1f}L{x - r:.1f},{y - r * 0.8:.1f}Z'"
    elif shape == "square":
        body = f"<rect x='{x - r * 0.8:.1f}' y='{y - r * 0.8:.1f}' width='{r * 1.6:.1f}' height='{r * 1.6:.1f}'"
    elif shape == "diamond":
        body = f"<path d='M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}L{x - r:.1f},{y:.1f}Z'"
    else:
        body = f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r * 0.75:.1f}'"
    return f"{body} fill='{colour}'><title>{_e(tip)}</title></{body[1 : body.index(' ')]}>"


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float) -> list[str]:
    """(label, colour, shape) in a row at the foot of the chart."""
    parts = []
    for label, colour, shape in items:
        parts.append(_marker(shape, x + 6, y - 4, colour, 6, label).replace(f"<title>{_e(label)}</title>", ""))
        parts.append(f"<text x='{x + 16:.1f}' y='{y:.1f}' font-size='{SMALL}' fill='{INK}'>{_e(label)}</text>")
        x += 34 + 8 * len(label)
    return parts


def xmr_chart(
    points: pd.DataFrame,
    dates: pd.Series,
    *,
    title: str,
    y_title: str,
    phase_labels: dict[int, str] | None = None,
    target: float | None = None,
    height: int = 340,
    label: str | None = None,
) -> str:
    """A process-behaviour chart: the values, each phase's centre line and natural process limits.

    Limits may differ from point to point (a p' chart's do): each is drawn through its own values.
    ``points`` as :func:`perf.drawing.charts.xmr_chart` takes them; the same rows, the same picture.
    """
    data = xmr_frame(points, dates)
    if data.empty:
        return ""
    cols = [c for c in ("value", "centre", "lower", "upper") if c in data.columns]
    every = pd.concat([data[c] for c in cols]).astype(float).dropna()
    if target is not None and pd.notna(target):
        every = pd.concat([every, pd.Series([float(target)])])
    lo, hi = float(every.min()), float(every.max())
    pad = (hi - lo) * 0.05 or 1.0
    # counts, days and shares cannot go below zero, and neither does their axis (xmr_frame clips the limit)
    floor = 0.0 if (data["value"].dropna() >= 0).all() else -math.inf
    ticks = nice_ticks(max(lo - pad, floor), hi + pad)
    box = _Box(left=LEFT, top=34, width=WIDTH - LEFT - 16, height=height - 34 - 64, y_lo=ticks[0], y_hi=ticks[-1])
    start, end = pd.Timestamp(data["date"].min()), pd.Timestamp(data["date"].max())
    span = float((end - start).total_seconds()) or 1.0

    def x_of(when: pd.Timestamp) -> float:
        return box.left + float((when - start).total_seconds()) / span * box.width

    xs = [x_of(d) for d in data["date"]]
    body = [_title(title), *_y_axis(box, ticks, y_title)]
    base = box.top + box.height
    body.append(_baseline(box))
    for when, tick in _time_ticks(start, end):
        x = x_of(when)
        body.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{base:.1f}' y2='{base + 5:.1f}' stroke='#888'/>"
            f"<text x='{x:.1f}' y='{base + 21:.1f}' font-size='{SMALL}' text-anchor='middle' "
            f"fill='{MUTED}'>{tick}</text>"
        )
    if target is not None and pd.notna(target):
        y = box.y(float(target))
        body.append(
            f"<line x1='{box.left}' x2='{box.left + box.width}' y1='{y:.1f}' y2='{y:.1f}' stroke='{BLUE}' "
            f"stroke-width='2' stroke-dasharray='2 2'><title>Target: {_num(float(target))}</title></line>"
        )
    for run in _runs(xs, list(data["value"].astype(float)), box):
        body.append(_polyline(run, "#9A9A9A"))
    for phase, rows in data.groupby("phase", sort=True):
        idx = rows.index
        px = [xs[i] for i in idx]
        for col, dash, width in (("centre", None, 1.5), ("upper", "6 4", 1.0), ("lower", "6 4", 1.0)):
            if col in rows.columns:
                for run in _runs(px, list(rows[col].astype(float)), box):
                    body.append(_polyline(run, "#333333", width, dash))
        if int(str(phase)) > 0:  # a redesign: mark where the new phase starts
            x = px[0]
            name = (phase_labels or {}).get(int(str(phase)), f"Phase {int(str(phase)) + 1}")
            body.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{box.top:.1f}' y2='{base:.1f}' stroke='{BLUE}' "
                f"stroke-width='1.5'/><text x='{x + 4:.1f}' y='{box.top + 14:.1f}' font-size='{SMALL}' "
                f"fill='{BLUE}'>{_e(name)}</text>"
            )
    styles = {v[0]: v for v in POINT_STYLE.values()}
    size = 4.5 if len(data) <= 200 else 3
    marks = zip(
        xs,
        data["date"],
        *(data[c].astype(float).to_numpy() for c in ("value", "centre", "lower", "upper")),
        data["signal_label"],
        strict=True,
    )
    for x, when, value, centre, lower, upper, signal in marks:
        if not np.isfinite(value):
            continue
        name, colour, shape = styles.get(str(signal), POINT_STYLE["common_cause"])
        tip = f"{when:%d %b %Y}: {_num(value)}. Average {_num(centre)}, limits {_num(lower)} to {_num(upper)}. {name}."
        body.append(_marker(shape, x, box.y(value), colour, size, tip))
    present = [v for v in POINT_STYLE.values() if v[0] in set(data["signal_label"])] or [POINT_STYLE["common_cause"]]
    body.extend(_legend(present, box.left, height - 12))
    return _svg(WIDTH, height, label or title, body)


def _band(count: int, box: _Box) -> tuple[float, float]:
    """Step and bar width for ``count`` bars across the box."""
    step = box.width / max(count, 1)
    return step, min(max(step * 0.8, 1.0), 90.0)  # one or two bars stay bars, not a wall


def stacked_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    title: str,
    y_title: str,
    domain: Sequence[str],
    palette: Sequence[str],
    height: int = 320,
    label: str | None = None,
) -> str:
    """Counts per period stacked by a category (value and failure demand), oldest period first."""
    wide = frame.pivot_table(index=x, columns=colour, values=y, aggfunc="sum").reindex(columns=list(domain))
    wide = wide.sort_index()
    totals = wide.fillna(0).sum(axis=1)
    ticks = nice_ticks(0.0, float(totals.max()) if len(totals) else 1.0)
    box = _Box(left=LEFT, top=34, width=WIDTH - LEFT - 16, height=height - 34 - 64, y_lo=0.0, y_hi=ticks[-1])
    body = [_title(title), *_y_axis(box, ticks, y_title)]
    step, bar = _band(len(wide), box)
    base = box.top + box.height
    counts = wide.to_numpy(dtype=float)
    for i, when in enumerate(pd.to_datetime(wide.index)):
        x0 = box.left + i * step + (step - bar) / 2
        level = 0.0
        when_text = f"{when:%d %b %Y}"
        for name, fill, value in zip(domain, palette, counts[i], strict=True):
            if not np.isfinite(value) or value <= 0:
                continue
            top, bottom = box.y(level + float(value)), box.y(level)
            body.append(
                f"<rect x='{x0:.1f}' y='{top:.1f}' width='{bar:.2f}' height='{bottom - top:.1f}' "
                f"fill='{fill}'><title>{when_text}: {_num(float(value))} {_e(name.lower())}</title></rect>"
            )
            level += float(value)
    body.append(_baseline(box))
    if len(wide):
        dates = pd.to_datetime(pd.Series(wide.index))
        start, end = dates.min(), dates.max()
        span = (end - start).total_seconds() or 1.0
        for when, tick in _time_ticks(start, end):
            xt = box.left + step / 2 + (when - start).total_seconds() / span * (box.width - step)
            body.append(
                f"<text x='{xt:.1f}' y='{base + 21:.1f}' font-size='{SMALL}' text-anchor='middle' "
                f"fill='{MUTED}'>{tick}</text>"
            )
    body.extend(_legend([(n, c, "square") for n, c in zip(domain, palette, strict=True)], box.left, height - 12))
    return _svg(WIDTH, height, label or title, body)


def pareto(
    natures: pd.DataFrame, *, title: str, colour: str = vocabulary.ORANGE, height: int = 360, label: str | None = None
) -> str:
    """Bars largest first with the running share as a line: which few causes make most of the demand."""
    data = natures.reset_index(drop=True)
    ticks = nice_ticks(0.0, float(data["demand"].max()) if len(data) else 1.0)
    box = _Box(left=100, top=34, width=WIDTH - 100 - 64, height=height - 34 - 110, y_lo=0.0, y_hi=ticks[-1])
    share_box = _Box(box.left, box.top, box.width, box.height, 0.0, 1.0)
    body = [
        _title(title),
        *_y_axis(box, ticks, "Contacts"),
        *_y_axis(share_box, [0, 0.2, 0.4, 0.6, 0.8, 1.0], "Cumulative share", fmt="percent", right=True),
    ]
    step, bar = _band(len(data), box)
    base = box.top + box.height
    line = []
    for k, (_, row) in enumerate(data.iterrows()):
        x0 = box.left + k * step + (step - bar) / 2
        top = box.y(float(row["demand"]))
        body.append(
            f"<rect x='{x0:.1f}' y='{top:.1f}' width='{bar:.1f}' height='{base - top:.1f}' fill='{colour}'>"
            f"<title>{_e(row['nature'])}: {_num(float(row['demand']))} contacts, "
            f"{float(row['share']):.0%} of failure demand</title></rect>"
        )
        name = str(row["nature"])
        short = name if len(name) <= 20 else name[:19] + "…"
        cx = x0 + bar / 2
        body.append(
            f"<text transform='translate({cx:.1f},{base + 12:.1f}) rotate(-40)' font-size='{SMALL}' "
            f"text-anchor='end' fill='{MUTED}'>{_e(short)}</text>"
        )
        if pd.notna(row["cumulative_share"]):
            line.append((cx, share_box.y(float(row["cumulative_share"])), float(row["cumulative_share"]), name))
    body.append(_polyline([(x, y) for x, y, _, _ in line], "#333333", 1.5))
    for x, y, share, name in line:
        body.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='#333333'>"
            f"<title>Up to {_e(name)}: {share:.0%} of failure demand</title></circle>"
        )
    body.append(_baseline(box))
    return _svg(WIDTH, height, label or title, body)


def bins(values: pd.Series, weights: pd.Series, *, unit: str, most: int = 40) -> pd.DataFrame:
    """``weights`` summed over equal ranges of ``values`` (whole numbers, such as ages in days), at most
    ``most`` ranges on round boundaries: the rows :func:`histogram` draws."""
    ages = values.astype(float).to_numpy()
    if ages.size == 0:
        return pd.DataFrame({"start": [], "end": [], "count": [], "name": []})
    ticks = nice_ticks(0.0, float(ages.max()) + 1, most)
    step = max(1.0, ticks[1] - ticks[0] if len(ticks) > 1 else 1.0)
    start = np.floor(ages / step) * step
    summed = pd.Series(weights.astype(float).to_numpy()).groupby(start).sum()
    frame = pd.DataFrame({"start": summed.index.astype(float), "count": summed.to_numpy()})
    frame["end"] = frame["start"] + step
    frame["name"] = [
        f"{_num(a)} {unit}" if step == 1 else f"{_num(a)} to {_num(a + step - 1)} {unit}" for a in frame["start"]
    ]
    return frame


def histogram(
    bins: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    marker: float | None = None,
    marker_label: str = "",
    height: int = 280,
    colour: str = vocabulary.GREY,
    label: str | None = None,
) -> str:
    """Bars over ranges of a number (``start``, ``end``, ``count``, ``name``); a dashed line at ``marker``."""
    data = bins.reset_index(drop=True)
    ticks = nice_ticks(0.0, float(data["count"].max()) if data["count"].notna().any() else 1.0)
    box = _Box(left=LEFT, top=34, width=WIDTH - LEFT - 24, height=height - 34 - 56, y_lo=0.0, y_hi=ticks[-1])
    drawn = data[data["count"].notna()]  # hidden ranges (small counts) past the last bar take no room
    lo = float(drawn["start"].min()) if len(drawn) else 0.0
    hi = max(
        float(drawn["end"].max()) if len(drawn) else 1.0,
        float(marker) if marker is not None and pd.notna(marker) else 0.0,
    )
    span = (hi - lo) or 1.0

    def x_of(v: float) -> float:
        return box.left + (v - lo) / span * box.width

    body = [_title(title), *_y_axis(box, ticks, y_title)]
    base = box.top + box.height
    for _, row in data.iterrows():
        if pd.isna(row["count"]):
            continue
        x0, x1 = x_of(float(row["start"])), x_of(float(row["end"]))
        top = box.y(float(row["count"]))
        body.append(
            f"<rect x='{x0 + 0.5:.1f}' y='{top:.1f}' width='{max(x1 - x0 - 1, 0.5):.1f}' "
            f"height='{base - top:.1f}' fill='{colour}'><title>{_e(row['name'])}: "
            f"{_num(float(row['count']))}</title></rect>"
        )
    body.append(_baseline(box))
    for tick in nice_ticks(lo, hi, 8):
        if lo <= tick <= hi:
            body.append(
                f"<text x='{x_of(tick):.1f}' y='{base + 21:.1f}' font-size='{SMALL}' text-anchor='middle' "
                f"fill='{MUTED}'>{_num(tick)}</text>"
            )
    body.append(
        f"<text x='{box.left + box.width / 2:.1f}' y='{height - 6}' font-size='{SMALL}' text-anchor='middle' "
        f"fill='{MUTED}'>{_e(x_title)}</text>"
    )
    if marker is not None and pd.notna(marker):
        x = x_of(float(marker))
        body.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{box.top:.1f}' y2='{base:.1f}' stroke='{vocabulary.ORANGE}' "
            f"stroke-width='2' stroke-dasharray='6 4'><title>{_e(marker_label)}</title></line>"
            + (  # a marker near the right edge has its label on its left, so the label is not cut off
                f"<text x='{x - 4:.1f}' y='{box.top + 14:.1f}' font-size='{SMALL}' text-anchor='end' "
                if x > box.left + 0.7 * box.width
                else f"<text x='{x + 4:.1f}' y='{box.top + 14:.1f}' font-size='{SMALL}' "
            )
            + f"fill='{vocabulary.ORANGE}'>{_e(marker_label)}</text>"
        )
    return _svg(WIDTH, height, label or title, body)


def _blue(share: float) -> str:
    """A colour on the Blues ramp for a share from 0 (lightest) to 1 (darkest)."""
    share = min(max(share, 0.0), 1.0) * (len(BLUES) - 1)
    i = min(int(share), len(BLUES) - 2)
    f = share - i
    a, b = BLUES[i], BLUES[i + 1]
    mix = [round(int(a[k : k + 2], 16) * (1 - f) + int(b[k : k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2, "relative luminance" definition)."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _ink_on(fill: str) -> str:
    """White or black text, whichever contrasts more with the tile (WCAG 2.2 contrast ratio)."""
    lum = _luminance(fill)
    return "white" if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05 else "black"  # either gives at least 4.58:1


def tile_map(frame: pd.DataFrame, *, value_title: str, title: str, label: str | None = None) -> str:
    """Wards as equal tiles placed roughly where they lie: every ward is visible, whatever its size.

    ``frame`` has locality_name, grid_x, grid_y, value and council. Darker is higher; each tile
    has the ward's initials and, on hover, its name and figure.
    """
    data = frame.dropna(subset=["grid_x", "grid_y"]).reset_index(drop=True)
    if data.empty:
        return ""
    tile, gap = 44, 4
    xs, ys = data["grid_x"].astype(int), data["grid_y"].astype(int)
    cols, rows = sorted(set(xs)), sorted(set(ys))
    col_at = {c: i for i, c in enumerate(cols)}
    row_at = {r: i for i, r in enumerate(rows)}
    top = 34
    width = max(len(cols) * (tile + gap), 320)
    map_height = len(rows) * (tile + gap)
    height = top + map_height + 74
    lo, hi = float(data["value"].min()), float(data["value"].max())
    span = (hi - lo) or 1.0
    body = [_title(title)]
    for _, row in data.iterrows():
        x = col_at[int(row["grid_x"])] * (tile + gap)
        y = top + row_at[int(row["grid_y"])] * (tile + gap)
        share = (float(row["value"]) - lo) / span if pd.notna(row["value"]) else 0.0
        fill = _blue(share) if pd.notna(row["value"]) else "#F0F0F0"
        ink = _ink_on(fill)
        name = str(row["locality_name"])
        short = "".join(w[0] for w in name.replace("&", " ").split())[:4]
        figure = _num(float(row["value"])) if pd.notna(row["value"]) else "no figure"
        body.append(
            f"<g><title>{_e(name)} ({_e(row.get('council', ''))}): {figure} {_e(value_title)}</title>"
            f"<rect x='{x}' y='{y}' width='{tile}' height='{tile}' rx='3' fill='{fill}'/>"
            f"<text x='{x + tile / 2:.1f}' y='{y + tile / 2 + 5:.1f}' font-size='14' font-weight='700' "
            f"text-anchor='middle' fill='{ink}'>{_e(short)}</text></g>"
        )
    # the legend: the ramp from the lowest to the highest figure
    ly = top + map_height + 26
    body.append(f"<text x='0' y='{ly - 8}' font-size='{SMALL}' fill='{MUTED}'>{_e(value_title)}</text>")
    body.append(
        "<defs><linearGradient id='oi-blues'>"
        + "".join(f"<stop offset='{i / (len(BLUES) - 1):.3f}' stop-color='{c}'/>" for i, c in enumerate(BLUES))
        + "</linearGradient></defs>"
    )
    ramp = min(300, width - 20)
    body.append(
        f"<rect x='0' y='{ly}' width='{ramp}' height='12' fill='url(#oi-blues)'/>"
        f"<text x='0' y='{ly + 30}' font-size='{SMALL}' fill='{MUTED}'>{_num(lo)}</text>"
        f"<text x='{ramp}' y='{ly + 30}' font-size='{SMALL}' text-anchor='end' fill='{MUTED}'>{_num(hi)}</text>"
    )
    return _svg(width, height, label or title, body)


def sparkline(values: pd.Series, *, label: str, colour: str = "#555555", width: int = 300, height: int = 56) -> str:
    """A measure tile's recent trend as a small inline SVG line, the last point marked.

    Plain SVG rather than a Vega chart: the Overview shows dozens of these, and each Vega chart
    costs the browser a chart runtime; a polyline costs nothing. ``label`` is its text alternative.
    """
    ys = pd.Series(values, dtype=float).dropna().to_numpy()
    if ys.size == 0:
        return ""
    lo, hi = float(ys.min()), float(ys.max())
    span = hi - lo or 1.0
    pad = 4.0
    xs = [pad + i * (width - 2 * pad) / max(ys.size - 1, 1) for i in range(ys.size)]
    py = [height - pad - (y - lo) / span * (height - 2 * pad) for y in ys]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, py, strict=True))
    alt = _e(label)
    return (
        f'<svg role="img" aria-label="{alt}" viewBox="0 0 {width} {height}" width="100%" height="{height}" '
        f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title>{alt}</title>'
        f'<polyline fill="none" stroke="#555555" stroke-width="1.5" vector-effect="non-scaling-stroke" '
        f'points="{points}"/><circle cx="{xs[-1]:.1f}" cy="{py[-1]:.1f}" r="3.5" fill="{colour}"/></svg>'
    )


def small_control_chart(
    points: pd.DataFrame,
    *,
    title: str,
    width: int = 240,
    height: int = 90,
    band: tuple[Sequence[float], Sequence[float]] | None = None,
    y_range: tuple[float, float] | None = None,
    x_labels: tuple[str, str] | None = None,
) -> str:
    """One area's small control chart as inline SVG: values, average, limits, special-cause points.

    For small multiples: dozens of these side by side cost the browser almost nothing, where a
    faceted Vega chart of forty panels takes seconds to lay out. ``points`` has value, centre,
    lower, upper and point_type, in time order (and ``phase``: centre and limits break between
    phases). Optional: ``band`` (low, high per point) shades a group's middle for context,
    ``y_range`` gives every panel of a set the same scale, ``x_labels`` names the first and last period.
    """
    data = points.reset_index(drop=True)
    values = data["value"].astype(float)
    if values.notna().sum() == 0:
        return ""
    lower = data["lower"].astype(float)
    if (values.dropna() >= 0).all():
        lower = lower.clip(lower=0)  # no negative counts or rates (see xmr_frame)
    every = pd.concat([values, data["centre"].astype(float), data["upper"].astype(float), lower]).dropna()
    lo, hi = (float(every.min()), float(every.max())) if y_range is None else y_range
    span = hi - lo or 1.0
    top, pad = 22.0, 3.0
    bottom = 14.0 if x_labels else pad
    n = len(data)
    phase = data["phase"].to_numpy() if "phase" in data.columns else np.zeros(n, dtype=int)

    def x(i: int) -> float:
        return pad + i * (width - 2 * pad) / max(n - 1, 1)

    def y(v: float) -> float:
        return height - bottom - (min(max(v, lo), hi) - lo) / span * (height - top - bottom)

    def path(series: pd.Series, rows: Sequence[int] | None = None) -> str:
        # in arrays: sixteen panels of 167 months are 2,700 points a line, drawn on every new comparison
        at = np.arange(n) if rows is None else np.asarray(rows, dtype=int)
        vals = series.astype(float).to_numpy()[at]
        keep = np.isfinite(vals)
        xs = pad + at[keep] * (width - 2 * pad) / max(n - 1, 1)
        ys = np.round(height - bottom - (np.clip(vals[keep], lo, hi) - lo) / span * (height - top - bottom), 1)
        # a level line (an average or a limit) is flat within a phase: its middle points draw nothing
        flat = np.zeros(len(ys), dtype=bool)
        if len(ys) > 2:
            flat[1:-1] = (ys[1:-1] == ys[:-2]) & (ys[1:-1] == ys[2:])
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs[~flat].tolist(), ys[~flat].tolist(), strict=True))

    label = _e(title)
    parts = [
        f'<svg role="img" aria-label="Small control chart for {label}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{pad}" y="14" font-size="14" font-family="sans-serif" fill="#222">{label}</text>',
    ]
    if band is not None:
        low, high = np.asarray(band[0], dtype=float), np.asarray(band[1], dtype=float)
        ok = [i for i in range(n) if np.isfinite(low[i]) and np.isfinite(high[i])]
        if ok:
            ring = [f"{x(i):.1f},{y(float(high[i])):.1f}" for i in ok] + [
                f"{x(i):.1f},{y(float(low[i])):.1f}" for i in reversed(ok)
            ]
            parts.append(f'<polygon fill="#DADDE3" fill-opacity="0.7" stroke="none" points="{" ".join(ring)}"/>')
    for p in pd.unique(phase):
        rows = [int(i) for i in np.flatnonzero(phase == p)]
        parts.append(f'<polyline fill="none" stroke="#333" stroke-width="1" points="{path(data["centre"], rows)}"/>')
        for limit in (data["upper"].astype(float), lower):
            parts.append(
                f'<polyline fill="none" stroke="#333" stroke-width="0.8" stroke-dasharray="4 3" '
                f'points="{path(limit, rows)}"/>'
            )
    parts.append(f'<polyline fill="none" stroke="#9A9A9A" stroke-width="1.2" points="{path(values)}"/>')
    for i, (kind, value) in enumerate(zip(data["point_type"].astype(str), values, strict=True)):
        style = POINT_STYLE.get(kind)
        if style is None or kind == "common_cause" or pd.isna(value):
            continue
        parts.append(_marker(style[2], x(i), y(float(value)), style[1], 4.0, style[0]))
    if x_labels:
        parts.append(
            f'<text x="{pad}" y="{height - 2}" font-size="10" font-family="sans-serif" fill="#555">'
            f'{_e(x_labels[0])}</text><text x="{width - pad}" y="{height - 2}" font-size="10" '
            f'font-family="sans-serif" fill="#555" text-anchor="end">{_e(x_labels[1])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""Charts shared by pages and exports: one builder a chart type, data in, Vega-Lite spec (or SVG) out.

Colours follow NHS England Making Data Count's icon palette (blue = improvement, orange =
concern, purple = neutral, grey = common cause), which stays distinguishable for the common
colour-vision deficiencies; every special-cause point also gets its own shape, so colour is
never the only cue (WCAG 2.2 SC 1.4.1).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

POINT_STYLE: dict[str, tuple[str, str, str]] = {
    # point_type: (label, colour, shape)
    "common_cause": ("Common cause", "#7B7D7D", "circle"),
    "special_cause_improvement": ("Special cause: improving", "#1F77B4", "triangle-up"),
    "special_cause_concern": ("Special cause: concerning", "#E66100", "square"),
    "special_cause_neutral_high": ("Special cause: high", "#5D3A9B", "diamond"),
    "special_cause_neutral_low": ("Special cause: low", "#5D3A9B", "triangle-down"),
}
FONT_SIZE = {"normal": 13, "large": 22}


def xmr_frame(points: pd.DataFrame, dates: pd.Series) -> pd.DataFrame:
    """The rows an XmR chart draws: one per period, with limits, phase and a plain signal label."""
    frame = points.reset_index(drop=True).copy()
    frame["date"] = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    frame["signal_label"] = frame["point_type"].map(lambda t: POINT_STYLE.get(t, POINT_STYLE["common_cause"])[0])
    frame["phase_label"] = "Phase " + (frame["phase"].astype(int) + 1).astype(str)
    if (frame["value"].dropna() >= 0).all():
        # Counts, days and shares cannot go below zero: a lower limit under zero means "no lower limit"
        # (Wheeler, Understanding Variation, ch. 5), so the drawn line stops at zero.
        frame["lower"] = frame["lower"].clip(lower=0)
    return frame


@dataclass(frozen=True)
class VegaLite:
    """A Vega-Lite spec and the one table it draws.

    Pages hand both to ``st.vega_lite_chart`` (the table goes as Arrow); exports call
    ``to_dict()`` for a self-contained spec for vl-convert. Built as plain dicts because
    Altair's validation costs ~0.3 s for a layered chart, which a page pays on every rerun.
    """

    spec: dict[str, Any]
    data: pd.DataFrame

    def to_dict(self, validate: bool = False) -> dict[str, Any]:
        rows = self.data.copy()
        for col in rows.columns:
            if pd.api.types.is_datetime64_any_dtype(rows[col]):
                rows[col] = rows[col].dt.strftime("%Y-%m-%d")
        values = json.loads(rows.to_json(orient="records"))
        return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", **self.spec, "data": {"values": values}}


def _tooltip(field: str, title: str, kind: str = "quantitative", fmt: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"field": field, "type": kind, "title": title}
    if fmt:
        out["format"] = fmt
    return out


def xmr_chart(
    points: pd.DataFrame,
    dates: pd.Series,
    *,
    title: str,
    y_title: str,
    target: float | None = None,
    phase_labels: dict[int, str] | None = None,
    size: str = "normal",
    height: int = 320,
) -> VegaLite:
    """A process-behaviour chart: values, centre line and natural process limits per phase."""
    data = xmr_frame(points, dates)
    data = data[[c for c in ("date", "value", "centre", "lower", "upper", "phase", "signal_label", "special_cause")
                 if c in data.columns]].copy()
    data["special_cause"] = data.get("special_cause", pd.Series("", index=data.index)).astype(str)
    data["phase"] = data["phase"].astype(int)
    first = data.groupby("phase")["date"].transform("min").eq(data["date"]) & data["phase"].gt(0)
    data["phase_start"] = first
    data["phase_name"] = [
        (phase_labels or {}).get(int(p), f"Phase {int(p) + 1}") if f else "" for p, f in zip(data["phase"], first, strict=True)
    ]
    font = FONT_SIZE[size]
    # the legend lists only the kinds of point on this chart, each keeping its own colour and shape
    present = set(data["signal_label"])
    styles = [v for v in POINT_STYLE.values() if v[0] in present] or [POINT_STYLE["common_cause"]]
    labels = [v[0] for v in styles]
    x = {"field": "date", "type": "temporal", "title": None, "axis": {"format": "%b %Y"}}

    def line(field: str, dash: list[int] | None = None, width: float = 1.5, colour: str = "#333333") -> dict[str, Any]:
        mark: dict[str, Any] = {"type": "line", "color": colour, "strokeWidth": width}
        if dash:
            mark["strokeDash"] = dash
        return {"mark": mark, "encoding": {"x": x, "y": {"field": field, "type": "quantitative"},
                                           "detail": {"field": "phase", "type": "nominal"}}}

    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line", "color": "#9A9A9A", "strokeWidth": 1.5},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": y_title,
                                    "scale": {"zero": False}}}},
        line("centre"), line("upper", [6, 4], 1), line("lower", [6, 4], 1),
    ]
    if target is not None and pd.notna(target):
        layers.append({"mark": {"type": "rule", "color": "#005EA5", "strokeDash": [2, 2], "strokeWidth": 2},
                       "encoding": {"y": {"datum": float(target), "type": "quantitative"}}})
    if bool(first.any()):
        starts = {"filter": "datum.phase_start"}
        layers.append({"transform": [starts], "mark": {"type": "rule", "color": "#005EA5", "strokeWidth": 1.5},
                       "encoding": {"x": x}})
        layers.append({"transform": [starts],
                       "mark": {"type": "text", "align": "left", "dx": 4, "dy": -6, "fontSize": font - 2,
                                "color": "#005EA5"},
                       "encoding": {"x": x, "y": {"value": 8}, "text": {"field": "phase_name", "type": "nominal"}}})
    layers.append({
        "mark": {"type": "point", "filled": True, "size": 70 if size == "normal" else 140, "opacity": 1},
        "encoding": {
            "x": x, "y": {"field": "value", "type": "quantitative"},
            "color": {"field": "signal_label", "type": "nominal", "title": "Variation",
                      "scale": {"domain": labels, "range": [v[1] for v in styles]},
                      "legend": {"orient": "bottom", "labelFontSize": font - 1, "titleFontSize": font - 1,
                                 "labelLimit": 400}},
            "shape": {"field": "signal_label", "type": "nominal",
                      "scale": {"domain": labels, "range": [v[2] for v in styles]}, "legend": None},
            "tooltip": [
                _tooltip("date", "Period", "temporal", "%d %b %Y"), _tooltip("value", "Value", fmt=",.4~f"),
                _tooltip("centre", "Average", fmt=",.4~f"), _tooltip("lower", "Lower limit", fmt=",.4~f"),
                _tooltip("upper", "Upper limit", fmt=",.4~f"), _tooltip("signal_label", "Variation", "nominal"),
                _tooltip("special_cause", "Rule", "nominal"),
            ],
        },
    })
    spec = {
        "title": {"text": title, "fontSize": font + 3, "anchor": "start"},
        "height": height, "width": "container", "layer": layers,
        "config": {"axis": {"labelFontSize": font - 1, "titleFontSize": font}},
    }
    return VegaLite(spec=spec, data=data.reset_index(drop=True))


def sparkline(values: pd.Series, *, label: str, colour: str = "#555555", width: int = 300,
              height: int = 56) -> str:
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
    text = html.escape(label, quote=True)
    return (f'<svg role="img" aria-label="{text}" viewBox="0 0 {width} {height}" width="100%" height="{height}" '
            f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title>{text}</title>'
            f'<polyline fill="none" stroke="#555555" stroke-width="1.5" vector-effect="non-scaling-stroke" '
            f'points="{points}"/><circle cx="{xs[-1]:.1f}" cy="{py[-1]:.1f}" r="3.5" fill="{colour}"/></svg>')


def to_png(figure: VegaLite, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG, drawn offline by vl-convert (no browser, no network)."""
    import vl_convert  # imported on use: only exports need it

    return bytes(vl_convert.vegalite_to_png(_fixed_width(figure.to_dict()), scale=scale))


def to_svg(figure: VegaLite) -> str:
    """The chart as SVG, for reports that want to scale it."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(_fixed_width(figure.to_dict())))


def _fixed_width(spec: dict[str, Any], width: int = 900) -> dict[str, Any]:
    """'container' width means nothing outside a page: give exported charts a real one."""
    return {**spec, "width": width} if spec.get("width") == "container" else spec


def small_control_chart(points: pd.DataFrame, *, title: str, width: int = 240, height: int = 90) -> str:
    """One area's small control chart as inline SVG: values, average, limits, special-cause points.

    For small multiples: dozens of these side by side cost the browser almost nothing, where a
    faceted Vega chart of forty panels takes seconds to lay out. ``points`` has value, centre,
    lower, upper and point_type, in time order.
    """
    data = points.reset_index(drop=True)
    values = data["value"].astype(float)
    if values.notna().sum() == 0:
        return ""
    lower = data["lower"].astype(float)
    if (values.dropna() >= 0).all():
        lower = lower.clip(lower=0)  # no negative counts or rates (see xmr_frame)
    every = pd.concat([values, data["centre"].astype(float), data["upper"].astype(float), lower]).dropna()
    lo, hi = float(every.min()), float(every.max())
    span = hi - lo or 1.0
    top, pad = 18.0, 3.0
    n = len(data)

    def x(i: int) -> float:
        return pad + i * (width - 2 * pad) / max(n - 1, 1)

    def y(v: float) -> float:
        return height - pad - (v - lo) / span * (height - top - pad)

    def path(series: pd.Series) -> str:
        return " ".join(f"{x(i):.1f},{y(float(v)):.1f}" for i, v in enumerate(series.astype(float)) if pd.notna(v))

    label = html.escape(title, quote=True)
    parts = [f'<svg role="img" aria-label="Small control chart for {label}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="{pad}" y="12" font-size="12" font-family="sans-serif" fill="#222">{label}</text>',
             f'<polyline fill="none" stroke="#333" stroke-width="1" points="{path(data["centre"])}"/>']
    for limit in (data["upper"].astype(float), lower):
        parts.append(f'<polyline fill="none" stroke="#333" stroke-width="0.8" stroke-dasharray="4 3" '
                     f'points="{path(limit)}"/>')
    parts.append(f'<polyline fill="none" stroke="#9A9A9A" stroke-width="1.2" points="{path(values)}"/>')
    shapes = {"triangle-up": "M0,-4 L4,3 L-4,3 Z", "square": "M-3.5,-3.5 h7 v7 h-7 Z",
              "diamond": "M0,-4.5 L4.5,0 L0,4.5 L-4.5,0 Z", "triangle-down": "M0,4 L4,-3 L-4,-3 Z"}
    for i, (kind, value) in enumerate(zip(data["point_type"].astype(str), values, strict=True)):
        style = POINT_STYLE.get(kind)
        if style is None or kind == "common_cause" or pd.isna(value):
            continue
        parts.append(f'<path transform="translate({x(i):.1f},{y(float(value)):.1f})" '
                     f'd="{shapes[style[2]]}" fill="{style[1]}"><title>{html.escape(style[0])}</title></path>')
    parts.append("</svg>")
    return "".join(parts)

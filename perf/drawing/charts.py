"""Charts shared by pages and exports: one builder a chart type, data in, Vega-Lite spec (or SVG) out.

Colours, words and shapes come from :mod:`perf.words.vocabulary` (Making Data Count's palette); every
special-cause point also gets its own shape, so colour is never the only cue (WCAG 2.2 SC 1.4.1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from perf.words import vocabulary

# (legend, colour, shape) of each point type, read from the one vocabulary
POINT_STYLE: dict[str, tuple[str, str, str]] = {
    kind: (style.legend, style.colour, style.shape) for kind, style in vocabulary.POINT_TYPES.items()
}
# Axis labels and legends are one smaller than this, so never under 14 px (readable on a shared screen);
# Briefing mode's large charts are for reading across a meeting room.
FONT_SIZE = {"normal": 15, "large": 24}


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
    data = data[
        [
            c
            for c in ("date", "value", "centre", "lower", "upper", "phase", "signal_label", "special_cause")
            if c in data.columns
        ]
    ].copy()
    data["special_cause"] = data.get("special_cause", pd.Series("", index=data.index)).astype(str)
    data["phase"] = data["phase"].astype(int)
    first = data.groupby("phase")["date"].transform("min").eq(data["date"]) & data["phase"].gt(0)
    data["phase_start"] = first
    data["phase_name"] = [
        (phase_labels or {}).get(int(p), f"Phase {int(p) + 1}") if f else ""
        for p, f in zip(data["phase"], first, strict=True)
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
        return {
            "mark": mark,
            "encoding": {
                "x": x,
                "y": {"field": field, "type": "quantitative"},
                "detail": {"field": "phase", "type": "nominal"},
            },
        }

    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "color": "#9A9A9A", "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
            },
        },
        line("centre"),
        line("upper", [6, 4], 1),
        line("lower", [6, 4], 1),
    ]
    if target is not None and pd.notna(target):
        layers.append(
            {
                "mark": {"type": "rule", "color": vocabulary.ACCENT, "strokeDash": [2, 2], "strokeWidth": 2},
                "encoding": {"y": {"datum": float(target), "type": "quantitative"}},
            }
        )
    if bool(first.any()):
        starts = {"filter": "datum.phase_start"}
        layers.append(
            {
                "transform": [starts],
                "mark": {"type": "rule", "color": vocabulary.ACCENT, "strokeWidth": 1.5},
                "encoding": {"x": x},
            }
        )
        layers.append(
            {
                "transform": [starts],
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 4,
                    "dy": -6,
                    "fontSize": font - 1,
                    "color": vocabulary.ACCENT,
                },
                "encoding": {"x": x, "y": {"value": 8}, "text": {"field": "phase_name", "type": "nominal"}},
            }
        )
    layers.append(
        {
            "mark": {"type": "point", "filled": True, "size": 70 if size == "normal" else 140, "opacity": 1},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "color": {
                    "field": "signal_label",
                    "type": "nominal",
                    "title": "Variation",
                    "scale": {"domain": labels, "range": [v[1] for v in styles]},
                    "legend": {
                        "orient": "bottom",
                        "labelFontSize": font - 1,
                        "titleFontSize": font - 1,
                        "labelLimit": 400,
                    },
                },
                "shape": {
                    "field": "signal_label",
                    "type": "nominal",
                    "scale": {"domain": labels, "range": [v[2] for v in styles]},
                    "legend": None,
                },
                "tooltip": [
                    _tooltip("date", "Period", "temporal", "%d %b %Y"),
                    _tooltip("value", "Value", fmt=",.4~f"),
                    _tooltip("centre", "Average", fmt=",.4~f"),
                    _tooltip("lower", "Lower limit", fmt=",.4~f"),
                    _tooltip("upper", "Upper limit", fmt=",.4~f"),
                    _tooltip("signal_label", "Variation", "nominal"),
                    _tooltip("special_cause", "Rule", "nominal"),
                ],
            },
        }
    )
    spec = {
        "title": {"text": title, "fontSize": font + 3, "anchor": "start"},
        "height": height,
        "width": "container",
        "layer": layers,
        # dark grey labels (Vega's default grey is 3.5:1 on white; #4A4A4A is 8.9:1)
        "config": {
            "axis": {
                "labelFontSize": font - 1,
                "titleFontSize": font,
                "labelColor": "#4A4A4A",
                "titleColor": "#31333F",
            },
            "legend": {"labelColor": "#31333F", "titleColor": "#31333F"},
        },
    }
    return VegaLite(spec=spec, data=data.reset_index(drop=True))


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


def mark_date(figure: VegaLite, when: pd.Timestamp, label: str) -> VegaLite:
    """The chart with a vertical line and a label at ``when``: where a review's change falls."""
    at = pd.Timestamp(when)
    x = {"datum": {"year": at.year, "month": at.month, "date": at.day}, "type": "temporal"}
    layers = [
        *figure.spec["layer"],
        # the line says what it marks to a screen reader (an SVG mark without one fails WCAG 1.1.1 in axe)
        {
            "mark": {
                "type": "rule",
                "color": "#D5281B",
                "strokeWidth": 2,
                "strokeDash": [4, 3],
                "description": f"{label}: {at:%d %b %Y}",
            },
            "encoding": {"x": x},
        },
        {
            "mark": {
                "type": "text",
                "align": "right",
                "dx": -4,
                "dy": -6,
                "fontSize": 14,
                "color": "#D5281B",
                "fontWeight": "bold",
            },
            "encoding": {"x": x, "y": {"value": 8}, "text": {"value": label}},
        },
    ]
    return VegaLite(spec={**figure.spec, "layer": layers}, data=figure.data)

"""WCAG 2.2 AA: icon and chart colours have enough contrast, and no status is told by colour alone."""

from __future__ import annotations

import pandas as pd
import pytest

from perf.drawing import charts
from perf.words import vocabulary
from ui import icons


def luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.2, definition of relative luminance)."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str = "#FFFFFF") -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


PROVENANCE = {kind: (s.glyph, s.label, s.colour) for kind, s in vocabulary.PROVENANCE.items()}


@pytest.mark.parametrize("name,style", [*icons.VARIATION.items(), *icons.ASSURANCE.items(), *PROVENANCE.items()])
def test_badge_text_meets_aa_contrast_on_white(name: str, style: tuple[str, str, str]) -> None:
    assert contrast(style[2]) >= 4.5, f"{name} badge colour {style[2]} is below 4.5:1 (WCAG SC 1.4.3)"


@pytest.mark.parametrize("name,style", charts.POINT_STYLE.items())
def test_chart_points_meet_non_text_contrast(name: str, style: tuple[str, str, str]) -> None:
    assert contrast(style[1]) >= 3.0, f"{name} point colour is below 3:1 (WCAG SC 1.4.11)"


def test_every_status_has_its_own_shape_and_words_not_only_a_colour() -> None:
    shapes = [s[0] for s in icons.VARIATION.values()]
    words = [s[1] for s in icons.VARIATION.values()]
    assert len(set(words)) == len(words) and all(words)
    # improving, concerning and common cause each look different without colour
    assert (
        len({icons.VARIATION[k][0] for k in ("common_cause", "special_cause_improvement", "special_cause_concern")})
        == 3
    )
    assert len({s[2] for s in charts.POINT_STYLE.values()}) == len(charts.POINT_STYLE)  # chart point shapes
    assert shapes


def test_badges_charts_and_packs_share_one_colour_a_point_type() -> None:
    """One vocabulary: a "concerning" badge, chart point and pack icon are the same orange."""
    from perf.output import report

    for kind, (_, _, colour) in icons.VARIATION.items():
        assert charts.POINT_STYLE[kind][1] == colour, kind
    for kind, (_, _, colour) in icons.ASSURANCE.items():
        assert report.ASSURANCE_COLOUR[kind] == colour, kind


def test_colours_are_written_once_in_the_vocabulary() -> None:
    """A signal's, a provenance badge's and the house colours are spelt out in perf/words/vocabulary.py only
    (a second copy is how "concerning" became two oranges); the app's theme colour is the accent."""
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    named = {vocabulary.BLUE, vocabulary.ORANGE, vocabulary.PURPLE, vocabulary.GREY, vocabulary.ACCENT, vocabulary.NAVY}
    named |= {s.colour for s in vocabulary.PROVENANCE.values()}
    home = root / "perf" / "words" / "vocabulary.py"
    others = [
        p
        for p in [
            root / "app.py",
            *(root / "perf").rglob("*.py"),
            *(root / "ui").rglob("*.py"),
            *(root / "app_pages").rglob("*.py"),
        ]
        if p != home
    ]
    copies = [
        f"{p.relative_to(root)}: {c}"
        for p in others
        for c in re.findall(r"#[0-9A-Fa-f]{6}\b", p.read_text())
        if c.upper() in {n.upper() for n in named}
    ]
    assert not copies, copies
    theme = tomllib.loads((root / ".streamlit" / "config.toml").read_text())["theme"]
    assert theme["primaryColor"].upper() == vocabulary.ACCENT.upper()
    assert contrast(vocabulary.ACCENT) >= 4.5 and contrast(vocabulary.NAVY) >= 4.5


def _font_sizes(node: object) -> list[float]:
    """Every font size a Vega-Lite spec sets, wherever it sets one."""
    if isinstance(node, dict):
        own = [float(v) for k, v in node.items() if k.lower().endswith("fontsize")]
        return own + [s for v in node.values() for s in _font_sizes(v)]
    if isinstance(node, list):
        return [s for v in node for s in _font_sizes(v)]
    return []


def _points(point_type: str | list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Four monthly points in two phases, and their dates: enough for every text a chart draws."""
    points = pd.DataFrame(
        {
            "value": [1.0, 2.0, 9.0, 2.0],
            "centre": 2.0,
            "lower": 0.0,
            "upper": 5.0,
            "phase": [0, 0, 1, 1],
            "point_type": point_type,
        }
    )
    return points, pd.Series(pd.date_range("2025-01-01", periods=4, freq="MS"))


def _chart(size: str) -> dict[str, object]:
    points, dates = _points(["common_cause", "common_cause", "special_cause_concern", "common_cause"])
    return charts.xmr_chart(points, dates, title="t", y_title="y", size=size).spec


def test_chart_text_is_at_least_14px_and_larger_in_briefing() -> None:
    figure = charts.VegaLite(spec=_chart("normal"), data=pd.DataFrame())
    marked = charts.mark_date(figure, pd.Timestamp("2025-02-01"), "Change").spec  # as the Review page draws it
    normal, large = _font_sizes(marked), _font_sizes(_chart("large"))
    assert normal and min(normal) >= 14, f"chart text under 14 px: {sorted(normal)}"
    assert min(large) >= 20 and min(large) > max(normal) - 2, f"briefing chart text not larger: {sorted(large)}"


def test_svg_chart_text_is_at_least_14px_when_drawn_at_820_px() -> None:
    """SVG charts are 900 units wide, drawn 820 px wide in the page at 1280 x 720 (the browser test measures it)."""
    import re

    from perf.drawing import svg

    points, dates = _points("common_cause")
    drawn = svg.xmr_chart(points, dates, title="t", y_title="y", phase_labels={1: "Change"})
    sizes = [float(s) for s in re.findall(r"font-size='([\d.]+)'", drawn)]
    assert sizes and min(sizes) * 820 / svg.WIDTH >= 14, sorted(sizes)

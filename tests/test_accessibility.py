"""WCAG 2.2 AA: icon and chart colours have enough contrast, and no status is told by colour alone."""

from __future__ import annotations

import pytest

from perf import charts
from ui import icons


def luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.2, definition of relative luminance)."""
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str = "#FFFFFF") -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("name,style", [*icons.VARIATION.items(), *icons.ASSURANCE.items()])
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
    assert len({icons.VARIATION[k][0] for k in ("common_cause", "special_cause_improvement",
                                                "special_cause_concern")}) == 3
    assert len({s[2] for s in charts.POINT_STYLE.values()}) == len(charts.POINT_STYLE)  # chart point shapes
    assert shapes


def test_badges_charts_and_packs_share_one_colour_a_point_type() -> None:
    """One vocabulary: a "concerning" badge, chart point and pack icon are the same orange."""
    from perf import report

    for kind, (_, _, colour) in icons.VARIATION.items():
        assert charts.POINT_STYLE[kind][1] == colour, kind
    for kind, (_, _, colour) in icons.ASSURANCE.items():
        assert report.ASSURANCE_COLOUR[kind] == colour, kind

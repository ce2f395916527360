"""The words, colours, shapes and glyphs of a signal, defined once.

Charts (Vega-Lite and SVG), packs, sentences and badges all read these tables, so "concerning"
is one orange and one word everywhere. Colours follow NHS England's *Making Data Count* palette
(blue improving, orange concerning, purple neutral, grey common cause), darkened where needed so
each meets 4.5:1 on white as text and 3:1 as a graphic (WCAG 2.2 1.4.3 and 1.4.11;
``tests/test_accessibility.py`` checks them). Shapes and glyphs differ per type, so colour is
never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

BLUE = "#1F77B4"  # improving; meets target (4.8:1 on white)
ORANGE = "#C35000"  # concerning; misses target (4.9:1)
PURPLE = "#5D3A9B"  # unusual either way on a neutral measure (8.6:1)
GREY = "#5F6163"  # common cause, hit and miss, no data (6.4:1)


@dataclass(frozen=True)
class Style:
    """How one kind of point (or assurance) is shown: the same in every room."""

    label: str  # a badge's word ("Improving")
    legend: str  # a chart legend's entry ("Special cause: improving")
    colour: str
    shape: str  # a Vega-Lite point shape, also drawn by perf.svg
    glyph: str  # a text glyph for badges and packs
    words: str  # in a sentence ("an improvement")


POINT_TYPES: dict[str, Style] = {
    "common_cause": Style("Common cause", "Common cause", GREY, "circle", "●", "common-cause variation"),
    "special_cause_improvement": Style("Improving", "Special cause: improving", BLUE, "triangle-up", "▲", "an improvement"),
    "special_cause_concern": Style("Concerning", "Special cause: concerning", ORANGE, "square", "■", "a concern"),
    "special_cause_neutral_high": Style("Unusually high", "Special cause: high", PURPLE, "diamond", "◆", "unusually high"),
    "special_cause_neutral_low": Style("Unusually low", "Special cause: low", PURPLE, "triangle-down", "▼", "unusually low"),
}  # fmt: skip
NO_DATA = Style("Not enough data", "Not enough data", GREY, "circle", "○", "not enough data")

ASSURANCE: dict[str, Style] = {
    "consistent_pass": Style("Will meet target", "Will meet target", BLUE, "circle", "✔", "will meet the target"),
    "consistent_fail": Style("Will miss target", "Will miss target", ORANGE, "circle", "✖", "will miss the target"),
    "inconsistent": Style("Hit and miss", "Hit and miss", GREY, "circle", "≈", "will hit and miss the target"),
}  # fmt: skip

# Value and failure demand, on the Demand page's bars, the Pareto and the packs.
DEMAND_COLOURS: dict[str, str] = {"Value demand": BLUE, "Failure demand": ORANGE}


def point_style(point_type: str | None) -> Style:
    """The style of a point type; an unknown or missing one reads as common cause."""
    return POINT_TYPES.get(point_type or "", POINT_TYPES["common_cause"])

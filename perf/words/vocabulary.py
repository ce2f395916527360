"""The words, colours, shapes and glyphs of a signal, and the words of the rules that find one, defined once.

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

    label: str  # a badge's word ("Unusual: improving")
    legend: str  # a chart legend's entry (the same plain words)
    colour: str
    shape: str  # a Vega-Lite point shape, also drawn by perf.drawing.svg
    glyph: str  # a text glyph for badges and packs
    words: str  # in a sentence ("an improvement")
    meaning: str = ""  # what it means, in plain words, with the statisticians' term (badge titles, legends)
    short: str = ""  # where space is short: a pack's table of measures ("Improving")
    signal: str = ""  # the latest point in a headline ("a signal of improvement")


# Plain words for a councillor: common cause is "normal variation", special cause "unusual"
# (NHS England, Making Data Count, 2019, uses both pairs); the technical term stays in ``meaning``.
POINT_TYPES: dict[str, Style] = {
    "common_cause": Style("Normal variation", "Normal variation", GREY, "circle", "●", "common-cause variation",
                          "the ups and downs this system always has (common cause variation): nothing to react to",
                          short="Normal variation", signal="within normal variation"),
    "special_cause_improvement": Style("Unusual: improving", "Unusual: improving", BLUE, "triangle-up", "▲",
                                       "an improvement", "more than the normal ups and downs would give, in the "
                                       "better direction (special cause variation): look for the reason",
                                       short="Improving", signal="a signal of improvement"),
    "special_cause_concern": Style("Unusual: concerning", "Unusual: concerning", ORANGE, "square", "■", "a concern",
                                   "more than the normal ups and downs would give, in the worse direction "
                                   "(special cause variation): look for the reason",
                                   short="Concerning", signal="a signal of concern"),
    "special_cause_neutral_high": Style("Unusually high", "Unusually high", PURPLE, "diamond", "◆", "unusually high",
                                        "higher than the normal ups and downs would give (special cause variation)",
                                        short="Unusually high", signal="unusually high"),
    "special_cause_neutral_low": Style("Unusually low", "Unusually low", PURPLE, "triangle-down", "▼", "unusually low",
                                       "lower than the normal ups and downs would give (special cause variation)",
                                       short="Unusually low", signal="unusually low"),
}  # fmt: skip
NO_DATA = Style("Not enough data", "Not enough data", GREY, "circle", "○", "not enough data")

ASSURANCE: dict[str, Style] = {
    "consistent_pass": Style("Will meet target", "Will meet target", BLUE, "circle", "✔", "will meet the target",
                             "Will consistently meet the target"),
    "consistent_fail": Style("Will miss target", "Will miss target", ORANGE, "circle", "✖", "will miss the target",
                             "Will consistently miss the target"),
    "inconsistent": Style("Hit and miss", "Hit and miss", GREY, "circle", "≈", "will hit and miss the target",
                          "Will sometimes meet and sometimes miss the target"),
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """How a chart's rule for a signal is named: in a list of rules, and as the reason for the latest point
    (above or below; ``{trend}``, ``{run}``, ``{period}``, ``{periods}`` filled in by ``Chart.describe``)."""

    words: str
    above: str
    below: str


# The rules of perf/spc/_rules.py (sources in docs/methods.md), in plain words.
RULES: dict[str, Rule] = {
    "outside_limits": Rule("outside the limits", "above the upper limit", "below the lower limit"),
    "trend": Rule("a run of points rising or falling",
                  "part of a run of {trend} rising {periods}", "part of a run of {trend} falling {periods}"),
    "two_of_three": Rule("two of three points near a limit",
                         "two of three {periods} close to the upper limit", "two of three {periods} close to the lower limit"),
    "shift": Rule("a run of points on one side of the average",
                  "part of a run of {run} or more {periods} above the average",
                  "part of a run of {run} or more {periods} below the average"),
    "three_of_four": Rule("three of four points beyond the halfway line",
                          "three of four {periods} nearer the upper limit than the average",
                          "three of four {periods} nearer the lower limit than the average"),
    "four_of_five": Rule("four of five points beyond one sigma",
                         "four of five {periods} more than one sigma above the average",
                         "four of five {periods} more than one sigma below the average"),
    "mr_signal": Rule("an unusually large jump between periods",
                      "a jump up from the {period} before, bigger than the process allows",
                      "a drop from the {period} before, bigger than the process allows"),
}  # fmt: skip

# House colours, not a signal's: the accent of a target line, a phase's start and a link (the app's
# primaryColor in .streamlit/config.toml), and the navy of a pack's headings and the chosen council.
ACCENT = "#005EA5"  # 6.7:1 on white
NAVY = "#1F3A5F"  # 11.5:1

# Where the figures come from, on a measure's badge and a pack's cover: made-up figures are never taken for real.
PROVENANCE: dict[str, Style] = {
    "real": Style("Real data", "Real data", "#1B5E20", "circle", "✓", "real data"),  # 7.9:1 on white
    "illustrative": Style("Illustrative data", "Illustrative data", "#8A5A00", "circle", "◇", "illustrative data"),  # 5.9:1
}  # fmt: skip

# Value and failure demand, on the Demand page's bars, the Pareto and the packs.
DEMAND_COLOURS: dict[str, str] = {"Value demand": BLUE, "Failure demand": ORANGE}


def point_style(point_type: str | None) -> Style:
    """The style of a point type; an unknown or missing one reads as common cause."""
    return POINT_TYPES.get(point_type or "", POINT_TYPES["common_cause"])

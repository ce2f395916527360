"""Process-behaviour charts: limits per phase, special-cause rules, variation and assurance.

One result type, :class:`Chart`, for every chart kind (XmR, p, u, c, run, trended XmR). The
statistics are vectorised with numpy; the rules live in ``_rules``. Every constant
carries its source (``_base``); ``docs/methods.md`` collects them and lists where we
depart from NHSRplotthedots and the NHS England *Making Data Count* tool.

This package is the public API: import every chart, type and constant from ``perf.spc``. Its
private modules are the parts, and nothing outside the package imports them:

- ``_base``: type aliases, constants with their sources, input checks and set-up, XmR limits
- ``_rules``: the special-cause rules and Anhøj's runs analysis, vectorised over segments
- ``_chart``: :class:`Chart` and assembling one (rules, point types, variation, assurance)
- ``_describe``: the plain-English sentence (``Chart.describe``)
- ``_xmr``: charts of individual values (XmR, run chart, trended XmR, seasonal relatives)
- ``_attribute``: p, u and c charts, Laney p' and u'
- ``_batch``: many series at once (``batch_points``, ``batch_latest``, ``xmr_many``)

Example
-------
>>> chart = xmr([5045, 4350, 4350, 3975, 4290, 4430, 4485, 4285,
...              3980, 3925, 3645, 3760, 3300, 3685, 3463, 5200])
>>> print(chart.phases.loc[0, ["centre", "lower", "upper"]].astype(float).round(2).tolist())
[4135.5, 3188.72, 5082.28]
>>> chart.variation
'special_cause_neutral_high'
"""

from __future__ import annotations

from perf.spc._attribute import c_chart, p_chart, u_chart
from perf.spc._base import (
    D2,
    MEDIAN_LIMIT_FACTOR,
    MEDIAN_MR_UPPER_FACTOR,
    MR_SCREEN_FACTOR,
    MR_UPPER_FACTOR,
    NATURAL_LIMIT_FACTOR,
    PHASE_COLUMNS,
    POINT_COLUMNS,
    POINT_TYPES,
    RUN_LENGTH,
    SHORT_PHASE,
    SIGMA_LIMITS,
    TREND_LENGTH,
    Assurance,
    BoolArray,
    FloatArray,
    Improvement,
    IntArray,
    MovingRange,
    PointType,
    RuleSet,
)
from perf.spc._batch import batch_latest, batch_points, xmr_many
from perf.spc._rules import RULES
from perf.spc._chart import POINT_TYPE_DTYPE, Chart
from perf.spc._xmr import deseasonalise, run_chart, trended_xmr, xmr

__all__ = [
    "D2", "MEDIAN_LIMIT_FACTOR", "MEDIAN_MR_UPPER_FACTOR", "MR_SCREEN_FACTOR", "MR_UPPER_FACTOR",
    "NATURAL_LIMIT_FACTOR", "PHASE_COLUMNS", "POINT_COLUMNS", "POINT_TYPES", "POINT_TYPE_DTYPE",
    "RULES", "RUN_LENGTH", "SHORT_PHASE", "SIGMA_LIMITS", "TREND_LENGTH",
    "Assurance", "BoolArray", "FloatArray", "Improvement", "IntArray", "MovingRange", "PointType",
    "RuleSet",
    "Chart", "batch_latest", "batch_points", "c_chart", "deseasonalise", "p_chart", "run_chart",
    "trended_xmr", "u_chart", "xmr", "xmr_many",
]  # fmt: skip

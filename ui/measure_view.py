"""One measure's chart as the Measure and Briefing pages draw it: the scope's period and window, cached."""

from __future__ import annotations

import pandas as pd

from perf import periods
from perf.output import measure_chart
from perf.output.measure_chart import MeasureChart
from perf.analysis.measures import Measure
from ui import cached, filters, signal_view

MeasureView = MeasureChart  # what the pages draw: perf.output.measure_chart builds it for packs and the Overview too


def measure_view(m: Measure, data: pd.DataFrame, scope: filters.Scope, locality_id: str) -> MeasureChart:
    """Chart ``data`` (a measure's series in ``locality_id``: the scope's place, or the whole area where
    the measure is not recorded by ward) as :func:`perf.output.measure_chart.build` does, shown by the scope's
    period, over its window, with the one-off points answers left out of the limits there (and no whole-area
    total drawn as a ward's target)."""
    shown_by: periods.Granularity = filters.shown_by(scope, m.frequency)
    return measure_chart.build(
        m,
        data,
        cached.phases(m.measure_id, scope.public_only),
        shown_by=shown_by,
        year_start=scope.year_start,
        since=scope.since,
        excluded=signal_view.excluded_spans(m.measure_id, locality_id),
        chart_of=cached.xmr_for,
        place=locality_id,
    )

"""Where every measure stands now: latest value, variation, assurance and whether a signal is new.

Each measure's chart is built as its Measure page and its pack build it (:func:`perf.output.measure_chart.build`),
so the Overview cannot disagree with them about a measure. For the sample's forty-one measures this
takes as long as the one vectorised batch pass it replaced (about 0.2 s either way, most of it
finding stale limits), and the pages cache it per data version.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from perf.output import measure_chart
from perf.analysis import measures

COLUMNS = [
    "measure_id",
    "value",
    "centre",
    "lower",
    "upper",
    "special_cause",
    "variation",
    "assurance",
    "period_start",
    "previous_variation",
    "new_signal",
    "changed_since",
]


def latest(
    values: pd.DataFrame, catalogue: pd.DataFrame, phases: pd.DataFrame, excluded: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per measure with values: latest value and period, its limits, variation, assurance,
    ``new_signal`` and ``changed_since``.

    ``new_signal`` is :func:`perf.output.measure_chart.is_new_signal`: the latest point is special cause
    and the point before it was not of that kind. ``changed_since`` is the first period of a
    sustained shift since the last phase began (:mod:`perf.analysis.stale`), else NaT: the limits no longer
    describe the system. ``excluded``: the spans one-off answers left out of the limits
    (measure_id, first_period, last_period), as the Measure page leaves them out.
    """
    rows: list[dict[str, Any]] = []
    info = {m.measure_id: m for m in measures.measure_list(catalogue)}
    for measure_id, data in values.groupby("measure_id", sort=True):
        measure = info[str(measure_id)]
        own = phases[phases["measure_id"] == measure_id] if len(phases) else phases
        spans = None if excluded is None else excluded[excluded["measure_id"] == measure_id]
        built = measure_chart.build(measure, data, own, excluded=spans)
        present = built.chart.points[built.chart.points["value"].notna()]
        if present.empty or built.too_few_shown:  # every value missing, or in the public view more than a tenth
            # hidden (perf.access.public.withheld): a row saying so, as the Overview's tile does, and no signal
            rows.append({"measure_id": measure_id, "new_signal": False})
            continue
        last = present.iloc[-1]
        rows.append(
            {
                "measure_id": measure_id,
                "value": float(last["value"]),
                "centre": float(last["centre"]),
                "lower": float(last["lower"]),
                "upper": float(last["upper"]),
                "special_cause": str(last["special_cause"] or ""),
                "variation": built.variation,
                "assurance": built.chart.assurance,
                "period_start": built.latest_period,
                "previous_variation": built.previous_variation,
                "new_signal": built.new_signal,
                "changed_since": built.changed_since,
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("variation", "assurance", "previous_variation"):  # None where missing, as on a Chart
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    out["changed_since"] = pd.to_datetime(out["changed_since"])
    out["new_signal"] = out["new_signal"].astype(bool)
    return out

"""Where every measure stands now: latest value, variation, assurance and whether a signal is new.

The Overview needs this for every measure at once, so it runs through spc's batch path (one
vectorised pass over all series) rather than a chart per measure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perf import spc
from perf.analysis import stale


def phase_labels(values: pd.DataFrame, phases: pd.DataFrame) -> pd.Series:
    """For each row (measure_id, period_start), the number of system changes on or before it."""
    out = pd.Series(0, index=values.index, dtype=np.int64)
    for measure_id, starts in phases.groupby("measure_id")["starts_on"]:
        rows = values["measure_id"] == measure_id
        dates = values.loc[rows, "period_start"].to_numpy()
        out.loc[rows] = np.searchsorted(np.sort(starts.to_numpy()), dates, side="right")
    return out


def latest(values: pd.DataFrame, catalogue: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """One row per measure: latest value and period, variation, assurance, ``new_signal`` and
    ``changed_since``.

    ``new_signal`` is True when the latest point is special cause and the point before it was
    not (or was a different kind): what changed since the last report. ``changed_since`` is the
    first period of a sustained shift since the last phase began (:mod:`perf.analysis.stale`), else NaT:
    the limits no longer describe the system.
    """
    if values.empty:
        return pd.DataFrame(columns=["measure_id", "period_start", "value", "variation", "assurance",
                                     "previous_variation", "new_signal", "changed_since"])
    frame = values.sort_values(["measure_id", "period_start"]).reset_index(drop=True)
    info = catalogue.set_index("measure_id")
    frame["improvement"] = frame["measure_id"].map(info["improvement"])
    frame["target"] = frame["measure_id"].map(info["target"]).astype(float)
    frame["phase"] = phase_labels(frame, phases)
    points = spc.batch_points(frame, series="measure_id", phase="phase")
    points["period_start"] = frame["period_start"].to_numpy()
    present = points[points["value"].notna()]
    last_two = present.groupby("measure_id").tail(2)
    previous = last_two.groupby("measure_id").head(1).set_index("measure_id")["point_type"]
    now = spc.batch_latest(frame, series="measure_id", phase="phase")
    out = now.reset_index()
    last_rows = present.groupby("measure_id").tail(1).set_index("measure_id")
    out["period_start"] = out["measure_id"].map(last_rows["period_start"])
    out["previous_variation"] = out["measure_id"].map(previous)
    counts = present.groupby("measure_id").size()
    out["new_signal"] = (
        out["variation"].fillna("common_cause").ne("common_cause")
        & (out["previous_variation"].ne(out["variation"]) | out["measure_id"].map(counts).eq(1))
    )
    shifted = {}
    for measure_id, rows in points.groupby("measure_id", sort=False):
        shifted[measure_id] = stale.changed_since(rows, rows["period_start"])
    out["changed_since"] = pd.to_datetime(out["measure_id"].map(shifted))
    return out

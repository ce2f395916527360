"""One measure's chart as every page draws it: re-aggregated to the chosen period, phased, limited."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from perf import spc
from perf.access import public
from perf.analysis import measures, stale
from ui import cached, filters


@dataclass(frozen=True)
class MeasureView:
    """A measure's values at the chosen granularity, its chart, and the part of it in the period shown."""

    data: pd.DataFrame         # every period, sorted, re-aggregated
    chart: spc.Chart           # limits from all of it, phased at recorded system changes
    shown_by: str              # week, month, quarter or year
    phase_rows: pd.DataFrame      # every recorded change, drawn or not (the page lists them)
    positions: list[int]
    phase_labels: dict[int, str]  # phase number (1, 2, ...) -> its recorded label
    target: float | None
    shown: pd.Index            # the rows inside the chosen period

    @property
    def hidden(self) -> pd.Series:
        """True for a period shown blank in the public view (a small count, or one that would give it away)."""
        flags = self.data["suppressed"] if "suppressed" in self.data.columns else pd.Series(False, index=self.data.index)
        return flags.loc[self.shown].astype(bool)

    @property
    def points(self) -> pd.DataFrame:
        return self.chart.points.loc[self.shown]

    @property
    def dates(self) -> pd.Series:
        return self.data.loc[self.shown, "period_start"]

    @property
    def changed_since(self) -> pd.Timestamp | None:
        """The first period of a sustained shift since the last phase began: the limits are stale."""
        return stale.changed_since(self.chart.points, self.data["period_start"])


def measure_view(m: pd.Series, data: pd.DataFrame, scope: filters.Scope) -> MeasureView:
    """Roll ``data`` (a measure's series) up to the scope's period and chart it with its phases."""
    data = data.sort_values("period_start").reset_index(drop=True)
    shown_by = filters.shown_by(scope, str(m["frequency"]))
    if shown_by != m["frequency"]:  # a longer period holding a hidden one is hidden too (perf.access.public)
        data = public.reaggregate(data, frequency=str(m["frequency"]), granularity=shown_by,  # type: ignore[arg-type]
                                  aggregation=str(m["aggregation"]), year_start=scope.year_start)  # type: ignore[arg-type]
    phase_rows = cached.phases(str(m.name), scope.public_only)
    positions, labels = measures.phase_labels(data["period_start"], phase_rows)
    target = None if pd.isna(m["target"]) else float(m["target"])
    exclude: tuple[int, ...] = ()
    if shown_by == m["frequency"]:  # a one-off answered "leave out of the limits" (ui.signal_view)
        from ui import signal_view

        exclude = signal_view.excluded_positions(str(m.name), scope.locality_id, data["period_start"])
    chart = cached.xmr_for(tuple(data["value"].astype(float)), tuple(positions), str(m["improvement"]), target,
                           exclude)
    since = scope.since(data["period_start"].max())
    shown = data.index if since is None else data.index[data["period_start"] >= since]
    return MeasureView(data, chart, shown_by, phase_rows, positions, labels, target, shown)

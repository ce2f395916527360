"""A measure's chart, built one way for the Measure and Briefing pages, the packs and the Overview.

:func:`build` takes a measure's values and recorded system changes and returns its XmR chart:
rolled up to the period it is shown by, phased where the changes fall, limited by the one-off
points an answer left out, and the rows of the window shown. :func:`is_new_signal` is the one rule
for "a new signal" that the Overview's *What changed* and a pack's "(new this period)" both say
(docs/methods.md, "New signals").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from perf import periods, spc
from perf.access import public
from perf.analysis import measures, stale
from perf.signals import signal_answers
from perf.analysis.measures import Measure

COMMON_CAUSE = "common_cause"
ChartOf = Callable[
    [tuple[float, ...], tuple[int, ...], measures.Improvement, "float | None", tuple[int, ...]], spc.Chart
]


def is_new_signal(latest: str | None, previous: str | None) -> bool:
    """A new signal: the latest point is special cause and the point before it was not of that kind.

    ``latest`` and ``previous`` are the point types of the last two values (``previous`` None when
    there is only one). A special cause after normal variation is new, and so is one of another
    kind (a concern after an improvement, unusually low after unusually high): either way the
    latest point says something the point before it did not.

    >>> is_new_signal("special_cause_concern", "common_cause"), is_new_signal("special_cause_concern", None)
    (True, True)
    >>> is_new_signal("special_cause_improvement", "special_cause_concern")
    True
    >>> is_new_signal("special_cause_concern", "special_cause_concern"), is_new_signal("common_cause", None)
    (False, False)
    """
    return latest is not None and latest != COMMON_CAUSE and latest != previous


def place_phases(dates: pd.Series, phase_rows: pd.DataFrame) -> tuple[list[int], dict[int, str]]:
    """Where each recorded system change starts a phase in ``dates``, and each drawn phase's label.

    The one place phases are placed (:func:`perf.analysis.measures.phase_labels`): a change on or before
    the first period, or after the last, draws no phase.
    """
    if phase_rows.empty:
        return [], {}
    return measures.phase_labels(dates, phase_rows)


@dataclass(frozen=True)
class MeasureChart:
    """A measure's values at the period shown by, its chart, and the rows of the window shown."""

    measure: Measure
    data: pd.DataFrame  # every period up to the end, sorted, at ``shown_by``
    chart: spc.Chart  # limits from all of it, phased at recorded system changes
    shown_by: str  # week, month, quarter or year
    phase_rows: pd.DataFrame  # every recorded change, drawn or not (the Measure page lists them)
    positions: list[int]  # where the drawn phases start in ``data``
    phase_labels: dict[int, str]  # phase number (1, 2, ...) -> its recorded label
    shown: pd.Index  # the rows of the window shown
    place: str = measures.AREA  # the locality charted: a ward's chart draws no whole-area total as its target

    @property
    def target(self) -> float | None:
        """The target drawn and judged against here (:meth:`perf.analysis.measures.Measure.target_at`)."""
        return self.measure.target_at(self.place)

    @property
    def points(self) -> pd.DataFrame:
        """The chart's points in the window shown."""
        return self.chart.points.loc[self.shown]

    @property
    def drawn(self) -> tuple[pd.DataFrame, dict[int, str]]:
        """The points shown as a chart draws them, with the labels of the phases drawn.

        Phases are numbered from the first one shown, so a phase that began before the window draws
        no change line at the chart's left edge (the line marks a change, and none happened there).
        """
        points = self.points
        offset = int(points["phase"].min()) if len(points) else 0
        labels = {k - offset: v for k, v in self.phase_labels.items() if k > offset}
        return points.assign(phase=points["phase"] - offset), labels

    @property
    def dates(self) -> pd.Series:
        """The periods of the window shown."""
        dates: pd.Series = self.data["period_start"].loc[self.shown]
        return dates

    @property
    def hidden(self) -> pd.Series:
        """True for a period shown blank in the public view (a small count, or one that would give it away)."""
        flags = (
            self.data["suppressed"] if "suppressed" in self.data.columns else pd.Series(False, index=self.data.index)
        )
        shown: pd.Series = flags.loc[self.shown].astype(bool)
        return shown

    def withheld(self, place: str) -> str | None:
        """Why the public view draws no chart and says no sentence of this series (more than a tenth hidden of the
        periods shown, or of every period its average and limits come from: :func:`perf.access.public.withheld`),
        or None to draw it."""
        every = (
            self.data["suppressed"] if "suppressed" in self.data.columns else pd.Series(False, index=self.data.index)
        )
        return public.withheld(place, self.shown_by, self.hidden, every.astype(bool))

    @property
    def too_few_shown(self) -> bool:
        """The public view draws no chart of this series and says nothing of its average or signals (:meth:`withheld`)."""
        return self.withheld("") is not None

    @cached_property
    def changed_since(self) -> pd.Timestamp | None:
        """The first period of a sustained shift since the last phase began: the limits are stale."""
        return stale.changed_since(self.chart.points, self.data["period_start"])

    @property
    def _present(self) -> pd.DataFrame:
        return self.chart.points[self.chart.points["value"].notna()]

    @property
    def latest_period(self) -> pd.Timestamp | None:
        """The period of the latest value (a missing one after it is not the latest value)."""
        present = self._present
        return None if present.empty else pd.Timestamp(self.data.loc[present.index[-1], "period_start"])

    @property
    def latest_value(self) -> float | None:
        present = self._present
        return None if present.empty else float(present["value"].iloc[-1])

    @property
    def variation(self) -> str | None:
        """The latest value's point type (MDC's variation icon), None with no values."""
        present = self._present
        return None if present.empty else str(present["point_type"].iloc[-1])

    @property
    def previous_variation(self) -> str | None:
        """The point type of the value before the latest, None with fewer than two values."""
        present = self._present
        return None if len(present) < 2 else str(present["point_type"].iloc[-2])

    @property
    def new_signal(self) -> bool:
        """The latest value is a new signal (:func:`is_new_signal`)."""
        return is_new_signal(self.variation, self.previous_variation)


def build(
    measure: Measure,
    data: pd.DataFrame,
    phase_rows: pd.DataFrame,
    *,
    shown_by: periods.Granularity | None = None,
    year_start: periods.YearStart = "financial",
    end: pd.Timestamp | None = None,
    since: pd.Timestamp | Callable[[pd.Timestamp], pd.Timestamp | None] | None = None,
    context: int = 0,
    excluded: pd.DataFrame | None = None,
    drop_missing: bool = False,
    chart_of: ChartOf | None = None,
    place: str = measures.AREA,
) -> MeasureChart:
    """Chart ``data`` (a measure's series: period_start, value, ...) as every page, pack and the Overview do.

    - ``shown_by``: roll the values up to a longer period first (:func:`perf.periods.reaggregate`,
      hiding a period that holds a hidden one); the measure's own frequency by default.
    - ``end``: leave out periods after it (a pack up to a chosen date); ``drop_missing``: leave out
      periods without a value (a pack draws only values).
    - phases start where ``phase_rows`` (starts_on, label) fall (:func:`place_phases`); the limits
      use every value to the end, so a phase is judged against itself, not against the window.
    - ``excluded``: spans (first_period, last_period) that one-off answers left out of the limits;
      applied at the measure's own frequency only (a rolled-up period mixes in other values).
    - ``since``: the first period of the window shown, or how to count it back from the latest
      period charted (the pages' "last 12 months", after rolling up); ``context``: show at least
      this many periods, reaching back before ``since`` when the window is shorter.
    - ``chart_of``: how the XmR chart is drawn (:func:`xmr`; the pages pass one cached on the numbers).
    - ``place``: the locality charted; a ward's chart of a measure whose target is a whole-area total
      neither draws the target nor judges against it (:meth:`perf.analysis.measures.Measure.target_at`).
    """
    chart_of = xmr if chart_of is None else chart_of
    data = data.sort_values("period_start").reset_index(drop=True)
    if end is not None:
        data = data[data["period_start"] <= pd.Timestamp(end)]
    if drop_missing:
        data = data[data["value"].notna()]
    data = data.reset_index(drop=True)
    by: periods.Granularity = measure.frequency if shown_by is None else shown_by
    if by != measure.frequency:  # a longer period holding a hidden one is hidden too (perf.access.public)
        data = periods.reaggregate(
            data, frequency=measure.frequency, granularity=by, aggregation=measure.aggregation, year_start=year_start
        )
    positions, labels = place_phases(data["period_start"], phase_rows)
    exclude: tuple[int, ...] = ()
    if excluded is not None and not excluded.empty and by == measure.frequency:
        exclude = signal_answers.excluded_positions(data["period_start"], excluded)
    target = measure.target_at(place)
    chart = chart_of(tuple(data["value"].astype(float)), tuple(positions), measure.improvement, target, exclude)
    if callable(since):
        since = since(pd.Timestamp(data["period_start"].max())) if len(data) else None
    first = len(data) if since is None else int((data["period_start"] < since).sum())  # rows before the window
    shown = data.index if since is None else data.index[min(first, max(len(data) - context, 0)) :]
    return MeasureChart(measure, data, chart, by, phase_rows, positions, labels, shown, place)


def xmr(
    values: tuple[float, ...],
    positions: tuple[int, ...],
    improvement: measures.Improvement,
    target: float | None,
    exclude: tuple[int, ...] = (),
) -> spc.Chart:
    """The XmR chart of a measure's values; pages pass a cached one (``ui.cached.xmr_for``) as ``chart_of``."""
    return spc.xmr(
        list(values), phase_starts=list(positions), improvement=improvement, target=target, exclude=list(exclude)
    )

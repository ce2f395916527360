"""The Overview's status of every measure agrees with a chart per measure and spots new signals."""

from __future__ import annotations

import pandas as pd

from perf import spc
from perf.output import status


def frame(measure: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure_id": measure,
            "value": values,
            "period_start": pd.date_range("2024-01-01", periods=len(values), freq="MS"),
        }
    )


def measures_of(**columns: list[object]) -> pd.DataFrame:
    """A catalogue of monthly measures (perf.analysis.measures.Measure reads its name, unit and frequency)."""
    frame = pd.DataFrame(columns)
    return frame.assign(name=frame["measure_id"], unit="calls", frequency="month")


def test_latest_matches_one_chart_per_measure_and_flags_new_signals() -> None:
    steady = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10]
    jump = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 30]
    values = pd.concat([frame("a", steady), frame("b", jump)], ignore_index=True)
    catalogue = measures_of(measure_id=["a", "b"], improvement=["up", "down"], target=[None, 12.0])
    phases = pd.DataFrame({"measure_id": pd.Series([], dtype=str), "starts_on": pd.Series([], dtype="datetime64[ns]")})
    out = status.latest(values, catalogue, phases).set_index("measure_id")
    assert out.loc["a", "variation"] == spc.xmr(steady, improvement="up").variation == "common_cause"
    assert out.loc["b", "variation"] == spc.xmr(jump, improvement="down").variation == "special_cause_concern"
    assert not out.loc["a", "new_signal"] and out.loc["b", "new_signal"]
    assert out.loc["b", "value"] == 30 and out.loc["b", "period_start"] == pd.Timestamp("2024-10-01")


def test_phases_restart_the_limits_as_a_single_chart_would() -> None:
    values = frame("a", [20.0, 21, 19, 20, 21, 19, 9, 10, 9, 10, 11, 9])
    catalogue = measures_of(measure_id=["a"], improvement=["down"], target=[None])
    phases = pd.DataFrame({"measure_id": ["a"], "starts_on": [pd.Timestamp("2024-07-01")], "label": ["Redesign"]})
    out = status.latest(values, catalogue, phases).set_index("measure_id")
    single = spc.xmr(values["value"], phase_starts=[6], improvement="down")
    assert out.loc["a", "centre"] == single.points["centre"].iloc[-1]
    assert out.loc["a", "variation"] == single.variation

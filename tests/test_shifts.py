"""Where did the system move? Sustained shifts are found at their start; noise and seasons are not shifts."""

from __future__ import annotations

import numpy as np
import pytest

from perf.spc import shifts


def test_a_step_is_found_at_its_first_point_and_its_direction() -> None:
    rng = np.random.default_rng(3)
    values = np.r_[20 + rng.normal(0, 1, 24), 12 + rng.normal(0, 1, 24)]
    found = shifts.sustained_shifts(values)
    assert [(s.start, s.direction) for s in found] == [(24, "down")]
    s = found[0]
    assert s.run >= 7 and s.on_side == s.window == 14
    assert s.old_centre == pytest.approx(values[:20].mean())  # the old average frozen at 20 points
    assert s.baseline_n == 20
    assert s.size < -5


def test_independent_noise_has_no_sustained_shift() -> None:
    rng = np.random.default_rng(11)
    false = sum(bool(shifts.sustained_shifts(rng.normal(0, 1, 60))) for _ in range(200))
    assert false <= 20  # at most 10% of 60-point noise series show a "shift" anywhere (8.5% with this seed)


def test_a_run_that_does_not_last_is_not_a_shift() -> None:
    base = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9]
    run = [7.5] * 7  # seven in a row below, then back to the old level
    values = np.r_[base, run, base, base]
    assert shifts.sustained_shifts(values) == []
    assert shifts.shift_at(values, 12, 10.0) is None
    assert shifts.run_at(values, 12, 10.0) == (-1, 7)


def test_a_season_that_comes_back_within_the_year_is_not_a_new_system() -> None:
    months = np.arange(60)
    values = 100 + 8 * np.sin(2 * np.pi * months / 12) + np.random.default_rng(5).normal(0, 1, 60)
    assert shifts.sustained_shifts(values, per_year=12) == []


def test_wheeler_needs_eight_in_a_row_where_mdc_needs_seven() -> None:
    values = np.r_[[10.0, 11, 9] * 4, [6.0] * 7, [10.0, 11, 9] * 4]
    assert shifts.run_length("mdc") == 7 and shifts.run_length("wheeler") == 8
    assert shifts.shift_at(values, 12, 10.0, rules="mdc", since=12) is None  # does not last: 7 of 14
    assert shifts.same_side_from(values, 12, 10.0, rules="mdc") == (-1, 7, 7)
    assert shifts.same_side_from(values, 12, 10.0, rules="wheeler") == (0, 0, 0)


def test_missing_values_are_skipped_not_counted() -> None:
    values = np.r_[[10.0, 11, 9] * 4, [6.0, np.nan, 5, 6, 7, 6, 5, 6], [6.0, 5, 7, 6, 5] * 2]
    found = shifts.sustained_shifts(values)
    assert [s.start for s in found] == [12]
    assert found[0].window == 14  # 14 values looked at: the gap is not one of them


def test_bad_baseline_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="min_baseline"):
        shifts.sustained_shifts([1.0, 2.0, 3.0], min_baseline=1)

"""Stale limits: flagged when a lasting shift (the review's rule) still runs in the last phase, never on noise,
one outlier or a short run; an admin confirms a new phase from the flag in one step, logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perf import spc, store
from perf.analysis import measures, stale
from perf.words import narrative
from tests.noise import ar1, seasonal, shifted
from tests.test_pages_data import db, open_page, table  # noqa: F401  (db is a fixture)

WEEKS = pd.Series(pd.date_range("2024-01-01", periods=60, freq="W-MON"))


def _since(values: list[float] | np.ndarray, phase_starts: tuple[int, ...] = ()) -> pd.Timestamp | None:
    chart = spc.xmr(np.asarray(values, dtype=float), phase_starts=list(phase_starts))
    return stale.changed_since(chart.points, WEEKS[: len(values)])


def test_a_shift_to_the_latest_point_is_flagged_from_its_first_period() -> None:
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(100, 5, 40), rng.normal(80, 5, 20)])
    since = _since(values)
    assert since is not None and WEEKS[38] <= since <= WEEKS[41]  # where the system moved, give or take a point


MONTHS = pd.Series(pd.date_range("2015-01-01", periods=160, freq="MS"))


def _flagged(make: Any, dates: pd.Series, trials: int, seed: int) -> float:
    """Share of ``trials`` series of 24-150 points (from ``make(rng, n)``) flagged stale."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(trials):
        values = 100 + 10 * make(rng, int(rng.integers(24, 151)))
        hits += stale.changed_since(spc.xmr(values).points, dates[: values.shape[0]]) is not None
    return hits / trials


WEEKS_LONG = pd.Series(pd.date_range("2020-01-06", periods=160, freq="W-MON"))


def test_noise_is_rarely_flagged() -> None:
    """Independent noise: about 1% flagged (bench/stale.py); AR(1) rho 0.3 about 7-8%."""
    assert _flagged(lambda r, n: r.normal(0, 1, n), WEEKS_LONG, 200, 11) <= 0.03
    assert _flagged(lambda r, n: r.normal(0, 1, n), MONTHS, 200, 12) <= 0.03
    assert _flagged(lambda r, n: ar1(r, n, 0.3), MONTHS, 200, 13) <= 0.10


def test_a_sustained_two_sigma_shift_is_flagged() -> None:
    """A 2-sigma shift 10 or more points before the end: about 95% flagged (bench/stale.py)."""
    assert _flagged(lambda r, n: shifted(r, n, 2.0), WEEKS_LONG, 200, 14) >= 0.90
    assert _flagged(lambda r, n: shifted(r, n, 2.0), MONTHS, 200, 15) >= 0.90


def test_a_season_is_mostly_not_taken_for_a_new_system() -> None:
    """A 1.5-sigma sine, no level change: monthly (period 12) almost never flagged; weekly (period
    52) about 29%, mostly series with less than a year before the run (bench/stale.py)."""
    assert _flagged(lambda r, n: seasonal(r, n, 12), MONTHS, 200, 16) <= 0.03
    assert _flagged(lambda r, n: seasonal(r, n, 52), WEEKS_LONG, 200, 17) <= 0.40


def test_one_outlier_and_a_short_run_are_not_flagged() -> None:
    base = [100.0, 104, 97, 102, 99, 103, 96, 101, 98, 104, 97, 100] * 3
    assert _since([*base, 160.0]) is None  # one unusual point
    # (104 first: the last old point clearly above the old average, so the run below starts after it)
    assert _since([*base, 104.0, 90.0, 91, 89, 90, 92, 90]) is None  # six below: one short of a shift
    assert _since([*base, 104.0, 90.0, 91, 89, 90, 92, 90, 91]) is not None  # seven: the rule set's shift length


def test_a_shift_before_the_last_phase_began_is_not_flagged() -> None:
    values = [100.0, 104, 97, 102, 99, 103, 96, 101, 98, 104] + [80.0, 82, 79, 81, 78, 83, 80, 79, 82, 81]
    assert _since(values) is not None
    assert _since(values, phase_starts=(10,)) is None  # the change is recorded: the new limits describe it


def test_customer_services_contacts_are_flagged_on_the_sample_data(sample_db: Path) -> None:
    """About 800 contacts a week for nearly two years against limits of 796 to 1,185."""
    con = store.connect(sample_db)
    data = measures.series(con, ["cs-contacts"], measures.AREA).sort_values("period_start").reset_index(drop=True)
    con.close()
    chart = spc.xmr(data["value"].astype(float).to_numpy())
    assert round(chart.points["lower"].iloc[-1]) == 796 and round(chart.points["upper"].iloc[-1]) == 1185
    since = stale.changed_since(chart.points, data["period_start"])
    assert since is not None and pd.Timestamp("2025-03-01") <= since <= pd.Timestamp("2025-05-01")
    sentence = narrative.measure_sentence(
        {"unit": "contacts", "frequency": "week"}, chart.points, data["period_start"], changed_since=since
    )
    assert (
        f"The system has changed since {since:%b %Y}: the limits (between 796 and 1,185 contacts) no longer "
        "describe it." in sentence
    )
    assert "expect between" not in sentence


NAME = "Customer Services contacts (phone and face to face)"


def test_the_measure_page_flags_stale_limits_and_an_admin_confirms_a_new_phase(db: Path) -> None:  # noqa: F811
    seen = open_page("measure", measure=NAME, period="All time")
    assert any("The system has changed since Apr 2025" in w.value for w in seen.warning)
    assert not seen.get("form")  # a visitor reads the flag; only an admin may act on it

    at = open_page("measure", "ada", measure=NAME, period="All time")
    at.text_input(key="stale_reason_measure").input("Online contact form launched")
    at.button[[b.label for b in at.button].index("Confirm the new phase")].click().run()
    assert not at.exception, at.exception
    assert any("New phase recorded from 14 Apr 2025" in s.value for s in at.success)
    phases = table(db, "SELECT * FROM phase WHERE measure_id = 'cs-contacts'")
    assert list(phases["label"]) == ["Online contact form launched"]
    assert str(phases["starts_on"].iloc[0])[:10] == "2025-04-14"
    log = table(db, "SELECT * FROM change_log WHERE table_name = 'phase' AND row_key LIKE 'cs-contacts|%'")
    assert list(log["changed_by"]) == ["ada"] and log["changed_at"].notna().all()  # who and when
    assert not any("The system has changed" in w.value for w in at.warning)  # the new limits describe it


def test_an_admin_must_give_a_reason(db: Path) -> None:  # noqa: F811
    at = open_page("measure", "ada", measure=NAME, period="All time")
    at.button[[b.label for b in at.button].index("Confirm the new phase")].click().run()
    assert any("name the change" in e.value for e in at.error)
    assert table(db, "SELECT count(*) AS n FROM phase WHERE measure_id = 'cs-contacts'")["n"].iloc[0] == 0


def test_the_overview_and_briefing_say_the_limits_are_stale(app_env: Path) -> None:
    from tests.conftest import run_page

    overview = " ".join(md.value for md in run_page("app_pages/overview.py").markdown)
    assert f"{NAME} (since Apr 2025)" in overview  # in the What changed box
    assert overview.count("The system has changed since Apr 2025: these limits no longer describe it.") >= 1  # tile
    briefing = run_page("app_pages/briefing.py", measure=NAME)
    shown = " ".join(md.value for md in briefing.markdown)
    assert "The system has changed since Apr 2025: these limits no longer describe it." in shown
    assert "expect between" not in shown.lower()
    steady = run_page("app_pages/briefing.py", measure="Leisure centre visits")
    assert "The system has changed" not in " ".join(md.value for md in steady.markdown)

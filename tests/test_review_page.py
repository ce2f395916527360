"""The Check–Plan–Do page: the URL holds the measure and the date, so a shared link reopens the same verdict."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from perf import store
from perf.analysis import measures
from tests.conftest import run_page, shown


def _name(db: Path, measure_id: str) -> str:
    with store.connect(db) as con:
        return str(measures.catalogue(con).set_index("measure_id").loc[measure_id, "name"])


def _verdict(at) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    heads = [shown(md.value) for md in at.markdown if md.value.startswith("### ")]  # perf.words.text's escapes out
    index = next(i for i, md in enumerate(at.markdown) if md.value.startswith("### "))
    return heads[0], shown(at.markdown[index + 1].value)


def test_a_link_with_a_custom_date_reopens_the_same_verdict(app_env: Path) -> None:
    name = _name(app_env, "repairs-end-to-end")
    at = run_page("app_pages/review.py", measure=name, period="All time", on="2023-04-01")
    head, finding = _verdict(at)
    assert at.date_input(key="change_on").value.isoformat() == "2023-04-01"
    assert head == "### No sustained change at 3 Apr 2023: the system moved at another time"
    assert "the data shows the system moved from the week of" in finding and "Apr 2024" in finding
    again = run_page("app_pages/review.py", measure=name, period="All time", on="2023-04-01")
    assert _verdict(again) == (head, finding)


def test_the_real_redesign_is_an_improvement_with_counted_evidence(app_env: Path) -> None:
    at = run_page(
        "app_pages/review.py", measure=_name(app_env, "repairs-end-to-end"), period="Last 12 months", on="2024-04-01"
    )
    head, finding = _verdict(at)
    assert head == "### The change of 1 Apr 2024 improved the system"
    assert "weeks since 1 Apr 2024 are below the old average of 22.2 days" in finding
    assert "below the old lower limit of 18.1 days" in finding
    caption = " ".join(c.value for c in at.caption)
    assert "not only the sidebar's period (last 12 months)" in caption
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"Change: 1 Apr 2024"' in spec  # the change date is marked on the first chart


def test_a_proposed_date_is_offered_and_choosing_it_judges_it(app_env: Path) -> None:
    at = run_page(
        "app_pages/review.py", measure=_name(app_env, "repairs-end-to-end"), period="All time", on="2023-04-01"
    )
    offered = [b for b in at.button if b.key and b.key.startswith("moved-")]
    assert offered and any("Apr 2024" in b.label for b in offered)
    at.button(key="elsewhere").click().run()
    assert not at.exception
    head, _ = _verdict(at)
    assert "improved the system" in head
    assert at.date_input(key="change_on").value.year == 2024 and str(at.query_params["on"]).startswith("2024-")


def test_affordable_homes_in_july_2024_is_no_change_and_provisional(app_env: Path) -> None:
    at = run_page("app_pages/review.py", measure=_name(app_env, "affordable-homes"), period="All time", on="2024-07-01")
    head, finding = _verdict(at)
    assert head == "### No change at 1 Jul 2024"
    assert "apart from one unusual quarter, Apr–Jun 2025" in finding and "provisional" in finding


def test_too_early_says_how_many_more_periods(app_env: Path) -> None:
    with store.connect(app_env) as con:
        last = measures.series(con, "missed-bins")["period_start"].max()
    when = (last - pd.Timedelta(weeks=3)).date()  # four weeks since the date, the last one included
    at = run_page("app_pages/review.py", measure=_name(app_env, "missed-bins"), period="All time", on=when.isoformat())
    head, finding = _verdict(at)
    assert head.startswith("### Too early to tell")
    assert "only 4 weeks since" in finding and "3 more weeks will tell, once the figure for the week of" in finding


def test_the_average_moves_in_colour_only_when_the_verdict_claims_a_change(app_env: Path) -> None:
    quiet = run_page(
        "app_pages/review.py", measure=_name(app_env, "affordable-homes"), period="All time", on="2024-07-01"
    )
    changed = run_page(
        "app_pages/review.py", measure=_name(app_env, "repairs-end-to-end"), period="All time", on="2024-04-01"
    )
    assert quiet.metric[0].proto.color != changed.metric[0].proto.color
    assert changed.metric[0].proto.color == type(changed.metric[0].proto).MetricColor.Value("GREEN")
    assert quiet.metric[0].proto.color == type(quiet.metric[0].proto).MetricColor.Value("GRAY")


def test_every_date_the_verdict_names_is_a_date_of_the_data(app_env: Path) -> None:
    """Housing repair contacts, whole area: the page once said "No sustained change at 15 Apr 2000" (the
    values reached the engine without their dates, which then counted days from 2000)."""
    import re

    name = _name(app_env, "repairs-demand")
    with store.connect(app_env) as con:
        first, last = con.execute(
            "SELECT min(period_start), max(period_start) FROM measurement "
            "WHERE measure_id = 'repairs-demand' AND locality_id = 'ALL'"
        ).fetchone()
    for on in ("", "2023-04-03", "2025-06-02"):
        at = run_page("app_pages/review.py", measure=name, period="All time", **({"on": on} if on else {}))
        head, finding = _verdict(at)
        said = [pd.Timestamp(d) for d in re.findall(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b", f"{head} {finding}")]
        assert said, (head, finding)
        assert all(pd.Timestamp(first) <= d <= pd.Timestamp(last) + pd.Timedelta(days=6) for d in said), (head, finding)

"""The public Demand and Capability pages show months and quarters, never weeks; signed in, officers keep weeks.

A week does not fit in a month or quarter: a public range's first week is a few days short (the All-time week less
the range's gives the days before the range's start), and a week straddling a month's end splits into two parts a
visitor can work out from the weeks and months shown. So no public surface of these pages serves a weekly period:
not the periods table, the chart's points and bars, the download, nor the words. "As recorded" is by month there.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from perf.access import disclosure
from tests.conftest import run_page, shown

DEMAND, CAPABILITY = "app_pages/demand.py", "app_pages/capability.py"
START = {DEMAND: "Period starting", CAPABILITY: "period_start"}  # the numbers behind the chart, first column
# a date in a chart's hover text: every point and bar carries one ("01 Mar 2024: 31.5. Average ...")
WHEN = re.compile(r"<title>(\d{2} \w{3} \d{4}):")
WEEK_WORDS = re.compile(r"\b(weeks?|weekly)\b", re.IGNORECASE)


def open_page(monkeypatch: pytest.MonkeyPatch, db: Path, page: str, *, public: bool, **params: str) -> AppTest:
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    if public:
        monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    else:
        monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    return run_page(page, **params)


def period_starts(at: AppTest, page: str) -> pd.Series:
    """The periods of the page's numbers behind the chart."""
    table = next(el.value for el in at.dataframe if START[page] in el.value.columns)
    return pd.Series(pd.to_datetime(table[START[page]], format="mixed"))


def chart_days(at: AppTest) -> list[pd.Timestamp]:
    """Every date in the hover text of every chart the page drew (inline SVG)."""
    charts = [md.value for md in at.markdown if md.value.startswith("<figure class='oi-chart'")]
    return [pd.Timestamp(d) for c in charts for d in WHEN.findall(c)]


def download(at: AppTest) -> pd.DataFrame:
    """The page's "Download the data (CSV)" as the visitor gets it."""
    from tests.test_public_crawl import Recording

    button = next(b for b in at.get("download_button") if b.proto.label == "Download the data (CSV)")
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    assert Recording.last is not None
    data = Recording.last._storage.get_file(file_id).content
    return pd.read_csv(io.BytesIO(data.encode() if isinstance(data, str) else bytes(data)))


def words(at: AppTest) -> str:
    return " ".join(str(el.value) for kind in ("subheader", "caption", "info", "markdown") for el in getattr(at, kind))


def months_only(starts: pd.Series | list[pd.Timestamp]) -> bool:
    days = pd.Series(pd.to_datetime(pd.Series(starts)))
    return len(days) > 0 and bool((days.dt.day == 1).all())


@pytest.mark.parametrize("page", [DEMAND, CAPABILITY])
@pytest.mark.parametrize("place", ["", "Catshill South"])
def test_as_recorded_in_the_public_view_is_by_month_everywhere_a_visitor_looks(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, page: str, place: str
) -> None:
    import streamlit.testing.v1.app_test as app_test

    from tests.test_public_crawl import Recording

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)  # to fetch the run's download
    params = {"period": "All time", "by": "As recorded", **({"locality": place} if place else {})}
    at = open_page(monkeypatch, sample_db, page, public=True, **params)
    starts = period_starts(at, page)
    assert months_only(starts), list(starts[starts.dt.day != 1][:3])
    assert starts.diff().dropna().min() >= pd.Timedelta(days=28)  # a month apart at least: no weeks
    drawn = chart_days(at)
    assert months_only(drawn), [d for d in drawn if d.day != 1][:3]
    got = download(at)
    assert months_only(pd.to_datetime(got[START[page]], format="mixed"))
    said = WEEK_WORDS.findall(words(at))
    assert said == [], said
    assert any(disclosure.RULE in str(c.value) for c in at.caption)  # the public view it is


@pytest.mark.parametrize("page", [DEMAND, CAPABILITY])
def test_a_public_visitor_asking_for_weeks_by_link_gets_months(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """The sidebar offers no weeks; a crafted link with a week choice changes nothing either."""
    at = open_page(monkeypatch, sample_db, page, public=True, period="All time", by="week")
    assert not at.exception
    assert months_only(period_starts(at, page))
    assert months_only(chart_days(at))


@pytest.mark.parametrize("page", [DEMAND, CAPABILITY])
def test_an_officer_still_sees_weeks_as_recorded(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """Must NOT be months for an officer: signed in, "As recorded" is by week (Monday to Sunday)."""
    from tests.test_disclosure_capability_counts import officer_page

    at = officer_page(monkeypatch, sample_db, tmp_path, page, period="Last 12 months", by="As recorded")
    assert not any(disclosure.RULE in str(c.value) for c in at.caption)  # not the public view
    drawn = pd.Series(chart_days(at))
    assert len(drawn) > 40  # a year of weeks
    assert (drawn.dt.day_of_week == 0).all() and not months_only(drawn)
    assert (drawn.drop_duplicates().sort_values().diff().dropna() == pd.Timedelta(days=7)).mean() > 0.9
    if page == DEMAND:
        assert (period_starts(at, page).diff().dropna() == pd.Timedelta(days=7)).all()
        assert re.search(r"\ba week\b", str(at.subheader[0].value))  # "about 1,150 contacts a week"


def test_the_public_capability_sentence_speaks_of_the_monthly_chart_it_shows(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Housing options, the whole area, all time: its weekly medians have signals in the latest half-year (an
    officer reads "not predictable"), its monthly medians, the chart the public sees, have none. The public
    sentence must not say "its chart shows signals" of a chart that shows none; it gives the range."""
    from perf import store
    from perf.analysis import capability
    from tests.test_disclosure_capability_counts import officer_page

    with store.connect(sample_db, read_only=True) as con:
        kw = {"service_id": "housing_options", "public_only": True}
        weekly = capability.capability_chart(con, **kw)  # type: ignore[arg-type]
        monthly = capability.capability_chart(con, max_cases=0, granularity="month", **kw)  # type: ignore[arg-type]
    assert not weekly.predictable_range.predictable and monthly.predictable_range.predictable
    at = open_page(monkeypatch, sample_db, CAPABILITY, public=True, period="All time")
    at.selectbox(key="service").select("housing_options").run()
    said = shown(str(at.subheader[0].value))
    assert said == capability.judged_on(weekly, monthly.points).sentence()
    assert said.startswith("This system will deliver a case in"), said
    officer = officer_page(monkeypatch, sample_db, tmp_path, CAPABILITY, period="All time")
    officer.selectbox(key="service").select("housing_options").run()
    assert shown(str(officer.subheader[0].value)) == weekly.sentence()  # weeks, signed in: not predictable


def test_the_public_capability_sentence_gives_no_range_when_the_monthly_chart_shows_a_recent_signal(
    sample_db: Path,
) -> None:
    """The other way round: planning, the whole area, is predictable by weeks and by months; the same cases with
    one recent month marked a signal must be judged not predictable on that chart (no range promised), and a
    signal older than the recent window must not change the verdict."""
    from perf import store
    from perf.analysis import capability

    with store.connect(sample_db, read_only=True) as con:
        kw = {"service_id": "planning", "public_only": True}
        weekly = capability.capability_chart(con, **kw)  # type: ignore[arg-type]
        monthly = capability.capability_chart(con, max_cases=0, granularity="month", **kw)  # type: ignore[arg-type]
    assert weekly.predictable_range.predictable and monthly.predictable_range.predictable
    points = monthly.points.assign(signal=False)
    assert capability.judged_on(weekly, points).sentence().startswith("This system will deliver a case in")
    recent = points.assign(signal=points.index == points.index[-1])
    judged = capability.judged_on(weekly, recent)
    assert not judged.predictable_range.predictable
    assert "not predictable" in judged.sentence() and "will deliver" not in judged.sentence()
    latest = points[points["phase"] == points["phase"].max()]
    old = points.assign(signal=points.index == latest.index[0])  # the latest phase's first month: years back
    assert pd.to_datetime(latest["period_start"]).iloc[0] < pd.to_datetime(latest["period_start"]).max() - (
        capability.RECENT_FOR_PREDICTABILITY
    )
    assert capability.judged_on(weekly, old).predictable_range.predictable

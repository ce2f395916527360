"""Every sentence fits its chart: "stable" only where no point shown is special cause, and a chart
with signals has them named with when, on every measure and place of the sample data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from perf import spc, store
from perf.analysis import measures, stale
from perf.words import narrative, signal_words

STABLE = re.compile(r"(?<!not a )\bstable\b", re.IGNORECASE)  # "not a stable process" is not a claim of stability
NAMED = (
    "above the upper limit",
    "below the lower limit",
    "run of",
    "runs of",
    "close to the",
    "signals since",
    "nearer the",
    "sigma",
    "bigger than the process allows",
)
WHEN = re.compile(r"\b(19|20)\d\d\b")  # a year: the signal is dated


def _charts(db: Path):
    """(measure, place, shown points, shown dates, whole chart, all dates) for every measure and place,
    in the windows the sidebar offers (last 12 months, 3 years, all time), as the Measure page draws them."""
    con = store.connect(db)
    catalogue = measures.catalogue(con)
    places = list(measures.localities(con)["locality_id"])
    phase_rows = measures.phases(con)
    for _, m in catalogue.iterrows():
        ids = places if m["by_locality"] else [measures.AREA]
        every = measures.series(con, [m["measure_id"]], measures.AREA if not m["by_locality"] else places[0])
        for place in ids:
            data = every if place == ids[0] else measures.series(con, [m["measure_id"]], place)
            data = data.sort_values("period_start").reset_index(drop=True)
            if data.empty:
                continue
            starts = list(phase_rows.loc[phase_rows["measure_id"] == m["measure_id"], "starts_on"])
            positions = measures.phase_positions(data["period_start"], starts)
            chart = spc.xmr(
                data["value"].astype(float).to_numpy(), phase_starts=positions, improvement=m["improvement"]
            )
            for months in (12, 36, None):
                since = (
                    None
                    if months is None
                    else data["period_start"].max() - pd.DateOffset(months=months) + pd.Timedelta(days=1)
                )
                shown = data.index if since is None else data.index[data["period_start"] >= since]
                yield m, place, chart.points.loc[shown], data.loc[shown, "period_start"], chart, data["period_start"]
    con.close()


@pytest.fixture(scope="module")
def charts(sample_db: Path) -> list[tuple[pd.Series, str, pd.DataFrame, pd.Series, spc.Chart, pd.Series]]:
    return list(_charts(sample_db))


def test_every_sample_sentence_says_stable_only_of_a_chart_without_signals(charts) -> None:
    checked = with_signals = 0
    for m, place, points, dates, chart, all_dates in charts:
        facts = m.to_dict()
        since = stale.changed_since(chart.points, all_dates)
        sentence = narrative.measure_sentence(facts, points, dates, changed_since=since)
        head, detail = narrative.headline(facts, points, dates, changed_since=since)
        signals = bool(points["signal"].any())
        where = f"{m['measure_id']} in {place}, {len(points)} periods"
        for text in (sentence, f"{head} {detail}"):
            assert bool(STABLE.search(text)) is not signals, f"{where}: {text}"
            if signals:
                assert any(word in text.lower() for word in NAMED), f"{where}: signals not named: {text}"
                assert WHEN.search(text), f"{where}: signals not dated: {text}"
        checked += 1
        with_signals += signals
    assert checked > 1_000 and 0 < with_signals < checked  # both kinds of chart were seen


def test_the_chart_sentence_describe_says_stable_only_without_signals(charts) -> None:
    seen = 0
    for _, _, _points, _dates, chart, _all_dates in charts[::3]:  # each chart once (the all-time window)
        text = chart.describe(period_name="month")
        assert bool(STABLE.search(text)) is not bool(chart.points["signal"].any()), text
        seen += 1
    assert seen


def test_the_briefing_screens_from_the_issue_no_longer_say_stable(charts) -> None:
    """Noise complaints and waste failure demand: charts full of runs were "Stable at about ..."."""
    found = {}
    for m, place, points, dates, _chart, _all_dates in charts:
        if (
            m["measure_id"] in ("noise-complaints", "waste-failure-demand")
            and place == measures.AREA
            and len(points) in (36, 157)
        ):
            found[m["measure_id"]] = narrative.headline(m.to_dict(), points, dates)
    assert found["noise-complaints"][0] == "Not a stable process: about 115 complaints a month."
    assert "Above the upper limit in Aug 2026" in found["noise-complaints"][1]
    assert found["waste-failure-demand"][0].startswith("Not a stable process: about 42")


# "1 households", "1 days", "1 weeks": a count of one with a plural noun
ONE_PLURAL = re.compile(r"(?<![\d.,£])\b1 ([a-z]+s)\b")
NOT_NOUNS = {"is", "was", "has", "as", "its", "this", "plus", "less"}


def grammar_slips(text: str) -> list[str]:
    return [m.group(0) for m in ONE_PLURAL.finditer(text) if m.group(1) not in NOT_NOUNS]


def test_the_grammar_check_finds_the_slips_it_is_for() -> None:
    assert grammar_slips("Latest (October 2026): 1 households, a run of 1 weeks") == ["1 households", "1 weeks"]
    assert grammar_slips("1 household; 11 households; 21 days; 1.1 days; £1 days; 1 is") == []


def test_no_sample_sentence_puts_a_plural_after_one(charts) -> None:
    texts = []
    for m, _, points, dates, chart, _all_dates in charts:
        facts = m.to_dict()
        texts += [
            narrative.measure_sentence(facts, points, dates),
            " ".join(narrative.headline(facts, points, dates)),
            chart.describe(unit=str(m["unit"]), period_name=str(m["frequency"])),
        ]
    slips = sorted({slip for text in texts for slip in grammar_slips(text)})
    assert not slips, slips
    assert sum("1 " in t for t in texts) > 0  # sentences with a one in them were checked


def test_a_count_of_one_takes_the_singular() -> None:
    assert narrative.format_value(1, "households") == "1 household"
    assert narrative.format_value(1, "days per FTE") == "1 day per FTE"
    assert narrative.format_value(1, "businesses") == "1 business"
    assert narrative.format_value(1, "%") == "1%" and narrative.format_value(1.0, "days", 1) == "1.0 days"
    values = [1.0, 2, 1, 0, 1, 2, 1, 1, 0, 1]
    dates = pd.Series(pd.date_range("2025-01-01", periods=10, freq="MS"))
    text = narrative.measure_sentence(
        {"unit": "households", "frequency": "month", "aggregation": "sum"}, spc.xmr(values).points, dates
    )
    assert "Latest (October 2025): 1 household." in text and not grammar_slips(text)
    runs = [5.0] * 3 + [9.0, 1, 8, 2, 9, 1, 8, 2, 9, 1, 8] + [9.0] * 7
    said = signal_words.summary(spc.xmr(runs).points, pd.Series(pd.date_range("2024-01-01", periods=21, freq="MS")))
    assert not grammar_slips(said), said


def test_fourteen_years_of_signals_name_the_latest_and_count_the_rest(charts) -> None:
    """A real FixMyStreet measure over all time has a dozen signals: the sentence names the latest one
    and counts them, rather than listing kinds across fourteen years; a short window still lists them."""
    for m, place, points, dates, _chart, _all in charts:
        if m["measure_id"] == "fms-street-lights" and place == measures.AREA and len(points) > 100:
            whole = narrative.measure_sentence(m.to_dict(), points, dates)
            found = signal_words.episodes(points.reset_index(drop=True))
            assert len(found) > 4
            assert f", the latest of {len(found)} signals since Feb 2007: not a stable process." in whole, whole
            assert whole.startswith("A run of ") and len(whole) < 300, whole
            assert not STABLE.search(whole)
            break
    else:
        raise AssertionError("no all-time chart of FixMyStreet street lights for the whole area")
    values = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10, 30]  # one signal: named, not counted
    one = signal_words.summary(spc.xmr(values).points, pd.Series(pd.date_range("2025-01-01", periods=11, freq="MS")))
    assert "the latest of" not in one and one.startswith("above the upper limit in Nov 2025")

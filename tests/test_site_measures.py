"""The static site's measure pages chart each measure as the app's Measure page does.

Each ``measures/<id>.html`` of a site built from the published sample is read back (the numbers
behind the chart, the phases drawn, the sentence) and set beside what
:func:`perf.output.measure_chart.build` gives for that measure from the council's database in the
public view, with the Measure page's inputs over all time: the site, the pages and the packs
cannot disagree about a measure's chart.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from perf import store
from perf.access import public
from perf.analysis import measures
from perf.drawing import svg
from perf.output import measure_chart, publish, site
from perf.output.measure_chart import MeasureChart
from perf.signals import signal_answers
from perf.words import narrative
from tests import tiny_db
from tests.conftest import run_page, shown


@pytest.fixture(scope="module")
def app_charts(sample_copy: Path) -> dict[str, MeasureChart]:
    """Each published measure's chart as the Measure page builds it in the public view, over all time."""
    with store.connect(sample_copy) as con:
        cat = public.catalogue(con, "public")
        charts = {}
        for m in measures.measure_list(cat):
            data = public.series(con, m.measure_id, measures.AREA, "public")
            if data.empty:
                continue
            charts[m.measure_id] = measure_chart.build(
                m,
                data,
                public.phases(con, "public", m.measure_id),
                excluded=signal_answers.excluded(con, m.measure_id, measures.AREA),
            )
    return charts


def _page(built: site.Built, measure_id: str) -> str:
    return (built.folder / f"measures/{measure_id}.html").read_text(encoding="utf-8")


def _sentence(page: str) -> str:
    found = re.search(r'<p class="sentence">(.*?)</p>', page)
    assert found, "no sentence on the page"
    return html.unescape(found.group(1))


def _numbers(page: str) -> list[tuple[str, ...]]:
    """The table behind the chart, oldest period first: period, value, average, lower, upper, variation."""
    table = page.split("<caption>The numbers behind the chart")[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in body.split("<tr>")[1:]]
    return [tuple(html.unescape(c) for c in r) for r in rows][::-1]


def _phase_labels(page: str) -> list[str]:
    """The labels written at the phase lines of the chart (the SVG's text in the phase line's colour)."""
    chart = page.split("<svg", 1)[1].split("</svg>")[0]
    return [html.unescape(t) for t in re.findall(rf"<text [^>]*fill='{svg.BLUE}'>([^<]*)</text>", chart)]


def _provenance(page: str) -> list[str]:
    """What the page says of the figures' provenance (under the title) and their source (under the chart)."""
    found = re.findall(r'<p class="muted">((?:Illustrative data|Real data: |Source: )[^<]*)</p>', page)
    return [html.unescape(x).removeprefix("Source: ") for x in found]


def _expected_sentence(built: MeasureChart) -> str:
    """The Measure page's sentence (app_pages/measure.py)."""
    return narrative.measure_sentence(
        built.measure.words(frequency=built.shown_by), built.points, built.dates, changed_since=built.changed_since
    )


def test_every_measure_page_charts_its_measure_as_the_measure_page_does(
    sample_site: site.Built, app_charts: dict[str, MeasureChart]
) -> None:
    """Points, limits, phases, signal flags and the sentence, measure by measure; every difference named."""
    assert len(app_charts) > 30  # the sample publishes most of its measures
    differences = []
    for mid, built in app_charts.items():
        page = _page(sample_site, mid)
        if _numbers(page) != site.number_rows(built):
            differences.append(f"{mid}: the numbers behind the chart")
        if _sentence(page) != _expected_sentence(built):
            differences.append(f"{mid}: the sentence {_sentence(page)!r} != {_expected_sentence(built)!r}")
        drawn = [label for _, label in sorted(built.drawn[1].items())]
        if _phase_labels(page) != drawn:
            differences.append(f"{mid}: phases drawn {_phase_labels(page)} != {drawn}")
        if _provenance(page) != [x for x in (built.measure.provenance, built.measure.attribution) if x]:
            differences.append(f"{mid}: real or illustrative, and the source, {_provenance(page)}")
        notes = [html.unescape(n) for n in re.findall(r'<p class="muted">Note: (.*?)</p>', page)]
        if notes != list(built.chart.warnings):
            differences.append(f"{mid}: notes {notes} != {list(built.chart.warnings)}")
    assert differences == []


def test_the_sample_has_phased_measures_so_the_phase_check_means_something(
    app_charts: dict[str, MeasureChart],
) -> None:
    phased = [mid for mid, b in app_charts.items() if b.drawn[1]]
    signals = [mid for mid, b in app_charts.items() if (b.points["point_type"] != "common_cause").any()]
    assert phased and signals


def test_a_measure_page_in_the_app_says_what_the_site_says(
    app_env: Path, sample_site: site.Built, app_charts: dict[str, MeasureChart]
) -> None:
    """One measure with a recorded system change, the Measure page opened in the public view over all time."""
    mid = next(mid for mid, b in app_charts.items() if b.drawn[1])
    at = run_page("app_pages/measure.py", measure=app_charts[mid].measure.name, period="All time")
    said = [shown(md.value).removeprefix("### ") for md in at.markdown if md.value.startswith("### ")]
    assert _sentence(_page(sample_site, mid)) in said


@pytest.fixture(scope="module")
def ward_charts(sample_copy: Path) -> dict[tuple[str, str], MeasureChart]:
    """Each (ward, measure) chart the Measure page draws in the public view, over all time: every series but
    those with more than a tenth hidden (perf.access.public.withheld), its hidden periods blank."""
    with store.connect(sample_copy) as con:
        by_ward = [m for m in measures.measure_list(public.catalogue(con, "public")) if m.by_locality]
        cells = public.cells(con, [m.measure_id for m in by_ward], "public")
        cells = cells[cells["locality_kind"] == "ward"]
        charts = {}
        for m in by_ward:
            for ward, data in cells[cells["measure_id"] == m.measure_id].groupby("locality_id"):
                built = measure_chart.build(
                    m,
                    data[public.SERIES_COLUMNS],
                    public.phases(con, "public", m.measure_id),
                    excluded=signal_answers.excluded(con, m.measure_id, str(ward)),
                    place=str(ward),
                )
                if built.withheld(str(ward)) is None:  # more than a tenth hidden: the page and the site draw no chart
                    charts[(str(ward), m.measure_id)] = built
    return charts


def _ward_sections(page: str) -> dict[str, str]:
    """A ward page's sections, by the measure each links to."""
    parts = page.split('<h2><a href="../measures/')[1:]
    return {p.split(".html", 1)[0]: p for p in parts}


def test_every_ward_chart_charts_its_measure_as_the_measure_page_does_in_that_ward(
    sample_site: site.Built, ward_charts: dict[tuple[str, str], MeasureChart]
) -> None:
    """The sentence (stale limits included) and the phases drawn, for every ward chart the site draws."""
    assert len(ward_charts) > 100
    differences = []
    for (ward, mid), built in ward_charts.items():
        section = _ward_sections((sample_site.folder / f"wards/{ward}.html").read_text(encoding="utf-8"))[mid]
        if _sentence(section) != _expected_sentence(built):
            differences.append(f"{ward} {mid}: {_sentence(section)!r} != {_expected_sentence(built)!r}")
        drawn = [label for _, label in sorted(built.drawn[1].items())]
        if _phase_labels(section) != drawn:
            differences.append(f"{ward} {mid}: phases drawn {_phase_labels(section)} != {drawn}")
        targets = re.findall(r"<title>Target: ([^<]*)</title>", section)
        if targets != ([] if built.target is None else [svg._num(built.target)]):
            differences.append(f"{ward} {mid}: targets drawn {targets} != {built.target}")
    assert differences == []
    stale = [key for key, b in ward_charts.items() if b.changed_since is not None]
    assert stale  # wards whose limits are stale: the sentence the site left out before it built charts this way
    # the site charts exactly the series the page charts: those with some periods hidden too (blank points)
    charted = {
        (path.stem, mid)
        for path in (sample_site.folder / "wards").glob("*.html")
        for mid, section in _ward_sections(path.read_text(encoding="utf-8")).items()
        if "<svg" in section
    }
    assert charted == set(ward_charts)
    assert any(b.hidden.any() for b in ward_charts.values())  # some hidden: the site gave these as tables before


def test_a_ward_chart_in_the_app_says_what_the_site_says(
    app_env: Path, sample_site: site.Built, sample_copy: Path, ward_charts: dict[tuple[str, str], MeasureChart]
) -> None:
    """A ward whose limits are stale: the Measure page (public view, all time) and the site say the same."""
    ward, mid = next(key for key, b in ward_charts.items() if b.changed_since is not None)
    with store.connect(sample_copy) as con:
        name = str(measures.localities(con).set_index("locality_id").loc[ward, "name"])
    at = run_page(
        "app_pages/measure.py", measure=ward_charts[(ward, mid)].measure.name, locality=name, period="All time"
    )
    said = [shown(md.value).removeprefix("### ") for md in at.markdown if md.value.startswith("### ")]
    section = _ward_sections((sample_site.folder / f"wards/{ward}.html").read_text(encoding="utf-8"))[mid]
    assert _sentence(section).startswith("The system has changed since ")
    assert _sentence(section) in said


def test_a_period_without_a_value_is_a_gap_in_the_chart_as_on_the_measure_page(tmp_path: Path) -> None:
    """A month recorded with no value stays a month: the app's chart leaves a gap there, and so does the site
    (it used to drop the month, which joined its neighbours into one moving range and moved the limits)."""
    source = tiny_db.build(tmp_path / "council.duckdb")
    with store.connect(source, read_only=False) as con:
        con.execute("UPDATE measurement SET value = NULL WHERE measure_id = 'M_CALLS' AND period_start = '2023-10-01'")
        m = measures.measure_of(public.catalogue(con, "public"), "M_CALLS")
        data = public.series(con, "M_CALLS", measures.AREA, "public")
        built = measure_chart.build(m, data, public.phases(con, "public", "M_CALLS"))
        dropped = measure_chart.build(m, data, built.phase_rows, drop_missing=True)
    snap = publish.publish(tmp_path / "snapshots", source)
    page = _page(site.build_site(tmp_path / "public", snap.db), "M_CALLS")
    assert "<strong>Illustrative data.</strong> These figures are made up" in page  # all made up: no real figures
    assert "everything else is not." in page and "with some real" not in page
    rows = _numbers(page)
    assert len(rows) == 36 and ("October 2023", "no value") == rows[18][:2]
    assert rows == site.number_rows(built) and _sentence(page) == _expected_sentence(built)
    assert site.number_rows(dropped)[-1][2:5] != rows[-1][2:5]  # dropping the month would move the limits


def test_a_one_off_left_out_of_the_limits_is_left_out_by_the_site_as_by_the_measure_page(tmp_path: Path) -> None:
    """The site charts with the one-off answers of the database it reads, as the Measure page does there
    (a published snapshot carries the periods only: tests/test_publish_excluded.py)."""
    source = tiny_db.build(tmp_path / "council.duckdb")
    with store.connect(source, read_only=False) as con:
        con.execute(
            "INSERT INTO signal_item (measure_id, locality_id, rule, first_period, last_period, direction, side, "
            "found_at, found_by) VALUES ('M_CALLS', 'ALL', 'beyond_limits', DATE '2025-03-01', DATE '2025-03-01', "
            "'concerning', 'high', TIMESTAMP '2025-04-02 09:00', 'officer')"
        )
        item = int(con.execute("SELECT max(signal_id) FROM signal_item").fetchall()[0][0])
        signal_answers.answer(
            con, item, signal_answers.Answer(True, "A storm.", "", "one_off", exclude_from_limits=True), user="officer"
        )
        m = measures.measure_of(public.catalogue(con, "public"), "M_CALLS")
        data, phases = public.series(con, "M_CALLS", measures.AREA, "public"), public.phases(con, "public", "M_CALLS")
        left_out = measure_chart.build(m, data, phases, excluded=signal_answers.excluded(con, "M_CALLS", "ALL"))
        kept = measure_chart.build(m, data, phases)
    rows = _numbers(_page(site.build_site(tmp_path / "public", source), "M_CALLS"))
    assert rows == site.number_rows(left_out) != site.number_rows(kept)  # leaving March 2025 out moves the limits


def test_the_site_says_what_is_real_as_the_app_does(sample_site: site.Built, sample_copy: Path) -> None:
    """The sample holds real FixMyStreet figures beside made-up ones: the app's banner says which is which,
    and so does every page of the site (it said "everything else is not" over the real figures)."""
    with store.connect(sample_copy) as con:
        lead, rest = measures.dataset_banner(measures.meta(con)) or ("", "")
    assert lead == "Illustrative data, with some real." and "FixMyStreet" in rest
    banner = f'<p class="banner"><strong>{lead}</strong> {html.escape(rest, quote=True)}</p>'
    for name in ("index.html", "measures/fms-all.html", "measures/repairs-demand.html", "wards.html"):
        page = (sample_site.folder / name).read_text(encoding="utf-8")
        assert banner in page and "everything else is not" not in page, name


def test_alvechurch_south_s_benefits_contacts_are_not_averaged_from_the_weeks_shown(
    app_env: Path, sample_site: site.Built, sample_copy: Path
) -> None:
    """118 of its 243 weeks are hidden (1 to 4 contacts, or a second blank): the app and the site used to say
    "about 6 contacts a week" from the 125 weeks shown. Now both say why there is no chart, in the same words."""
    ward = "w-bdc-alvechurch-south"
    with store.connect(sample_copy) as con:
        m = measures.measure_of(public.catalogue(con, "public"), "benefits-demand")
        data = public.series(con, m.measure_id, ward, "public")
        built = measure_chart.build(m, data, public.phases(con, "public", m.measure_id), place=ward)
    plain = _expected_sentence(built)
    assert " about 6 contacts a week" in plain  # what the weeks shown would say
    words = built.withheld("Alvechurch South")
    assert words is not None and words.startswith("118 of the 243 weeks for Alvechurch South are not shown")
    section = _ward_sections((sample_site.folder / f"wards/{ward}.html").read_text(encoding="utf-8"))[m.measure_id]
    assert "<svg" not in section and html.escape(words) in section and "about 6" not in section
    at = run_page("app_pages/measure.py", measure=m.name, locality="Alvechurch South", period="All time")
    assert not at.get("vega_lite_chart") and any(words in shown(i.value) for i in at.info)
    assert not [md.value for md in at.markdown if "about 6" in md.value]

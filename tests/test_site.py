"""The static public site: every published page, nothing unpublished, small ward counts blank, a sitemap."""

from __future__ import annotations

import html
import os
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from perf import store
from perf.analysis import similar
from perf.output import publish, site
from perf.__main__ import main
from tests import tiny_db


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> site.Built:
    folder = tmp_path_factory.mktemp("site")
    source = tiny_db.build(folder / "council.duckdb")
    snap = publish.publish(folder / "snapshots", source)
    return site.build_site(folder / "public", snap.db, base_url="https://performance.example.gov.uk/")


def _all_text(built: site.Built) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in built.folder.rglob("*") if p.is_file())


def test_every_published_measure_purpose_and_ward_has_a_page_at_a_stable_address(built: site.Built) -> None:
    pages = set(built.urls)
    for mid in tiny_db.PUBLISHED:
        assert f"measures/{mid}.html" in pages
    assert {"purposes/SAFE.html", "purposes/HOME.html", "index.html", "wards.html", "data.html"} <= pages
    assert {f"wards/{w}.html" for w in tiny_db.WARDS} <= pages
    assert built.bytes == sum(p.stat().st_size for p in built.folder.rglob("*") if p.is_file())


def test_nothing_unpublished_reaches_the_site(built: site.Built) -> None:
    text = _all_text(built)
    assert tiny_db.UNPUBLISHED not in text and "Staff absence" not in text
    assert tiny_db.SECRET_NOTE not in text
    assert "A Officer" not in text and "B Officer" not in text  # commentary is the council's, not a name
    assert "Storm damage brought more calls" in (built.folder / "measures/M_CALLS.html").read_text()


def test_a_measure_page_has_its_sentence_chart_and_numbers_without_script(built: site.Built) -> None:
    page = (built.folder / "measures/M_CALLS.html").read_text()
    assert "<script" not in _all_text(built)
    assert re.search(r"<svg role='img' aria-label='Control chart of Contacts about street cleaning\. ", page)
    assert "a signal of concern" in page  # the latest month (180) is far above the limits
    assert "<caption>The numbers behind the chart (contacts)</caption>" in page
    numbers = page.split("<caption>The numbers behind the chart (contacts)</caption>")[1].split("</table>")[0]
    assert numbers.count("<tr>") == 1 + 36  # the header and every month
    assert '<html lang="en">' in page and 'href="#main"' in page


def test_a_ward_with_small_counts_does_not_show_them_and_draws_no_chart(built: site.Built) -> None:
    w1 = (built.folder / "wards/W1.html").read_text()  # the dog-fouling reports in W1 are 2s and 3s
    assert "36 of the 36 months for Ward 1 are not shown in the public view" in w1 and "<svg" not in w1
    assert not re.search(r"<td class=n>[0-9]", w1)
    w2 = (built.folder / "wards/W2.html").read_text()  # 6s and 7s, hidden too: the total less W3 gives W1 + W2
    assert "36 of the 36 months for Ward 2 are not shown in the public view" in w2 and "<svg" not in w2
    w3 = (built.folder / "wards/W3.html").read_text()  # 9s and 10s: shown, charted, described
    assert "<svg" in w3 and "not shown" not in w3.split("<footer>")[0]
    assert re.search(r"<td class=n>(9|10)</td>", w3)


def test_the_sitemap_lists_every_page_with_its_full_address(built: site.Built) -> None:
    root = ET.parse(built.folder / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert sorted(locs) == sorted(f"https://performance.example.gov.uk/{p}" for p in built.urls)
    assert "Sitemap: https://performance.example.gov.uk/sitemap.xml" in (built.folder / "robots.txt").read_text()


def test_every_link_between_pages_leads_to_a_page(built: site.Built) -> None:
    for page in built.folder.rglob("*.html"):
        for href in re.findall(r'href="([^"#]+)"', page.read_text()):
            assert (page.parent / href).resolve().exists(), f"{page.relative_to(built.folder)} links to {href}"


def test_the_command_line_writes_a_snapshot_and_the_site_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")
    assert (
        main(["publish", "--out", str(tmp_path / "snap"), "--static", str(tmp_path / "www"), "--db", str(source)]) == 0
    )
    assert "pages" in capsys.readouterr().out
    first = (tmp_path / "www" / "index.html").read_text()
    assert main(["publish", "--static", str(tmp_path / "www"), "--db", str(source)]) == 0  # rebuilt in place
    assert (tmp_path / "www" / "index.html").read_text().startswith(first[:50])
    assert (tmp_path / "www").is_symlink()  # the site is a link to its current version
    assert sorted(p.name for p in tmp_path.glob(".www*")) == [".www.versions"]  # no half-built copy or spare link
    versions = sorted(p.name for p in (tmp_path / ".www.versions").iterdir())
    assert len(versions) == 2 and site.current(tmp_path / "www") == versions[-1]


# --- the Similar councils comparison (real published figures: the sample database) -------------------------

SIMILAR_PAGE = "similar/E07000234/fms-all.html"  # Bromsgrove, FixMyStreet reports: all problems


def _main(page: Path) -> str:
    return page.read_text(encoding="utf-8").split('<main id="main">')[1].split("</main>")[0]


def test_each_council_has_a_similar_page_for_every_published_measure_linked_and_in_the_sitemap(
    sample_site: site.Built, sample_copy: Path
) -> None:
    expected, skipped = set(), set()
    with store.connect(sample_copy, read_only=True) as con:
        metrics = list(similar.metrics(con)["metric_id"])
        for code in ("E07000234", "E07000236"):  # Bromsgrove and Redditch, the sample's councils
            group = similar.group(con, code)
            for m in metrics:  # a page wherever the council has figures of its own
                (expected if code in similar.compare(con, m, group).codes else skipped).add(f"similar/{code}/{m}.html")
    assert len(metrics) > 40 and len(expected) > 70  # FixMyStreet's groups and categories, the ONS indicators
    assert not skipped & set(sample_site.urls)
    assert expected <= set(sample_site.urls)
    listing = (sample_site.folder / "similar.html").read_text()
    assert all(f'href="{p}"' in listing for p in expected)
    assert 'href="similar.html"' in (sample_site.folder / "index.html").read_text()
    for menu in ("wards.html", SIMILAR_PAGE):  # the site's menu on every page, the similar pages' own too
        root = "../" * menu.count("/")
        assert f'<li><a href="{root}similar.html">Similar councils</a></li>' in (sample_site.folder / menu).read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", (sample_site.folder / "sitemap.xml").read_text())
    assert {f"https://performance.example.gov.uk/{p}" for p in expected} <= set(locs)
    for page in (sample_site.folder / "similar").rglob("*.html"):  # every link from a similar page leads somewhere
        for href in re.findall(r'href="([^"#]+)"', page.read_text()):
            assert (page.parent / href).resolve().exists(), f"{page.name} links to {href}"


def test_a_similar_page_shows_every_council_on_its_own_chart_with_the_engines_words(
    sample_site: site.Built, sample_copy: Path
) -> None:
    with store.connect(sample_copy, read_only=True) as con:
        group = similar.group(con, "E07000234")
        result = similar.compare(con, "fms-all", group)
    page = _main(sample_site.folder / SIMILAR_PAGE).strip()
    assert page.startswith(
        "<h1>FixMyStreet reports: all problems per 1,000 residents, a month: Bromsgrove and similar councils</h1>"
    )
    assert "Bromsgrove and the 12 district councils among ONS&#x27;s 20 nearest neighbours" in page
    charts = re.findall(r'aria-label="Small control chart for ([^"]+)"', page)
    assert charts == [html.escape(result.names[c]) for c in result.codes] and charts[0] == "Bromsgrove"
    assert len(charts) == len(group) == 13
    assert page.index("Chosen council") < page.index("Small control chart for Bromsgrove")
    for code in result.codes:  # each council's own sentence, word for word as the app's page has it
        assert html.escape(result.sentences[code]) in page
    assert "per 1,000 a month" in result.sentences["E07000234"]
    assert "<polygon" in page  # the group's median ± MAD band behind each chart
    assert html.escape(result.population_used) in page and "interpolated between Census 2011 and 2021" in page
    assert html.escape(similar.NO_RANKS) in page
    full = (sample_site.folder / SIMILAR_PAGE).read_text()
    assert '<p class="banner real"><strong>Real data.</strong>' in full and "Illustrative data." not in full


def test_a_similar_page_names_its_sources_and_an_ons_page_only_its_own(sample_site: site.Built) -> None:
    fms = _main(sample_site.folder / SIMILAR_PAGE).split("<h2>Sources</h2>")[1]
    assert "mySociety / FixMyStreet" in fms and "ODC-By 1.0" in fms
    assert "Census 2011 and 2021: Office for National Statistics" in fms and "Open Government Licence v3.0" in fms
    ons = _main(sample_site.folder / "similar/E07000234/ons-claimant-count.html")
    assert "<h1>Claimant Count (%): Bromsgrove and similar councils</h1>" in ons
    assert "mySociety" not in ons and "Office for National Statistics" in ons.split("<h2>Sources</h2>")[1]
    assert "Rates per 1,000 residents use the population" not in ons  # a percentage: no population needed


RANK_WORDS = re.compile(
    r"\b(rank(ed|ing|s)?|league|position|top|bottom|best|worst|red|amber|green|RAG|"
    r"\d+(st|nd|rd|th)|above average|below average)\b",
    re.IGNORECASE,
)


def test_no_similar_page_ranks_the_councils(sample_site: site.Built) -> None:
    pages = sorted((sample_site.folder / "similar").rglob("*.html"))
    assert len(pages) > 70
    for page in [*pages, sample_site.folder / "similar.html"]:
        text = re.sub(r"<[^>]+>", " ", _main(page).replace(html.escape(similar.NO_RANKS), ""))
        found = RANK_WORDS.findall(text)
        assert not found, f"{page.name}: {found[:5]}"
    # the councils' table keeps the group's order (ONS's nearest first), never sorted by value
    page = _main(sample_site.folder / SIMILAR_PAGE)
    table = page.split("<caption>Each council&#x27;s latest figure")[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td><td class=n>([^<]+)</td>", table)
    assert [name for name, _ in rows][:3] == ["Bromsgrove", "Basingstoke and Deane", "Hart"]
    latest = [float(v) for _, v in rows]
    assert latest != sorted(latest) and latest != sorted(latest, reverse=True)


def test_council_figures_on_similar_pages_are_shown_in_full_as_the_app_shows_them(
    sample_site: site.Built, sample_copy: Path
) -> None:
    """Whole-council figures, published openly by their sources: the small-count rule is for wards."""
    with store.connect(sample_copy, read_only=True) as con:
        raw = con.execute(
            "SELECT value FROM published_value WHERE metric_id = 'fms-all' AND area_code = 'E07000234' "
            "AND period_start = DATE '2007-03-01'"
        ).fetchall()
        result = similar.compare(con, "fms-all", similar.group(con, "E07000234"))
    assert raw == [(1.0,)]  # one report in March 2007: a count under 5, for the whole council
    pts = result.points[result.points["area_code"] == "E07000234"]
    march = float(pts[pts["period_start"] == pd.Timestamp("2007-03-01")]["value"].iloc[0])
    page = _main(sample_site.folder / SIMILAR_PAGE)
    assert re.search(rf"<tr><td>March 2007</td><td class=n>{march:.2f}</td>", page)
    assert site.NOT_SHOWN not in page and html.escape(site.SIMILAR_COUNTS) in page
    assert "reports</td>" not in page  # rates per 1,000 residents, never the counts behind them


def test_a_site_without_published_figures_has_no_similar_pages_or_links(built: site.Built) -> None:
    assert not any(u.startswith("similar") for u in built.urls)
    assert "similar.html" not in _all_text(built)


def test_a_reader_during_republishing_always_finds_a_whole_site(
    built: site.Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DIR is a link swapped by one rename: a reader polling while the site is rebuilt never misses a file.

    The gap two renames would leave lasts microseconds, too short for a poller to hit reliably, so each
    rename the build makes is also followed by a look at the site: it must be whole after every one.
    """
    snap = publish.resolve(built.folder.parent / "snapshots")
    out = tmp_path / "www"
    (out / "measures").mkdir(parents=True)  # a plain folder, as an earlier release left it
    (out / "index.html").write_text("<html>old</html>\n")
    site.build_site(out, snap)
    assert out.is_symlink() and "Tinytown" in (out / "index.html").read_text()
    assert any(p.name.endswith("-earlier") for p in site.versions_folder(out).iterdir())  # kept, not lost
    stop, reads, problems = threading.Event(), [0], []

    def read() -> None:
        while not stop.is_set():
            for name in ("index.html", "measures/M_CALLS.html", "style.css", "sitemap.xml"):
                try:
                    text = (out / name).read_text(encoding="utf-8")
                except OSError as err:
                    problems.append(f"{name}: {err}")
                    continue
                if not text.rstrip().endswith(("</html>", "}", "</urlset>")):
                    problems.append(f"{name}: cut short ({len(text)} characters)")
                reads[0] += 1

    real_replace, after = os.replace, []

    def replace_then_look(src: object, dst: object) -> None:  # the real rename, then what a reader would find
        real_replace(src, dst)  # type: ignore[arg-type]
        after.append((out / "index.html").is_file() and (out / "style.css").is_file())

    monkeypatch.setattr(os, "replace", replace_then_look)
    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        versions = [site.build_site(out, snap, keep=2).version for _ in range(5)]
    finally:
        stop.set()
        for r in readers:
            r.join()
    assert not problems, problems[:5]
    assert reads[0] > 100
    assert len(after) == 10 and all(after)  # two renames a build (version into place, link over link): never absent
    assert site.current(out) == versions[-1]
    kept = sorted(p.name for p in site.versions_folder(out).iterdir())
    assert kept == sorted(versions[-3:])  # the newest and the two before it; no temp folder left


def test_the_similar_councils_index_lists_measures_by_source_and_names_the_licences(sample_site: site.Built) -> None:
    listing = _main(sample_site.folder / "similar.html")
    assert "<h3>mySociety / FixMyStreet, per 1,000 residents, by month</h3>" in listing
    assert "<h3>ONS Explore Local Statistics, by year</h3>" in listing
    assert "<h3>ONS Explore Local Statistics, by month</h3>" in listing  # guest nights at short-term lets
    assert "mySociety / FixMyStreet (ODC-By 1.0); ONS Explore Local Statistics (OGL v3)" in listing

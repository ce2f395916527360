"""The static public site: every published page, nothing unpublished, small ward counts blank, a sitemap."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

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
    assert "36 of the 36 periods are not shown here" in w1 and "<svg" not in w1
    assert not re.search(r"<td class=n>[0-9]", w1)
    w2 = (built.folder / "wards/W2.html").read_text()  # 6s and 7s, hidden too: the total less W3 gives W1 + W2
    assert "36 of the 36 periods are not shown here" in w2 and "<svg" not in w2
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


def test_the_command_line_writes_a_snapshot_and_the_site_from_it(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")
    assert main(["publish", "--out", str(tmp_path / "snap"), "--static", str(tmp_path / "www"),
                 "--db", str(source)]) == 0
    assert "pages" in capsys.readouterr().out
    first = (tmp_path / "www" / "index.html").read_text()
    assert main(["publish", "--static", str(tmp_path / "www"), "--db", str(source)]) == 0  # rebuilt in place
    assert (tmp_path / "www" / "index.html").read_text().startswith(first[:50])
    assert not list(tmp_path.glob(".www.*"))  # no half-built or old copy left beside it

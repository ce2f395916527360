"""User text is plain text everywhere it shows: no link, image, emphasis or HTML made from what a council
typed, and every CSV the app writes is formula-guarded by one rule (perf.output.export.guard_formulas).

Pages run through app.py (AppTest) on a copy of the sample data whose measure name, owner, definition,
unit, phase label, purpose, demand nature and "Reviewed by" carry Markdown links, remote images, HTML
and blank lines (tests/plain_text_db.py). Everything a page sends to be read as Markdown is rendered
with a CommonMark parser (markdown-it-py, HTML allowed: stricter than Streamlit) and must hold no
<img> and no link, and the typed text must be there, word for word.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from perf import store
from perf.intake import check
from perf.drawing import svg
from perf.output import export
from perf.words import text
from perf.access import public as public_filter
from tests import plain_text_db

ROOT = Path(__file__).resolve().parent.parent
TRACKER = "http://127.0.0.1:9"
RENDER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
TAG = re.compile(r"<[^>]+>")
PLAIN_ELEMENTS = {"text", "code", "json", "exception"}  # drawn as typed: no Markdown to read


@pytest.fixture(scope="module")
def db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("plain") / "plain.duckdb"
    plain_text_db.build(sample_db, target, TRACKER)
    return target


def rendered(at: AppTest) -> list[str]:
    """What each element would draw: its Markdown (bodies, labels, table cells) rendered to HTML."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in PLAIN_ELEMENTS:
            for field in ("body", "label", "help", "caption"):
                value = getattr(proto, field, None) if field in proto.DESCRIPTOR.fields_by_name else None
                if isinstance(value, str) and value:
                    out.append(RENDER.render(value))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    for table in at.table:  # st.table reads Markdown in every cell
        out += [RENDER.render(str(v)) for v in table.value.astype(str).to_numpy().ravel()]
    return out


def visible(parts: list[str]) -> str:
    """The words on screen: tags dropped, entities decoded, the invisible word joiner (perf.words.text) gone."""
    return html.unescape(TAG.sub(" ", " ".join(parts))).replace(text.WORD_JOINER, "")


def run(db: Path, monkeypatch: pytest.MonkeyPatch, page: str, *, public: bool = True, **params: str) -> AppTest:
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    if public:
        monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    else:
        monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if not public:
        at.session_state["_signed_in"] = "olive"
    for key, value in {"period": "All time", **params}.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def assert_plain(at: AppTest, *expected: str) -> None:
    parts = rendered(at)
    drawn = " ".join(parts)
    assert "<img" not in drawn, re.search(r".{80}<img.{80}", drawn, re.S)
    assert "<a " not in drawn, re.search(r".{80}<a .{80}", drawn, re.S)
    assert "<em>" not in drawn and "<strong>now" not in drawn
    words = visible(parts)
    for typed in expected:
        assert " ".join(typed.split()) in " ".join(words.split()), typed  # word for word (line breaks as spaces)


PAGES = {
    "app_pages/measure.py": ("name", "owner", "definition", "unit", "phase", "purpose"),
    "app_pages/purpose.py": ("name", "owner", "purpose", "description"),
    "app_pages/overview.py": ("purpose",),
    "app_pages/briefing.py": ("purpose",),
    "app_pages/locality.py": ("name", "unit"),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("public", [True, False], ids=["public", "officer"])
def test_user_text_shows_as_typed_and_never_as_markdown(
    db: Path, monkeypatch: pytest.MonkeyPatch, page: str, public: bool
) -> None:
    typed = plain_text_db.payloads(TRACKER)
    at = run(db, monkeypatch, page, public=public, measure=typed["name"], purpose=typed["purpose"])
    expect = [typed[f] for f in PAGES[page] if f != "owner"]
    if "owner" in PAGES[page]:  # the public see the owner's role (perf.access.public.owner_role drops a bracket)
        expect.append(public_filter.owner_role(typed["owner"]) if public else typed["owner"])
    assert_plain(at, *expect)
    if page == "app_pages/measure.py":
        assert "<img src=" in visible(rendered(at))  # the typed HTML is on screen as text, not as an image


def test_the_review_page_shows_who_reviewed_as_typed(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = plain_text_db.payloads(TRACKER)
    at = run(db, monkeypatch, "app_pages/review.py", public=False, measure=typed["name"])
    assert_plain(at)
    assert typed["reviewer"] in "\n".join(t.value for t in at.text)  # st.text: plain by construction


def test_a_nature_with_a_blank_line_stays_inside_the_pareto_chart(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run(db, monkeypatch, "app_pages/demand.py", public=False, service=plain_text_db.SERVICE)
    charts = [md.value for md in at.markdown if "<svg" in md.value]
    assert charts
    for chart in charts:
        assert "\n\n" not in chart  # a blank line would end the HTML block and start Markdown
        assert "<img" not in chart
    assert any("Chasing progress" in c and "!\\[x\\]" not in c and "![x](" in c for c in charts)
    assert_plain(at)


def test_svg_text_is_escaped_and_on_one_line() -> None:
    nature = plain_text_db.payloads(TRACKER)["nature"]
    assert "\n" not in text.html(nature) and "<img" not in text.html(nature)
    frame = pd.DataFrame({"value": [1.0, 2.0, 3.0]})
    assert "<img" not in svg.sparkline(frame["value"], label=nature)
    assert "\n\n" not in svg.sparkline(frame["value"], label=nature)


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_every_formula_start_is_quoted_by_the_one_rule(value: str) -> None:
    out = export.to_csv_bytes(pd.DataFrame({"cell": [value]})).decode("utf-8-sig")
    assert out.splitlines()[1].lstrip('"').startswith("'")


def test_the_problems_download_quotes_the_refused_formula(
    db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The upload page's "Download the problems (CSV)" wrote the refused cell back as a live formula."""
    bad = 'measure_id,period_start,locality_id,value\nhomeless-approaches,2026-10-01,ALL,"=HYPERLINK(""http://evil.example"",""x"")"\n'
    with store.connect(db) as con:
        result = check.validate_upload(con, bad.encode(), "values.csv")
    assert not result.ok
    problems = result.problem_frame().rename(columns=str.capitalize)
    written = export.to_csv_bytes(problems).decode("utf-8-sig")
    cells = pd.read_csv(io.StringIO(written), dtype=str).to_numpy().ravel()
    assert any("HYPERLINK" in str(c) for c in cells)
    assert not any(str(c).startswith(export.FORMULA_STARTS) for c in cells)
    page = (ROOT / "app_pages" / "upload.py").read_text(encoding="utf-8")
    assert "export.to_csv_bytes(problems)" in page and ".to_csv(" not in page

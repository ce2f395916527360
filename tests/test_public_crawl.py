"""A crawler over the public view (OUTSIDE_IN_PUBLIC=1) with a ward chosen: every page, every
download and the data embedded in every chart, looking for what the public must not see.

It opens each public page through app.py (AppTest) with ``?locality=Cofton`` for every published
measure, service and purpose, reads every element the page sends (text, labels, tables, the Arrow
data behind each chart and table), then fetches every download button's file as the browser would
(the stored file, or the callable a deferred download runs) and reads it back: CSV, Excel, PDF,
PowerPoint and the partner zip. In all of it there must be:

- no count from 1 to 4 for a ward (a chart point, a table cell, a file cell, "1 households" in a
  sentence), and no figure for a ward's period whose count is from 1 to 4;
- no unpublished measure's name and no phase label of an unpublished measure;
- no officer's name (from ``app_user``, the names in measure owners, commentary authors);
- no internal text: internal commentary, a review's decision, actions or reviewer.

The database is the sample data plus what the sample has none of: an unpublished measure's phase
on a service's purpose, an internal review, an officer account, an internal note. The same crawl
signed in as an officer finds them (so the public crawl passes for the right reason).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from google.protobuf import text_format
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from perf import store
from perf.access import disclosure, small_counts
from perf.analysis import measures

ROOT = Path(__file__).resolve().parent.parent
PER_MEASURE = ("Measure sheet (PDF)", "Values (CSV)", "Values (Excel)")  # the packs and zip are read once
WARD, WARD_NAME = "w-bdc-cofton", "Cofton"
SECRET_PHASE = "Quiet staffing redesign"
SECRET_NOTE = "Internal only: the team is two officers short"
SECRET_DECISION = "Keep the redesign but tell nobody yet"
SECRET_ACTIONS = "Brief the portfolio holder privately"
REVIEWER = "Olive Quartermaine"
OFFICER_NAME = "Ophelia Underwood"


# --- the database ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crawl_db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crawl") / "crawl.duckdb"
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    try:
        # an unpublished measure that shares the benefits service's purpose, with a phase of its own
        con.execute(
            "UPDATE measure SET purpose_id = (SELECT purpose_id FROM measure WHERE measure_id = "
            "'benefits-demand') WHERE measure_id = 'staff-sickness'"
        )
        con.execute("INSERT INTO phase VALUES ('staff-sickness', DATE '2025-09-01', ?, 'internal')", [SECRET_PHASE])
        con.execute(
            "INSERT INTO review (measure_id, change_date, decision, actions, reviewed_by, reviewed_at) "
            "VALUES ('homeless-approaches', DATE '2025-01-01', ?, ?, ?, TIMESTAMP '2026-11-02 10:00')",
            [SECRET_DECISION, SECRET_ACTIONS, f"{REVIEWER} (saved by ophelia)"],
        )
        con.execute(
            "INSERT INTO commentary (measure_id, period_start, author, written_at, body, visibility) "
            "VALUES ('homeless-approaches', DATE '2026-10-01', ?, TIMESTAMP '2026-11-03 09:00', ?, "
            "'internal')",
            [OFFICER_NAME, SECRET_NOTE],
        )
        con.execute(
            "INSERT INTO app_user (username, display_name, role, password_hash, created_at) VALUES "
            "('ophelia', ?, 'officer', 'x', now())",
            [OFFICER_NAME],
        )
    finally:
        con.close()
    return path


@dataclass
class Forbidden:
    """What the public must not see, read from the database."""

    texts: dict[str, str]  # text -> why it is forbidden
    units: set[str]  # units of count measures ("households", "reports", ...)
    small: dict[str, set[pd.Timestamp]]  # measure id -> periods when the ward's count is 1 to 4
    counting: set[str]  # measure ids whose value is a count


def forbidden(db: Path) -> Forbidden:
    con = store.connect(db)
    try:
        cat = measures.catalogue(con)
        texts: dict[str, str] = {}
        for _, m in cat[~cat["published"]].iterrows():
            texts[str(m["name"])] = "an unpublished measure's name"
        for label in measures.phases(con).merge(cat[~cat["published"]][["measure_id"]])["label"]:
            texts[str(label)] = "an unpublished measure's phase label"
        people = set(con.execute("SELECT display_name FROM app_user").df()["display_name"].dropna())
        people |= set(con.execute("SELECT author FROM commentary").df()["author"])
        people |= {m.group(1) for o in cat["owner"].dropna() for m in [re.search(r"\(([^()]+)\)\s*$", str(o))] if m}
        people |= {REVIEWER}
        for person in people:
            texts[str(person)] = "an officer's name"
        for body in con.execute("SELECT body FROM commentary WHERE visibility = 'internal'").df()["body"]:
            texts[str(body)[:60]] = "internal commentary"
        for col in ("decision", "actions", "reviewed_by"):
            for value in con.execute(f"SELECT {col} FROM review").df()[col].dropna():  # noqa: S608 - fixed names
                texts[str(value)[:60]] = f"a review's {col}"
        # a measure marked open_data is real figures its source already publishes by small area
        # (FixMyStreet): perf.access.public shows them as published, so they are not small counts to find
        if {"is_real", "source_id"} <= set(cat.columns):  # as perf/sql/measure_cells.sql's open_data
            cat = cat[~(cat["is_real"].fillna(False).astype(bool) & cat["source_id"].notna())]
        counting = cat[[small_counts.is_count_unit(u, a) for u, a in zip(cat["unit"], cat["aggregation"], strict=True)]]
        ward = measures.series(con, list(cat["measure_id"]), WARD)  # the ward's own figures, as officers see them
        ward["aggregation"] = ward["measure_id"].map(dict(zip(cat["measure_id"], cat["aggregation"], strict=True)))

        def tiny_(col: str) -> pd.Series:
            return (ward[col] >= 1) & (ward[col] < small_counts.SMALL_COUNT)

        tiny = (ward["measure_id"].isin(counting["measure_id"]) & tiny_("value")) | (
            (ward["aggregation"] == "ratio") & (tiny_("numerator") | tiny_("denominator"))
        )
        small = {str(mid): set(pd.to_datetime(g["period_start"])) for mid, g in ward[tiny].groupby("measure_id")}
        return Forbidden(texts, {str(u) for u in counting["unit"]}, small, set(counting["measure_id"]))
    finally:
        con.close()


# --- reading what a page sends --------------------------------------------------------------------------
class Recording(MediaFileManager):
    """The media file manager AppTest gives each run, kept so a test can fetch the run's downloads."""

    last: Recording | None = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        Recording.last = self


@dataclass
class Seen:
    """Everything one crawl read: text (with where it was) and tables (with what they were)."""

    text: list[tuple[str, str]] = field(default_factory=list)
    frames: list[tuple[str, pd.DataFrame]] = field(default_factory=list)


def _walk(node: object) -> Iterator[object]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def _arrow(blob: bytes) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(blob).read_pandas()


def read_page(at: AppTest, where: str, seen: Seen) -> None:
    """Every element's message as text, and the Arrow tables behind every chart and table."""
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        seen.text.append((where, text_format.MessageToString(proto, as_utf8=True)))
        kind = getattr(node, "type", "")
        if kind == "vega_lite_chart":
            blobs = [d.data.data for d in proto.datasets]
            if proto.HasField("data") and proto.data.data:
                blobs.append(proto.data.data)
            seen.frames += [(f"{where}: chart data", _arrow(b)) for b in blobs]
            seen.frames.append((f"{where}: chart spec", pd.DataFrame(_spec_values(json.loads(proto.spec)))))
    for df in at.dataframe:
        seen.frames.append((f"{where}: table", df.value))
    for table in at.table:
        seen.frames.append((f"{where}: table", table.value))


def _spec_values(spec: object) -> list[dict[str, object]]:
    """Inline data in a Vega-Lite spec ({"data": {"values": [...]}} anywhere)."""
    found: list[dict[str, object]] = []
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            found += [v for v in data["values"] if isinstance(v, dict)]
        for value in spec.values():
            found += _spec_values(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _spec_values(value)
    return found


def read_downloads(at: AppTest, where: str, seen: Seen, only: tuple[str, ...] = ()) -> int:
    """Fetch every download button's file as the browser would, and read it. Returns how many."""
    mgr = Recording.last
    assert mgr is not None
    count = 0
    for button in at.get("download_button"):
        proto = button.proto
        if proto.label.startswith("Download the chart") or (only and proto.label not in only):
            continue  # an image of the chart whose data read_page has read; or read already
        if proto.deferred_file_id:
            data = mgr._deferred_callables[proto.deferred_file_id]["callable"]()
        else:
            file_id = proto.url.rsplit("/", 1)[-1].split(".")[0]
            data = mgr._storage.get_file(file_id).content
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        read_file(data, f"{where}: {proto.label}", seen)
        count += 1
    return count


def read_file(data: bytes, where: str, seen: Seen) -> None:
    if (
        data[:2] == b"PK"
        and b"[Content_Types].xml" not in data[:2000]
        and b"xl/" not in data[:4000]
        and b"ppt/" not in data[:4000]
    ):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                if name.endswith(".parquet"):
                    seen.frames.append((f"{where}/{name}", pd.read_parquet(io.BytesIO(zf.read(name)))))
                else:
                    read_file(zf.read(name), f"{where}/{name}", seen)
        return
    if data[:4] == b"%PDF":
        from pypdf import PdfReader

        seen.text.append((where, " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)))
        return
    if data[:2] == b"PK" and b"ppt/" in data[:100_000]:
        from pptx import Presentation

        deck = Presentation(io.BytesIO(data))
        words = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
        words += [
            cell.text
            for slide in deck.slides
            for shape in slide.shapes
            if shape.has_table
            for row in shape.table.rows
            for cell in row.cells
        ]
        seen.text.append((where, "\n".join(words)))
        return
    if data[:2] == b"PK":
        book = pd.read_excel(io.BytesIO(data), sheet_name=None)
        for sheet, frame in book.items():
            seen.frames.append((f"{where}/{sheet}", frame))
            seen.text.append((f"{where}/{sheet}", frame.to_csv(index=False)))
        return
    text = data.decode("utf-8-sig", errors="replace")
    seen.text.append((where, text))
    if where.endswith(".csv") or "CSV" in where:
        seen.frames.append((where, pd.read_csv(io.StringIO(text))))


# --- the crawl --------------------------------------------------------------------------------------
def crawl(
    db: Path, monkeypatch: pytest.MonkeyPatch, *, public_view: bool, only: set[str] | None = None
) -> tuple[Seen, int]:
    import streamlit.testing.v1.app_test as app_test

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    if public_view:
        monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    else:
        monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    con = store.connect(db)
    try:
        cat = measures.catalogue(con, public_only=public_view)
        purposes = measures.purposes(con).query("kind == 'strategic'")
        services = [""] + list(con.execute("SELECT DISTINCT service_id FROM demand").df()["service_id"])
    finally:
        con.close()
    seen, files = Seen(), 0

    def page(path: str, **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        if not public_view:
            at.session_state["_signed_in"] = "ophelia"
        at.query_params["locality"] = WARD_NAME
        at.query_params["period"] = "All time"
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(path).run()
        assert not at.exception, (path, params, at.exception)
        return at

    def again(at: AppTest, where: str, key: str, value: str) -> AppTest:
        at.selectbox(key=key).select(value).run()
        assert not at.exception, (where, at.exception)
        return at

    for path in ("app_pages/overview.py", "app_pages/accessibility.py"):
        read_page(page(path), path, seen)
    for name in purposes["name"]:
        read_page(page("app_pages/purpose.py", purpose=str(name)), f"purpose {name}", seen)
    first = str(cat["name"].iloc[0])
    measure_page, review_page, briefing = (
        page(p, measure=first) for p in ("app_pages/measure.py", "app_pages/review.py", "app_pages/briefing.py")
    )
    reports = page("app_pages/reports.py", measure=first)
    files += read_downloads(reports, "reports", seen)  # the packs (every measure, the ward) and the zip
    ids = list(cat["measure_id"])
    for mid in ids if only is None else [m for m in ids if m in only]:
        tag = f"[{mid}]"  # the measure a page or file is about, for the checks of its figures
        read_page(again(measure_page, f"measure {tag}", "measure", mid), f"measure {tag}", seen)
        files += read_downloads(measure_page, f"measure {tag}", seen)
        read_page(again(review_page, f"review {tag}", "measure", mid), f"review {tag}", seen)
        read_page(again(briefing, f"briefing {tag}", "measure", mid), f"briefing {tag}", seen)
        again(reports, f"reports {tag}", "measure", mid)
        files += read_downloads(reports, f"reports {tag}", seen, only=PER_MEASURE)
    for mid in cat.loc[cat["by_locality"], "measure_id"]:
        if only is not None and mid not in only:
            continue
        at = page("app_pages/locality.py", measure=str(cat.set_index("measure_id").loc[mid, "name"]))
        read_page(at, f"locality of wards [{mid}]", seen)
        at.segmented_control(key="level").set_value("Localities").run()
        read_page(at, f"locality of localities [{mid}]", seen)
    for path in ("app_pages/demand.py", "app_pages/capability.py"):
        for by in BY:  # each "Show by" a visitor can choose: a total of one length less the parts of another
            at = page(path, by=BY[by])
            for service in services:
                where = f"{path} {service} by={by}"
                read_page(again(at, where, "service", service), where, seen)
                files += read_downloads(at, where, seen)
    return seen, files


BY = {"recorded": "As recorded", "month": "Month", "quarter": "Quarter"}
LENGTHS = {7: pd.DateOffset(weeks=1), 31: pd.DateOffset(months=1), 92: pd.DateOffset(months=3)}  # by days apart


def _periods_of(frame: pd.DataFrame) -> tuple[pd.DateOffset, pd.DataFrame] | None:
    """A Demand or Capability download's periods (start, hidden) and their length, read from the file."""
    start = next((c for c in ("Period starting", "period_start") if c in frame.columns), None)
    flag = next((c for c in (disclosure.HIDDEN_COLUMN, "suppressed") if c in frame.columns), None)
    if start is None or flag is None or len(frame) < 2:
        return None
    starts = pd.to_datetime(frame[start], errors="coerce", format="mixed")
    gap = int(starts.diff().dt.days.dropna().min())  # periods with nothing in them may be missing
    length = next((LENGTHS[d] for d in sorted(LENGTHS) if gap <= d), None)
    if length is None:
        return None
    hidden = frame[flag].astype(str).str.lower().isin({"true", "1"})
    return length, pd.DataFrame({"start": starts, "hidden": hidden.to_numpy()})


def length_findings(seen: Seen) -> list[str]:
    """A period shown in one download that holds a hidden period of a shorter length in another of the same
    page and service (say, a month shown whose week is hidden): the month less the shown weeks gives it back."""
    views: dict[str, list[tuple[str, pd.DateOffset, pd.DataFrame]]] = {}
    for where, frame in seen.frames:
        found = re.match(r"(app_pages/\w+\.py \S*) by=(\w+): Download the data", where)
        read = _periods_of(frame) if found else None
        if found and read is not None:
            views.setdefault(found.group(1), []).append((found.group(2), *read))
    out = []
    for page_service, read in views.items():
        for by_fine, fine_len, fine in read:
            for by_coarse, coarse_len, coarse in read:
                if pd.Timestamp("2024-01-01") + fine_len >= pd.Timestamp("2024-01-01") + coarse_len:
                    continue
                shown = coarse.loc[~coarse["hidden"], "start"]
                for h in fine.loc[fine["hidden"], "start"]:
                    over = shown[(shown < h + fine_len) & (shown + coarse_len > h)]
                    if len(over):
                        out.append(
                            f"{page_service}: {over.iloc[0]:%d %b %Y} shown by {by_coarse} holds "
                            f"{h:%d %b %Y}, hidden by {by_fine}: the total less the parts shown gives it back"
                        )
    return out


def findings(seen: Seen, bad: Forbidden) -> list[str]:
    found: list[str] = []
    for where, text in seen.text:
        plain = text.replace("\\", "")  # Markdown escapes (perf.words.text) leave the words themselves
        for needle, why in bad.texts.items():
            if needle and needle in plain:
                found.append(f"{where}: {why}: {needle!r}")
        for unit in bad.units:
            for hit in re.finditer(rf"(?<![\d.,£])\b([1-4])(?:\.0+)? {re.escape(unit)}\b", plain):
                if "between" in plain[max(hit.start() - 24, 0) : hit.start()]:
                    continue  # a limit ("limits between 0 and 2 reports"), not a count
                found.append(f"{where}: a count under 5: {plain[max(hit.start() - 40, 0) : hit.end()]!r}")
    for where, frame in seen.frames:
        found += _frame_findings(where, frame, bad)
    found += length_findings(seen)
    return sorted(set(found))


def _frame_findings(where: str, frame: pd.DataFrame, bad: Forbidden) -> list[str]:
    """A ward's count from 1 to 4 in a table: a figure for one of the ward's small periods in a table of
    one measure for the ward, or a small number in a count column."""
    out: list[str] = []
    tag = re.search(r"\[([a-z0-9-]+)\]", where)
    mid = tag.group(1) if tag else None
    places = {"locality_name", "Area", "Ward", "locality_id"} & {str(c) for c in frame.columns}
    period = next((c for c in ("period_start", "date", "Period") if c in frame.columns), None)
    value = next((c for c in ("value", "Value") if c in frame.columns), None)
    if mid in bad.small and period is not None and value is not None and not places:
        when = pd.to_datetime(frame[period], errors="coerce", format="mixed")
        hits = frame[when.isin(bad.small[str(mid)]) & pd.to_numeric(frame[value], errors="coerce").notna()]
        for _, row in hits.head(3).iterrows():
            out.append(f"{where}: a figure for a period whose ward count is under 5: {row.to_dict()}")
    cols = {str(c): c for c in frame.columns}
    checks: list[tuple[str, pd.Series]] = []
    for name in ("contacts", "Contacts", "Value demand", "Failure demand", "Cases completed", "Open now"):
        if name in cols:
            checks.append((name, pd.Series(True, index=frame.index)))
    if "measure_id" in cols and "locality_kind" in cols:  # the zip's measurements: every measure, every place
        ward = frame["locality_kind"].eq("ward")
        checks += [("value", ward & frame["measure_id"].isin(bad.counting)), ("numerator", ward), ("denominator", ward)]
    elif mid in bad.counting and not places:  # one count measure for the ward
        checks += [(c, pd.Series(True, index=frame.index)) for c in ("value", "Value") if c in cols]
    for name, rows in checks:
        if name not in cols:
            continue
        numbers = pd.to_numeric(frame[cols[name]], errors="coerce")
        small = numbers.between(1, small_counts.SMALL_COUNT - 1, inclusive="both") & rows
        if small.any():
            out.append(f"{where}: {int(small.sum())} counts under 5 in {name!r}")
    return out


@pytest.fixture(scope="module")
def bad(crawl_db: Path) -> Forbidden:
    return forbidden(crawl_db)


def test_the_public_view_shows_no_small_ward_count_unpublished_name_officer_or_internal_text(
    crawl_db: Path, bad: Forbidden, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bad.small.get("homeless-approaches"), "the ward must have small counts for the crawl to mean anything"
    seen, files = crawl(crawl_db, monkeypatch, public_view=True)
    assert files >= 60 and len(seen.frames) > 200  # it did read the downloads and the charts' data
    found = findings(seen, bad)
    assert not found, f"{len(found)} findings:\n" + "\n".join(found[:60])


def test_the_same_crawl_signed_in_finds_what_the_public_must_not_see(
    crawl_db: Path, bad: Forbidden, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the council the same pages show the small counts, names and reviews: the crawler can see them."""
    seen, _ = crawl(crawl_db, monkeypatch, public_view=False, only={"homeless-approaches", "staff-sickness"})
    found = "\n".join(findings(seen, bad))
    for what in (
        "a count under 5",
        "an officer's name",
        "a review's decision",
        "internal commentary",
        "an unpublished measure's name",
        "an unpublished measure's phase label",
        "a figure for a period whose ward count is under 5",
    ):
        assert what in found, what

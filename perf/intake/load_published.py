"""Published figures for any council, loaded from a long file (area code, period, value, unit, source).

Why it exists: LG Inform, ONS and government departments publish figures for every council as long
tables; a council wants its own and its neighbours' in the Similar councils page. The file is
checked like every other upload (each problem by row, column and reason; nothing saved unless all
of it is right), and council codes retired by reorganisations are moved to their successors only
where that is exact (``perf.analysis.published.to_current``), with a note, never a silent gap or a double count.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pandas as pd

from perf import store
from perf.analysis import published
from perf.errors import show
from perf.intake.cells import Checker, look_up, resolver
from perf.store import run

_CODE = r"[ENSW]\d{8}"
# units that are not counts: such a figure can't be added up across councils
_NOT_A_COUNT = (
    "%",
    "per",
    "rate",
    "ratio",
    "£",
    "score",
    "average",
    "mean",
    "median",
    "index",
    "year",
    "day",
    "tco2e",
    "percentage",
    "proportion",
)


def is_count(unit: str) -> bool:
    """A unit of things counted ('reports', 'households'): a reorganised council's figure is the sum of its parts."""
    low = unit.lower()
    return not any(word in low for word in _NOT_A_COUNT)


def _new_id(name: str) -> str:
    return "pub-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "measure")


def _normal_periods(text: pd.Series) -> pd.Series:
    """Period cells as ISO dates: '2015-01-01/P1Y' -> 2015-01-01, '2022/23' -> 2022-04-01, '2021-03' -> 2021-03-01."""
    out = text.str.replace(r"^(\d{4}-\d{2}-\d{2})/P\w+$", r"\1", regex=True)
    fy = out.str.fullmatch(r"(\d{4})[/-](\d{2})") & out.str.slice(0, 4).str.isdigit()
    out = out.where(~fy, out.str.slice(0, 4) + "-04-01")
    out = out.where(~out.str.fullmatch(r"\d{4}-\d{2}"), out + "-01")
    return out.where(~out.str.fullmatch(r"\d{4}"), out + "-01-01")


def check(check: Checker, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every row's measure, council, period and value checked; a new measure needs its unit and source."""
    areas = store.query(con, "load_areas")
    metrics = store.query(con, "load_metrics")
    check.required("metric_id", "measure", "(a published measure's id or name)")
    check.required("area_code", "area code", "(the council's ONS code, such as E07000234)")
    check.required("period_start", "period", "(such as 2024-04-01, 2024-04, 2024 or 2024/25)")
    check.required("value", "value")

    text = check.col("metric_id")
    resolve = resolver([str(i) for i in metrics["metric_id"]], [str(n) for n in metrics["name"]])
    uniques = text.unique()  # a national file names a few dozen measures in 600,000 rows: look each up once
    known = text.map({t: look_up(t, resolve) if t else None for t in uniques})
    is_new = known.isna() & check.good("metric_id")
    metric_id = known.where(~is_new, text.map({t: _new_id(t) for t in uniques})).where(check.good("metric_id"))

    code = check.col("area_code").str.upper()
    check.flag(
        "area_code",
        check.good("area_code") & ~code.str.fullmatch(_CODE),
        lambda v: (
            f"{show(v)} is not an ONS area code; a council's code is a letter and eight digits, such as E07000234."
        ),
    )
    codes_known = set(areas["area_code"]) | set(published.OLD_NAMES)
    check.flag(
        "area_code",
        check.good("area_code") & ~code.isin(codes_known),
        lambda v: (
            f"{show(v)} is not a council the database knows (today's councils, and those reorganised since 2019)."
        ),
    )

    if check.has("period_start"):
        check.text["period_start"] = _normal_periods(check.col("period_start"))
    period = check.timestamps("period_start", date_only=True, now=datetime(2100, 1, 1))
    value = check.numbers("value")

    unit = check.col("unit")
    source = check.col("source")
    units = dict(zip(metrics["metric_id"], metrics["unit"], strict=True))
    if not check.has("unit") or not check.has("source"):
        missing = " and ".join(c for c in ("unit", "source") if not check.has(c))
        check.flag(
            "metric_id",
            is_new,
            lambda v: (
                f"{show(v)} is not a published measure the database knows; to add it, the file needs a "
                f"'{missing}' column."
            ),
        )
    else:
        check.flag(
            "unit",
            is_new & (unit == ""),
            "this cell is blank, but a new measure needs its unit (such as 'reports' or '%').",
        )
        check.flag(
            "source",
            is_new & (source == ""),
            "this cell is blank, but a new measure needs its source (who publishes it), to name wherever it is shown.",
        )
    stored = metric_id.map(units)
    differs = (unit != "") & stored.notna() & (unit.str.lower() != stored.fillna("").str.lower())
    check.flag(
        "unit",
        differs,
        pd.Series(
            [
                f"the unit {show(u)} differs from this measure's unit '{s}'; a measure has one unit."
                for u, s in zip(unit[differs], stored[differs], strict=True)
            ],
            index=unit.index[differs.to_numpy()],
            dtype=object,
        ),
    )
    # a new measure has one unit: the first row's
    first_unit = unit[is_new & (unit != "")].groupby(metric_id[is_new & (unit != "")]).transform("first")
    check.flag(
        "unit",
        is_new & (unit != "") & (unit != first_unit.reindex(unit.index)),
        lambda v: f"{show(v)} differs from this new measure's unit in its first row; a measure has one unit.",
    )

    keys = pd.DataFrame({"m": metric_id, "a": code.where(check.good("area_code")), "p": period})
    check.duplicates(
        "period_start",
        keys,
        lambda first: f"the same measure, area and period as row {first}; each can appear only once.",
    )
    return pd.DataFrame(
        {
            "metric_id": metric_id.astype(object),
            "metric_name": text.astype(object),
            "is_new": is_new.astype(bool),
            "unit": unit.where(unit != "", stored).astype(object),
            "source": source.astype(object),
            "area_code": code.astype(object),
            "area_name": check.col("area_name").astype(object),
            "period_start": period,
            "value": value.astype(float),
        }
    )


def _metric_facts(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection | None) -> dict[str, dict[str, object]]:
    """Each measure in the file: whether it is a count, whether a missing row means zero, and its frequency."""
    stored = store.query(con, "load_metrics").set_index("metric_id") if con is not None else pd.DataFrame()
    out: dict[str, dict[str, object]] = {}
    for metric_id, rows in frame.groupby("metric_id", sort=True):
        key = str(metric_id)
        if key in stored.index:
            out[key] = {
                "additive": bool(stored.at[key, "additive"]),
                "missing_is_zero": bool(stored.at[key, "missing_is_zero"]),
                "new": False,
            }
            continue
        gaps = rows.sort_values("period_start").groupby("area_code")["period_start"].diff().dropna()
        out[key] = {
            "additive": is_count(str(rows["unit"].iloc[0])),
            "missing_is_zero": False,
            "new": True,
            "frequency": "month" if len(gaps) and gaps.min() < pd.Timedelta(days=300) else "year",
            "name": str(rows["metric_name"].iloc[0]),
            "unit": str(rows["unit"].iloc[0]),
            "source": str(rows["source"].iloc[0]),
        }
    return out


def _mapped(
    frame: pd.DataFrame, facts: dict[str, dict[str, object]]
) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """The figures with retired codes moved to today's councils (``published.to_current_each``), and its notes."""
    names = frame.drop_duplicates("metric_id").set_index("metric_id")["metric_name"].astype(str).str.lower()
    return published.to_current_each(
        frame,
        additive={k: bool(f["additive"]) for k, f in facts.items()},
        missing_is_zero={k: bool(f["missing_is_zero"]) for k, f in facts.items()},
        names={str(k): str(v) for k, v in names.items()},
    )


def notes(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection | None = None) -> tuple[str, ...]:
    """What loading will do beyond saving rows: new measures, and councils moved or ended by reorganisations."""
    facts = _metric_facts(frame, con)
    said = [
        f"'{f['name']}' is new: it will be added as a published measure in '{f['unit']}' from {f['source']}, "
        + ("a count (added up where councils merged)." if f["additive"] else "not a count (never added up).")
        for f in facts.values()
        if f["new"]
    ]
    _, moved = _mapped(frame, facts)
    said += sorted(set(moved.values()))
    return tuple(said)


def save(
    cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, filename: str, user: str, now: datetime
) -> tuple[int, int, int]:
    """Upsert the figures (moved to today's councils where exact) inside the caller's transaction: rows new,
    corrected and unchanged (``perf.intake.save.save_rows`` reports them as a ``LoadResult``)."""
    facts = _metric_facts(frame, cur)
    new_metrics = pd.DataFrame(
        [
            {
                "metric_id": k,
                "name": f["name"],
                "unit": f["unit"],
                "frequency": f["frequency"],
                "additive": f["additive"],
                "missing_is_zero": False,
                "per_1000": False,
                "decimals": 1,
                "definition": f"Loaded from {filename} by {user} on {now:%d %B %Y}.",
                "source_id": "src-" + re.sub(r"[^a-z0-9]+", "-", str(f["source"]).lower()).strip("-")[:60],
                "source_name": f["source"],
            }
            for k, f in facts.items()
            if f["new"]
        ],
        columns=[
            "metric_id",
            "name",
            "unit",
            "frequency",
            "additive",
            "missing_is_zero",
            "per_1000",
            "decimals",
            "definition",
            "source_id",
            "source_name",
        ],
    )
    values, said = _mapped(frame, facts)
    values["period_start"] = pd.to_datetime(values["period_start"])  # a timestamp; the SQL takes its date
    names = frame.drop_duplicates("area_code").set_index("area_code")["area_name"].to_dict()
    area_rows = pd.DataFrame({"area_code": sorted(set(values["area_code"]))})
    area_rows["name"] = area_rows["area_code"].map(lambda c: published.OLD_NAMES.get(c) or names.get(c) or c)
    area_rows["tier"] = area_rows["area_code"].map(published.tier)
    area_rows["current"] = ~area_rows["area_code"].isin(list(published.OLD_NAMES))
    note_rows = pd.DataFrame(
        [{"metric_id": m, "area_code": a, "note": n} for (m, a), n in said.items()],
        columns=["metric_id", "area_code", "note"],
    )
    frames = {
        "incoming": values[["metric_id", "area_code", "period_start", "value"]],
        "new_metrics": new_metrics,
        "new_areas": area_rows,
        "new_notes": note_rows,
    }
    for name, data in frames.items():
        cur.register(name, data)
    try:
        counts = run(cur, "load_published_counts").iloc[0]
        new, corrected, unchanged = (int(counts["new"]), int(counts["corrected"]), int(counts["unchanged"]))
        run(cur, "load_published_metrics")
        if corrected:
            run(cur, "load_published_log", {"user": user, "now": now})
        if new or corrected:
            run(cur, "load_published_delete")
            run(cur, "load_published_insert")
    finally:
        for name in frames:
            try:
                cur.unregister(name)
            except duckdb.Error:
                pass  # an aborted transaction refuses even this; the original error is what matters
    return new, corrected, unchanged

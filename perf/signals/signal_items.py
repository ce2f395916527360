"""Signals found as data arrives: each becomes an item that stays open until someone answers it.

After every load of measure values (an upload, a typed value, ``python -m perf load``) the series
the load touched are charted again in one pass of the batch engine (``perf.spc.batch_points``):
the whole area and each ward the measure is recorded for, phased at its system changes, under the
Making Data Count rules (the app's convention; ``perf.spc_base``). Every run of flagged points is
compared with the items already recorded:

- a run that reaches the series' latest period and overlaps no item is new: an open item;
- a run that overlaps an open item moves that item's periods (a shift grows month by month);
- an open item that no run overlaps any more is closed, saying why (a corrected value, or limits
  worked out again with the new data).

A run that overlaps an answered (closed) item is not raised again: the owner has said what it is.
Everything runs on the load's own cursor, inside its transaction, so the data and the items it
shows are saved together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from perf import spc, store
from perf.analysis.measures import AREA

CONVENTION: spc.RuleSet = "mdc"  # NHS England, Making Data Count: the rules every chart in the app applies
WATCHED_RULES: tuple[str, ...] = spc.RULES[CONVENTION]
_SIGN = {"up": 1, "down": -1, "neutral": 0}
CORRECTED = "Closed when a corrected value removed the signal."
MOVED = "Closed when the limits, worked out again with new data, no longer show the signal."


@dataclass(frozen=True)
class Found:
    """What one look at the data did to the signal items."""

    new: tuple[int, ...] = ()
    extended: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()
    seconds: float = 0.0
    series: int = 0
    points: int = 0
    reasons: dict[int, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """`` 2 new signals; 1 closed by a corrected value.`` (empty when nothing changed)."""
        parts = []
        if self.new:
            parts.append(f"{len(self.new)} new signal{'' if len(self.new) == 1 else 's'}")
        if self.closed:
            parts.append(f"{len(self.closed)} signal{'' if len(self.closed) == 1 else 's'} closed, no longer shown")
        return f" {'; '.join(parts).capitalize()}." if parts else ""


def _scope(measure_ids: Iterable[str] | None) -> dict[str, Any]:
    ids = sorted(set(measure_ids)) if measure_ids is not None else []
    return {"all": measure_ids is None, "measure_ids": ids}


def runs(values: pd.DataFrame, watch: pd.DataFrame) -> pd.DataFrame:
    """Every run of flagged points in every series, one row per run and rule.

    ``values`` has measure_id, locality_id, period_start, value, sorted by series then period;
    ``watch`` has measure_id, improvement and phase_starts (a list of dates). Returns measure_id,
    locality_id, rule, first_period, last_period, side ('high'/'low'), direction
    ('improving'/'concerning'/'neutral') and current (the run reaches the series' latest point).
    Missing values are left out, so they neither break nor extend a run (as on every chart).
    """
    columns = ["measure_id", "locality_id", "rule", "first_period", "last_period", "side", "direction", "current"]
    frame = values[values["value"].notna()].reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    info = watch.set_index("measure_id")
    measure = frame["measure_id"].to_numpy(dtype=object)
    place = frame["locality_id"].to_numpy(dtype=object)
    same_series = np.zeros(len(frame), dtype=bool)
    same_series[1:] = (measure[1:] == measure[:-1]) & (place[1:] == place[:-1])
    sid = np.cumsum(~same_series, dtype=np.int64) - 1
    starts = np.flatnonzero(~same_series)
    if len(set(zip(measure[starts], place[starts], strict=True))) != starts.shape[0]:
        raise ValueError("values must be sorted by measure_id, locality_id and period_start")
    periods = pd.to_datetime(frame["period_start"]).to_numpy()
    phase = np.zeros(len(frame), dtype=np.int64)
    for measure_id, cuts in info["phase_starts"].items():
        if not isinstance(cuts, (list, tuple, np.ndarray)) or len(cuts) == 0:
            continue
        rows = measure == measure_id
        if rows.any():
            cut = np.sort(pd.to_datetime(pd.Series(list(cuts))).to_numpy())
            phase[rows] = np.searchsorted(cut, periods[rows], side="right")
    improvement = info["improvement"].to_dict()
    # one look-up per series, not per point
    series_imp = np.array([str(improvement.get(m, "neutral")) for m in measure[starts]], dtype=object)
    batch = pd.DataFrame(
        {
            "series_id": sid,
            "value": frame["value"].astype(float).to_numpy(),
            "phase": phase,
            "improvement": series_imp[sid],
        }
    )
    points = spc.batch_points(batch, series="series_id", phase="phase", rules=CONVENTION)
    value = batch["value"].to_numpy()
    side = np.sign(value - points["centre"].to_numpy()).astype(np.int64)
    is_last = np.r_[~same_series[1:], True]
    imp = np.array([_SIGN[str(v)] for v in series_imp], dtype=np.int64)[sid]
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = []
    for rule in WATCHED_RULES:
        flag = points[rule].to_numpy(dtype=bool)
        if not flag.any():
            continue
        key = np.zeros(len(frame), dtype=np.int64) if rule == "trend" else side
        joins = np.zeros(len(frame), dtype=bool)
        joins[1:] = flag[1:] & flag[:-1] & same_series[1:] & (key[1:] == key[:-1])
        idx = np.flatnonzero(flag)
        begins = idx[~joins[idx]]
        ends = idx[np.r_[~joins[idx][1:], True]]
        run_side = np.sign(value[ends] - value[begins]).astype(np.int64) if rule == "trend" else side[begins]
        pieces.append((begins, ends, np.where(run_side == 0, 1, run_side), rule))
    if not pieces:
        return pd.DataFrame(columns=columns)
    # one item per run of flagged points on one side: the rules that fired in it are listed together
    begin = np.concatenate([p[0] for p in pieces])
    end = np.concatenate([p[1] for p in pieces])
    run_side = np.concatenate([p[2] for p in pieces])
    rank = np.concatenate([np.full(p[0].shape[0], WATCHED_RULES.index(p[3])) for p in pieces])
    order = np.lexsort((begin, run_side, sid[begin]))
    merged: list[list[Any]] = []  # [begin, end, side, set of rule ranks]
    for b, e, sd, r in zip(
        begin[order].tolist(), end[order].tolist(), run_side[order].tolist(), rank[order].tolist(), strict=True
    ):
        last = merged[-1] if merged else None
        if last is not None and last[2] == sd and sid[last[0]] == sid[b] and b <= last[1] + 1:
            last[1] = max(last[1], e)
            last[3].add(r)
        else:
            merged.append([b, e, sd, {r}])
    b_idx = np.array([m[0] for m in merged], dtype=np.int64)
    e_idx = np.array([m[1] for m in merged], dtype=np.int64)
    m_side = np.array([m[2] for m in merged], dtype=np.int64)
    direction = m_side * imp[b_idx]
    return pd.DataFrame(
        {
            "measure_id": measure[b_idx],
            "locality_id": place[b_idx],
            "rule": [",".join(WATCHED_RULES[r] for r in sorted(m[3])) for m in merged],
            "first_period": pd.to_datetime(periods[b_idx]).date,
            "last_period": pd.to_datetime(periods[e_idx]).date,
            "side": np.where(m_side > 0, "high", "low"),
            "direction": np.where(direction > 0, "improving", np.where(direction < 0, "concerning", "neutral")),
            "current": is_last[e_idx],
        }
    )


def find(
    cur: duckdb.DuckDBPyConnection,
    *,
    user: str,
    now: datetime,
    changed: pd.DataFrame | None = None,
    notified: bool = False,
) -> Found:
    """Look at the series ``changed`` touched (every series when None) and bring the items up to date.

    ``changed`` has measure_id, locality_id and period_start: the rows a load added or corrected.
    A ward's row touches that ward's series and the whole area's; a whole-area row, the whole area's.
    ``notified`` records the new items as already told (the baseline a fresh database starts from).
    """
    import time

    started = time.perf_counter()
    measure_ids = None if changed is None else sorted(set(changed["measure_id"].astype(str)))
    if measure_ids == []:
        return Found()
    scope = _scope(measure_ids)
    store.ensure_schema(cur)  # a database built before signal items gains their tables on its next load
    values = left_out(
        store.run(cur, "signal_series", scope), store.run(cur, "signal_excluded", {**scope, "locality_id": None})
    )
    watch = store.run(cur, "signal_watch", scope)
    known = store.run(cur, "signal_known", scope)
    found = runs(values, watch)
    if changed is not None:
        touched = set(zip(changed["measure_id"].astype(str), changed["locality_id"].astype(str), strict=True))
        touched |= {(m, AREA) for m, _ in touched}
        in_scope = [pair in touched for pair in zip(found["measure_id"], found["locality_id"], strict=True)]
        found = found[np.asarray(in_scope, dtype=bool)] if len(found) else found
        known = known[[pair in touched for pair in zip(known["measure_id"], known["locality_id"], strict=True)]]
        when = _changed_periods(changed)
    else:
        when = {}
    result = _reconcile(cur, found, known, when, user=user, now=now, notified=notified)
    n_series = values.groupby(["measure_id", "locality_id"]).ngroups if len(values) else 0
    return Found(
        result.new,
        result.extended,
        result.closed,
        time.perf_counter() - started,
        n_series,
        int(values["value"].notna().sum()),
        result.reasons,
    )


def left_out(values: pd.DataFrame, excluded: pd.DataFrame) -> pd.DataFrame:
    """The values with those a one-off answer left out of the limits blanked: like a chart's excluded
    points they then shape no limit and no run (they were answered, so raise nothing new)."""
    if excluded.empty or values.empty:
        return values
    out = values.copy()
    days = pd.to_datetime(out["period_start"])
    for m, loc, first, last in zip(
        excluded["measure_id"],
        excluded["locality_id"],
        pd.to_datetime(excluded["first_period"]),
        pd.to_datetime(excluded["last_period"]),
        strict=True,
    ):
        hit = (out["measure_id"] == m) & (out["locality_id"] == loc) & (days >= first) & (days <= last)
        out.loc[hit, "value"] = np.nan
    return out


def _changed_periods(changed: pd.DataFrame) -> dict[tuple[str, str], set[date]]:
    """The periods each series had a value added or corrected in (a ward's change is the area's too)."""
    out: dict[tuple[str, str], set[date]] = {}
    for m, loc, p in zip(
        changed["measure_id"].astype(str),
        changed["locality_id"].astype(str),
        pd.to_datetime(changed["period_start"]).dt.date,
        strict=True,
    ):
        out.setdefault((m, loc), set()).add(p)
        out.setdefault((m, AREA), set()).add(p)
    return out


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()


def _reconcile(
    cur: duckdb.DuckDBPyConnection,
    found: pd.DataFrame,
    known: pd.DataFrame,
    changed: dict[tuple[str, str], set[date]],
    *,
    user: str,
    now: datetime,
    notified: bool,
) -> Found:
    items: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in known.to_dict("records"):
        row: dict[str, Any] = {str(k): v for k, v in record.items()}
        row["first_period"], row["last_period"] = _day(row["first_period"]), _day(row["last_period"])
        items.setdefault((row["measure_id"], row["locality_id"], row["side"]), []).append(row)
    still: set[int] = set()
    new: list[int] = []
    extended: list[int] = []
    for run in found.to_dict("records"):
        key = (run["measure_id"], run["locality_id"], run["side"])
        first, last = run["first_period"], run["last_period"]
        overlapping = [i for i in items.get(key, []) if i["first_period"] <= last and i["last_period"] >= first]
        for item in overlapping:
            still.add(int(item["signal_id"]))
            if item["status"] == "open" and (item["first_period"], item["last_period"], item["rule"]) != (
                first,
                last,
                run["rule"],
            ):
                store.run(
                    cur,
                    "signal_extend",
                    {
                        "signal_id": int(item["signal_id"]),
                        "rule": run["rule"],
                        "first_period": first,
                        "last_period": last,
                    },
                )
                extended.append(int(item["signal_id"]))
        if overlapping or not run["current"]:
            continue
        inserted = store.run(
            cur,
            "signal_insert",
            {
                "measure_id": run["measure_id"],
                "locality_id": run["locality_id"],
                "rule": run["rule"],
                "first_period": first,
                "last_period": last,
                "direction": run["direction"],
                "side": run["side"],
                "found_at": now,
                "found_by": user,
                "notified_at": now if notified else None,
            },
        )
        if not inserted.empty:
            new.append(int(inserted["signal_id"].iloc[0]))
    closed: list[int] = []
    reasons: dict[int, str] = {}
    for group in items.values():
        for item in group:
            sid = int(item["signal_id"])
            if item["status"] != "open" or sid in still:
                continue
            days = changed.get((item["measure_id"], item["locality_id"]), set())
            reason = CORRECTED if any(item["first_period"] <= d <= item["last_period"] for d in days) else MOVED
            store.run(cur, "signal_close", {"signal_id": sid, "now": now, "user": user, "reason": reason})
            closed.append(sid)
            reasons[sid] = reason
    return Found(tuple(new), tuple(extended), tuple(closed), reasons=reasons)

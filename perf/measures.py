"""The measure catalogue and each measure's values over time, for a place.

Pages ask for a measure's series here; perf.spc then says what the variation means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd

from perf import store

AREA = "ALL"  # the locality row that stands for the whole area
FREQUENCY_WORDS = {"week": "week", "month": "month", "quarter": "quarter"}


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Dataset facts (name, illustrative flag, attribution, build time) as a dict."""
    frame = store.query(con, "meta")
    return dict(zip(frame["key"], frame["value"], strict=True))


def is_illustrative(con: duckdb.DuckDBPyConnection) -> bool:
    """True while the embedded sample data is in use, so every page can say so."""
    return meta(con).get("dataset", "").lower() == "illustrative"


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and str(value).strip() != ""


def provenance(measure: Mapping[str, Any]) -> str:
    """Whether a measure's figures are real or made up, in the words every page, pack and export shows.

    'Real data: mySociety / FixMyStreet (ODC-By 1.0)' for real published figures; 'Illustrative data'
    for the sample's made-up ones; '' for a council's own figures (no source row, not illustrative).
    """
    if not bool(measure.get("is_real", True)):
        return "Illustrative data"
    if _given(measure.get("source_name")):
        licence = f" ({measure['source_licence']})" if _given(measure.get("source_licence")) else ""
        return f"Real data: {measure['source_name']}{licence}"
    return ""


def attribution(measure: Mapping[str, Any]) -> str:
    """The source's attribution sentence for a real published measure, else ''."""
    text = measure.get("source_attribution")
    return str(text) if bool(measure.get("is_real", True)) and _given(text) else ""


def purposes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return store.query(con, "purposes")


def localities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return store.query(con, "localities")


def catalogue(con: duckdb.DuckDBPyConnection, *, public_only: bool = False) -> pd.DataFrame:
    """Every measure with its purpose and strategic purpose; the public see published ones only."""
    return store.query(con, "measures", {"public_only": public_only})


def series(
    con: duckdb.DuckDBPyConnection, measure_ids: str | Sequence[str], locality_id: str = AREA
) -> pd.DataFrame:
    """Values per period for one or more measures in a place, rolled up from wards when needed.

    Columns: measure_id, period_start, value, numerator, denominator, parts.
    """
    ids = [measure_ids] if isinstance(measure_ids, str) else list(measure_ids)
    frame = store.query(con, "measure_series", {"measure_ids": ids, "locality_id": locality_id})
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def ward_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, locality_id: str = AREA, kind: str = "ward"
) -> pd.DataFrame:
    """One measure for each ward (or locality) under a place: the data for small multiples."""
    frame = store.query(
        con, "ward_values", {"measure_id": measure_id, "locality_id": locality_id, "kind": kind}
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def phases(con: duckdb.DuckDBPyConnection, measure_id: str | None = None, *,
           public_only: bool = False) -> pd.DataFrame:
    """Recorded system changes; ``public_only`` keeps published measures' only (see perf.public)."""
    frame = store.query(con, "phases", {"measure_id": measure_id, "public_only": public_only})
    frame["starts_on"] = pd.to_datetime(frame["starts_on"])
    return frame


def commentary(
    con: duckdb.DuckDBPyConnection, measure_id: str, *, public_only: bool = False
) -> pd.DataFrame:
    return store.query(con, "commentary_for_measure", {"measure_id": measure_id, "public_only": public_only})


def phase_positions(dates: pd.Series, starts: Sequence[pd.Timestamp]) -> list[int]:
    """Positions in ``dates`` where each phase begins (the first period on or after its start)."""
    values = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    out: list[int] = []
    for start in sorted(starts):
        later = values.index[values >= pd.Timestamp(start)]
        if len(later) and 0 < int(later[0]) and int(later[0]) not in out:
            out.append(int(later[0]))
    return out


def phase_labels(dates: pd.Series, phase_rows: pd.DataFrame) -> tuple[list[int], dict[int, str]]:
    """Where each recorded phase starts in ``dates``, and the label of each phase drawn (1, 2, ...).

    A change on the first period or beyond the data draws no phase, so labels are paired with the
    positions kept, not with the rows recorded (pairing by row shifted every label by one).
    """
    found: dict[int, str] = {}
    for _, row in phase_rows.sort_values("starts_on").iterrows():
        pos = phase_positions(dates, [row["starts_on"]])
        if pos and pos[0] not in found:
            found[pos[0]] = str(row["label"])
    positions = sorted(found)
    return positions, {i + 1: found[p] for i, p in enumerate(positions)}

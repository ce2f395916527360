"""The measure catalogue and each measure's values over time, for a place.

Pages ask for a measure's series here; perf.spc then says what the variation means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import duckdb
import pandas as pd

from perf import store

AREA = "ALL"  # the locality row that stands for the whole area
FREQUENCY_WORDS = {"week": "week", "month": "month", "quarter": "quarter"}

Frequency = Literal["week", "month", "quarter"]
Improvement = Literal["up", "down", "neutral"]
Aggregation = Literal["sum", "mean", "ratio"]
DQ_FIELDS = {  # the data-quality dimensions the measure table records (Audit Commission, 2007)
    "dq_relevant": "Relevant",
    "dq_well_defined": "Well defined",
    "dq_timely": "Timely",
    "dq_reliable": "Reliable",
    "dq_verifiable": "Verifiable",
    "dq_accurate": "Accurate",
}


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _optional(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    return None if _missing(value) else str(value)


def _when(row: Mapping[str, Any], key: str) -> pd.Timestamp | None:
    value: Any = row.get(key)
    return None if _missing(value) else pd.Timestamp(value)


@dataclass(frozen=True)
class Measure:
    """One measure of the catalogue (:func:`catalogue`), typed once where it is read.

    Pages, packs and the Overview read ``m.unit``, ``m.frequency``... rather than casting a pandas
    row's cells again at each use. ``facts`` keeps the whole row for the sentence engine
    (:mod:`perf.words.narrative`), which reads a measure as a mapping.

    Example
    -------
    >>> m = Measure.from_row({"measure_id": "M1", "name": "Calls", "unit": "calls", "frequency": "month",
    ...     "improvement": "down", "target": float("nan"), "decimals": 0})
    >>> m.measure_id, m.frequency, m.target, m.aggregation, m.provenance
    ('M1', 'month', None, 'sum', '')
    """

    measure_id: str
    name: str
    unit: str
    frequency: Frequency
    improvement: Improvement
    aggregation: Aggregation = "sum"
    decimals: int = 0
    target: float | None = None
    kind: str = ""
    purpose_id: str = ""
    purpose_name: str = ""
    strategic_purpose_id: str = ""
    strategic_purpose_name: str = ""
    portfolio: str | None = None
    owner: str | None = None
    definition: str | None = None
    source: str | None = None
    published: bool = True
    is_real: bool = True
    by_locality: bool = False
    latest_period: pd.Timestamp | None = None
    last_entered: pd.Timestamp | None = None
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | pd.Series) -> Measure:
        """A measure from a catalogue row (a pandas row indexed by measure id keeps its id as ``name``)."""
        facts: dict[str, Any] = {str(k): v for k, v in row.items()}
        if "measure_id" not in facts and isinstance(row, pd.Series):
            facts["measure_id"] = row.name
        target: Any = facts.get("target")
        return cls(
            measure_id=str(facts["measure_id"]),
            name=str(facts["name"]),
            unit=str(facts.get("unit") or ""),
            frequency=cast(Frequency, str(facts["frequency"])),
            improvement=cast(Improvement, str(facts["improvement"])),
            aggregation=cast(Aggregation, str(facts.get("aggregation") or "sum")),
            decimals=0 if _missing(facts.get("decimals")) else int(facts["decimals"]),
            target=None if _missing(target) else float(target),
            kind=str(facts.get("kind") or ""),
            purpose_id=str(facts.get("purpose_id") or ""),
            purpose_name=str(facts.get("purpose_name") or ""),
            strategic_purpose_id=str(facts.get("strategic_purpose_id") or ""),
            strategic_purpose_name=str(facts.get("strategic_purpose_name") or ""),
            portfolio=_optional(facts, "portfolio"),
            owner=_optional(facts, "owner"),
            definition=_optional(facts, "definition"),
            source=_optional(facts, "source"),
            published=bool(facts.get("published", True)),
            is_real=bool(facts.get("is_real", True)),
            by_locality=bool(facts.get("by_locality", False)),
            latest_period=_when(facts, "latest_period"),
            last_entered=_when(facts, "last_entered"),
            facts=facts,
        )

    @property
    def target_is_area_total(self) -> bool:
        """True when the target is a total for the whole area: a summed measure (a count of contacts, say),
        whose ward values are parts of that total, so the target means nothing on a ward's chart. A mean or
        a ratio (days, a percentage) is on the same scale in a ward as in the whole area."""
        return self.target is not None and self.aggregation == "sum"

    def target_at(self, locality_id: str) -> float | None:
        """The target to draw and judge against on this measure's chart in ``locality_id``: none on a ward's
        (or locality's) chart when the target is a whole-area total (:attr:`target_is_area_total`).

        Example
        -------
        >>> calls = Measure("M1", "Calls", "calls", "month", "down", aggregation="sum", target=500.0)
        >>> on_time = Measure("M2", "On time", "%", "month", "up", aggregation="ratio", target=95.0)
        >>> calls.target_at(AREA), calls.target_at("W1"), on_time.target_at("W1")
        (500.0, None, 95.0)
        """
        return None if locality_id != AREA and self.target_is_area_total else self.target

    @property
    def provenance(self) -> str:
        """Real or illustrative, and whose (:func:`provenance`)."""
        return provenance(self.facts)

    @property
    def attribution(self) -> str:
        """The source's attribution sentence for real published figures, else '' (:func:`attribution`)."""
        return attribution(self.facts)

    @property
    def quality(self) -> tuple[tuple[str, str], ...]:
        """The data-quality notes recorded, as (criterion, note) pairs; criteria without a note left out."""
        return tuple((label, str(self.facts[key])) for key, label in DQ_FIELDS.items() if _given(self.facts.get(key)))

    @property
    def quality_notes(self) -> tuple[tuple[str, str], ...]:
        """Every data-quality criterion with its note, '—' where none is recorded (the table a measure's page shows)."""
        return tuple(
            (label, str(self.facts[key]) if _given(self.facts.get(key)) else "—") for key, label in DQ_FIELDS.items()
        )

    def words(self, **override: Any) -> dict[str, Any]:
        """The measure as the sentence engine reads it (:mod:`perf.words.narrative`), e.g. shown by quarter."""
        return {**self.facts, **override}


def measure_list(frame: pd.DataFrame) -> list[Measure]:
    """Every row of a catalogue frame as a :class:`Measure`, in order."""
    return [Measure.from_row(row) for _, row in frame.iterrows()]


def measure_of(frame: pd.DataFrame, measure_id: str) -> Measure:
    """The catalogue row of ``measure_id`` as a :class:`Measure` (KeyError naming it when absent)."""
    rows = frame[frame["measure_id"] == measure_id]
    if rows.empty:
        raise KeyError(f"measure {measure_id!r} is not in the catalogue")
    return Measure.from_row(rows.iloc[0])


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Dataset facts (name, illustrative flag, attribution, build time) as a dict."""
    frame = store.query(con, "meta")
    return dict(zip(frame["key"], frame["value"], strict=True))


def is_illustrative(con: duckdb.DuckDBPyConnection) -> bool:
    """True while the embedded sample data is in use, so every page can say so."""
    return meta(con).get("dataset", "").lower() == "illustrative"


def dataset_banner(meta: Mapping[str, str]) -> tuple[str, str] | None:
    """The banner over every page of an illustrative dataset, in the app and the static site alike:
    (its bold lead, the rest). None for a council's own figures. With real published figures beside
    the made-up ones (``meta['real_data']`` names them), it says which is which.

    >>> dataset_banner({"dataset": "illustrative"})[0], dataset_banner({"dataset": "council"})
    ('Illustrative data.', None)
    """
    if meta.get("dataset", "").lower() != "illustrative":
        return None
    if meta.get("real_data"):
        return (
            "Illustrative data, with some real.",
            "Figures not marked otherwise are made up to show how Outside-In works (ward names and council "
            "totals are real). " + meta["real_data"],
        )
    return (
        "Illustrative data.",
        "These figures are made up to show how Outside-In works; ward names and council totals are real, "
        "everything else is not.",
    )


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


def series(con: duckdb.DuckDBPyConnection, measure_ids: str | Sequence[str], locality_id: str = AREA) -> pd.DataFrame:
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
    frame = store.query(con, "ward_values", {"measure_id": measure_id, "locality_id": locality_id, "kind": kind})
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def phases(con: duckdb.DuckDBPyConnection, measure_id: str | None = None, *, public_only: bool = False) -> pd.DataFrame:
    """Recorded system changes; ``public_only`` keeps published measures' only (see perf.access.public)."""
    frame = store.query(con, "phases", {"measure_id": measure_id, "public_only": public_only})
    frame["starts_on"] = pd.to_datetime(frame["starts_on"])
    return frame


def commentary(con: duckdb.DuckDBPyConnection, measure_id: str, *, public_only: bool = False) -> pd.DataFrame:
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

"""Cached queries and drawings for the Similar councils page (ui.db.cached_query: keyed on the data version)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from perf.analysis import similar
from perf.output import export
from ui.db import cached_query, cached_result

Con = duckdb.DuckDBPyConnection


@cached_query(4)
def metrics(con: Con) -> pd.DataFrame:
    try:
        return similar.metrics(con)
    except duckdb.CatalogException:  # a database built before published figures: the page says how to add them
        return pd.DataFrame()


@cached_query(4)
def areas(con: Con) -> pd.DataFrame:
    try:
        return similar.areas(con)
    except duckdb.CatalogException:
        return pd.DataFrame()


@cached_query(64)
def group(con: Con, code: str, basis: str, same_tier: bool) -> list[str]:
    return similar.group(con, code, basis=basis, same_tier=same_tier)


@cached_query(32)
def comparison(con: Con, metric_id: str, codes: tuple[str, ...], since: str | None = None) -> similar.Comparison:
    return similar.compare(con, metric_id, list(codes), since=None if since is None else pd.Timestamp(since))


@dataclass(frozen=True)
class Drawn:
    """What the page shows for a comparison, made once per comparison and data version."""

    panels: list[str]  # each council's panel (HTML), the chosen one first
    figures: pd.DataFrame  # the numbers behind the charts
    csv: bytes  # the figures as the CSV download (the upload format, formulas guarded)


@cached_result(32)
def drawn(metric_id: str, codes: tuple[str, ...], since: str | None = None) -> Drawn:
    """Panels, table and CSV for a comparison: a rerun that changes nothing here redraws nothing."""
    result = comparison(metric_id, codes, since)
    figures = similar.figures(result)
    return Drawn(similar.panels(result), figures, export.to_csv_bytes(figures))

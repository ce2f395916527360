"""Cached queries and drawings for the Similar councils page (ui.db.cached_query: keyed on the data version)."""

from __future__ import annotations

import duckdb
import pandas as pd

from perf.analysis import similar
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
def comparison(con: Con, metric_id: str, codes: tuple[str, ...]) -> similar.Comparison:
    return similar.compare(con, metric_id, list(codes))


@cached_result(32)
def panels(result: similar.Comparison) -> list[str]:
    """Each council's panel, the chosen one first (drawn once per comparison and data version)."""
    return similar.panels(result)

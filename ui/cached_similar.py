"""Cached queries and drawings for the Similar councils page (ui.db.cached_query: keyed on the data version)."""

from __future__ import annotations

import html

import duckdb
import numpy as np
import pandas as pd

from perf import narrative, similar, svg
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


def _panel(one: pd.DataFrame, band: pd.DataFrame, *, title: str, sentence: str, frequency: str, chosen: bool) -> str:
    """One council's small chart with the group's band behind it, and its sentence under it."""
    low = one["period_start"].map(band["low"]).to_numpy(dtype=float)
    high = one["period_start"].map(band["high"]).to_numpy(dtype=float)
    own = pd.concat([one["value"], one["upper"], one["lower"].clip(lower=0)]).astype(float)
    every = np.concatenate([own.dropna().to_numpy(), low[np.isfinite(low)], high[np.isfinite(high)]])
    dates = pd.to_datetime(one["period_start"])
    first, last = (narrative.period_label(dates.iloc[i], frequency) for i in (0, -1))
    width, height = (640, 170) if chosen else (250, 104)
    chart = svg.small_control_chart(one, title=title, width=width, height=height, band=(low, high),
                                    y_range=(max(float(every.min()), 0.0), float(every.max())),
                                    x_labels=(first, last))
    border = "3px solid #1F3A5F" if chosen else "1px solid #C9CCD1"
    label = "<p style='margin:0;font-weight:700;color:#1F3A5F'>Chosen council</p>" if chosen else ""
    return (f"<div class='oi-similar{' oi-chosen' if chosen else ''}' style='border:{border};border-radius:6px;"
            f"padding:6px 8px;width:{width + 18}px;box-sizing:border-box'>{label}{chart}"
            f"<p style='margin:.2rem 0 0;font-size:.85rem;line-height:1.25'>{html.escape(sentence)}</p></div>")


@cached_result(32)
def panels(result: similar.Comparison) -> list[str]:
    """Each council's panel, the chosen one first (drawn once per comparison and data version)."""
    band = result.band.set_index("period_start")
    out = []
    for i, code in enumerate(result.codes):
        one = result.points[result.points["area_code"] == code].reset_index(drop=True)
        out.append(_panel(one, band, title=result.names.get(code, code), sentence=result.sentences.get(code, ""),
                          frequency=result.frequency, chosen=i == 0))
    return out

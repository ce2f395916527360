"""st.cache_data wrappers over perf: every query keyed on its filters and the data version."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from perf import measures, spc
from ui.db import data_version, reading


@st.cache_data(show_spinner=False, max_entries=8)
def _meta(version: int) -> dict[str, str]:
    with reading() as con:
        return measures.meta(con)


def meta() -> dict[str, str]:
    return _meta(data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _purposes(version: int) -> pd.DataFrame:
    with reading() as con:
        return measures.purposes(con)


def purposes() -> pd.DataFrame:
    return _purposes(data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _localities(version: int) -> pd.DataFrame:
    with reading() as con:
        return measures.localities(con)


def localities() -> pd.DataFrame:
    return _localities(data_version())


_LABELS: dict[int, dict[str, str]] = {}


def locality_labels(label: "Callable[[pd.Series], str]") -> dict[str, str]:
    """Locality id -> label, built once per data version (pages ask for it once per link)."""
    version = data_version()
    if version not in _LABELS:
        frame = localities()
        _LABELS.clear()
        _LABELS[version] = {str(row["locality_id"]): label(row) for _, row in frame.iterrows()}
    return _LABELS[version]


@st.cache_data(show_spinner=False, max_entries=16)
def _catalogue(version: int, public_only: bool) -> pd.DataFrame:
    with reading() as con:
        return measures.catalogue(con, public_only=public_only)


def catalogue(public_only: bool) -> pd.DataFrame:
    return _catalogue(data_version(), public_only)


@st.cache_data(show_spinner=False, max_entries=256)
def _series(version: int, measure_ids: tuple[str, ...], locality_id: str) -> pd.DataFrame:
    with reading() as con:
        return measures.series(con, measure_ids, locality_id)


def series(measure_ids: tuple[str, ...] | str, locality_id: str) -> pd.DataFrame:
    ids = (measure_ids,) if isinstance(measure_ids, str) else tuple(measure_ids)
    return _series(data_version(), ids, locality_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _phases(version: int, measure_id: str | None) -> pd.DataFrame:
    with reading() as con:
        return measures.phases(con, measure_id)


def phases(measure_id: str | None = None) -> pd.DataFrame:
    return _phases(data_version(), measure_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _commentary(version: int, measure_id: str, public_only: bool) -> pd.DataFrame:
    with reading() as con:
        return measures.commentary(con, measure_id, public_only=public_only)


def commentary(measure_id: str, public_only: bool) -> pd.DataFrame:
    return _commentary(data_version(), measure_id, public_only)


@st.cache_data(show_spinner=False, max_entries=256)
def _ward_values(version: int, measure_id: str, locality_id: str, kind: str) -> pd.DataFrame:
    with reading() as con:
        return measures.ward_values(con, measure_id, locality_id, kind)


def ward_values(measure_id: str, locality_id: str, kind: str = "ward") -> pd.DataFrame:
    return _ward_values(data_version(), measure_id, locality_id, kind)


@st.cache_data(show_spinner=False, max_entries=512)
def xmr_for(
    values: tuple[float, ...], phase_starts: tuple[int, ...], improvement: str, target: float | None
) -> spc.Chart:
    """The control chart of a series: cached on the numbers themselves."""
    return spc.xmr(list(values), phase_starts=phase_starts, improvement=improvement, target=target)


@st.cache_data(show_spinner=False, max_entries=64)
def _status(version: int, public_only: bool, locality_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from perf import status

    with reading() as con:
        cat = measures.catalogue(con, public_only=public_only)
        ids = list(cat["measure_id"])
        values = measures.series(con, ids, locality_id)
        values["whole_area"] = False
        missing = sorted(set(ids) - set(values["measure_id"]))
        if missing and locality_id != measures.AREA:
            values = pd.concat([values, measures.series(con, missing, measures.AREA).assign(whole_area=True)],
                               ignore_index=True)
        phase_rows = measures.phases(con)
    return status.latest(values, cat, phase_rows), values


def status(public_only: bool, locality_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every measure's latest status in a place (whole-area figures where not recorded by ward), and the values."""
    return _status(data_version(), public_only, locality_id)

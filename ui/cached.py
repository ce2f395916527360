"""Cached queries over perf: each keyed on its filters and the data version (ui.db.cached_query)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
import streamlit as st

from perf import spc
from perf.access import public
from perf.analysis import measures
from perf.store import FIGURES
from ui.db import cached_query, data_version

Con = duckdb.DuckDBPyConnection


@cached_query(8, reads=FIGURES)
def meta(con: Con) -> dict[str, str]:
    return measures.meta(con)


@cached_query(8, reads=FIGURES)
def purposes(con: Con) -> pd.DataFrame:
    return measures.purposes(con)


@cached_query(8, reads=FIGURES)
def localities(con: Con) -> pd.DataFrame:
    return measures.localities(con)


_BUILT: dict[tuple[object, ...], dict[str, str]] = {}


def _once_per_version(key: tuple[object, ...], build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """A lookup built once per data version: pages ask for these once per tile or per link."""
    full = (data_version(FIGURES), *key)
    if full not in _BUILT:
        if len(_BUILT) > 16:
            _BUILT.clear()
        _BUILT[full] = build()
    return _BUILT[full]


def locality_labels(label: Callable[[pd.Series], str]) -> dict[str, str]:
    """Locality id -> label."""
    return _once_per_version(
        ("localities", label), lambda: {str(row["locality_id"]): label(row) for _, row in localities().iterrows()}
    )


@cached_query(16, reads=FIGURES)
def catalogue(con: Con, public_only: bool) -> pd.DataFrame:
    """The measures this audience may see (perf.access.public: published only, owners as roles, for the public)."""
    return public.catalogue(con, public.audience_for(public_only))


def measure_names(public_only: bool) -> dict[str, str]:
    """Measure id -> name."""

    def build() -> dict[str, str]:
        cat = catalogue(public_only)
        return dict(zip(cat["measure_id"], cat["name"], strict=True))

    return _once_per_version(("measures", public_only), build)


@cached_query(256, reads=FIGURES)
def _series(con: Con, measure_ids: tuple[str, ...], locality_id: str, public_only: bool) -> pd.DataFrame:
    return public.series(con, measure_ids, locality_id, public.audience_for(public_only))


def series(measure_ids: tuple[str, ...] | str, locality_id: str, public_only: bool) -> pd.DataFrame:
    """Values per period in a place, with ``suppressed``: in the public view small counts are hidden."""
    return _series((measure_ids,) if isinstance(measure_ids, str) else tuple(measure_ids), locality_id, public_only)


@cached_query(64, reads=FIGURES)
def phases(con: Con, measure_id: str | None, public_only: bool) -> pd.DataFrame:
    return public.phases(con, public.audience_for(public_only), measure_id)


@cached_query(64)
def commentary(con: Con, measure_id: str, public_only: bool) -> pd.DataFrame:
    return public.commentary(con, measure_id, public.audience_for(public_only))


@cached_query(64)
def reviews(con: Con, measure_id: str, public_only: bool) -> pd.DataFrame:
    return public.reviews(con, measure_id, public.audience_for(public_only))


@cached_query(256, reads=FIGURES)
def area_values(con: Con, measure_id: str, locality_id: str, kind: str, public_only: bool) -> pd.DataFrame:
    return public.area_values(con, measure_id, locality_id, kind, public.audience_for(public_only))


@cached_query(64, reads=FIGURES)
def demographics(con: Con, locality_id: str) -> pd.DataFrame:
    from perf.analysis import places

    return places.demographics(con, locality_id)


@st.cache_data(show_spinner=False, max_entries=512)
def xmr_for(
    values: tuple[float, ...],
    phase_starts: tuple[int, ...],
    improvement: measures.Improvement,
    target: float | None,
    exclude: tuple[int, ...] = (),
) -> spc.Chart:
    """The control chart of a series: cached on the numbers themselves (``exclude``: positions a one-off
    answer left out of the limits)."""
    return spc.xmr(
        list(values), phase_starts=phase_starts, improvement=improvement, target=target, exclude=list(exclude)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def area_charts(shown: pd.DataFrame, improvement: measures.Improvement) -> tuple[pd.DataFrame, list[str]]:
    """Each area's control chart and its small SVG panel, cached on the values shown.

    Forty areas' limits and drawings take the By locality page a third of a second; hashing the
    few thousand values they come from takes a few milliseconds.
    """
    from perf.analysis import places
    from perf.drawing import svg

    multiples = places.small_multiples(shown, improvement=improvement)
    panels = [
        svg.small_control_chart(group, title=str(name)) for name, group in multiples.groupby("locality_name", sort=True)
    ]
    return multiples, panels


@cached_query(64, reads=FIGURES)
def status(con: Con, public_only: bool, locality_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every measure's latest status in a place (whole-area figures where not recorded by ward), and the values."""
    from perf.signals import signal_answers
    from perf.output import status as latest

    audience = public.audience_for(public_only)
    cat = public.catalogue(con, audience)
    ids = list(cat["measure_id"])
    values = public.series(con, ids, locality_id, audience)
    values["whole_area"] = False
    missing = sorted(set(ids) - set(values["measure_id"]))
    if missing and locality_id != measures.AREA:
        values = pd.concat(
            [values, public.series(con, missing, measures.AREA, audience).assign(whole_area=True)], ignore_index=True
        )
    # one-off points answered "leave out of the limits", in the place whose figures each tile shows
    spans = signal_answers.all_excluded(con)
    shown_at = values.drop_duplicates("measure_id").set_index("measure_id")["whole_area"]
    place = spans["measure_id"].map(shown_at).map({True: measures.AREA, False: locality_id})
    return latest.latest(values, cat, public.phases(con, audience), spans[spans["locality_id"] == place]), values

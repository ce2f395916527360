"""The shared sidebar filters (purpose, locality, period), kept in the URL so a link reproduces a view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
import streamlit as st

from perf import periods
from perf.analysis import measures
from perf.analysis.measures import Frequency
from perf.words import text
from perf.config import public_mode
from ui import auth, cached

ALL_PURPOSES = "all"
PERIODS = {"12m": "Last 12 months", "2y": "Last 2 years", "3y": "Last 3 years", "all": "All time"}
DEFAULT_PERIOD = "3y"  # what the sidebar opens with (ui.cached_demand warms the public pages' rules for it)
# Selectors carry their labels in the URL (?period=All+time), so labels are kept short and stable.
PERIOD_MONTHS = periods.RANGE_MONTHS
ShowBy = Literal["recorded", "month", "quarter", "year"]  # the sidebar's "Show by"
GRANULARITIES: dict[ShowBy, str] = {"recorded": "As recorded", "month": "Month", "quarter": "Quarter", "year": "Year"}
YEAR_STARTS: dict[periods.YearStart, str] = {"financial": "Financial", "calendar": "Calendar"}


@dataclass(frozen=True)
class Scope:
    """What the user is looking at: passed from the sidebar to every page."""

    purpose_id: str
    purpose_name: str
    locality_id: str
    locality_name: str
    locality_kind: str
    period: str
    public_only: bool
    granularity: ShowBy = "recorded"
    year_start: periods.YearStart = "financial"

    @property
    def period_label(self) -> str:
        return PERIODS[self.period]

    def since(self, latest: pd.Timestamp) -> pd.Timestamp | None:
        """The first period to show, counted back from the latest data."""
        return periods.range_start(PERIOD_MONTHS[self.period], latest)


def _locality_label(row: pd.Series) -> str:
    if row["kind"] == "council":
        return f"{row['name']} (council)"
    if row["kind"] == "locality":
        return f"{row['name']} (locality)"
    return str(row["name"])


def locality_labels() -> dict[str, str]:
    """Locality id -> the label the selector shows (and the URL carries)."""
    return cached.locality_labels(_locality_label)


def measure_labels(public_only: bool) -> dict[str, str]:
    """Measure id -> its name, which the URL carries so a shared link reads plainly."""
    return cached.measure_names(public_only)


def link_params(scope: Scope, *, measure_id: str | None = None) -> dict[str, str]:
    """Query parameters that open another page on the same view (URLs carry the labels)."""
    params = {
        "locality": locality_labels()[scope.locality_id],
        "period": PERIODS[scope.period],
        "by": GRANULARITIES[scope.granularity],
        "year": YEAR_STARTS[scope.year_start],
    }
    if scope.purpose_id != ALL_PURPOSES:
        params["purpose"] = scope.purpose_name
    if measure_id is not None:
        params["measure"] = measure_labels(scope.public_only)[measure_id]
    return params


def shown_by(scope: Scope, frequency: Frequency) -> periods.Granularity:
    """The granularity to draw a measure at: the chosen one, or as recorded when that is finer."""
    if scope.granularity == "recorded" or scope.granularity not in periods.choices(frequency):
        return frequency
    return scope.granularity


def choose_measure(scope: Scope, catalogue: pd.DataFrame) -> str | None:
    """The page-level measure selector, bound to the URL as ?measure=<name>."""
    if catalogue.empty:
        return None
    names = dict(zip(catalogue["measure_id"], catalogue["name"], strict=True))
    asked = st.query_params.get("measure")
    choice = st.selectbox("Measure", list(names), format_func=names.__getitem__, key="measure", bind="query-params")
    if asked and asked not in names.values():
        # a link to a measure this view can't show: say so rather than quietly showing another
        why = "is not published" if scope.public_only else "is not under this purpose, or no longer exists"
        # the name from the link is not repeated: the page shows nothing of a measure it may not show
        st.info(f"The measure in the link {why}, so this page shows {text.markdown(names[str(choice)])} instead.")
    return str(choice) if choice is not None else None


def author(name: object, scope: Scope) -> str:
    """Who wrote a note: named for officers, 'Council officer' in the public view (as in the partner data)."""
    return "Council officer" if scope.public_only else str(name)


def sidebar() -> Scope:
    """Draw the shared filters in the sidebar and return the chosen scope."""
    purposes = cached.purposes()
    strategic = purposes[purposes["kind"] == "strategic"]
    purpose_names = {ALL_PURPOSES: "All purposes", **dict(zip(strategic["purpose_id"], strategic["name"], strict=True))}
    localities = cached.localities()
    labels = locality_labels()
    kinds = dict(zip(localities["locality_id"], localities["kind"], strict=True))
    with st.sidebar:
        st.markdown("### Filters")
        purpose_id = st.selectbox(
            "Purpose", list(purpose_names), format_func=purpose_names.__getitem__, key="purpose", bind="query-params"
        )
        locality_id = st.selectbox(
            "Locality",
            list(labels),
            format_func=labels.__getitem__,
            key="locality",
            bind="query-params",
            help="The whole area, a council, a locality or a ward. "
            "Measures recorded for wards are added up for larger areas.",
        )
        period = st.selectbox(
            "Period",
            list(PERIODS),
            index=list(PERIODS).index(DEFAULT_PERIOD),
            format_func=PERIODS.__getitem__,
            key="period",
            bind="query-params",
        )
        granularity = st.selectbox(
            "Show by",
            list(GRANULARITIES),
            format_func=GRANULARITIES.__getitem__,
            key="by",
            bind="query-params",
            help="Weekly and monthly figures can be added up to months, quarters or "
            "years. Unfinished periods are left out.",
        )
        year_start = st.selectbox(
            "Years",
            list(YEAR_STARTS),
            format_func=YEAR_STARTS.__getitem__,
            key="year",
            bind="query-params",
            help="Financial years run April to March; calendar years January to December.",
        )
        data_to = cached.meta().get("data_to")
        if data_to:
            st.caption(f"Data up to {pd.Timestamp(data_to):%d %b %Y}. Each chart says its latest period.")
    # Visitors see what the public view shows: published measures and public commentary only.
    public_only = public_mode() or auth.role() == "public"
    return Scope(
        purpose_id=str(purpose_id),
        purpose_name=purpose_names[purpose_id],
        locality_id=str(locality_id or measures.AREA),
        locality_name=labels.get(locality_id, "the whole area"),
        locality_kind=kinds.get(locality_id, "area"),
        period=str(period),
        public_only=public_only,
        granularity=granularity or "recorded",
        year_start=year_start or "financial",
    )


def current() -> Scope:
    """The scope chosen in app.py's sidebar for this run."""
    scope = st.session_state.get("_scope")
    if not isinstance(scope, Scope):
        scope = sidebar()
    return scope

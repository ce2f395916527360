"""Locality: one measure across wards and localities — small multiples, a tile map, the people there."""

from __future__ import annotations

import streamlit as st

from perf.access import public
from perf.analysis import measures, places
from perf.drawing import svg
from perf.words import text
from ui import cached, draw, filters, icons

scope = filters.current()
st.title("By locality")
st.caption(
    f"{text.markdown(scope.locality_name)} · {scope.period_label}. Each area is read against its own variation: "
    "this page compares places side by side and never ranks them."
)
catalogue = cached.catalogue(scope.public_only)
catalogue = catalogue[catalogue["by_locality"]]
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
measure_id = filters.choose_measure(scope, catalogue)
if measure_id is None:
    st.info("No measures for this purpose are recorded by ward.")
    st.stop()
m = measures.measure_of(catalogue, measure_id)
level = st.segmented_control(
    "Compare", ["Wards", "Localities"], default="Wards", key="level", bind="query-params", required=True
)
kind = "ward" if level == "Wards" else "locality"
root = scope.locality_id if scope.locality_kind in {"area", "council", "locality"} else measures.AREA

# wards or localities as perf.access.public gives them: in the public view small counts are hidden
values = cached.area_values(measure_id, root, kind, scope.public_only)
localities = cached.localities()
if values.empty:
    st.info("No ward figures for this measure here.")
    st.stop()
demo = cached.demographics(root)
residents = places.population(demo) if kind == "ward" else places.population(demo, by="parent_id")
shown_by = filters.shown_by(scope, m.frequency)
if shown_by != m.frequency:
    values = places.reaggregate_areas(
        values, frequency=m.frequency, granularity=shown_by, aggregation=m.aggregation, year_start=scope.year_start
    )
since = scope.since(values["period_start"].max())
if since is not None:
    values = values[values["period_start"] >= since]

rate = m.aggregation == "sum"
show = values.copy()
y_title = m.unit
if rate:
    show["value"] = places.per_thousand(show, residents)
    y_title = f"{m.unit} per 1,000 residents"
st.markdown(f"### {text.markdown(m.name)}" + (" per 1,000 residents" if rate else f" ({text.markdown(m.unit)})"))
provenance = m.provenance
if provenance:  # real or illustrative, said where the figures are (as on the Measure page)
    st.markdown(icons.data_line(provenance, m.attribution), unsafe_allow_html=True)
if values["suppressed"].any():
    st.caption(f"{public.RULE} {int(values['suppressed'].sum()):,} of the {len(values):,} figures here are not shown.")
    # an area with more than a tenth of its periods hidden gets no panel (perf.access.public.too_few_shown): its
    # average would describe its busier periods, not a typical one
    thin = values.groupby("locality_name")["suppressed"].apply(public.too_few_shown)
    if thin.any():
        show = show[~show["locality_name"].map(thin)]
        st.caption(
            text.markdown(
                f"Not charted, more than a tenth of their periods not being shown: {', '.join(thin[thin].index)}."
            )
        )
if show.empty:  # every area here has more than a tenth of its periods hidden
    st.info(
        text.markdown(
            f"No {kind} here is charted in the public view: each has more than a tenth of its periods not shown "
            f"(counts from 1 to {public.SMALL_COUNT - 1}, or figures that would give one away), so a chart or an "
            "average of the others would not describe a typical period. Choose a larger area, or Localities."
        )
    )
else:
    multiples, panels = cached.area_charts(show, m.improvement)
    signals = multiples.groupby("locality_name")["signal"].apply(lambda s: bool(s.tail(1).fillna(False).any()))
    flagged = sorted(signals[signals].index)
    said = (
        f"Latest period shows a signal in: {', '.join(flagged)}."
        if flagged
        else "No area shows a signal in the latest period."
    )
    st.markdown(text.markdown(f"{len(signals)} areas. {said}"))
    st.caption(
        f"{text.markdown(y_title)}: each panel has its own scale, average (solid) and limits (dashed). Special-cause points are "
        "marked ▲ improving, ■ concerning, ◆/▼ unusually high or low."
    )
    st.markdown(
        "<div style='display:flex;flex-wrap:wrap;gap:10px 18px'>" + "".join(panels) + "</div>", unsafe_allow_html=True
    )
    with st.expander("The numbers behind the small charts"):
        st.dataframe(
            multiples.assign(period=multiples["period_start"].dt.strftime("%Y-%m-%d"))[
                ["locality_name", "period", "value", "centre", "lower", "upper", "point_type"]
            ]
            .round(3)
            .rename(
                columns={
                    "locality_name": "Area",
                    "period": "Period",
                    "value": y_title,
                    "centre": "Average",
                    "lower": "Lower limit",
                    "upper": "Upper limit",
                    "point_type": "Variation",
                }
            ),
            hide_index=True,
            width="stretch",
        )

if kind == "ward":
    periods_back = {"week": 13, "month": 3, "quarter": 1, "year": 1}[shown_by]
    latest = places.latest_by_area(values, periods=periods_back)
    if rate:
        latest["value"] = places.per_thousand(latest, residents)
    else:
        latest = values.sort_values("period_start").groupby(["locality_id", "locality_name"], as_index=False).tail(1)
    grid = localities[localities["kind"] == "ward"][["locality_id", "grid_x", "grid_y", "council_id"]]
    councils = dict(zip(localities["council_id"], localities["name"], strict=False))
    latest = latest.merge(grid, on="locality_id")
    latest["council"] = latest["council_id"].map(councils)
    left, right = st.columns([3, 2])
    with left:
        draw.svg(
            svg.tile_map(
                latest,
                value_title=y_title,
                title=f"Latest {periods_back} {shown_by}{'s' if periods_back > 1 else ''}, by ward",
                label="Tile map of wards shaded by the value; the table beside it gives each ward's figure.",
            )
        )
        st.caption(
            "Each ward is one equal tile, placed roughly where it lies, so small wards are as visible as big ones."
        )
    with right:
        st.dataframe(
            latest[["locality_name", "value"]]
            .round(2)
            .rename(columns={"locality_name": "Ward", "value": y_title})
            .sort_values("Ward"),
            hide_index=True,
            width="stretch",
        )

st.markdown("#### Who lives here")
prof = places.profile(demo)
a, b, c = st.columns(3)
a.metric("Residents", f"{prof['residents'].sum():,.0f}")
households = demo.loc[demo["indicator"] == "households", "value"].sum()
b.metric("Households", f"{households:,.0f}")
imd = demo[demo["indicator"] == "imd_decile"]
if not imd.empty:
    c.metric("Wards in the most deprived 30%", f"{int((imd['value'] <= 3).sum())} of {len(imd)}")
st.dataframe(
    prof.assign(share=(prof["share"] * 100).round(1)).rename(
        columns={"group": "Age group", "residents": "Residents", "share": "Share (%)"}
    ),
    hide_index=True,
)
st.caption(text.markdown(f"Source: {demo['source'].iloc[0] if not demo.empty else 'no demographic data'}."))

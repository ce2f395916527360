"""Measure: one measure's control chart with phases and signals, the sentence, and its definition."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.access import public
from perf.analysis import measures
from perf.drawing import charts
from perf.output import export
from perf.words import narrative, text
from ui import cached, draw, filters, icons, signal_view, stale_limits
from ui.measure_view import measure_view

scope = filters.current()
catalogue = cached.catalogue(scope.public_only)
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
measure_id = filters.choose_measure(scope, catalogue)
if measure_id is None:
    st.title("Measure")
    st.info("No measures are recorded for this purpose yet.")
    st.stop()
m = measures.measure_of(catalogue, measure_id)
st.title(text.markdown(m.name))  # user text is plain text wherever it shows (perf.words.text)
purpose_text = (
    text.markdown(m.strategic_purpose_name)
    if m.purpose_name == m.strategic_purpose_name
    else f"{text.markdown(m.strategic_purpose_name)} · {text.markdown(m.purpose_name)}"
)
st.caption(
    f"{purpose_text} · code: {text.markdown(measure_id)} · owner: {text.markdown(m.owner)} · "
    f"{narrative.freshness(m.latest_period, m.last_entered, m.frequency)}"
)
provenance = m.provenance
if provenance:  # real or illustrative, said where the figures are, never left to the banner alone
    st.markdown(
        icons.data_line(provenance),
        unsafe_allow_html=True,
    )

data = cached.series(measure_id, scope.locality_id, scope.public_only)
place = scope.locality_name
if data.empty and scope.locality_id != measures.AREA:
    data = cached.series(measure_id, measures.AREA, scope.public_only)
    place = "the whole area"
    st.info(
        "This measure is not recorded by ward, so the chart shows the whole area, not "
        f"{text.markdown(scope.locality_name)}."
    )
if data.empty:
    st.info("No values have been recorded for this measure yet.")
    st.stop()
recorded = data["period_start"]  # the measure's own periods: a new phase starts on one of them
shown_at = measures.AREA if place == "the whole area" else scope.locality_id
view = measure_view(m, data, scope, shown_at)
data, chart, shown_by, phase_rows, positions, target = (
    view.data,
    view.chart,
    view.shown_by,
    view.phase_rows,
    view.positions,
    view.target,
)
shown, points, dates = view.shown, view.points, view.dates
since = view.changed_since
withheld = view.withheld(place)  # perf.access.public: more than a tenth hidden, no chart and no average
sparse = withheld is not None
sentence = narrative.measure_sentence(m.words(frequency=shown_by), points, dates, changed_since=since)
drawn, labels = view.drawn  # a phase begun before the window draws no change line at its left edge
unit = m.unit
figure = charts.xmr_chart(drawn, dates, title=f"{m.name}, {place}", y_title=unit, target=target, phase_labels=labels)
if withheld is not None:  # an average of the periods shown would not describe a typical one
    st.info(text.markdown(withheld))
else:
    st.markdown(f"### {text.markdown(sentence)}")
    st.markdown(
        icons.variation_badge(chart.variation, prefix="Latest: ") + icons.assurance_badge(chart.assurance),
        unsafe_allow_html=True,
    )
    draw.chart(figure, alt=f"Control chart of {m.name}. {sentence}")
    if view.hidden.any():
        st.caption(public.some_hidden_words(view.hidden))
    for warning in chart.warnings:
        st.caption(f"Note: {warning}")
    stale_limits.flag(measure_id, m.name, since, recorded, key="measure")
signal_view.measure_panel(measure_id, shown_at, public_only=scope.public_only)
if m.attribution:
    st.caption(f"Source: {m.attribution}")

left, right = st.columns([3, 2])
with left:
    st.markdown("#### What it measures")
    st.markdown(text.markdown(m.definition or "No definition recorded."))
    st.markdown(
        f"**Owner:** {text.markdown(m.owner)} · **Unit:** {text.markdown(unit)} · "
        f"**Recorded:** every {m.frequency} "
        f"(shown by {shown_by}) · "
        f"**Better when:** {dict(up='higher', down='lower', neutral='neither')[m.improvement]}"
        + (f" · **Target:** {m.target:,g}" if m.target is not None else "")
        + (" for the whole area" if m.target is not None and target is None else "")
    )
    if not phase_rows.empty:
        st.markdown("#### System changes")
        for _, row in phase_rows.iterrows():
            st.markdown(f"- **{row['starts_on']:%d %b %Y}**: {text.markdown(row['label'])}")
with right:
    st.markdown("#### Data quality")
    st.table(
        pd.DataFrame(
            {"Criterion": [c for c, _ in m.quality_notes], "Note": [text.markdown(n) for _, n in m.quality_notes]}
        ).set_index("Criterion")
    )

notes = cached.commentary(measure_id, scope.public_only)
st.markdown("#### Commentary")
if notes.empty:
    st.caption("No commentary yet.")
for _, note in notes.head(10).iterrows():
    when = narrative.note_label(
        note["period_start"], note["written_at"], m.frequency, first_shown=dates.min(), latest=dates.max()
    )
    with st.container(border=True):
        st.caption(
            f"{when} · {text.markdown(filters.author(note['author'], scope))}"
            + ("" if scope.public_only else f" · {note['visibility']}")
        )
        st.text(str(note["body"]))  # plain text: commentary never renders as HTML or Markdown

if not sparse:  # nothing behind a chart that is not drawn
    with st.expander("The numbers behind the chart"):
        table = pd.DataFrame(
            {
                "Measure": measure_id,
                "Period": dates.dt.strftime("%d %b %Y").values,
                "Value": points["value"].values,
                "Average": points["centre"].round(2).values,
                "Lower limit": points["lower"].round(2).values,
                "Upper limit": points["upper"].round(2).values,
                "Variation": points["point_type"].map(lambda t: narrative.VARIATION_WORDS.get(t, t)).values,
                "Data": provenance or "Council data",
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        a, b, c = st.columns(3)
        a.download_button(
            "Download the data (CSV)",
            export.to_csv_bytes(table),
            file_name=f"{measure_id}.csv",
            mime="text/csv",
            on_click="ignore",
        )
        # charts render only when asked for (about a second each, offline)
        b.download_button(
            "Download the chart (PNG)",
            lambda: charts.to_png(figure),
            file_name=f"{measure_id}.png",
            mime="image/png",
            on_click="ignore",
        )
        c.download_button(
            "Download the chart (SVG)",
            lambda: charts.to_svg(figure).encode("utf-8"),
            file_name=f"{measure_id}.svg",
            mime="image/svg+xml",
            on_click="ignore",
        )

"""Briefing mode: one measure per screen for a Portfolio Holder, sentence first, big and plain."""

from __future__ import annotations

import streamlit as st

from perf.analysis import measures
from perf.drawing import charts
from perf.words import narrative, text
from ui import cached, draw, filters, icons
from ui.measure_view import measure_view

scope = filters.current()
everything = cached.catalogue(scope.public_only)
# A briefing is for a purpose (strategic, or an operational one within it) or a Portfolio Holder's
# portfolio, chosen here: the sidebar is hidden while screen-sharing.
ALL = "All measures"
purposes: dict[str, tuple[str, str]] = {}  # label -> (column, purpose id)
for (sid, sname), group in everything.groupby(["strategic_purpose_id", "strategic_purpose_name"], sort=False):
    purposes[f"Purpose: {sname}"] = ("strategic_purpose_id", str(sid))
    for pid, pname in dict(zip(group["purpose_id"], group["purpose_name"], strict=True)).items():
        purposes.setdefault(f"Purpose: {pname}", ("purpose_id", str(pid)))
portfolios = sorted(str(p) for p in everything["portfolio"].dropna().unique())
choices = [ALL, *purposes, *(f"Portfolio: {p}" for p in portfolios)]
default = 0
if scope.purpose_id != filters.ALL_PURPOSES and f"Purpose: {scope.purpose_name}" in choices:
    default = choices.index(f"Purpose: {scope.purpose_name}")
top = st.columns([0.8, 3.2, 4.2, 1.4, 1.1])
with top[1]:
    brief_for = st.selectbox(
        "Briefing for", choices, index=default, key="for", bind="query-params", label_visibility="collapsed"
    )
catalogue = everything
purpose_column = "strategic_purpose_name"  # the header names the purpose the briefing is for
if str(brief_for).startswith("Portfolio: "):
    catalogue = everything[everything["portfolio"] == str(brief_for).removeprefix("Portfolio: ")]
elif str(brief_for) in purposes:
    column, chosen = purposes[str(brief_for)]
    catalogue = everything[everything[column] == chosen]
    purpose_column = "purpose_name" if column == "purpose_id" else purpose_column
if catalogue.empty:
    st.title("Briefing")
    st.info("No measures to brief on for this purpose.")
    st.stop()

# Screen-sharing: hide the sidebar and widen the type; the controls stay on the page itself.
st.markdown(
    """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.oi-badge {font-size: 1.15rem;}
</style>""",
    unsafe_allow_html=True,
)
SENTENCE_STYLE = "font-size:2.3rem;line-height:1.2;font-weight:700;margin:.1rem 0 .3rem 0"
DETAIL_STYLE = "font-size:1.25rem;line-height:1.35;margin:0 0 .4rem 0;color:#222"

names = dict(zip(catalogue["measure_id"], catalogue["name"], strict=True))
order = list(catalogue.sort_values(["kind"], ascending=False, kind="stable")["measure_id"])
if "measure" not in st.session_state or st.session_state["measure"] not in order:
    st.session_state["measure"] = order[0]


def _step(delta: int) -> None:
    here = order.index(st.session_state["measure"])
    st.session_state["measure"] = order[(here + delta) % len(order)]


top[0].page_link("app_pages/overview.py", label="Exit", icon=":material/close:", help="Leave the briefing")
with top[2]:
    measure_id = str(
        st.selectbox(
            "Measure",
            order,
            format_func=names.__getitem__,
            key="measure",
            bind="query-params",
            label_visibility="collapsed",
        )
    )
top[3].button("Previous", icon=":material/arrow_back:", on_click=_step, args=(-1,), width="stretch")
top[4].button("Next", icon=":material/arrow_forward:", on_click=_step, args=(1,), width="stretch")

m = measures.measure_of(catalogue, measure_id)
data = cached.series(measure_id, scope.locality_id, scope.public_only)
place = scope.locality_name
if data.empty:
    data, place = cached.series(measure_id, measures.AREA, scope.public_only), "the whole area"
data = data.sort_values("period_start").reset_index(drop=True)
st.markdown(
    f"<p class='oi-briefing-title' style='font-size:1.1rem;color:#3b3b3b;margin:0'>"
    f"{order.index(measure_id) + 1} of {len(order)} · {text.html(m.purpose_name if purpose_column == 'purpose_name' else m.strategic_purpose_name)} · "
    f"{text.html(place)}</p>",
    unsafe_allow_html=True,
)
st.markdown(f"<h2 style='font-size:1.8rem;margin:0;padding:.2rem 0'>{text.html(m.name)}</h2>", unsafe_allow_html=True)
if data.empty:
    st.info("No values yet.")
    st.stop()
recorded = data["period_start"]
view = measure_view(m, data, scope, measures.AREA if place == "the whole area" else scope.locality_id)
if (withheld := view.withheld(place)) is not None:  # perf.access.public: more than a tenth hidden, no chart
    st.markdown(f"<p style='{DETAIL_STYLE}'>{text.html(withheld)}</p>", unsafe_allow_html=True)
    st.stop()
data, chart, shown_by, target, shown = view.data, view.chart, view.shown_by, view.target, view.shown
since = view.changed_since
head, detail = narrative.headline(
    m.words(frequency=shown_by), chart.points.loc[shown], data.loc[shown, "period_start"], changed_since=since
)
sentence = f"{head} {detail}"
st.markdown(f"<p class='oi-sentence' style='{SENTENCE_STYLE}'>{text.html(head)}</p>", unsafe_allow_html=True)
st.markdown(
    f"<p style='{DETAIL_STYLE}'>{icons.variation_badge(chart.variation, prefix='Latest: ')}{icons.assurance_badge(chart.assurance)}"
    f" {text.html(detail)}</p>",
    unsafe_allow_html=True,
)
drawn, labels = view.drawn  # a phase begun before the window draws no change line at its left edge
draw.chart(
    charts.xmr_chart(
        drawn,
        data.loc[shown, "period_start"],
        title="",
        y_title=m.unit,
        target=target,
        phase_labels=labels,
        size="large",
        height=250,
    ),
    alt=f"Control chart. {sentence}",
)
kinds = set(chart.points.loc[shown, "point_type"].astype(str))
st.markdown(
    f"<p class='oi-legend' style='font-size:1rem;line-height:1.4;color:#333;margin:0 0 .5rem'>"
    f"{icons.legend([k for k in icons.VARIATION if k in kinds])}</p>",
    unsafe_allow_html=True,
)
latest = cached.commentary(measure_id, scope.public_only).head(1)
if not latest.empty:
    note = latest.iloc[0]
    when = narrative.note_label(
        note["period_start"],
        note["written_at"],
        m.frequency,
        first_shown=data.loc[shown, "period_start"].min(),
        latest=data.loc[shown, "period_start"].max(),
    )
    st.markdown(
        f"<p class='oi-note-when' style='font-size:1.05rem;font-weight:600;margin:0'>{text.html(when)} · "
        f"{text.html(filters.author(note['author'], scope))}</p>",
        unsafe_allow_html=True,
    )
    st.text(str(note["body"]))  # plain text: commentary never renders as HTML or Markdown

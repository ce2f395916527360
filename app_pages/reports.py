"""Reports and exports: briefing packs, measure sheets and data for partners, made on click."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from perf.access import public
from perf.analysis import measures
from perf.output import export, pdf, report, slides
from perf.words import text
from ui import cached, filters
from ui.db import reading

scope = filters.current()
st.title("Reports and exports")
catalogue = cached.catalogue(scope.public_only)
if catalogue.empty:
    st.info("There are no measures to report on yet.")
    st.stop()
names = dict(zip(catalogue["measure_id"], catalogue["name"], strict=True))
latest = pd.to_datetime(catalogue["latest_period"]).max()
last_day = latest.date() if pd.notna(latest) else dt.date.today()
since = scope.since(pd.Timestamp(last_day))
first_day = since.date() if since is not None else last_day - dt.timedelta(days=364)
stamp = f"{last_day:%Y-%m}"


st.subheader("Briefing pack")
st.caption(
    "A title page, the exceptions (measures whose latest value is a signal), then one page or slide "
    "per measure with its chart, sentence and latest commentary."
)
covers = {"purpose": "The purpose chosen in the sidebar", "portfolio": "A portfolio", "measures": "Measures I choose"}
cover = st.radio(
    "What should the pack cover?", list(covers), format_func=covers.__getitem__, horizontal=True, key="pack_cover"
)
purpose_id: str | None = scope.purpose_id
portfolio: str | None = None
chosen: list[str] | None = None
if cover == "purpose":
    st.write(f"Purpose: **{text.markdown(scope.purpose_name)}** — change it in the sidebar.")
elif cover == "portfolio":
    portfolios = sorted(str(p) for p in catalogue["portfolio"].dropna().unique())
    portfolio, purpose_id = st.selectbox("Portfolio", portfolios, key="pack_portfolio"), None
else:
    chosen = st.multiselect("Measures", list(names), format_func=names.__getitem__, key="pack_measures")
    purpose_id = None
period = st.date_input(
    "Period",
    value=(first_day, last_day),
    max_value=max(last_day, dt.date.today()),
    format="DD/MM/YYYY",
    key="pack_period",
)
start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (first_day, last_day)


def pack_file(kind: str) -> Callable[[], bytes]:
    def build() -> bytes:
        with reading() as con:  # gather under the read lock; draw after it is released
            pack = report.build_pack(
                con,
                purpose_id=purpose_id,
                portfolio=portfolio,
                measure_ids=chosen,
                start=start,
                end=end,
                locality_id=scope.locality_id,
                public_only=scope.public_only,
            )
        return pdf.pack_pdf(pack) if kind == "pdf" else slides.pack_pptx(pack)

    return build  # download_button runs it on click, in its own thread


ready = chosen is None or bool(chosen)
if not ready:
    st.info("Choose at least one measure for the pack.")
left, right = st.columns(2)
left.download_button(
    "Download PDF pack",
    pack_file("pdf"),
    file_name=f"briefing-{stamp}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    disabled=not ready,
    width="stretch",
    key="pack_pdf",
)
right.download_button(
    "Download PowerPoint pack",
    pack_file("pptx"),
    file_name=f"briefing-{stamp}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    on_click="ignore",
    icon=":material/slideshow:",
    disabled=not ready,
    width="stretch",
    key="pack_pptx",
)
st.caption("Building a pack draws every chart: allow about half a second per measure.")

st.subheader("Measure sheet")
st.caption("One printable A4 page for a measure: chart, sentence, definition, owner, data quality, commentary.")
measure_id = filters.choose_measure(scope, catalogue)
if measure_id is not None:

    def sheet() -> bytes:
        with reading() as con:
            pack = report.sheet_pack(
                con, str(measure_id), start=start, end=end, locality_id=scope.locality_id, public_only=scope.public_only
            )
        return pdf.measure_sheet_pdf(pack)

    row = catalogue.set_index("measure_id").loc[measure_id]
    facts = {str(k): v for k, v in row.items()}
    # the upload format: an analyst can edit the export in Excel and load it back (Data › Upload);
    # in the public view a small count is blank and flagged, as in the partner zip (perf.access.public)
    series = cached.series(measure_id, scope.locality_id, scope.public_only)
    values = export.values_for_upload(
        series, measure_id=str(measure_id), locality_id=scope.locality_id, attribution=measures.attribution(facts)
    )
    if scope.public_only and "suppressed" in series.columns:
        values["suppressed"] = series["suppressed"].to_numpy()
    title = f"{names[measure_id]}, {scope.locality_name}"
    cols = st.columns(3)
    cols[0].download_button(
        "Measure sheet (PDF)",
        sheet,
        file_name=f"{measure_id}-sheet.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/description:",
        width="stretch",
        key="sheet_pdf",
    )
    cols[1].download_button(
        "Values (CSV)",
        export.to_csv_bytes(values),
        file_name=f"{measure_id}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/table:",
        width="stretch",
        key="values_csv",
    )
    source = " · ".join(
        t
        for t in (
            str(cached.meta().get("dataset_name", "Outside-In")),
            measures.provenance(facts),
            measures.attribution(facts),
        )
        if t
    )
    notes = [public.RULE] if scope.public_only else []
    cols[2].download_button(
        "Values (Excel)",
        lambda: export.to_excel_bytes(values, title=title, source=source, notes=notes),
        file_name=f"{measure_id}.xlsx",
        on_click="ignore",
        icon=":material/grid_on:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        width="stretch",
        key="values_xlsx",
    )

st.subheader("Published data for partners")
st.caption(
    "Every published measure with its values, phases and public commentary, and demand by ward, as "
    "Parquet and CSV with a data dictionary. Counts from 1 to 4 for a ward or locality are left blank "
    "and flagged, so no one can be identified, and so are counts that would give one away; demand by ward "
    "shows the months the public Demand page shows. Case records are never included."
)


def partner_zip() -> bytes:
    with reading() as con:
        return export.published_zip(con)


st.download_button(
    "Download published data (zip)",
    partner_zip,
    file_name=f"published-data-{stamp}.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/folder_zip:",
    key="partner_zip",
)

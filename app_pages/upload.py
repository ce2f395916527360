"""Upload: a CSV or Excel file of measure values or case records, checked in full, then loaded whole or not at all."""

from __future__ import annotations

import streamlit as st

from perf import errors
from perf.intake import check, read, save
from perf.output import export
from perf.words import text
from ui import auth, signal_view
from ui.db import reading, writing

TABLE_ROWS = 50

who = auth.require("upload")
st.title("Upload")
st.caption(
    "Load a CSV or Excel file of measure values, demand records, work records or published figures for "
    "any council (long format, as LG Inform and ONS publish them). Every row is checked "
    "first: the file is loaded whole, or nothing is saved and every problem is listed."
)

done = st.session_state.pop("_upload_done", None)
if done:
    st.success(done, icon=":material/check_circle:")
signals_note = st.session_state.pop("_upload_signals", None)
if signals_note:  # a digest not sent is shown, never hidden: the load itself succeeded
    told, fine = signals_note
    (st.info if fine else st.warning)(told, icon=":material/notifications_active:")

with st.expander("What the file needs"):
    for kind, columns in read.COLUMNS.items():
        needed = ", ".join(f"`{c.name}`" for c in columns if c.required)
        optional = ", ".join(f"`{c.name}`" for c in columns if not c.required)
        st.markdown(
            f"- **{check.NOUNS[kind][1].capitalize()}**: {needed}" + (f"; optional {optional}" if optional else "")
        )
    st.caption(
        "The kind of file is recognised from its header row. Periods are the date a week, month or quarter "
        "starts (YYYY-MM-DD); a blank locality is the whole area. Loading the same file twice changes "
        "nothing; a corrected value keeps the old one in the change log. A Values (CSV) export from "
        "Reports and exports loads back as it is. Published figures may give periods as 2024-04-01, "
        "2024-04, 2024 or 2024/25; a council code retired by a reorganisation is moved to its successor "
        "where that is exact (a count), otherwise its series ends there, and the notes say which."
    )

generation = st.session_state.setdefault("_upload_generation", 0)  # a new key empties the uploader after a load
upload = st.file_uploader(
    "A CSV or Excel file",
    type=["csv", "xlsx", "xlsm"],
    key=f"upload_{generation}",
    max_upload_size=read.MAX_UPLOAD_BYTES // 1024 // 1024,
)
if upload is None:
    st.stop()
data, name = upload.getvalue(), upload.name

with reading() as con:
    result = check.validate_upload(con, data, name)
sheet: str | None = None
if len(result.sheets) > 1:
    sheet = st.selectbox(
        "Sheet",
        result.sheets,
        index=None,
        placeholder="Choose the sheet to load",
        key=f"sheet_{generation}",
        help="This workbook has several sheets with data.",
    )
    if sheet is None:
        st.info(f"{text.markdown(name)} has {len(result.sheets)} sheets with data: choose the one to load.")
        st.stop()
    with reading() as con:
        result = check.validate_upload(con, data, name, sheet=sheet)

if not result.raw.empty:
    st.markdown("#### Preview")
    st.caption(
        f"The first rows of {text.markdown(name)}"
        + (f", sheet '{text.markdown(sheet)}'" if sheet else "")
        + f" ({len(result.raw):,} rows). Row numbers are as a spreadsheet shows them."
    )
    st.dataframe(result.raw.head(10), width="stretch")
for note in result.notes:
    st.caption(text.markdown(note))

if not result.ok:
    st.error(f"**Rejected: nothing was saved.** {text.markdown(result.summary)}", icon=":material/block:")
    problems = result.problem_frame().rename(columns=str.capitalize)
    if len(problems) <= TABLE_ROWS:  # a table wraps each reason in full; a long list scrolls instead
        # st.table reads Markdown in its cells: the refused values are the uploader's text, shown as typed
        st.table(
            problems.map(lambda v: text.markdown(v) if isinstance(v, str) else v), hide_index=True, border="horizontal"
        )
    else:
        st.dataframe(problems, hide_index=True, width="stretch")
        st.caption("Point at a reason to read it in full, or download the list.")
    # export.to_csv_bytes: the one formula guard, so a refused '=HYPERLINK(...)' cell is not written back live
    st.download_button(
        "Download the problems (CSV)",
        export.to_csv_bytes(problems),
        file_name=f"problems-{name}.csv",
        mime="text/csv",
        on_click="ignore",
    )
    st.stop()

st.success(result.summary, icon=":material/task_alt:")
if st.button("Accept and load", type="primary", icon=":material/upload:"):
    who = auth.require("upload")  # checked again at the moment of writing
    with writing() as con:
        # checked again inside the write lock, so nothing changed between the preview and the load
        fresh = check.validate_upload(con, data, name, sheet=sheet)
        try:
            loaded = save.apply_upload(con, fresh, user=who.username) if fresh.ok else None
        except errors.WriteConflictError as err:
            st.error(str(err))
            st.stop()
    if loaded is None:
        st.error(f"**Rejected: nothing was saved.** {text.markdown(fresh.summary)}")
        st.dataframe(fresh.problem_frame(), hide_index=True, width="stretch")
        st.stop()
    told, fine = signal_view.after_load(loaded.signals)  # the owners of new signals get their digest
    st.session_state["_upload_done"] = loaded.summary
    if told:
        st.session_state["_upload_signals"] = (told, fine)
    st.session_state["_upload_generation"] = generation + 1
    st.rerun()

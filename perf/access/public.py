"""What each audience may see: the one filter every surface of the public view reads through.

Pages, chart data, tables, downloads, measure sheets, packs and the partner zip ask here, with an
``audience`` ("public" or "officer"), for the measures, their values, phases, commentary and
reviews. For the public it is applied at the query, so nothing downstream can leak what it never
received:

- published measures only, and the phases of published measures only;
- the owner as a role: "Housing Options Manager (Priya Sandhu)" becomes "Housing Options Manager";
- public commentary only, its author "Council officer";
- of a Check–Plan–Do review, the dates only (never the decision, actions or who reviewed it);
- counts from 1 to 4 for a ward or locality hidden (the value, numerator and denominator blank,
  ``suppressed`` true), by the rule of :mod:`perf.access.small_counts` (``SMALL_COUNT``, ``is_count_unit``), with
  a second cell hidden where a parent's total less its other children would give one back
  (:func:`suppress_cells`); a longer period that contains a hidden one is hidden too
  (:func:`reaggregate`), so every figure shown is a sum of figures shown.

Officers get the same shapes unfiltered (``suppressed`` all false), so pages draw one way.
``docs/demand_capability.md`` states the rule; tests/test_public_crawl.py walks every public page
and download looking for anything it should have stopped.

Example
-------
>>> owner_role("Housing Options Manager (Priya Sandhu)")
'Housing Options Manager'
>>> commentary_author("Priya Sandhu", "public"), commentary_author("Priya Sandhu", "officer")
('Council officer', 'Priya Sandhu')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from perf import store
from perf.access import small_counts
from perf.analysis import measures, review

Audience = Literal["public", "officer"]
AUDIENCES: tuple[Audience, ...] = ("public", "officer")
SMALL_COUNT = small_counts.SMALL_COUNT
SMALL_AREAS = small_counts.SMALL_AREAS  # wards and localities: small enough that a count could point to a person
PUBLIC_AUTHOR = "Council officer"
_NAME_IN_BRACKETS = re.compile(r"\s*\([^()]*\)\s*$")
# one rule for every public chart over time (perf.access.small_counts): more than a tenth of its periods hidden,
# no chart and no average of it, only why (too_few_words)
MAX_HIDDEN_SHARE = small_counts.MAX_HIDDEN_SHARE
too_few_shown = small_counts.too_few_shown
REVIEW_COLUMNS = ("review_id", "measure_id", "change_date", "reviewed_at")  # what the public may see of one
RULE = (
    f"Public view: a count from 1 to {SMALL_COUNT - 1} for a ward or locality is not shown, so that no one "
    "can be identified; where it could be worked out from a total, another count is hidden too. Zero is shown."
)


def some_hidden_words(hidden: pd.Series) -> str:
    """What a public chart with some periods hidden (at most a tenth: :func:`too_few_shown`) says under it: the
    app's Measure page, the static site's ward pages and the packs chart such a series with the hidden points
    blank and its average and limits from the shown ones (a hidden point is a missing one, as in
    :func:`perf.access.disclosure.published_xmr`), and say so in these words.

    Example
    -------
    >>> some_hidden_words(pd.Series([True] + [False] * 11)).removeprefix(RULE + " ")
    '1 of the 12 periods here is not shown; the average and limits are worked out from the periods shown.'
    """
    flags = hidden.astype(bool)
    n = int(flags.sum())
    return (
        f"{RULE} {n:,} of the {len(flags):,} periods here {'is' if n == 1 else 'are'} not shown; "
        "the average and limits are worked out from the periods shown."
    )


def too_few_words(place: str, hidden: pd.Series | Sequence[bool], every: str = "period") -> str:
    """What the public view says instead of a chart, a sentence and an average of a series with more than a tenth
    of its periods hidden (:func:`too_few_shown`); ``every`` names its periods ("week").

    Example
    -------
    >>> too_few_words("Alvechurch South", [True] * 118 + [False] * 125, "week")[:64]
    '118 of the 243 weeks for Alvechurch South are not shown in the p'
    """
    flags = np.asarray(hidden, dtype=bool)
    return (
        f"{int(flags.sum()):,} of the {flags.size:,} {every}s for {place} are not shown in the public view: counts "
        f"from 1 to {SMALL_COUNT - 1}, and figures that would give one away, are hidden so that no one can be "
        f"identified. With more than a tenth of the {every}s hidden, a chart or an average of the others would "
        f"not describe a typical {every}, so none is given here; choose a larger area."
    )


def withheld(place: str, every: str, *periods: pd.Series | Sequence[bool]) -> str | None:
    """Why the public view gives no chart, sentence or average of a series, or None to give them: the words of
    :func:`too_few_words` for the first of ``periods`` (hidden flags: the periods shown, then every period the
    average and limits come from) with more than a tenth hidden (:func:`too_few_shown`).

    Example
    -------
    >>> withheld("Ward 1", "month", [False] * 12, [True] * 5 + [False] * 30) is not None
    True
    """
    for flags in periods:
        if too_few_shown(flags):
            return too_few_words(place, flags, every)
    return None


def audience_for(public_only: bool) -> Audience:
    """The audience of a page or file: ``public_only`` as the pages and packs carry it."""
    return "public" if public_only else "officer"


def _check(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, got {audience!r}")


# --- who ------------------------------------------------------------------------------------------------
def owner_role(owner: object) -> str:
    """A measure's owner as the public sees it: the role, without a person's name in brackets."""
    if not isinstance(owner, str):
        return ""  # None or NaN: no owner recorded
    return _NAME_IN_BRACKETS.sub("", owner).strip()


def commentary_author(author: object, audience: Audience) -> str:
    """Who wrote a note: named for officers, "Council officer" for the public (as in the partner zip)."""
    _check(audience)
    return PUBLIC_AUTHOR if audience == "public" else str(author or "")


def scrub_measures(frame: pd.DataFrame, audience: Audience) -> pd.DataFrame:
    """Catalogue rows for ``audience``: the public get published rows only, owners as roles."""
    _check(audience)
    if audience == "officer":
        return frame
    out = frame[frame["published"].astype(bool)].copy() if "published" in frame.columns else frame.copy()
    if "owner" in out.columns:
        out["owner"] = out["owner"].map(owner_role)
    return out.reset_index(drop=True)


# --- what -----------------------------------------------------------------------------------------------
def catalogue(con: duckdb.DuckDBPyConnection, audience: Audience) -> pd.DataFrame:
    """Every measure ``audience`` may see, with its purpose and freshness (:func:`perf.analysis.measures.catalogue`)."""
    _check(audience)
    return scrub_measures(measures.catalogue(con, public_only=audience == "public"), audience)


def phases(con: duckdb.DuckDBPyConnection, audience: Audience, measure_id: str | None = None) -> pd.DataFrame:
    """Recorded system changes (one measure's, or every one's): the public see published measures' only."""
    _check(audience)
    return measures.phases(con, measure_id, public_only=audience == "public")


def commentary(con: duckdb.DuckDBPyConnection, measure_id: str, audience: Audience) -> pd.DataFrame:
    """What officers wrote about a measure, newest first; the public see public notes, authors unnamed."""
    _check(audience)
    notes = measures.commentary(con, measure_id, public_only=audience == "public")
    return notes.assign(author=PUBLIC_AUTHOR) if audience == "public" else notes


def reviews(con: duckdb.DuckDBPyConnection, measure_id: str, audience: Audience) -> pd.DataFrame:
    """Earlier Check–Plan–Do reviews of a measure, newest first: for the public, their dates only
    (the decision, the actions and who took part stay inside the council)."""
    _check(audience)
    past = review.history(con, measure_id)
    if audience == "public":
        published = measures.catalogue(con, public_only=True)["measure_id"]
        return past[past["measure_id"].isin(set(published))][list(REVIEW_COLUMNS)].reset_index(drop=True)
    return past


# --- how many ---------------------------------------------------------------------------------------------
def suppress_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Hide small counts in a table of every place's values (``perf/sql/measure_cells.sql``).

    A count measure's value (``small_counts.is_count_unit``), or a ratio's numerator or denominator,
    from 1 to 4 in a ward or locality is blanked with the rest of its row. The children of one
    parent in one period add up to the parent's figure (the wards of a locality, the localities
    of a council), so a group with one blank gets a second, its next smallest count
    (:func:`perf.access.small_counts.suppress_small_counts`), until none is left alone. Councils and the whole
    area are never hidden: their counts are large, and they are the totals the groups protect. A
    measure marked ``open_data`` (real figures its source publishes for smaller areas already) is
    shown as published.

    Example
    -------
    >>> c = pd.DataFrame({"measure_id": "m", "period_start": pd.Timestamp("2026-01-01"),
    ...     "locality_id": ["L", "a", "b", "c"], "locality_kind": ["locality", "ward", "ward", "ward"],
    ...     "parent_id": ["C", "L", "L", "L"], "value": [30.0, 2, 8, 20], "numerator": np.nan,
    ...     "denominator": np.nan, "unit": "households", "aggregation": "sum"})
    >>> suppress_cells(c)[["locality_id", "value", "suppressed"]].values.tolist()
    [['L', 30.0, False], ['a', nan, True], ['b', nan, True], ['c', 20.0, False]]
    """
    if cells.empty:
        return cells.assign(suppressed=pd.Series(dtype=bool))
    counting = np.array(
        [small_counts.is_count_unit(u, a) for u, a in zip(cells["unit"], cells["aggregation"], strict=True)], dtype=bool
    )
    ratio = (cells["aggregation"] == "ratio").to_numpy()
    small_area = cells["locality_kind"].isin(SMALL_AREAS).to_numpy()
    # real figures their source already publishes for smaller areas (FixMyStreet by 2011 small area,
    # ODC-By): hiding them here would protect no one, and would make a council's small total a secret
    if "open_data" in cells.columns:
        small_area = small_area & ~cells["open_data"].fillna(False).astype(bool).to_numpy()
    work = cells.assign(
        _count=np.where(counting, cells["value"], np.nan),
        _num=np.where(ratio, cells["numerator"], np.nan),
        _den=np.where(ratio, cells["denominator"], np.nan),
    )
    done = small_counts.suppress_small_counts(
        work,
        ["_count", "_num", "_den"],
        eligible=pd.Series(small_area & (counting | ratio)),
        groups=[["measure_id", "period_start", "parent_id"]],
    )
    for col in ("value", "numerator", "denominator"):
        done[col] = done[col].astype("float64").mask(done["suppressed"], np.nan)
    return done.drop(columns=["_count", "_num", "_den"])


def cells(con: duckdb.DuckDBPyConnection, measure_ids: Sequence[str], audience: Audience) -> pd.DataFrame:
    """Every place's values of some measures, period by period, with ``suppressed`` (always false for
    officers). The public get published measures only, small counts hidden (:func:`suppress_cells`)."""
    _check(audience)
    ids = [str(m) for m in measure_ids]
    frame = store.query(con, "measure_cells", {"measure_ids": ids, "public_only": audience == "public"})
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    if audience == "officer":
        return frame.assign(suppressed=False)
    return suppress_cells(frame)


SERIES_COLUMNS = ["measure_id", "period_start", "value", "numerator", "denominator", "parts", "suppressed"]


def series(
    con: duckdb.DuckDBPyConnection, measure_ids: str | Sequence[str], locality_id: str, audience: Audience
) -> pd.DataFrame:
    """Values per period of one or more measures in a place (:func:`perf.analysis.measures.series`), with
    ``suppressed``; for the public, published measures only and small counts hidden (value NaN)."""
    _check(audience)
    ids = [measure_ids] if isinstance(measure_ids, str) else [str(m) for m in measure_ids]
    if audience == "officer":
        return measures.series(con, ids, locality_id).assign(suppressed=False)
    every = cells(con, ids, audience)
    mine = every[every["locality_id"] == locality_id]
    return mine[SERIES_COLUMNS].sort_values(["measure_id", "period_start"]).reset_index(drop=True)


def area_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, locality_id: str, kind: str, audience: Audience
) -> pd.DataFrame:
    """One measure for every ward (``kind='ward'``) or locality under a place, for small multiples
    and the map: locality_id, locality_name, parent_id, period_start, value, numerator, denominator,
    suppressed."""
    _check(audience)
    every = cells(con, [measure_id], audience)
    places = measures.localities(con)
    parent = dict(zip(places["locality_id"], places["parent_id"], strict=True))

    def under(place: str) -> bool:
        seen = 0
        while place and seen < 16:
            if place == locality_id:
                return True
            place, seen = parent.get(place) or "", seen + 1
        return False

    mine = every[(every["locality_kind"] == kind) & every["locality_id"].map(under)]
    cols = [
        "locality_id",
        "locality_name",
        "parent_id",
        "period_start",
        "value",
        "numerator",
        "denominator",
        "suppressed",
    ]
    return mine[cols].sort_values(["locality_name", "period_start"]).reset_index(drop=True)

"""Published statistics for every council: code changes, population of the year, group middle and spread.

Why it exists: comparing a council with similar councils needs three things done right that are easy
to do wrong. Area codes change when councils are reorganised, and a series must then move to the
successor only where the successor is exactly the sum of its predecessors (a count), never silently
stop or count twice. A rate per 1,000 residents needs the population of that year, not of today.
And the group gives context (its median and median absolute deviation) without ranking anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Reorganisation:
    """Councils abolished on ``starts_on`` whose area is, exactly, the successor's."""

    starts_on: date
    successor: str
    successor_name: str
    predecessors: tuple[tuple[str, str], ...]
    exact: bool = True  # False: a code change with a small boundary adjustment (1:1, treated as the same council)


# ONS code changes of English local government, 2019-2024 (ONS Code History Database; the 2023
# orders for Cumbria, North Yorkshire and Somerset). Each successor's area is the union of its
# predecessors', so a count for the successor is the sum of theirs.
REORGANISATIONS: tuple[Reorganisation, ...] = (
    Reorganisation(
        date(2019, 4, 1),
        "E06000058",
        "Bournemouth, Christchurch and Poole",
        (("E06000028", "Bournemouth"), ("E06000029", "Poole"), ("E07000048", "Christchurch")),
    ),
    Reorganisation(
        date(2019, 4, 1),
        "E06000059",
        "Dorset",
        (
            ("E07000049", "East Dorset"),
            ("E07000050", "North Dorset"),
            ("E07000051", "Purbeck"),
            ("E07000052", "West Dorset"),
            ("E07000053", "Weymouth and Portland"),
        ),
    ),
    Reorganisation(
        date(2019, 4, 1), "E07000244", "East Suffolk", (("E07000205", "Suffolk Coastal"), ("E07000206", "Waveney"))
    ),
    Reorganisation(
        date(2019, 4, 1), "E07000245", "West Suffolk", (("E07000201", "Forest Heath"), ("E07000204", "St Edmundsbury"))
    ),
    Reorganisation(
        date(2019, 4, 1),
        "E07000246",
        "Somerset West and Taunton",
        (("E07000190", "Taunton Deane"), ("E07000191", "West Somerset")),
    ),
    Reorganisation(
        date(2020, 4, 1),
        "E06000060",
        "Buckinghamshire",
        (
            ("E07000004", "Aylesbury Vale"),
            ("E07000005", "Chiltern"),
            ("E07000006", "South Bucks"),
            ("E07000007", "Wycombe"),
        ),
    ),
    Reorganisation(
        date(2021, 4, 1),
        "E06000061",
        "North Northamptonshire",
        (
            ("E07000150", "Corby"),
            ("E07000152", "East Northamptonshire"),
            ("E07000153", "Kettering"),
            ("E07000156", "Wellingborough"),
        ),
    ),
    Reorganisation(
        date(2021, 4, 1),
        "E06000062",
        "West Northamptonshire",
        (("E07000151", "Daventry"), ("E07000154", "Northampton"), ("E07000155", "South Northamptonshire")),
    ),
    Reorganisation(
        date(2023, 4, 1),
        "E06000063",
        "Cumberland",
        (("E07000026", "Allerdale"), ("E07000028", "Carlisle"), ("E07000029", "Copeland")),
    ),
    Reorganisation(
        date(2023, 4, 1),
        "E06000064",
        "Westmorland and Furness",
        (("E07000027", "Barrow-in-Furness"), ("E07000030", "Eden"), ("E07000031", "South Lakeland")),
    ),
    Reorganisation(
        date(2023, 4, 1),
        "E06000065",
        "North Yorkshire",
        (
            ("E07000163", "Craven"),
            ("E07000164", "Hambleton"),
            ("E07000165", "Harrogate"),
            ("E07000166", "Richmondshire"),
            ("E07000167", "Ryedale"),
            ("E07000168", "Scarborough"),
            ("E07000169", "Selby"),
        ),
    ),
    Reorganisation(
        date(2023, 4, 1),
        "E06000066",
        "Somerset",
        (
            ("E07000187", "Mendip"),
            ("E07000188", "Sedgemoor"),
            ("E07000189", "South Somerset"),
            ("E07000246", "Somerset West and Taunton"),
        ),
    ),
    Reorganisation(date(2024, 4, 1), "E08000038", "Barnsley", (("E08000016", "Barnsley"),), exact=False),
    Reorganisation(date(2024, 4, 1), "E08000039", "Sheffield", (("E08000019", "Sheffield"),), exact=False),
)
_STEP = {old: r for r in REORGANISATIONS for old, _ in r.predecessors}
OLD_NAMES = {old: name for r in REORGANISATIONS for old, name in r.predecessors}

TIERS = {
    "E07": "district",
    "E06": "single tier",
    "E08": "single tier",
    "E09": "single tier",
    "W06": "Welsh",
    "S12": "Scottish",
    "N09": "Northern Irish",
}
TIER_WORDS = {
    "district": "district councils",
    "single tier": "unitary, metropolitan and London borough councils",
    "Welsh": "Welsh councils",
    "Scottish": "Scottish councils",
    "Northern Irish": "Northern Irish councils",
}


def tier(code: str) -> str:
    """The kind of council an ONS code names: districts are compared with districts."""
    return TIERS.get(code[:3], "other")


def successor(code: str) -> str:
    """The council a code stands for today, following reorganisations in turn (E07000190 -> ... -> E06000066)."""
    seen = code
    while seen in _STEP:
        seen = _STEP[seen].successor
    return seen


def _chain(code: str) -> list[Reorganisation]:
    steps = []
    while code in _STEP:
        steps.append(_STEP[code])
        code = _STEP[code].successor
    return steps


def to_current(
    values: pd.DataFrame, *, additive: bool, missing_is_zero: bool = False, name: str = "figure"
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Move a series from abolished codes to today's councils where that is exact; otherwise end it with a note.

    ``values`` has area_code, period_start, value. A count (``additive``) for a successor is the sum
    of its predecessors' in each period, but only when every predecessor has a figure for it (or a
    missing one means zero, as in FixMyStreet's files); a period the successor reports itself keeps
    its own figure and the predecessors' are dropped, so nothing is counted twice. A rate, median or
    percentage cannot be added up, so a predecessor keeps its own code and its series ends there.
    Returns the moved frame and a note per code that was moved or ended.
    """
    frame = values[["area_code", "period_start", "value"]].assign(metric_id="")
    moved, notes = to_current_each(
        frame, additive={"": additive}, missing_is_zero={"": missing_is_zero}, names={"": name}
    )
    moved = moved.drop(columns="metric_id").sort_values(["area_code", "period_start"], kind="stable")
    return moved.reset_index(drop=True), {code: note for (_, code), note in notes.items()}


def to_current_each(
    values: pd.DataFrame, *, additive: dict[str, bool], missing_is_zero: dict[str, bool], names: dict[str, str]
) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """``to_current`` for many measures at once: ``values`` has metric_id too, and the rules are per measure.

    Set-based, so a national file (600,000 rows, 38 measures) takes one pass: each code's successor
    is looked up once, predecessors are summed per measure, successor and period in one group-by, and
    a successor's own figures are found by a join; only the rows of reorganised councils and their
    successors take part, the rest are kept as they are (in no particular order). Notes are keyed by
    (metric_id, area code).
    """
    columns = ["metric_id", "area_code", "period_start", "value"]
    involved = values["area_code"].isin(_REORGANISED).to_numpy()
    notes: dict[tuple[str, str], str] = {}
    if not involved.all():
        out, notes = to_current_each(
            values.loc[involved, columns], additive=additive, missing_is_zero=missing_is_zero, names=names
        )
        return pd.concat([values.loc[~involved, columns], out], ignore_index=True), notes
    frame = values[columns]
    step = {c: successor(c) for c in frame["area_code"].unique()}
    target = frame["area_code"].map(step)
    is_moved = (target != frame["area_code"]).to_numpy()
    if not is_moved.any():
        return frame.copy(), notes
    summed = frame["metric_id"].map(additive).fillna(False).astype(bool).to_numpy()
    for metric_id, code in sorted(
        set(zip(frame["metric_id"][is_moved & ~summed], frame["area_code"][is_moved & ~summed], strict=True))
    ):
        r = _STEP[code]
        notes[(metric_id, code)] = (
            f"{OLD_NAMES[code]} ({code}) was replaced by {r.successor_name} ({r.successor}) on "
            f"{r.starts_on:%-d %B %Y}; a {names.get(metric_id, 'figure')} can't be added up across councils, so "
            f"{OLD_NAMES[code]}'s series ends there and {r.successor_name}'s begins."
        )
    move = is_moved & summed
    kept = frame[~move]
    moved = frame[move].assign(target=target[move])
    keys = ["metric_id", "target", "period_start"]
    sums = moved.groupby(keys, sort=True).agg(value=("value", "sum"), present=("area_code", "nunique")).reset_index()
    own_keys = kept.loc[kept["area_code"].isin(set(sums["target"])), ["metric_id", "area_code", "period_start"]]
    sums = sums.merge(own_keys.rename(columns={"area_code": "target"}).assign(own=True), on=keys, how="left")
    sums["own"] = sums["own"].astype("boolean").fillna(False).astype(bool)
    members = {t: sorted(old for old in _STEP if successor(old) == t and _is_leaf(old)) for t in set(sums["target"])}
    zero = sums["metric_id"].map(missing_is_zero).fillna(False).astype(bool)
    complete = (sums["present"] == sums["target"].map({t: len(m) for t, m in members.items()})) | (
        zero & (sums["present"] > 0)
    )
    use = (complete & ~sums["own"]).to_numpy()
    added = sums.loc[use, ["metric_id", "target", "period_start", "value"]].rename(columns={"target": "area_code"})
    stats = (
        pd.DataFrame({"metric_id": sums["metric_id"], "target": sums["target"], "gap": ~complete, "own": sums["own"]})
        .groupby(["metric_id", "target"], sort=True)
        .agg(gaps=("gap", "sum"), own=("own", "any"))
        .reset_index()
    )
    for metric_id, heir, gap, own in zip(
        stats["metric_id"].astype(str),
        stats["target"].astype(str),
        stats["gaps"].astype(int),
        stats["own"].astype(bool),
        strict=True,
    ):
        who = members[heir]
        r = _chain(who[0])[-1]
        listed = _and([OLD_NAMES[m] for m in who])
        note = (
            f"Figures for {listed} are added together as {r.successor_name} ({heir}), which covers exactly their area"
            if all(s.exact for m in who for s in _chain(m))
            else f"Figures for {listed} are shown as {r.successor_name} ({heir}), the same council under a new "
            f"code after a small boundary change"
        )
        if gap:
            n = int(gap)
            note += (
                f"; {n} {'period' if n == 1 else 'periods'} where only some of them have a figure "
                f"{'is' if n == 1 else 'are'} left out rather than undercounted"
            )
        if own:
            note += "; where the file also gives the successor's own figure, that is used and theirs are not added"
        for m in who:
            notes[(metric_id, m)] = note + "."
        notes.setdefault((metric_id, heir), note + ".")
    return pd.concat([kept, added], ignore_index=True), notes


_REORGANISED = frozenset({*_STEP, *(r.successor for r in REORGANISATIONS)})


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _is_leaf(code: str) -> bool:
    """A code that was never itself a successor in the list (chains are summed from their first codes)."""
    return not any(r.successor == code for r in REORGANISATIONS)


# ------------------------------------------------------------------------------------------------
# Population of the year


def population_by_year(census: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Each area's residents in each year: straight-line between Census 2011 and 2021, the nearer Census outside.

    ``census`` has area_code, year (2011 and 2021) and population. Returns area_code, year,
    population and ``basis`` (the words the page shows, e.g. "interpolated between Census 2011 and 2021").
    """
    wide = census.pivot_table(index="area_code", columns="year", values="population", aggfunc="first")
    rows = []
    for code, row in wide.iterrows():
        p11, p21 = float(row.get(2011, np.nan)), float(row.get(2021, np.nan))
        for year in years:
            if np.isfinite(p11) and np.isfinite(p21) and 2011 <= year <= 2021:
                pop = p11 + (p21 - p11) * (year - 2011) / 10
                basis = (
                    "Census 2011"
                    if year == 2011
                    else "Census 2021"
                    if year == 2021
                    else "interpolated between Census 2011 and 2021"
                )
            elif year < 2011 and np.isfinite(p11):
                pop, basis = p11, "Census 2011 (the earliest in use)"
            elif year > 2021 and np.isfinite(p21):
                pop, basis = p21, "Census 2021 (the latest in use)"
            else:
                continue
            rows.append((str(code), year, pop, basis))
    return pd.DataFrame(rows, columns=["area_code", "year", "population", "basis"])


def per_thousand(values: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Each value per 1,000 residents of its area in its own year; areas with no population figure are dropped."""
    frame = values.assign(year=pd.to_datetime(values["period_start"]).dt.year)
    merged = frame.merge(
        population[["area_code", "year", "population", "basis"]], on=["area_code", "year"], how="inner"
    )
    merged["value"] = 1000.0 * merged["value"] / merged["population"]
    return merged.drop(columns=["year"])


# ------------------------------------------------------------------------------------------------
# The group's middle and spread


def median_mad(values: pd.DataFrame) -> pd.DataFrame:
    """Per period: the group's median, its median absolute deviation, and the band median ± MAD.

    MAD = median(|x - median(x)|), unscaled (docs/methods.md). Context, not a target: no council is
    placed above or below anyone.
    """
    wide = values.pivot_table(index="period_start", columns="area_code", values="value", aggfunc="first")
    x = wide.to_numpy(dtype=float)
    count = np.isfinite(x).sum(axis=1)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():  # a period no council reported: NaN, said as such
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(x, axis=1)
            mad = np.nanmedian(np.abs(x - med[:, None]), axis=1)
    return pd.DataFrame(
        {"period_start": wide.index, "median": med, "mad": mad, "councils": count, "low": med - mad, "high": med + mad}
    )


# ------------------------------------------------------------------------------------------------
# The comparison group

MAX_GROUP = 16


def neighbour_group(
    neighbours: pd.DataFrame, code: str, *, basis: str = "global", same_tier: bool = True, most: int = MAX_GROUP
) -> list[str]:
    """The chosen council then its ONS nearest neighbours in rank order (same tier only by default).

    ``neighbours`` has area_code, basis, rank, neighbour_code.
    """
    mine = neighbours[(neighbours["area_code"] == code) & (neighbours["basis"] == basis)].sort_values("rank")
    others = [str(c) for c in mine["neighbour_code"] if not same_tier or tier(str(c)) == tier(code)]
    return [code, *[c for c in others if c != code]][:most]

"""Seeded generator of Outside-In's ILLUSTRATIVE dataset for Bromsgrove District and Redditch Borough.

Why it exists: the product must open on a fresh machine with data that behaves like a council's
(seasonality, noise, one-off special causes, system redesigns that shift a measure) without
shipping anyone's real case records. Everything here is made up except the geography and the
Census 2021 council totals, which are facts copied from ``../shared/data`` (ONS, OGL v3.0) and
embedded below so the product stands alone.

Run ``python -m perf.seed.sample`` to rewrite ``data/seed/*``; the same seed writes byte-identical
files. ``generate(out_dir, seed=..., scale=...)`` is the API; a small ``scale`` (e.g. 0.02) gives
a quick variant for tests.

How the data is made (in the order it runs):

1. Geography: 2 councils, 7 localities, 39 real wards (names, ONS codes, vintage, seats) with a
   tile-map grid position. Ward populations, age bands, households and deprivation deciles are an
   illustrative split of the council Census 2021 totals (they sum exactly to them).
2. Case-level demand for six services (housing repairs, benefits, waste, planning, street scene
   (fly-tipping), housing options). For every "originating" nature of demand a daily Poisson
   process (weekly rate x seasonality x events x trend) is drawn per channel with a day-of-week
   pattern (no phone or face-to-face contact at weekends or on bank holidays). Each originating
   contact opens a ``work_case`` whose end-to-end time is log-normal (right-skewed) with a median
   that drops for cases started after the service's redesign. Failure demand follows from the case:
   progress chasing while it is open (Poisson in the open time beyond a grace period), one-off
   failures ("Missed appointment", "Asked to send evidence again"), rework ("Repair not fixed",
   which also lengthens the case) and complaints (likelier on long cases). So a redesign that
   shortens end-to-end time and gets it right first time also cuts failure demand, as it does in
   real life. About 3% of chasing contacts carry no case reference, as in real CRM extracts.
   The process is simulated from a warm-up date so cases open when the records begin exist.
3. Measures (36): those about demand and end-to-end time are computed FROM the case tables with
   DuckDB (so the two always agree); the rest are modelled series (collection rates, leisure
   visits, sickness...). ``by_locality`` measures carry one row per ward plus the 'ALL' total
   (a sum for 'sum' measures, a recomputed ratio for 'ratio' measures).
4. Phases mark the four redesigns; commentary reads as officers write it; bank holidays are the
   real England and Wales list 2021-2027 (capability working days depend on them).

Redesigns (phase rows):
- Housing repairs, 2024-04-01: median end-to-end ~22 -> ~9 days, failure demand ~39% -> ~20%.
- Benefits "right first time", 2025-01-06: failure demand ~46% -> ~28%, change of circumstances
  ~16 -> ~7.5 days.
- Place Teams fly-tipping, 2023-07-03 (phase from 2023-07-01, monthly): clearance ~5 -> ~2 days.
- Planning front-door validation, 2023-10-02: householder decisions ~59 -> ~46 days (decisions lag
  by about two months, as they would).

Attribution for the ONS facts: see ``ATTRIBUTION``.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# pyarrow ships no type hints, and pyarrow-stubs (written for pyarrow 20) rejects the schemas below
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from perf.seed import realdata
from perf.config import SEED_DIR

DEFAULT_SEED = 20261127
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right."
)
DEMAND_FROM = date(2022, 3, 28)  # first Monday whose week holds 1 April 2022: case records begin
MEASURES_FROM = date(2022, 4, 1)  # first month and quarter of measures (financial year 2022/23)
DATA_TO = date(2026, 11, 22)  # last day of data: the Sunday ending the last complete week before 2026-11-27
WARMUP_DAYS = 147  # simulate 21 weeks before DEMAND_FROM so long-running cases exist
SIM_FROM = DEMAND_FROM - timedelta(days=WARMUP_DAYS)
CAL_DAYS = (DATA_TO - SIM_FROM).days + 1 + 500  # calendar reaches past DATA_TO for late completions
CUTOFF = (DATA_TO - SIM_FROM).days * 86400 + 86399  # seconds from SIM_FROM to 23:59:59 on DATA_TO

# --------------------------------------------------------------------------------------------
# Reference facts (copied from ../shared/data: wards.csv, councils.csv; ONS, OGL v3.0)
# --------------------------------------------------------------------------------------------
COUNCILS = (
    # key, ONS code, name, short name, Census 2021 population, households, locality id
    ("bdc", "E07000234", "Bromsgrove District Council", "Bromsgrove", 99183, 41264, "c-bromsgrove"),
    ("rbc", "E07000236", "Redditch Borough Council", "Redditch", 87036, 36378, "c-redditch"),
)
COUNCIL_SOURCE = {
    "bdc": "Census 2021 TS001 population (ONS, via ONSvisual/census-quiz); households DERIVED as the sum "
    "of 2021 tenure groups (A Vision of Britain through Time, from ONS Census 2021); see SOURCES.md",
    "rbc": "Census 2021 TS001 population (ONS, via ONSvisual/census-quiz); households as republished by "
    "censusdata.uk from ONS Census 2021; see SOURCES.md",
}
LOCALITIES = (
    # id, name, council key, description of the grouping
    ("l-bromsgrove-north", "Bromsgrove North", "bdc"),
    ("l-bromsgrove-east", "Bromsgrove East", "bdc"),
    ("l-bromsgrove-town", "Bromsgrove Town", "bdc"),
    ("l-bromsgrove-south", "Bromsgrove South", "bdc"),
    ("l-redditch-north", "Redditch North", "rbc"),
    ("l-redditch-central", "Redditch Central", "rbc"),
    ("l-redditch-south", "Redditch South", "rbc"),
)


@dataclass(frozen=True)
class Ward:
    """A real ward; the last three fields are illustrative (deprivation, council housing, rural)."""

    name: str
    code: str | None
    council: str
    councillors: int
    locality: str
    grid_x: int
    grid_y: int
    imd_decile: int
    council_homes: float  # illustrative share of homes rented from the council (Redditch only)
    rural: bool


def _w(
    name: str,
    code: str | None,
    council: str,
    seats: int,
    loc: str,
    x: int,
    y: int,
    imd: int,
    homes: float = 0.0,
    rural: bool = False,
) -> Ward:
    return Ward(
        name,
        code,
        council,
        seats,
        f"l-{'bromsgrove' if council == 'bdc' else 'redditch'}-{loc}",
        x,
        y,
        imd,
        homes,
        rural,
    )


# Grid: x grows east, y grows south. Bromsgrove wraps the north and west of Redditch.
WARDS: tuple[Ward, ...] = (
    _w("Alvechurch South", "E05009823", "bdc", 1, "east", 6, 3, 8, rural=True),
    _w("Alvechurch Village", "E05009824", "bdc", 1, "east", 6, 2, 8),
    _w("Aston Fields", "E05009825", "bdc", 1, "south", 3, 6, 7),
    _w("Avoncroft", "E05009826", "bdc", 1, "south", 2, 7, 7, rural=True),
    _w("Barnt Green & Hopwood", "E05009827", "bdc", 1, "east", 5, 2, 10, rural=True),
    _w("Belbroughton & Romsley", "E05009828", "bdc", 2, "north", 1, 1, 9, rural=True),
    _w("Bromsgrove Central", "E05009829", "bdc", 1, "town", 2, 5, 5),
    _w("Catshill North", "E05009830", "bdc", 1, "north", 2, 2, 7),
    _w("Catshill South", "E05009831", "bdc", 1, "north", 2, 3, 6),
    _w("Charford", "E05009832", "bdc", 1, "south", 2, 6, 3),
    _w("Cofton", "E05009833", "bdc", 1, "north", 4, 0, 7),
    _w("Drakes Cross", "E05009834", "bdc", 1, "east", 7, 0, 8),
    _w("Hagley East", "E05009835", "bdc", 1, "north", 1, 0, 9),
    _w("Hagley West", "E05009836", "bdc", 1, "north", 0, 0, 9, rural=True),
    _w("Hill Top", "E05009837", "bdc", 1, "town", 2, 4, 6),
    _w("Hollywood", "E05009838", "bdc", 1, "east", 6, 0, 8),
    _w("Lickey Hills", "E05009839", "bdc", 1, "north", 4, 1, 9, rural=True),
    _w("Lowes Hill", "E05009840", "bdc", 1, "town", 3, 5, 6),
    _w("Marlbrook", "E05009841", "bdc", 1, "north", 3, 2, 8),
    _w("Norton", "E05009842", "bdc", 1, "town", 3, 3, 7),
    _w("Perryfields", "E05009843", "bdc", 1, "town", 1, 5, 7),
    _w("Rock Hill", "E05009844", "bdc", 1, "south", 1, 6, 6),
    _w("Rubery North", "E05009845", "bdc", 1, "north", 3, 0, 6),
    _w("Rubery South", "E05009846", "bdc", 1, "north", 3, 1, 5),
    _w("Sanders Park", "E05009847", "bdc", 1, "town", 3, 4, 5),
    _w("Sidemoor", "E05009848", "bdc", 1, "town", 1, 4, 4),
    _w("Slideslow", "E05009849", "bdc", 1, "town", 4, 4, 7),
    _w("Tardebigge", "E05009850", "bdc", 1, "south", 4, 5, 9, rural=True),
    _w("Wythall East", "E05009851", "bdc", 1, "east", 7, 1, 8, rural=True),
    _w("Wythall West", "E05009852", "bdc", 1, "east", 6, 1, 9),
    _w("Astwood Bank & Feckenham", None, "rbc", 3, "south", 6, 7, 7, 0.07, rural=True),
    _w("Batchley & Brockhill", None, "rbc", 3, "north", 5, 4, 3, 0.30),
    _w("Central", None, "rbc", 3, "central", 6, 5, 2, 0.28),
    _w("Greenlands & Lakeside", None, "rbc", 3, "central", 7, 5, 3, 0.26),
    _w("Headless Cross & Oakenshaw", None, "rbc", 3, "south", 6, 6, 6, 0.12),
    _w("Matchborough & Woodrow", None, "rbc", 3, "south", 7, 6, 4, 0.27),
    _w("North", None, "rbc", 3, "north", 6, 4, 5, 0.16),
    _w("Webheath & Callow Hill", None, "rbc", 3, "central", 5, 5, 8, 0.05),
    _w("Winyates", None, "rbc", 3, "north", 7, 4, 3, 0.28),
)
VINTAGE = {"bdc": 2015, "rbc": 2024}

BANK_HOLIDAYS: tuple[tuple[str, str], ...] = (
    # England and Wales, from GOV.UK "UK bank holidays" (weekday of every date checked in tests)
    ("2021-01-01", "New Year's Day"),
    ("2021-04-02", "Good Friday"),
    ("2021-04-05", "Easter Monday"),
    ("2021-05-03", "Early May bank holiday"),
    ("2021-05-31", "Spring bank holiday"),
    ("2021-08-30", "Summer bank holiday"),
    ("2021-12-27", "Christmas Day (substitute day)"),
    ("2021-12-28", "Boxing Day (substitute day)"),
    ("2022-01-03", "New Year's Day (substitute day)"),
    ("2022-04-15", "Good Friday"),
    ("2022-04-18", "Easter Monday"),
    ("2022-05-02", "Early May bank holiday"),
    ("2022-06-02", "Spring bank holiday"),
    ("2022-06-03", "Platinum Jubilee bank holiday"),
    ("2022-08-29", "Summer bank holiday"),
    ("2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"),
    ("2022-12-26", "Boxing Day"),
    ("2022-12-27", "Christmas Day (substitute day)"),
    ("2023-01-02", "New Year's Day (substitute day)"),
    ("2023-04-07", "Good Friday"),
    ("2023-04-10", "Easter Monday"),
    ("2023-05-01", "Early May bank holiday"),
    ("2023-05-08", "Bank holiday for the coronation of King Charles III"),
    ("2023-05-29", "Spring bank holiday"),
    ("2023-08-28", "Summer bank holiday"),
    ("2023-12-25", "Christmas Day"),
    ("2023-12-26", "Boxing Day"),
    ("2024-01-01", "New Year's Day"),
    ("2024-03-29", "Good Friday"),
    ("2024-04-01", "Easter Monday"),
    ("2024-05-06", "Early May bank holiday"),
    ("2024-05-27", "Spring bank holiday"),
    ("2024-08-26", "Summer bank holiday"),
    ("2024-12-25", "Christmas Day"),
    ("2024-12-26", "Boxing Day"),
    ("2025-01-01", "New Year's Day"),
    ("2025-04-18", "Good Friday"),
    ("2025-04-21", "Easter Monday"),
    ("2025-05-05", "Early May bank holiday"),
    ("2025-05-26", "Spring bank holiday"),
    ("2025-08-25", "Summer bank holiday"),
    ("2025-12-25", "Christmas Day"),
    ("2025-12-26", "Boxing Day"),
    ("2026-01-01", "New Year's Day"),
    ("2026-04-03", "Good Friday"),
    ("2026-04-06", "Easter Monday"),
    ("2026-05-04", "Early May bank holiday"),
    ("2026-05-25", "Spring bank holiday"),
    ("2026-08-31", "Summer bank holiday"),
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (substitute day)"),
    ("2027-01-01", "New Year's Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
    ("2027-05-03", "Early May bank holiday"),
    ("2027-05-31", "Spring bank holiday"),
    ("2027-08-30", "Summer bank holiday"),
    ("2027-12-27", "Christmas Day (substitute day)"),
    ("2027-12-28", "Boxing Day (substitute day)"),
)

REDESIGN_REPAIRS = date(2024, 4, 1)
REDESIGN_BENEFITS = date(2025, 1, 6)
REDESIGN_FLYTIPPING = date(2023, 7, 3)
REDESIGN_PLANNING = date(2023, 10, 2)


def slug(text: str) -> str:
    """A readable id fragment: 'Barnt Green & Hopwood' -> 'barnt-green-hopwood'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def ward_id(w: Ward) -> str:
    """Ward ids are 'w-<council>-<name>', e.g. 'w-bdc-alvechurch-south', 'w-rbc-central'."""
    return f"w-{w.council}-{slug(w.name)}"


WARD_IDS = tuple(ward_id(w) for w in WARDS)


# --------------------------------------------------------------------------------------------
# Calendar: working days, bank holidays, seasonality helpers (day index 0 = SIM_FROM)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    """Day-indexed arrays shared by every service, so each service's simulation is vectorised."""

    dates: pd.DatetimeIndex
    weekday: np.ndarray
    holiday: np.ndarray
    working: np.ndarray
    next_working: np.ndarray
    doy: np.ndarray
    month: np.ndarray
    years: np.ndarray  # years since DEMAND_FROM, for trends

    @classmethod
    def build(cls) -> Calendar:
        dates = pd.date_range(SIM_FROM, periods=CAL_DAYS, freq="D")
        weekday = dates.day_of_week.to_numpy()
        hol = np.isin(dates.strftime("%Y-%m-%d").to_numpy(), [h for h, _ in BANK_HOLIDAYS])
        working = (weekday < 5) & ~hol
        idx = np.where(working, np.arange(CAL_DAYS), CAL_DAYS - 1)
        next_working = np.minimum.accumulate(idx[::-1])[::-1]
        years = (np.arange(CAL_DAYS) - WARMUP_DAYS) / 365.25
        return cls(
            dates, weekday, hol, working, next_working, dates.day_of_year.to_numpy(), dates.month.to_numpy(), years
        )

    def index(self, d: date | str) -> int:
        """Day index of a date."""
        d = date.fromisoformat(d) if isinstance(d, str) else d
        return (d - SIM_FROM).days


def cos_season(doy: np.ndarray, amplitude: float, peak_doy: int) -> np.ndarray:
    """A smooth yearly cycle: 1 + amplitude at the peak day of year, 1 - amplitude opposite it."""
    return 1.0 + amplitude * np.cos(2 * np.pi * (doy - peak_doy) / 365.25)


# --------------------------------------------------------------------------------------------
# Service specifications
# --------------------------------------------------------------------------------------------
CHANNELS = ("phone", "web", "email", "face-to-face", "app")
OFFICE = np.array([True, False, False, True, False])  # staffed channels: working days, office hours
DOW = np.array(
    [  # relative volume Mon..Sun per channel
        [1.35, 1.10, 1.00, 1.00, 0.85, 0.0, 0.0],  # phone
        [1.25, 1.10, 1.05, 1.00, 0.90, 0.55, 0.60],  # web
        [1.30, 1.10, 1.05, 1.00, 0.90, 0.30, 0.35],  # email
        [1.20, 1.05, 1.00, 1.05, 0.90, 0.0, 0.0],  # face-to-face
        [1.20, 1.05, 1.00, 1.00, 0.95, 0.75, 0.80],  # app
    ]
)


@dataclass(frozen=True)
class Origin:
    """A nature of demand that starts a piece of work (one case per originating contact)."""

    nature: str
    demand_type: str  # 'value', or 'failure' (e.g. a missed bin report)
    per_week: float  # average originating contacts a week at scale 1
    median_days: float  # end-to-end median before the redesign; 0 = done at first contact
    median_after: float | None = None  # median for cases started on/after the redesign
    sigma: float = 0.7  # log-normal spread of end-to-end time
    amplitude: float = 0.0  # yearly seasonality of volume
    peak_doy: int = 15
    events: tuple[tuple[str, int, float], ...] = ()  # (first day, days, multiplier) one-off surges
    trend: float = 0.0  # growth a year
    active: tuple[str, str] | None = None  # only between these dates
    step: tuple[str, float] | None = None  # from this date, volume x factor (a change in policy)
    follow_ups: bool = True  # can attract failure demand while open
    floor_days: float = 0.0  # minimum end-to-end (e.g. a statutory consultation period)
    chase: str | None = None  # what chasing this nature is called, if not the service's word
    any_hour: bool = False  # the work is done round the clock (emergencies), not in office hours


@dataclass(frozen=True)
class ServiceSpec:
    """One service's demand and flow: originating natures, failure follow-ups and its redesign."""

    service_id: str
    name: str
    purpose_id: str
    handling_minutes: float
    cost_per_hour: float
    weights: str  # which ward weighting (see ward_weights)
    channels_from: dict[str, float]  # channel mix at DEMAND_FROM
    channels_to: dict[str, float]  # channel mix at DATA_TO (linear in between)
    origins: tuple[Origin, ...]
    redesign: date | None
    chase: tuple[str, float, float, float]  # nature, rate a week before/after redesign, grace days
    once: tuple[tuple[str, float, float], ...] = ()  # nature, probability before/after
    rework: tuple[str, float, float, float, float] | None = None  # nature, p before/after, extra days before/after
    complaint: tuple[float, float] = (0.02, 0.01)
    winter_e2e: float = 1.0  # end-to-end x this for cases started Dec-Feb
    e2e_events: tuple[tuple[str, int, float], ...] = ()  # backlogs: cases started then take longer
    app_from: str | None = None  # the app channel opened on this date
    chase_channels: dict[str, float] = field(
        default_factory=lambda: {"phone": 0.62, "email": 0.18, "web": 0.12, "face-to-face": 0.05, "app": 0.03}
    )


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "housing_repairs",
        "Housing repairs",
        "op-housing-repairs",
        7.5,
        28.50,
        "council_homes",
        {"phone": 0.70, "web": 0.12, "email": 0.12, "face-to-face": 0.06, "app": 0.0},
        {"phone": 0.50, "web": 0.20, "email": 0.09, "face-to-face": 0.03, "app": 0.18},
        (
            Origin(
                "Report a repair",
                "value",
                255,
                17,
                7.5,
                0.75,
                0.12,
                20,
                events=(("2022-12-12", 7, 1.5), ("2024-01-01", 7, 2.5), ("2024-01-08", 7, 1.4), ("2024-12-09", 7, 1.8)),
            ),
            Origin(
                "Report no heating or hot water",
                "value",
                26,
                2.0,
                1.0,
                0.8,
                0.85,
                15,
                events=(("2022-12-12", 7, 3.0), ("2022-12-19", 7, 1.8)),
            ),
            Origin("Report damp or mould", "value", 18, 35, 14, 0.6, 0.35, 10, trend=0.06, step=("2025-10-27", 1.9)),
            Origin(
                "Report an emergency repair",
                "value",
                30,
                0.25,
                0.25,
                0.6,
                0.15,
                15,
                events=(("2024-01-01", 7, 3.0), ("2024-12-09", 7, 2.2)),
                follow_ups=False,
                any_hour=True,
            ),
            Origin("Book a repair appointment", "value", 22, 0.0, amplitude=0.05),
        ),
        REDESIGN_REPAIRS,
        ("Progress chasing", 0.13, 0.14, 5),
        (("Missed appointment", 0.10, 0.04),),
        ("Repair not fixed", 0.20, 0.07, 10, 4),
        (0.03, 0.012),
        winter_e2e=1.2,
        e2e_events=(("2024-01-01", 21, 1.4),),
        app_from="2024-02-05",
    ),
    ServiceSpec(
        "benefits",
        "Benefits (Housing Benefit and Council Tax Support)",
        "op-benefits",
        11.0,
        31.20,
        "deprivation",
        {"phone": 0.58, "web": 0.22, "email": 0.10, "face-to-face": 0.10, "app": 0.0},
        {"phone": 0.44, "web": 0.40, "email": 0.10, "face-to-face": 0.06, "app": 0.0},
        (
            Origin(
                "Tell us about a change in circumstances",
                "value",
                215,
                16,
                7,
                0.8,
                0.10,
                95,
                events=(
                    ("2023-03-06", 21, 1.35),
                    ("2024-03-04", 21, 1.35),
                    ("2025-03-03", 21, 1.35),
                    ("2026-03-02", 21, 1.35),
                ),
            ),
            Origin("Make a new claim", "value", 62, 24, 12, 0.6, 0.08, 20),
            Origin("Ask about my council tax support", "value", 55, 0.0, amplitude=0.25, peak_doy=80),
            Origin(
                "Ask about the £150 energy rebate", "value", 90, 0.0, active=("2022-04-01", "2022-09-30"), amplitude=0.0
            ),
        ),
        REDESIGN_BENEFITS,
        ("Progress chasing", 0.17, 0.16, 5),
        (
            ("Asked to send evidence again", 0.28, 0.12),
            ("Don't understand my letter", 0.22, 0.13),
            ("Award wrong: asking for a reconsideration", 0.06, 0.03),
        ),
        None,
        (0.02, 0.01),
        # annual billing and uprating: changes reported in March queue for a few weeks every year
        e2e_events=(("2023-03-06", 28, 1.3), ("2024-03-04", 28, 1.3), ("2025-03-03", 28, 1.3), ("2026-03-02", 28, 1.3)),
    ),
    ServiceSpec(
        "waste",
        "Waste and recycling (Place Teams)",
        "op-waste",
        5.0,
        26.40,
        "households",
        {"phone": 0.58, "web": 0.30, "email": 0.07, "face-to-face": 0.05, "app": 0.0},
        {"phone": 0.38, "web": 0.36, "email": 0.05, "face-to-face": 0.02, "app": 0.19},
        (
            Origin(
                "Report a missed bin",
                "failure",
                88,
                0.8,
                None,
                0.5,
                0.10,
                200,
                chase="Missed bin still not collected",
                events=(
                    ("2022-12-12", 7, 3.2),
                    ("2022-12-19", 7, 1.8),
                    ("2023-06-05", 7, 3.0),
                    ("2023-06-12", 7, 2.0),
                    ("2023-06-19", 7, 1.4),
                    ("2022-12-27", 6, 1.9),
                    ("2023-12-27", 6, 1.9),
                    ("2024-12-27", 6, 1.9),
                    ("2025-12-29", 6, 1.9),
                ),
            ),
            Origin("Bin not returned after collection", "failure", 9, 0.0),
            Origin("Order a new or replacement bin", "value", 66, 8, None, 0.6, 0.10, 100, trend=0.03),
            Origin("Book a bulky waste collection", "value", 38, 9, None, 0.5, 0.25, 130),
            Origin("Subscribe to garden waste collection", "value", 36, 0.0, None, 0.7, 1.0, 70),
            Origin(
                "Ask about my collection day",
                "value",
                40,
                0.0,
                events=(
                    ("2022-12-19", 14, 2.5),
                    ("2023-12-18", 14, 2.5),
                    ("2024-12-16", 14, 2.5),
                    ("2025-12-15", 14, 2.5),
                    ("2023-05-29", 21, 3.0),
                ),
            ),
            Origin("Request an assisted collection", "value", 4, 10, None, 0.5),
        ),
        None,
        ("Progress chasing", 0.3, 0.3, 3),
        (("Complaint about the crew", 0.01, 0.01),),
        None,
        (0.01, 0.01),
        app_from="2024-02-05",
    ),
    ServiceSpec(
        "planning",
        "Planning (Development Management)",
        "op-planning",
        14.0,
        38.00,
        "planning",
        {"phone": 0.40, "web": 0.45, "email": 0.13, "face-to-face": 0.02, "app": 0.0},
        {"phone": 0.30, "web": 0.57, "email": 0.12, "face-to-face": 0.01, "app": 0.0},
        (
            Origin("Submit a householder planning application", "value", 25, 58, 45, 0.28, 0.20, 120, floor_days=22),
            Origin("Submit a minor or other planning application", "value", 14, 72, 60, 0.35, 0.12, 120, floor_days=22),
            Origin("Submit a major planning application", "value", 0.7, 150, 140, 0.4, floor_days=40),
            Origin("Ask for pre-application advice", "value", 7, 21, 18, 0.5, 0.15, 110),
            Origin("Ask a planning question", "value", 24, 0.0, amplitude=0.15, peak_doy=120),
        ),
        REDESIGN_PLANNING,
        ("Progress chasing", 0.10, 0.07, 35),
        (("Asked to send missing information (invalid application)", 0.38, 0.10),),
        None,
        (0.015, 0.01),
    ),
    ServiceSpec(
        "street_scene",
        "Street scene and fly-tipping (Place Teams)",
        "op-street-scene",
        6.0,
        26.40,
        "flytipping",
        {"phone": 0.48, "web": 0.40, "email": 0.08, "face-to-face": 0.04, "app": 0.0},
        {"phone": 0.28, "web": 0.42, "email": 0.05, "face-to-face": 0.01, "app": 0.24},
        (
            Origin(
                "Report fly-tipping",
                "value",
                46,
                4.0,
                1.5,
                0.75,
                0.25,
                200,
                trend=0.04,
                chase="Fly-tip still not cleared",
                events=(
                    ("2023-01-02", 14, 1.6),
                    ("2024-01-02", 14, 1.6),
                    ("2025-01-02", 14, 1.6),
                    ("2026-01-02", 14, 1.6),
                ),
            ),
            Origin("Report litter or a dirty street", "value", 18, 5.0, 2.0, 0.7, 0.15, 190),
            Origin("Report graffiti", "value", 4, 9.0, 4.0, 0.6),
        ),
        REDESIGN_FLYTIPPING,
        ("Progress chasing", 0.45, 0.45, 3),
        (),
        None,
        (0.015, 0.008),
        app_from="2024-02-05",
    ),
    ServiceSpec(
        "housing_options",
        "Housing options and homelessness",
        "op-housing-options",
        22.0,
        33.60,
        "deprivation",
        {"phone": 0.62, "web": 0.15, "email": 0.13, "face-to-face": 0.10, "app": 0.0},
        {"phone": 0.52, "web": 0.25, "email": 0.14, "face-to-face": 0.09, "app": 0.0},
        (
            Origin("Apply to join the housing register", "value", 24, 35, None, 0.5, 0.08, 250, trend=0.05),
            Origin("Threatened with homelessness", "value", 11, 42, None, 0.45, 0.12, 20, trend=0.10),
            Origin("Homeless tonight", "value", 3.2, 60, None, 0.7, 0.15, 10, trend=0.12),
            Origin("Ask for housing advice", "value", 18, 0.0, amplitude=0.05),
        ),
        None,
        ("Progress chasing", 0.12, 0.12, 10),
        (("Asked to send documents again", 0.25, 0.25),),
        None,
        (0.02, 0.02),
    ),
)
SERVICE_INDEX = {s.service_id: i for i, s in enumerate(SERVICES)}


# --------------------------------------------------------------------------------------------
# Geography and demographics
# --------------------------------------------------------------------------------------------
def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to shares that add up to exactly ``total``."""
    raw = shares / shares.sum() * total
    out: np.ndarray = np.floor(raw).astype(np.int64)
    short = total - int(out.sum())
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:short]] += 1
    return out


def ward_demography(rng: np.random.Generator) -> pd.DataFrame:
    """Illustrative ward populations, age bands and households summing to the Census 2021 totals."""
    rows = []
    for key, _code, _name, _short, pop, hh, _lid in COUNCILS:
        members = [w for w in WARDS if w.council == key]
        seats = np.array([w.councillors for w in members], dtype=float)
        # electoral equality: population roughly follows seats, within about +-8%
        shares = seats * rng.uniform(0.92, 1.08, len(members))
        pops = _largest_remainder(shares, pop)
        older = np.array([0.26 if w.rural else 0.20 for w in members]) + rng.normal(0, 0.02, len(members))
        if key == "rbc":
            older -= 0.04
        older += np.array([(w.imd_decile - 5.5) * 0.006 for w in members])
        young = 0.18 + np.array([(5.5 - w.imd_decile) * 0.005 for w in members]) + rng.normal(0, 0.01, len(members))
        hh_size = 2.40 + np.array([(5.5 - w.imd_decile) * -0.01 + (0.06 if w.rural else 0) for w in members])
        households = _largest_remainder(pops / hh_size, hh)
        for w, p, o, y, h in zip(members, pops, older, young, households, strict=True):
            p65 = int(round(p * o))
            p0 = int(round(p * y))
            rows.append(
                {
                    "locality_id": ward_id(w),
                    "population_total": int(p),
                    "population_0_15": p0,
                    "population_16_64": int(p) - p0 - p65,
                    "population_65_plus": p65,
                    "households": int(h),
                    "imd_decile": w.imd_decile,
                }
            )
    return pd.DataFrame(rows)


def ward_weights(demo: pd.DataFrame) -> dict[str, np.ndarray]:
    """Where each service's demand comes from: population weighted, tilted by need or stock."""
    pop = demo["population_total"].to_numpy(float)
    hh = demo["households"].to_numpy(float)
    imd = demo["imd_decile"].to_numpy(float)
    homes = np.array([w.council_homes for w in WARDS])
    rural = np.array([w.rural for w in WARDS], dtype=float)
    need = (11 - imd) ** 1.1
    out = {
        "population": pop,
        "households": hh,
        # Bromsgrove transferred its council homes to a housing association in 2004, so the
        # council's own repairs service only serves Redditch's council tenants.
        "council_homes": hh * homes,
        "deprivation": pop * need,
        "planning": hh * (0.6 + imd / 10) * (1 + 0.3 * rural),
        "flytipping": pop * (need**0.7) * (1 + 0.6 * rural),
    }
    return {k: v / v.sum() for k, v in out.items()}


def geography_tables(demo: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The council, locality and demographic tables."""
    council = pd.DataFrame(
        [
            {
                "council_id": code,
                "name": name,
                "short_name": short,
                "population": pop,
                "households": hh,
                "source": COUNCIL_SOURCE[key],
            }
            for key, code, name, short, pop, hh, _lid in COUNCILS
        ]
    )
    code_of = {key: code for key, code, *_ in COUNCILS}
    lid_of = {key: lid for key, _c, _n, _s, _p, _h, lid in COUNCILS}
    loc: list[dict[str, object]] = [
        {
            "locality_id": "ALL",
            "name": "Bromsgrove and Redditch",
            "kind": "area",
            "parent_id": None,
            "council_id": None,
            "code": None,
            "vintage": None,
            "councillors": None,
        }
    ]
    for key, code, _name, short, _p, _h, lid in COUNCILS:
        loc.append(
            {
                "locality_id": lid,
                "name": short,
                "kind": "council",
                "parent_id": "ALL",
                "council_id": code,
                "code": code,
                "vintage": None,
                "councillors": sum(w.councillors for w in WARDS if w.council == key),
            }
        )
    for lid, name, key in LOCALITIES:
        loc.append(
            {
                "locality_id": lid,
                "name": name,
                "kind": "locality",
                "parent_id": lid_of[key],
                "council_id": code_of[key],
                "code": None,
                "vintage": None,
                "councillors": sum(w.councillors for w in WARDS if w.locality == lid),
            }
        )
    for w in WARDS:
        loc.append(
            {
                "locality_id": ward_id(w),
                "name": w.name,
                "kind": "ward",
                "parent_id": w.locality,
                "council_id": code_of[w.council],
                "code": w.code,
                "vintage": VINTAGE[w.council],
                "councillors": w.councillors,
                "grid_x": w.grid_x,
                "grid_y": w.grid_y,
            }
        )
    locality = pd.DataFrame(loc)
    for col in ("vintage", "councillors", "grid_x", "grid_y"):
        locality[col] = locality[col].astype("Int64")

    src = "illustrative split of Census 2021 council totals"
    long = demo.melt(id_vars="locality_id", var_name="indicator", value_name="value")
    long["year"] = 2021
    long["source"] = np.where(
        long["indicator"] == "imd_decile", "illustrative deprivation decile (not the official IMD)", src
    )
    census = []
    for _key, _code, _n, _s, pop, hh, lid in COUNCILS:
        census += [
            {"locality_id": lid, "indicator": "population_total", "value": pop},
            {"locality_id": lid, "indicator": "households", "value": hh},
        ]
    census += [
        {"locality_id": "ALL", "indicator": "population_total", "value": sum(c[4] for c in COUNCILS)},
        {"locality_id": "ALL", "indicator": "households", "value": sum(c[5] for c in COUNCILS)},
    ]
    census_df = pd.DataFrame(census)
    census_df["year"] = 2021
    census_df["source"] = "ONS Census 2021 council totals (see council.source)"
    demographic = pd.concat([long, census_df], ignore_index=True)[
        ["locality_id", "year", "indicator", "value", "source"]
    ]
    demographic["value"] = demographic["value"].astype(float)
    return council, locality, demographic


# --------------------------------------------------------------------------------------------
# Case-level simulation
# --------------------------------------------------------------------------------------------
def _office_tod(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight for a staffed channel: 08:30-17:00, busiest mid-morning."""
    morning = rng.random(n) < 0.68
    t = np.where(morning, rng.normal(10.9, 1.3, n), rng.normal(14.4, 1.2, n))
    return (np.clip(t, 8.5, 16.98) * 3600).astype(np.int64)


def _online_tod(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight for web, email and app: daytime peak, evening peak, a few at night."""
    u = rng.random(n)
    t = np.where(
        u < 0.58, rng.normal(11.5, 2.4, n), np.where(u < 0.92, rng.normal(19.5, 1.8, n), rng.uniform(0, 24, n))
    )
    return (np.mod(t, 24) * 3600).astype(np.int64)


def _tod(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    office = OFFICE[channel]
    return np.where(office, _office_tod(rng, len(channel)), _online_tod(rng, len(channel)))


def _channel_mix(spec: ServiceSpec, cal: Calendar) -> np.ndarray:
    """Channel shares per day (days x channels), moving linearly from the 2022 to the 2026 mix."""
    a = np.array([spec.channels_from[c] for c in CHANNELS])
    b = np.array([spec.channels_to[c] for c in CHANNELS])
    span = (DATA_TO - DEMAND_FROM).days
    f = np.clip((np.arange(CAL_DAYS) - WARMUP_DAYS) / span, 0, 1)[:, None]
    mix = a + (b - a) * f
    if spec.app_from:
        mix[: cal.index(spec.app_from), CHANNELS.index("app")] = 0.0
    shares: np.ndarray = mix / mix.sum(axis=1, keepdims=True)
    return shares


def _window_multiplier(cal: Calendar, events: tuple[tuple[str, int, float], ...]) -> np.ndarray:
    m = np.ones(CAL_DAYS)
    for start, days, mult in events:
        i = cal.index(start)
        m[max(i, 0) : max(i + days, 0)] *= mult
    return m


def _dow_factor(cal: Calendar) -> np.ndarray:
    """Days x channels: day-of-week pattern, closed on bank holidays, catch-up the day after."""
    f = DOW[:, cal.weekday].T / DOW.mean(axis=1)
    closed = cal.holiday[:, None] & OFFICE[None, :]
    f = np.where(closed, 0.0, f)
    f = np.where(cal.holiday[:, None] & ~OFFICE[None, :], f * 0.7, f)
    after = np.r_[False, cal.holiday[:-1]] & cal.working
    f[after] *= np.where(OFFICE, 1.6, 1.0)
    # Christmas to New Year: quieter for everything
    xmas = ((cal.month == 12) & (cal.dates.day.to_numpy() >= 24)) | ((cal.month == 1) & (cal.dates.day.to_numpy() == 1))
    f[xmas] *= 0.6
    # telephony platform failure 11-13 March 2025: calls could not get through; some came back later
    out = cal.index("2025-03-11")
    f[out : out + 3, CHANNELS.index("phone")] *= 0.25
    f[out + 3, CHANNELS.index("phone")] *= 1.5
    f[out : out + 3, CHANNELS.index("web")] *= 1.4
    return f


def _follow_up_keep(cal: Calendar) -> np.ndarray:
    """Days x channels: the chance a follow-up contact is made at all (quiet Christmas, the phone outage)."""
    keep = np.ones((CAL_DAYS, len(CHANNELS)))
    day = cal.dates.day.to_numpy()
    xmas = ((cal.month == 12) & (day >= 24)) | ((cal.month == 1) & (day == 1))
    keep[xmas] = 0.6
    out = cal.index("2025-03-11")
    keep[out : out + 3, CHANNELS.index("phone")] = 0.25
    return keep


def _snap_office(rng: np.random.Generator, cal: Calendar, t: np.ndarray) -> np.ndarray:
    """Move times onto a working day in office hours (staffed contacts and officers' work)."""
    day = np.minimum(t // 86400, CAL_DAYS - 1)
    nd = cal.next_working[day]
    snapped: np.ndarray = nd * 86400 + _office_tod(rng, len(t))
    return snapped


def simulate_service(
    spec: ServiceSpec, cal: Calendar, weights: dict[str, np.ndarray], rng: np.random.Generator, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases and contacts of one service; times are seconds after SIM_FROM, ids are local."""
    last_day = (DATA_TO - SIM_FROM).days
    mix = _channel_mix(spec, cal)
    dow = _dow_factor(cal)
    keep = _follow_up_keep(cal)
    p_ward = weights[spec.weights]
    redesign_s = (spec.redesign - SIM_FROM).days * 86400 if spec.redesign else None

    days_l, chan_l, nat_l = [], [], []
    for k, o in enumerate(spec.origins):
        lam = (
            o.per_week
            / 7.0
            * scale
            * cos_season(cal.doy, o.amplitude, o.peak_doy)
            * (1 + o.trend) ** cal.years
            * _window_multiplier(cal, o.events)
        )
        if o.active:
            on = np.zeros(CAL_DAYS, bool)
            on[max(cal.index(o.active[0]), 0) : cal.index(o.active[1]) + 1] = True
            lam = lam * on
        if o.step:
            lam[max(cal.index(o.step[0]), 0) :] *= o.step[1]
        lam[last_day + 1 :] = 0.0
        lam2 = lam[:, None] * mix * dow
        counts = rng.poisson(lam2)
        d_idx, c_idx = np.nonzero(counts)
        reps = counts[d_idx, c_idx]
        days_l.append(np.repeat(d_idx, reps))
        chan_l.append(np.repeat(c_idx, reps))
        nat_l.append(np.full(int(reps.sum()), k))
    day = np.concatenate(days_l)
    chan = np.concatenate(chan_l)
    nat = np.concatenate(nat_l)
    n = len(day)
    start = day.astype(np.int64) * 86400 + _tod(rng, chan)
    ward = rng.choice(len(WARDS), size=n, p=p_ward)

    med_before = np.array([o.median_days for o in spec.origins])[nat]
    med_after = np.array([o.median_after if o.median_after is not None else o.median_days for o in spec.origins])[nat]
    after = np.zeros(n, bool) if redesign_s is None else start >= redesign_s
    median = np.where(after, med_after, med_before)
    winter = np.isin(cal.month[day], (12, 1, 2))
    median = median * np.where(winter, spec.winter_e2e, 1.0) * _window_multiplier(cal, spec.e2e_events)[day]
    sigma = np.array([o.sigma for o in spec.origins])[nat]
    floor = np.array([o.floor_days for o in spec.origins])[nat]
    instant = median <= 0
    follows = np.array([o.follow_ups for o in spec.origins])[nat] & ~instant
    base = np.where(instant, 0.0, np.maximum(median * np.exp(sigma * rng.standard_normal(n)), floor))

    # rework: the work was "done" but was not right; the customer rings back and it is redone
    rework_t = np.full(n, -1, np.int64)
    extra = np.zeros(n)
    if spec.rework:
        _, p0, p1, x0, x1 = spec.rework
        hit = follows & (rng.random(n) < np.where(after, p1, p0))
        extra = np.where(hit, np.where(after, x1, x0) * np.exp(0.6 * rng.standard_normal(n)), 0.0)
        rework_t = np.where(
            hit, start + (base * 86400).astype(np.int64) + (rng.uniform(0.3, 3.0, n) * 86400).astype(np.int64), -1
        )
    dur = base + extra
    done = start + (dur * 86400).astype(np.int64)
    snapped = _snap_office(rng, cal, done)
    any_hour = np.array([o.any_hour for o in spec.origins])[nat]
    snapped = np.where(any_hour, done, snapped)
    done = np.where(instant, start + rng.integers(180, 1500, n), np.maximum(snapped, start + 600))
    done = np.where(instant | (done >= start + 600), done, start + 600)

    cases = pd.DataFrame(
        {"local": np.arange(n), "ward": ward, "channel": chan, "nature_k": nat, "started": start, "completed": done}
    )
    cases["nature"] = np.array([o.nature for o in spec.origins], dtype=object)[nat]

    # originating contacts
    parts = [
        pd.DataFrame(
            {
                "case": np.arange(n),
                "ward": ward,
                "channel": chan,
                "received": start,
                "demand_type": np.array([o.demand_type for o in spec.origins], dtype=object)[nat],
                "nature": cases["nature"].to_numpy(),
            }
        )
    ]

    open_end = np.minimum(done, CUTOFF)
    span = np.maximum(open_end - start, 0)
    chase_mix = np.array([spec.chase_channels.get(c, 0.0) for c in CHANNELS])

    def follow(case_idx: np.ndarray, t: np.ndarray, nature: str | np.ndarray) -> None:
        if len(case_idx) == 0:
            return
        ch = rng.choice(len(CHANNELS), size=len(case_idx), p=chase_mix / chase_mix.sum())
        if spec.app_from:
            no_app = (ch == CHANNELS.index("app")) & (t < cal.index(spec.app_from) * 86400)
            ch = np.where(no_app, 0, ch)
        office = OFFICE[ch]
        snapped_t = _snap_office(rng, cal, t)
        online_t = (t // 86400) * 86400 + _online_tod(rng, len(t))
        tt = np.where(office, snapped_t, online_t)
        # a follow-up cannot come before the case began: later that day online, next working day by phone
        early = tt <= start[case_idx]
        next_day = cal.next_working[np.minimum(start[case_idx] // 86400 + 1, CAL_DAYS - 1)] * 86400
        tt = np.where(early & office, next_day + _office_tod(rng, len(t)), tt)
        tt = np.where(early & ~office, start[case_idx] + rng.integers(600, 7200, len(t)), tt)
        made = rng.random(len(tt)) < keep[np.minimum(tt // 86400, CAL_DAYS - 1), ch]
        case_idx, ch, tt = case_idx[made], ch[made], tt[made]
        if not isinstance(nature, str):
            nature = nature[made]
        parts.append(
            pd.DataFrame(
                {
                    "case": case_idx,
                    "ward": ward[case_idx],
                    "channel": ch,
                    "received": tt,
                    "demand_type": "failure",
                    "nature": nature,
                }
            )
        )

    # progress chasing while the case is open, after a grace period
    label, r0, r1, grace = spec.chase
    open_days = span / 86400
    lam = np.where(follows, np.where(after, r1, r0) * np.maximum(open_days - grace, 0) / 7.0, 0.0)
    chases = np.minimum(rng.poisson(lam), 10)
    ci = np.repeat(np.arange(n), chases)
    t = start[ci] + (grace * 86400 + rng.random(len(ci)) * np.maximum(span[ci] - grace * 86400, 0)).astype(np.int64)
    chase_labels = np.array([o.chase or label for o in spec.origins], dtype=object)
    follow(ci, t, chase_labels[nat[ci]])
    # one-off failures during the case
    for label, p0, p1 in spec.once:
        hit = follows & (rng.random(n) < np.where(after, p1, p0))
        ci = np.nonzero(hit)[0]
        follow(ci, start[ci] + (rng.uniform(0.1, 0.9, len(ci)) * span[ci]).astype(np.int64), label)
    if spec.rework:
        ci = np.nonzero(rework_t >= 0)[0]
        follow(ci, rework_t[ci], spec.rework[0])
    # complaints: likelier the longer the customer waits
    c0, c1 = spec.complaint
    ref = np.maximum(np.where(after, med_after, med_before), 1.0)
    p = np.where(after, c1, c0) * np.clip(open_days / ref, 0.3, 4.0)
    hit = follows & (rng.random(n) < p)
    ci = np.nonzero(hit)[0]
    follow(ci, start[ci] + (rng.uniform(0.5, 1.0, len(ci)) * span[ci]).astype(np.int64), "Complaint")

    contacts = pd.concat(parts, ignore_index=True)
    contacts = contacts[contacts["received"] <= CUTOFF]
    # ~3% of chasing contacts are logged without the case reference
    unlinked = np.isin(contacts["nature"].to_numpy(), list(set(chase_labels))) & (rng.random(len(contacts)) < 0.03)
    contacts["case"] = contacts["case"].where(~unlinked, -1)
    return cases, contacts


def simulate_cases(
    cal: Calendar, weights: dict[str, np.ndarray], seed: int, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """work_case and demand for every service, with global ids in time order."""
    window = (DEMAND_FROM - SIM_FROM).days * 86400
    all_cases, all_contacts = [], []
    for i, spec in enumerate(SERVICES):
        rng = np.random.default_rng([seed, 1000 + i])
        cases, contacts = simulate_service(spec, cal, weights, rng, scale)
        # keep cases still running when records begin, and everything after
        keep = (cases["started"] >= window) | (cases["completed"] >= window)
        cases = cases[keep]
        contacts = contacts[
            (contacts["received"] >= window) & (contacts["case"].isin(cases["local"]) | (contacts["case"] < 0))
        ]
        cases = cases.assign(svc=i)
        contacts = contacts.assign(svc=i)
        all_cases.append(cases)
        all_contacts.append(contacts)
    cases = pd.concat(all_cases, ignore_index=True)
    contacts = pd.concat(all_contacts, ignore_index=True)

    order = np.lexsort((cases["local"].to_numpy(), cases["svc"].to_numpy(), cases["started"].to_numpy()))
    cases = cases.iloc[order].reset_index(drop=True)
    cases["case_id"] = np.arange(1, len(cases) + 1, dtype=np.int64)
    key = cases["svc"].to_numpy().astype(np.int64) * 10_000_000 + cases["local"].to_numpy()
    lookup = pd.Series(cases["case_id"].to_numpy(), index=key)
    ckey = contacts["svc"].to_numpy().astype(np.int64) * 10_000_000 + contacts["case"].to_numpy()
    linked = contacts["case"].to_numpy() >= 0
    cid = np.full(len(contacts), -1, np.int64)
    cid[linked] = lookup.reindex(ckey[linked]).to_numpy()
    contacts["case_id"] = cid
    order = np.lexsort((cid, contacts["svc"].to_numpy(), contacts["received"].to_numpy()))
    contacts = contacts.iloc[order].reset_index(drop=True)
    cid = contacts["case_id"].to_numpy()

    base = np.datetime64(SIM_FROM.isoformat(), "s")
    sid = np.array([s.service_id for s in SERVICES], dtype=object)
    wid = np.array(WARD_IDS, dtype=object)
    chn = np.array(CHANNELS, dtype=object)

    def ts(sec: np.ndarray) -> np.ndarray:
        return base + (sec // 60 * 60).astype("timedelta64[s]")

    completed = cases["completed"].to_numpy()
    work_case = pd.DataFrame(
        {
            "case_id": cases["case_id"].to_numpy(),
            "service_id": sid[cases["svc"].to_numpy()],
            "locality_id": wid[cases["ward"].to_numpy()],
            "channel": chn[cases["channel"].to_numpy()],
            "nature": cases["nature"].to_numpy(),
            "started_at": ts(cases["started"].to_numpy()),
            "completed_at": pd.Series(ts(completed)).where(completed <= CUTOFF),
        }
    )
    demand = pd.DataFrame(
        {
            "demand_id": np.arange(1, len(contacts) + 1, dtype=np.int64),
            "service_id": sid[contacts["svc"].to_numpy()],
            "locality_id": wid[contacts["ward"].to_numpy()],
            "channel": chn[contacts["channel"].to_numpy()],
            "received_at": ts(contacts["received"].to_numpy()),
            "demand_type": contacts["demand_type"].to_numpy(),
            "nature": contacts["nature"].to_numpy(),
            "case_id": pd.array(cid, dtype="Int64"),  # -1 marks a contact logged without a case reference
        }
    )
    demand.loc[cid < 0, "case_id"] = pd.NA
    return work_case, demand


# --------------------------------------------------------------------------------------------
# Purposes, services, measures
# --------------------------------------------------------------------------------------------
TYPO_NOTE = (
    "Worded as in the Bromsgrove Corporate Performance Strategy (2016), whose draft reads "
    "'Help me to financially independent'; the missing 'be' is restored here."
)
STRATEGIC = (
    # id, name, portfolio, description
    (
        "sp-live",
        "Help me to find somewhere to live in my locality",
        "Housing and Health",
        "A home that is affordable, decent and near the people and places that matter to me.",
    ),
    (
        "sp-business",
        "Help me run a successful business",
        "Economic Development, Regeneration and Town Centres",
        "Start, grow and keep a business here with the council's help, not in spite of it.",
    ),
    (
        "sp-financial",
        "Help me to be financially independent",
        "Finance and Governance",
        "The right money at the right time, and help to manage what I owe. " + TYPO_NOTE,
    ),
    (
        "sp-independent",
        "Help me to live my life independently",
        "Health, Well-being and Community Services",
        "Stay safe, well and in control at home for as long as I want to.",
    ),
    (
        "sp-things-to-do",
        "Provide good things for me to do, see and visit",
        "Leisure, Culture and Climate Change",
        "Leisure centres, parks, events and culture worth leaving the house for.",
    ),
    (
        "sp-place",
        "Keep my place safe and looking good",
        "Environmental Services and Community Safety",
        "Clean streets, bins collected when you say, safe food and neighbourhoods.",
    ),
    (
        "sp-enabling",
        "Enable others to work/do what they need to do (to meet their purpose)",
        "Resources and Enabling",
        "Internal services (customer access, HR, ICT, finance, information) that help front-line services meet "
        "their purpose. Reported as 'Enabling'.",
    ),
)
OPERATIONAL = (
    # id, parent, name, service, team
    (
        "op-housing-repairs",
        "sp-live",
        "Fix my home right, first time, at a time that suits me",
        "Housing Property Services (Redditch)",
        "Housing Repairs",
    ),
    (
        "op-housing-options",
        "sp-live",
        "Help me find a home, and keep the one I have",
        "Strategic Housing",
        "Housing Options and Homelessness",
    ),
    (
        "op-business",
        "sp-business",
        "Help me start, grow and pay for my business simply",
        "Economic Development and Revenues",
        "Business Support and Business Rates",
    ),
    (
        "op-planning",
        "sp-business",
        "Give me a sound decision on my plans as quickly as possible",
        "Planning and Regeneration",
        "Development Management",
    ),
    (
        "op-benefits",
        "sp-financial",
        "Pay me the right benefit, at the right time, first time",
        "Revenues and Benefits",
        "Benefits",
    ),
    (
        "op-lifeline",
        "sp-independent",
        "Help me stay safe and independent in my own home",
        "Community Services",
        "Lifeline and Home Adaptations",
    ),
    (
        "op-leisure",
        "sp-things-to-do",
        "Give me good places to be active, at times that suit me",
        "Leisure and Cultural Services",
        "Leisure Centres and Parks",
    ),
    (
        "op-waste",
        "sp-place",
        "Collect my bins when you say you will",
        "Environmental Services",
        "Place Teams: Waste and Recycling",
    ),
    (
        "op-street-scene",
        "sp-place",
        "Keep my street clean and clear fly-tipping quickly",
        "Environmental Services",
        "Place Teams: Street Scene",
    ),
    (
        "op-env-health",
        "sp-place",
        "Keep the food I eat and the place I live safe and quiet",
        "Regulatory Services",
        "Environmental Health",
    ),
    (
        "op-revenues",
        "sp-enabling",
        "Help me pay what I owe, simply, so services are funded",
        "Revenues and Benefits",
        "Revenues (Council Tax)",
    ),
    (
        "op-customer",
        "sp-enabling",
        "Get me to the right help at my first contact",
        "Customer Access and Financial Support",
        "Customer Services",
    ),
    (
        "op-hr",
        "sp-enabling",
        "Help colleagues be well and at work",
        "Business Transformation and Organisational Development",
        "HR and OD",
    ),
    (
        "op-ict",
        "sp-enabling",
        "Keep the systems working for the people who use them",
        "Business Transformation and Organisational Development",
        "ICT",
    ),
    (
        "op-governance",
        "sp-enabling",
        "Answer my request for information openly and on time",
        "Legal, Democratic and Property Services",
        "Information Management",
    ),
)


def purpose_table() -> pd.DataFrame:
    """Seven strategic purposes (worded as in seed 001) and the operational purposes under them."""
    rows = []
    portfolio = {}
    for i, (pid, name, port, desc) in enumerate(STRATEGIC, start=1):
        portfolio[pid] = port
        rows.append(
            {
                "purpose_id": pid,
                "name": name,
                "kind": "strategic",
                "parent_id": None,
                "portfolio": port,
                "service": None,
                "team": None,
                "description": desc,
                "sort_order": i,
            }
        )
    for i, (pid, parent, name, service, team) in enumerate(OPERATIONAL, start=1):
        rows.append(
            {
                "purpose_id": pid,
                "name": name,
                "kind": "operational",
                "parent_id": parent,
                "portfolio": portfolio[parent],
                "service": service,
                "team": team,
                "description": f"Operational purpose of {team} ({service}), from the customer's point of view.",
                "sort_order": 100 + i,
            }
        )
    return pd.DataFrame(rows)


def service_table() -> pd.DataFrame:
    """Services with case-level demand, with the handling time and cost used to price failure demand."""
    return pd.DataFrame(
        [
            {
                "service_id": s.service_id,
                "name": s.name,
                "purpose_id": s.purpose_id,
                "handling_minutes": s.handling_minutes,
                "cost_per_hour": s.cost_per_hour,
            }
            for s in SERVICES
        ]
    )


# Data-quality notes by where the figures come from; each measure adds its own 'relevant' and
# 'well defined' sentences (Bromsgrove strategy, section 6).
DQ_SOURCES = {
    "case": dict(
        source="Customer contact records (CRM) and the service's case-management system; automated extract",
        timely="Extracted automatically overnight; each period is on the dashboard the next working day.",
        reliable="Every contact is logged by whoever takes it using categories agreed with the team during Check.",
        verifiable="Every figure can be traced back to individual contact and case records.",
        accurate="About 3% of chasing contacts are logged without a case reference; they count as demand but "
        "cannot be linked to a case.",
    ),
    "finance": dict(
        source="Revenues system (Northgate) month-end reports",
        timely="Available on the third working day of the following month.",
        reliable="Reconciled to the general ledger every month by Finance.",
        verifiable="Audited annually; working papers kept by the Revenues team.",
        accurate="Accurate to the pound; late refunds can move the figure by up to 0.1 points.",
    ),
    "manual": dict(
        source="Monthly return from the service team (spreadsheet)",
        timely="Due by the fifth working day of the following month; occasionally late.",
        reliable="Compiled by hand from the team's records, so it depends on one or two people.",
        verifiable="Supporting records are kept by the team and can be sampled by the Policy Team.",
        accurate="Good enough to see the pattern over time; small corrections are sometimes made a month later.",
    ),
    "system": dict(
        source="Operational system report (monitoring / booking system)",
        timely="Produced automatically at month end.",
        reliable="System-generated, so consistent from period to period.",
        verifiable="Reports can be re-run for any past period.",
        accurate="Depends on staff recording outcomes promptly; checked quarterly against a sample.",
    ),
}


@dataclass(frozen=True)
class MeasureDef:
    """One measure's catalogue entry; ``computed`` says whether it comes from the case tables."""

    measure_id: str
    name: str
    purpose_id: str
    kind: str
    unit: str
    frequency: str
    improvement: str
    aggregation: str
    owner: str
    definition: str
    relevant: str
    well_defined: str
    source_kind: str
    by_locality: bool = False
    target: float | None = None
    published: bool = True
    decimals: int = 0


MEASURES: tuple[MeasureDef, ...] = (
    # --- Help me to find somewhere to live in my locality
    MeasureDef(
        "repairs-demand",
        "Housing repair contacts",
        "op-housing-repairs",
        "operational",
        "contacts",
        "week",
        "neutral",
        "sum",
        "Housing Property Services Manager (Dee Hartley)",
        "Every contact from a council tenant about a repair (phone, web, email, app or at a counter) in the "
        "week, Monday to Sunday; value and failure demand together. Redditch only: Bromsgrove's council homes "
        "were transferred to a housing association in 2004.",
        "Shows how much the repairs system is asked to do, and how much of that it causes itself.",
        "A contact is one customer interaction, however short; a repeat call is counted again.",
        "case",
        by_locality=True,
    ),
    MeasureDef(
        "repairs-failure-demand",
        "Housing repairs: failure demand",
        "op-housing-repairs",
        "operational",
        "%",
        "week",
        "down",
        "ratio",
        "Housing Property Services Manager (Dee Hartley)",
        "Contacts caused by a failure to do something, or to do it right, for the tenant (progress chasing, "
        "'repair not fixed', missed appointments, complaints) as a percentage of all repair contacts in the week.",
        "Failure demand is waste the tenant feels directly; it is the clearest sign the system is not working.",
        "Value and failure demand are classified at the point of contact using the list agreed in Check.",
        "case",
        by_locality=True,
        decimals=1,
    ),
    MeasureDef(
        "repairs-end-to-end",
        "Housing repairs: end-to-end time",
        "op-housing-repairs",
        "operational",
        "days",
        "week",
        "down",
        "mean",
        "Housing Property Services Manager (Dee Hartley)",
        "Median calendar days from the tenant's first contact to the repair being finished to the tenant's "
        "satisfaction, for responsive and damp-and-mould repairs completed in the week (emergencies excluded).",
        "End-to-end time from the tenant's point of view is what matters to them, not our internal stages.",
        "The clock starts at first contact and stops when the job is finished and not reported again.",
        "case",
        decimals=1,
    ),
    MeasureDef(
        "repairs-right-first-time",
        "Housing repairs fixed first time",
        "op-housing-repairs",
        "operational",
        "%",
        "month",
        "up",
        "ratio",
        "Housing Property Services Manager (Dee Hartley)",
        "Repairs completed in the month where the tenant did not have to tell us the repair was not fixed, "
        "as a percentage of repairs completed.",
        "A repair that has to be redone costs the tenant time and the council money.",
        "Counted from 'repair not fixed' contacts linked to the case; unlinked reports are missed.",
        "case",
        by_locality=True,
        decimals=1,
    ),
    MeasureDef(
        "housing-register-days",
        "Housing register applications: days to decision",
        "op-housing-options",
        "operational",
        "days",
        "month",
        "down",
        "mean",
        "Housing Options Manager (Priya Sandhu)",
        "Median calendar days from an applicant's first contact to the decision on their housing register "
        "application, for decisions made in the month.",
        "Applicants cannot bid for a home until they know where they stand.",
        "New measure: whether the clock stops at the decision or the letter is still being agreed.",
        "case",
        published=False,
    ),
    MeasureDef(
        "homeless-approaches",
        "Homelessness approaches",
        "op-housing-options",
        "operational",
        "households",
        "month",
        "neutral",
        "sum",
        "Housing Options Manager (Priya Sandhu)",
        "Households who contacted the council in the month because they were homeless or threatened with "
        "homelessness within 56 days.",
        "Shows the demand on the prevention duty and where it comes from.",
        "One approach per household per episode; repeat contacts about the same episode are not counted.",
        "case",
        by_locality=True,
    ),
    MeasureDef(
        "homeless-preventions",
        "Homelessness prevented or relieved",
        "sp-live",
        "strategic",
        "households",
        "month",
        "up",
        "sum",
        "Head of Housing (Marcus Bell)",
        "Households whose homelessness was prevented (they kept their home or moved in a planned way) or "
        "relieved (helped into settled accommodation) in the month.",
        "Directly measures whether we helped people find or keep somewhere to live.",
        "Outcomes as recorded for the government's H-CLIC return.",
        "case",
    ),
    MeasureDef(
        "temp-accommodation",
        "Households in temporary accommodation",
        "sp-live",
        "strategic",
        "households",
        "month",
        "down",
        "sum",
        "Head of Housing (Marcus Bell)",
        "Households living in temporary accommodation arranged by the council on the last day of the month.",
        "Temporary accommodation is unsettling for families and expensive for the council.",
        "A snapshot on the last day of the month; a household is counted once.",
        "manual",
    ),
    MeasureDef(
        "affordable-homes",
        "Affordable homes delivered",
        "sp-live",
        "strategic",
        "homes",
        "quarter",
        "up",
        "sum",
        "Strategic Housing Manager (Eleanor Grant)",
        "New affordable homes (social rent, affordable rent and shared ownership) completed in the quarter.",
        "More affordable homes means more people can live in the place they call home.",
        "Counted at practical completion, as reported by registered providers.",
        "manual",
    ),
    # --- Help me run a successful business
    MeasureDef(
        "nndr-collection",
        "Business rates collected",
        "sp-business",
        "strategic",
        "%",
        "month",
        "up",
        "ratio",
        "Revenues Manager (Claire Dunmore)",
        "Business rates collected in the month as a percentage of the amount due in the month.",
        "Rates paid on time mean businesses avoid costs and the council funds local services.",
        "Amount due is the instalments falling due in the month after reliefs.",
        "finance",
        target=98.0,
        decimals=1,
    ),
    MeasureDef(
        "business-startups",
        "New businesses supported to start",
        "sp-business",
        "strategic",
        "businesses",
        "quarter",
        "up",
        "sum",
        "Economic Development Manager (Owen Price)",
        "Businesses that started trading in the quarter after support from the council or its partners.",
        "A simple sign that people who want to run a business here are getting going.",
        "Counted when the business confirms it has started trading.",
        "manual",
    ),
    MeasureDef(
        "planning-applications",
        "Planning applications received",
        "op-planning",
        "operational",
        "applications",
        "month",
        "neutral",
        "sum",
        "Development Management Manager (Ruth Adeyemi)",
        "Householder, minor, other and major planning applications received in the month.",
        "The demand on the planning system.",
        "Counted on the day the application arrives, valid or not.",
        "case",
        by_locality=True,
    ),
    MeasureDef(
        "planning-householder-days",
        "Householder applications: end-to-end time",
        "op-planning",
        "operational",
        "days",
        "month",
        "down",
        "mean",
        "Development Management Manager (Ruth Adeyemi)",
        "Median calendar days from a householder application arriving to the decision being issued, for "
        "decisions issued in the month. The target is the 8-week (56-day) statutory period.",
        "Householders care about when they can start work, not whether we met a statutory clock.",
        "The clock starts when the application first arrives, not when it is made valid.",
        "case",
        target=56.0,
    ),
    MeasureDef(
        "planning-failure-demand",
        "Planning: failure demand",
        "op-planning",
        "operational",
        "%",
        "month",
        "down",
        "ratio",
        "Development Management Manager (Ruth Adeyemi)",
        "Planning contacts caused by a failure (chasing, being asked again for missing information, "
        "complaints) as a percentage of all planning contacts in the month.",
        "Chasing and invalid-application loops slow every decision down.",
        "Classified at the point of contact using the list agreed in Check.",
        "case",
        decimals=1,
    ),
    # --- Help me to be financially independent
    MeasureDef(
        "benefits-demand",
        "Benefits contacts",
        "op-benefits",
        "operational",
        "contacts",
        "week",
        "neutral",
        "sum",
        "Benefits Manager (Tom Whitfield)",
        "Every contact about Housing Benefit or Council Tax Support in the week, value and failure demand.",
        "Shows what customers ask of the benefits system and when.",
        "A contact is one customer interaction; a repeat call is counted again.",
        "case",
        by_locality=True,
    ),
    MeasureDef(
        "benefits-failure-demand",
        "Benefits: failure demand",
        "op-benefits",
        "operational",
        "%",
        "week",
        "down",
        "ratio",
        "Benefits Manager (Tom Whitfield)",
        "Contacts caused by a failure (chasing, being asked for evidence again, letters not understood, wrong "
        "awards, complaints) as a percentage of all benefits contacts in the week.",
        "Every failure contact is a customer waiting for money they need.",
        "Classified at the point of contact using the list agreed in Check.",
        "case",
        by_locality=True,
        decimals=1,
    ),
    MeasureDef(
        "benefits-change-days",
        "Change of circumstances: end-to-end time",
        "op-benefits",
        "operational",
        "days",
        "week",
        "down",
        "mean",
        "Benefits Manager (Tom Whitfield)",
        "Median calendar days from the customer telling us about a change to the correct award being made, "
        "for changes completed in the week.",
        "Late changes mean overpayments to pay back or hardship while people wait.",
        "The clock starts at first contact, not when the last piece of evidence arrives.",
        "case",
        decimals=1,
    ),
    MeasureDef(
        "benefits-new-claim-days",
        "New benefit claims: end-to-end time",
        "op-benefits",
        "operational",
        "days",
        "month",
        "down",
        "mean",
        "Benefits Manager (Tom Whitfield)",
        "Median calendar days from first contact to decision for new Housing Benefit and Council Tax Support "
        "claims decided in the month.",
        "People claiming for the first time are often in crisis.",
        "The clock starts at first contact, not when the claim form is complete.",
        "case",
        decimals=1,
    ),
    MeasureDef(
        "ctr-caseload",
        "Households receiving Council Tax Support",
        "sp-financial",
        "strategic",
        "households",
        "month",
        "neutral",
        "sum",
        "Head of Revenues and Benefits (Janet Morley)",
        "Households receiving Council Tax Support on the last day of the month.",
        "Shows how many households need help to pay council tax.",
        "Snapshot from the benefits system on the last day of the month.",
        "finance",
    ),
    # --- Help me to live my life independently
    MeasureDef(
        "lifeline-answered",
        "Lifeline calls answered within 60 seconds",
        "op-lifeline",
        "operational",
        "%",
        "month",
        "up",
        "ratio",
        "Lifeline Manager (Angela Morris)",
        "Alarm calls from Lifeline customers answered by an operator within 60 seconds, as a percentage of "
        "all alarm calls in the month.",
        "Someone who has fallen needs to hear a voice quickly.",
        "Timed by the call-handling platform from the first ring.",
        "system",
        target=97.5,
        decimals=1,
    ),
    MeasureDef(
        "dfg-days",
        "Home adaptations (Disabled Facilities Grants): end-to-end time",
        "sp-independent",
        "strategic",
        "days",
        "quarter",
        "down",
        "mean",
        "Lifeline Manager (Angela Morris)",
        "Average calendar days from a resident's first contact to their adaptation being finished, for "
        "adaptations completed in the quarter.",
        "An adaptation that arrives months late may arrive after the person has had to move.",
        "Includes the Occupational Therapist's assessment, which is outside the council's control.",
        "manual",
    ),
    # --- Provide good things for me to do, see and visit
    MeasureDef(
        "leisure-visits",
        "Leisure centre visits",
        "sp-things-to-do",
        "strategic",
        "visits",
        "month",
        "up",
        "sum",
        "Leisure Services Manager (Jonathan Reeve)",
        "Visits to the council's leisure centres and pools in the month, counted at the entry gates.",
        "People using the centres is the simplest sign they are worth visiting.",
        "A visit is one entry through the gates; members and casual users alike.",
        "system",
    ),
    # --- Keep my place safe and looking good
    MeasureDef(
        "missed-bins",
        "Missed bin reports",
        "op-waste",
        "operational",
        "reports",
        "week",
        "down",
        "sum",
        "Place Team Manager, Waste (Gary Lomas)",
        "Reports from residents that their bin (refuse, recycling or garden) was not collected on the day, "
        "received in the week.",
        "A missed bin is the service failing at the one thing residents expect of it.",
        "One report per household per collection; duplicate reports are kept as chasing.",
        "case",
        by_locality=True,
    ),
    MeasureDef(
        "waste-failure-demand",
        "Waste and recycling: failure demand",
        "op-waste",
        "operational",
        "%",
        "week",
        "down",
        "ratio",
        "Place Team Manager, Waste (Gary Lomas)",
        "Contacts caused by a failure (missed bins, bins not returned, chasing, complaints) as a percentage "
        "of all waste and recycling contacts in the week.",
        "Shows how much of the contact centre's waste work is caused by the service itself.",
        "Classified at the point of contact using the list agreed in Check.",
        "case",
        by_locality=True,
        decimals=1,
    ),
    MeasureDef(
        "missed-bins-put-right",
        "Missed bins collected within 2 days",
        "op-waste",
        "operational",
        "%",
        "month",
        "up",
        "ratio",
        "Place Team Manager, Waste (Gary Lomas)",
        "Missed bins collected within 48 hours of the report, as a percentage of missed bins put right in the month.",
        "Residents want the bin emptied, not an apology.",
        "Measured from the report to the crew confirming collection in the in-cab system.",
        "case",
        decimals=1,
    ),
    MeasureDef(
        "recycling-rate",
        "Household waste recycled or composted",
        "sp-place",
        "strategic",
        "%",
        "quarter",
        "up",
        "ratio",
        "Head of Environmental Services (Simon Ward)",
        "Tonnes of household waste sent for reuse, recycling or composting as a percentage of all household "
        "waste collected in the quarter.",
        "Recycling keeps the place looking good and costs less than disposal.",
        "As reported to WasteDataFlow; garden waste makes the rate seasonal.",
        "system",
        target=50.0,
        decimals=1,
    ),
    MeasureDef(
        "flytipping-reports",
        "Fly-tipping reports",
        "sp-place",
        "strategic",
        "reports",
        "month",
        "down",
        "sum",
        "Head of Environmental Services (Simon Ward)",
        "Fly-tipping incidents reported by residents or found by crews in the month.",
        "Fly-tipping is one of the things residents most often say makes a place look uncared for.",
        "One incident per location per day; several reports of the same fly-tip count once.",
        "case",
        by_locality=True,
    ),
    MeasureDef(
        "flytipping-clearance-days",
        "Fly-tipping: days to clear",
        "op-street-scene",
        "operational",
        "days",
        "month",
        "down",
        "mean",
        "Place Team Manager, Street Scene (Kelly Marsh)",
        "Median calendar days from a fly-tip being reported to it being cleared, for fly-tips cleared in the month.",
        "A fly-tip left for a week attracts more.",
        "The clock stops when the crew marks the job cleared with a photo.",
        "case",
        decimals=1,
    ),
    MeasureDef(
        "food-hygiene-good",
        "Food businesses rated good or better",
        "op-env-health",
        "operational",
        "%",
        "quarter",
        "up",
        "ratio",
        "Environmental Health Manager (Hannah Price)",
        "Food businesses with a Food Hygiene Rating of 4 or 5 at the end of the quarter, as a percentage of "
        "rated businesses.",
        "Residents and visitors want to eat safely.",
        "Ratings as published under the national Food Hygiene Rating Scheme.",
        "system",
        decimals=1,
    ),
    MeasureDef(
        "noise-complaints",
        "Noise complaints",
        "op-env-health",
        "operational",
        "complaints",
        "month",
        "neutral",
        "sum",
        "Environmental Health Manager (Hannah Price)",
        "Complaints about noise from neighbours, premises or events received in the month.",
        "Noise is the nuisance residents report most.",
        "One complaint per household per source; diary sheets are not counted again.",
        "manual",
        by_locality=True,
    ),
    # --- Enabling
    MeasureDef(
        "ctax-collection",
        "Council tax collected",
        "sp-enabling",
        "strategic",
        "%",
        "month",
        "up",
        "ratio",
        "Revenues Manager (Claire Dunmore)",
        "Council tax collected in the month as a percentage of the instalments due in the month.",
        "Council tax pays for local services; collecting it well keeps costs down for everyone.",
        "Amount due is instalments falling due in the month after discounts and support.",
        "finance",
        target=97.0,
        decimals=1,
    ),
    MeasureDef(
        "staff-sickness",
        "Working days lost to sickness",
        "sp-enabling",
        "strategic",
        "days per FTE",
        "month",
        "down",
        "mean",
        "Head of HR and OD (Mark Jennings)",
        "Working days lost to sickness absence in the month per full-time-equivalent employee.",
        "People who are well and at work can serve customers; absence shows strain in the system.",
        "Counts calendar working days; part-time absence pro rata.",
        "manual",
        published=False,
        decimals=2,
    ),
    MeasureDef(
        "cs-contacts",
        "Customer Services contacts (phone and face to face)",
        "op-customer",
        "operational",
        "contacts",
        "week",
        "neutral",
        "sum",
        "Customer Services Manager (Nadia Hussain)",
        "Phone calls answered and face-to-face visits to Customer Services in the week, across the six "
        "services whose demand is recorded case by case.",
        "The staffed channels are where failure demand costs the most.",
        "Counted from the contact records; calls abandoned before answer are not counted.",
        "case",
    ),
    MeasureDef(
        "cs-first-point",
        "Contacts resolved at first point",
        "op-customer",
        "operational",
        "%",
        "month",
        "up",
        "ratio",
        "Customer Services Manager (Nadia Hussain)",
        "Phone and face-to-face contacts where the customer's need was met without passing them on, as a "
        "percentage of those contacts in the month.",
        "Customers want it sorted the first time they ask.",
        "Recorded by the adviser at the end of the contact; under review because advisers judge it themselves.",
        "system",
        published=False,
        decimals=1,
    ),
    MeasureDef(
        "foi-on-time",
        "Information requests answered on time",
        "op-governance",
        "operational",
        "%",
        "month",
        "up",
        "ratio",
        "Information Management Lead (Sophie Carter)",
        "Freedom of Information and Environmental Information requests answered within 20 working days, as a "
        "percentage of requests due in the month.",
        "Openness builds trust; late answers lead to complaints to the Information Commissioner.",
        "Due date counted in working days excluding bank holidays.",
        "system",
        target=90.0,
        decimals=1,
    ),
    MeasureDef(
        "ict-availability",
        "Core systems available",
        "op-ict",
        "operational",
        "%",
        "month",
        "up",
        "mean",
        "ICT Manager (Raj Patel)",
        "Percentage of core service hours (08:00-18:00 working days) in which the telephony, CRM and case "
        "systems were all available.",
        "Front-line staff cannot serve customers when systems are down.",
        "Planned maintenance outside core hours is not counted as unavailable.",
        "system",
        published=False,
        decimals=2,
    ),
)
MEASURE_BY_ID = {m.measure_id: m for m in MEASURES}


def measure_table() -> pd.DataFrame:
    """The measure catalogue with the six data-quality notes."""
    rows = []
    for m in MEASURES:
        src = DQ_SOURCES[m.source_kind]
        rows.append(
            {
                "measure_id": m.measure_id,
                "name": m.name,
                "purpose_id": m.purpose_id,
                "kind": m.kind,
                "unit": m.unit,
                "frequency": m.frequency,
                "improvement": m.improvement,
                "aggregation": m.aggregation,
                "target": m.target,
                "owner": m.owner,
                "definition": m.definition,
                "source": src["source"],
                "by_locality": m.by_locality,
                "dq_relevant": m.relevant,
                "dq_well_defined": m.well_defined,
                "dq_timely": src["timely"],
                "dq_reliable": src["reliable"],
                "dq_verifiable": src["verifiable"],
                "dq_accurate": src["accurate"],
                "published": m.published,
                "decimals": m.decimals,
                "is_real": False,  # made up: every page says so (perf.analysis.measures.provenance)
            }
        )
    return pd.DataFrame(rows)


def owner_table() -> pd.DataFrame:
    """Each measure owner's email, for their signal digest: invented names at a reserved domain
    (RFC 2606's ``.example``), so no message can reach a real person."""
    names = sorted({m.owner for m in MEASURES})
    emails = []
    for owner in names:
        person = owner.split("(")[-1].rstrip(")").strip().lower()
        emails.append(".".join(re.sub(r"[^a-z]+", " ", person).split()) + "@council.example")
    return pd.DataFrame({"owner": names, "email": emails, "username": [None] * len(names)})


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------
LAST_WEEK = DATA_TO - timedelta(days=6)  # Monday 2026-11-16
LAST_MONTH = (DATA_TO.replace(day=1) - timedelta(days=1)).replace(day=1)  # 2026-10-01
LAST_QUARTER = date(2026, 7, 1)  # Jul-Sep 2026, the last complete


def periods(frequency: str) -> pd.DatetimeIndex:
    """Every complete period of a frequency in the dataset."""
    if frequency == "week":
        return pd.date_range(DEMAND_FROM, LAST_WEEK, freq="7D")
    if frequency == "month":
        return pd.date_range(MEASURES_FROM, LAST_MONTH, freq="MS")
    return pd.date_range(MEASURES_FROM, LAST_QUARTER, freq="QS")


def _rows(measure_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "measure_id", measure_id)
    for col in ("numerator", "denominator"):
        if col not in out:
            out[col] = np.nan
    return out[["measure_id", "period_start", "locality_id", "value", "numerator", "denominator"]]


def _by_ward(measure_id: str, counts: pd.DataFrame, wards: list[str], ratio: bool) -> pd.DataFrame:
    """Ward rows for every period (zeros where nothing happened) plus the 'ALL' total row.

    ``counts`` has period_start, locality_id, num and (for ratios) den. A ratio's 'ALL' value is
    recomputed from the summed parts, never averaged.
    """
    m = MEASURE_BY_ID[measure_id]
    idx = pd.MultiIndex.from_product([periods(m.frequency), wards], names=["period_start", "locality_id"])
    counts = counts.assign(period_start=pd.to_datetime(counts["period_start"]))
    full = counts.set_index(["period_start", "locality_id"]).reindex(idx, fill_value=0).reset_index()
    total = full.groupby("period_start", as_index=False)[[c for c in ("num", "den") if c in full]].sum()
    total["locality_id"] = "ALL"
    full = pd.concat([full, total], ignore_index=True)
    if ratio:
        full["numerator"] = full["num"].astype(float)
        full["denominator"] = full["den"].astype(float)
        full["value"] = np.where(full["den"] > 0, 100.0 * full["num"] / full["den"].where(full["den"] > 0), np.nan)
    else:
        full["value"] = full["num"].astype(float)
    if not m.by_locality:
        full = full[full["locality_id"] == "ALL"]
    return _rows(measure_id, full)


def _median_days(con: duckdb.DuckDBPyConnection, measure_id: str, where: str) -> pd.DataFrame:
    """Median end-to-end days of cases completed in each period (the 'ALL' row only)."""
    m = MEASURE_BY_ID[measure_id]
    df = con.execute(f"""
        SELECT date_trunc('{m.frequency}', completed_at)::TIMESTAMP AS period_start,
               median(epoch(completed_at - started_at) / 86400.0) AS value
        FROM work_case WHERE completed_at IS NOT NULL AND {where}
        GROUP BY ALL""").df()
    df = df[df["period_start"].isin(periods(m.frequency))].sort_values("period_start")
    df["locality_id"] = "ALL"
    df["value"] = df["value"].round(2)
    return _rows(measure_id, df)


def _counts(
    con: duckdb.DuckDBPyConnection, grain: str, table: str, time_col: str, where: str, num: str = "TRUE"
) -> pd.DataFrame:
    return con.execute(f"""
        SELECT date_trunc('{grain}', {time_col})::TIMESTAMP AS period_start, locality_id,
               count(*) FILTER (WHERE {num}) AS num, count(*) AS den
        FROM {table} WHERE {where} GROUP BY ALL""").df()


def case_measurements(work_case: pd.DataFrame, demand: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Measures computed from the case-level tables, so the dashboard and the demand pages agree.

    The SQL here is internal and fixed (no user text); grains come from the measure catalogue.
    """
    con = duckdb.connect()
    con.register("work_case", work_case)
    con.register("demand", demand)
    every = list(WARD_IDS)
    redditch = [wid for wid, w in zip(WARD_IDS, WARDS, strict=True) if w.council == "rbc"]
    repairs_work = "('Report a repair', 'Report damp or mould')"
    out = [
        _by_ward(
            "repairs-demand",
            _counts(con, "week", "demand", "received_at", "service_id = 'housing_repairs'"),
            redditch,
            ratio=False,
        ),
        _by_ward(
            "repairs-failure-demand",
            _counts(con, "week", "demand", "received_at", "service_id = 'housing_repairs'", "demand_type = 'failure'"),
            redditch,
            ratio=True,
        ),
        _median_days(con, "repairs-end-to-end", f"service_id = 'housing_repairs' AND nature IN {repairs_work}"),
        _by_ward(
            "repairs-right-first-time",
            con.execute(f"""
            SELECT date_trunc('month', c.completed_at)::TIMESTAMP AS period_start, c.locality_id,
                   count(*) FILTER (WHERE r.case_id IS NULL) AS num, count(*) AS den
            FROM work_case c
            LEFT JOIN (SELECT DISTINCT case_id FROM demand WHERE nature = 'Repair not fixed') r USING (case_id)
            WHERE c.service_id = 'housing_repairs' AND c.completed_at IS NOT NULL
              AND c.nature IN {repairs_work}
            GROUP BY ALL""").df(),
            redditch,
            ratio=True,
        ),
        _median_days(con, "housing-register-days", "nature = 'Apply to join the housing register'"),
        _by_ward(
            "homeless-approaches",
            _counts(
                con,
                "month",
                "work_case",
                "started_at",
                "nature IN ('Threatened with homelessness', 'Homeless tonight')",
            ),
            every,
            ratio=False,
        ),
        _by_ward(
            "planning-applications",
            _counts(con, "month", "work_case", "started_at", "service_id = 'planning' AND nature LIKE 'Submit a %'"),
            every,
            ratio=False,
        ),
        _median_days(con, "planning-householder-days", "nature = 'Submit a householder planning application'"),
        _by_ward(
            "planning-failure-demand",
            _counts(con, "month", "demand", "received_at", "service_id = 'planning'", "demand_type = 'failure'"),
            every,
            ratio=True,
        ),
        _by_ward(
            "benefits-demand",
            _counts(con, "week", "demand", "received_at", "service_id = 'benefits'"),
            every,
            ratio=False,
        ),
        _by_ward(
            "benefits-failure-demand",
            _counts(con, "week", "demand", "received_at", "service_id = 'benefits'", "demand_type = 'failure'"),
            every,
            ratio=True,
        ),
        _median_days(con, "benefits-change-days", "nature = 'Tell us about a change in circumstances'"),
        _median_days(con, "benefits-new-claim-days", "nature = 'Make a new claim'"),
        _by_ward(
            "missed-bins",
            _counts(con, "week", "demand", "received_at", "nature = 'Report a missed bin'"),
            every,
            ratio=False,
        ),
        _by_ward(
            "waste-failure-demand",
            _counts(con, "week", "demand", "received_at", "service_id = 'waste'", "demand_type = 'failure'"),
            every,
            ratio=True,
        ),
        _by_ward(
            "missed-bins-put-right",
            _counts(
                con,
                "month",
                "work_case",
                "completed_at",
                "nature = 'Report a missed bin' AND completed_at IS NOT NULL",
                "completed_at - started_at <= INTERVAL 48 HOUR",
            ),
            every,
            ratio=True,
        ),
        _by_ward(
            "flytipping-reports",
            _counts(con, "month", "work_case", "started_at", "nature = 'Report fly-tipping'"),
            every,
            ratio=False,
        ),
        _median_days(con, "flytipping-clearance-days", "nature = 'Report fly-tipping'"),
        _by_ward(
            "cs-contacts",
            _counts(con, "week", "demand", "received_at", "channel IN ('phone', 'face-to-face')"),
            every,
            ratio=False,
        ),
    ]
    # Prevention and relief outcomes for cases closed in the month (H-CLIC style): most
    # threatened households are helped to stay or move in a planned way; fewer for those already homeless.
    closed = con.execute("""
        SELECT date_trunc('month', completed_at)::TIMESTAMP AS period_start,
               count(*) FILTER (WHERE nature = 'Threatened with homelessness') AS threatened,
               count(*) FILTER (WHERE nature = 'Homeless tonight') AS homeless
        FROM work_case WHERE completed_at IS NOT NULL AND service_id = 'housing_options'
        GROUP BY ALL ORDER BY 1""").df()
    closed = closed[closed["period_start"].isin(periods("month"))].reset_index(drop=True)
    helped = rng.binomial(closed["threatened"].to_numpy(), 0.62) + rng.binomial(closed["homeless"].to_numpy(), 0.38)
    out.append(
        _rows(
            "homeless-preventions",
            pd.DataFrame({"period_start": closed["period_start"], "locality_id": "ALL", "value": helped.astype(float)}),
        )
    )
    con.close()
    return pd.concat(out, ignore_index=True)


def _ar(rng: np.random.Generator, n: int, sd: float, phi: float = 0.4) -> np.ndarray:
    """Autocorrelated noise: real monthly figures drift a little rather than jumping independently."""
    e = rng.normal(0, sd * np.sqrt(1 - phi**2), n)
    out = np.empty(n)
    prev = rng.normal(0, sd)
    for i in range(n):
        prev = phi * prev + e[i]
        out[i] = prev
    return out


def _special(idx: pd.DatetimeIndex, events: dict[str, float]) -> np.ndarray:
    """Additive one-off shifts at named periods."""
    out = np.zeros(len(idx))
    for when, delta in events.items():
        out[idx == pd.Timestamp(when)] += delta
    return out


def modelled_measurements(
    rng: np.random.Generator, weights: dict[str, np.ndarray], cs_monthly: pd.Series
) -> pd.DataFrame:
    """Measures not derived from case records: modelled series with seasonality and special causes."""
    out: list[pd.DataFrame] = []
    mo = periods("month")
    qt = periods("quarter")
    tm = np.asarray((mo - pd.Timestamp(MEASURES_FROM)).days / 365.25)
    tq = np.asarray((qt - pd.Timestamp(MEASURES_FROM)).days / 365.25)
    month = np.asarray(mo.month)
    qmonth = np.asarray(qt.month)

    def add(
        mid: str, idx: pd.DatetimeIndex, value: np.ndarray, num: np.ndarray | None = None, den: np.ndarray | None = None
    ) -> None:
        out.append(
            _rows(
                mid,
                pd.DataFrame(
                    {"period_start": idx, "locality_id": "ALL", "value": value, "numerator": num, "denominator": den}
                ),
            )
        )

    # Households in temporary accommodation: rising with the national trend, winter bump
    ta = 33 + 10.5 * np.minimum(tm, 3.2) + 3 * np.isin(month, (12, 1, 2)) + _ar(rng, len(mo), 3.0, 0.6)
    add("temp-accommodation", mo, np.round(ta))
    # Affordable homes: lumpy (whole schemes complete at once)
    add("affordable-homes", qt, rng.poisson(rng.gamma(2.5, 40 / 2.5, len(qt))).astype(float))
    # Council Tax Support caseload: drifting down as claimants move to Universal Credit
    ctr = 8650 * (1 - 0.015) ** tm + _ar(rng, len(mo), 35, 0.8)
    add("ctr-caseload", mo, np.round(ctr))
    # Council tax: instalments due in the month and the share collected
    fy = np.where(month >= 4, mo.year, mo.year - 1) - 2022
    debit = 152.4e6 * 1.0499**fy
    due = debit * np.where(np.isin(month, (2, 3)), 0.04, 0.092)
    pct = (
        97.1
        + _ar(rng, len(mo), 0.35)
        - 0.5 * (fy == 0)
        + np.select([month == 4, month == 12, month == 1, month == 3], [-0.6, -0.4, -0.3, 0.4], 0.0)
        + _special(mo, {"2022-04-01": -1.2})
    )
    num = np.round(due * pct / 100)
    add("ctax-collection", mo, np.round(100 * num / np.round(due), 3), num, np.round(due))
    # Business rates: 2023 revaluation upsets April 2023
    due = 58.0e6 * 1.03**fy * np.where(np.isin(month, (2, 3)), 0.02, 0.096)
    pct = 97.6 + _ar(rng, len(mo), 0.7, 0.3) + _special(mo, {"2023-04-01": -4.2, "2023-05-01": -1.5})
    num = np.round(due * pct / 100)
    add("nndr-collection", mo, np.round(100 * num / np.round(due), 3), num, np.round(due))
    # Business start-ups supported
    add("business-startups", qt, rng.poisson(34 * np.where(qmonth == 4, 1.2, 1.0)).astype(float))
    # Lifeline: winter brings more calls; December 2022 cold snap plus staff sickness
    calls = np.round(8800 * (1 + 0.12 * np.cos(2 * np.pi * (month - 1) / 12)) * (1 + 0.02 * tm))
    pct = np.clip(98.3 + _ar(rng, len(mo), 0.35, 0.2) + _special(mo, {"2022-12-01": -3.2}), 90, 99.9)
    num = np.round(calls * pct / 100)
    add("lifeline-answered", mo, np.round(100 * num / calls, 3), num, calls)
    # Disabled Facilities Grants: a contractor shortage in autumn 2022, slow improvement since
    dfg = 205 - 6 * tq + _ar(rng, len(qt), 10, 0.3) + _special(qt, {"2022-10-01": 55, "2023-01-01": 25})
    add("dfg-days", qt, np.round(dfg, 1))
    # Leisure visits: January resolutions, summer swimming, quiet December; pool closed Sep-Oct 2023
    season = np.array([1.18, 1.07, 1.05, 0.98, 0.97, 0.95, 1.02, 1.08, 1.0, 1.02, 1.0, 0.78])[month - 1]
    visits = 92000 * season * 1.035**tm * (1 + _ar(rng, len(mo), 0.025, 0.3))
    visits *= 1 + _special(mo, {"2023-09-01": -0.21, "2023-10-01": -0.15})
    add("leisure-visits", mo, np.round(visits))
    # Recycling: garden waste makes it seasonal; the dry summer of 2022 cut garden tonnage
    q = {4: 0, 7: 1, 10: 2, 1: 3}
    qi = np.array([q[m] for m in qmonth])
    total = np.round(19600 * np.array([1.05, 1.04, 0.97, 0.94])[qi] * (1 + rng.normal(0, 0.015, len(qt))))
    rate = (
        np.array([47.0, 46.0, 39.0, 35.0])[qi]
        + 0.5 * tq
        + rng.normal(0, 0.7, len(qt))
        + _special(qt, {"2022-07-01": -3.5})
    )
    recycled = np.round(total * rate / 100)
    add("recycling-rate", qt, np.round(100 * recycled / total, 3), recycled, total)
    # Food hygiene ratings
    premises = np.round(1420 + 12 * tq + rng.normal(0, 6, len(qt)))
    good = np.round(premises * np.clip(91.5 + 0.45 * tq + rng.normal(0, 0.5, len(qt)), 0, 100) / 100)
    add("food-hygiene-good", qt, np.round(100 * good / premises, 3), good, premises)
    # Noise complaints by ward: summer parties and barbecues, New Year
    mseason = np.array([1.1, 0.8, 0.85, 0.95, 1.1, 1.3, 1.55, 1.5, 1.05, 0.9, 0.85, 1.05])[month - 1]
    lam = 105 * mseason[:, None] * weights["deprivation"][None, :]
    counts = rng.poisson(lam)
    frame = pd.DataFrame(
        {
            "period_start": np.repeat(mo, len(WARD_IDS)),
            "locality_id": np.tile(np.array(WARD_IDS, dtype=object), len(mo)),
            "num": counts.ravel(),
        }
    )
    out.append(_by_ward("noise-complaints", frame, list(WARD_IDS), ratio=False))
    # Staff sickness: winter peak; December 2022 flu and winter viruses
    sick = 0.74 + 0.17 * np.cos(2 * np.pi * (month - 1) / 12) + _ar(rng, len(mo), 0.05, 0.3)
    sick += _special(mo, {"2022-12-01": 0.45, "2023-01-01": 0.15})
    add("staff-sickness", mo, np.round(sick, 3))
    # First point resolution: rises once benefits failure demand falls (fewer 'where is my claim?')
    den = cs_monthly.reindex(mo).to_numpy(float)
    fpr = (
        67.5
        + 7.0 * (mo >= pd.Timestamp("2025-02-01"))
        + 3.0 * (mo >= pd.Timestamp("2024-05-01"))
        + _ar(rng, len(mo), 0.9, 0.3)
    )
    num = np.round(den * fpr / 100)
    add("cs-first-point", mo, np.round(100 * num / den, 3), num, den)
    # FOI: a vacancy in January-February 2024
    reqs = rng.poisson(92, len(mo))
    p = np.clip(0.885 + _special(mo, {"2024-01-01": -0.17, "2024-02-01": -0.09}), 0, 1)
    ontime = rng.binomial(reqs, p)
    add("foi-on-time", mo, np.round(100 * ontime / reqs, 3), ontime.astype(float), reqs.astype(float))
    # ICT availability: the telephony platform failure of March 2025
    avail = np.clip(
        99.78 + rng.normal(0, 0.08, len(mo)) + _special(mo, {"2025-03-01": -1.75, "2023-08-01": -0.5}), 0, 100
    )
    add("ict-availability", mo, np.round(avail, 3))
    return pd.concat(out, ignore_index=True)


def _stamp(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Who entered each figure and when: extracts the next morning, manual returns days later."""
    frame = frame.copy()
    freq = frame["measure_id"].map(lambda m: MEASURE_BY_ID[m].frequency)
    kind = frame["measure_id"].map(lambda m: MEASURE_BY_ID[m].source_kind)
    owner = frame["measure_id"].map(lambda m: MEASURE_BY_ID[m].owner.split("(")[-1].rstrip(")"))
    start = pd.to_datetime(frame["period_start"])
    end = start + pd.Timedelta(days=7)  # the day after the period: weeks, then months and quarters
    end = end.where(freq != "month", start + pd.offsets.MonthBegin(1))
    end = end.where(freq != "quarter", start + pd.offsets.QuarterBegin(1, startingMonth=1))
    auto = kind == "case"
    n = len(frame)
    lag_days = np.where(auto, 1, rng.integers(3, 11, n))
    minutes = np.where(auto, 6 * 60 + 30, rng.integers(9 * 60, 16 * 60, n))
    frame["entered_at"] = (end + pd.to_timedelta(lag_days, unit="D") + pd.to_timedelta(minutes, unit="m")).astype(
        "datetime64[us]"
    )
    frame["entered_by"] = np.where(auto, "Policy Team (automated extract)", owner)
    frame["period_start"] = start.dt.date
    frame["value"] = frame["value"].astype(float).round(4)
    return frame[
        ["measure_id", "period_start", "locality_id", "value", "numerator", "denominator", "entered_by", "entered_at"]
    ]


def _phase_start(change: date, frequency: str) -> date:
    """The first period of the new system: the change's week, or its month if it came in the first week."""
    if frequency == "week":
        return change - timedelta(days=change.weekday())
    first = change.replace(day=1)
    if change.day <= 7:
        return first
    return (first + timedelta(days=32)).replace(day=1)


REDESIGNS = (
    (
        REDESIGN_REPAIRS,
        "Repairs redesign",
        ("repairs-demand", "repairs-failure-demand", "repairs-end-to-end", "repairs-right-first-time"),
        "New design for responsive repairs across all Redditch patches after a Check and a 12-week trial: the "
        "tenant books the visit on the first call, operatives carry the common parts and own the job to the end.",
    ),
    (
        REDESIGN_BENEFITS,
        "Right first time",
        ("benefits-demand", "benefits-failure-demand", "benefits-change-days", "benefits-new-claim-days"),
        "Benefits 'right first time' design made normal: one officer owns each case from first contact, asks for "
        "all evidence once and phones the customer rather than writing.",
    ),
    (
        REDESIGN_FLYTIPPING,
        "Place Teams own their patch",
        ("flytipping-clearance-days",),
        "Street scene crews became Place Teams with their own patch; reported fly-tips are cleared on the same "
        "round instead of joining a central job queue.",
    ),
    (
        REDESIGN_PLANNING,
        "Front-door validation",
        ("planning-householder-days", "planning-failure-demand"),
        "A validation officer phones the applicant the day an application arrives to fix what is missing, instead "
        "of returning invalid applications by letter. Decisions lag receipt, so the shift shows about 8 weeks later.",
    ),
)


def phase_table() -> pd.DataFrame:
    """Where each redesigned system was changed; limits are recalculated from here."""
    rows = []
    for when, label, measures, desc in REDESIGNS:
        for mid in measures:
            start = _phase_start(when, MEASURE_BY_ID[mid].frequency)
            rows.append(
                {
                    "measure_id": mid,
                    "starts_on": start,
                    "label": label,
                    "description": f"{desc} (live {when:%-d %B %Y}.)",
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Commentary: what officers wrote beside the figures (names are illustrative)
# --------------------------------------------------------------------------------------------
COMMENTARY: tuple[tuple[str, str, str, str, str], ...] = (
    # measure, period start, author, visibility, body
    (
        "benefits-demand",
        "2022-04-04",
        "Tom Whitfield",
        "internal",
        "£150 council tax energy rebate: lots of calls asking when the payment will arrive. Logged as value demand "
        "(information); expect it to fade by September.",
    ),
    (
        "ctax-collection",
        "2022-04-01",
        "Claire Dunmore",
        "internal",
        "April dip: new bills plus some payers holding instalments until the energy rebate arrived. Expected to "
        "recover by June.",
    ),
    (
        "recycling-rate",
        "2022-07-01",
        "Simon Ward",
        "public",
        "The hot, dry summer meant far less garden waste, so the recycling rate fell this quarter. It recovered "
        "with the autumn rain.",
    ),
    (
        "dfg-days",
        "2022-10-01",
        "Angela Morris",
        "internal",
        "Two approved builders left the framework in October; adaptations waited longer for a start date. Special "
        "cause, not a change in the system. Procurement of new contractors under way.",
    ),
    (
        "repairs-demand",
        "2022-12-12",
        "Dee Hartley",
        "internal",
        "Cold snap w/c 12 Dec: no-heating calls three times normal and frozen pipes everywhere. Two gas engineers "
        "moved onto emergency work, so routine jobs slipped about a week.",
    ),
    (
        "repairs-demand",
        "2022-12-12",
        "Dee Hartley",
        "public",
        "Freezing weather in mid-December meant many more tenants reported broken boilers and frozen pipes. We "
        "put homes without heating or hot water first.",
    ),
    (
        "missed-bins",
        "2022-12-12",
        "Gary Lomas",
        "internal",
        "Snow and ice: rounds suspended Tuesday to Thursday. Missed-bin reports more than three times normal; crews "
        "caught up on Saturday. Special cause.",
    ),
    (
        "missed-bins",
        "2022-12-12",
        "Gary Lomas",
        "public",
        "Bin collections were suspended for three days because of snow and ice. Thank you for your patience while "
        "crews caught up.",
    ),
    (
        "lifeline-answered",
        "2022-12-01",
        "Angela Morris",
        "internal",
        "Cold weather and staff sickness together: alarm calls up by about a fifth on the summer with two operators off. Below 97.5% "
        "for the month; back above it in January.",
    ),
    (
        "staff-sickness",
        "2022-12-01",
        "Mark Jennings",
        "internal",
        "Flu and winter viruses: the highest month for absence this year. Seasonal and expected to fall back; not "
        "a trend.",
    ),
    (
        "benefits-change-days",
        "2023-03-06",
        "Tom Whitfield",
        "internal",
        "Annual billing and uprating: end-to-end times lengthen for three or four weeks every spring. Common cause, "
        "seen every year.",
    ),
    (
        "nndr-collection",
        "2023-04-01",
        "Claire Dunmore",
        "internal",
        "2023 revaluation: every bill and relief recalculated, so in-month collection was low in April and May, as "
        "forecast.",
    ),
    (
        "missed-bins",
        "2023-06-05",
        "Gary Lomas",
        "internal",
        "New collection rounds started 5 June. Three weeks of high missed-bin reports while crews learnt the routes: "
        "special cause, settled by early July.",
    ),
    (
        "missed-bins",
        "2023-06-05",
        "Gary Lomas",
        "public",
        "We changed collection rounds in June to balance crews' workloads. Missed collections rose for a few weeks "
        "and are now back to normal.",
    ),
    (
        "planning-householder-days",
        "2023-07-01",
        "Ruth Adeyemi",
        "internal",
        "Check findings: one in three householder applications arrives invalid. Each bounce adds about two weeks and "
        "usually a chasing call.",
    ),
    (
        "flytipping-clearance-days",
        "2023-07-01",
        "Kelly Marsh",
        "internal",
        "Place Teams live from 3 July: crews own a patch and clear reported fly-tips on the same round. New phase "
        "starts here.",
    ),
    (
        "leisure-visits",
        "2023-09-01",
        "Jonathan Reeve",
        "internal",
        "Main pool closed five weeks for roof repairs; swimming visits roughly halved. Special cause; the gym and "
        "classes were unaffected.",
    ),
    (
        "leisure-visits",
        "2023-09-01",
        "Jonathan Reeve",
        "public",
        "The main pool was closed in September and October for repairs to the roof. Thank you for your patience.",
    ),
    (
        "flytipping-clearance-days",
        "2023-09-01",
        "Kelly Marsh",
        "public",
        "Most fly-tips are now cleared within two days of being reported, down from four or five.",
    ),
    (
        "repairs-end-to-end",
        "2023-10-02",
        "Marcus Bell",
        "internal",
        "Check: a repair takes anything from a few days to two months; the median is about three weeks. Only about "
        "four in five jobs are right first time, and around 40% of contacts are tenants chasing or telling us it is "
        "not fixed.",
    ),
    (
        "planning-householder-days",
        "2023-10-01",
        "Ruth Adeyemi",
        "internal",
        "Front-door redesign live 2 October. Decisions lag receipt by about eight weeks, so expect the shift in "
        "this chart from December, not straight away.",
    ),
    (
        "missed-bins",
        "2024-01-01",
        "Gary Lomas",
        "internal",
        "Christmas collections ran a day late; the usual post-Christmas rise in reports. Common cause: it happens "
        "every year.",
    ),
    (
        "repairs-demand",
        "2024-01-01",
        "Dee Hartley",
        "internal",
        "Storm Henk week: about two and a half times the normal number of repair requests, mostly roofs, gutters and "
        "leaks. Special cause. Backlog cleared by the end of January.",
    ),
    (
        "repairs-demand",
        "2024-01-01",
        "Dee Hartley",
        "public",
        "Storm Henk brought a surge in roof and leak repairs in the first week of January.",
    ),
    (
        "flytipping-reports",
        "2024-01-01",
        "Simon Ward",
        "public",
        "As every year, more fly-tipping in the weeks after Christmas. Please use the tip or book a bulky collection.",
    ),
    (
        "foi-on-time",
        "2024-01-01",
        "Sophie Carter",
        "internal",
        "Two vacancies in Information Management: fewer requests answered on time in January and February. Posts "
        "filled from March.",
    ),
    (
        "planning-householder-days",
        "2024-02-01",
        "Ruth Adeyemi",
        "public",
        "Householder applications are now decided in about six and a half weeks on average, inside the eight-week "
        "statutory period.",
    ),
    (
        "repairs-end-to-end",
        "2024-01-29",
        "Dee Hartley",
        "internal",
        "Plan: trial on two patches since 8 January. Tenant books the slot on the first call; operative carries the "
        "common parts. Trial jobs finishing in about 8 days against 21 elsewhere.",
    ),
    (
        "waste-failure-demand",
        "2024-02-05",
        "Gary Lomas",
        "internal",
        "App launched for bin reports and orders. Watching whether failure demand moves channel rather than falls.",
    ),
    (
        "repairs-end-to-end",
        "2024-04-01",
        "Dee Hartley",
        "internal",
        "Do: new design across all patches from 1 April; limits recalculated from this week. Old backlog still "
        "finishing for a few weeks, which keeps the median up until May.",
    ),
    (
        "repairs-failure-demand",
        "2024-06-03",
        "Dee Hartley",
        "internal",
        "Failure demand has settled at about a fifth of contacts, down from about two fifths. The biggest fall is in "
        "'repair not fixed'.",
    ),
    (
        "repairs-right-first-time",
        "2024-05-01",
        "Marcus Bell",
        "public",
        "More than nine in ten repairs are now fixed at the first visit.",
    ),
    (
        "repairs-end-to-end",
        "2024-07-01",
        "Marcus Bell",
        "public",
        "Since the new way of working began in April, a typical repair takes about 9 days from the first call, down "
        "from about three weeks.",
    ),
    (
        "benefits-failure-demand",
        "2024-09-02",
        "Tom Whitfield",
        "internal",
        "Check: about 45% of contacts are failure demand. Top causes: asking for evidence the customer already sent "
        "(about one claim in four) and letters people cannot understand.",
    ),
    (
        "temp-accommodation",
        "2024-10-01",
        "Priya Sandhu",
        "internal",
        "Numbers in temporary accommodation still rising, in line with the national picture. Private rent increases "
        "and section 21 notices are the main causes.",
    ),
    (
        "benefits-failure-demand",
        "2024-11-04",
        "Tom Whitfield",
        "internal",
        "Plan: trial team since 7 October. One officer owns each change from first contact to decision, asks for all "
        "evidence once and phones rather than writes. Trial cases: failure demand about 25%.",
    ),
    (
        "repairs-demand",
        "2024-12-09",
        "Dee Hartley",
        "internal",
        "Storm Darragh weekend: nearly twice the usual repair requests on Monday and Tuesday; emergencies made safe "
        "within 24 hours.",
    ),
    (
        "benefits-failure-demand",
        "2025-01-06",
        "Tom Whitfield",
        "internal",
        "Do: right-first-time design live across the whole team from 6 January. New phase starts here.",
    ),
    (
        "benefits-change-days",
        "2025-03-03",
        "Janet Morley",
        "public",
        "Changes in circumstances are now usually sorted in about a week, down from over two weeks.",
    ),
    (
        "benefits-demand",
        "2025-03-03",
        "Tom Whitfield",
        "internal",
        "Annual billing: the usual March rise in calls about council tax support. Common cause, every year; smaller "
        "than last year because fewer people are chasing.",
    ),
    (
        "cs-contacts",
        "2025-03-10",
        "Nadia Hussain",
        "internal",
        "Telephony platform failure 11 to 13 March: most calls could not get through. Web reports rose and some "
        "callers rang back the next week. Not a change in demand.",
    ),
    (
        "ict-availability",
        "2025-03-01",
        "Raj Patel",
        "internal",
        "Telephony supplier outage 11 to 13 March, about 20 core hours lost. Root cause with the supplier; failover "
        "tested and documented.",
    ),
    (
        "cs-first-point",
        "2025-02-01",
        "Nadia Hussain",
        "internal",
        "Resolution at first point up since the benefits redesign: far fewer 'where is my claim?' calls that we "
        "could only pass on.",
    ),
    (
        "repairs-demand",
        "2025-10-27",
        "Dee Hartley",
        "internal",
        "Awaab's Law in force from 27 October: damp and mould reports have roughly doubled. Investigation times "
        "tracked separately against the new legal timescales.",
    ),
    (
        "homeless-approaches",
        "2025-04-01",
        "Priya Sandhu",
        "public",
        "More households are asking us for help early, before they lose their home, which gives us more time to "
        "prevent it.",
    ),
    (
        "leisure-visits",
        "2026-01-01",
        "Jonathan Reeve",
        "public",
        "January is always our busiest month in the gyms and classes.",
    ),
)


def commentary_table(rng: np.random.Generator) -> pd.DataFrame:
    """Officers' notes, written a few days after the period they describe."""
    rows = []
    for mid, start, author, vis, body in COMMENTARY:
        m = MEASURE_BY_ID[mid]
        d = date.fromisoformat(start)
        days = {"week": 7, "month": 31, "quarter": 92}[m.frequency]
        written = datetime.combine(d + timedelta(days=days + int(rng.integers(1, 9))), datetime.min.time()) + timedelta(
            minutes=int(rng.integers(8 * 60 + 30, 17 * 60))
        )
        rows.append(
            {
                "measure_id": mid,
                "period_start": d,
                "author": author,
                "written_at": written,
                "body": body,
                "visibility": vis,
            }
        )
    return pd.DataFrame(rows).sort_values(["written_at", "measure_id"], kind="stable").reset_index(drop=True)


def bank_holiday_table() -> pd.DataFrame:
    """England and Wales bank holidays 2021-2027."""
    return pd.DataFrame(
        {"holiday": [date.fromisoformat(d) for d, _ in BANK_HOLIDAYS], "name": [n for _, n in BANK_HOLIDAYS]}
    )


def meta_table(seed: int, scale: float) -> pd.DataFrame:
    """Facts about the dataset the app shows on every page."""
    return pd.DataFrame(
        {
            "key": [
                "dataset",
                "dataset_name",
                "attribution",
                "data_from",
                "data_to",
                "generator",
                "seed",
                "scale",
                "note",
            ],
            "value": [
                "illustrative",
                "Bromsgrove and Redditch (illustrative)",
                ATTRIBUTION,
                DEMAND_FROM.isoformat(),
                DATA_TO.isoformat(),
                "python -m perf.seed.sample",
                str(seed),
                f"{scale:g}",
                "Illustrative data: ward names, codes, seats and council Census 2021 totals are "
                "real; every measure, contact, case, ward population split and commentary is "
                "made up.",
            ],
        }
    )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
PARQUET_TABLES = ("measurement", "demand", "work_case")
ARROW_TYPES = {
    "demand": pa.schema(
        [
            ("demand_id", pa.int64()),
            ("service_id", pa.string()),
            ("locality_id", pa.string()),
            ("channel", pa.string()),
            ("received_at", pa.timestamp("us")),
            ("demand_type", pa.string()),
            ("nature", pa.string()),
            ("case_id", pa.int64()),
        ]
    ),
    "work_case": pa.schema(
        [
            ("case_id", pa.int64()),
            ("service_id", pa.string()),
            ("locality_id", pa.string()),
            ("channel", pa.string()),
            ("nature", pa.string()),
            ("started_at", pa.timestamp("us")),
            ("completed_at", pa.timestamp("us")),
        ]
    ),
    "measurement": pa.schema(
        [
            ("measure_id", pa.string()),
            ("period_start", pa.date32()),
            ("locality_id", pa.string()),
            ("value", pa.float64()),
            ("numerator", pa.float64()),
            ("denominator", pa.float64()),
            ("entered_by", pa.string()),
            ("entered_at", pa.timestamp("us")),
        ]
    ),
}


def _write(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, Path]:
    """Parquet (zstd) for the big tables, CSV for the small ones people may want to read or edit."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in tables.items():
        for stale in (out_dir / f"{name}.csv", out_dir / f"{name}.parquet"):
            stale.unlink(missing_ok=True)
        if name in PARQUET_TABLES:
            path = out_dir / f"{name}.parquet"
            table = pa.Table.from_pandas(frame, schema=ARROW_TYPES[name], preserve_index=False)
            table = table.replace_schema_metadata(None)  # no pandas metadata: files depend on data only
            pq.write_table(table, path, compression="zstd", compression_level=9, row_group_size=1_000_000)
        else:
            path = out_dir / f"{name}.csv"
            frame.to_csv(path, index=False, lineterminator="\n")
        written[name] = path
    return written


def generate(out_dir: Path | str = SEED_DIR, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, int]:
    """Write every seed table to ``out_dir``; returns rows per table.

    ``scale`` multiplies case-level volumes (1.0 gives ~400,000 contacts; 0.02 a quick test set).
    Each part draws from its own seeded stream, so the same seed always writes identical files.
    """
    out_dir = Path(out_dir)
    cal = Calendar.build()
    demo = ward_demography(np.random.default_rng([seed, 1]))
    weights = ward_weights(demo)
    council, locality, demographic = geography_tables(demo)
    work_case, demand = simulate_cases(cal, weights, seed, scale)
    measured = case_measurements(work_case, demand, np.random.default_rng([seed, 2]))
    con = duckdb.connect()
    con.register("demand", demand)
    cs_monthly = (
        con.execute("""
        SELECT date_trunc('month', received_at)::TIMESTAMP AS m, count(*) AS n FROM demand
        WHERE channel IN ('phone', 'face-to-face') GROUP BY 1""")
        .df()
        .set_index("m")["n"]
    )
    con.close()
    modelled = modelled_measurements(np.random.default_rng([seed, 3]), weights, cs_monthly)
    measurement = pd.concat([measured, modelled], ignore_index=True)
    measurement = _stamp(measurement, np.random.default_rng([seed, 4]))
    measurement = measurement.sort_values(["measure_id", "period_start", "locality_id"]).reset_index(drop=True)
    tables = {
        "meta": meta_table(seed, scale),
        "council": council,
        "locality": locality,
        "purpose": purpose_table(),
        "measure": measure_table(),
        "owner": owner_table(),
        "measurement": measurement,
        "phase": phase_table(),
        "commentary": commentary_table(np.random.default_rng([seed, 5])),
        "service": service_table(),
        "demand": demand,
        "work_case": work_case,
        "demographic": demographic,
        "bank_holiday": bank_holiday_table(),
    }
    _write(tables, out_dir)
    counts = {name: len(frame) for name, frame in tables.items()}
    # the real published figures go beside them, in their own folder with their sources (perf.seed.realdata)
    counts.update({f"real/{k}": v for k, v in realdata.write(out_dir / "real", locality).items()})
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m perf.seed.sample", description="Write the illustrative seed data (data/seed/*)."
    )
    parser.add_argument("--out", default=str(SEED_DIR), help="output folder (default: data/seed)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="case-level volume multiplier")
    parser.add_argument(
        "--real-only",
        action="store_true",
        help="rewrite only the real seed files (data/seed/real) from the shared folder",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.real_only:
        out = Path(args.out)
        counts = realdata.write(out / "real", pd.read_csv(out / "locality.csv"))
    else:
        counts = generate(Path(args.out), seed=args.seed, scale=args.scale)
    for table, rows in counts.items():
        print(f"{table:>14}: {rows:,}")
    print(f"Wrote {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

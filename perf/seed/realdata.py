"""The REAL seed files (data/seed/real/): published figures, with their sources, from the project's shared folder.

Why it exists: the app ships and runs without the shared folder (``perf build`` reads only
``data/seed``), yet the real figures must be traceable to where they came from. This module reads
the published files once (``python -m perf.seed.sample`` calls it), moves council codes to today's
councils (``perf.analysis.published.to_current``) and writes compact seed files with a ``source`` row for
each origin. What it writes:

- Bromsgrove's and Redditch's FixMyStreet reports as real measures by ward (best-fit lookup) and
  for the whole area (``measure``, ``measurement``), under the purpose each category serves.
- FixMyStreet reports for every UK council by month and eight ONS indicators by year
  (``published_metric``, ``published_value``, ``published_note``), ONS's nearest neighbours
  (``area_neighbour``), Census 2011 and 2021 residents (``area_population``) and the councils (``area``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from perf.analysis import measures, published

FMS = "fixmystreet"
SOURCES = pd.DataFrame(
    [
        {
            "source_id": FMS,
            "name": "mySociety / FixMyStreet",
            "licence": "ODC-By 1.0",
            "attribution": "FixMyStreet problem reports: mySociety / FixMyStreet, Open Data Commons Attribution "
            "Licence (ODC-By 1.0). Categories by Elvis Nyanzu (University of Sheffield).",
            "url": "https://github.com/mysociety/fms_geographic_data",
            "note": "Export of 21 July 2021 (commit ce1f926), reports to December 2020.",
        },
        {
            "source_id": "fixmystreet-wards",
            "name": "mySociety / FixMyStreet, by ward (best fit)",
            "licence": "ODC-By 1.0; boundaries OGL v3",
            "attribution": "FixMyStreet problem reports: mySociety / FixMyStreet (ODC-By 1.0), by 2011 small area, placed "
            "in 2025 wards by where each small area's centre falls (a best fit, not an official lookup). "
            "Boundaries: ONS Geoportal, OGL v3; contains OS data © Crown copyright and database right.",
            "url": "https://github.com/mysociety/fms_geographic_data",
            "note": None,
        },
        {
            "source_id": "ons-census",
            "name": "ONS Census 2011 and 2021",
            "licence": "OGL v3",
            "attribution": "Usual residents, Census 2011 and 2021: Office for National Statistics, licensed under the "
            "Open Government Licence v3.0.",
            "url": "https://github.com/ONSvisual/census-population-scrolly",
            "note": "2021 figures rounded to 100.",
        },
        {
            "source_id": "ons-similar-areas",
            "name": "ONS similar areas (Explore Local Statistics)",
            "licence": "OGL v3 / MIT",
            "attribution": "Nearest neighbours: Office for National Statistics, Explore Local Statistics (Crown copyright), "
            "Open Government Licence v3.0.",
            "url": "https://github.com/ONSdigital/explore-local-statistics-app",
            "note": "Clusters updated March 2026.",
        },
        {
            "source_id": "ons-els",
            "name": "ONS Explore Local Statistics",
            "licence": "OGL v3",
            "attribution": "Source: Office for National Statistics (and the departments it names), licensed under the "
            "Open Government Licence v3.0.",
            "url": "https://github.com/ONSdigital/explore-local-statistics-data",
            "note": None,
        },
    ]
)

# Added to the illustrative dataset's facts: the banner names what is real
META = pd.DataFrame(
    {
        "key": ["real_data"],
        "value": [
            "Measures marked Real data (FixMyStreet reports for Bromsgrove and Redditch, by ward) and the Similar councils "
            "page are real published figures: FixMyStreet reports (mySociety / FixMyStreet, ODC-By 1.0) and ONS statistics "
            "(Open Government Licence v3.0)."
        ],
    }
)

# Bromsgrove and Redditch's real measures: (measure_id, category code or None, name, purpose, whose work)
FMS_MEASURES = (
    (
        "fms-all",
        None,
        "FixMyStreet reports: all problems",
        "sp-place",
        "Every problem, whichever council's: potholes, pavements and street lights are Worcestershire County "
        "Council's work; bins, litter, fly-tipping and dog fouling the district's.",
    ),
    (
        "fms-rubbish",
        "B26",
        "FixMyStreet reports: rubbish and fly-tipping",
        "op-street-scene",
        "Litter and fly-tipping on public land: the district's Place Teams' work.",
    ),
    (
        "fms-dog-fouling",
        "B6",
        "FixMyStreet reports: dog fouling",
        "op-street-scene",
        "Dog fouling: the district's Place Teams' work.",
    ),
    (
        "fms-street-lights",
        "B28",
        "FixMyStreet reports: street lights",
        "sp-place",
        "Street lights: mostly Worcestershire County Council's work (highway lighting), some the district's.",
    ),
    (
        "fms-potholes",
        "B25",
        "FixMyStreet reports: potholes and road surface",
        "sp-place",
        "Road surface defects: Worcestershire County Council's work as highway authority, not the district's.",
    ),
)
FMS_FROM, FMS_TO = pd.Timestamp("2007-02-01"), pd.Timestamp("2020-12-01")


def real_dir() -> Path:
    """The shared folder of real data: OUTSIDE_IN_REAL_DATA, else the first ``shared/data/real`` above the repo."""
    if os.environ.get("OUTSIDE_IN_REAL_DATA"):
        return Path(os.environ["OUTSIDE_IN_REAL_DATA"])
    here = Path(__file__).resolve().parent
    for folder in here.parents:
        candidate = folder / "shared" / "data" / "real"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("No shared/data/real folder above the repository; set OUTSIDE_IN_REAL_DATA to it.")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ------------------------------------------------------------------------------------------------
# Bromsgrove and Redditch: real measures by ward


def _ward_ids(locality: pd.DataFrame, lookup: pd.DataFrame) -> dict[str, str]:
    """2025 ward code -> the app's ward id: by ONS code, else by name within the council (Redditch's have no code)."""
    wards = locality[locality["kind"] == "ward"]
    by_code = {str(c): str(i) for c, i in zip(wards["code"], wards["locality_id"], strict=True) if pd.notna(c)}
    by_name = {
        (str(c), str(n).lower()): str(i)
        for c, n, i in zip(wards["council_id"], wards["name"], wards["locality_id"], strict=True)
    }
    out = {}
    for code, name, lad in lookup[["WD25CD", "WD25NM", "LADCD"]].drop_duplicates().itertuples(index=False):
        ward = by_code.get(str(code)) or by_name.get((str(lad), str(name).lower()))
        if ward is None:
            raise ValueError(f"ward {code} {name} of the FixMyStreet lookup is not in the locality table")
        out[str(code)] = ward
    return out


def council_measures(folder: Path, locality: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The real measures' catalogue rows and their values: every ward each month (zeros filled) plus the area total."""
    wards_dir = folder / "fixmystreet_bromsgrove_redditch_wards"
    lookup = pd.read_csv(wards_dir / "lsoa11_to_ward25_bestfit.csv")
    ward_of = _ward_ids(locality, lookup)
    allrep = pd.read_csv(wards_dir / "fms_lsoa_monthly_all_reports_bromsgrove_redditch.csv")
    shef_b = pd.read_csv(wards_dir / "fms_lsoa_monthly_shef_b_bromsgrove_redditch.csv")
    months = pd.date_range(FMS_FROM, FMS_TO, freq="MS")
    wards = sorted(set(ward_of.values()))
    rows, values = [], []
    for measure_id, code, name, purpose_id, whose in FMS_MEASURES:
        src = allrep if code is None else shef_b[shef_b["SHEF_B_CODE"] == code]
        counts = (
            src.assign(locality_id=src["WD25CD"].map(ward_of), period_start=pd.to_datetime(src["period"]))
            .groupby(["period_start", "locality_id"])["reports"]
            .sum()
        )
        idx = pd.MultiIndex.from_product([months, wards], names=["period_start", "locality_id"])
        full = counts.reindex(idx, fill_value=0).reset_index()
        total = full.groupby("period_start", as_index=False)["reports"].sum().assign(locality_id=measures.AREA)
        frame = pd.concat([full, total], ignore_index=True)
        values.append(
            pd.DataFrame(
                {
                    "measure_id": measure_id,
                    "period_start": frame["period_start"].dt.date,
                    "locality_id": frame["locality_id"],
                    "value": frame["reports"].astype(float),
                    "numerator": np.nan,
                    "denominator": np.nan,
                    "entered_by": "perf.seed.realdata",
                    "entered_at": pd.Timestamp("2021-07-21"),
                }
            )
        )
        category = "every category" if code is None else f"the category '{name.split(': ')[1]}' ({code})"
        rows.append(
            {
                "measure_id": measure_id,
                "name": name,
                "purpose_id": purpose_id,
                "kind": "strategic" if purpose_id.startswith("sp-") else "operational",
                "unit": "reports",
                "frequency": "month",
                "improvement": "neutral",
                "aggregation": "sum",
                "target": None,
                "owner": "Policy Team (real published data)",
                "definition": (
                    f"Problem reports made through FixMyStreet (fixmystreet.com and the council co-brands) in "
                    f"the month about a place in the ward, {category}. {whose} This is demand through one "
                    "channel only: people also phone, email and use the councils' own forms, so it is not "
                    "the councils' whole demand. Real data, February 2007 to December 2020."
                ),
                "source": "mySociety / FixMyStreet (ODC-By 1.0), by 2011 small area with a best-fit lookup to 2025 wards",
                "by_locality": True,
                "dq_relevant": "Shows what residents bother to report online about their place, month by month: demand "
                "through one channel, including work that is the county council's (such as potholes).",
                "dq_well_defined": "One report is one problem a person reported, counted where it is, not by which council "
                "does the work. Categories are mySociety's grouping (University of Sheffield) of the "
                "names each council uses.",
                "dq_timely": "A published extract that ends in December 2020: it is not updated, so it shows the past.",
                "dq_reliable": "Counted by FixMyStreet's own system, the same way every month; use of the site grew over "
                "the years, so a rise can be more people using it rather than more problems.",
                "dq_verifiable": "mySociety publishes the monthly files (github.com/mysociety/fms_geographic_data); "
                "every figure here can be rebuilt from them.",
                "dq_accurate": "Wards are a best fit: each 2011 small area is placed in the 2025 ward its centre falls in, "
                "so a few reports near a ward edge count in the next ward. Summed from small areas, the "
                "totals differ slightly from mySociety's council files (Bromsgrove 1,607 against 1,597).",
                "published": True,
                "decimals": 0,
                "is_real": True,
                "source_id": "fixmystreet-wards",
            }
        )
    return pd.DataFrame(rows), pd.concat(values, ignore_index=True)


# ------------------------------------------------------------------------------------------------
# Every council: FixMyStreet by month, ONS indicators by year


def _fms_metric(metric_id: str, name: str, sub: pd.DataFrame) -> tuple[dict[str, object], pd.DataFrame]:
    row: dict[str, object] = {
        "metric_id": metric_id,
        "name": name,
        "unit": "reports",
        "frequency": "month",
        "additive": True,
        "missing_is_zero": True,
        "per_1000": True,
        "decimals": 2,
        "definition": "Problem reports made through FixMyStreet about a place in the council's area in the month, "
        "whichever council's work it is (potholes and street lights are the county's in two-tier "
        "areas): demand through one channel. Compared per 1,000 residents.",
        "source_id": FMS,
    }
    return row, pd.DataFrame(
        {
            "metric_id": metric_id,
            "area_code": sub["lad"],
            "period_start": pd.to_datetime(sub["period"]),
            "value": sub["reports"],
        }
    )


def _fms_national(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """FixMyStreet reports of every council by month: all problems, 8 broad groups and 29 categories."""
    base = folder / "fixmystreet_lad_monthly"
    made = [
        _fms_metric(
            "fms-all", "FixMyStreet reports: all problems", pd.read_csv(base / "fms_lad_monthly_all_reports.csv.gz")
        )
    ]
    for kind, prefix in (("C", "FixMyStreet reports, broad group: "), ("B", "FixMyStreet reports: ")):
        codes = pd.read_csv(base / f"CODES_SHEF_{kind}.csv")
        frame = pd.read_csv(base / f"fms_lad_monthly_shef_{kind.lower()}.csv.gz")
        for code, label in zip(codes["code"], codes["name"], strict=True):
            made.append(
                _fms_metric(f"fms-{str(code).lower()}", f"{prefix}{label}", frame[frame[f"SHEF_{kind}_CODE"] == code])
            )
    return pd.DataFrame([m for m, _ in made]), pd.concat([v for _, v in made], ignore_index=True)


def _ons_indicators(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = folder / "ons_explore_local_statistics"
    metrics, parts = [], []
    for path in sorted(base.glob("*.csv.gz")):
        slug = path.name.removesuffix(".csv.gz")
        about = json.loads(path.with_name(f"{slug}.json").read_text())["ess-beta-metadata"]
        frame = pd.read_csv(path, encoding="utf-8-sig")
        frame = frame[frame["observation"].notna()]
        monthly = bool(frame["period"].str.endswith("/P1M").any())
        several = frame["indicator"].nunique() > 1
        for indicator, sub in frame.groupby("indicator", sort=True):
            meta = {**about.get("shared", {}), **about.get(str(indicator), {})} if several else about
            metric_id = f"ons-{slug}-{_slug(str(indicator))}" if several else f"ons-{slug}"
            unit = (
                "£"
                if meta.get("prefix") == "GBPSign"
                else meta.get("suffix") or meta.get("subText") or str(sub["unit"].iloc[0])
            )
            org = str(meta.get("sourceOrg") or about.get("sourceOrg") or "Office for National Statistics")
            experimental = " (official statistics in development)" if meta.get("experimentalStatistic") == "T" else ""
            metrics.append(
                {
                    "metric_id": metric_id,
                    "name": str(meta.get("label") or indicator),
                    "unit": str(unit),
                    "frequency": "month" if monthly else "year",
                    "additive": "Number" in str(sub["measure"].iloc[0]),
                    "missing_is_zero": False,
                    "per_1000": False,
                    "decimals": int(meta.get("decimalPlaces") or 1),
                    "definition": f"{meta.get('subtitle') or meta.get('label') or str(indicator)}. Published by "
                    f"{org.replace('|', ' and ')}{experimental}.",
                    "source_id": "ons-els",
                }
            )
            # an interval (2015-04-01/P1Y) starts where it says; a point in a year (ASHE's April date) is that year
            start = pd.to_datetime(sub["period"].str.slice(0, 10))
            interval = sub["period"].str.contains("/", regex=False)
            month = pd.Series(start.dt.to_period("M").dt.to_timestamp(), index=sub.index)
            year = pd.Series(start.dt.to_period("Y").dt.to_timestamp(), index=sub.index)
            periods = month.where(interval, year)
            parts.append(
                pd.DataFrame(
                    {
                        "metric_id": metric_id,
                        "area_code": sub["areacd"],
                        "period_start": periods,
                        "value": sub["observation"].astype(float),
                        "area_name": sub["areanm"],
                    }
                )
            )
    return pd.DataFrame(metrics), pd.concat(parts, ignore_index=True)


def national_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The published tables for every council, codes moved to today's councils where the sums are exact."""
    similar = folder / "ons_similar_areas"
    clusters = pd.read_csv(similar / "cluster-allocation.csv", encoding="utf-8-sig")
    current = dict(zip(clusters["AREACD"], clusters["AREANM"], strict=True))
    neighbours = []
    for basis in ("global", "economic", "demographic"):
        wide = pd.read_csv(similar / f"{basis}-neighbours.csv", encoding="utf-8-sig")
        long = wide.melt(id_vars="AREACD", var_name="rank", value_name="neighbour_code").dropna()
        neighbours.append(
            pd.DataFrame(
                {
                    "area_code": long["AREACD"],
                    "basis": basis,
                    "rank": long["rank"].astype(int),
                    "neighbour_code": long["neighbour_code"],
                }
            )
        )
    neighbour = pd.concat(neighbours, ignore_index=True).sort_values(["area_code", "basis", "rank"])

    census = pd.read_csv(folder / "ons_census_lad_population" / "lad_population_census_2011_2021.csv")
    pop = pd.concat(
        [
            pd.DataFrame(
                {
                    "area_code": census["lad_code"],
                    "period_start": pd.Timestamp(f"{y}-01-01"),
                    "value": census[f"population_census_{y}"].astype(float),
                }
            )
            for y in (2011, 2021)
        ]
    )
    pop, _ = published.to_current(pop, additive=True, name="population")
    population = pd.DataFrame(
        {
            "area_code": pop["area_code"],
            "year": pop["period_start"].dt.year,
            "population": pop["value"],
            "source_id": "ons-census",
        }
    )

    fms_metrics, fms_values = _fms_national(folder)
    ons_metrics, ons_values = _ons_indicators(folder)
    metrics = pd.concat([fms_metrics, ons_metrics], ignore_index=True)
    old_names = dict(zip(ons_values["area_code"], ons_values["area_name"], strict=False))
    values: list[pd.DataFrame] = []
    notes: list[dict[str, str]] = []
    for metric in metrics.itertuples(index=False):
        raw = pd.concat(
            [
                fms_values[fms_values["metric_id"] == metric.metric_id],
                ons_values[ons_values["metric_id"] == metric.metric_id],
            ]
        )
        moved, said = published.to_current(
            raw,
            additive=bool(metric.additive),
            missing_is_zero=bool(metric.missing_is_zero),
            name=str(metric.name).lower(),
        )
        keep = moved["area_code"].isin(current) | moved["area_code"].isin(published.OLD_NAMES)
        values.append(moved[keep].assign(metric_id=str(metric.metric_id)))
        notes.extend({"metric_id": str(metric.metric_id), "area_code": c, "note": n} for c, n in said.items())
    value = pd.concat(values, ignore_index=True)[["metric_id", "area_code", "period_start", "value"]]
    value["period_start"] = value["period_start"].dt.date
    value = value.sort_values(["metric_id", "area_code", "period_start"]).reset_index(drop=True)
    abolished = sorted(set(value["area_code"]) - set(current))
    area = pd.DataFrame(
        [{"area_code": c, "name": n, "tier": published.tier(c), "current": True} for c, n in current.items()]
        + [
            {
                "area_code": c,
                "name": published.OLD_NAMES.get(c, old_names.get(c, c)),
                "tier": published.tier(c),
                "current": False,
            }
            for c in abolished
        ]
    )
    return {
        "source": SOURCES,
        "area": area,
        "area_population": population,
        "area_neighbour": neighbour,
        "published_metric": metrics,
        "published_value": value,
        "published_note": pd.DataFrame(notes, columns=["metric_id", "area_code", "note"]),
    }


def write(out_dir: Path, locality: pd.DataFrame, folder: Path | None = None) -> dict[str, int]:
    """Write the real seed files to ``out_dir`` (data/seed/real): Parquet for the big tables, CSV for the rest."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    folder = folder or real_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    measure, measurement = council_measures(folder, locality)
    tables = {"meta": META, "measure": measure, "measurement": measurement, **national_tables(folder)}
    for name, frame in tables.items():
        for stale in out_dir.glob(f"{name}.*"):
            stale.unlink()
        if name in ("measurement", "published_value"):
            table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
            pq.write_table(table, out_dir / f"{name}.parquet", compression="zstd", compression_level=9)
        elif name in ("area_neighbour", "published_note"):  # long and repetitive: gzip, fixed mtime
            import gzip

            with gzip.GzipFile(out_dir / f"{name}.csv.gz", "wb", mtime=0) as gz:
                gz.write(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        else:
            frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in tables.items()}

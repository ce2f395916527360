"""The small geography the demand and capability tests count cases within.

ALL > council C1 > locality L1 > wards W1, W2; council C2 > ward W3 (no locality): a place filter's
wards beneath it, and a council with no locality between it and its ward, each have a case.
"""

from __future__ import annotations

import duckdb

LOCALITIES = [
    ("ALL", "Everywhere", "area", None),
    ("C1", "North Council", "council", "ALL"),
    ("L1", "Riverside", "locality", "C1"),
    ("W1", "Abbey", "ward", "L1"),
    ("W2", "Bridge", "ward", "L1"),
    ("C2", "South Council", "council", "ALL"),
    ("W3", "Castle", "ward", "C2"),
]


def add_localities(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the geography into a database whose schema is made."""
    con.executemany("INSERT INTO locality (locality_id, name, kind, parent_id) VALUES (?, ?, ?, ?)", LOCALITIES)

"""A copy of the sample data whose user text is built to break out: Markdown links and remote images,
emphasis, HTML and a blank line in a measure's name, owner, definition, unit, phase label, purpose,
a demand nature and a review's "Reviewed by". tests/test_plain_text.py and the browser test use it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

MEASURE = "homeless-approaches"
SERVICE = "housing_options"


def payloads(tracker: str) -> dict[str, str]:
    """Each field's text; ``tracker`` is the base URL of an image host that records every request."""
    image = f"![x]({tracker}/track.png)"
    return {
        "name": f"Homelessness {image} [approaches](http://evil.example/) **now**",
        "owner": f"Housing Options Manager {image}",
        "definition": f'Households who contacted us. <img src="{tracker}/html.png"> _under_ {image}',
        "unit": f"households {image}",
        "phase": f"New front door {image}",
        "purpose": f"Help me find a home {image}",
        "description": f"Shelter first. [read more](http://evil.example/)\n\n{image}",
        "nature": f'Chasing progress\n\n{image}\n\n<img src="{tracker}/svg.png">',
        "reviewer": f"Olive {image}",
    }


def build(sample_db: Path, target: Path, tracker: str) -> dict[str, str]:
    """Copy ``sample_db`` to ``target`` with the payloads in place; returns them."""
    shutil.copy(sample_db, target)
    text = payloads(tracker)
    con = duckdb.connect(str(target))
    try:
        con.execute(
            "UPDATE measure SET name = ?, owner = ?, definition = ?, unit = ? WHERE measure_id = ?",
            [text["name"], text["owner"], text["definition"], text["unit"], MEASURE],
        )
        con.execute("INSERT INTO phase VALUES (?, DATE '2025-04-01', ?, 'x')", [MEASURE, text["phase"]])
        con.execute(
            "UPDATE purpose SET name = ?, description = ? WHERE purpose_id = "
            "(SELECT parent_id FROM purpose WHERE purpose_id = (SELECT purpose_id FROM measure "
            "WHERE measure_id = ?))",
            [text["purpose"], text["description"], MEASURE],
        )
        con.execute(
            "UPDATE demand SET nature = ? WHERE service_id = ? AND nature = "
            "(SELECT nature FROM demand WHERE service_id = ? AND demand_type = 'failure' "
            "GROUP BY nature ORDER BY count(*) DESC LIMIT 1)",
            [text["nature"], SERVICE, SERVICE],
        )
        con.execute(
            "INSERT INTO review (measure_id, change_date, decision, actions, reviewed_by, reviewed_at) "
            "VALUES (?, DATE '2025-04-01', 'Keep it', 'None', ?, TIMESTAMP '2026-11-01 10:00')",
            [MEASURE, text["reviewer"]],
        )
        con.execute(
            "INSERT INTO app_user (username, display_name, role, password_hash, created_at) VALUES "
            "('olive', 'Olive Officer', 'officer', 'x', now())"
        )
    finally:
        con.close()
    return text

"""Published snapshots: what the public may see, copied out of the council's database, versioned.

A public site that reads the council's own database shares its lock with every scheduled load and
keeps officers' names, unpublished measures and internal commentary one bug away from a visitor.
``python -m perf publish --out DIR`` writes instead a separate, read-only copy for the public app's
replicas to share::

    DIR/current -> versions/20261207T061502.123456Z      (a symbolic link, swapped by rename)
    DIR/versions/20261207T061502.123456Z/outside_in.duckdb  (read-only file; the public app opens it)
    DIR/versions/20261207T061502.123456Z/parquet/*.parquet  (the partner tables, small counts hidden)
    DIR/versions/20261207T061502.123456Z/manifest.json      (version, time, rows per table)

A version is written whole in a hidden folder beside ``versions/`` and renamed into place; only then
does ``current`` move, by renaming a new link over it (both renames are atomic on one file system).
A reader that resolved ``current`` before the swap keeps the old version's file: it is not changed
and not removed until ``KEEP`` newer versions exist. The app resolves the link once per page run
(:func:`resolve`, called by ``ui.db.start_run``), so a page is drawn from one version, and the next
run picks up the newer one.

What the copy holds (:data:`COPIES`), by the rules of the one public filter (:mod:`perf.access.public`):
published measures with their owners as roles, their values, phases, and the dates of their
reviews; public commentary only, its author "Council officer"; the periods one-off answers left out
of the limits (``excluded_period``: measure, place and periods, never the cause or who answered), so the
public's limits are those the council's public-view preview draws; places, purposes, services,
demographics and bank holidays. Never users, the change log, who entered a value, a review's
decision, actions or reviewers, or anything about an unpublished measure. The case and contact
records stay, without officers' details: the public Demand and Capability pages count them for
whatever service, ward and period a visitor picks, and hide small counts as they draw. Ward values
stay as recorded too: the public pages roll them up and hide small ones at the query
(:func:`perf.access.public.cells`). The DuckDB file is for the app's servers; what is published for
download is the Parquet, from :func:`perf.output.export.published_tables` (small counts already hidden).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from perf import store
from perf.access import public
from perf.intake import inbox
from perf.output import export
from perf.config import db_path

DB_NAME = "outside_in.duckdb"
CURRENT = "current"
VERSIONS = "versions"
KEEP = 3  # versions kept besides the newest: a page run that resolved an older one still finds its file
STALE_TEMP_SECONDS = 3600.0  # a half-written version older than this is from a publish that died
PUBLIC_AUTHOR = public.PUBLIC_AUTHOR  # how the public view names the writer of a comment

# table -> the SELECT (from the council's database, attached as src) that fills it in the snapshot.
# Tables not named here stay empty (app_user, change_log). Only published measures' rows go in.
_PUBLISHED = "measure_id IN (SELECT measure_id FROM src.measure WHERE published)"
COPIES: dict[str, str] = {
    "meta": "SELECT * FROM src.meta WHERE key NOT IN ('seed_dir')",
    "council": "SELECT * FROM src.council",
    "locality": "SELECT * FROM src.locality",
    "purpose": "SELECT * FROM src.purpose",
    "measure": "SELECT * FROM src.measure WHERE published",
    "measurement": f"SELECT * REPLACE (NULL::VARCHAR AS entered_by) FROM src.measurement WHERE {_PUBLISHED}",
    "phase": f"SELECT * FROM src.phase WHERE {_PUBLISHED}",
    "commentary": (
        f"SELECT * REPLACE ('{PUBLIC_AUTHOR}' AS author) FROM src.commentary "
        f"WHERE visibility = 'public' AND {_PUBLISHED}"
    ),
    "service": "SELECT * FROM src.service",
    "demand": "SELECT * FROM src.demand",
    "work_case": "SELECT * FROM src.work_case",
    "demographic": "SELECT * FROM src.demographic",
    "bank_holiday": "SELECT * FROM src.bank_holiday",
    # of a review, the public see its dates only (perf.access.public.REVIEW_COLUMNS): the rest stays inside
    "review": (
        "SELECT * REPLACE (NULL::VARCHAR AS decision, NULL::VARCHAR AS actions, NULL::VARCHAR AS reviewed_by) "
        f"FROM src.review WHERE {_PUBLISHED}"
    ),
    # real published statistics and their sources: public already (the Similar councils page)
    "source": "SELECT * FROM src.source",
    "area": "SELECT * FROM src.area",
    "area_population": "SELECT * FROM src.area_population",
    "area_neighbour": "SELECT * FROM src.area_neighbour",
    "published_metric": "SELECT * FROM src.published_metric",
    "published_value": "SELECT * FROM src.published_value",
    "published_note": "SELECT * FROM src.published_note",
    # the periods one-off answers left out of the limits, so the public's limits are the council's preview's:
    # the spans only (never the cause, the action, who answered or who found it)
    "excluded_period": (
        "SELECT DISTINCT s.measure_id, s.locality_id, s.first_period, s.last_period "
        "FROM src.signal_answer a JOIN src.signal_item s USING (signal_id) "
        f"WHERE a.exclude_from_limits AND s.{_PUBLISHED}"
    ),
}


@dataclass(frozen=True)
class Snapshot:
    """One published version: its folder, its database file and the rows copied per table."""

    version: str
    folder: Path
    rows: dict[str, int]

    @property
    def db(self) -> Path:
        return self.folder / DB_NAME


def resolve(path: str | Path) -> Path:
    """The database file a run should open: a snapshot folder's current version, or the file itself.

    ``OUTSIDE_IN_DB`` may name a snapshot folder (``DIR``), its link (``DIR/current/outside_in.duckdb``)
    or an ordinary database; symbolic links are followed once, here, so a page run that calls this
    at its start reads one version throughout, however many times ``current`` moves meanwhile.
    """
    target = Path(path)
    if target.is_dir():
        target = target / CURRENT / DB_NAME
    return Path(os.path.realpath(target))


def new_version(now: dt.datetime | None = None) -> str:
    """A version name that sorts in time order: UTC to the microsecond, e.g. 20261207T061502.123456Z."""
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return when.strftime("%Y%m%dT%H%M%S.%fZ")


def publish(
    out: str | Path, source: str | Path | None = None, *, keep: int = KEEP, wait_seconds: float = 30.0
) -> Snapshot:
    """Write a new snapshot of ``source`` (default ``OUTSIDE_IN_DB``) under ``out`` and make it current.

    Nothing under ``current`` changes until the new version is complete; if anything fails, the
    half-written folder is removed and the old version stays current.
    """
    root = Path(out)
    versions = root / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(root)
    version = new_version()
    while (versions / version).exists():  # two publishes within a microsecond
        time.sleep(1e-6)
        version = new_version()
    temp = root / f".tmp-{version}-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        # while the staff app holds the council's file, read a consistent copy it makes (perf.intake.inbox)
        with inbox.readable(Path(source) if source is not None else db_path()) as readable:
            rows = _write(temp, readable, version, wait_seconds)
        for path in temp.rglob("*"):
            if path.is_file():
                path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # a snapshot is never written again
        fsync_tree(temp)
        final = versions / version
        os.replace(temp, final)
        _point_current(root, final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    prune(root, keep=keep)
    return Snapshot(version, final, rows)


def _write(folder: Path, source: Path | None, version: str, wait_seconds: float) -> dict[str, int]:
    """The database file, the Parquet tables and the manifest, into ``folder``."""
    con = duckdb.connect(str(folder / DB_NAME))
    try:
        _attach_source(con, source if source is not None else db_path(), wait_seconds)
        store.create_schema(con)
        con.execute("BEGIN")
        rows: dict[str, int] = {}
        present = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src'"
            ).fetchall()
        }
        for table, select in COPIES.items():
            # table names come from COPIES, checked against the schema's whitelist
            if table not in store.TABLES:
                raise ValueError(f"perf.output.publish.COPIES names {table!r}, which is not a table of the schema")
            if not set(re.findall(r"\bsrc\.(\w+)", select)) <= present:  # built before a table it reads existed
                continue
            # by name: a database built before a column was added gets its default in the snapshot
            con.execute(f"INSERT INTO {table} BY NAME {select}")
        for table in store.TABLES:  # every table, the ones left empty too
            counted = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            rows[table] = int(counted[0][0])
        owners = con.execute("SELECT measure_id, owner FROM measure").fetchall()
        con.executemany(
            "UPDATE measure SET owner = ? WHERE measure_id = ?",  # the role, never a name
            [(public.owner_role(owner), mid) for mid, owner in owners],
        )
        published_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('snapshot_version', ?), ('published_at', ?)", [version, published_at]
        )
        con.execute("COMMIT")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    snap = duckdb.connect(str(folder / DB_NAME), read_only=True)
    try:
        tables = export.published_tables(snap)
    finally:
        snap.close()
    (folder / "parquet").mkdir()
    for name, frame in tables.items():
        frame.to_parquet(folder / "parquet" / f"{name}.parquet", index=False)
    manifest = {
        "version": version,
        "published_at": published_at,
        "database": DB_NAME,
        "rows": rows,
        "parquet": {n: len(f) for n, f in tables.items()},
        "small_count_rule": export.SUPPRESSION_RULE,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return rows


def _attach_source(con: duckdb.DuckDBPyConnection, source: Path, wait_seconds: float) -> None:
    """Attach the council's database read-only as ``src``, waiting while a scheduled load holds it."""
    if not source.exists():
        raise FileNotFoundError(f"No database at {source}. Build one with `python -m perf build` first.")
    deadline = time.monotonic() + wait_seconds
    pause = 0.05
    while True:
        try:
            con.execute(f"ATTACH '{_sql_path(source)}' AS src (READ_ONLY)")  # ATTACH takes no parameter
            return
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def _sql_path(path: Path) -> str:
    """A path for ATTACH (which takes no parameter): quotes doubled so the string stays one literal."""
    return str(path).replace("'", "''")


def fsync_tree(folder: Path) -> None:
    """Flush every file to disk before the rename makes the version visible."""
    for path in [*folder.rglob("*"), folder]:
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _point_current(root: Path, final: Path) -> None:
    """Swap ``current`` to ``final`` with one rename: a reader sees the old link or the new, never none."""
    link = root / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(final, root), link)
    os.replace(link, root / CURRENT)


def current(root: str | Path) -> str | None:
    """The current version's name, or None before the first publish."""
    link = Path(root) / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def prune(root: str | Path, *, keep: int = KEEP) -> list[str]:
    """Remove versions older than the newest ``keep`` + 1 (never the current one); returns their names."""
    versions = Path(root) / VERSIONS
    now = current(root)
    names = sorted((p.name for p in versions.iterdir() if p.is_dir()), reverse=True)
    gone = [n for n in names[keep + 1 :] if n != now]
    for name in gone:
        shutil.rmtree(versions / name, ignore_errors=True)
    return gone


def _remove_stale_temps(root: Path) -> None:
    cutoff = time.time() - STALE_TEMP_SECONDS
    for path in root.glob(".tmp-*"):
        if path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)

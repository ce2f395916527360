"""Command line: ``python -m perf build|report|export|load|unlock|alerts|create-admin`` against OUTSIDE_IN_DB."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb

from perf import errors, store
from perf.config import db_path


def _readable(db: str | None) -> AbstractContextManager[Path]:
    """The database to read: the file itself, or a copy the running app makes (perf.intake.inbox.readable)."""
    from perf.intake import inbox

    return inbox.readable(Path(db) if db else db_path())


def _build(args: argparse.Namespace) -> int:
    from perf import seed
    from perf.errors import DatabaseUnavailableError

    started = time.perf_counter()
    try:
        counts = seed.build(args.db or None)
    except DatabaseUnavailableError as err:
        print(str(err), file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    for table, rows in counts.items():
        print(f"{table:>14}: {rows:,}")
    print(f"Built {args.db or db_path()} in {seconds:.1f} s")
    return 0


def _report(args: argparse.Namespace) -> int:
    """Write a briefing pack for a scheduled run; a bad purpose or date is a message, not a traceback."""
    from pathlib import Path

    from perf.analysis.measures import AREA
    from perf.config import public_mode
    from perf.output import pdf, report, slides

    fmt = args.format or Path(args.out).suffix.lstrip(".").lower()
    if fmt not in ("pdf", "pptx"):
        print(f"error: --format must be pdf or pptx, got {fmt or 'nothing'!r}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        with _readable(args.db) as source, store.connect(source) as con:
            pack = report.build_pack(
                con,
                purpose_id=args.purpose,
                portfolio=args.portfolio,
                measure_ids=args.measures.split(",") if args.measures else None,
                start=args.start,
                end=args.end,
                locality_id=args.locality or AREA,
                public_only=args.public or public_mode(),
            )
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    data = pdf.pack_pdf(pack) if fmt == "pdf" else slides.pack_pptx(pack)
    Path(args.out).write_bytes(data)
    print(
        f"Wrote {args.out}: {len(pack.pages)} measures, {len(pack.exceptions)} with a new signal, "
        f"{pack.period_label}, in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    """Write the published dataset (Parquet + CSV + data dictionary) as a zip for partners."""
    from pathlib import Path

    from perf.output import export

    try:
        with _readable(args.db) as source, store.connect(source) as con:
            data = export.published_zip(con)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(data)
    print(f"Wrote {args.out} ({len(data) / 1e6:.1f} MB)")
    return 0


def _publish(args: argparse.Namespace) -> int:
    """Write a public snapshot (--out) and/or the static public site (--static)."""
    from perf.output import publish

    if not args.out and not args.static:
        print(
            "error: give --out DIR (a snapshot for the public app), --static DIR (the static site), or both",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    source = Path(args.db) if args.db else db_path()
    try:
        if args.out:
            snap = publish.publish(args.out, source)  # a copy the app makes, while it holds the file
            print(
                f"Published {snap.version} to {snap.folder} ({snap.rows['measure']} measures, "
                f"{snap.rows['commentary']} public comments) in {time.perf_counter() - started:.1f} s; "
                f"{Path(args.out) / publish.CURRENT} points to it"
            )
        if args.static:
            from perf.output import site

            if args.out:
                built = site.build_site(args.static, publish.resolve(args.out), base_url=args.base_url or "")
            else:  # from a snapshot written for the purpose, so the site can only hold what the public may see
                with tempfile.TemporaryDirectory() as scratch:
                    snap = publish.publish(scratch, source)
                    built = site.build_site(args.static, snap.db, base_url=args.base_url or "")
            print(
                f"Wrote {built.pages} pages to {args.static} ({built.bytes / 1e6:.1f} MB) "
                f"in {time.perf_counter() - started:.1f} s"
            )
            if not args.base_url:
                print("Note: without --base-url the sitemap's addresses are relative; search engines want full ones.")
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def _load(args: argparse.Namespace) -> int:
    """Load one file whole or not at all; every problem goes to stderr, one per line.

    The file goes to the database's inbox (perf.intake.inbox): the running app loads it without stopping
    its pages, or, with no app running, this command does. Loads queue one behind another.
    """
    from pathlib import Path

    from perf.intake import check, inbox, read

    path = Path(args.file)
    target = Path(args.db) if args.db else db_path()
    if not path.is_file():
        print(f"No file at {path}. Nothing was saved.", file=sys.stderr)
        return 1
    if not target.exists():
        print(f"No database at {target}. Build one with `python -m perf build` first.", file=sys.stderr)
        return 1
    too_big = read.size_problem(path.name, path.stat().st_size)  # before reading gigabytes into memory
    if too_big:
        print(too_big.message(), file=sys.stderr)
        print(f"{path.name} was not loaded. Nothing was saved.", file=sys.stderr)
        return 1
    spec = {"kind": "load", "user": args.user or _cli_user(), "sheet": args.sheet}
    told: list[bool] = []
    # checked here, in this process, so the running app's pages do not wait on the check: against a
    # copy of the reference tables the holder of the file makes (one snapshot), then handed over as a
    # checked Parquet file with those tables' fingerprint; the holder only saves it (perf.intake.inbox)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".check-") as tmp:
        reference = Path(tmp) / "reference.duckdb"
        got = inbox.run(
            target,
            inbox.submit(target, {"kind": "reference", "out": str(reference)}),
            wait_seconds=args.wait,
            on_queued=lambda ahead: _queued(target, ahead, told),
        )
        if got.code != 0:
            sys.stderr.write(got.stderr)
            return got.code
        con = duckdb.connect(str(reference), read_only=True)
        try:
            result = check.validate_upload(con, path.read_bytes(), path.name, sheet=args.sheet)
        finally:
            con.close()
        notes = "".join(f"Note: {note}\n" for note in result.notes)
        if not result.ok or result.kind is None:
            sys.stderr.write(notes + "".join(f"{p.message()}\n" for p in result.problems) + f"{result.summary}\n")
            return 1
        frame = Path(tmp) / "checked.parquet"
        result.frame.to_parquet(frame)
        spec["checked"] = {
            "frame": frame.name,
            "kind": result.kind,
            "reference": got.stdout,
            "summary": result.summary,
            "notes": list(result.notes),
        }
        job = inbox.submit(target, spec, path, extra=(frame,))
    return _finish(target, job, args.wait, told)


def _queued(target: Path, ahead: int, told: list[bool]) -> None:
    """Say once that the running app will do the work (and how many jobs are ahead)."""
    if told:
        return
    told.append(True)
    behind = f", behind {ahead} other job{'s' if ahead != 1 else ''}" if ahead else ""
    print(f"{target} is open in the running app, so the app will do this{behind}. Waiting for it...", file=sys.stderr)


def _finish(target: Path, job: Path, wait: float, told: list[bool] | None = None) -> int:
    """Wait for the job's answer and print it as if this command had done the work itself."""
    from perf.intake import inbox

    said = told if told is not None else []
    answer = inbox.run(target, job, wait_seconds=wait, on_queued=lambda ahead: _queued(target, ahead, said))
    sys.stdout.write(answer.stdout)
    sys.stderr.write(answer.stderr)
    return answer.code


def _unlock(args: argparse.Namespace) -> int:
    """Clear an account's lock after failed sign-ins, even while the app runs (the last admin's way back in)."""
    from perf.intake import inbox

    target = Path(args.db) if args.db else db_path()
    if not target.exists():
        print(f"No database at {target}. Build one with `python -m perf build` first.", file=sys.stderr)
        return 1
    job = inbox.submit(target, {"kind": "unlock", "username": args.username, "user": _cli_user()})
    return _finish(target, job, args.wait)


def _alerts(args: argparse.Namespace) -> int:
    """Send each owner one digest of their signals not yet told (or, with --dry-run, print them)."""
    from perf.signals import alerts

    target = Path(args.db) if args.db else db_path()
    if not target.exists():
        print(f"No database at {target}. Build one with `python -m perf build` first.", file=sys.stderr)
        return 1
    try:
        config = alerts.settings()
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.dry_run:
        from perf.intake import inbox

        with inbox.readable(target) as source, store.connect(source) as con:  # a copy while the app runs
            found = alerts.digests(con, config.app_url if config else "http://localhost:8501")
        for d in found:
            print(f"To: {d.email or '(no address recorded)'}\nSubject: {d.subject}\n\n{d.body}\n")
        print(
            f"{len(found)} digest{'' if len(found) == 1 else 's'} would be sent (dry run: nothing was sent)."
            + ("" if config else " Email is not set up: set OUTSIDE_IN_SMTP_HOST or [smtp] in .streamlit/secrets.toml.")
        )
        return 0
    from perf.intake import inbox

    # sending marks the signals as told: a write, so the process that holds the database does it
    return _finish(target, inbox.submit(target, {"kind": "alerts"}), 600.0)


def _open_for_writing(target: Path, outcome: str) -> duckdb.DuckDBPyConnection | None:
    """A read-write connection, or None and a message when another process holds the file."""
    try:
        return store.connect_waiting(target, read_only=False, seconds=30.0)
    except duckdb.IOException:
        print(
            f"{target} is open in another program (such as the running app), so it can't be changed now. "
            f"{outcome} Stop the app, then try again.",
            file=sys.stderr,
        )
        return None


def _cli_user() -> str:
    """Who a scheduled load is recorded as in the change log: the account that ran it."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def _create_admin(args: argparse.Namespace) -> int:
    """Create the first admin; the password comes from a prompt (or stdin for scripts), never argv."""
    import getpass
    from pathlib import Path

    from perf.access import users

    target = Path(args.db) if args.db else db_path()
    if not target.exists():
        print(f"No database at {target}. Build one with `python -m perf build` first.", file=sys.stderr)
        return 1
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("The two passwords differ. No user was created.", file=sys.stderr)
            return 1
    con = _open_for_writing(target, "No user was created.")
    if con is None:
        return 1
    try:
        user = users.create_user(
            con, args.username, password, "admin", display_name=args.display_name, created_by=_cli_user()
        )
    except errors.InputError as err:
        for problem in err.problems:
            print(problem.message(), file=sys.stderr)
        print("No user was created.", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"Created admin '{user.username}'.")
    return 0


def _add_data_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``load`` and ``create-admin`` (issue #6)."""
    db_help = "database file (default: OUTSIDE_IN_DB or data/outside_in.duckdb)"
    ld = sub.add_parser(
        "load", help="load a CSV or Excel file of measure values or case records, all of it or none of it"
    )
    ld.add_argument("file", help="a .csv or .xlsx file; its kind is recognised from the header row")
    ld.add_argument("--sheet", help="the sheet to load from a workbook with several")
    ld.add_argument("--user", help="who to record in the change log (default: cli:<login name>)")
    ld.add_argument("--db", help=db_help)
    ld.add_argument(
        "--wait",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="how long to wait for the running app to take the file (default: 1800)",
    )
    ld.set_defaults(func=_load)
    ul = sub.add_parser("unlock", help="unlock a user locked out by failed sign-ins (works while the app runs)")
    ul.add_argument("username")
    ul.add_argument("--db", help=db_help)
    ul.add_argument("--wait", type=float, default=120.0, metavar="SECONDS", help=argparse.SUPPRESS)
    ul.set_defaults(func=_unlock)
    ca = sub.add_parser("create-admin", help="create an admin user (asks for the password)")
    ca.add_argument("username")
    ca.add_argument("--display-name", help="the name shown in the app (default: the username)")
    ca.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin, for scripts"
    )
    ca.add_argument("--db", help=db_help)
    ca.set_defaults(func=_create_admin)
    al = sub.add_parser("alerts", help="email each measure owner one digest of their new signals (issue #15)")
    al.add_argument("--dry-run", action="store_true", help="print the digests instead of sending them")
    al.add_argument("--db", help=db_help)
    al.set_defaults(func=_alerts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perf", description="Outside-In command line")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the database from the shipped seed files")
    b.add_argument("--db", help="database file (default: OUTSIDE_IN_DB or data/outside_in.duckdb)")
    b.set_defaults(func=_build)
    r = sub.add_parser("report", help="write a briefing pack (PDF or PowerPoint) for a purpose and period")
    r.add_argument("--purpose", default="all", help="strategic purpose id, or 'all' (default)")
    r.add_argument("--portfolio", help="a Portfolio Holder's portfolio instead of a purpose")
    r.add_argument("--measures", help="comma-separated measure ids instead of a purpose")
    r.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: a year before --to)")
    r.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD (default: the latest data)")
    r.add_argument("--locality", help="locality id (default: the whole area)")
    r.add_argument("--format", choices=["pdf", "pptx"], help="default: from the --out suffix")
    r.add_argument("--out", required=True, metavar="FILE")
    r.add_argument(
        "--public",
        action="store_true",
        help="published measures and public commentary only (also when OUTSIDE_IN_PUBLIC=1)",
    )
    r.add_argument("--db", help="database file (default: OUTSIDE_IN_DB or data/outside_in.duckdb)")
    r.set_defaults(func=_report)
    e = sub.add_parser("export", help="write the published dataset as a zip of Parquet and CSV for partners")
    e.add_argument("--out", required=True, metavar="FILE.zip")
    e.add_argument("--db", help="database file (default: OUTSIDE_IN_DB or data/outside_in.duckdb)")
    e.set_defaults(func=_export)
    pb = sub.add_parser(
        "publish",
        help="write what the public may see: a read-only snapshot for the public "
        "app (--out) and/or a static site (--static)",
    )
    pb.add_argument(
        "--out",
        metavar="DIR",
        help="snapshot folder: a new version under DIR/versions, then "
        "DIR/current points to it (run the public app with OUTSIDE_IN_DB=DIR)",
    )
    pb.add_argument("--static", metavar="DIR", help="write the static public site (HTML, no JavaScript) here")
    pb.add_argument(
        "--base-url",
        metavar="URL",
        help="the static site's public address, for sitemap.xml (e.g. https://performance.example.gov.uk/)",
    )
    pb.add_argument("--db", help="database file (default: OUTSIDE_IN_DB or data/outside_in.duckdb)")
    pb.set_defaults(func=_publish)
    _add_data_commands(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""The whole public service on one machine: N public replicas and a staff instance behind nginx.

``deploy/run.sh start`` (this module's ``start``) does, in order:

1. publishes a snapshot of the council's database (``OUTSIDE_IN_DB``) under ``STATE/snapshots``
   unless one is there already (``python -m perf publish --out``), and the static site under
   ``STATE/site`` (``--static``);
2. starts N public replicas (``OUTSIDE_IN_PUBLIC=1``, ``OUTSIDE_IN_DB=STATE/snapshots``: each
   opens the current snapshot read-only and picks up a newer one at its next page run) and one
   signed-in instance for officers on the council's own database, under ``/staff/``
   (``server.baseUrlPath``). All on loopback ports, all sharing one cookie secret, so a sign-in
   cookie or an XSRF token made by one is accepted by another;
3. writes ``STATE/nginx.conf`` (:func:`nginx_conf`) and starts Debian's nginx on it, in front.

``stop`` ends exactly the processes ``start`` recorded in ``STATE/pids`` (nginx gracefully first),
waiting for each. Every address is 127.0.0.1: this is for trying the layout and for the tests
and bench; ``docs/deploy.md`` says what changes on a real host or a container platform.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
MIME_TYPES = "/etc/nginx/mime.types"
ROUTE_COOKIE = "oi_route"
STREAM = "_stcore/stream"
STAFF_PATH = "staff"
SITE_PATH = "site"
IDLE_TIMEOUT = "3600s"  # an open dashboard tab keeps its websocket; Streamlit pings it, nginx must not cut it


@dataclass
class Layout:
    """Where everything runs: ports on 127.0.0.1 and the state folder (pids, logs, snapshots, config)."""

    state: Path = ROOT / ".deploy"
    port: int = 8080  # nginx
    staff_port: int = 8600
    replica_ports: list[int] = field(default_factory=lambda: [8601, 8602, 8603])
    source_db: Path | None = None  # the council's database (default OUTSIDE_IN_DB)
    static: bool = True  # build and serve the static site under /site/
    show_upstream: bool = True  # X-Served-By header: which replica answered (for tests and the bench)
    worker_user: str | None = None  # nginx's `user` (only used when started as root): who reads the static site

    @property
    def snapshots(self) -> Path:
        return self.state / "snapshots"

    @property
    def site(self) -> Path:
        return self.state / "site"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def db(self) -> Path:
        from perf.config import db_path

        return (self.source_db or db_path()).resolve()


# The example in the repository (deploy/nginx.conf.example): the default ports, state under /srv/outside-in.
EXAMPLE = Layout(state=Path("/srv/outside-in"), worker_user="www-data")


def free_ports(n: int) -> list[int]:
    """``n`` loopback ports free now (for tests; a port could be taken again before it is used)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _proxy_headers(indent: str) -> str:
    """What a Streamlit server behind a proxy needs on every request: the browser's Host (it checks a
    websocket's Origin against Host, so a rewritten Host would refuse every connection) and the upgrade."""
    lines = [
        "proxy_http_version 1.1;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
    ]
    return "\n".join(indent + line for line in lines)


def nginx_conf(layout: Layout) -> str:
    """nginx's configuration for the layout: sticky public replicas, the staff instance, the static site."""
    state = layout.state.resolve()
    logs, tmp = state / "logs", state / "tmp"
    headers = _proxy_headers("            ")
    served_by = "            add_header X-Served-By $upstream_addr always;\n" if layout.show_upstream else ""
    user = f"user {layout.worker_user};\n" if layout.worker_user else ""
    replicas = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in layout.replica_ports)
    websocket = f"""            proxy_read_timeout {IDLE_TIMEOUT};
            proxy_send_timeout {IDLE_TIMEOUT};
            proxy_buffering off;"""
    site = (
        f"""
        # The static public site: plain files, no replica involved (python -m perf publish --static).
        location /{SITE_PATH}/ {{
            alias {layout.state.resolve() / "site"}/;  # a link to the current version, followed per request
            index index.html;
            expires 5m;
        }}
        location = /{SITE_PATH} {{ return 301 /{SITE_PATH}/; }}
"""
        if layout.static
        else ""
    )
    return f"""# Outside-In on one machine: written by deploy/stack.py ({len(layout.replica_ports)} public replicas).
# Every address is loopback; on a real host put TLS in front and the council's network in the staff allow list.
{user}worker_processes auto;
pid {state}/nginx.pid;
error_log {logs}/nginx-error.log warn;
events {{ worker_connections 4096; }}

http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {logs}/nginx-access.log combined buffer=64k flush=1s;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    keepalive_timeout 65s;
    server_tokens off;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml application/xml;

    # A websocket upgrade is passed on as one; anything else closes the upstream connection as usual.
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    # Sticky sessions. A Streamlit session (its widgets, its page) lives in one replica's memory, and
    # so do the files it serves (charts as images, downloads): a visitor must come back to the same one.
    # The first response gives the browser a random {ROUTE_COOKIE} cookie and nginx hashes it to a
    # replica; ip_hash would send a whole council office behind one address to a single replica.
    # If that replica is down, the request (a reconnecting websocket too) goes to the next one.
    map $cookie_{ROUTE_COOKIE} $route_key {{
        ""      $request_id;
        default $cookie_{ROUTE_COOKIE};
    }}
    map $cookie_{ROUTE_COOKIE} $route_cookie {{
        ""      "{ROUTE_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}

    upstream public_app {{
        hash $route_key consistent;
{replicas}
    }}

    upstream staff_app {{
        server 127.0.0.1:{layout.staff_port};
    }}

    server {{
        listen 127.0.0.1:{layout.port};
        server_name _;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_connect_timeout 2s;

        location = /healthz {{
            access_log off;
            return 200 "ok\\n";
        }}

        # Streamlit's websocket: one per open tab, idle for long stretches.
        location = /{STREAM} {{
            proxy_pass http://public_app;
{headers}
{websocket}
{served_by}        }}

        # The public app (OUTSIDE_IN_PUBLIC=1) on the published snapshot.
        location / {{
            proxy_pass http://public_app;
{headers}
            add_header Set-Cookie $route_cookie;
{served_by}        }}
{site}
        # Officers: the signed-in app on the council's own database (server.baseUrlPath = {STAFF_PATH}).
        # Loopback only here: on a real host, allow the council's network instead.
        location = /{STAFF_PATH}/{STREAM} {{
            allow 127.0.0.1;
            deny all;
            proxy_pass http://staff_app;
{headers}
{websocket}
        }}
        location /{STAFF_PATH}/ {{
            allow 127.0.0.1;
            deny all;
            client_max_body_size 200m;
            proxy_pass http://staff_app;
{headers}
        }}
        location = /{STAFF_PATH} {{ return 301 /{STAFF_PATH}/; }}
    }}
}}
"""


def streamlit_command(port: int, *extra: str) -> list[str]:
    """`streamlit run app.py` on loopback at ``port``: one command line for the stack, the tests and the benches."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]


def _streamlit(port: int, env: dict[str, str], log: Path, *, base_path: str = "") -> subprocess.Popen[bytes]:
    cmd = streamlit_command(port, "--server.enableCORS", "true", "--server.enableXsrfProtection", "true")
    if base_path:
        cmd += ["--server.baseUrlPath", base_path]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_healthy(url: str, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 'ok' within {seconds:.0f} s")


def _secret(state: Path) -> str:
    """One cookie secret for every instance, kept in the state folder (never in the config or argv)."""
    path = state / "cookie_secret"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _record(layout: Layout, name: str, pid: int) -> None:
    pids = layout.state / "pids"
    pids.mkdir(parents=True, exist_ok=True)
    (pids / f"{name}.pid").write_text(str(pid))


def pids(layout: Layout) -> dict[str, int]:
    """The processes ``start`` recorded: nginx, staff, replica-1 ... by name."""
    folder = layout.state / "pids"
    if not folder.exists():
        return {}
    return {p.stem: int(p.read_text()) for p in sorted(folder.glob("*.pid"))}


def publish(layout: Layout, *, static: bool | None = None) -> str:
    """A new snapshot (and the static site) from the council's database; returns the version."""
    from perf.output import publish as snapshots

    snap = snapshots.publish(layout.snapshots, layout.db())
    if layout.static if static is None else static:
        from perf.output import site

        site.build_site(layout.site, snap.db, base_url=f"{layout.url}/{SITE_PATH}/")
    return snap.version


def start(layout: Layout) -> None:
    """Publish if needed, start the replicas, the staff instance and nginx; return when all answer."""
    from perf.output import publish as snapshots

    if pids(layout):
        raise RuntimeError(f"already started (pids in {layout.state / 'pids'}): run stop first")
    if not Path(NGINX).exists():
        raise RuntimeError(f"no nginx at {NGINX}: apt-get install nginx")
    if not layout.db().exists():
        raise RuntimeError(f"no database at {layout.db()}: python -m perf build")
    for sub in ("logs", "tmp", "pids"):
        (layout.state / sub).mkdir(parents=True, exist_ok=True)
    if snapshots.current(layout.snapshots) is None or (layout.static and not (layout.site / "index.html").exists()):
        publish(layout)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OUTSIDE_IN_", "STREAMLIT_"))}
    base |= {"STREAMLIT_SERVER_COOKIE_SECRET": _secret(layout.state), "PYTHONUNBUFFERED": "1"}
    logs = layout.state / "logs"
    try:
        staff = _streamlit(
            layout.staff_port, base | {"OUTSIDE_IN_DB": str(layout.db())}, logs / "staff.log", base_path=STAFF_PATH
        )
        _record(layout, "staff", staff.pid)
        public = base | {"OUTSIDE_IN_DB": str(layout.snapshots.resolve()), "OUTSIDE_IN_PUBLIC": "1"}
        for i, port in enumerate(layout.replica_ports, start=1):
            _record(layout, f"replica-{i}", _streamlit(port, public, logs / f"replica-{i}.log").pid)
        for port in layout.replica_ports:
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health")
        _wait_healthy(f"http://127.0.0.1:{layout.staff_port}/{STAFF_PATH}/_stcore/health")
        conf = layout.state / "nginx.conf"
        conf.write_text(nginx_conf(layout))
        check = subprocess.run(
            [NGINX, "-t", "-q", "-p", str(layout.state), "-c", str(conf)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration:\n{check.stderr}")
        with open(logs / "nginx.out", "ab") as out:
            proxy = subprocess.Popen(
                [NGINX, "-p", str(layout.state), "-c", str(conf), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _record(layout, "nginx", proxy.pid)
        _wait_healthy(f"{layout.url}/healthz", seconds=20)
    except BaseException:
        stop(layout)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a child of this process that has exited but not been reaped is not alive
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _ours(pid: int) -> bool:
    """Is ``pid`` still one of ours (a Streamlit or nginx process)? A recorded pid can be reused."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"streamlit" in cmdline or b"nginx" in cmdline


def end(pid: int, sig: int = signal.SIGTERM, seconds: float = 15.0) -> bool:
    """Signal one recorded process (and its own process group: start gave each one), wait for it to go;
    SIGKILL after ``seconds``. True if it had to be killed."""
    if not _ours(pid):
        return False
    for s in (sig, signal.SIGKILL):
        try:
            os.killpg(pid, s)  # the group whose leader is this pid: the process and its workers only
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, s)
            except ProcessLookupError:
                return False
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not _alive(pid):
                return s == signal.SIGKILL
            time.sleep(0.1)
    return True


def stop(layout: Layout) -> list[str]:
    """Stop what ``start`` recorded, nginx first (gracefully: SIGQUIT lets open requests finish)."""
    stopped = []
    recorded = pids(layout)
    order = sorted(recorded, key=lambda n: (n != "nginx", n))
    for name in order:
        end(recorded[name], signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        (layout.state / "pids" / f"{name}.pid").unlink(missing_ok=True)
        stopped.append(name)
    return stopped


def status(layout: Layout) -> dict[str, bool]:
    return {name: _alive(pid) for name, pid in pids(layout).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/run.sh", description="Outside-In behind nginx on one machine")
    parser.add_argument("command", choices=["start", "stop", "status", "publish", "config"])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080)")
    parser.add_argument(
        "--app-port",
        type=int,
        default=8600,
        help="the staff app's port; the replicas take the next N (default 8600, 8601...)",
    )
    parser.add_argument("--state", default=str(ROOT / ".deploy"), help="pids, logs, snapshots (default .deploy/)")
    parser.add_argument("--db", help="the council's database (default OUTSIDE_IN_DB)")
    parser.add_argument(
        "--example", action="store_true", help="config: the repository's example (state under /srv/outside-in)"
    )
    args = parser.parse_args(argv)
    layout = Layout(
        state=Path(args.state),
        port=args.port,
        staff_port=args.app_port,
        replica_ports=[args.app_port + 1 + i for i in range(args.replicas)],
        source_db=Path(args.db) if args.db else None,
    )
    if args.command == "start":
        start(layout)
        print(
            f"Public app: {layout.url}/  ({args.replicas} replicas)\nStaff app:  {layout.url}/{STAFF_PATH}/\n"
            f"Static site: {layout.url}/{SITE_PATH}/\nStop with deploy/run.sh stop"
        )
    elif args.command == "stop":
        print("Stopped " + (", ".join(stop(layout)) or "nothing (no pids recorded)"))
    elif args.command == "status":
        print(json.dumps(status(layout), indent=2))
    elif args.command == "publish":
        print(f"Published {publish(layout)}; the replicas read it from their next page run")
    else:
        print(nginx_conf(EXAMPLE if args.example else layout), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

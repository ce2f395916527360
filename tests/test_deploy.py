"""Three public replicas and the staff app behind a real nginx (Debian's), on free loopback ports.

Started once for the module (about 10-20 s), driven with visitors that speak Streamlit's websocket
protocol through nginx (deploy/client.py), and stopped at the end; the whole file stays under two
minutes. The replica is killed in the last test, so the others see all three.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import pytest

from deploy import stack
from deploy.client import Page, Visitor
from perf.intake import inbox
from perf.output import publish, site


@pytest.fixture(scope="module", autouse=True)
def nginx_installed() -> None:
    if not Path(stack.NGINX).exists():
        pytest.fail(f"no nginx at {stack.NGINX}: install Debian's nginx package (make test does, as root)")


@pytest.fixture(scope="module")
def running(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.Layout]:
    state = tmp_path_factory.mktemp("deploy")
    source = state / "council.duckdb"  # a copy: a test changes it and publishes again
    shutil.copy(sample_db, source)
    ports = stack.free_ports(5)
    layout = stack.Layout(
        state=state,
        port=ports[0],
        staff_port=ports[1],
        replica_ports=ports[2:],
        source_db=source,
        worker_user="root" if os.geteuid() == 0 else None,
    )
    # (as root, nginx's workers would be 'nobody', who cannot enter pytest's private temporary folder)
    stack.start(layout)
    try:
        yield layout
    finally:
        recorded = stack.pids(layout)
        stack.stop(layout)
        assert not any(stack._alive(pid) for pid in recorded.values()), "a process outlived stop"
        for port in [layout.port, layout.staff_port, *layout.replica_ports]:
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers after stop"


def _run(coro: Any) -> Any:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _visit(url: str, pages: list[str], n: int) -> list[tuple[Visitor, list[Page]]]:
    async def one() -> tuple[Visitor, list[Page]]:
        v = Visitor(url, timeout=60)
        seen = [await v.open(p) for p in pages]
        await v.close()
        return v, seen

    async def all_of() -> list[tuple[Visitor, list[Page]]]:
        return list(await asyncio.gather(*(one() for _ in range(n))))

    return _run(all_of())


def test_the_generated_config_passes_nginx_own_check(tmp_path: Path) -> None:
    layout = stack.Layout(state=tmp_path, port=18080, staff_port=18600, replica_ports=[18601, 18602, 18603])
    (tmp_path / "logs").mkdir()
    (tmp_path / "tmp").mkdir()
    (tmp_path / "nginx.conf").write_text(stack.nginx_conf(layout))
    done = subprocess.run(
        [stack.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    conf = stack.nginx_conf(layout)
    for needed in (
        "hash $route_key consistent",
        "proxy_set_header Upgrade $http_upgrade",
        "proxy_set_header Host $http_host",
        f"proxy_read_timeout {stack.IDLE_TIMEOUT}",
        "location = /staff/_stcore/stream",
        "server 127.0.0.1:18603",
    ):
        assert needed in conf


def test_the_example_config_in_the_repository_is_what_the_script_writes() -> None:
    example = (stack.ROOT / "deploy" / "nginx.conf.example").read_text()
    assert example == stack.nginx_conf(stack.EXAMPLE), "run: python -m deploy.stack config --example"


def test_visitors_get_pages_from_all_three_replicas_each_staying_on_its_own(running: stack.Layout) -> None:
    visits = _visit(running.url, ["", "measure"], 9)
    replicas = {f"127.0.0.1:{p}" for p in running.replica_ports}
    used = set()
    for visitor, pages in visits:
        for page in pages:
            assert page.ok, page.error
            assert page.served_by in replicas
        assert visitor.cookie, "nginx gave no route cookie"
        assert len({p.served_by for p in pages}) == 1, "a visitor's pages came from two replicas"
        used.add(pages[0].served_by)
        assert any("public view" in t for t in pages[0].texts)  # the public app, not the staff one
    assert len(used) >= 2  # nine random cookies spread over the replicas (all on one: 3 * (1/3)^9)


def test_the_staff_app_is_under_staff_and_is_not_the_public_view(running: stack.Layout) -> None:
    with urllib.request.urlopen(f"{running.url}/staff/_stcore/health", timeout=10) as r:
        assert r.read().decode().strip() == "ok"
    [(_, [page])] = _visit(f"{running.url}/staff", [""], 1)
    assert page.ok, page.error
    assert not any("public view" in t for t in page.texts)


def test_nginx_serves_the_static_site_under_site(running: stack.Layout) -> None:
    with urllib.request.urlopen(f"{running.url}/site/", timeout=10) as r:
        assert r.headers.get_content_type() == "text/html" and r.headers.get("X-Served-By") is None
        assert "how the council is doing" in r.read().decode()
    with urllib.request.urlopen(f"{running.url}/site/sitemap.xml", timeout=10) as r:
        sitemap = r.read().decode()
    pages = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(pages) > 40 and all(p.startswith(f"{running.url}/site/") for p in pages)
    for url in pages[::10]:  # every tenth page, straight from nginx
        with urllib.request.urlopen(url, timeout=10) as r:
            body = r.read().decode()
        assert r.status == 200 and body.rstrip().endswith("</html>")
        if "/measures/" in url:
            assert "<svg" in body


def test_republishing_the_static_site_never_leaves_a_reader_without_a_page(running: stack.Layout) -> None:
    """Readers poll the site through nginx while it is rebuilt: every answer is a 200 and a whole file."""
    paths = ["", "index.html", "style.css", "similar.html", "similar/E07000234/fms-all.html", "sitemap.xml"]
    before = site.current(running.site)
    assert before is not None, "the static site should be a link to its current version"
    stop = threading.Event()
    answers: list[tuple[str, int, bool]] = []

    def poll() -> None:
        while not stop.is_set():
            for path in paths:
                try:
                    with urllib.request.urlopen(f"{running.url}/{stack.SITE_PATH}/{path}", timeout=30) as r:
                        body = r.read().decode()
                        answers.append((path, r.status, body.rstrip().endswith(("</html>", "}", "</urlset>"))))
                except urllib.error.HTTPError as err:
                    answers.append((path, err.code, False))

    pollers = [threading.Thread(target=poll) for _ in range(2)]
    for p in pollers:
        p.start()
    try:
        site.build_site(running.site, publish.resolve(running.snapshots), base_url=f"{running.url}/{stack.SITE_PATH}/")
        time.sleep(0.5)  # a few more answers from the new version
    finally:
        stop.set()
        for p in pollers:
            p.join()
    assert site.current(running.site) not in (None, before)
    bad = [a for a in answers if a[1] != 200 or not a[2]]
    assert not bad, bad[:5]
    assert len(answers) > 3 * len(paths)


def test_a_new_snapshot_reaches_the_replicas_at_the_next_page(running: stack.Layout) -> None:
    # the staff app holds the council's database: the change goes through it (perf.intake.inbox), as loads do
    job = inbox.submit(running.db(), {"kind": "meta", "key": "dataset_name", "value": "Second edition of the figures"})
    assert inbox.run(running.db(), job, wait_seconds=120, on_queued=lambda ahead: None).code == 0
    before = publish.current(running.snapshots)
    version = stack.publish(running, static=False)
    assert version != before
    for _, pages in _visit(running.url, [""], 3):
        assert pages[0].ok and any("Second edition of the figures" in t for t in pages[0].texts), pages[0].texts


def test_killing_a_replica_sends_its_visitors_to_another_and_no_one_else_notices(running: stack.Layout) -> None:
    async def scenario() -> tuple[list[Page], list[Page], str]:
        visitors = [Visitor(running.url, timeout=60) for _ in range(9)]
        first = [await v.open("") for v in visitors]
        victim = first[0].served_by
        assert victim is not None
        name = f"replica-{[f'127.0.0.1:{p}' for p in running.replica_ports].index(victim) + 1}"
        stack.end(stack.pids(running)[name])
        second = [await v.open("measure") for v in visitors]
        for v in visitors:
            await v.close()
        return first, second, victim

    first, second, victim = _run(scenario())
    assert all(p.ok for p in first)
    for before, after in zip(first, second, strict=True):
        assert after.ok, after.error
        if before.served_by == victim:
            assert after.reconnected and after.served_by != victim
        else:
            assert not after.reconnected and after.served_by == before.served_by

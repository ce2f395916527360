"""A real Streamlit server on a free loopback port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
from contextlib import contextmanager
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import stack

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; tests/system_deps.sh reads the same
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, *, public: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """Start `streamlit run app.py` on a fresh port; return the process and its base URL."""
    port = _free_port()
    env = {**os.environ, "OUTSIDE_IN_DB": str(db)}
    env.pop("OUTSIDE_IN_PUBLIC", None)
    env.pop("OUTSIDE_IN_RAISE", None)  # a real server shows a visitor the reference, as in production
    if public:
        env["OUTSIDE_IN_PUBLIC"] = "1"
    proc = subprocess.Popen(
        stack.streamlit_command(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("the Streamlit server did not become healthy within 60 s")


@contextmanager
def running(db: Path, *, public: bool = False, private: bool = True) -> Iterator[str]:
    """A Streamlit server for the duration of the block; its base URL.

    The signed-in app holds its database read-write (one process per file), so by default it serves
    a private copy, and ``db`` stays free for tests to read: but the server's writes never reach ``db``.
    A test that reads back what the app wrote passes ``private=False``: the server holds ``db``, and
    the test reads it through ``perf.intake.inbox.readable`` (a copy the server makes).
    """
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="server_db_") as tmp:
        served = db
        if private and not public:
            served = Path(tmp) / db.name
            shutil.copyfile(db, served)
        proc, url = start_server(served, public=public)
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(sample_db: Path) -> Iterator[str]:
    """A freshly started server: the first request it sees is a test's deep link."""
    with running(sample_db) as url:
        yield url


@pytest.hookimpl(trylast=True)  # after -m and -k have chosen the tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """No Chromium: one line saying what to install before anything runs, not an error from every browser test."""
    if any(item.get_closest_marker("browser") for item in items) and not os.access(CHROMIUM, os.X_OK):
        pytest.exit(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(make test installs it as root; else sudo apt-get install chromium, or -m 'not browser')",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


def wait_ready(page: object, timeout: int = 60_000) -> None:
    page.wait_for_selector(READY, timeout=timeout)  # type: ignore[attr-defined]


def screenshot(page: object, name: str) -> Path:
    """Save a full-length screenshot under tests/artifacts/ (Streamlit scrolls inside stMain)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(  # type: ignore[attr-defined]
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight : 900; }"
    )
    width = page.viewport_size["width"]  # type: ignore[attr-defined]
    page.set_viewport_size({"width": width, "height": min(max(int(height), 600), 6000)})  # type: ignore[attr-defined]
    page.wait_for_timeout(400)  # type: ignore[attr-defined]
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path

"""Every page checked by axe-core, the independent checker public-sector audits use, in headless Chromium.

axe-core is the npm package pinned in tests/browser/axe/package.json (``make test`` runs ``npm ci``
there). Each page is checked in the public view and signed in as an admin, in its default state and
with a ward and a measure chosen; the sign-in page and the data pages too. Any violation of a WCAG
2.0/2.1/2.2 A or AA rule fails the test unless tests/browser/axe_allowlist.json names it (only markup
of Streamlit's own that the app cannot change may go there, each with its upstream issue). Results:
tests/artifacts/axe_*.json.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from perf import store
from perf.access import users
from tests.browser.conftest import ARTIFACTS, running, wait_ready

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent
AXE_PACKAGE = HERE / "axe" / "package.json"
AXE_JS = HERE / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ALLOWLIST = HERE / "axe_allowlist.json"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WARD = "Alvechurch Village"
MEASURE = "Housing repair contacts"  # published, so both views can choose it
PASSWORD = "a long enough password"
# Pages are found from the menu, so a page added later is checked too; these must be among them.
PUBLIC = {
    "",
    "purpose",
    "measure",
    "locality",
    "demand",
    "capability",
    "review",
    "briefing",
    "reports",
    "accessibility",
}
DATA = {"upload", "enter", "manage", "users", "quality", "account"}


def pinned_version() -> str:
    return str(json.loads(AXE_PACKAGE.read_text(encoding="utf-8"))["dependencies"]["axe-core"])


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(
            f"axe-core is not installed at {AXE_JS}: run `npm ci --prefix tests/browser/axe` "
            "(make test does this; it needs npm, from Debian's npm package)"
        )
    installed = json.loads((AXE_JS.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned_version(), (
        f"axe-core {installed} is installed but {pinned_version()} is pinned: run `npm ci --prefix tests/browser/axe`"
    )
    return AXE_JS.read_text(encoding="utf-8")


def allowlist() -> list[dict[str, str]]:
    entries: list[dict[str, str]] = json.loads(ALLOWLIST.read_text(encoding="utf-8"))["allow"]
    for entry in entries:
        missing = {"rule", "selector", "upstream", "why"} - set(entry)
        assert not missing, f"allow-list entry {entry} lacks {sorted(missing)}"
        assert entry["upstream"].startswith("https://github.com/streamlit/"), entry
    return entries


def check(page: Any, axe_source: str, where: str) -> list[str]:
    """Run axe on the page as it stands; one line per violating element the allow-list does not name."""
    settle(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return {version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
            help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
            summary: n.failureSummary}))}))};
    }""",
        TAGS,
    )
    assert result["version"] == pinned_version()
    allowed = allowlist()
    found = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            if any(a["rule"] == violation["id"] and _matches(page, node["target"], a["selector"]) for a in allowed):
                continue
            found.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}\n"
                f"    at {node['target']}\n    {node['html']}\n    {node['summary']}"
            )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "axe_" + "".join(c if c.isalnum() else "_" for c in where) + ".json"
    (ARTIFACTS / name).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return found


def _matches(page: Any, target: str, selector: str) -> bool:
    """True when the element axe reports lies inside an element matched by the allow-list's selector."""
    return bool(
        page.evaluate(
            "([t, s]) => { const e = document.querySelector(t); return !!(e && e.closest(s)); }", [target, selector]
        )
    )


def settle(page: Any) -> None:
    """Wait until the page stops growing: charts and tables draw after the script has finished."""
    wait_ready(page)
    measure = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
    last = -1
    for _ in range(20):
        height = page.evaluate(measure)
        if height == last:
            return
        last = height
        page.wait_for_timeout(300)


def links(page: Any) -> dict[str, str]:
    """The menu's pages: url path -> the link's words."""
    page.wait_for_function(
        "(n) => document.querySelectorAll('.st-key-menu a').length >= n", arg=len(PUBLIC), timeout=30_000
    )
    found = page.evaluate("""() => Array.from(document.querySelectorAll('.st-key-menu a'))
        .map(a => [a.getAttribute('href'), a.innerText.trim().split('\\n').pop()])""")
    return {str(href): str(name) for href, name in found}


def menu(page: Any, href: str) -> None:
    """Open a page through the menu (an in-app move, so a password sign-in is kept)."""
    page.locator(f'.st-key-menu a[href="{href}"]').click()
    page.wait_for_function("(p) => location.pathname.replace(/^.*\\//, '') === p", arg=href, timeout=30_000)
    page.wait_for_timeout(300)
    wait_ready(page)


def _shows(box: Any, option: str) -> bool:
    """True when the select box (a combo box whose text is its choice) already holds ``option``."""
    try:
        return str(box.locator('input[role="combobox"]').input_value(timeout=5_000)) == option
    except Exception:  # noqa: BLE001 - a box redrawn while read is read again by the caller
        return False


def choose(
    page: Any, label: str, option: str, *, scope: str = '[data-testid="stMain"]', required: bool = False
) -> bool:
    """Pick ``option`` in the select box labelled ``label``; False when the page has no such box.

    A page that is ``required`` to have the box is given time to draw it (a busy machine may report the
    script idle before the first run has drawn anything). A rerun can redraw the box or its list between our
    click and the option's (the list closes, or the option is detached): such an attempt is retried, up to
    three times, from a settled page."""
    box = (
        page.locator(scope)
        .locator('[data-testid="stSelectbox"]')
        .filter(has=page.get_by_text(label, exact=True), visible=True)
    )
    if required:
        box.first.wait_for(state="visible", timeout=60_000)
    if box.count() == 0:
        return False
    for _attempt in range(3):
        wait_ready(page)
        if _shows(box.first, option):
            return True
        try:
            box.first.click(timeout=10_000)
            page.keyboard.press("ControlOrMeta+a")  # the box is a combo box holding its choice as text: replace it
            page.keyboard.type(option)  # long lists draw only the options in view: filter to this one
            wanted = page.get_by_role("option", name=option, exact=True).first
            wanted.wait_for(timeout=10_000)
            wanted.click(timeout=10_000)
        except Exception:  # noqa: BLE001 - a list without this option, or one redrawn under the click
            page.keyboard.press("Escape")
            continue
        page.wait_for_timeout(300)
        wait_ready(page)
    return _shows(box.first, option)


def report(problems: list[str]) -> str:
    return f"{len(problems)} WCAG A/AA violation(s) found by axe-core {pinned_version()}:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def public_server(sample_db: Path) -> Iterator[str]:
    with running(sample_db, public=True) as url:
        yield url


@pytest.fixture(scope="module")
def officer_server(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    copy = tmp_path_factory.mktemp("axe") / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    con = store.connect(copy, read_only=False)
    try:
        users.create_user(
            con,
            "ada",
            PASSWORD,
            "admin",
            display_name="Ada Example",
            created_by="test",
            cost=users.ScryptCost(2**10, 8, 1),
        )
    finally:
        con.close()
    with running(copy) as url:
        yield url


@pytest.mark.parametrize("chosen", [False, True], ids=["default", "ward_and_measure"])
def test_public_pages_have_no_wcag_violations(public_server: str, page: Any, axe_source: str, chosen: bool) -> None:
    query = f"?locality={WARD.replace(' ', '+')}&measure={MEASURE.replace(' ', '+')}" if chosen else ""
    page.goto(public_server)
    wait_ready(page)
    pages = links(page)
    assert PUBLIC <= set(pages) and not DATA & set(pages), pages
    problems: list[str] = []
    for path, title in pages.items():
        page.goto(f"{public_server}/{path}{query}")
        wait_ready(page)
        if chosen and path == "briefing":  # Briefing picks its measure with its own box
            assert choose(page, "Measure", MEASURE, required=True), "could not choose the measure in Briefing"
        problems += check(page, axe_source, f"public {title}" + (" (ward, measure)" if chosen else ""))
    assert not problems, report(problems)


def test_signed_in_pages_have_no_wcag_violations(officer_server: str, page: Any, axe_source: str) -> None:
    page.goto(f"{officer_server}/account")
    problems = check(page, axe_source, "Sign in")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("textbox", name="Username").fill("ada")
    main.get_by_role("textbox", name="Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    main.locator("h1", has_text="Account").wait_for(timeout=30_000)
    found = links(page)
    assert PUBLIC | DATA <= set(found), found
    # Briefing hides the sidebar (and so the menu) for screen-sharing: it is visited last
    pages = {href: title for href, title in found.items() if href != "briefing"}
    for href, title in pages.items():
        menu(page, href)
        problems += check(page, axe_source, f"admin {title}")
    assert choose(page, "Locality", WARD, scope='[data-testid="stSidebar"]', required=True), "could not choose a ward"
    for href, title in pages.items():
        menu(page, href)
        choose(page, "Measure", MEASURE)
        problems += check(page, axe_source, f"admin {title} (ward, measure)")
    menu(page, "briefing")
    problems += check(page, axe_source, "admin Briefing (ward)")
    choose(page, "Measure", MEASURE)
    problems += check(page, axe_source, "admin Briefing (ward, measure)")
    assert not problems, report(problems)


def test_the_check_finds_a_violation_when_there_is_one(public_server: str, page: Any, axe_source: str) -> None:
    """The harness is not blind: light grey text added to a page is reported."""
    page.goto(f"{public_server}/accessibility")
    wait_ready(page)
    page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'Pale words';
        p.style.color = '#BBBBBB'; document.querySelector('[data-testid="stMain"] h1').after(p); }""")
    problems = check(page, axe_source, "public Accessibility (with pale text added)")
    assert len(problems) == 1 and "color-contrast" in problems[0] and "Pale words" in problems[0], problems


def test_every_allowed_violation_is_named_in_the_accessibility_statement() -> None:
    statement = (HERE.parents[1] / "app_pages" / "accessibility.py").read_text(encoding="utf-8")
    for entry in allowlist():
        assert entry["upstream"] in statement, f"{entry['rule']} is allowed but not in the statement's limitations"
    assert f"axe-core {pinned_version()}" in statement, "the statement names another axe-core version than the test"

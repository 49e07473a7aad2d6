"""Every lesson that displays a widget works in a real browser.

JupyterLab is started on a free loopback port with a temporary copy of
``lessons/`` as its root (nothing is written into the checkout) and with its
news pop-up turned off; headless Chromium (Debian's ``chromium`` package,
driven by Playwright) opens each widget lesson, runs all cells and checks:

- no cell has an error output and no widget shows "Error displaying widget";
- every widget output is rendered as a widget view;
- on the ring widget, moving the "nodes" slider redraws the ring with one
  more node marker and changes the moved-keys readout;
- on the fault widget, clicking "crash" marks the chosen node down on the
  ring, letting time pass makes live stand-ins hold hints for it, and
  "recover" with more time brings it back up with every hint handed off
  (read from the drawing's data attributes, not from its text).

A screenshot of each lesson's first widget is saved to
``test-output/browser/<lesson>.png``. Every wait is on the page's state
(kernel idle, cells executed, widget views attached), never a fixed sleep.

Widget lessons are discovered, not listed: a lesson whose code cells use
ipywidgets or a ``...Widget`` from dynamolite is tested.

Without Chromium or Playwright the test is skipped with the install command;
with ``DYNAMOLITE_REQUIRE_BROWSER=1`` (CI) it fails instead.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
OUTPUT = ROOT / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_START_S = 90        # upper bounds on waits for state changes (never sleeps)
RUN_ALL_MS = 240_000
UI_MS = 60_000

pytestmark = pytest.mark.browser

# code that displays a widget: ipywidgets itself, interact(), or a dynamolite ...Widget
WIDGET_CODE = re.compile(r"\bipywidgets\b|\binteract(?:ive|_manual)?\s*\(|\b[A-Z]\w*Widget\s*\(")


def widget_lessons():
    """The lessons whose code cells display a widget."""
    found = []
    for path in sorted(LESSONS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and WIDGET_CODE.search(c.source) for c in nb.cells):
            found.append(path)
    return found


WIDGET_LESSONS = widget_lessons()


def _missing_browser():
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -r requirements.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium`"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser()
    if reason:
        if os.environ.get("DYNAMOLITE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"DYNAMOLITE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"browser test skipped: {reason}")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def _stop(proc, base, token):
    """Shut the kernels down through the API, then end the server by its pid."""
    try:
        req = urllib.request.Request(f"{base}/api/kernels?token={token}")
        for k in json.loads(urllib.request.urlopen(req, timeout=5).read()):
            urllib.request.urlopen(urllib.request.Request(
                f"{base}/api/kernels/{k['id']}?token={token}", method="DELETE"), timeout=10).read()
    except (OSError, ValueError):
        pass
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _start_server(tmp):
    """Start JupyterLab on a free port; return (process, base url, token, log path)."""
    token = secrets.token_hex(16)
    env = dict(os.environ,
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
    env.pop("JUPYTER_TOKEN", None)
    for attempt in range(3):        # the free port may be taken between choosing and binding it
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp / f"server-{attempt}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                 f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                 f"--ServerApp.root_dir={tmp / 'lessons'}", f"--IdentityProvider.token={token}",
                 f"--LabApp.app_settings_dir={tmp / 'app-settings'}",
                 f"--LabApp.user_settings_dir={tmp / 'user-settings'}",
                 f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
                 "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
                 *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
                cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVER_START_S
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if _get(f"{base}/api/status?token={token}", timeout=2)[0] == 200:
                    return proc, base, token, log
            except (OSError, urllib.error.URLError):
                try:                # poll the server's state; returns early if it exits
                    proc.wait(timeout=0.25)
                except subprocess.TimeoutExpired:
                    pass
        _stop(proc, base, token)
        if "in use" not in log.read_text():
            break
    pytest.fail(f"JupyterLab did not start; its log:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def jupyterlab(browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("jupyterlab")
    shutil.copytree(LESSONS, tmp / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp / "app-settings").mkdir()
    overrides = {
        # no "would you like to receive news?" pop-up, no requests to the internet
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
        # every cell stays in the page, so every output can be inspected
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    }
    (tmp / "app-settings" / "overrides.json").write_text(json.dumps(overrides, indent=2))
    proc, base, token, log = _start_server(tmp)
    try:
        yield {"base": base, "token": token, "log": log}
    finally:
        _stop(proc, base, token)


# -- JavaScript run in the page (window.jupyterapp: --LabApp.expose_app_in_browser) ---------------
NOTEBOOK_READY = """name => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name || !w.sessionContext) return false;
  const s = w.sessionContext;
  return w.context.isReady && s.isReady && !!s.session && !!s.session.kernel
         && s.session.kernel.connectionStatus === 'connected' && s.kernelDisplayStatus === 'idle';
}"""

RUN_ALL = """() => {
  window.__dlRun = undefined;
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
    ok => { window.__dlRun = ok ? 'ok' : 'stopped'; },
    err => { window.__dlRun = 'failed: ' + err; });
}"""

CELLS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const cells = [];
  for (let i = 0; i < nb.content.model.cells.length; i++) {
    const c = nb.content.model.cells.get(i);
    if (c.type !== 'code') continue;
    cells.push({index: i, count: c.executionCount, outputs: c.outputs.toJSON()});
  }
  return {kernel: nb.sessionContext.kernelDisplayStatus, cells};
}"""

# an output showing a widget view: the view (class jupyter-widgets) or its error message
WIDGET_VIEWS = """() => [...document.querySelectorAll('.jp-OutputArea-output')].filter(o =>
    o.querySelector(':scope > .jupyter-widgets') || o.textContent.includes('Error displaying widget')).length"""



def _errors(cells):
    """Error outputs (and tracebacks printed to stderr) of the cells, as short strings."""
    found = []
    for c in cells:
        for o in c["outputs"]:
            if o.get("output_type") == "error":
                found.append(f"cell {c['index']}: {o.get('ename')}: {o.get('evalue')}")
            elif o.get("output_type") == "stream" and o.get("name") == "stderr":
                text = "".join(o.get("text", ""))
                if "Traceback" in text or "Error" in text:
                    found.append(f"cell {c['index']} stderr: {text[-500:]}")
    return found


def test_widget_lessons_are_discovered():
    """The ring and fault lessons display widgets, so discovery must find them."""
    assert LESSONS / "03_consistent_hashing.ipynb" in WIDGET_LESSONS
    assert LESSONS / "08_convergence_in_the_background.ipynb" in WIDGET_LESSONS


@pytest.mark.parametrize("lesson", WIDGET_LESSONS, ids=lambda p: p.stem)
def test_widget_lesson_in_browser(lesson, browser, jupyterlab):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console = []
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    try:
        _check_lesson(page, lesson, jupyterlab, console)
    finally:
        page.close()


def _check_lesson(page, lesson, lab, console):
    name = lesson.name
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_function(NOTEBOOK_READY, arg=name, timeout=UI_MS)

    page.evaluate(RUN_ALL)
    page.wait_for_function("() => window.__dlRun !== undefined", timeout=RUN_ALL_MS, polling=250)
    run = page.evaluate("() => window.__dlRun")
    page.wait_for_function(f"() => ({CELLS})().kernel === 'idle'", timeout=UI_MS)
    state = page.evaluate(CELLS)
    errors = _errors(state["cells"])
    assert not errors, f"{name}: error output in the browser:\n" + "\n".join(errors)
    assert run == "ok", f"{name}: run all cells ended with {run!r}"
    unexecuted = [c["index"] for c in state["cells"] if c["count"] is None]
    assert not unexecuted, f"{name}: cells {unexecuted} did not run"

    widget_outputs = sum(o.get("output_type") in ("display_data", "execute_result")
                         and "application/vnd.jupyter.widget-view+json" in o.get("data", {})
                         for c in state["cells"] for o in c["outputs"])
    assert widget_outputs, f"{name} looks like a widget lesson but displayed no widget"
    try:
        page.wait_for_function(f"n => ({WIDGET_VIEWS})() >= n", arg=widget_outputs, timeout=UI_MS)
    except Exception as e:
        raise AssertionError(f"{name}: {widget_outputs} widget outputs but only "
                             f"{page.evaluate(WIDGET_VIEWS)} shown as widgets; console: {console[-5:]}") from e
    views = page.locator(".jp-OutputArea-output").filter(has=page.locator(":scope > .jupyter-widgets"))
    page_text = page.locator(".jp-Notebook").inner_text()
    assert "Error displaying widget" not in page_text, f"{name}: {page_text[page_text.find('Error displaying'):][:300]}"
    stderr_tracebacks = [t for t in page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
        if "Traceback" in t or "Error" in t]
    assert not stderr_tracebacks, f"{name}: {stderr_tracebacks[0][-800:]}"

    rings = page.locator("svg.dl-ring")
    uses_ring = "RingWidget" in lesson.read_text()
    if uses_ring:
        page.wait_for_function("() => document.querySelectorAll('svg.dl-ring g.dl-node').length > 0",
                               timeout=UI_MS)
    if rings.count():
        _check_ring(page, name, console)
    if "FaultWidget" in lesson.read_text():
        _check_faults(page, name, console)
    views.first.scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / f"{lesson.stem}.png"))


def _check_ring(page, name, console):
    """Moving the first ring's "nodes" slider redraws the ring and changes the readout."""
    box = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(":scope > .jupyter-widgets svg.dl-ring")).first
    markers = box.locator("svg.dl-ring g.dl-node")
    readout = box.locator(".dl-readout")
    before_nodes, before_text, before_content = markers.count(), readout.inner_text(), readout.text_content()
    assert before_nodes > 0 and "keys moved" in before_text, before_text
    slider = box.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=re.compile(r"^\s*nodes\s*$"))).first
    handle = slider.locator(".noUi-handle").first
    step = -1 if handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax") else 1
    handle.focus()
    handle.press("ArrowRight" if step > 0 else "ArrowLeft")
    try:
        page.wait_for_function(
            """([n, text]) => {
                 const box = [...document.querySelectorAll('.jp-OutputArea-output')]
                   .find(o => o.querySelector(':scope > .jupyter-widgets svg.dl-ring'));
                 const r = box && box.querySelector('.dl-readout');
                 return box.querySelectorAll('svg.dl-ring g.dl-node').length === n
                        && r && r.textContent !== text;
               }""", arg=[before_nodes + step, before_content], timeout=UI_MS)
    except Exception as e:
        raise AssertionError(
            f"{name}: after moving the nodes slider by {step} the ring shows {markers.count()} node markers "
            f"(before: {before_nodes}) and the readout says {readout.inner_text()!r} (before: {before_text!r})."
            f"\nbrowser console errors: {console[-5:]}") from e
    after_text = readout.inner_text()
    assert f"{before_nodes} -> {before_nodes + step} nodes" in after_text, after_text
    assert re.search(r"[1-9]\d*\.\d% of \d+ keys moved", after_text), after_text


# the fault widget's drawing: {node: [state, hints]} and the simulated time it shows
FAULT_STATE = """() => {
  const box = [...document.querySelectorAll('.jp-OutputArea-output')]
    .find(o => o.querySelector(':scope > .jupyter-widgets svg.dl-faults'));
  const svg = box && box.querySelector('svg.dl-faults');
  if (!svg) return null;
  const nodes = {};
  for (const g of svg.querySelectorAll('g.dl-fnode'))
    nodes[g.dataset.node] = [g.dataset.state, Number(g.dataset.hints)];
  return {now: svg.dataset.now, nodes};
}"""


def _check_faults(page, name, console):
    """Crash the node chosen in the first fault widget, let time pass until stand-ins hold
    hints for it, recover it and let time pass until the hints are handed back."""
    box = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(":scope > .jupyter-widgets svg.dl-faults")).first
    box.scroll_into_view_if_needed()
    before = page.evaluate(FAULT_STATE)
    assert before and before["nodes"], f"{name}: the fault widget drew no nodes"
    assert all(state == "up" for state, _ in before["nodes"].values()), before
    node = box.locator(".widget-dropdown select").first.input_value()
    assert node in before["nodes"], (node, before)

    def click(label):
        box.locator("button", has_text=re.compile(rf"^\s*{label}\s*$")).first.click()

    def wait(condition, what, arg):
        try:
            page.wait_for_function(f"a => {{ const s = ({FAULT_STATE})(); return !!s && ({condition}); }}",
                                   arg=arg, timeout=UI_MS)
        except Exception as e:
            raise AssertionError(f"{name}: after {what} the fault widget shows {page.evaluate(FAULT_STATE)}"
                                 f"\nbrowser console errors: {console[-5:]}") from e

    def let_time_pass(what):
        now = page.evaluate(FAULT_STATE)["now"]
        click("let time pass")
        wait("s.now !== a", what, now)
        return page.evaluate(FAULT_STATE)

    click("crash")
    wait("s.nodes[a][0] === 'down'", f"clicking crash with {node} chosen", node)
    state = page.evaluate(FAULT_STATE)
    assert [n for n, (st, _) in state["nodes"].items() if st == "down"] == [node], state
    for _ in range(4):                       # the failure detectors need a few hundred ms
        state = let_time_pass(f"crashing {node} and letting time pass")
        if sum(h for _, h in state["nodes"].values()):
            break
    holders = {n for n, (_, h) in state["nodes"].items() if h}
    assert holders, f"{name}: no stand-in holds hints after {node} crashed: {state}"
    assert node not in holders and all(state["nodes"][n][0] == "up" for n in holders), state

    click("recover")
    wait("s.nodes[a][0] === 'up'", f"clicking recover for {node}", node)
    for _ in range(4):
        state = let_time_pass(f"recovering {node} and letting time pass")
        if not sum(h for _, h in state["nodes"].values()):
            break
    assert all(st == "up" and h == 0 for st, h in state["nodes"].values()), \
        f"{name}: hints not handed back after {node} recovered: {state}"

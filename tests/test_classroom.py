"""The classroom in a real browser: JupyterHub, two learners and the instructor, through nbgrader's exchange.

The hub is started exactly as classroom/README.md says
(``jupyterhub -f classroom/jupyterhub_config.py``), on a free loopback port,
with a scratch course (the ring exercise generated), a scratch state folder and
the roster ``ada, bo``. Headless Chromium (Playwright) then takes the classroom
through one assignment, each user in their own browser context (own login):

1. the instructor releases ``ring`` from Formgrader (opened in its own browser
   tab, as nbgrader documents for JupyterHub 4.1 and later);
2. ada opens the Assignments tab, fetches ``ring``, opens it, answers Part A
   in the notebook, saves and submits; her Nbgrader menu has no Formgrader;
3. bo fetches it and submits it blank;
4. the instructor collects from Formgrader, sees both submissions, autogrades
   each (ada 2 points of the ring's, bo 0), generates and releases feedback;
5. ada fetches her feedback from the Assignments tab and reads it in
   JupyterLab: her score, and not a line of the hidden tests.

A screenshot of each step goes to ``test-output/classroom/``. Each wait has a
bound (``STEP_MS``, ``HUB_START_S``); the hub is stopped by its pid at the end,
even on failure, and every server it spawned (pids read from its database) must
be gone then: any left is stopped by its pid and fails the test.

Needs what tests/test_browser.py needs, plus Node (configurable-http-proxy:
``npm ci`` is run here if ``node_modules`` lacks it, as for dynalite). Without
Node the test is skipped with the install command; under ``CI=true`` it fails
instead. A hub that does not start always fails the test, with the hub's log.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from dynamolite.instructor import course

from grading_cases import ROOT
from dynalite_server import _install
from test_browser import _free_port, _get, browser  # noqa: F401 (browser is a fixture)
from test_instructor import hidden_lines, max_points

pytestmark = pytest.mark.browser

OUTPUT = ROOT / "test-output" / "classroom"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_START_S = 90
STEP_MS = 90_000            # bound on each wait for the page's state (never a fixed sleep)
LEARNER_PASSWORD = "learners-password"
INSTRUCTOR_PASSWORD = "the-instructor-password-is-32-chars-or-more"
PART_A = 'def key_token(key):\n    return int.from_bytes(hashlib.md5(key.encode("utf-8")).digest()[:8], "big")\n'


def _spawned_pids(state):
    """Pids of the servers the hub has spawned (LocalProcessSpawner keeps them in its state)."""
    database = state / "jupyterhub.sqlite"
    if not database.exists():
        return set()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT state FROM spawners").fetchall()
    return {json.loads(state)["pid"] for (state,) in rows if state and "pid" in json.loads(state)}


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_pid(pid, grace=20):
    """SIGTERM, then SIGKILL after ``grace`` seconds; only processes this test started."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:           # not our child: poll it
                if not _alive(pid):
                    return
            time.sleep(0.2)


@pytest.fixture(scope="module")
def hub(browser, tmp_path_factory):  # noqa: F811 (the browser fixture, imported)
    """The classroom hub on a free loopback port; stopped, with its servers, at the end."""
    _install(PROXY, "configurable-http-proxy (JupyterHub's proxy)")
    tmp = tmp_path_factory.mktemp("classroom")
    root = course.make_course(tmp / "course")
    course.release("ring", root)                  # generated; the instructor releases it from Formgrader
    state = tmp / "state"
    port = _free_port()
    env = dict(os.environ, DYNAMOLITE_HUB_PORT=str(port), DYNAMOLITE_COURSE=str(root),
               DYNAMOLITE_CLASSROOM=str(state), DYNAMOLITE_LEARNERS="ada,bo",
               DYNAMOLITE_HUB_PASSWORD=LEARNER_PASSWORD, DYNAMOLITE_HUB_ADMIN_PASSWORD=INSTRUCTOR_PASSWORD)
    env.pop("JUPYTER_CONFIG_PATH", None)
    log = tmp / "hub.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "classroom" / "jupyterhub_config.py")],
                                cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    servers = set()
    try:
        deadline = time.monotonic() + HUB_START_S
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the classroom hub did not start in {HUB_START_S} s (exit status {proc.poll()}); "
                            f"its log:\n{log.read_text()[-4000:]}")
            try:
                if _get(f"{base}/hub/health", timeout=2)[0] == 200:
                    break
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        yield {"base": base, "root": root, "state": state, "log": log,
               "servers": lambda: servers.update(_spawned_pids(state))}
        servers.update(_spawned_pids(state))
    finally:
        servers.update(_spawned_pids(state))
        proxy = state / "proxy.pid"
        proxy_pid = int(proxy.read_text()) if proxy.exists() else None
        _stop_pid(proc.pid, grace=30)             # the hub stops its servers and its proxy (cleanup_servers)
        left = sorted(pid for pid in servers | {proxy_pid} - {None} if _alive(pid))
        for pid in left:
            _stop_pid(pid)
        assert not left, f"stopping the hub left processes {left} running (now stopped by pid)"


def _answered(path):
    try:
        return any("hashlib.md5" in cell.source for cell in nbformat.read(path, as_version=4).cells)
    except (OSError, ValueError):       # not there yet, or caught mid-write
        return False


def _wait_until(condition, what, bound_s=STEP_MS / 1000):
    """Poll ``condition`` until it holds; fail naming ``what`` after ``bound_s`` seconds."""
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {bound_s:.0f} s for {what}")
        time.sleep(0.2)


# -- steps ---------------------------------------------------------------------------------------
class Classroom:
    """The browser side: a context (own cookies) and page per user, a screenshot per step."""

    def __init__(self, browser, hub):  # noqa: F811
        self.browser, self.hub, self.pages, self.step = browser, hub, {}, 0
        self.clock = time.monotonic()
        OUTPUT.mkdir(parents=True, exist_ok=True)
        for old in OUTPUT.glob("*.png"):
            old.unlink()

    def login(self, user, password):
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        page.goto(f"{self.hub['base']}/hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", password)
        page.click("#login_submit")
        page.wait_for_selector(".jp-LauncherCard")       # JupyterLab of the user's own server
        self.hub["servers"]()
        self.pages[user] = page
        return page

    def shot(self, user, name):
        self.step += 1
        self.pages[user].screenshot(path=str(OUTPUT / f"{self.step:02d}-{user}-{name}.png"))
        now = time.monotonic()
        print(f"step {self.step:02d} {user} {name}: {now - self.clock:.1f} s")
        self.clock = now

    def close(self):
        for page in self.pages.values():
            page.context.close()


def open_assignment_list(page):
    page.click(".lm-MenuBar-item:has-text('Nbgrader')")
    items = page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts()
    page.click(".lm-Menu-item:has-text('Assignment List')")
    page.wait_for_selector("#released_assignments_list")
    return [item for item in items if item]


def fetch(page, assignment):
    page.click(f"#released_assignments_list .list_item:has-text('{assignment}') button:has-text('Fetch')")
    return page.locator(f"#fetched_assignments_list > .list_item:has-text('{assignment}')").first


def submit(page, item, assignment):
    item.locator("button:has-text('Submit')").click()
    page.locator(f"#submitted_assignments_list > .list_item:has-text('{assignment}')").first.wait_for()


def formgrader(page, hub, view):
    """Formgrader in its own browser tab (JupyterHub forbids framing it in JupyterLab)."""
    page.goto(f"{hub['base']}/user/instructor/formgrader/{view}")
    page.wait_for_selector("#main-table tr")


def formgrader_action(page, locator, what):
    """Click a Formgrader action and wait for its modal; fail with nbgrader's log on an error."""
    locator.click()
    page.wait_for_selector("#success-modal, #error-modal")
    if page.locator("#error-modal").count():
        pytest.fail(f"Formgrader could not {what}:\n{page.locator('#error-modal').inner_text()}")
    page.locator("#success-modal .modal-footer button").click()
    page.wait_for_selector("#success-modal", state="detached")


def test_the_classroom_loop_in_a_browser(browser, hub):  # noqa: F811
    started = time.monotonic()
    room = Classroom(browser, hub)
    try:
        _loop(room, hub)
    except BaseException:
        for user, page in room.pages.items():       # what each user saw when it failed, and the hub's log
            page.screenshot(path=str(OUTPUT / f"failed-{user}.png"))
        print(f"the hub's log (last lines):\n{hub['log'].read_text()[-6000:]}")
        raise
    finally:
        room.close()
    print(f"classroom loop in the browser: {time.monotonic() - started:.0f} s")


def _loop(room, hub):
    root, home = hub["root"], hub["state"] / "home"

    # 1. the instructor releases ring
    teacher = room.login("instructor", INSTRUCTOR_PASSWORD)
    formgrader(teacher, hub, "manage_assignments")
    ring = teacher.locator("#main-table tr:has(td.name[data-order='ring'])")
    formgrader_action(teacher, ring.locator("td.release a"), "release ring")
    ring.locator("td.status:has-text('released')").wait_for()
    room.shot("instructor", "released")

    # 2. ada fetches ring, answers Part A, saves, submits
    ada = room.login("ada", LEARNER_PASSWORD)
    menu = open_assignment_list(ada)
    assert menu == ["Assignment List"], f"a learner's Nbgrader menu should offer the Assignment List only: {menu}"
    item = fetch(ada, "ring")
    item.locator("a.assignment-notebooks-link").click()
    item.locator(".nested_list_item a:has-text('ring')").click()
    editor = ada.locator(".jp-Notebook .jp-Cell:has(.cm-content:has-text('def key_token')) .cm-content").first
    editor.click()
    ada.keyboard.press("Control+a")
    ada.keyboard.insert_text(PART_A)
    ada.keyboard.press("Control+s")
    # her file on disk, not the tab's state: the tab turns "changed" again by itself when the
    # kernel connects after the save (JupyterLab writes the kernel's language_info into the metadata)
    _wait_until(lambda: _answered(home / "ada" / "ring" / "ring.ipynb"), "ada's answer to reach her notebook file")
    room.shot("ada", "answered")
    ada.click(".lm-TabBar-tab:has-text('Assignments')")
    submit(ada, item, "ring")
    room.shot("ada", "submitted")

    # 3. bo fetches ring and submits it blank
    bo = room.login("bo", LEARNER_PASSWORD)
    open_assignment_list(bo)
    submit(bo, fetch(bo, "ring"), "ring")
    room.shot("bo", "submitted")
    inbound = sorted(p.name.split("+")[0] for p in (hub["state"] / "exchange" / "dynamolite" / "inbound").iterdir())
    assert inbound == ["ada", "bo"], inbound

    # 4. the instructor collects, autogrades each, generates and releases feedback
    formgrader(teacher, hub, "manage_assignments")
    formgrader_action(teacher, ring.locator("td.collect a"), "collect ring")
    ring.locator("td.num-submissions:has-text('2')").wait_for()
    formgrader(teacher, hub, "manage_submissions/ring")
    for student in ("ada", "bo"):
        row = teacher.locator(f"#main-table tr:has(td.student-id[data-order='{student}'])")
        formgrader_action(teacher, row.locator("td.autograde a"), f"autograde {student}")
        row.locator("td.status:has-text('graded')").wait_for()
    scores = {s: teacher.locator(f"#main-table tr:has(td.student-id[data-order='{s}']) td.score").inner_text()
              for s in ("ada", "bo")}
    full = int(sum(max_points("ring").values()))
    assert scores == {"ada": f"2 / {full}", "bo": f"0 / {full}"}, scores
    room.shot("instructor", "autograded")
    formgrader(teacher, hub, "manage_assignments")
    formgrader_action(teacher, ring.locator("td.generate-feedback a"), "generate feedback")
    formgrader_action(teacher, ring.locator("td.release-feedback a"), "release feedback")
    room.shot("instructor", "feedback-released")
    assert sorted((root / "feedback").iterdir()) == [root / "feedback" / "ada", root / "feedback" / "bo"]

    # 5. ada fetches her feedback and reads it in JupyterLab
    ada.click("#refresh_assignments_list")
    submitted = ada.locator("#submitted_assignments_list > .list_item:has-text('ring')").first
    submitted.locator("button:has-text('Fetch Feedback')").click()
    submitted.locator("a:has-text('view feedback')").click()
    ada.locator(".jp-DirListing-item:has-text('ring.html')").dblclick()
    page = ada.frame_locator(".jp-HTMLViewer iframe").locator("body")
    page.locator(f"text=ring (Score: 2.0 / {full:.1f})").wait_for()
    text = page.inner_text()
    for line in hidden_lines("ring"):
        assert line not in text, f"ada's feedback shows hidden test code: {line}"
    assert "BEGIN HIDDEN TESTS" not in text
    room.shot("ada", "feedback")

"""The classroom's loop through nbgrader's exchange, without a browser, and its bad input.

A scratch course and exchange configured as the hub configures the instructor's
server (``classroom/instructor`` on ``JUPYTER_CONFIG_PATH``); learners act as
their Assignment List does (:class:`dynamolite.instructor.exchange.Learner`,
with the hub's learner settings). Through ``python -m dynamolite.instructor``:
release with a deadline, collect, autograde on two workers, export, feedback
(generated and released); learners fetch their feedback.

Bad input, each handled as nbgrader documents it:

- ada submits a blank copy, the instructor collects, ada submits her solution,
  the instructor collects again: the later submission is the one graded;
- bo submits after the deadline: collected, graded, and flagged late;
- mallory is not on the roster: collected and reported, autograde refuses her
  (nbgrader's ``create_student = False``), the others are graded;
- cy renames her notebook: her submit is refused with the list of what is
  missing; dee's renamed notebook arrives anyway (a submit without the
  classroom's ``strict``): reported at collect, and not graded (nbgrader
  grades only notebooks named as released), autograde saying why.
"""

import csv
import datetime
import shutil

import nbformat
import pytest
from nbgrader.exchange import ExchangeError

from dynamolite.instructor import cli, course, exchange

from grading_cases import ROOT
from test_instructor import hidden_lines, html_text, max_points

pytestmark = pytest.mark.slow

COURSE_ID = "dynamolite"
ROSTER = ["ada", "bo", "cy", "dee"]
RING_POINTS = int(sum(max_points("ring").values()))      # the ring exercise's full marks


def answer_all(path):
    """Write the instructor's solution into a learner's fetched notebook (every part)."""
    solution = nbformat.read(ROOT / "solutions" / "ring" / "ring.ipynb", as_version=4)
    nb = nbformat.read(path, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """The whole loop, run once; returns what the tests look at."""
    tmp = tmp_path_factory.mktemp("classroom")
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_CONFIG_PATH", str(ROOT / "classroom" / "instructor"))
    patch.setenv("DYNAMOLITE_EXCHANGE", str(exchange.prepare_exchange(tmp / "exchange")))
    patch.setenv("DYNAMOLITE_COURSE_ID", COURSE_ID)
    try:
        yield _loop(tmp)
    finally:
        patch.undo()


def _loop(tmp):
    root = course.make_course(tmp / "course")
    exchange.set_roster(ROSTER, root)
    printed = {}
    learners = {name: exchange.Learner(name, tmp / "home" / name, tmp / "exchange", COURSE_ID)
                for name in ROSTER + ["mallory"]}

    assert cli.main(["--root", str(root), "release", "ring"]) == 0
    for learner in learners.values():
        learner.fetch("ring")

    ada = learners["ada"]
    ada.submit("ring")                                           # blank first
    printed["first collect"] = _cli(root, "collect", "ring")
    answer_all(ada.home / "ring" / "ring.ipynb")
    ada.submit("ring")                                           # the one that counts
    answer_all(learners["cy"].home / "ring" / "ring.ipynb")
    shutil.move(learners["cy"].home / "ring" / "ring.ipynb", learners["cy"].home / "ring" / "my_ring.ipynb")
    try:
        learners["cy"].submit("ring")
    except ExchangeError as refused:
        printed["cy refused"] = str(refused)
    dee = learners["dee"]
    shutil.move(dee.home / "ring" / "ring.ipynb", dee.home / "ring" / "dee_ring.ipynb")
    dee.config.ExchangeSubmit.strict = False                     # as if submitted without the classroom's settings
    dee.submit("ring")
    learners["mallory"].submit("ring")

    deadline = datetime.datetime.now(datetime.timezone.utc)
    exchange.set_deadline("ring", deadline, root)
    learners["bo"].submit("ring")                                # after the deadline

    printed["collect"] = _cli(root, "collect", "ring")
    printed["autograde"] = _cli(root, "autograde", "ring", "--jobs", "2", status=1)
    printed["export"] = _cli(root, "export", "grades.csv")
    printed["feedback"] = _cli(root, "feedback", "ring")
    fetched = {name: learners[name].fetch_feedback("ring") for name in ("ada", "bo")}
    return {"root": root, "printed": printed, "fetched": fetched, "tmp": tmp}


def _cli(root, *argv, status=0):
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        got = cli.main(["--root", str(root), *argv])
    assert got == status, f"{argv} exited {got}:\n{out.getvalue()}"
    return out.getvalue()


def test_release_reaches_the_exchange_and_learners_fetch_it(classroom):
    outbound = classroom["tmp"] / "exchange" / COURSE_ID / "outbound" / "ring" / "ring.ipynb"
    assert outbound.exists()
    released = nbformat.read(classroom["root"] / "exercises" / "ring" / "ring.ipynb", as_version=4)
    assert nbformat.read(outbound, as_version=4).cells == released.cells
    assert (classroom["tmp"] / "home" / "bo" / "ring" / "ring.ipynb").exists()


def test_the_later_submission_counts(classroom):
    root = classroom["root"]
    assert "collected 1 submissions" in classroom["printed"]["first collect"]
    total = sum(points for _, points in course.scores("ring", "ada", root).values())
    assert sum(score for score, _ in course.scores("ring", "ada", root).values()) == total == RING_POINTS


def test_a_submission_after_the_deadline_is_flagged_late(classroom):
    root, printed = classroom["root"], classroom["printed"]
    assert "  bo: late by" in printed["collect"], printed["collect"]
    assert not any(line.startswith("  ada: late") for line in printed["collect"].splitlines())
    with course.gradebook(root) as gb:
        assert gb.find_submission("ring", "bo").total_seconds_late > 0
        assert gb.find_submission("ring", "ada").total_seconds_late == 0


def test_a_learner_not_on_the_roster_is_reported_and_not_graded(classroom):
    root, printed = classroom["root"], classroom["printed"]
    assert "  mallory: not on the roster" in printed["collect"], printed["collect"]
    assert "FAILED ring/mallory" in printed["autograde"] and "No student with ID 'mallory'" in printed["autograde"]
    assert exchange.roster(root) == ROSTER
    with course.gradebook(root) as gb:
        assert {s.student.id for s in gb.assignment_submissions("ring")} == {"ada", "bo"}


def test_a_renamed_notebook_is_refused_at_submit_and_reported_at_collect(classroom):
    printed = classroom["printed"]
    assert "ring.ipynb: MISSING" in printed["cy refused"] and "my_ring.ipynb: EXTRA" in printed["cy refused"]
    assert "cy" not in course.submissions("ring", classroom["root"])
    assert "  dee: missing ring.ipynb: submitted dee_ring.ipynb instead (renamed?)" in printed["collect"]
    failed = next(line for line in printed["autograde"].splitlines() if line.startswith("FAILED ring/dee"))
    assert "Skipping unknown notebook" in failed and "dee_ring.ipynb" in failed, failed


def test_grades_feedback_and_its_return_through_the_exchange(classroom):
    root, fetched = classroom["root"], classroom["fetched"]
    with open(root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == ROSTER                  # the roster; mallory is not on it
    assert float(rows["ada"]["ring/total"]) == RING_POINTS and float(rows["bo"]["ring/total"]) == 0
    assert rows["cy"]["ring/total"] == rows["dee"]["ring/total"] == ""       # nothing graded
    assert "ring: 2 feedback files in feedback/, released to the exchange" in classroom["printed"]["feedback"]
    assert [p.name for p in fetched["ada"]] == ["ring.html"] and [p.name for p in fetched["bo"]] == ["ring.html"]
    secrets = hidden_lines("ring")
    for name, total in (("ada", f"{RING_POINTS:.1f}"), ("bo", "0.0")):
        text = html_text(fetched[name][0])
        assert f"ring (Score: {total} / {RING_POINTS:.1f})" in text, text[:500]
        for line in secrets:
            assert line not in text, f"{name}'s feedback shows hidden test code: {line}"
    assert "GradingFailure: " not in html_text(fetched["ada"][0])
    assert "NotImplementedError" in html_text(fetched["bo"][0])


def test_collect_needs_a_folder_without_an_exchange(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    root = course.make_course(tmp_path / "course")
    with pytest.raises(SystemExit):
        cli.main(["--root", str(root), "collect", "ring"])
    assert "has no exchange" in capsys.readouterr().err
    assert exchange.course_id(root) is None

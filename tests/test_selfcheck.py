"""Self-check for learners, for every assignment: the full tests, the autograder's messages.

A solved copy gets full marks, the blank release zero, and a copy with one
recorded wrong answer loses exactly that part (and parts that reuse it).
"""

import copy
import io
import logging
import subprocess
import sys

import nbformat
import pytest

from dynamolite import selfcheck
from dynamolite.errors import CourseError
from dynamolite.instructor import cli, course

from grading_cases import ROOT, meta, wrong_answers

ASSIGNMENTS = course.assignments(ROOT)

pytestmark = pytest.mark.slow


def scores(parts):
    return {p["grade_id"]: (p["score"], p["max_score"]) for p in parts}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_selfcheck_scores_solved_blank_and_partial_copies(assignment, tmp_path, capsys):
    source = course.notebooks(assignment, ROOT)[0]
    released = ROOT / "exercises" / assignment / source.name

    solved = selfcheck.selfcheck(source, ROOT)
    assert solved and all(p["score"] == p["max_score"] > 0 for p in solved), solved
    out_of = sum(p["max_score"] for p in solved)
    assert repr(solved) == f"<self-check: {out_of:g} of {out_of:g} points>"
    out = capsys.readouterr().out
    assert "Total" in out and "hidden" in out

    blank = selfcheck.selfcheck(released, ROOT)
    assert [p["grade_id"] for p in blank] == [p["grade_id"] for p in solved]
    assert all(p["score"] == 0 for p in blank), blank
    assert all("GradingFailure" in p["message"] for p in blank), blank
    assert "BEGIN HIDDEN" not in capsys.readouterr().out

    answers = wrong_answers(assignment)
    nb = nbformat.read(source, as_version=4)
    part = next(meta(c)["grade_id"] for c in nb.cells
                if meta(c).get("solution") and not meta(c).get("grade")
                and meta(c)["grade_id"] in answers)
    partial = copy.deepcopy(nb)
    for cell in partial.cells:
        if meta(cell).get("grade_id") == part:
            cell.source = next(iter(answers[part].values()))
    partial.cells.insert(2, nbformat.v4.new_code_cell("1 / 0   # a try-it cell"))
    partial.cells.append(nbformat.v4.new_code_cell(f"from dynamolite.selfcheck import selfcheck\n"
                                                   f"selfcheck({source.name!r})"))
    path = tmp_path / "my_copy.ipynb"             # a learner's copy, anywhere, any name
    nbformat.write(partial, path)
    got = scores(selfcheck.selfcheck(path, ROOT))
    out = capsys.readouterr().out
    # only the learner's failing cell is listed, with the first line of its error
    assert out.endswith("Cells you wrote that failed when graded:\n"
                        "  cell 3 ('1 / 0   # a try-it cell') raised ZeroDivisionError: division by zero\n")
    scratch = selfcheck._released_course(ROOT, assignment, source)
    graded = nbformat.read(scratch / "autograded" / "self" / assignment / source.name, as_version=4)
    assert "does nothing while the notebook is being graded" in graded.cells[-1].outputs[0]["text"]
    # the autograder's verdict on the same notebook is the reference
    expected = course.autograde(assignment, "self", scratch)
    assert got == expected
    assert got[f"{part}_tests"][0] == 0
    assert sum(s for s, _ in got.values()) > 0


def test_command_line_prints_a_line_a_part(capsys):
    released = ROOT / "exercises" / ASSIGNMENTS[0] / course.notebooks(ASSIGNMENTS[0], ROOT)[0].name
    assert selfcheck.main([str(released)]) == 1
    out = capsys.readouterr().out
    assert "Part A" in out and "0/" in out and "Total" in out


def test_grading_logs_nothing_where_a_notebook_kernel_would_show_it(capsys):
    # In a notebook, nbgrader logs through the running application's logger, the
    # kernel's, which writes to the Jupyter server's terminal: "CRITICAL | Unwritable
    # directory..." and checksum warnings. The kit gives nbgrader a silent logger.
    from traitlets.config import Application

    app = Application.instance()                  # stands in for the notebook's kernel
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    app.log.addHandler(handler)
    try:
        released = ROOT / "exercises" / ASSIGNMENTS[0] / course.notebooks(ASSIGNMENTS[0], ROOT)[0].name
        parts = selfcheck.selfcheck(released, ROOT, quiet=True)
    finally:
        app.log.removeHandler(handler)
        Application.clear_instance()
    assert parts.points() == (0, sum(p["max_score"] for p in parts))
    assert buffer.getvalue() == "" and capsys.readouterr().err == ""


def _shown_in_a_cell(value, capsys):
    """What a notebook cell ending with ``value`` prints (IPython's display hook)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.user_ns["_value"] = value
        capsys.readouterr()
        shell.run_cell("from IPython.display import display\ndisplay(_value)")
        return capsys.readouterr().out
    finally:
        InteractiveShell.clear_instance()


def test_student_copy_has_no_answers_and_selfcheck_there_runs_visible_tests_only(tmp_path, capsys):
    copy = tmp_path / "class"
    assert cli.main(["--root", str(ROOT), "student-copy", str(copy)]) == 0
    assert not (copy / "solutions").exists() and not (copy / "tests").exists()
    assert (copy / "README.md").read_text().startswith("> **This is a student copy of the kit.**")
    assert (copy / "exercises" / "ring" / "ring.ipynb").exists() and (copy / "lessons").is_dir()
    assert (copy / "released" / "ring" / "ring.ipynb").read_text() == (ROOT / "exercises" / "ring" / "ring.ipynb").read_text()
    copied = "\n".join(p.read_text() for p in copy.rglob("*.ipynb"))
    assert "BEGIN SOLUTION" not in copied and "BEGIN HIDDEN TESTS" not in copied
    with pytest.raises(CourseError, match="is not empty"):
        course.student_copy(copy, ROOT)
    # the README's test command works in the copy too: there it runs the package's doctests
    run = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=copy, capture_output=True, text=True)
    assert run.returncode == 0 and "passed" in run.stdout, run.stdout[-3000:]

    # a wrong answer only the hidden tests catch: bisect_left agrees on every visible example
    nb = nbformat.read(ROOT / "solutions" / "ring" / "ring.ipynb", as_version=4)
    for cell in nb.cells:
        if meta(cell).get("grade_id") == "part_b":
            cell.source = wrong_answers("ring")["part_b"]["bisect_left_at_exact_token"]
    mine = copy / "exercises" / "ring" / "mine.ipynb"
    nbformat.write(nb, mine)
    capsys.readouterr()
    visible = scores(selfcheck.selfcheck(mine, copy))
    printed = capsys.readouterr().out
    assert "visible tests only" in printed and "no solutions/ folder" in printed
    assert all(score == out_of for score, out_of in visible.values()), visible
    assert scores(selfcheck.selfcheck(mine, ROOT))["part_b_tests"][0] == 0   # the full tests catch it
    assert "all tests including hidden ones" in capsys.readouterr().out


def test_a_selfcheck_cell_shows_its_table_once_and_no_repr(capsys):
    released = ROOT / "exercises" / ASSIGNMENTS[0] / course.notebooks(ASSIGNMENTS[0], ROOT)[0].name
    parts = selfcheck.selfcheck(released, ROOT)
    table = capsys.readouterr().out
    assert table.count("Total") == 1
    assert _shown_in_a_cell(parts, capsys) == ""                # the call already printed it
    again = _shown_in_a_cell(parts, capsys)                      # shown later: the table again
    assert again.strip() == table.strip() and "<self-check" not in again

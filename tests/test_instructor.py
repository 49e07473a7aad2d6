"""The instructor's workflow end to end, on a small simulated class, for every assignment.

Through the command line (``python -m dynamolite.instructor``): release, collect a
folder of files named by student (plain notebooks and a zip), autograde on two
worker processes, export the CSV, generate feedback. Checks: the CSV has a
row a student and a column a part with the right scores; the merged gradebook
equals sequential grading; the feedback says which part failed and why, and
quotes no hidden test.
"""

import copy
import csv
import html
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from dynamolite.instructor import cli, course, parallel

from grading_cases import HIDDEN, ROOT, meta, region_lines, strip_regions, wrong_answers

ASSIGNMENTS = course.assignments(ROOT)

pytestmark = pytest.mark.slow


def first_wrong_answer(assignment, nb):
    """(part, source) of a recorded wrong answer to the notebook's first graded part."""
    answers = wrong_answers(assignment)
    for cell in nb.cells:
        part = meta(cell).get("grade_id")
        if meta(cell).get("solution") and not meta(cell).get("grade") and part in answers:
            return part, next(iter(answers[part].values()))
    raise AssertionError(f"no wrong answer recorded for {assignment}")


def max_points(assignment):
    points = {}
    for path in course.notebooks(assignment, ROOT):
        for cell in nbformat.read(path, as_version=4).cells:
            if meta(cell).get("grade"):
                points[f"{assignment}/{meta(cell)['grade_id']}"] = float(meta(cell)["points"])
    return points


def hidden_lines(assignment):
    """Lines of hidden tests that appear nowhere in the visible tests."""
    secret, visible = [], []
    for path in course.notebooks(assignment, ROOT):
        for cell in nbformat.read(path, as_version=4).cells:
            secret += region_lines(cell.source, HIDDEN)
            visible += [line.strip() for line in strip_regions(cell.source, HIDDEN).splitlines()]
    return [line for line in secret if len(line) > 15 and line not in visible]


def html_text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", Path(path).read_text()))


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """A course graded through the CLI, and the same class graded sequentially."""
    root = course.make_course(tmp_path_factory.mktemp("course"))
    assert cli.main(["--root", str(root), "release"]) == 0
    expected = {}
    wrong_parts = {}
    for assignment in ASSIGNMENTS:
        inbox = tmp_path_factory.mktemp(f"inbox_{assignment}")
        for source_path in course.notebooks(assignment, root):
            name = source_path.name
            solution = nbformat.read(source_path, as_version=4)
            blank = nbformat.read(root / "exercises" / assignment / name, as_version=4)
            partial = copy.deepcopy(solution)
            part, answer = first_wrong_answer(assignment, partial)
            wrong_parts.setdefault(assignment, set()).add(f"{part}_tests")
            for cell in partial.cells:
                if meta(cell).get("grade_id") == part:
                    cell.source = answer
            nbformat.write(solution, inbox / f"ada_{name}")
            nbformat.write(blank, inbox / f"bo_{name}")
            with zipfile.ZipFile(inbox / "cy.zip", "a") as archive:
                archive.writestr(name, nbformat.writes(partial))
        assert cli.main(["--root", str(root), "collect", assignment, str(inbox)]) == 0
        assert course.submissions(assignment, root) == ["ada", "bo", "cy"]
        expected[assignment] = max_points(assignment)
    sequential = tmp_path_factory.mktemp("sequential") / "course"
    shutil.copytree(root, sequential)          # released and collected, not yet graded
    assert cli.main(["--root", str(root), "autograde", "--jobs", "2"]) == 0
    assert cli.main(["--root", str(root), "export", "grades.csv"]) == 0
    assert cli.main(["--root", str(root), "feedback"]) == 0

    first = ASSIGNMENTS[0]
    assert not any(parallel.autograde_all([(first, s) for s in course.submissions(first, sequential)],
                                        sequential, jobs=1, progress=False).values())
    return root, sequential, expected, wrong_parts


def read_csv(path):
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_csv_has_a_row_a_student_and_a_column_a_part(workflow):
    root, _, expected, wrong_parts = workflow
    rows = read_csv(root / "grades.csv")
    assert sorted(rows) == ["ada", "bo", "cy"]
    for assignment, points in expected.items():
        for column, max_score in points.items():
            assert column in rows["ada"], f"no column {column} in grades.csv"
            assert float(rows["ada"][column]) == max_score, (column, rows["ada"][column])
            assert float(rows["bo"][column]) == 0, (column, rows["bo"][column])
        for column in wrong_parts[assignment]:
            assert float(rows["cy"][f"{assignment}/{column}"]) == 0, column
        assert 0 < float(rows["cy"][f"{assignment}/total"]) < sum(points.values())
        assert float(rows["ada"][f"{assignment}/total"]) == sum(points.values())
        for student in ("ada", "bo", "cy"):      # each assignment out of its own points
            assert float(rows[student][f"{assignment}/max_total"]) == sum(points.values())
    total = sum(sum(p.values()) for p in expected.values())
    assert float(rows["ada"]["total"]) == total == float(rows["ada"]["max_total"])


def _grades(root, assignment):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course.gradebook_path(root)}") as gb:
        return {(s.student.id, nb.name, g.name): (g.auto_score, g.manual_score, g.needs_manual_grade)
                for s in gb.assignment_submissions(assignment) for nb in s.notebooks for g in nb.grades}


def test_merged_gradebook_equals_sequential_grading(workflow):
    root, sequential, _, _ = workflow
    first = ASSIGNMENTS[0]
    merged, alone = _grades(root, first), _grades(sequential, first)
    assert merged and merged == alone
    for student in course.submissions(first, root):
        assert course.scores(first, student, root) == course.scores(first, student, sequential)


def test_feedback_says_what_failed_and_hides_hidden_tests(workflow):
    root, _, _, _ = workflow
    for assignment in ASSIGNMENTS:
        secrets = hidden_lines(assignment)
        assert secrets, f"{assignment} has no hidden tests"
        for student in ("ada", "bo", "cy"):
            pages = list((root / "feedback" / student / assignment).glob("*.html"))
            assert pages, f"no feedback for {student}/{assignment}"
            text = "\n".join(html_text(p) for p in pages)
            for line in secrets:
                assert line not in text, f"feedback of {student}/{assignment} shows hidden test code: {line}"
            assert "BEGIN HIDDEN TESTS" not in text
            if student == "bo":
                assert "NotImplementedError" in text, f"blank feedback of {assignment} does not say why"
            if student == "cy":
                assert "GradingFailure: " in text, f"feedback of {assignment} has no failure message"
            if student == "ada":
                assert "GradingFailure: " not in text
            for page in pages:               # works offline; the contents name the parts
                raw = page.read_text()
                assert not re.search(r"<script[^>]+src=", raw), f"{page} loads a script"
                assert "mathjax" not in raw.lower() and "cdnjs" not in raw
                toc = re.search(r'<div id="toc">(.*?)</div>', raw, re.S).group(1)
                assert "Test cell" not in toc and re.search(r'part_a_tests">Part A</a>', toc), toc
                assert not re.search(r">Comment</a>", toc), toc
                assert "white-space: pre-wrap;\n  overflow-wrap: anywhere" in raw


def test_a_kernel_that_fails_to_start_is_tried_once_more(monkeypatch):
    calls = []

    class FakeApi:
        config = type("C", (), {"Autograde": {}})()

        def autograde(self, assignment, student, force, create):
            calls.append(student)
            if student == "unlucky" and calls.count(student) == 1:
                return {"success": False, "error": "RuntimeError: Kernel died before replying to kernel_info"}
            if student == "broken":
                return {"success": False, "error": "a cell of the submission is not valid JSON"}
            return {"success": True}

    monkeypatch.setattr(parallel, "api", lambda root: FakeApi())
    assert parallel._grade_one(".", "ring", "unlucky")[0] is None
    assert "not valid JSON" in parallel._grade_one(".", "ring", "broken")[0]
    assert calls == ["unlucky", "unlucky", "broken"]


def test_a_step_that_cannot_go_on_says_why_without_a_traceback(tmp_path, capsys):
    (tmp_path / "homework.txt").write_text("not a kit")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--root", str(ROOT), "student-copy", str(tmp_path)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (f"python -m dynamolite.instructor: error: {tmp_path} is not "
                                       f"empty: choose a new folder for the student copy\n")

"""The grading pipeline, for every assignment in solutions/ (discovered, not listed).

For each assignment: the committed release equals a fresh nbgrader release;
the release leaks no solution and no hidden test; nbgrader autograde gives the
solution full marks and the blank release zero; and each recorded realistic
wrong answer (tests/wrong_answers/<assignment>.py) loses its part's points
while the other parts keep theirs. Wrong answers are graded in batches (see
tests/grading_cases.py), which is sound because each one changes only its own
part: it binds no name another cell reads unless its solution binds it too, and
changes no object at top level (checked here without grading).
"""

import ast
import json
from pathlib import Path

import nbformat
import pytest

from dynamolite.instructor import course
from grading_cases import (HIDDEN, SOLUTION, depends, graded_parts, load_notebooks, meta,
                           pipeline_cases, region_lines, strip_regions, wrong_answers, wrong_batches)

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = course.assignments(ROOT)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def test_assignments_exist():
    assert {"ring", "data_modelling", "quorums", "versions", "anti_entropy"} <= set(ASSIGNMENTS), ASSIGNMENTS


@pytest.fixture(params=ASSIGNMENTS)
def graded(request, graded_class):
    """An assignment released in the session's scratch course, with the scores of its
    solution, blank release and wrong answers (see tests/grading_cases.py)."""
    assignment, root = request.param, graded_class.root
    results = {}
    for student in pipeline_cases(root, assignment):
        assert graded_class.errors[(assignment, student)] is None, \
            f"nbgrader could not grade {assignment}/{student}: {graded_class.errors[(assignment, student)]}"
        results[student] = graded_class.scores(assignment, student)
    return assignment, root, results


def test_release_is_in_sync_with_solutions(graded):
    assignment, root, _ = graded
    for fresh in sorted((root / "exercises" / assignment).glob("*")):
        committed = ROOT / "exercises" / assignment / fresh.name
        assert committed.exists(), (f"{committed} is missing: run `nbgrader generate_assignment "
                                    f"{assignment} --force` and commit exercises/")
        if fresh.suffix == ".ipynb":
            a, b = json.loads(fresh.read_text()), json.loads(committed.read_text())
            assert a == b, (f"exercises/{assignment}/{fresh.name} differs from a fresh release: "
                            f"run `nbgrader generate_assignment {assignment} --force` and commit it")
        else:
            assert fresh.read_bytes() == committed.read_bytes()
    committed_files = {p.name for p in (ROOT / "exercises" / assignment).glob("*")}
    fresh_files = {p.name for p in (root / "exercises" / assignment).glob("*")}
    assert committed_files == fresh_files


def test_release_leaks_no_solution_or_hidden_test(graded):
    assignment, root, _ = graded
    for source_path in course.notebooks(assignment, ROOT):
        released = (ROOT / "exercises" / assignment / source_path.name).read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in released, f"{marker} appears in the release of {assignment}"
        nb = nbformat.read(source_path, as_version=4)
        visible = "\n".join(strip_regions(c.source, SOLUTION, HIDDEN) for c in nb.cells)
        released_nb = nbformat.reads(released, as_version=4)
        released_code = "\n".join(c.source for c in released_nb.cells)
        for cell in nb.cells:
            secret = [line for line in region_lines(cell.source, SOLUTION) + region_lines(cell.source, HIDDEN)
                      if len(line) > 12]
            for line in secret:
                if line in visible:
                    continue        # the same line also stands in a visible cell
                assert line not in released_code, f"release of {assignment} leaks: {line}"


def test_solution_gets_full_marks(graded):
    assignment, _, results = graded
    got = results["solution"]
    assert got, f"no graded cells found for {assignment}"
    for part, (score, max_score) in got.items():
        assert max_score > 0, f"{assignment}/{part} has no points"
        assert score == max_score, f"solution of {assignment} scored {score}/{max_score} on {part}"


def test_blank_release_scores_zero(graded):
    assignment, _, results = graded
    total = sum(score for score, _ in results["blank"].values())
    assert total == 0, f"the blank release of {assignment} scored {results['blank']}"


def test_every_part_has_at_least_four_parts_and_two_wrong_answers(graded):
    assignment, root, _ = graded
    answers = wrong_answers(assignment)
    parts = [part for _, part, _ in graded_parts(load_notebooks(ROOT, assignment, "solutions"))]
    assert len(parts) >= 4, f"{assignment} has graded parts {parts}; at least four expected"
    for part in parts:
        assert len(answers.get(part, {})) >= 2, f"{assignment}/{part} needs at least two wrong answers"


def test_each_wrong_answer_loses_its_part_only(graded):
    assignment, root, results = graded
    full = results["solution"]
    needs = depends(load_notebooks(ROOT, assignment, "solutions"))
    checked = 0
    for student, plan in wrong_batches(root, assignment).items():
        got = results[student]
        for part, label in plan.items():
            test_id = f"{part}_tests"
            assert test_id in got, f"{assignment}: no graded cell {test_id} for solution cell {part}"
            score, max_score = got[test_id]
            assert score == 0, f"{assignment}: wrong answer {part}/{label} still scored {score}/{max_score}"
            checked += 1
        for other, (other_score, other_max) in got.items():
            part = other.removesuffix("_tests")
            if part not in plan and other_score != full[other][0]:
                assert needs[part] & set(plan), (
                    f"{assignment}: wrong answers {plan} (submission {student}) also changed "
                    f"{other} ({other_score}/{other_max}), which uses none of their functions")
    assert checked == sum(len(answers) for answers in wrong_answers(assignment).values()), assignment


def _top_level(source):
    """``(names a cell binds at top level, whether it assigns an attribute or item there)``."""
    bound, mutates = set(), False
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        else:
            for sub in ast.walk(node):
                if isinstance(getattr(sub, "ctx", None), ast.Store):
                    if isinstance(sub, ast.Name):
                        bound.add(sub.id)
                    elif isinstance(sub, (ast.Attribute, ast.Subscript)):
                        mutates = True
    return bound, mutates


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_answers_change_only_their_own_part(assignment):
    """What makes batching sound: a wrong answer cannot cost another part of its batch its points."""
    solution = load_notebooks(ROOT, assignment, "solutions")
    for part, answers in wrong_answers(assignment).items():
        nb = next(nb for nb in solution.values() if any(meta(c).get("grade_id") == part for c in nb.cells))
        others = [c.source for c in nb.cells if c.cell_type == "code" and meta(c).get("grade_id") != part]
        read = {node.id for source in others for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
        allowed, _ = _top_level(next(c.source for c in nb.cells if meta(c).get("grade_id") == part))
        for label, answer in answers.items():
            bound, mutates = _top_level(answer)
            shared = (bound - allowed) & read
            assert not shared, f"{assignment}/{part}/{label} rebinds {sorted(shared)}, which other cells read"
            assert not mutates, f"{assignment}/{part}/{label} assigns an attribute or item at top level"

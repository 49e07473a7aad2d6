"""Grading that cannot be fooled or broken, for every assignment, through nbgrader itself.

Crafted submissions are made from each assignment's solution notebook and its
blank release (so new assignments are covered without edits), all graded in
one scratch course by the parallel autograde. ``P`` is the first graded part,
``Q`` the second, ``L`` the last; an attack placed after the correct
definition in a part's answer cell must cost that part its points and nothing
else (parts that reuse the attacked function may follow it when the function
itself is wrong). Attacks on single parts are spread over the parts and
batched, several to a submission (see tests/grading_cases.py); each test
below is about one attack, whichever submission carries it.

Bound (documented in the report and README): a cell runs at most
``Execute.timeout`` (30 s in the kit, shortened to ``grading_cases.TEST_TIMEOUT`` here) before
it is interrupted; a kernel that ignores the
interrupt or dies ends that notebook's execution at once (every later cell
fails with a message); a whole notebook gets at most
``GuardedExecute.notebook_budget`` (180 s) plus one timeout.
"""

import importlib.util

import nbformat
import pytest

from dynamolite.instructor import course
from grading_cases import ROOT, WRONG_DIR, cell_of, defs, graded_parts, load_notebooks

ASSIGNMENTS = course.assignments(ROOT)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


@pytest.fixture(scope="module")
def graded(graded_class):
    """Every crafted submission of every assignment (graded once per session, see conftest)."""
    plans = {pair: plan for pair, plan in graded_class.plans.items() if plan is not None}
    return graded_class.root, plans, {pair: graded_class.errors[pair] for pair in plans}


def test_every_crafted_submission_is_graded(graded):
    _, plans, errors = graded
    failed = {pair: error for pair, error in errors.items() if error}
    assert not failed, f"nbgrader could not grade: {failed}"
    assert set(errors) == set(plans)


ATTACKS = ["solution", "blank", "blank-tests-pass", "blank-tests-deleted", "blank-tests-stripped",
           "blank-points-inflated", "solution-tests-deleted", "solution-tests-stripped", "raises",
           "flood", "input", "patch-module", "hide-errors", "always-equal", "patch-during-test",
           "loop-and-sleep", "stuck-kernel", "dead-kernel", "rebinds-check-equal", "rebinds-call",
           "rebinds-begin-part", "rebinds-check", "late-guard"]


def test_every_attack_is_carried_for_every_assignment(graded_class):
    for assignment in ASSIGNMENTS:
        carried = {attack for (a, attack) in graded_class.carriers if a == assignment}
        assert carried >= set(ATTACKS), (assignment, set(ATTACKS) - carried)


@pytest.mark.parametrize("attack", ATTACKS)
def test_crafted_submission_gets_what_it_deserves(graded, graded_class, attack):
    root, plans, _ = graded
    for assignment in ASSIGNMENTS:
        student, part = graded_class.carriers[(assignment, attack)]
        expectation = plans[(assignment, student)]
        got = course.scores(assignment, student, root)
        assert set(got) == set(expectation), (assignment, student, got)
        if part is not None:
            assert expectation[f"{part}_tests"] == "zero", (assignment, attack, part)
        for test_id, want in expectation.items():
            score, max_score = got[test_id]
            full = course.scores(assignment, "solution", root)[test_id][1]
            where = f"{assignment}/{student} ({attack})"
            assert max_score == full, f"{where}: {test_id} max score changed to {max_score}"
            if want == "full":
                assert score == max_score, f"{where}: {test_id} scored {score}/{max_score}"
            elif want == "zero":
                assert score == 0, f"{where}: {test_id} scored {score}/{max_score}"


MESSAGES = {
    "raises": "raised ValueError",
    "flood": "printed",
    "input": "input()",
    "loop-and-sleep": "did not finish",
    "rebinds-check-equal": "rebinds `check_equal`",
    "rebinds-call": "rebinds `call`",
    "rebinds-begin-part": "rebinds `begin_part`",
    "patch-module": "changed the grading helper",
    "patch-during-test": "changed the grading helper",
    "stuck-kernel": "ignored the interrupt",
    "dead-kernel": "kernel died",
    "late-guard": "install_guard",
}


@pytest.mark.parametrize("attack", sorted(MESSAGES))
def test_failure_message_says_why(graded, graded_class, attack):
    """The message is in the attacked part's test cell (anywhere, for whole-notebook attacks)."""
    root, _, _ = graded
    for assignment in ASSIGNMENTS:
        student, part = graded_class.carriers[(assignment, attack)]
        text = "\n".join(str(output) for path in (root / "autograded" / student / assignment).glob("*.ipynb")
                         for cell in nbformat.read(path, as_version=4).cells
                         if part is None or cell.metadata.get("nbgrader", {}).get("grade_id") == f"{part}_tests"
                         for output in cell.get("outputs", []) if output.get("output_type") == "error")
        assert MESSAGES[attack] in text, f"{assignment}/{student}: no message {MESSAGES[attack]!r} for {attack}"


def test_grading_twice_gives_the_same_score(graded, graded_class):
    root, _, _ = graded
    for assignment in ASSIGNMENTS:
        assert course.scores(assignment, "solution", root) == course.scores(assignment, "solution-again", root)
        student, _ = graded_class.carriers[(assignment, "flood")]
        first = course.scores(assignment, student, root)
        assert course.autograde(assignment, student, root) == first


def _dynamolite_names():
    import ast
    names = set()
    for path in (ROOT / "dynamolite").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                names.add(node.name)
    return names


def test_parts_named_like_dynamolite_have_a_wrong_answer_calling_dynamolite():
    """If an answer's function shares a name with dynamolite's, calling the package must be a
    recorded wrong answer (the generic pipeline test then proves it loses the points)."""
    names = _dynamolite_names()
    for assignment in ASSIGNMENTS:
        solution = load_notebooks(ROOT, assignment, "solutions")
        clashing = [f for n, part, _ in graded_parts(solution)
                    for f in defs(cell_of(solution[n], part).source) if f in names]
        if not clashing:
            continue
        spec = importlib.util.spec_from_file_location(f"wrong_{assignment}_robust", WRONG_DIR / f"{assignment}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sources = [s for answers in module.WRONG_ANSWERS.values() for s in answers.values()]
        assert any("dynamolite" in s for s in sources), (
            f"{assignment}: functions {clashing} share names with dynamolite, but no wrong answer "
            f"calls dynamolite; record one in tests/wrong_answers/{assignment}.py")

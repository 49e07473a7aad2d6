"""Grading that cannot be fooled or broken, for every assignment, through nbgrader itself.

Crafted submissions are made from each assignment's solution notebook and its
blank release (so new assignments are covered without edits), all graded in
one scratch course by the parallel autograde. ``P`` is the first graded part,
``Q`` the second, ``L`` the last; an attack placed after the correct
definition in a part's answer cell must cost that part its points and nothing
else (parts that reuse the attacked function may follow it when the function
itself is wrong).

Bound (documented in the report and README): a cell runs at most
``Execute.timeout`` (30 s) before it is interrupted; a kernel that ignores the
interrupt or dies ends that notebook's execution at once (every later cell
fails with a message); a whole notebook gets at most
``GuardedExecute.notebook_budget`` (180 s) plus one timeout.
"""

import copy
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from dynamolite import course

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = course.assignments(ROOT)
WRONG_DIR = Path(__file__).parent / "wrong_answers"

pytestmark = pytest.mark.slow

LOOP = "\nwhile True:\n    pass\n"
SLEEP = "\nimport time as _time\n_time.sleep(3600)\n"
STUCK = ("\nimport signal as _signal\n_signal.signal(_signal.SIGINT, _signal.SIG_IGN)\n"
         "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n")
DIE = "\nimport os as _os\n_os._exit(0)\n"
RAISE = "\nraise ValueError('something went wrong at top level')\n"
FLOOD = "\nfor _i in range(2_000_000):\n    print(_i)\n"
INPUT = "\n_answer = input('your name? ')\n"
REBIND = {
    "check_equal": "\ncheck_equal = lambda *args, **kwargs: None\n",
    "call": "\ncall = lambda func, *args, **kwargs: None\n",
    "begin_part": "\nbegin_part = lambda label: None\n",
    "check": "\ncheck = check_close = lambda *args, **kwargs: None\n",
}
# attacks that come with a wrong function (every def returns what the template says)
PATCH_MODULE = """
import dynamolite.grading as _g
_g.check_equal = _g.check_close = _g.check = lambda *args, **kwargs: None
_g.call = lambda func, *args, **kwargs: None
_g.begin_part = lambda label: None
"""
HIDE_ERRORS = "\nget_ipython().showtraceback = lambda *args, **kwargs: None\n"
ALWAYS_EQUAL = """
class _Anything(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __gt__(self, other): return True
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __hash__(self): return 0
    def __float__(self): return 0.0
    def __bool__(self): return True
"""
PATCH_DURING_TEST = """
    import dynamolite.grading as _g
    _ns = get_ipython().user_ns
    for _name in ("check_equal", "check_close", "check"):
        setattr(_g, _name, lambda *args, **kwargs: None)
        _ns[_name] = lambda *args, **kwargs: None
    return None
"""


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def load_notebooks(root, assignment, folder):
    return {p.name: nbformat.read(p, as_version=4) for p in course.notebooks(assignment, root, folder)}


def graded_parts(nbs):
    """``[(notebook, part, test_id)]`` in order: answer cells that have a graded test cell."""
    found = []
    for name, nb in nbs.items():
        tests = {meta(c)["grade_id"] for c in nb.cells if meta(c).get("grade")}
        for cell in nb.cells:
            part = meta(cell).get("grade_id")
            if meta(cell).get("solution") and not meta(cell).get("grade") and f"{part}_tests" in tests:
                found.append((name, part, f"{part}_tests"))
    return found


def cell_of(nb, grade_id):
    return next(c for c in nb.cells if meta(c).get("grade_id") == grade_id)


def defs(source):
    return re.findall(r"^def (\w+)\(", source, re.M)


def changed(nbs, notebook, part, source):
    nbs = copy.deepcopy(nbs)
    cell_of(nbs[notebook], part).source = source
    return nbs


def edit_tests(nbs, how):
    """Apply ``how(nb, index, cell)`` to every graded test cell (from the last one back)."""
    nbs = copy.deepcopy(nbs)
    for nb in nbs.values():
        for index in reversed(range(len(nb.cells))):
            if meta(nb.cells[index]).get("grade") and not meta(nb.cells[index]).get("solution"):
                how(nb, index, nb.cells[index])
    return nbs


def as_pass(nb, index, cell):
    cell.source = "pass"


def delete(nb, index, cell):
    del nb.cells[index]


def strip(nb, index, cell):
    cell.metadata.pop("nbgrader", None)


def strip_and_pass(nb, index, cell):
    cell.metadata.pop("nbgrader", None)
    cell.source = "pass"


def inflate(nb, index, cell):
    cell.metadata["nbgrader"].update(points=100, locked=False)
    cell.source = "pass"


def wrong_function(source, body):
    """Every def of an answer cell replaced by one that runs ``body``."""
    return "\n".join(f"def {name}(*args, **kwargs):{body}" for name in defs(source))


def crafted(root, assignment):
    """``{student: (notebooks, expectation)}``; an expectation maps test ids to
    "full", "zero", or "zero-or-dependent" (a later part reusing the attacked function)."""
    solution = load_notebooks(root, assignment, "solutions")
    blank = load_notebooks(root, assignment, "exercises")
    parts = graded_parts(solution)
    assert len(parts) >= 2, f"{assignment}: fewer than two graded parts"
    tests = [t for _, _, t in parts]
    (nb_p, p, p_tests), (nb_q, q, q_tests), (nb_l, last, l_tests) = parts[0], parts[1], parts[-1]
    p_source = cell_of(solution[nb_p], p).source
    dependents = {t for n, part, t in parts
                  if any(re.search(rf"\b{f}\(", cell_of(solution[n], part).source) for f in defs(p_source))
                  and t != p_tests}

    def expect(zero=(), dependent=False, zero_from=None):
        result = {}
        for index, t in enumerate(tests):
            if t in zero or (zero_from is not None and index >= tests.index(zero_from)):
                result[t] = "zero"
            elif dependent and t in dependents:
                result[t] = "zero-or-dependent"
            else:
                result[t] = "full"
        return result

    full, zero = expect(), expect(zero=tests)
    attack_p = lambda code: changed(solution, nb_p, p, p_source + code)   # noqa: E731
    cases = {
        "solution": (solution, full),
        "solution-again": (solution, full),
        "blank": (blank, zero),
        "blank-tests-pass": (edit_tests(blank, as_pass), zero),
        "blank-tests-deleted": (edit_tests(blank, delete), zero),
        "blank-tests-stripped": (edit_tests(blank, strip_and_pass), zero),
        "blank-points-inflated": (edit_tests(blank, inflate), zero),
        "solution-tests-deleted": (edit_tests(solution, delete), full),
        "solution-tests-stripped": (edit_tests(solution, strip), full),
        "raises": (attack_p(RAISE), expect(zero=[p_tests])),
        "flood": (attack_p(FLOOD), expect(zero=[p_tests])),
        "input": (attack_p(INPUT), expect(zero=[p_tests])),
        "patch-module": (changed(solution, nb_p, p, wrong_function(p_source, " return None") + PATCH_MODULE),
                         expect(zero=[p_tests], dependent=True)),
        "hide-errors": (changed(solution, nb_p, p, wrong_function(p_source, " return None") + HIDE_ERRORS),
                        expect(zero=[p_tests], dependent=True)),
        "always-equal": (changed(solution, nb_p, p, ALWAYS_EQUAL + wrong_function(p_source, " return _Anything(0)")),
                         expect(zero=[p_tests], dependent=True)),
        "patch-during-test": (changed(solution, nb_p, p, wrong_function(p_source, PATCH_DURING_TEST)),
                              expect(zero=[p_tests], dependent=True)),
        # the answer cell loops (part P) / sleeps (part Q) after a correct definition
        "loop-and-sleep": (changed(attack_p(LOOP), nb_q, q, cell_of(solution[nb_q], q).source + SLEEP),
                           expect(zero=[p_tests, q_tests])),
        # a loop that ignores the interrupt, or a kernel that dies, in the last part
        "stuck-kernel": (changed(solution, nb_l, last, cell_of(solution[nb_l], last).source + STUCK),
                         expect(zero_from=l_tests)),
        "dead-kernel": (changed(solution, nb_l, last, cell_of(solution[nb_l], last).source + DIE),
                        expect(zero_from=l_tests)),
    }
    for name, code in REBIND.items():
        cases[f"rebinds-{name.replace('_', '-')}"] = (attack_p(code), expect(zero=[p_tests]))
    # the first cell's guard installed late, by a cell after an answer that failed
    late = copy.deepcopy(attack_p(RAISE))
    setup = next(c for nb in late.values() for c in nb.cells if meta(c).get("grade_id") == "setup")
    setup.metadata.pop("nbgrader")
    setup.source = setup.source.replace("install_guard()", "pass")
    answer_nb = late[nb_p]
    index = answer_nb.cells.index(cell_of(answer_nb, p))
    answer_nb.cells.insert(index + 1, nbformat.v4.new_code_cell(
        "from dynamolite.grading import install_guard\ninstall_guard()"))
    cases["late-guard"] = (late, zero)
    return cases


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every crafted submission of every assignment, graded in one course on two workers."""
    root = course.make_course(tmp_path_factory.mktemp("robust"))
    course.release_all(root)
    plans, pairs = {}, []
    for assignment in ASSIGNMENTS:
        for student, (nbs, expectation) in crafted(root, assignment).items():
            course.submit(assignment, student, nbs, root)
            plans[(assignment, student)] = expectation
            pairs.append((assignment, student))
    slow_first = sorted(pairs, key=lambda pair: pair[1] not in ("loop-and-sleep", "stuck-kernel"))
    errors = course.autograde_all(slow_first, root, jobs=2, progress=False)
    return root, plans, errors


def test_every_crafted_submission_is_graded(graded):
    _, plans, errors = graded
    failed = {pair: error for pair, error in errors.items() if error}
    assert not failed, f"nbgrader could not grade: {failed}"
    assert set(errors) == set(plans)


CASES = ["solution", "blank", "blank-tests-pass", "blank-tests-deleted", "blank-tests-stripped",
         "blank-points-inflated", "solution-tests-deleted", "solution-tests-stripped", "raises",
         "flood", "input", "patch-module", "hide-errors", "always-equal", "patch-during-test",
         "loop-and-sleep", "stuck-kernel", "dead-kernel", "rebinds-check-equal", "rebinds-call",
         "rebinds-begin-part", "rebinds-check", "late-guard"]


@pytest.mark.parametrize("student", CASES)
def test_crafted_submission_gets_what_it_deserves(graded, student):
    root, plans, _ = graded
    for assignment in ASSIGNMENTS:
        expectation = plans[(assignment, student)]
        got = course.scores(assignment, student, root)
        assert set(got) == set(expectation), (assignment, student, got)
        for test_id, want in expectation.items():
            score, max_score = got[test_id]
            full = course.scores(assignment, "solution", root)[test_id][1]
            assert max_score == full, f"{assignment}/{student}: {test_id} max score changed to {max_score}"
            if want == "full":
                assert score == max_score, f"{assignment}/{student}: {test_id} scored {score}/{max_score}"
            elif want == "zero":
                assert score == 0, f"{assignment}/{student}: {test_id} scored {score}/{max_score}"


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


@pytest.mark.parametrize("student", sorted(MESSAGES))
def test_failure_message_says_why(graded, student):
    root, _, _ = graded
    for assignment in ASSIGNMENTS:
        text = "\n".join(str(output) for path in (root / "autograded" / student / assignment).glob("*.ipynb")
                         for cell in nbformat.read(path, as_version=4).cells
                         for output in cell.get("outputs", []) if output.get("output_type") == "error")
        assert MESSAGES[student] in text, f"{assignment}/{student}: no message {MESSAGES[student]!r}"


def test_grading_twice_gives_the_same_score(graded):
    root, _, _ = graded
    for assignment in ASSIGNMENTS:
        assert course.scores(assignment, "solution", root) == course.scores(assignment, "solution-again", root)
        first = course.scores(assignment, "flood", root)
        assert course.autograde(assignment, "flood", root) == first


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

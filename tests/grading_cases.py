"""Crafted submissions for every assignment, graded once for the whole test session.

``pipeline_cases`` are the solution, the blank release and the recorded wrong
answers (tests/wrong_answers/<assignment>.py); ``crafted`` are the attacks on
the grader (edited, deleted or stripped test cells, loops, floods, input(),
rebound helpers...). ``grade_class`` submits them all to one scratch course
and autogrades them with the kit's parallel autograde, so tests/test_assignments.py
and tests/test_grading_robust.py read scores from a single grading run.

Each submission costs a kernel and a pass of nbgrader (about 2 s), so wrong
answers and attacks aimed at single parts are *batched*: one submission carries
one of them in each of several parts, chosen so that no part of a batch uses
another's function (``depends``); each still has to cost its own part, and only
that part, its points. An attack placed after the correct definition in a
part's answer cell must cost that part its points and nothing else (parts that
reuse the attacked function may follow it when the function itself is wrong).
``P`` is the first graded part, ``Q`` the second, ``L`` the last.
"""

import copy
import importlib.util
import re
from pathlib import Path

import nbformat

from dynamolite.instructor import course, parallel

ROOT = Path(__file__).resolve().parent.parent
WRONG_DIR = Path(__file__).parent / "wrong_answers"

TEST_TIMEOUT = 15
"""Execute.timeout (s) in the scratch course: the kit's 30 s, shortened so that the
submissions that must wait out the limit (loops, sleeps) keep the suite fast; the
mechanism is the same at any value."""


def wrong_answers(assignment):
    """``{part: {label: source}}`` recorded for an assignment."""
    path = WRONG_DIR / f"{assignment}.py"
    assert path.exists(), f"{path} is missing: record realistic wrong answers for every part"
    spec = importlib.util.spec_from_file_location(f"wrong_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS


def depends(solution):
    """``{part: parts it depends on}``: the parts whose functions its answer calls,
    directly or through another part's function."""
    sources = {part: cell_of(solution[nb], part).source for nb, part, _ in graded_parts(solution)}
    needs = {p: {q for q in sources if q != p and reuses(sources[p], sources[q])} for p in sources}
    for _ in sources:                       # the transitive closure, one step a round
        needs = {p: qs.union(*(needs[q] for q in qs)) for p, qs in needs.items()}
    return needs


def batch(items, needs):
    """``(parts, payload)`` items grouped into ``[{part: payload}]``, greedily in order: each
    payload on the first of its ``parts`` that is free in a group and that no other part of
    the group depends on or is depended on by."""
    groups = []
    for parts, payload in items:
        for group in groups + [{}]:
            part = next((p for p in parts if p not in group
                         and all(p not in needs[q] and q not in needs[p] for q in group)), None)
            if part is not None:
                if not group:
                    groups.append(group)
                group[part] = payload
                break
    return groups


def wrong_batches(root, assignment):
    """``{student: {part: label}}``: the recorded wrong answers, batched (a part's first
    answers first, so the batches mix parts)."""
    solution = load_notebooks(root, assignment, "solutions")
    needs = depends(solution)
    answers = wrong_answers(assignment)
    unknown = set(answers) - set(needs)
    assert not unknown, f"{assignment}: wrong answers name unknown parts {sorted(unknown)}"
    rounds = max(len(labels) for labels in answers.values())
    items = [([part], list(labels)[i]) for i in range(rounds) for part, labels in answers.items()
             if i < len(labels)]
    return {f"wrong-{n}": group for n, group in enumerate(batch(items, needs), 1)}


SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def region_lines(text, region):
    """The stripped lines of ``text`` inside a (begin, end) marker pair such as ``HIDDEN``."""
    begin, end = region
    lines, inside = [], False
    for line in text.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line.strip())
    return lines


def strip_regions(text, *regions):
    """``text`` with the given marker regions cut out."""
    for begin, end in regions:
        text = re.sub(rf"{re.escape(begin)}.*?{re.escape(end)}", "", text, flags=re.S)
    return text


def pipeline_cases(root, assignment):
    """``{student: notebooks}``: the solution, the blank release, the batches of wrong answers."""
    solution = load_notebooks(root, assignment, "solutions")
    cases = {"solution": solution, "blank": load_notebooks(root, assignment, "exercises")}
    answers = wrong_answers(assignment)
    for student, plan in wrong_batches(root, assignment).items():
        cases[student] = changes(solution, {part: answers[part][label] for part, label in plan.items()})
    return cases


LOOP = "\nwhile True:\n    pass\n"
SLEEP = "\nimport time as _time\n_time.sleep(3600)\n"
STUCK = ("\nimport signal as _signal\n_signal.signal(_signal.SIGINT, _signal.SIG_IGN)\n"
         "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n")
DIE = "\nimport os as _os\n_os._exit(0)\n"
RAISE = "\nraise ValueError('something went wrong at top level')\n"
FLOOD = "\nfor _i in range(1_000_000):\n    print(_i)\n"
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


def reuses(later_source, earlier_source):
    """Whether a later answer calls a function an earlier answer defines (so it may
    legitimately fail with it)."""
    return any(re.search(rf"\b{name}\(", later_source) for name in defs(earlier_source))


def changed(nbs, notebook, part, source):
    nbs = copy.deepcopy(nbs)
    cell_of(nbs[notebook], part).source = source
    return nbs


def changes(nbs, sources):
    """The notebooks with the answer cell of each part in ``sources`` replaced."""
    nbs = copy.deepcopy(nbs)
    for part, source in sources.items():
        next(cell_of(nb, part) for nb in nbs.values()
             if any(meta(c).get("grade_id") == part for c in nb.cells)).source = source
    return nbs


def edit_tests(nbs, *hows):
    """Apply the ``how(nb, index, cell)`` in turn to the graded test cells: the first to the
    first test cell, the second to the next... (edited from the last cell back)."""
    nbs = copy.deepcopy(nbs)
    for nb in nbs.values():
        tests = [i for i, c in enumerate(nb.cells) if meta(c).get("grade") and not meta(c).get("solution")]
        for n, index in reversed(list(enumerate(tests))):
            hows[n % len(hows)](nb, index, nb.cells[index])
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


def _after(code):
    return lambda source: source + code


PART_ATTACKS = {
    # name: (the answer cell's new source from the correct one, whether its function is wrong)
    "raises": (_after(RAISE), False),
    "flood": (_after(FLOOD), False),
    "input": (_after(INPUT), False),
    **{f"rebinds-{name.replace('_', '-')}": (_after(code), False) for name, code in REBIND.items()},
    "patch-module": (lambda source: wrong_function(source, " return None") + PATCH_MODULE, True),
    "hide-errors": (lambda source: wrong_function(source, " return None") + HIDE_ERRORS, True),
    "always-equal": (lambda source: ALWAYS_EQUAL + wrong_function(source, " return _Anything(0)"), True),
    "patch-during-test": (lambda source: wrong_function(source, PATCH_DURING_TEST), True),
}
"""Attacks on one part's answer cell; they are spread over the parts and batched."""


def crafted(root, assignment):
    """``{student: (notebooks, expectation, {attack: part or None})}``; an expectation maps
    test ids to "full", "zero", or "zero-or-dependent" (a later part reusing a function an
    attack made wrong); the attacks are those a submission carries, with the part each hits."""
    solution = load_notebooks(root, assignment, "solutions")
    blank = load_notebooks(root, assignment, "exercises")
    parts = graded_parts(solution)
    assert len(parts) >= 2, f"{assignment}: fewer than two graded parts"
    needs = depends(solution)
    tests = [t for _, _, t in parts]
    (nb_p, p, p_tests), (nb_q, q, q_tests), (nb_l, last, l_tests) = parts[0], parts[1], parts[-1]
    source = {part: cell_of(solution[n], part).source for n, part, _ in parts}

    def expect(zero=(), wrong=(), zero_from=None):
        result = {}
        for index, (_, part, t) in enumerate(parts):
            if t in zero or (zero_from is not None and index >= tests.index(zero_from)):
                result[t] = "zero"
            elif needs[part] & set(wrong):
                result[t] = "zero-or-dependent"
            else:
                result[t] = "full"
        return result

    full, zero = expect(), expect(zero=tests)
    attack_p = lambda code: changed(solution, nb_p, p, source[p] + code)   # noqa: E731
    cases = {
        "solution": (solution, full, {"solution": None}),
        "solution-again": (solution, full, {"solution-again": None}),
        "blank": (blank, zero, {"blank": None}),
        "blank-tests-edited": (edit_tests(blank, as_pass, delete, strip_and_pass, inflate), zero,
                               dict.fromkeys(["blank-tests-pass", "blank-tests-deleted",
                                              "blank-tests-stripped", "blank-points-inflated"])),
        "solution-tests-edited": (edit_tests(solution, delete, strip), full,
                                  dict.fromkeys(["solution-tests-deleted", "solution-tests-stripped"])),
        # the answer cell loops (part P) / sleeps (part Q) after a correct definition
        "loop-and-sleep": (changed(attack_p(LOOP), nb_q, q, source[q] + SLEEP),
                           expect(zero=[p_tests, q_tests]), {"loop-and-sleep": None}),
        # a loop that ignores the interrupt, or a kernel that dies, in the last part
        "stuck-kernel": (changed(solution, nb_l, last, source[last] + STUCK), expect(zero_from=l_tests),
                         {"stuck-kernel": None}),
        "dead-kernel": (changed(solution, nb_l, last, source[last] + DIE), expect(zero_from=l_tests),
                        {"dead-kernel": None}),
    }
    # every part attack, on the parts in turn (or the next one that fits a batch)
    names = [part for _, part, _ in parts]
    items = [(names[i % len(names):] + names[:i % len(names)], attack) for i, attack in enumerate(PART_ATTACKS)]
    for n, group in enumerate(batch(items, needs), 1):
        sources = {part: PART_ATTACKS[attack][0](source[part]) for part, attack in group.items()}
        wrong = [part for part, attack in group.items() if PART_ATTACKS[attack][1]]
        cases[f"attacks-{n}"] = (changes(solution, sources),
                                 expect(zero=[f"{part}_tests" for part in group], wrong=wrong),
                                 {attack: part for part, attack in group.items()})
    # the first cell's guard installed late, by a cell after an answer that failed
    late = copy.deepcopy(attack_p(RAISE))
    setup = next(c for nb in late.values() for c in nb.cells if meta(c).get("grade_id") == "setup")
    setup.metadata.pop("nbgrader")
    setup.source = setup.source.replace("install_guard()", "pass")
    answer_nb = late[nb_p]
    index = answer_nb.cells.index(cell_of(answer_nb, p))
    answer_nb.cells.insert(index + 1, nbformat.v4.new_code_cell(
        "from dynamolite.grading import install_guard\ninstall_guard()"))
    cases["late-guard"] = (late, zero, {"late-guard": p})
    return cases


class GradedClass:
    """The scratch course after one autograde run of every case of every assignment.

    ``plans[(assignment, student)]`` is a crafted submission's expectation (None for the
    pipeline cases); ``carriers[(assignment, attack)]`` the ``(student, part)`` that carries
    an attack (``part`` None when it hits the whole notebook)."""

    def __init__(self, root, plans, carriers, errors):
        self.root, self.plans, self.carriers, self.errors = root, plans, carriers, errors

    def scores(self, assignment, student):
        return course.scores(assignment, student, self.root)


def grade_class(folder):
    """Release every assignment in a scratch course, submit every case, autograde them all."""
    root = course.make_course(folder)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Execute.timeout = {TEST_TIMEOUT}\n")
    course.release_all(root)
    plans, carriers, pairs = {}, {}, []
    for assignment in course.assignments(root):
        cases = {student: (nbs, None, {}) for student, nbs in pipeline_cases(root, assignment).items()}
        cases.update(crafted(root, assignment))
        for student, (nbs, expectation, attacks) in cases.items():
            course.submit(assignment, student, nbs, root)
            plans[(assignment, student)] = expectation
            carriers.update({(assignment, attack): (student, part) for attack, part in attacks.items()})
            pairs.append((assignment, student))
    slow_first = sorted(pairs, key=lambda pair: pair[1] not in ("loop-and-sleep", "stuck-kernel"))
    errors = parallel.autograde_all(slow_first, root, jobs=2, progress=False)
    return GradedClass(root, plans, carriers, errors)

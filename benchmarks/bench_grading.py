"""Autograding time: one submission, and a class per assignment, single-process versus parallel.

    python benchmarks/bench_grading.py                 # 50 students per assignment
    python benchmarks/bench_grading.py --students 10 --assignments ring

A simulated class cycles through the solution, the blank release and each
recorded wrong answer. Each run grades in a fresh scratch course through
``dynamolite.instructor.parallel.autograde_all`` (nbgrader underneath): ``jobs=1`` is
nbgrader's one-at-a-time grading, ``jobs=N`` the parallel workers merged into
the gradebook. Not run in CI.
"""

import argparse
import copy
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

from dynamolite.instructor import course, parallel

ROOT = Path(__file__).resolve().parent.parent


def simulated_class(root, assignment, size):
    """``{student: {notebook: nb}}``: solution, blank and wrong answers, cycled to ``size``."""
    variants = []
    sources = {p.name: nbformat.read(p, as_version=4) for p in course.notebooks(assignment, root)}
    blanks = {name: nbformat.read(root / "exercises" / assignment / name, as_version=4) for name in sources}
    variants.append(sources)
    variants.append(blanks)
    path = ROOT / "tests" / "wrong_answers" / f"{assignment}.py"
    if path.exists():
        spec = importlib.util.spec_from_file_location("wrong", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for part, answers in module.WRONG_ANSWERS.items():
            for answer in answers.values():
                nbs = copy.deepcopy(sources)
                for nb in nbs.values():
                    for cell in nb.cells:
                        if cell.metadata.get("nbgrader", {}).get("grade_id") == part:
                            cell.source = answer
                variants.append(nbs)
    return {f"s{i:03d}": variants[i % len(variants)] for i in range(size)}


def grade_class(assignment, size, jobs):
    with tempfile.TemporaryDirectory() as folder:
        root = course.make_course(Path(folder) / "course")
        course.release(assignment, root)
        students = simulated_class(root, assignment, size)
        for student, nbs in students.items():
            course.submit(assignment, student, nbs, root)
        started = time.perf_counter()
        errors = parallel.autograde_all([(assignment, s) for s in students], root, jobs=jobs, progress=False)
        seconds = time.perf_counter() - started
        failed = sum(1 for e in errors.values() if e)
        totals = {s: sum(v[0] for v in course.scores(assignment, s, root).values()) for s in students
                  if not errors[(assignment, s)]}
    return seconds, failed, totals


def one_submission(assignment, repeats):
    """Median seconds nbgrader takes to autograde the solution (course already released)."""
    with tempfile.TemporaryDirectory() as folder:
        root = course.make_course(Path(folder) / "course")
        course.release(assignment, root)
        nbs = {p.name: nbformat.read(p, as_version=4) for p in course.notebooks(assignment, root)}
        course.submit(assignment, "one", nbs, root)
        course.autograde(assignment, "one", root)               # warm-up: imports, first kernel
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            course.autograde(assignment, "one", root)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--assignments", nargs="*", default=None)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    names = args.assignments or course.assignments(ROOT)
    print(f"{os.cpu_count()} cores; class of {args.students} simulated submissions per assignment; "
          f"parallel = {args.jobs} workers", flush=True)
    header = (f"{'assignment':<16}{'one (median s)':>16}{'class, 1 process (s)':>22}"
              f"{f'class, {args.jobs} workers (s)':>24}{'speed-up':>10}{'same scores':>13}")
    rows = []
    for name in names:
        one = one_submission(name, args.repeats)
        sequential, failed_1, totals_1 = grade_class(name, args.students, 1)
        parallel, failed_n, totals_n = grade_class(name, args.students, args.jobs)
        same = totals_1 == totals_n and failed_1 == failed_n == 0
        rows.append(f"{name:<16}{one:>16.1f}{sequential:>22.1f}{parallel:>24.1f}"
                    f"{sequential / parallel:>9.2f}x{str(same):>13}")
        print(header, *rows, sep="\n", file=sys.stderr, flush=True)
    print(header)
    print(*rows, sep="\n")


if __name__ == "__main__":
    main()

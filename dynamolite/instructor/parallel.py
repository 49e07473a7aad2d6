"""Autograding a class in parallel: one course copy and gradebook per worker, merged back.

nbgrader grades one submission at a time against one gradebook. Here each
worker process grades in its own copy of the course (:func:`~dynamolite.instructor.course.make_course`)
with its own copy of the gradebook; the results (scores, comments,
``autograded/`` files) are then merged into the course's gradebook
(:func:`merge_gradebook`), which then holds what sequential grading would
have written. A submission nbgrader cannot grade is reported and does not stop
the others.
"""

import concurrent.futures
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..errors import CourseError
from .course import (KIT_ROOT, api, assignments, gradebook, gradebook_path, make_course, run_nbgrader,
                     submissions)

_worker = {}


def _worker_start(base, root):
    """Pool initializer: this process grades in its own copy of the course."""
    folder = make_course(Path(base) / f"worker-{os.getpid()}", root)
    shutil.copy(gradebook_path(root), folder / "gradebook.db")
    _worker.update(folder=folder, root=Path(root))


def _grade_one(root, assignment, student):
    """Autograde one submission in course folder ``root``; never raises."""
    started = time.monotonic()
    try:
        nbgrader = api(root)
        # a course with a roster refuses students not on it (Autograde.create_student = False)
        create = nbgrader.config.Autograde.get("create_student", True)
        result = run_nbgrader(nbgrader.autograde, assignment, student, force=True, create=create)
        error = None if result.get("success") else _failure(result)
    except Exception as exc:  # noqa: BLE001 (one bad submission must not stop the class)
        error = f"{type(exc).__name__}: {exc}"
    return error, time.monotonic() - started


def _failure(result):
    """Why an nbgrader step failed: its own error lines (and the notebooks it skipped) first,
    then the details."""
    log = result.get("log") or ""
    said = [re.sub(r"/\S*/(\S+\.ipynb)", r"\1", line.split("] ", 1)[1]) for line in log.splitlines()
            if line.startswith(("[ERROR] ", "[WARNING] Skipping unknown notebook"))
            and not any(s in line for s in ("Please see the", "There was an error", "Traceback"))]
    if any("Skipping unknown notebook" in line for line in said):
        said.append("nbgrader grades only the notebooks named as released (renamed by the student?)")
    details = result.get("error") or log or "failed"
    return "; ".join(dict.fromkeys(said)) + "\n" + details if said else details


def _worker_grade(assignment, student):
    folder, root = _worker["folder"], _worker["root"]
    target = folder / "submitted" / student / assignment
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "submitted" / student / assignment, target)
    error, seconds = _grade_one(folder, assignment, student)
    return assignment, student, str(folder), error, seconds


def merge_gradebook(source_root, assignment, student, root=KIT_ROOT):
    """Copy one autograded submission (gradebook records and ``autograded/`` files)
    from the course folder ``source_root`` into the course folder ``root``."""
    from nbgrader.api import MissingEntry

    with gradebook(source_root) as src, gradebook(root) as dst:
        old = src.find_submission(assignment, student)
        try:
            dst.find_student(student)
        except MissingEntry:
            person = old.student
            dst.add_student(student, first_name=person.first_name, last_name=person.last_name,
                            email=person.email, lms_user_id=person.lms_user_id)
        try:
            dst.remove_submission(assignment, student)
        except MissingEntry:
            pass
        new = dst.add_submission(assignment, student, timestamp=old.timestamp)
        for old_nb in old.notebooks:
            new_nb = dst.find_submission_notebook(old_nb.name, assignment, student)
            new_nb.flagged = old_nb.flagged
            new_nb.late_submission_penalty = old_nb.late_submission_penalty
            for grade in old_nb.grades:
                target = dst.find_grade(grade.name, old_nb.name, assignment, student)
                for field in ("auto_score", "manual_score", "extra_credit", "needs_manual_grade"):
                    setattr(target, field, getattr(grade, field))
            for comment in old_nb.comments:
                target = dst.find_comment(comment.name, old_nb.name, assignment, student)
                target.auto_comment, target.manual_comment = comment.auto_comment, comment.manual_comment
        dst.db.commit()
        del new
    source = Path(source_root) / "autograded" / student / assignment
    target = Path(root) / "autograded" / student / assignment
    if target.exists():
        shutil.rmtree(target)
    if source.exists():
        shutil.copytree(source, target)


def _print_progress(done, total, assignment, student, error, seconds, started):
    elapsed = time.monotonic() - started
    eta = elapsed / done * (total - done)
    status = "ok" if error is None else "FAILED"
    print(f"[{done:>4}/{total}] {assignment}/{student}: {status} in {seconds:.1f} s "
          f"(elapsed {elapsed:.0f} s, about {eta:.0f} s left)", file=sys.stderr, flush=True)


def autograde_all(pairs=None, root=KIT_ROOT, jobs=None, progress=True):
    """Autograde many submissions; return ``{(assignment, student): error or None}``.

    ``pairs`` are ``(assignment, student)`` tuples (default: every submission
    in ``submitted/``). With ``jobs`` > 1 (default: the number of cores), each
    worker process grades in its own copy of the course and the results are
    merged into ``root``'s gradebook. A submission that makes nbgrader fail is
    reported in the result and does not stop the others.
    """
    root = Path(root).resolve()
    if pairs is None:
        pairs = [(a, s) for a in assignments(root) for s in submissions(a, root)]
    pairs = list(pairs)
    jobs = min(jobs or os.cpu_count() or 1, max(len(pairs), 1))
    _require_released({a for a, _ in pairs}, root)
    started, results = time.monotonic(), {}
    report = _print_progress if progress else (lambda *args: None)
    if jobs <= 1:
        for assignment, student in pairs:
            error, seconds = _grade_one(root, assignment, student)
            results[(assignment, student)] = error
            report(len(results), len(pairs), assignment, student, error, seconds, started)
        return results
    graded_in = {}
    with tempfile.TemporaryDirectory(prefix="dynamolite-grading-") as base:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_start,
                                                    initargs=(base, str(root))) as pool:
            futures = [pool.submit(_worker_grade, a, s) for a, s in pairs]
            for future in concurrent.futures.as_completed(futures):
                assignment, student, folder, error, seconds = future.result()
                results[(assignment, student)] = error
                if error is None:
                    graded_in[(assignment, student)] = folder
                report(len(results), len(pairs), assignment, student, error, seconds, started)
        for (assignment, student), folder in sorted(graded_in.items()):
            merge_gradebook(folder, assignment, student, root)
    return {pair: results[pair] for pair in pairs}


def _require_released(names, root):
    from nbgrader.api import MissingEntry

    with gradebook(root) as gb:
        for name in names:
            try:
                gb.find_assignment(name)
            except MissingEntry:
                raise CourseError(f"assignment {name!r} is not in {gradebook_path(root)}: "
                                   f"run `python -m dynamolite.instructor release` first") from None

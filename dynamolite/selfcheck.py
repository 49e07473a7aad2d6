"""Self-check: grade your own copy of an exercise, hidden tests included, without an instructor.

From the repository root::

    python -m dynamolite.selfcheck exercises/ring/ring.ipynb

or in a notebook cell (save the notebook first: the saved file is graded)::

    from dynamolite.selfcheck import selfcheck; selfcheck("ring.ipynb")

It builds a scratch nbgrader course from the kit's ``solutions/``, submits your
notebook, and autogrades it exactly as an instructor would
(:func:`dynamolite.instructor.course.autograde`, same tests, same time limits), then
prints each part's score with the autograder's message. The hidden tests'
code is never shown, only what they report. Takes about as long as
running your notebook plus ten seconds.
"""

import argparse
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path

import nbformat

from dynamolite.instructor import course
from dynamolite.errors import CourseError
from dynamolite.grading import GRADING_ENV, strip_ansi


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def _grade_ids(nb):
    return {_meta(c).get("grade_id") for c in nb.cells if _meta(c).get("grade_id")}


def find_root(notebook):
    """The kit checkout holding ``solutions/``: this package's, or one above ``notebook``."""
    candidates = [course.KIT_ROOT] + list(Path(notebook).resolve().parents)
    for folder in candidates:
        if (folder / "solutions").is_dir() and (folder / "nbgrader_config.py").exists():
            return folder
    raise CourseError("cannot find the kit's solutions/ folder and nbgrader_config.py; "
                            "run from the kit's checkout")


def _fingerprint(nb):
    """``(grade_id, source)`` of the cells a learner cannot edit and that the release keeps
    whole (the setup and task cells): every exercise has its own."""
    return {(_meta(c)["grade_id"], c.source) for c in nb.cells
            if _meta(c).get("grade_id") and _meta(c).get("locked") and not _meta(c).get("grade")}


def find_source(nb, root, name=None):
    """``(assignment, source notebook path)`` that ``nb`` is a copy of.

    Exercises share cell ids (``part_a``, ...), so the match is on the locked
    setup and task cells' text; ``name`` (the file's name) breaks ties.
    """
    mine_ids, mine = _grade_ids(nb), _fingerprint(nb)
    best, best_key = None, (0, 0, False)
    for assignment in course.assignments(root):
        for path in course.notebooks(assignment, root):
            theirs = nbformat.read(path, as_version=4)
            key = (len(mine & _fingerprint(theirs)), len(mine_ids & _grade_ids(theirs)),
                   name == path.name)
            if key[1] and key > best_key:
                best, best_key = (assignment, path), key
    if best is None:
        raise CourseError("this notebook has no nbgrader cells of any exercise in solutions/: "
                         "self-check an exercise notebook (exercises/<name>/<name>.ipynb or your copy)")
    return best


_courses = {}


def _released_course(root, assignment, source):
    """A scratch course with ``assignment`` released, reused while its source is unchanged."""
    key = (str(Path(root).resolve()), assignment, source.stat().st_mtime_ns)
    if key not in _courses:
        folder = tempfile.TemporaryDirectory(prefix="dynamolite-selfcheck-")
        scratch = course.make_course(Path(folder.name) / "course", root)
        course.release(assignment, scratch)
        _courses[key] = (folder, scratch)      # the folder is removed when Python exits
    return _courses[key][1]


def _part_label(source, grade_id):
    found = re.search(r"begin_part\(\s*[\"']([^\"']+)[\"']", source)
    return f"Part {found.group(1)}" if found else grade_id


def _message(cell):
    """The first line of a cell's error: "ZeroDivisionError: division by zero"."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            evalue = strip_ansi(output.get("evalue", "")).strip().split("\n")[0]
            return f"{output.get('ename', '')}: {evalue}" if evalue else output.get("ename", "")
    return ""


class Parts(list):
    """The parts a self-check graded; shown in a notebook as the total, not as a list of dicts."""

    def points(self):
        """``(score, out of)`` over all parts."""
        return sum(p["score"] for p in self), sum(p["max_score"] for p in self)

    def __repr__(self):
        return "<self-check: {:g} of {:g} points>".format(*self.points()) if self else \
            "<self-check: nothing graded>"


def selfcheck(notebook, root=None, quiet=False):
    """Grade ``notebook`` with the full tests of its exercise; print and return the parts.

    Returns ``[{"part", "grade_id", "score", "max_score", "message"}]`` in notebook order.
    """
    if os.environ.get(GRADING_ENV) == "1":
        print("selfcheck() does nothing while the notebook is being graded")
        return Parts()
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    root = Path(root) if root else find_root(notebook)
    assignment, source = find_source(nb, root, notebook.name)
    with warnings.catch_warnings():          # nbgrader's database warnings mean nothing here
        warnings.simplefilter("ignore")
        scratch = _released_course(root, assignment, source)
        course.submit(assignment, "self", {source.name: nb}, scratch)
        scores = course.autograde(assignment, "self", scratch)
    graded = nbformat.read(scratch / "autograded" / "self" / assignment / source.name, as_version=4)
    original = {_meta(c).get("grade_id"): c.source for c in nbformat.read(source, as_version=4).cells}
    parts = Parts()
    for cell in graded.cells:
        grade_id = _meta(cell).get("grade_id")
        if grade_id in scores and _meta(cell).get("grade"):
            score, max_score = scores[grade_id]
            parts.append({"part": _part_label(original.get(grade_id, ""), grade_id), "grade_id": grade_id,
                          "score": score, "max_score": max_score,
                          "message": "" if score == max_score else _message(cell)})
    if not quiet:
        released = scratch / "exercises" / assignment / source.name
        print(report(notebook, assignment, parts, _failed_cells(graded, released)))
    return parts


def _failed_cells(graded, released):
    """A line for each cell the learner wrote or changed that failed when graded (not test cells)."""
    given = {cell.source for cell in nbformat.read(released, as_version=4).cells}
    notes = []
    for number, cell in enumerate(graded.cells, 1):
        written = cell.cell_type == "code" and not _meta(cell).get("grade") and cell.source not in given
        message = _message(cell) if written else ""
        if message.startswith("GradingStopped") and any("GradingStopped" in note for note in notes):
            continue                    # the cell that stopped the grading is named once
        if message:
            first = cell.source.strip().splitlines()[0][:40] if cell.source.strip() else ""
            what = ("was stopped at the time limit (the grader waited for it)"
                    if message.startswith("KeyboardInterrupt") else f"raised {message}")
            notes.append(f"cell {number} ({first!r}) {what}")
    return notes


def report(notebook, assignment, parts, notes=()):
    """The self-check's printout: a line a part, the autograder's message for each miss."""
    lines = [f"Self-check of {notebook} (exercise {assignment!r}, all tests including hidden ones):"]
    for p in parts:
        status = "ok" if p["score"] == p["max_score"] else (p["message"] or "failed")
        lines.append(f"  {p['part']:<8} {p['score']:g}/{p['max_score']:g}  {status}")
    lines.append("  Total    {:g}/{:g}".format(*Parts(parts).points()))
    if notes:
        lines.append("Cells you wrote that failed when graded:")
        lines.extend(f"  {note}" for note in notes)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m dynamolite.selfcheck",
                                     description="Grade your copy of an exercise with the full tests.")
    parser.add_argument("notebook", help="your exercise notebook, e.g. exercises/ring/ring.ipynb")
    parser.add_argument("--root", default=None, help="the kit checkout (default: found automatically)")
    args = parser.parse_args(argv)
    parts = selfcheck(args.notebook, args.root)
    return 0 if all(p["score"] == p["max_score"] for p in parts) else 1


if __name__ == "__main__":
    sys.exit(main())

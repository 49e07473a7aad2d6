"""nbgrader plug-ins the kit's grading uses (configured by :func:`dynamolite.instructor.course.api`).

- :class:`GuardedExecute` runs a submission like nbgrader's ``Execute``, but a
  kernel that ignores the time limit's interrupt (or dies) cannot stop the
  grading: the rest of that notebook's cells fail with a message instead, and
  a whole notebook gets at most ``notebook_budget`` seconds. Kernels run with
  ``PYTHONHASHSEED=0``, so the same submission always gets the same score, and
  with ``DYNAMOLITE_GRADING=1``, so a ``selfcheck()`` cell left in the
  notebook does not start a second grading inside the first.
- :class:`HideTestCode` prepares feedback: graded test cells keep their visible
  code but lose their hidden tests, and their errors keep the message only
  (a traceback would quote the hidden test's code). nbgrader shows hidden
  tests in feedback by default (jupyter/nbgrader issues 917 and 1363).
- :class:`PartsExportPlugin` writes one CSV row a student, one column a part.
- :class:`StudentFileCollector` names submissions by student for
  ``nbgrader zip_collect``: ``alice_ring.ipynb``, ``alice.ipynb``, or a zip
  ``alice.zip`` holding ``ring.ipynb``.
"""

import asyncio
import csv
import os
import re
import time
from pathlib import Path

from jupyter_core.utils import run_sync
from nbformat.notebooknode import NotebookNode
from traitlets import Integer, Unicode

from nbgrader.plugins.export import ExportPlugin
from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from ..grading import GRADING_ENV, strip_ansi


def _is_test_cell(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


# --------------------------------------------------------------------------
# Executing submissions
# --------------------------------------------------------------------------
class GuardedExecute(Execute):
    """nbgrader's ``Execute`` that always finishes, within a documented bound.

    Bound on one notebook: ``notebook_budget`` + ``timeout`` +
    ``iopub_timeout`` seconds plus the kernel's start-up. A cell that runs past
    ``timeout`` is interrupted as usual; if the kernel does not stop (a loop
    that catches ``KeyboardInterrupt``, an ignored SIGINT) or dies, every later
    code cell gets an error output saying why, without running.
    """

    notebook_budget = Integer(
        180, help="Seconds one notebook may take in all; later cells fail after that."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None
        self._started = time.monotonic()
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel(self, **kwargs):
        # the grading kernel alone gets these: set iteration is fixed, and selfcheck() knows
        # not to grade again
        kwargs["env"] = {**os.environ, **kwargs.get("env", {}), "PYTHONHASHSEED": "0", GRADING_ENV: "1"}
        await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)     # nbconvert calls the synchronous one

    def _stop_output(self, cell, message):
        cell.outputs = [NotebookNode(output_type="error", ename="GradingStopped",
                                     evalue=message, traceback=[f"GradingStopped: {message}"])]
        cell.execution_count = None
        return cell

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._stopped is None and time.monotonic() - self._started > self.notebook_budget:
            self._stopped = (f"the notebook used up its grading time ({self.notebook_budget} s); "
                             f"this cell did not run. Make every cell finish quickly.")
        if self._stopped is not None:
            return self._stop_output(cell, self._stopped)
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            what = "{} kept running after the grader's time limit and ignored the interrupt"
        except (DeadKernelError, asyncio.CancelledError):
            what = "the Python kernel died (exit, crash, or out of memory) while running {}"
        # this cell is named as the cause; every later one did not run
        self._stopped = f"{what.format('an earlier cell')}; this cell did not run."
        outputs = list(cell.get("outputs", []))
        self._stop_output(cell, f"{what.format('this cell')}; the cells after it did not run.")
        cell.outputs = outputs + cell.outputs
        return cell

    execute_cell = run_sync(async_execute_cell)     # nbconvert calls the synchronous one


# --------------------------------------------------------------------------
# Feedback without hidden tests
# --------------------------------------------------------------------------
_HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)
_HIDDEN_OPEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*", re.S)


class HideTestCode(NbGraderPreprocessor):
    """Feedback step: cut hidden tests out of graded test cells, keep error messages only."""

    placeholder = Unicode("# (hidden tests: not shown)\n").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not _is_test_cell(cell):
            return cell, resources
        source = _HIDDEN.sub(self.placeholder, cell.source)
        cell.source = _HIDDEN_OPEN.sub(self.placeholder, source)
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue            # a test prints nothing the learner needs
            ename = strip_ansi(str(output.get("ename", "")))
            evalue = strip_ansi(str(output.get("evalue", "")))
            output.traceback = [f"{ename}: {evalue}"]
            kept.append(output)
        cell.outputs = kept
        return cell, resources


# --------------------------------------------------------------------------
# Grades as CSV, one column a part
# --------------------------------------------------------------------------
def part_columns(gradebook):
    """``[(assignment, notebook, grade_id)]`` of every graded cell, in notebook order."""
    columns = []
    for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
        for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
            order = {cell.name: i for i, cell in enumerate(notebook.source_cells)}
            for cell in sorted(notebook.grade_cells, key=lambda c: order.get(c.name, 0)):
                columns.append((assignment.name, notebook.name, cell.name))
    return columns


def part_rows(gradebook):
    """Header and rows: a student a row; each part's score; each assignment's and the total."""
    columns = part_columns(gradebook)
    names = [a.name for a in sorted(gradebook.assignments, key=lambda a: a.name)]
    header = (["student_id", "last_name", "first_name"]
              + [f"{a}/{g}" for a, _, g in columns]
              + [f"{a}/total" for a in names] + ["total", "max_total"])
    max_total = sum(a.max_score for a in gradebook.assignments)
    rows = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        scores, totals = {}, {}
        for submission in student.submissions:
            totals[submission.assignment.name] = submission.score
            for nb in submission.notebooks:
                for grade in nb.grades:
                    scores[(submission.assignment.name, nb.name, grade.name)] = grade.score
        row = [student.id, student.last_name or "", student.first_name or ""]
        row += [_number(scores.get(column)) for column in columns]
        row += [_number(totals.get(name)) for name in names]
        row += [_number(sum(totals.values())), _number(max_total)]
        rows.append(row)
    return header, rows


def _number(value):
    if value is None:
        return ""               # no submission
    return f"{value:g}"


def write_parts_csv(gradebook, path):
    """Write :func:`part_rows` to ``path`` as CSV; return the number of students."""
    header, rows = part_rows(gradebook)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


class PartsExportPlugin(ExportPlugin):
    """``nbgrader export --exporter dynamolite.instructor.nbgrader_plugins.PartsExportPlugin``."""

    def export(self, gradebook):
        path = self.to or "grades.csv"
        self.log.info("Wrote %d students to %s", write_parts_csv(gradebook, path), path)


# --------------------------------------------------------------------------
# Collecting a folder of files named by student
# --------------------------------------------------------------------------
_STUDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.@+-]*$")


class StudentFileCollector(FileNameCollectorPlugin):
    """Find student and notebook in ``<student>_<notebook>.ipynb``, ``<student>.ipynb``
    (assignments with one notebook) or ``<student>/<notebook>.ipynb`` (a zip named by student).
    """

    def collect(self, submitted_file):
        path = Path(submitted_file)
        if path.suffix not in self.valid_ext:
            return None
        app = self.parent
        release = Path(app.coursedir.format_path(app.coursedir.release_directory, ".",
                                                 app.coursedir.assignment_id))
        notebooks = sorted(p.name for p in release.glob("*.ipynb"))
        extracted = Path(app._format_collect_path(app.extracted_directory))
        try:
            parts = path.resolve().relative_to(extracted.resolve()).parts
        except ValueError:
            parts = (path.name,)
        if len(parts) >= 2 and path.name in notebooks:
            student, file_id = parts[0], path.name            # alice/ring.ipynb (from alice.zip)
        else:
            stem = path.stem
            for name in notebooks:                            # alice_ring.ipynb
                if stem.endswith("_" + Path(name).stem) and len(stem) > len(name) - 5:
                    student, file_id = stem[: -len(Path(name).stem) - 1], name
                    break
            else:
                if len(notebooks) != 1:
                    self.log.warning("Skipped %s: name it <student>_<notebook>.ipynb", submitted_file)
                    return None
                student, file_id = stem, notebooks[0]         # alice.ipynb
        if not _STUDENT.match(student):
            self.log.warning("Skipped %s: %r is not a usable student id", submitted_file, student)
            return None
        return {"student_id": student, "file_id": file_id}

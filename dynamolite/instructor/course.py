"""The instructor's side: build a course folder, release, autograde and read scores.

Everything here drives nbgrader itself (``NbGraderAPI``) from the course
configuration in ``nbgrader_config.py``; the tests use the same functions to
autograde crafted submissions, so what the tests prove is what an instructor
gets.

A *course folder* is a directory holding ``nbgrader_config.py``,
``solutions/`` (nbgrader's source) and, after :func:`release`,
``exercises/`` (the release) and a ``gradebook.db``.

The instructor's workflow, from the course folder (the repository root)::

    python -m dynamolite.instructor release                 # solutions/ -> exercises/, every assignment
    python -m dynamolite.instructor collect ring inbox/     # files named by student -> submitted/
    python -m dynamolite.instructor autograde --jobs 2      # every submission, on both cores
    python -m dynamolite.instructor export grades.csv       # a row a student, a column a part
    python -m dynamolite.instructor feedback                # feedback/<student>/<assignment>/*.html
    python -m dynamolite.instructor student-copy ../class   # the kit without solutions/ and tests/

On a classroom hub (``classroom/``), the course's configuration names a course
id, and release, collect and feedback go through nbgrader's exchange instead
(:mod:`dynamolite.instructor.exchange`): ``collect ring`` then takes no folder.

Parallel grading: nbgrader grades one submission at a time against one
gradebook, so each worker process grades in its own copy of the course with
its own copy of the gradebook; the results are then merged into the course's
gradebook (:func:`merge_gradebook`), which then holds what sequential grading
would have written.
"""

import argparse
import concurrent.futures
import logging
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

from ..errors import CourseError

# nbgrader's gradebook makes SQLAlchemy warn on every autograde; the warning means nothing here.
warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")

KIT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package was installed from (the default course folder)."""


# nbgrader's own log lines (checksum notices for the test cells it restores, the
# exchange folder the kit does not use) go to this logger, which prints nothing:
# each step keeps its log in its result, and _checked shows it if the step fails.
# Inside a notebook they went to the Jupyter server's terminal under the kernel's name.
_NBGRADER_LOG = logging.getLogger("dynamolite.nbgrader")
_NBGRADER_LOG.addHandler(logging.NullHandler())
_NBGRADER_LOG.propagate = False
_NBGRADER_LOG.setLevel(logging.INFO)


def _ensure_tools_on_path():
    # nbgrader's gradebook runs `alembic` as a subprocess: make the one beside
    # this Python findable even when the virtual environment is not activated.
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def assignments(root=KIT_ROOT, folder="solutions"):
    """Names of the assignments under ``root/solutions`` (or another ``folder``), sorted."""
    source = Path(root) / folder
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebooks(assignment, root=KIT_ROOT, folder="solutions"):
    """Paths of an assignment's notebooks (``solutions`` or ``exercises`` folder)."""
    return sorted((Path(root) / folder / assignment).glob("*.ipynb"))


def grading_settings():
    """The kit's grading settings, as ``{"Section.name": value}``; nbgrader_config.py applies them,
    so ``nbgrader`` itself and :func:`api` both grade with them.

    Autograde executes with :class:`~dynamolite.instructor.nbgrader_plugins.GuardedExecute`
    (a stuck or dead kernel cannot stop the grading; fixed hash seed); feedback
    runs :class:`~dynamolite.instructor.nbgrader_plugins.HideTestCode` first (no hidden
    test code, no tracebacks in graded cells) and renders with the kit's template
    (``templates/feedback``: no MathJax from a CDN, failure lines that wrap, a table
    of contents naming each part).
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, GetGrades,
                                        IgnorePattern, LimitOutput, SaveAutoGrades)

    from dynamolite.instructor.nbgrader_plugins import GuardedExecute, HideTestCode
    import nbgrader
    nbgrader_templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    return {
        "Autograde.autograde_preprocessors": [
            GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
            SaveAutoGrades, AssignLatePenalties, CheckCellMetadata],
        "GenerateFeedback.preprocessors": [HideTestCode, GetGrades, CSSHTMLHeaderPreprocessor],
        # the kit's feedback page (templates/feedback) first: offline, wrapped, parts named
        "HTMLExporter.extra_template_basedirs": [str(Path(__file__).parent / "templates"),
                                                 str(nbgrader_templates)],
    }


def course_config(root=KIT_ROOT):
    """The nbgrader configuration of the course folder ``root``, read as ``nbgrader`` reads it.

    First each ``nbgrader_config.py`` on Jupyter's config path (lowest priority
    first: an instructor's ``~/.jupyter``, or the classroom's instructor folder
    that JupyterHub puts on ``JUPYTER_CONFIG_PATH``), then the course's own, which wins.
    """
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(Path(root).resolve())]:
        if (Path(folder) / "nbgrader_config.py").is_file():
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=folder, log=_NBGRADER_LOG).load_config())
    return config


def api(root=KIT_ROOT, **overrides):
    """An ``NbGraderAPI`` for the course folder ``root``, configured as :func:`course_config` says.

    ``overrides`` are extra settings as ``{"Section.name": value}`` pairs.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    _ensure_tools_on_path()
    root = Path(root).resolve()
    config = course_config(root)
    extra = Config()
    extra.CourseDirectory.root = str(root)
    extra.CourseDirectory.db_url = f"sqlite:///{gradebook_path(root)}"
    for key, value in overrides.items():
        section, name = key.split(".")
        extra[section][name] = value
    config.merge(extra)
    return NbGraderAPI(coursedir=CourseDirectory(config=config, log=_NBGRADER_LOG), config=config,
                       log=_NBGRADER_LOG)


def _checked(result, what):
    if not result.get("success"):
        raise CourseError(f"nbgrader {what} failed:\n{result.get('error', '')}\n{result.get('log', '')}")
    return result


def make_course(folder, root=KIT_ROOT, source="solutions"):
    """Copy the kit's ``solutions/`` (or, for visible tests only, ``source="exercises"``)
    as the source assignments, and ``nbgrader_config.py``, into a fresh course folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(root) / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(Path(root) / source, folder / "solutions", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return folder


def release(assignment, root=KIT_ROOT):
    """nbgrader's generate step: ``solutions/<assignment>`` into ``exercises/<assignment>``."""
    _checked(api(root).generate_assignment(assignment, force=True, create=True), "generate_assignment")
    return Path(root) / "exercises" / assignment


def submit(assignment, student, notebooks_by_name, root=KIT_ROOT):
    """Place a student's notebooks (``{filename: NotebookNode}``) where autograde looks."""
    folder = Path(root) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks_by_name.items():
        nbformat.write(nb, folder / name)
    return folder


def autograde(assignment, student, root=KIT_ROOT, **overrides):
    """Run nbgrader autograde on one submission; return its scores (see :func:`scores`)."""
    _checked(api(root, **overrides).autograde(assignment, student, force=True, create=True), "autograde")
    return scores(assignment, student, root)


def scores(assignment, student, root=KIT_ROOT):
    """The autograded scores ``{grade_id: (score, max_score)}`` of one submission."""
    result = {}
    with gradebook(root) as gb:
        submission = gb.find_submission(assignment, student)
        for nb in submission.notebooks:
            for grade in nb.grades:
                result[grade.name] = (grade.score, grade.max_score)
    return result


def gradebook_path(root=KIT_ROOT):
    """The course's ``gradebook.db``."""
    return Path(root).resolve() / "gradebook.db"


def gradebook(root=KIT_ROOT):
    """nbgrader's ``Gradebook`` of the course folder ``root`` (use it in a ``with`` block)."""
    from nbgrader.api import Gradebook

    _ensure_tools_on_path()
    return Gradebook(f"sqlite:///{gradebook_path(root)}")


def release_all(root=KIT_ROOT, names=None):
    """Release every assignment (or those in ``names``); return their release folders."""
    return [release(name, root) for name in (names or assignments(root))]


# --------------------------------------------------------------------------
# Collecting submissions
# --------------------------------------------------------------------------
def collect(assignment, folder, root=KIT_ROOT):
    """nbgrader's zip collection: files named by student in ``folder`` into ``submitted/``.

    ``folder`` holds ``<student>_<notebook>.ipynb`` files, ``<student>.ipynb``
    files (assignments with a single notebook), or zips ``<student>.zip`` of
    the notebooks. Returns the student ids collected.
    """
    import subprocess

    root = Path(root).resolve()
    archive = root / "downloaded" / assignment / "archive"
    if archive.exists():
        shutil.rmtree(archive)
    shutil.copytree(folder, archive)
    _ensure_tools_on_path()
    command = [sys.executable, "-m", "nbgrader", "zip_collect", assignment, "--force",
               "--ZipCollectApp.collector_plugin=dynamolite.instructor.nbgrader_plugins.StudentFileCollector"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise CourseError(f"nbgrader zip_collect failed:\n{done.stdout}\n{done.stderr}")
    return submissions(assignment, root)


def submissions(assignment, root=KIT_ROOT):
    """Student ids with a submission of ``assignment`` in ``submitted/``, sorted."""
    folder = Path(root) / "submitted"
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if (p / assignment).is_dir() and not p.name.startswith("."))


# --------------------------------------------------------------------------
# Autograding many submissions, in parallel
# --------------------------------------------------------------------------
_worker = {}


def _worker_start(base, root):
    """Pool initializer: this process grades in its own copy of the course."""
    folder = make_course(Path(base) / f"worker-{os.getpid()}", root)
    shutil.copy(gradebook_path(root), folder / "gradebook.db")
    _worker.update(folder=folder, root=Path(root))


# A kernel that fails to start says nothing about the submission: with several workers
# starting kernels at once, a TCP port chosen as free can be taken before the kernel
# binds it. Such a grading is tried once more.
_KERNEL_START = ("Kernel didn't respond", "Kernel died before replying", "Address already in use")


def _grade_one(root, assignment, student):
    """Autograde one submission in course folder ``root``; never raises."""
    started = time.monotonic()
    for attempt in range(2):
        try:
            nbgrader = api(root)
            # a course with a roster refuses students not on it (Autograde.create_student = False)
            create = nbgrader.config.Autograde.get("create_student", True)
            result = nbgrader.autograde(assignment, student, force=True, create=create)
            error = None if result.get("success") else _failure(result)
        except Exception as exc:  # noqa: BLE001 (one bad submission must not stop the class)
            error = f"{type(exc).__name__}: {exc}"
        if error is None or not any(sign in error for sign in _KERNEL_START):
            break
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
    from nbgrader.api import Gradebook, MissingEntry

    _ensure_tools_on_path()
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


# --------------------------------------------------------------------------
# Grades and feedback
# --------------------------------------------------------------------------
def export_csv(path="grades.csv", root=KIT_ROOT):
    """Write the gradebook as CSV: a row a student, a column a part, totals last."""
    from dynamolite.instructor.nbgrader_plugins import write_parts_csv

    path = Path(root) / path if not Path(path).is_absolute() else Path(path)
    with gradebook(root) as gb:
        write_parts_csv(gb, path)
    return path


def feedback(assignment, root=KIT_ROOT, student=None):
    """nbgrader's feedback HTML (hidden tests and tracebacks removed) for every autograded
    submission of ``assignment`` (or one ``student``); return the HTML files."""
    _checked(api(root).generate_feedback(assignment, student, force=True), "generate_feedback")
    pattern = f"{student or '*'}/{assignment}/*.html"
    return sorted((Path(root) / "feedback").glob(pattern))


# --------------------------------------------------------------------------
# A student copy
# --------------------------------------------------------------------------
STUDENT_COPY = ("README.md", "requirements.txt", "pyproject.toml", "nbgrader_config.py",
                "dynamolite", "lessons", "exercises")
"""What a learner's copy of the kit holds: no ``solutions/`` (answers and hidden tests), no
``tests/`` (its recorded wrong answers are answers too), no grading folders. It also gets
``released/``, an untouched copy of ``exercises/`` that self-check grades against (the
learner edits ``exercises/``)."""


def student_copy(destination, root=KIT_ROOT):
    """Write a copy of the kit for students into ``destination`` (new or empty); return it.

    It installs and runs as the kit does (same README commands); self-check there
    grades with the visible tests only and says so.
    """
    destination, root = Path(destination), Path(root)
    if destination.exists() and any(destination.iterdir()):
        raise CourseError(f"{destination} is not empty: choose a new folder for the student copy")
    destination.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.egg-info", "*.pyc")
    for name in STUDENT_COPY:
        if (root / name).is_dir():
            shutil.copytree(root / name, destination / name, ignore=skip)
        else:
            shutil.copy(root / name, destination / name)
    shutil.copytree(root / "exercises", destination / "released", ignore=skip)
    return destination


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
def main(argv=None):
    """``python -m dynamolite.instructor release|collect|autograde|export|feedback``."""
    parser = argparse.ArgumentParser(prog="python -m dynamolite.instructor",
                                     description="The instructor's workflow, run from the course folder.")
    parser.add_argument("--root", default=".", help="the course folder (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("release", help="nbgrader generate_assignment: solutions/ into exercises/ "
                                            "(and release_assignment, with an exchange)")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--due", help='deadline, e.g. "2026-05-01 17:00:00 UTC": later submissions are flagged late')
    p = commands.add_parser("collect", help="nbgrader collect from the exchange, or zip_collect from a folder "
                                            "of files named by student")
    p.add_argument("assignment")
    p.add_argument("folder", nargs="?", help="without an exchange: <student>_<notebook>.ipynb, "
                                             "<student>.ipynb or <student>.zip files")
    p = commands.add_parser("autograde", help="autograde every submission, in parallel")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    p = commands.add_parser("export", help="grades as CSV, a column a part")
    p.add_argument("path", nargs="?", default="grades.csv")
    p = commands.add_parser("feedback", help="a feedback HTML per student, without hidden tests")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p = commands.add_parser("student-copy", help="a copy of the kit for students: no solutions/, no tests/")
    p.add_argument("destination", help="a new or empty folder")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "nbgrader_config.py").exists():
        parser.error(f"{root} has no nbgrader_config.py: run from the course folder or pass --root")

    from . import exchange      # the classroom: release, collect and feedback through nbgrader's exchange
    if args.command in ("release", "collect", "feedback") and exchange.course_id(root):
        return exchange.cli(args, root)
    if args.command == "release":
        for folder in release_all(root, args.assignments):
            print(f"released {folder.relative_to(root)}")
            if args.due:
                exchange.set_deadline(folder.name, args.due, root)
    elif args.command == "collect":
        if not args.folder:
            parser.error("this course has no exchange (see classroom/README.md): give the folder to collect")
        students = collect(args.assignment, args.folder, root)
        print(f"{len(students)} submissions of {args.assignment} in submitted/")
    elif args.command == "autograde":
        names = args.assignments or assignments(root)
        pairs = [(a, s) for a in names for s in submissions(a, root)]
        started = time.monotonic()
        results = autograde_all(pairs, root, jobs=args.jobs)
        failed = {pair: error for pair, error in results.items() if error}
        print(f"autograded {len(results) - len(failed)} of {len(results)} submissions "
              f"in {time.monotonic() - started:.0f} s")
        for (assignment, student), error in failed.items():
            print(f"FAILED {assignment}/{student}: {error.strip().splitlines()[0] if error.strip() else error}")
        return 1 if failed else 0
    elif args.command == "export":
        path = export_csv(args.path, root)
        print(f"wrote {path}")
    elif args.command == "student-copy":
        folder = student_copy(args.destination, root)
        print(f"wrote a student copy of the kit to {folder} (no solutions/: self-check there runs "
              f"the visible tests only)")
    elif args.command == "feedback":
        for name in args.assignments or assignments(root):
            if submissions(name, root):
                files = feedback(name, root)
                print(f"{name}: {len(files)} feedback files in feedback/")
    return 0

"""The instructor's side: build a course folder, release, autograde and read scores.

Everything here drives nbgrader itself (``NbGraderAPI``) from the course
configuration in ``nbgrader_config.py``; the tests use the same functions to
autograde crafted submissions, so what the tests prove is what an instructor
gets.

A *course folder* is a directory holding ``nbgrader_config.py``,
``solutions/`` (nbgrader's source) and, after :func:`release`,
``exercises/`` (the release) and a ``gradebook.db``.

On a classroom hub (``classroom/``), the course's configuration names a course
id, and release, collect and feedback go through nbgrader's exchange instead
(:mod:`dynamolite.instructor.exchange`): ``collect ring`` then takes no folder.

Grading many submissions at once is :mod:`dynamolite.instructor.parallel`'s;
the command line, with the instructor's workflow command by command, is
:mod:`dynamolite.instructor.cli`'s.
"""

import logging
import os
import shutil
import sys
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


# A kernel that fails to start says nothing about the notebook: with several processes
# starting kernels at once, a TCP port chosen as free can be taken before the kernel binds
# it. Work that fails so is tried once more (never work that fails in the notebook itself).
KERNEL_START_FAILURES = ("Kernel didn't respond", "Kernel died before replying", "Address already in use")


def kernel_failed_to_start(error):
    """True if ``error`` (a text or an exception) says a kernel failed to start."""
    return any(sign in str(error) for sign in KERNEL_START_FAILURES)


def run_nbgrader(step, *args, **kwargs):
    """``step(*args, **kwargs)``, an NbGraderAPI call, tried once more if its kernel failed
    to start; the result of the last try."""
    result = step(*args, **kwargs)
    if not result.get("success") and kernel_failed_to_start(f"{result.get('error')}{result.get('log')}"):
        result = step(*args, **kwargs)
    return result


def autograde(assignment, student, root=KIT_ROOT, **overrides):
    """Run nbgrader autograde on one submission; return its scores (see :func:`scores`)."""
    _checked(run_nbgrader(api(root, **overrides).autograde, assignment, student, force=True, create=True),
             "autograde")
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
                "dynamolite", "lessons", "exercises", "classroom/learner")
"""What a learner's copy of the kit holds: no ``solutions/`` (answers and hidden tests), no
``tests/`` (its recorded wrong answers are answers too), no grading folders; the classroom's
learner settings, which the package's doctests read. It also gets
``released/``, an untouched copy of ``exercises/`` that self-check grades against (the
learner edits ``exercises/``)."""


STUDENT_COPY_NOTE = """> **This is a student copy of the kit.** It has no `solutions/` and no `tests/`: self-check
> grades your exercises with the tests you see in them. What this README says of answers,
> hidden tests and the instructor's commands is about the instructor's full kit.

"""


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
    readme = destination / "README.md"
    readme.write_text(STUDENT_COPY_NOTE + readme.read_text())
    return destination

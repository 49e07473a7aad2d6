"""The instructor's side: build a course folder, release, autograde and read scores.

Everything here drives nbgrader itself (``NbGraderAPI``) from the course
configuration in ``nbgrader_config.py``; the tests use the same functions to
autograde crafted submissions, so what the tests prove is what an instructor
gets.

A *course folder* is a directory holding ``nbgrader_config.py``,
``solutions/`` (nbgrader's source) and, after :func:`release`,
``exercises/`` (the release) and a ``gradebook.db``.
"""

import os
import shutil
import sys
from pathlib import Path

import nbformat

KIT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout this package was installed from (the default course folder)."""


def _ensure_tools_on_path():
    # nbgrader's gradebook runs `alembic` as a subprocess: make the one beside
    # this Python findable even when the virtual environment is not activated.
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def assignments(root=KIT_ROOT):
    """Names of the source assignments under ``root/solutions``, sorted."""
    source = Path(root) / "solutions"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebooks(assignment, root=KIT_ROOT, folder="solutions"):
    """Paths of an assignment's notebooks (``solutions`` or ``exercises`` folder)."""
    return sorted((Path(root) / folder / assignment).glob("*.ipynb"))


def api(root=KIT_ROOT, **overrides):
    """An ``NbGraderAPI`` for the course folder ``root``, configured by its nbgrader_config.py.

    ``overrides`` are extra settings as ``{"Section.name": value}`` pairs.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    _ensure_tools_on_path()
    root = Path(root).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(root)
    extra.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    for key, value in overrides.items():
        section, name = key.split(".")
        extra[section][name] = value
    config.merge(extra)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _checked(result, what):
    if not result.get("success"):
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error', '')}\n{result.get('log', '')}")
    return result


def make_course(folder, root=KIT_ROOT):
    """Copy the kit's ``solutions/`` and ``nbgrader_config.py`` into a fresh course folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(root) / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(Path(root) / "solutions", folder / "solutions", dirs_exist_ok=True,
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
    from nbgrader.api import Gradebook

    _ensure_tools_on_path()
    result = {}
    with Gradebook(f"sqlite:///{Path(root).resolve() / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        for nb in submission.notebooks:
            for grade in nb.grades:
                result[grade.name] = (grade.score, grade.max_score)
    return result

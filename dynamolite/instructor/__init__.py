"""The instructor's room: release, collect, autograde, export and feedback through nbgrader.

``course`` holds the workflow (each step drives nbgrader's own API),
``parallel`` autograding on every core, ``cli`` the command line
(``python -m dynamolite.instructor ...``); ``nbgrader_plugins``
the pieces nbgrader loads by name from ``nbgrader_config.py``: guarded
execution, feedback without hidden tests, a per-part grade export and a
collector for files named by student; ``exchange`` the classroom's way in
and out (release, collect and feedback through nbgrader's exchange on a
JupyterHub, see ``classroom/``). The learner's side of grading,
``dynamolite.grading`` (imported by every exercise) and
``dynamolite.selfcheck``, stays at the package's top level.
"""

from .course import grading_settings

__all__ = ["grading_settings"]

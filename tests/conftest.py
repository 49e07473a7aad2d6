import os
import sys

# nbgrader runs `alembic` (and notebooks run `jupyter`) as subprocesses: make the
# tools installed beside this Python findable even when the venv is not activated.
_bindir = os.path.dirname(sys.executable)
if _bindir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bindir + os.pathsep + os.environ.get("PATH", "")

import pytest


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Every assignment's pipeline and crafted submissions, autograded once per session."""
    from grading_cases import grade_class
    return grade_class(tmp_path_factory.mktemp("class"))

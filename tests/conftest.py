import os
import sys

# nbgrader runs `alembic` (and notebooks run `jupyter`) as subprocesses: make the
# tools installed beside this Python findable even when the venv is not activated.
_bindir = os.path.dirname(sys.executable)
if _bindir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bindir + os.pathsep + os.environ.get("PATH", "")

import pytest
from hypothesis import Phase, settings

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE. The default, "ci", is
# derandomized (the examples come from a fixed seed), so a checkout gives the same
# verdicts on every machine, as everything else in the kit does; "dev" draws new
# examples each run and remembers failures in .hypothesis/; "quick" is for a fast
# loop while editing (few examples, no shrinking).
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("quick", deadline=None, max_examples=10,
                          phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Every assignment's pipeline and crafted submissions, autograded once per session."""
    from grading_cases import grade_class
    return grade_class(tmp_path_factory.mktemp("class"))

"""nbgrader course configuration: run nbgrader commands from the repository root.

Instructor source assignments live in ``solutions/``, the released student
copies in ``exercises/``; everything nbgrader makes while grading stays out of
git (see .gitignore).
"""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Each cell may run this long; a cell that runs longer is interrupted, and the
# guard installed by each exercise's first cell then fails the next part.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
# Kernels log only errors: no transport warning in every grading line.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]

# A submission that deletes a graded test cell gets it back.
c.OverwriteCells.add_missing_cells = True

# Releases are generated without outputs and without hidden tests.
c.ClearOutput.enabled = True
c.ClearHiddenTests.enabled = True

# The kit's guarded execution (a stuck or dead kernel cannot stop grading; a
# fixed hash seed) and feedback without hidden-test code: the same settings
# whether you run `nbgrader ...` or `python -m dynamolite.instructor ...`.
from dynamolite.instructor import grading_settings  # noqa: E402

for _key, _value in grading_settings().items():
    _section, _name = _key.split(".")
    c[_section][_name] = _value

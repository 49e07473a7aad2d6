"""nbgrader settings the classroom adds to the course's own for the instructor's server.

JupyterHub puts this folder on the instructor's ``JUPYTER_CONFIG_PATH`` and starts
the server in the course folder, whose ``nbgrader_config.py`` (grading settings)
is read after this one. With a course id set, Formgrader's release and collect
buttons and ``python -m dynamolite.instructor`` use the exchange.
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = os.environ.get("DYNAMOLITE_COURSE_ID", "dynamolite")
c.Exchange.root = os.environ.get("DYNAMOLITE_EXCHANGE", "/srv/nbgrader/exchange")

# The roster is the gradebook's students (written by the hub from its learner list):
# a submission from anyone else is collected but not graded until the student is added.
c.Autograde.create_student = False

# nbgrader warns when a submission's files are not owned by a system user of the
# student's name ("cheating attempt?"). On this hub every learner's server runs as one
# system user, so the warning would come for everyone. Keep it on where each learner
# is a system user of their own (The Littlest JupyterHub).
c.ExchangeCollect.check_owner = False

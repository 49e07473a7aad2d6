"""nbgrader settings of every learner's server on the classroom hub.

JupyterHub puts this folder on each learner's ``JUPYTER_CONFIG_PATH``, so the
Assignment List (and ``nbgrader`` in the learner's terminal) reads it, and
sets the environment it reads: ``DYNAMOLITE_EXCHANGE`` (the exchange folder),
``DYNAMOLITE_COURSE_ID`` and ``JUPYTERHUB_USER`` (the learner's hub name).
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = os.environ.get("DYNAMOLITE_COURSE_ID", "dynamolite")
c.Exchange.root = os.environ.get("DYNAMOLITE_EXCHANGE", "/srv/nbgrader/exchange")

# nbgrader names a submission by the system user, or by JUPYTERHUB_USER when that user
# is "jovyan" (as in Zero to JupyterHub's containers). Here every learner's server may run
# as one system user, so name it by the hub user, always.
c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER", "*")

# A submission without every released notebook (one renamed, say) is refused, with the
# list of what is missing, rather than graded zero later.
c.ExchangeSubmit.strict = True

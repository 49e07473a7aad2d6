"""The classroom on one machine: JupyterHub serving the course to an instructor and N learners.

Start it from the kit's root (after the README's install and ``npm ci``)::

    .venv/bin/jupyterhub -f classroom/jupyterhub_config.py

and open http://127.0.0.1:8000. It listens on the loopback address only. The
environment chooses the rest (all optional):

=============================== ==========================================================
``DYNAMOLITE_HUB_PORT``         the hub's port (8000)
``DYNAMOLITE_LEARNERS``         how many learners (10: learner01 ... learner10), their
                                names (``ada,bo,cy``), or nbgrader's roster CSV (``id`` column)
``DYNAMOLITE_INSTRUCTOR``       the instructor's name (``instructor``)
``DYNAMOLITE_COURSE``           the course folder the instructor grades in (this checkout)
``DYNAMOLITE_COURSE_ID``        the course's id in the exchange (``dynamolite``)
``DYNAMOLITE_CLASSROOM``        where the hub keeps its state: the exchange, the learners'
                                home folders, its database (``classroom/state``)
``DYNAMOLITE_HUB_PASSWORD``     the learners' shared password, 8 characters or more (made up and written to
                                ``<state>/passwords.txt`` if unset)
``DYNAMOLITE_HUB_ADMIN_PASSWORD`` the instructor's password (likewise; 32 characters or more)
=============================== ==========================================================

What it sets up (classroom/README.md explains the choices):

- accounts: the shared-password authenticator, for trials; only the roster and
  the instructor may log in; the instructor is the hub's admin;
- one JupyterLab server per user, all run as this system user (JupyterHub's
  SimpleLocalProcessSpawner), each learner in ``<state>/home/<name>``, the
  instructor in the course folder;
- nbgrader's exchange in ``<state>/exchange``; each server reads the nbgrader
  settings of its role from ``classroom/learner`` or ``classroom/instructor``
  (the instructor's server adds the course's own ``nbgrader_config.py``);
- the roster (the learners) written into the course's gradebook at start.
"""

import csv
import os
import secrets
import socket
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import default

from dynamolite.instructor.exchange import prepare_exchange, set_roster

c = get_config()  # noqa: F821 (provided by JupyterHub)

HERE = Path(__file__).resolve().parent
KIT = HERE.parent
COURSE = Path(os.environ.get("DYNAMOLITE_COURSE", KIT)).resolve()
COURSE_ID = os.environ.get("DYNAMOLITE_COURSE_ID", "dynamolite")
STATE = Path(os.environ.get("DYNAMOLITE_CLASSROOM", HERE / "state")).resolve()
EXCHANGE = STATE / "exchange"
INSTRUCTOR = os.environ.get("DYNAMOLITE_INSTRUCTOR", "instructor")
PROXY = KIT / "node_modules" / ".bin" / "configurable-http-proxy"


def learners(spec):
    """The roster: ``"10"`` -> learner01..learner10; ``"ada,bo"``; or a CSV file with an ``id`` column."""
    if spec.endswith(".csv"):
        with open(spec, newline="") as handle:
            return [{k: v for k, v in row.items() if k in ("id", "first_name", "last_name", "email") and v}
                    for row in csv.DictReader(handle)]
    names = [f"learner{i:02d}" for i in range(1, int(spec) + 1)] if spec.isdigit() else \
        [name.strip() for name in spec.split(",") if name.strip()]
    return [{"id": name, "last_name": name} for name in names]      # Formgrader shows "last, first"


def free_port():
    """A free TCP port on the loopback address (for the hub's internal API and the proxy's)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def password(variable, file_key, length):
    """The password in ``variable``, or one of ``length`` characters made up once and kept in
    <state>/passwords.txt (JupyterHub wants at least 8 for users, 32 for admins)."""
    if os.environ.get(variable):
        return os.environ[variable]
    path = STATE / "passwords.txt"
    saved = dict(line.split("=", 1) for line in path.read_text().split()) if path.exists() else {}
    if file_key not in saved:
        saved[file_key] = secrets.token_urlsafe(length * 3 // 4)
        path.write_text("".join(f"{k}={v}\n" for k, v in saved.items()))
        path.chmod(0o600)
    return saved[file_key]


if not os.access(PROXY, os.X_OK):
    sys.exit(f"{PROXY} is missing: run `npm ci --no-audit --no-fund` in {KIT} first "
             "(it installs configurable-http-proxy, JupyterHub's proxy, from package.json)")

STATE.mkdir(parents=True, exist_ok=True)
prepare_exchange(EXCHANGE)
ROSTER = learners(os.environ.get("DYNAMOLITE_LEARNERS", "10"))
set_roster(ROSTER, COURSE)

# -- the hub and its proxy: loopback only; state kept in STATE, not in the working directory
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("DYNAMOLITE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = free_port()
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True        # stopping the hub stops every user's server

# -- accounts: one shared password for learners, another for the instructor (the admin).
# For a real class use your institution's login: see classroom/README.md.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password("DYNAMOLITE_HUB_PASSWORD", "learners", 12)
c.SharedPasswordAuthenticator.admin_password = password("DYNAMOLITE_HUB_ADMIN_PASSWORD", "instructor", 32)
c.Authenticator.allowed_users = {s["id"] for s in ROSTER} | {INSTRUCTOR}
c.Authenticator.admin_users = {INSTRUCTOR}


class ClassroomSpawner(SimpleLocalProcessSpawner):
    """A JupyterLab server per user, as this system user: learners in their home folder with
    the learner's nbgrader settings, the instructor in the course folder with the instructor's."""

    home_dir_template = str(STATE / "home" / "{username}")

    @default("notebook_dir")
    def _notebook_dir_default(self):
        return str(COURSE) if self.user.name == INSTRUCTOR else self.home_dir

    def make_preexec_fn(self, name):
        home, start_in = self.home_dir, self.notebook_dir
        def preexec():      # nbgrader reads the nbgrader_config.py of the folder it starts in
            os.makedirs(home, 0o755, exist_ok=True)
            os.chdir(start_in)
        return preexec

    def get_env(self):
        env = super().get_env()
        role = "instructor" if self.user.name == INSTRUCTOR else "learner"
        env.update(JUPYTER_CONFIG_PATH=str(HERE / role), DYNAMOLITE_EXCHANGE=str(EXCHANGE),
                   DYNAMOLITE_COURSE_ID=COURSE_ID,
                   PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
        return env


c.JupyterHub.spawner_class = ClassroomSpawner
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.args = [f"--LabApp.app_settings_dir={HERE / 'lab-settings'}"] + (
    ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

print(f"classroom: {INSTRUCTOR} and {len(ROSTER)} learners ({', '.join(s['id'] for s in ROSTER[:3])}"
      f"{', ...' if len(ROSTER) > 3 else ''}) at http://127.0.0.1:{c.JupyterHub.port}; passwords not given "
      f"in the environment are in {STATE / 'passwords.txt'}; course {COURSE}; exchange {EXCHANGE}",
      file=sys.stderr)

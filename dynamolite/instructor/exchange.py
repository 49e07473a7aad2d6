"""The classroom's way in and out: assignments through nbgrader's exchange, with a report.

On a JupyterHub (``classroom/``), nbgrader's *exchange* is a folder every user
can reach. The instructor releases an assignment into it
(``nbgrader release_assignment``); each learner fetches a copy and submits it
(the Assignment List in JupyterLab, or ``nbgrader fetch_assignment`` and
``nbgrader submit``); the instructor collects the submissions into
``submitted/`` (``nbgrader collect``), grades them as without a hub
(:func:`dynamolite.instructor.parallel.autograde_all`, in parallel), generates
feedback and releases it (``nbgrader release_feedback``), and each learner
fetches it (``nbgrader fetch_feedback``).

A course uses the exchange when its nbgrader configuration names a course id
(``CourseDirectory.course_id``, beside ``Exchange.root``): the classroom's
``classroom/instructor/nbgrader_config.py`` does, for the instructor's server.
Without one, ``python -m dynamolite.instructor collect`` reads a folder of
files named by student instead (:func:`dynamolite.instructor.course.collect`).

Submissions that need the instructor's eye are handled as nbgrader handles them,
and :func:`collect` says which they were (one :class:`Collected` each):

- **submitted twice**: the exchange keeps every copy and collect takes the
  latest; a newer one replaces a copy collected before (``collect --update``);
- **after the deadline**: collected and graded, and recorded late in the
  gradebook (seconds late; Formgrader shows it; no penalty unless a late
  submission plugin gives one);
- **not on the roster** (the gradebook's students): collected, but autograde
  refuses it (``Autograde.create_student = False`` in the classroom) until the
  instructor adds the student (``nbgrader db student add <id>``);
- **a renamed notebook**: the learner's submit refuses it and lists what is
  missing (``ExchangeSubmit.strict``); one that arrives anyway is not graded
  (nbgrader grades notebooks named as released; a missing one scores zero).

Cost: each step copies files once (200 ring submissions are about 4 MB in the exchange);
grading is what takes time (``benchmarks/bench_classroom.py``).
"""

import datetime
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CourseError
from . import course

LEARNER_CONFIG = course.KIT_ROOT / "classroom" / "learner"
"""The folder the hub puts on each learner's ``JUPYTER_CONFIG_PATH`` (their nbgrader_config.py)."""


def course_id(root=course.KIT_ROOT):
    """The course id the exchange files under, or ``None`` when the course has no exchange."""
    return course.course_config(root).CourseDirectory.get("course_id") or None


def _api(root, **overrides):
    """The course's NbGraderAPI, after checking that an exchange is configured."""
    if not course_id(root):
        raise CourseError(
            f"{Path(root).resolve()} has no exchange: its nbgrader configuration sets no "
            "CourseDirectory.course_id (the classroom hub sets it for the instructor's server, "
            "see classroom/README.md); without a hub, collect a folder of files instead")
    return course.api(root, **overrides)


def prepare_exchange(folder):
    """Create nbgrader's exchange folder, writable by every user (mode 1777, as /tmp)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o1777)
    return folder


def set_roster(students, root=course.KIT_ROOT):
    """Put the learners (ids, or dicts with ``id`` and names) in the gradebook: the roster."""
    with course.gradebook(root) as gb:
        for student in students:
            fields = dict(student) if isinstance(student, dict) else {"id": student}
            gb.update_or_create_student(fields.pop("id"), **fields)


def roster(root=course.KIT_ROOT):
    """The student ids in the gradebook, sorted."""
    with course.gradebook(root) as gb:
        return sorted(s.id for s in gb.students)


def set_deadline(assignment, due, root=course.KIT_ROOT):
    """Record the assignment's deadline (``"2026-05-01 17:00:00 UTC"``, or a datetime) in the gradebook."""
    with course.gradebook(root) as gb:
        gb.update_or_create_assignment(assignment, duedate=due)


def deadline(assignment, root=course.KIT_ROOT):
    """The assignment's deadline (naive UTC, as nbgrader stores it), or ``None``."""
    from nbgrader.api import MissingEntry

    with course.gradebook(root) as gb:
        try:
            return gb.find_assignment(assignment).duedate
        except MissingEntry:
            return None


# --------------------------------------------------------------------------
# The instructor's steps
# --------------------------------------------------------------------------
def release(assignment, root=course.KIT_ROOT, due=None):
    """Generate the student copy (``exercises/``) and release it to the exchange.

    ``due`` sets the deadline. Releasing again replaces the copy in the exchange;
    learners who fetched the old one keep theirs. Returns the exchange folder.
    """
    nbgrader = _api(root, **{"ExchangeReleaseAssignment.force": True})
    course.release(assignment, root)
    if due is not None:
        set_deadline(assignment, due, root)
    course._checked(nbgrader.release_assignment(assignment), "release_assignment")
    return Path(nbgrader.exchange_root) / nbgrader.course_id / "outbound" / assignment


@dataclass
class Collected:
    """One learner's collected submission and what the instructor should know about it."""
    assignment: str
    student: str
    timestamp: datetime.datetime = None     # naive UTC, as nbgrader stores it
    seconds_late: float = 0.0
    on_roster: bool = True
    missing: list = field(default_factory=list)     # released notebooks not submitted
    extra: list = field(default_factory=list)       # submitted notebooks nbgrader will not grade

    def notes(self):
        """What needs the instructor's eye, in words (empty for an ordinary submission)."""
        notes = []
        if self.seconds_late > 0:
            notes.append(f"late by {_duration(self.seconds_late)} (submitted {self.timestamp:%Y-%m-%d %H:%M:%S} UTC)")
        if not self.on_roster:
            notes.append("not on the roster: autograde refuses it until you add the student "
                         f"(nbgrader db student add {self.student})")
        if self.missing:
            notes.append(f"missing {', '.join(self.missing)}: "
                         + ("scores zero" if len(self.extra) == 0 else
                            f"submitted {', '.join(self.extra)} instead (renamed?), which is not graded; "
                            f"rename it in submitted/{self.student}/{self.assignment}/ or ask for a new submission"))
        elif self.extra:
            notes.append(f"extra {', '.join(self.extra)}: not graded")
        return notes


def _duration(seconds):
    if seconds < 1:
        return f"{seconds:.2f} s"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 s"


def collect(assignment, root=course.KIT_ROOT):
    """``nbgrader collect --update``: each learner's latest submission into ``submitted/``.

    Returns one :class:`Collected` per learner with a submission, sorted by id.
    """
    nbgrader = _api(root)
    course._checked(nbgrader.collect(assignment, update=True), "collect")
    return check_submissions(assignment, root)


def check_submissions(assignment, root=course.KIT_ROOT):
    """What :func:`collect` reports about each ``submitted/<student>/<assignment>``, sorted by student."""
    from nbgrader.utils import parse_utc

    due, known = deadline(assignment, root), set(roster(root))
    released = {p.name for p in course.notebooks(assignment, root, folder="exercises")}
    found = []
    for student in course.submissions(assignment, root):
        folder = Path(root) / "submitted" / student / assignment
        stamp = folder / "timestamp.txt"
        timestamp = parse_utc(stamp.read_text().strip()) if stamp.exists() else None
        late = (timestamp - due).total_seconds() if timestamp and due else 0.0
        submitted = {p.name for p in folder.glob("*.ipynb")}
        found.append(Collected(assignment, student, timestamp, max(late, 0.0), student in known,
                               sorted(released - submitted), sorted(submitted - released)))
    return found


def release_feedback(assignment, root=course.KIT_ROOT):
    """``nbgrader release_feedback``: every feedback page of ``assignment`` to the exchange.

    Generate it first (:func:`dynamolite.instructor.course.feedback`). Returns the number
    of pages released.
    """
    pages = sorted((Path(root) / "feedback").glob(f"*/{assignment}/*.html"))
    if not pages:
        raise CourseError(f"no feedback for {assignment} in feedback/: generate it first "
                             f"(python -m dynamolite.instructor feedback {assignment})")
    course._checked(_api(root).release_feedback(assignment), "release_feedback")
    return len(pages)


# --------------------------------------------------------------------------
# A learner's steps, as their Assignment List takes them (for trials and benchmarks)
# --------------------------------------------------------------------------
@contextmanager
def _environment(**variables):
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Learner:
    """One learner of the classroom, without a browser: what their Assignment List does.

    The settings are the hub's learner settings (``classroom/learner/nbgrader_config.py``,
    read with the environment the hub gives each learner's server); ``home`` is the
    learner's folder (the assignment is fetched into ``home/<assignment>``).

    >>> Learner("ada", "/tmp/home/ada", "/srv/exchange", "dynamolite").student_id
    'ada'
    """

    def __init__(self, name, home, exchange_root, course):
        from traitlets.config.loader import PyFileConfigLoader

        self.home = Path(home)
        with _environment(JUPYTERHUB_USER=name, DYNAMOLITE_EXCHANGE=str(exchange_root),
                          DYNAMOLITE_COURSE_ID=course):
            self.config = PyFileConfigLoader("nbgrader_config.py", path=str(LEARNER_CONFIG)).load_config()
        self.config.Exchange.assignment_dir = str(self.home)
        self.config.Exchange.cache = str(self.home / ".nbgrader_cache")
        self.student_id = self.config.CourseDirectory.student_id

    def _run(self, step, assignment):
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange import ExchangeFactory

        self.home.mkdir(parents=True, exist_ok=True)
        coursedir = CourseDirectory(config=self.config, log=course._NBGRADER_LOG)
        coursedir.assignment_id = assignment
        app = getattr(ExchangeFactory(config=self.config), step)(
            coursedir=coursedir, authenticator=Authenticator(config=self.config),
            config=self.config, log=course._NBGRADER_LOG)
        return app.start()

    def fetch(self, assignment):
        """``nbgrader fetch_assignment``: the released copy into ``home/<assignment>``."""
        self._run("FetchAssignment", assignment)
        return self.home / assignment

    def submit(self, assignment):
        """``nbgrader submit`` of ``home/<assignment>``; raises nbgrader's ExchangeError if refused."""
        self._run("Submit", assignment)

    def fetch_feedback(self, assignment):
        """``nbgrader fetch_feedback``: the released feedback pages, into ``home/<assignment>/feedback``."""
        self._run("FetchFeedback", assignment)
        return sorted((self.home / assignment / "feedback").glob("*/*.html"))


# --------------------------------------------------------------------------
# Command line: ``python -m dynamolite.instructor`` on a course with an exchange
# --------------------------------------------------------------------------
def cli(args, root):
    """``release``, ``collect`` and ``feedback`` through the exchange; returns the exit status."""
    name = course_id(root)
    if args.command == "release":
        for assignment in args.assignments or course.assignments(root):
            where = release(assignment, root, due=args.due)
            due = deadline(assignment, root)
            print(f"released {assignment} to the exchange of course {name} ({where})"
                  + (f", due {due:%Y-%m-%d %H:%M:%S} UTC" if due else ""))
    elif args.command == "collect":
        if args.folder:
            raise CourseError(f"course {name} collects from its exchange: "
                                 f"run `collect {args.assignment}` without a folder")
        collected = collect(args.assignment, root)
        print(f"collected {len(collected)} submissions of {args.assignment} from the exchange into submitted/")
        for item in collected:
            for note in item.notes():
                print(f"  {item.student}: {note}")
    elif args.command == "feedback":
        for assignment in args.assignments or course.assignments(root):
            if course.submissions(assignment, root):
                files = course.feedback(assignment, root)
                release_feedback(assignment, root)
                print(f"{assignment}: {len(files)} feedback files in feedback/, released to the exchange")
    return 0

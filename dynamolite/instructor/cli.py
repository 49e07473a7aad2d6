"""The instructor's command line: ``python -m dynamolite.instructor COMMAND``.

Run from the course folder (the kit's root)::

    python -m dynamolite.instructor release                 # solutions/ -> exercises/, every assignment
    python -m dynamolite.instructor collect ring inbox/     # files named by student -> submitted/
    python -m dynamolite.instructor autograde --jobs 2      # every submission, on both cores
    python -m dynamolite.instructor export grades.csv       # a row a student, a column a part
    python -m dynamolite.instructor feedback                # feedback/<student>/<assignment>/*.html
    python -m dynamolite.instructor student-copy ../class   # the kit without solutions/ and tests/

With an exchange configured (``classroom/``), release, collect and feedback go
through nbgrader's exchange (:mod:`dynamolite.instructor.exchange`).
"""

import argparse
import time
from pathlib import Path

from ..errors import CourseError
from .course import (assignments, collect, export_csv, feedback, release_all, student_copy,
                     submissions)
from .parallel import autograde_all

def main(argv=None):
    """``python -m dynamolite.instructor release|collect|autograde|export|feedback``."""
    parser = argparse.ArgumentParser(prog="python -m dynamolite.instructor",
                                     description="The instructor's workflow, run from the course folder.")
    parser.add_argument("--root", default=".", help="the course folder (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("release", help="nbgrader generate_assignment: solutions/ into exercises/ "
                                            "(and release_assignment, with an exchange)")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--due", help='deadline, e.g. "2026-05-01 17:00:00 UTC": later submissions are flagged late')
    p = commands.add_parser("collect", help="nbgrader collect from the exchange, or zip_collect from a folder "
                                            "of files named by student")
    p.add_argument("assignment")
    p.add_argument("folder", nargs="?", help="without an exchange: <student>_<notebook>.ipynb, "
                                             "<student>.ipynb or <student>.zip files")
    p = commands.add_parser("autograde", help="autograde every submission, in parallel")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    p = commands.add_parser("export", help="grades as CSV, a column a part")
    p.add_argument("path", nargs="?", default="grades.csv")
    p = commands.add_parser("feedback", help="a feedback HTML per student, without hidden tests")
    p.add_argument("assignments", nargs="*", help="default: every assignment")
    p = commands.add_parser("student-copy", help="a copy of the kit for students: no solutions/, no tests/")
    p.add_argument("destination", help="a new or empty folder")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "nbgrader_config.py").exists():
        parser.error(f"{root} has no nbgrader_config.py: run from the course folder or pass --root")
    try:
        return _run(args, root, parser)
    except CourseError as error:          # a step that cannot go on: say why, without a traceback
        parser.exit(2, f"{parser.prog}: error: {error}\n")


def _run(args, root, parser):
    """Carry out the parsed command in the course folder ``root``."""
    from . import exchange      # the classroom: release, collect and feedback through nbgrader's exchange
    if args.command in ("release", "collect", "feedback") and exchange.course_id(root):
        return exchange.cli(args, root)
    if args.command == "release":
        for folder in release_all(root, args.assignments):
            print(f"released {folder.relative_to(root)}")
            if args.due:
                exchange.set_deadline(folder.name, args.due, root)
    elif args.command == "collect":
        if not args.folder:
            parser.error("this course has no exchange (see classroom/README.md): give the folder to collect")
        students = collect(args.assignment, args.folder, root)
        print(f"{len(students)} submissions of {args.assignment} in submitted/")
    elif args.command == "autograde":
        names = args.assignments or assignments(root)
        pairs = [(a, s) for a in names for s in submissions(a, root)]
        started = time.monotonic()
        results = autograde_all(pairs, root, jobs=args.jobs)
        failed = {pair: error for pair, error in results.items() if error}
        print(f"autograded {len(results) - len(failed)} of {len(results)} submissions "
              f"in {time.monotonic() - started:.0f} s")
        for (assignment, student), error in failed.items():
            print(f"FAILED {assignment}/{student}: {error.strip().splitlines()[0] if error.strip() else error}")
        return 1 if failed else 0
    elif args.command == "export":
        path = export_csv(args.path, root)
        print(f"wrote {path}")
    elif args.command == "student-copy":
        folder = student_copy(args.destination, root)
        print(f"wrote a student copy of the kit to {folder} (no solutions/: self-check there runs "
              f"the visible tests only)")
    elif args.command == "feedback":
        for name in args.assignments or assignments(root):
            if submissions(name, root):
                files = feedback(name, root)
                print(f"{name}: {len(files)} feedback files in feedback/")
    return 0

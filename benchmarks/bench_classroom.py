"""A simulated class through nbgrader's exchange: the instructor's time per step, and what a learner costs.

    python benchmarks/bench_classroom.py                      # 200 submissions per assignment
    python benchmarks/bench_classroom.py --students 20 --assignments ring

For each assignment, in a scratch course and exchange set up as the classroom
hub sets them (classroom/instructor, classroom/learner): the instructor
releases it; each simulated learner (:class:`dynamolite.instructor.exchange.Learner`,
what their Assignment List does) fetches it and submits a copy (cycling through
the solution, the blank release and the recorded wrong answers, as
bench_grading.py does); then the instructor's steps are timed: collect,
autograde with the kit's parallel workers (``--jobs``, one per core by default),
generate and release feedback; the learners fetch their feedback.

Beside the kit's parallel autograde, its peer: nbgrader's own one-at-a-time
autograde, timed on the first ``--sample`` submissions in a copy of the course
and scaled to the class (marked "~"). Last, the memory of one learner's server
(JupyterLab with the nbgrader extensions) and of a kernel that has run an
exercise's setup: the figure that sizes the machines of a hub.

Not run in CI (5 to 13 minutes an assignment at 200 on 2 cores).
"""

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

import nbformat

from dynamolite.instructor import course, exchange, parallel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grading import simulated_class  # noqa: E402

COURSE_ID = "dynamolite"


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def folder_megabytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 1e6


def run_class(base, assignment, size, jobs, sample):
    """Every step for one assignment; returns ``{step: seconds}`` and a few counts."""
    root = course.make_course(base / "course")
    _, release_s = timed(exchange.release, assignment, root)
    students = simulated_class(root, assignment, size)
    exchange.set_roster(sorted(students), root)
    learners = {s: exchange.Learner(s, base / "home" / s, base / "exchange", COURSE_ID) for s in students}

    def submit_all():
        for student, learner in learners.items():
            folder = learner.fetch(assignment)
            for name, nb in students[student].items():
                nbformat.write(nb, folder / name)
            learner.submit(assignment)
    _, submit_s = timed(submit_all)
    exchange_mb = folder_megabytes(base / "exchange")

    collected, collect_s = timed(exchange.collect, assignment, root)
    assert len(collected) == size, f"collected {len(collected)} of {size}"

    peer = base / "peer"                       # nbgrader one at a time, on a sample, in a copy
    shutil.copytree(root, peer)
    sample_pairs = [(assignment, s) for s in sorted(students)[:sample]]
    errors, peer_s = timed(parallel.autograde_all, sample_pairs, peer, jobs=1, progress=False)
    assert not any(errors.values()), errors

    pairs = [(assignment, s) for s in sorted(students)]
    errors, grade_s = timed(parallel.autograde_all, pairs, root, jobs=jobs, progress=False)
    failed = sum(1 for e in errors.values() if e)

    pages, feedback_s = timed(course.feedback, assignment, root)
    _, release_feedback_s = timed(exchange.release_feedback, assignment, root)
    fetched, fetch_s = timed(lambda: sum(len(learner.fetch_feedback(assignment)) for learner in learners.values()))
    return {"release": release_s, "submit": submit_s, "collect": collect_s, "autograde": grade_s,
            "one at a time": peer_s / sample * size, "feedback": feedback_s,
            "release feedback": release_feedback_s, "fetch feedback": fetch_s,
            "exchange MB": exchange_mb, "failed": failed, "pages": len(pages), "fetched": fetched}


def rss_mb(pids):
    """Resident memory of processes (and their children), from /proc, in MB."""
    total, seen, todo = 0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            todo += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except (OSError, StopIteration):
            pass
    return total / 1024


def learner_memory(base):
    """(server MB, exercise kernel MB, largest lesson kernel MB, its lesson): a learner's JupyterLab
    server at rest, a kernel after an exercise's setup, and a kernel after each lesson ran."""
    from jupyter_client.manager import start_new_kernel
    from nbclient import NotebookClient

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    home = base / "learner"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_PATH=str(exchange.LEARNER_CONFIG),
               JUPYTERHUB_USER="learner", DYNAMOLITE_EXCHANGE=str(base / "exchange"))
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
                               *(["--allow-root"] if os.geteuid() == 0 else [])],
                              cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        server_mb = rss_mb([server.pid])
    finally:
        server.terminate()
        server.wait(timeout=30)
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute_interactive("from dynamolite.grading import install_guard\ninstall_guard()\n"
                                   "import bisect, hashlib", timeout=60)
        kernel_mb = rss_mb([manager.provisioner.process.pid])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    lessons = {}
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        runner = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        with runner.setup_kernel():
            for index, cell in enumerate(nb.cells):
                runner.execute_cell(cell, index)
            lessons[path.stem] = rss_mb([runner.km.provisioner.process.pid])
    largest = max(lessons, key=lessons.get)
    return server_mb, kernel_mb, lessons[largest], largest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--sample", type=int, default=20, help="submissions nbgrader grades one at a time")
    parser.add_argument("--assignments", nargs="*", default=None,
                        help="default: every assignment; none: only the learner's memory")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    names = course.assignments(ROOT) if args.assignments is None else args.assignments
    print(f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the start); {args.students} "
          f"simulated learners submit each assignment through nbgrader's exchange; the kit grades on "
          f"{args.jobs} workers; times in seconds", flush=True)
    columns = ["release", "submit", "collect", "autograde", "one at a time", "feedback",
               "release feedback", "fetch feedback"]
    header = f"{'assignment':<16}" + "".join(f"{c:>17}" for c in columns) + f"{'exchange MB':>13}{'failed':>8}"
    rows, per_submission = [], []
    for name in names:
        with tempfile.TemporaryDirectory(prefix="dynamolite-classroom-") as folder:
            base = Path(folder)
            os.environ.update(JUPYTER_CONFIG_PATH=str(ROOT / "classroom" / "instructor"),
                              DYNAMOLITE_EXCHANGE=str(exchange.prepare_exchange(base / "exchange")),
                              DYNAMOLITE_COURSE_ID=COURSE_ID)
            got = run_class(base, name, args.students, args.jobs, args.sample)
        per_submission.append(got["autograde"] / args.students)
        rows.append(f"{name:<16}" + "".join(
            (f"{'~' + format(got[c], '.0f'):>17}" if c == "one at a time" else f"{got[c]:>17.1f}") for c in columns)
            + f"{got['exchange MB']:>13.1f}{got['failed']:>8}")
        print(header, *rows, sep="\n", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="dynamolite-learner-") as folder:
        server_mb, kernel_mb, lesson_mb, lesson = learner_memory(Path(folder))
    print(header)
    print(*rows, sep="\n")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other work on the machine slows every column)")
    if per_submission:
        print(f"autograde, {args.jobs} workers: median {statistics.median(per_submission):.2f} s a submission "
              f"({60 / statistics.median(per_submission):.0f} submissions a minute on this machine)")
    print(f"one learner: JupyterLab server {server_mb:.0f} MB at rest; kernel {kernel_mb:.0f} MB after "
          f"an exercise's setup, {lesson_mb:.0f} MB after the largest lesson ({lesson})")


if __name__ == "__main__":
    main()

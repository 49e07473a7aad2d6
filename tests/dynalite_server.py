"""dynalite, a DynamoDB-protocol server (npm, pinned in package.json), for the tests.

``running_dynalite()`` installs it with ``npm ci`` when ``node_modules`` lacks it,
starts it on a free port of 127.0.0.1 and stops it by its pid, even on failure.
When it cannot be had, the test is skipped with the reason, except under
``CI=true``, where that is a failure: CI must run the second oracle.
"""

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_SESSION_TOKEN": "testing"}
"""What boto3 needs to sign requests to moto and dynalite (neither checks them)."""
BINARY = ROOT / "node_modules" / ".bin" / "dynalite"


def _unavailable(reason, what="dynalite"):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


def _install(binary=None, what="dynalite"):
    """``npm ci`` (package.json) unless ``binary`` (dynalite's) is there; also the classroom's proxy."""
    binary = binary or BINARY
    if binary.exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        _unavailable("node and npm are not installed (Debian: apt-get install -y nodejs npm)", what)
    with open(ROOT / ".npm-install.lock", "w") as lock:     # one install at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT,
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0 or not binary.exists():
                _unavailable(f"`npm ci` failed: {done.stderr.strip()[-500:]}", what)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_dynalite():
    """Yield the endpoint URL of a fresh in-memory dynalite on 127.0.0.1."""
    _install()
    port = _free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(BINARY), "--host", "127.0.0.1", "--port", str(port), "--createTableMs", "0",
         "--deleteTableMs", "0", "--updateTableMs", "0"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                _unavailable(f"dynalite did not start: {log.read().decode()[-500:]}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

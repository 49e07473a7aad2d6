"""The README's two commands start by checking the Python version, with a clear message."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version_checks():
    """The ``python3 -c "..."`` version check at the start of each README command."""
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 ") and "pip install" in line]
    assert len(commands) == 2, commands
    return [re.match(r'python3 -c "([^"]+)" && python3 -m venv ', c).group(1) for c in commands]


def run_as(version, code):
    fake = (f"import sys; sys.version_info = {tuple(version)!r}; "
            f"sys.version = '{'.'.join(map(str, version))} (fake)'\n")
    return subprocess.run([sys.executable, "-c", fake + code], capture_output=True, text=True)


def test_old_python_stops_with_a_message_new_python_goes_on():
    for code in version_checks():
        old = run_as((3, 10, 12), code)
        assert old.returncode == 1
        assert old.stderr.strip() == "dynamolite needs Python 3.11 or newer; python3 here is 3.10.12"
        assert run_as((3, 11, 0), code).returncode == 0 and run_as((3, 13, 1), code).returncode == 0

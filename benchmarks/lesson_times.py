"""How long each lesson and exercise takes a learner: an estimate made by rule, not guessed.

Nobody was timed. The estimate adds up what a learner does, at stated rates:

- reading the prose (markdown cells) at ``WORDS_PER_MINUTE``;
- reading the code at ``CODE_LINES_PER_MINUTE`` (in an exercise: the code it gives, and the
  solution's lines, as the learner writes them);
- ``RUN_CELL_MINUTES`` per code cell, to run it and look at what it printed or drew;
- ``PREDICT_MINUTES`` per **Predict** prompt, to write a guess down;
- ``QUESTION_MINUTES`` per self-check question;
- ``PART_MINUTES`` per graded part of an exercise, to write, try and debug the answer;
- and, with ``--run``, the cells' execution time, measured by running the notebook here.

The total is rounded to the nearest 5 minutes. Lessons 00 to 05 and their exercises state
that figure in their first cell ("About 40 minutes", "about 45 minutes") and the README's tables
repeat it; ``tests/test_lesson_times.py`` checks that they agree with the rule. Run::

    .venv/bin/python benchmarks/lesson_times.py          # the rule, without running anything
    .venv/bin/python benchmarks/lesson_times.py --run    # plus measured execution time
"""

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 150          # careful reading of technical prose
CODE_LINES_PER_MINUTE = 10      # reading (or writing) code and understanding it
RUN_CELL_MINUTES = 0.5
PREDICT_MINUTES = 1.0
QUESTION_MINUTES = 2.0
PART_MINUTES = 8.0

STATED = re.compile(r"\b[Aa]bout\s+(\d+)\s+minutes")


def notebooks():
    """The lessons, then the exercises' source notebooks."""
    return sorted(ROOT.glob("lessons/*.ipynb")) + sorted(ROOT.glob("solutions/*/*.ipynb"))




def ruled():
    """The notebooks whose stated time is this rule's figure: every lesson and exercise."""
    return list(notebooks())


def _self_check_questions(text):
    section = text.split("## Self-check", 1)[1].split("<details>", 1)[0] if "## Self-check" in text else ""
    return len(re.findall(r"^\d+\.", section, re.M))


def estimate(path):
    """``{part: minutes}`` of the rule for one notebook (execution time not included)."""
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    code = [c for c in nb.cells if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("grade")]
    code_lines = sum(len([line for line in c.source.splitlines() if line.strip()]) for c in code)
    return {
        "reading": len(re.findall(r"\w+", prose)) / WORDS_PER_MINUTE,
        "code": code_lines / CODE_LINES_PER_MINUTE,
        "running": len(code) * RUN_CELL_MINUTES,
        "predicting": len(re.findall(r"\*\*Predict", prose)) * PREDICT_MINUTES,
        "self-check": _self_check_questions(prose) * QUESTION_MINUTES,
        "parts": len(answers) * PART_MINUTES,
    }


def rounded(minutes):
    """To the nearest 5 minutes (at least 5)."""
    return max(5, int(5 * round(minutes / 5)))


def stated(path):
    """The minutes the notebook's first cell states."""
    found = STATED.search(nbformat.read(path, as_version=4).cells[0].source)
    return int(found.group(1)) if found else None


def executed_seconds(path):
    """Wall-clock seconds to run the notebook top to bottom here (kernel start excluded)."""
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", action="store_true", help="also run each notebook and add its execution time")
    args = parser.parse_args(argv)
    print(f"{'notebook':48}{'read':>6}{'code':>6}{'run':>6}{'pred':>6}{'quiz':>6}{'parts':>6}"
          f"{'exec s':>8}{'total':>7}{'says':>6}")
    wrong = []
    for path in notebooks():
        parts = estimate(path)
        seconds = executed_seconds(path) if args.run else 0.0
        total = sum(parts.values()) + seconds / 60
        name = str(path.relative_to(ROOT))
        print(f"{name:48}" + "".join(f"{v:6.1f}" for v in parts.values())
              + f"{seconds:8.1f}{rounded(total):7d}{stated(path) or '-':>6}")
        if rounded(total) != stated(path) and path in ruled():
            wrong.append(name)
    if wrong:
        print("\nstated time differs from the rule:", ", ".join(wrong))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

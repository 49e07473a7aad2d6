"""The times every lesson, every exercise and the README state are the rule's estimate
(benchmarks/lesson_times.py: words, code, cells, prompts, questions and parts at stated
rates), not guesses. Execution time, measured by ``lesson_times.py --run``, is a few
seconds a notebook and does not move the rounded figure."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lesson_times", ROOT / "benchmarks" / "lesson_times.py")
lesson_times = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lesson_times)


@pytest.mark.parametrize("path", lesson_times.ruled(), ids=lambda p: p.stem)
def test_stated_time_is_the_estimate(path):
    want = lesson_times.rounded(sum(lesson_times.estimate(path).values()))
    assert lesson_times.stated(path) == want, (
        f"{path.name} says {lesson_times.stated(path)} minutes; the rule gives {want} "
        f"(run benchmarks/lesson_times.py and correct the first cell)")


@pytest.mark.parametrize("path", lesson_times.ruled(), ids=lambda p: p.stem)
def test_readme_repeats_the_stated_time(path):
    readme = (ROOT / "README.md").read_text()
    shown = path.relative_to(ROOT).as_posix().replace("solutions/", "exercises/")
    row = next((line for line in readme.splitlines() if line.startswith("|") and f"`{shown}" in line), None)
    assert row is not None, f"the README's tables have no row for {shown}"
    assert re.search(rf"\|\s*{lesson_times.stated(path)} min\s*\|", row), (shown, row)


def test_the_rule_counts_what_a_learner_does():
    lesson = lesson_times.estimate(ROOT / "lessons" / "04_quorums.ipynb")
    assert lesson["predicting"] >= 4 and lesson["self-check"] >= 10 and lesson["parts"] == 0
    exercise = lesson_times.estimate(ROOT / "solutions" / "ring" / "ring.ipynb")
    assert exercise["parts"] == 6 * lesson_times.PART_MINUTES

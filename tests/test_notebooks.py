"""Every lesson and every solution notebook runs top to bottom without an error, and what
a lesson's prose says about the numbers it prints holds for the numbers printed."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dynamolite.instructor import course

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(ROOT.glob("lessons/*.ipynb")) + sorted(ROOT.glob("solutions/*/*.ipynb"))

pytestmark = pytest.mark.slow


def _hints_at_the_heal(printed, prose):
    """Lesson 07, section 3: the comments made during the cut went to stand-ins, so hinted
    handoff has hints to give back (the prose says it empties them)."""
    found = re.search(r"at the heal: (\d+) of (\d+) keys diverge, (\d+) hints held", printed)
    assert found, "lesson 07 no longer prints the keys diverging and the hints at the heal"
    diverging, keys, hints = map(int, found.groups())
    assert hints >= keys // 4, (f"only {hints} hints for {keys} keys at the heal: the comments were "
                                f"written before the failure detectors noticed the cut")


def _widget_detector(printed, prose):
    """Lesson 08, section 3: the timeout it names for the fault widget's failure detector is
    the widget's, and it is about two of the gossip spread times the lesson measured."""
    from dynamolite.viz import FaultWidget
    fail_after = FaultWidget(nodes=6, keys=1).cluster.membership.fail_after
    assert f"is {fail_after:.0f} ms" in prose, (f"lesson 08 does not state the fault widget's "
                                                  f"failure detector timeout, {fail_after:.0f} ms")
    spread = float(re.search(r"rounds x \d+ ms = (\d+) ms to reach everyone", printed).group(1))
    assert 1.5 <= fail_after / spread <= 2.5, f"{fail_after} ms is not about two spread times of {spread} ms"


CLAIMS = {"07_when_machines_fail.ipynb": [_hints_at_the_heal],
          "08_convergence_in_the_background.ipynb": [_widget_detector]}
"""Per lesson, checks of its printed output against what its prose says about it."""


def test_notebooks_are_found():
    assert any(p.name.startswith("00_") for p in NOTEBOOKS)
    assert any("solutions" in p.parts for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_top_to_bottom(path, tmp_path):
    for attempt in range(2):        # once more if the kernel failed to start (a port race)
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()        # raises CellExecutionError, naming the cell, on the first error
            break
        except RuntimeError as error:
            if attempt or not course.kernel_failed_to_start(error):
                raise
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"
                                               and "Traceback" in o.text)]
    assert not errors, f"{path.name}: {errors[0]}"
    printed = "".join(o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream" and o.name == "stdout")
    prose = " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    for claim in CLAIMS.get(path.name, ()):
        claim(printed, prose)

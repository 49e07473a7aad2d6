"""Helpers for the graded test cells of the exercises (nbgrader).

Every graded test cell starts by importing what it uses from here, so an answer
cell that rebinds a helper's name cannot change what the tests do, and calls
``begin_part`` first::

    from dynamolite.grading import begin_part, call, check_equal
    begin_part("A")
    check_equal(call(lookup, [10, 20], ["n1", "n2"], 15), "n2", "lookup([10, 20], ['n1', 'n2'], 15)")

``install_guard()`` runs in the notebook's first (locked) cell. It watches
every cell: an answer cell that raised, or that the grader stopped at its time
limit (an infinite loop after a correct ``def``), makes the next part's test
fail with a message saying so, instead of letting the function it defined
before the loop earn the points.

``call`` runs a learner's function under guard rails: a time limit, no
``input()``, and at most ``MAX_OUTPUT_LINES`` printed lines. Whatever goes
wrong becomes a ``GradingFailure`` (an ``AssertionError``) whose message says
what happened and what to do.
"""

import builtins
import contextlib
import io
import signal
import sys
import threading

MAX_OUTPUT_LINES = 200
"""Lines a learner's function may print during one graded call."""

CALL_TIMEOUT = 10.0
"""Seconds one graded call may take."""


class GradingFailure(AssertionError):
    """A graded check failed; the message is meant for the learner."""


# --------------------------------------------------------------------------
# The cell guard
# --------------------------------------------------------------------------
class _Guard:
    def __init__(self):
        self.failures = []        # (cell number, error name) since the last test cell
        self.in_test = False
        self.count = 0

    def post_run_cell(self, result):
        self.count += 1
        if self.in_test:          # a test cell's own outcome is nbgrader's business
            self.in_test = False
            return
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            self.failures.append((self.count, type(error).__name__))


_guard = None


def install_guard():
    """Watch every later cell of this notebook (call it in the first cell)."""
    global _guard
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None:
        raise RuntimeError("install_guard() runs inside a Jupyter notebook")
    if _guard is None:
        _guard = _Guard()
        shell.events.register("post_run_cell", _guard.post_run_cell)
    _guard.failures.clear()


def begin_part(label):
    """Start the tests of part ``label``; fail if a cell since the last test broke.

    A cell that raised ``KeyboardInterrupt`` was stopped by the grader's time
    limit: typically a loop that never ends after the function's definition.
    """
    if _guard is None:
        raise GradingFailure("the notebook's first cell (install_guard) did not run: "
                             "run the notebook from the top")
    failures, _guard.failures = list(_guard.failures), []
    _guard.in_test = True
    for number, error in failures:
        if error == "KeyboardInterrupt":
            raise GradingFailure(
                f"Part {label}: a cell before this test did not finish: it was stopped "
                f"(KeyboardInterrupt), usually by the grader's time limit. Make sure your "
                f"answer cell ends: no endless loop, no long sleep at top level.")
        raise GradingFailure(
            f"Part {label}: a cell before this test raised {error}, so your answer did not "
            f"run to its end. Fix the error shown under that cell and run it again.")


# --------------------------------------------------------------------------
# Calling learner code
# --------------------------------------------------------------------------
class _LimitedOutput(io.TextIOBase):
    def __init__(self, limit):
        self.limit, self.lines, self.parts = limit, 0, []

    def write(self, text):
        self.lines += text.count("\n")
        if self.lines > self.limit:
            raise GradingFailure(f"your function printed more than {self.limit} lines; "
                                 f"remove the print calls inside it")
        self.parts.append(text)
        return len(text)


def _no_input(*args, **kwargs):
    raise GradingFailure("your function called input(): graded code cannot ask for input; "
                         "take the value as an argument instead")


@contextlib.contextmanager
def _time_limit(seconds, what):
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise GradingFailure(f"{what} took longer than {seconds:g} s: look for a loop "
                             f"that never ends or a sleep")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe_call(func, args, kwargs):
    name = getattr(func, "__name__", repr(func))
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    text = f"{name}({', '.join(shown)})"
    return text if len(text) <= 300 else text[:297] + "..."


def call(func, *args, timeout=CALL_TIMEOUT, **kwargs):
    """Call a learner's ``func(*args, **kwargs)`` under a time limit, with no
    ``input()`` and bounded output; return its result.

    Any exception becomes a :class:`GradingFailure` naming the call and the error.
    """
    what = describe_call(func, args, kwargs)
    if not callable(func):
        raise GradingFailure(f"expected a function for {what}, got {type(func).__name__}")
    out = _LimitedOutput(MAX_OUTPUT_LINES)
    saved_input = builtins.input
    builtins.input = _no_input
    try:
        with _time_limit(timeout, what), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(out):
            return func(*args, **kwargs)
    except GradingFailure:
        raise
    except NotImplementedError:
        raise GradingFailure(f"{what} raised NotImplementedError: write your answer in "
                             f"place of `raise NotImplementedError()`") from None
    except Exception as exc:
        raise GradingFailure(f"{what} raised {type(exc).__name__}: {exc}") from None
    finally:
        builtins.input = saved_input


def check_equal(got, expected, what):
    """Fail with "what: expected ..., got ..." unless ``got == expected``."""
    if not (type(got) == type(expected) or _both_numbers(got, expected)) or got != expected:
        raise GradingFailure(f"{what}: expected {_short(expected)}, got {_short(got)}")


def check_close(got, expected, what, tol=1e-9):
    """Fail unless the number ``got`` is within ``tol`` (absolute) of ``expected``."""
    if not _both_numbers(got, expected):
        raise GradingFailure(f"{what}: expected a number close to {expected!r}, got {_short(got)}")
    if abs(float(got) - float(expected)) > tol:
        raise GradingFailure(f"{what}: expected {expected!r} (within {tol:g}), got {got!r}")


def check(condition, message):
    """Fail with ``message`` unless ``condition`` is true."""
    if not condition:
        raise GradingFailure(message)


def _both_numbers(a, b):
    import numbers
    return (isinstance(a, numbers.Real) and isinstance(b, numbers.Real)
            and not isinstance(a, bool) and not isinstance(b, bool))


def _short(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."

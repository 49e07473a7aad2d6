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

The guard also fails the next part when an answer cell printed more than
``MAX_CELL_OUTPUT_LINES`` lines (only the first ones are kept, so a flood
cannot slow the grader down), or rebound a name the tests use
(``check_equal = ...``): the genuine helper is put back and the learner is
told to rename theirs.

``call`` runs a learner's function under guard rails: a time limit, no
``input()``, and at most ``MAX_OUTPUT_LINES`` printed lines. Whatever goes
wrong becomes a ``GradingFailure`` (an ``AssertionError``) whose message says
what happened and what to do. ``check_equal`` and ``check_close`` accept only
plain values (built-in numbers, strings, lists, dicts, ...), so an object that
claims to equal everything cannot pass a test.
"""

import builtins
import contextlib
from decimal import Decimal
import io
import re
import signal
import sys
import threading

from .errors import CourseError, DynamoliteError

MAX_OUTPUT_LINES = 200
"""Lines a learner's function may print during one graded call."""

CALL_TIMEOUT = 10.0
"""Seconds one graded call may take."""

MAX_CELL_OUTPUT_LINES = 2000
"""Lines an answer cell may print at top level; more fails the next part."""

HELPER_NAMES = ("install_guard", "begin_part", "call", "check_equal", "check_close",
                "check", "GradingFailure")
"""Names the graded test cells use: an answer cell must not rebind them."""


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text):
    """``text`` without terminal colour codes (tracebacks carry them).

    >>> strip_ansi("\x1b[0;31mValueError\x1b[0m: bad")
    'ValueError: bad'
    """
    return _ANSI.sub("", text)


class GradingFailure(DynamoliteError, AssertionError):
    """A graded check failed; the message is meant for the learner."""


# --------------------------------------------------------------------------
# The cell guard
# --------------------------------------------------------------------------
class _CountingStream:
    """Stands in for sys.stdout/sys.stderr: counts lines, forwards only the first ones."""

    def __init__(self, stream, guard):
        self._stream, self._guard = stream, guard

    def write(self, text):
        text = str(text)
        guard = self._guard
        guard.lines += text.count("\n")
        if guard.lines <= MAX_CELL_OUTPUT_LINES:
            return self._stream.write(text)
        if not guard.flood_noted:
            guard.flood_noted = True
            self._stream.write(f"\n[output stopped after {MAX_CELL_OUTPUT_LINES} lines]\n")
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _Guard:
    def __init__(self, shell):
        self.shell = shell
        self.failures = []        # messages (with {label}) since the last test cell
        self.in_test = False
        self.lines = 0
        self.flood_noted = False
        # cells run before the one installing the guard (In[0] is empty, In[-1] is this cell)
        self.cells_before = max(0, len(shell.history_manager.input_hist_parsed) - 2)
        self.genuine = {name: globals()[name] for name in HELPER_NAMES}
        self.module = sys.modules[__name__]

    def pre_run_cell(self, info=None):
        self.lines, self.flood_noted = 0, False
        self.source = getattr(info, "raw_cell", None)
        self.before = dict(self.shell.user_ns)
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not isinstance(stream, _CountingStream):
                setattr(sys, name, _CountingStream(stream, self))

    def post_run_cell(self, result):
        self._restore_module()
        if self.in_test:          # a test cell's own outcome is nbgrader's business
            self.in_test = False
            return
        error = result.error_before_exec or result.error_in_exec
        bound = self._bound_names()
        if error is not None:
            self.failures.append((_error_message(type(error).__name__, bound), bound))
        if self.lines > MAX_CELL_OUTPUT_LINES:
            self.failures.append((
                f"Part {{label}}: the cell that defines {_names(bound)} printed {self.lines} lines "
                f"(more than {MAX_CELL_OUTPUT_LINES}). Remove the print calls that run at top "
                f"level or in a loop.", bound))
        namespace = self.shell.user_ns
        for name, genuine in self.genuine.items():
            if name in namespace and namespace[name] is not genuine:
                namespace[name] = genuine
                self.failures.append(
                    f"Part {{label}}: a cell before this test rebinds `{name}`, a name the graded "
                    f"tests use. Give your own variable or function another name.")

    def _bound_names(self):
        """Public names the cell that just ran bound or rebound."""
        before = getattr(self, "before", {})
        return {name for name, value in self.shell.user_ns.items()
                if not name.startswith("_") and before.get(name, _MISSING) is not value}

    def _restore_module(self):
        # An answer cell cannot swap the helpers the test cells import.
        if sys.modules.get(__name__) is not self.module:
            sys.modules[__name__] = self.module
            self.failures.append("Part {label}: a cell before this test replaced the grading module.")
        for name, genuine in self.genuine.items():
            if getattr(self.module, name, None) is not genuine:
                setattr(self.module, name, genuine)
                self.failures.append(
                    f"Part {{label}}: a cell before this test changed the grading helper `{name}`.")


_MISSING = object()


def _names(names):
    shown = ", ".join(f"`{n}`" for n in sorted(names)[:4])
    return shown + (" ..." if len(names) > 4 else "") if names else "your answer"


def _error_message(error, bound):
    cell = f"the cell that defines {_names(bound)}"
    if error == "KeyboardInterrupt":
        return (f"Part {{label}}: {cell} did not finish: it was stopped (KeyboardInterrupt), "
                f"usually by the grader's time limit. Make sure your answer cell ends: no "
                f"endless loop, no long sleep at top level.")
    if error == "StdinNotImplementedError":
        return (f"Part {{label}}: {cell} called input(): graded notebooks cannot ask for input. "
                f"Put the value in your code instead.")
    return (f"Part {{label}}: {cell} raised {error}, so it did not run to its end. Fix the "
            f"error shown under that cell and run it again.")


def _names_read(source):
    """Names a test cell's code reads, or None when it cannot be parsed."""
    import ast
    try:
        tree = ast.parse(source or "")
    except SyntaxError:
        return None
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


_guard = None


def install_guard():
    """Watch every later cell of this notebook (call it in the first cell).

    Running it again changes nothing: a failure it saw stays until the next
    test cell reports it.
    """
    global _guard
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None:
        raise CourseError("install_guard() runs inside a Jupyter notebook")
    if _guard is None or _guard.shell is not shell:
        _guard = _Guard(shell)
        shell.events.register("pre_run_cell", _guard.pre_run_cell)
        shell.events.register("post_run_cell", _guard.post_run_cell)
        _guard.pre_run_cell()


def begin_part(label):
    """Start the tests of part ``label``; fail if a cell since the last test broke.

    A cell that raised ``KeyboardInterrupt`` was stopped by the grader's time
    limit: typically a loop that never ends after the function's definition.
    """
    guard = _guard
    if guard is None:
        raise GradingFailure("the notebook's first cell (install_guard) did not run: "
                             "run the notebook from the top")
    if guard.cells_before > 0:
        raise GradingFailure(f"Part {label}: the notebook's first cell (install_guard) ran after "
                             f"other cells, so it could not watch them: restart the kernel and "
                             f"run the notebook from the top")
    callbacks = guard.shell.events.callbacks
    if (guard.post_run_cell not in callbacks.get("post_run_cell", [])
            or guard.pre_run_cell not in callbacks.get("pre_run_cell", [])):
        raise GradingFailure(f"Part {label}: a cell removed the grading guard installed by "
                             f"the first cell; restart the kernel and run the notebook from the top")
    guard._restore_module()
    failures, guard.failures = list(guard.failures), []
    guard.in_test = True
    # A cell that failed counts against this part when it (re)bound a name this
    # test reads (an answer cell looping after its `def`); a scratch cell that
    # only tried something out and raised does not.
    read = _names_read(guard.source)
    for failure in failures:
        message, bound = failure if isinstance(failure, tuple) else (failure, None)
        if bound is None or read is None or bound & read:
            raise GradingFailure(message.format(label=label))


# --------------------------------------------------------------------------
# Calling learner code
# --------------------------------------------------------------------------
class _LimitedOutput(io.TextIOBase):
    def __init__(self, limit):
        self.limit, self.lines = limit, 0

    def write(self, text):
        self.lines += text.count("\n")
        if self.lines > self.limit:
            raise GradingFailure(f"your function printed more than {self.limit} lines; "
                                 f"remove the print calls inside it")
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


def _check_untouched(what):
    """Fail if the learner's function just changed the helpers this test cell uses."""
    guard = _guard
    if guard is None:
        return
    before = len(guard.failures)
    guard._restore_module()
    namespace = guard.shell.user_ns
    for name, genuine in guard.genuine.items():
        if name in namespace and namespace[name] is not genuine:
            namespace[name] = genuine
            guard.failures.append(name)
    if len(guard.failures) > before:
        del guard.failures[before:]
        raise GradingFailure(f"{what} changed the grading helpers; a graded function must "
                             f"only compute its answer")


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
            result = func(*args, **kwargs)
        _check_untouched(what)
        return result
    except GradingFailure:
        _check_untouched(what)
        raise
    except NotImplementedError:
        raise GradingFailure(f"{what} raised NotImplementedError: write your answer in "
                             f"place of `raise NotImplementedError()`") from None
    except Exception as exc:
        failure = GradingFailure(f"{what} raised {type(exc).__name__}: {exc}")
        failure.error = exc               # the learner's exception, for tests of its type
        raise failure from None
    finally:
        builtins.input = saved_input


def check_equal(got, expected, what):
    """Fail with "what: expected ..., got ..." unless ``got == expected``.

    Only plain values compare: built-in numbers, strings, bytes, None, and
    lists, tuples, dicts and sets of them (NumPy scalars count as numbers).
    """
    try:
        plain = _plain(got, what)
    except GradingFailure as failure:
        raise GradingFailure(f"{what}: expected {_described(expected)}, got {failure.found}; answers "
                             f"must be built-in values (int, float, str, tuple, list, dict...)") from None
    if not (type(plain) == type(expected) or _both_numbers(plain, expected)):
        raise GradingFailure(f"{what}: expected {_described(expected)}, got {_described(got)}")
    if plain != expected:
        where = _first_difference(plain, expected)
        raise GradingFailure(f"{what}: {where + ': ' if where else ''}expected {_short(expected)}, "
                             f"got {_short(plain)}")


def check_close(got, expected, what, tol=1e-9):
    """Fail unless the number ``got`` is within ``tol`` (absolute) of ``expected``."""
    plain = _plain(got, what) if _is_number(got) else got
    if not _both_numbers(plain, expected):
        raise GradingFailure(f"{what}: expected a number close to {expected!r}, got {_short(got)}")
    difference = abs(float(plain) - float(expected))
    if not difference <= tol:
        raise GradingFailure(f"{what}: expected {expected!r} (within {tol:g}), got {_short(got)}")


def check(condition, message):
    """Fail with ``message`` unless ``condition`` is true."""
    if not condition:
        raise GradingFailure(message)


GRADING_ENV = "DYNAMOLITE_GRADING"
"""Set to "1" in the environment of every kernel that runs a submission for grading."""

_PLAIN_ATOMS = (bool, int, float, complex, Decimal, str, bytes, type(None))


def _is_number(value):
    return type(value) in (int, float) or type(value).__module__ == "numpy"


def _plain(value, what, depth=0):
    """``value`` rebuilt from built-in types only; anything else fails the check."""
    kind = type(value)
    if kind in _PLAIN_ATOMS:
        return value
    if kind.__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return _plain(value.item(), what, depth)
    if depth < 50:
        if kind in (list, tuple):
            return kind(_plain(v, what, depth + 1) for v in value)
        if kind in (set, frozenset):
            return kind(_plain(v, what, depth + 1) for v in value)
        if kind is dict:
            return {_plain(k, what, depth + 1): _plain(v, what, depth + 1) for k, v in value.items()}
    failure = GradingFailure(f"{what}: expected a plain value (numbers, strings, lists, dicts...), "
                             f"got an object of type {kind.__name__}")
    failure.found = _a(kind.__name__) if depth == 0 else f"a value holding {_a(kind.__name__)}"
    raise failure


def _a(name):
    """ "a tuple", "an int"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _described(value):
    """``None``, or the value with its type: "a tuple (1, 2)"."""
    return "None" if value is None else f"{_a(type(value).__name__)} {_short(value)}"


def _both_numbers(a, b):
    import numbers
    from decimal import Decimal
    kinds = (numbers.Real, Decimal)
    return (isinstance(a, kinds) and isinstance(b, kinds)
            and not isinstance(a, bool) and not isinstance(b, bool))


def _first_difference(got, expected, path=""):
    """Where two unequal lists or dicts first differ, e.g. "at [2]['likes']: expected 3, got 4"."""
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(got) != len(expected):
            return f"{path or 'the result'} has {len(got)} elements instead of {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                return _first_difference(g, e, f"{path}[{i}]")
    if isinstance(got, dict) and isinstance(expected, dict):
        missing, extra = set(expected) - set(got), set(got) - set(expected)
        if missing or extra:
            problems = [f"{label} key{'s' if len(keys) > 1 else ''} {', '.join(sorted(map(repr, keys)))}"
                        for label, keys in (("lacks", missing), ("has extra", extra)) if keys]
            return f"{path or 'the result'} {' and '.join(problems)}"
        for k in expected:
            if got[k] != expected[k]:
                return _first_difference(got[k], expected[k], f"{path}[{k!r}]")
    return f"at {path}: expected {_short(expected, 120)}, got {_short(got, 120)}; whole value" if path else ""


def _short(value, limit=300):
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    if type(text) is not str:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[:limit - 3] + "..."

"""The deterministic discrete-event loop that runs every simulated cluster.

Time is simulated (milliseconds by convention), never the wall clock. Events
wait in a heap keyed ``(time, seq)``: the sequence number breaks ties in the
order events were scheduled, so two runs with the same seed replay the same
history, event for event. All randomness comes from one ``random.Random``
built from the seed (``sim.rng``); nothing else may draw random numbers.

An event is a callback and the one value it is called with: a message, an
operation, or a tuple of several (``None`` if none is given), as a SimPy
``Timeout`` carries one ``value``. A fixed argument, not ``*args``, lets
Python 3.11 make the call inside the running interpreter frame; with ``*args``
the loop of benchmarks/bench_sim.py took 10-15% longer.

>>> sim = Simulator(seed=1)
>>> log = []
>>> sim.schedule(5.0, log.append, "late")
>>> sim.schedule(1.0, log.append, "early")
>>> sim.schedule(1.0, log.append, "tie, scheduled second")
>>> sim.run()
3
>>> log, sim.now
(['early', 'tie, scheduled second', 'late'], 5.0)

Cost: ``schedule`` and each event are O(log E) for E pending events; the
loop body is two lines so it stays fast (see benchmarks/bench_sim.py).
"""

import itertools
import random
from heapq import heapify, heappop, heappush

from .errors import ConfigError


class _Halt(Exception):
    """Raised by the halt event that :meth:`Simulator.stop` schedules."""


def _halt(_):
    raise _Halt


class Simulator:
    """A heap of ``(time, seq, callback, arg)`` and the current simulated time ``now``."""

    def __init__(self, seed=0):
        self.now = 0.0
        self.rng = random.Random(seed)
        self.seed = seed
        self._queue = []
        self._seq = itertools.count(1)     # tie-breaker: scheduling order
        self._halts = 0                    # stop() events get negative sequence numbers
        self._unreached = 0                # halt events still in the heap
        self.events = 0           # events run so far

    def __repr__(self):
        return f"Simulator(now={self.now!r}, pending={len(self._queue)}, seed={self.seed!r})"

    def schedule(self, delay, callback, arg=None):
        """Call ``callback(arg)`` ``delay`` time units from now (``delay >= 0``)."""
        if not delay >= 0.0:                   # also rejects NaN
            raise ConfigError(f"an event cannot be scheduled in the past: delay {delay!r} < 0")
        heappush(self._queue, (self.now + delay, next(self._seq), callback, arg))

    def at(self, time, callback, arg=None):
        """Call ``callback(arg)`` at absolute simulated ``time >= now``."""
        if not time >= self.now:
            raise ConfigError(f"time {time!r} is in the past: the simulator is at {self.now!r}")
        heappush(self._queue, (time, next(self._seq), callback, arg))

    def pending(self):
        """Number of events waiting."""
        return len(self._queue)

    def peek(self):
        """Time of the next event, or ``None`` if there is none."""
        return self._queue[0][0] if self._queue else None

    def stop(self):
        """Make the running :meth:`run` return after the current event.

        It pushes a *halt* event at the current time that sorts before every
        other event (a negative sequence number), so the loop itself needs
        no per-event test: the halt event raises and ends it.
        """
        self._halts -= 1
        self._unreached += 1
        heappush(self._queue, (self.now, self._halts, _halt, None))

    def step(self):
        """Run the next event; return False if there was none."""
        if not self._queue:
            return False
        time, _, callback, arg = heappop(self._queue)
        if callback is _halt:
            self._unreached -= 1
            return self.step()
        self.now = time
        self.events += 1
        callback(arg)
        return True

    def run(self, until=None, max_events=None):
        """Run events in time order; return how many ran.

        Stops when the heap is empty, when the next event is later than
        ``until`` (time then advances to ``until``), after ``max_events``
        events, or when a callback calls :meth:`stop`.
        """
        queue = self._queue
        stopped = False
        if until is None and max_events is None:          # the hot path: until empty or stopped
            before, first = len(queue), next(self._seq)
            pop = heappop
            try:
                while queue:
                    self.now, _, callback, arg = pop(queue)
                    callback(arg)
            except _Halt:
                self._unreached -= 1
            # events run = those waiting before + those scheduled since - those left
            count = before + (next(self._seq) - first - 1) - len(queue)
            self._drop_halts()
            self.events += count
            return count
        limit = float("inf") if until is None else until
        budget = -1 if max_events is None else max_events
        count = 0
        while queue and count != budget:
            if queue[0][0] > limit:
                break
            time, _, callback, arg = heappop(queue)
            if callback is _halt:
                self._unreached -= 1
                stopped = True
                break
            self.now = time
            count += 1
            callback(arg)
        self._drop_halts()
        self.events += count
        if until is not None and not stopped and count != budget and until > self.now:
            self.now = until
        return count

    def _drop_halts(self):
        # a stop() whose halt event was not reached (run ended first) must not stop a later run
        if self._unreached:
            self._unreached = 0
            self._queue[:] = [e for e in self._queue if e[2] is not _halt]
            heapify(self._queue)

    def check(self):
        """Assert the invariants: a valid heap, no event in the past, unique sequence numbers."""
        q = self._queue
        for i in range(1, len(q)):
            assert q[(i - 1) // 2][:2] <= q[i][:2], "heap order broken"
        assert all(e[0] >= self.now for e in q), "an event is scheduled in the past"
        assert len({e[1] for e in q}) == len(q), "sequence numbers repeat"

"""The deterministic discrete-event loop that runs every simulated cluster.

Time is simulated (milliseconds by convention), never the wall clock. Events
wait in a heap keyed ``(time, seq)``: the sequence number breaks ties in the
order events were scheduled, so two runs with the same seed replay the same
history, event for event. All randomness comes from one ``random.Random``
built from the seed (``sim.rng``); nothing else may draw random numbers.

An event is a callback and the one value it is called with: a message, an
operation, or a tuple of several (``None`` if none is given), as a SimPy
``Timeout`` carries one ``value``.

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
loop body is a test and two lines so it stays fast (see benchmarks/bench_sim.py).
"""

import gc
import itertools
import math
import random
from heapq import heapify, heappop, heappush

from ..errors import ConfigError, SimulationError


class _Halt(Exception):
    """Raised by the halt event that :meth:`Simulator.stop` schedules."""


def _halt(_):
    raise _Halt


class Simulator:
    """A heap of ``(time, seq, callback, arg)`` and the current simulated time ``now``.

    Public calls: :meth:`schedule` (after a delay) and :meth:`at` (at a time), both
    checked; :meth:`push`, the unchecked fast path; :meth:`background`, for the
    periodic work of a cluster (gossip, hand-off, anti-entropy); :meth:`run`,
    :meth:`step`, :meth:`stop`, :meth:`pending`, :meth:`peek`.
    """

    def __init__(self, seed=0):
        self.now = 0.0
        self.rng = random.Random(seed)
        self.seed = seed
        self._queue = []
        self._seq = itertools.count(1)     # tie-breaker: scheduling order
        self._halt_seq = 0                 # stop() events get negative sequence numbers
        self._halts_waiting = 0            # halt events still in the heap
        self._running = False              # inside run()
        self._background = 0               # background events in the heap
        self.events = 0                    # events run so far

    def __repr__(self):
        return f"Simulator(now={self.now!r}, pending={self.pending()}, seed={self.seed!r})"

    # One fixed argument, not *args: Python 3.11 then runs both calls, schedule()
    # and callback(arg), inside the running interpreter frame; with *args the
    # loop of benchmarks/bench_sim.py took 10-15% longer.
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

    def push(self, time, callback, arg=None):
        """Call ``callback(arg)`` at ``time``, unchecked: the fast path for callers that
        compute ``time`` as ``now`` plus a delay they know is not negative (the network)."""
        heappush(self._queue, (time, next(self._seq), callback, arg))

    def background(self, time, callback, arg=None):
        """Like :meth:`push`, for background work: a :meth:`run` without a time bound
        stops when only background events are left (periodic work never ends by itself)."""
        self._background += 1
        heappush(self._queue, (time, next(self._seq), self._run_background, (callback, arg)))

    def _run_background(self, event):
        self._background -= 1
        callback, arg = event
        callback(arg)

    def pending(self):
        """Number of events waiting."""
        return len(self._queue) - self._halts_waiting

    def peek(self):
        """Time of the next event, or ``None`` if there is none."""
        if self._halts_waiting:         # look past the halt events of stop()
            return min((e[0] for e in self._queue if e[2] is not _halt), default=None)
        return self._queue[0][0] if self._queue else None

    def stop(self):
        """Make the running :meth:`run` return after the current event.

        It pushes a *halt* event at the current time that sorts before every
        other event (a negative sequence number), so the loop itself needs
        no per-event test: the halt event raises and ends it. Outside a run
        it does nothing.
        """
        if not self._running:
            return
        self._halt_seq -= 1
        self._halts_waiting += 1
        heappush(self._queue, (self.now, self._halt_seq, _halt, None))

    def step(self):
        """Run the next event; return False if there was none."""
        self._not_running("step")
        if not self._queue:
            return False
        self.now, _, callback, arg = heappop(self._queue)
        self.events += 1
        callback(arg)
        return True

    def _not_running(self, what):
        if self._running:
            raise SimulationError(f"Simulator.{what}() was called from inside an event's callback: a "
                               f"callback schedules events, it does not run them (with a Cluster, use "
                               f"put_at/get_at with callback= instead of put/get)")

    def run(self, until=None, max_events=None):
        """Run events in time order; return how many ran.

        Stops when the heap is empty, when the next event is later than
        ``until`` (time then advances to ``until``), after ``max_events``
        events, or when a callback calls :meth:`stop`. Without ``until`` it also
        stops when only :meth:`background` events are left.
        """
        self._not_running("run")
        queue = self._queue
        # the events that ran = those waiting now + those scheduled during the run - those left
        waiting, mark = self.pending(), next(self._seq)
        # Python's cyclic garbage collector is paused while events run, as timeit
        # pauses it while timing. Events and operation records form no reference
        # cycles, so reference counting frees them; but each full collection walks
        # every live object, a cluster's whole history included, and took about
        # half the time of a 100,000-operation cluster run.
        collecting = gc.isenabled()
        # Both loops are `while True` with a break, not `while queue:`. Python 3.11
        # specializes a function's bytecode (it gets about 25% faster here) once its
        # calls and backward jumps add up to 8, and only a plain backward jump counts:
        # `while queue:` loops back with a conditional jump, so in a run() called
        # only once the loop would never be specialized.
        try:
            self._running = True
            gc.disable()
            if until is None and max_events is None and not self._background:
                # the hot path: no test but the heap's own
                while True:
                    if not queue:
                        break
                    self.now, _, callback, arg = heappop(queue)
                    callback(arg)
            else:
                limit = math.inf if until is None else until
                budget = math.inf if max_events is None else max_events
                unbounded = until is None          # then stop when only background work is left
                count = 0
                while True:
                    if not (queue and count < budget and queue[0][0] <= limit):
                        break
                    if unbounded and len(queue) - self._halts_waiting <= self._background:
                        break
                    self.now, _, callback, arg = heappop(queue)
                    count += 1
                    callback(arg)
                if until is not None and count < budget and until > self.now:
                    self.now = until
        except _Halt:                   # a callback called stop(): its halt event ends the run
            self._halts_waiting -= 1
        finally:
            if collecting:
                gc.enable()
            self._running = False
            ran = waiting + (next(self._seq) - mark - 1) - self.pending()
            self.events += ran
            if self._halts_waiting:     # a stop() this run did not reach must not stop a later one
                self._queue[:] = [e for e in queue if e[2] is not _halt]
                heapify(self._queue)
                self._halts_waiting = 0
        return ran

    def check(self):
        """Assert the invariants: a valid heap, no event in the past, unique sequence numbers."""
        q = self._queue
        for i in range(1, len(q)):
            assert q[(i - 1) // 2][:2] <= q[i][:2], "heap order broken"
        assert all(e[0] >= self.now for e in q), "an event is scheduled in the past"
        assert len({e[1] for e in q}) == len(q), "sequence numbers repeat"

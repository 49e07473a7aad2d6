"""History checkers: is this history stale, and where is the smallest proof? (Dynamo 4.4, PBS 3)

A checker reads a history of operations (the cluster's ``history``, or any
objects with ``kind``, ``key``, ``start``, ``end``, ``ok`` and, for a put,
``clock``; for a get, ``clocks``) and returns a :class:`Verdict`.

A *stale read* is a get that began after some put on its key had completed,
yet returned no version descending from that put's version: it missed a
write it could have seen. With R + W > N and no faults there are none.

>>> from dynamolite.cluster import Cluster
>>> c = Cluster(3, n=3, r=1, w=1, latency="LNKD-DISK", seed=3)
>>> for i in range(50):
...     _ = c.put("k", i)
...     _ = c.get("k")
>>> verdict = check_stale_reads(c.history)
>>> verdict.valid, verdict.count == sum(op.stale for op in c.history if op.kind == "get")
(False, True)
>>> write, read = verdict.example
>>> write.end <= read.start
True

Cost: O(h log h) for h operations, times the size of each key's frontier of
concurrent completed writes (usually 1).
"""

import reprlib
from collections import defaultdict


class StaleRead:
    """A read and one completed write it missed."""

    __slots__ = ("read", "write")

    def __init__(self, read, write):
        self.read, self.write = read, write

    def __repr__(self):
        return f"StaleRead(read #{self.read.id}, missed write #{self.write.id})"


class Verdict:
    """A checker's answer: ``valid``, how many violations (``count``) out of how many cases
    checked, every violation found, and the smallest example with a sentence explaining it."""

    def __init__(self, name, valid, count, checked, example=None, found=(), explain="", noun="reads"):
        self.name, self.valid, self.count, self.checked = name, valid, count, checked
        self.example = example        # the smallest counterexample, or None
        self.found = list(found)      # every violation
        self.explain, self.noun = explain, noun

    @property
    def rate(self):
        """Fraction of the cases checked that were violations."""
        return self.count / self.checked if self.checked else 0.0

    @property
    def reads(self):
        return self.checked

    @property
    def stale(self):
        return self.found

    def __bool__(self):
        return self.valid

    def __repr__(self):
        if self.valid:
            return f"Verdict({self.name}: valid, {self.checked} {self.noun} checked)"
        return (f"Verdict({self.name}: INVALID, {self.count} of {self.checked} {self.noun}; "
                f"smallest: {self.explain})")


def _covers(clocks, clock):
    for c in clocks:
        if c.descends(clock):
            return True
    return False


def stale_reads(history):
    """Every stale read of ``history`` as :class:`StaleRead` (the latest-completed missed write each)."""
    writes, reads = defaultdict(list), defaultdict(list)
    for op in history:
        if not op.ok or op.end is None:
            continue
        (writes if op.kind == "put" else reads)[op.key].append(op)
    found = []
    for key, key_reads in reads.items():
        key_writes = sorted(writes.get(key, ()), key=lambda op: (op.end, op.id))
        frontier, i = [], 0
        for read in sorted(key_reads, key=lambda op: (op.start, op.id)):
            while i < len(key_writes) and key_writes[i].end <= read.start:
                w = key_writes[i]
                if not any(f.clock.descends(w.clock) for f in frontier):
                    frontier = [f for f in frontier if not w.clock.descends(f.clock)] + [w]
                i += 1
            missed = [w for w in frontier if not _covers(read.clocks, w.clock)]
            if missed:
                found.append(StaleRead(read, max(missed, key=lambda w: (w.end, w.id))))
    found.sort(key=lambda s: s.read.id)
    return found


def check_stale_reads(history):
    """Verdict on ``history``: valid if no read missed a completed write.

    The example is the (write, read) pair spanning the shortest stretch of
    simulated time (from the write's invocation to the read's completion).
    """
    found = stale_reads(history)
    reads = sum(1 for op in history if op.kind == "get" and op.ok and op.end is not None)
    example, explain = None, ""
    if found:
        best = min(found, key=lambda s: (s.read.end - s.write.start, s.read.id))
        w, r = example = (best.write, best.read)
        explain = (f"put #{w.id} of {w.key!r} done at {w.end:.3f} ms, get #{r.id} began at "
                   f"{r.start:.3f} ms and missed it")
    return Verdict("stale reads", not found, len(found), reads, example, found, explain)


# ---------------------------------------------------------------------------
# Lost writes
# ---------------------------------------------------------------------------
def lost_writes(history, final_values):
    """Verdict: is every acknowledged write still there at the end?

    ``final_values`` maps each key to its final versions (``[(clock, value)]``,
    e.g. ``cluster.final_values()`` once the cluster has converged). An
    acknowledged put is *kept* if its version, its clock with its value, is among
    its key's final versions (a final version with the same clock but another
    value is a different write that reused the clock), or if a later put *read*
    it (the put's context came from a get that returned this version) and that
    put is kept in turn: its information lives on in the reader's value. Any other acknowledged put was lost: an
    overwrite that never saw it (a blind write that a server-ID clock ordered
    after it, a pruned clock) or a crash that destroyed every copy.

    The example is the lost write acknowledged earliest. Cost: O(puts) a pass,
    usually two passes.
    """
    puts = [op for op in history if op.kind == "put" and op.clock is not None]
    present = defaultdict(list)
    for key, versions in final_values.items():
        for clock, value in versions:
            present[(key, clock)].append(value)
    readers = defaultdict(list)
    for p in puts:
        for clock in (p.context_in.seen if p.context_in is not None else ()):
            readers[(p.key, clock)].append(p)
    kept = {p.id: p.value in present.get((p.key, p.clock), ()) for p in puts}
    changed = True
    while changed:                 # kept spreads back along chains of read-modify-writes
        changed = False
        for p in puts:
            if not kept[p.id] and any(kept[q.id] for q in readers[(p.key, p.clock)]):
                kept[p.id] = changed = True
    acked = [p for p in puts if p.ok]
    lost = sorted((p for p in acked if not kept[p.id]), key=lambda p: (p.end, p.id))
    example, explain = None, ""
    if lost:
        example = lost[0]
        finals = [str(c) for c, _ in final_values.get(example.key, [])]
        explain = (f"put #{example.id} of {example.key!r} (value {reprlib.repr(example.value)}, clock "
                   f"{example.clock}) was acknowledged at {example.end:.3f} ms, yet its version is "
                   f"not among the final ones {finals} and no later write read it")
    return Verdict("lost writes", not lost, len(lost), len(acked), example, lost, explain,
                   noun="acknowledged writes")


# ---------------------------------------------------------------------------
# Divergence and convergence
# ---------------------------------------------------------------------------
def divergence(cluster):
    """Verdict: do all home replicas of every key hold the same versions, with no hints left?

    Uses the cluster's public views only (``keys()``, ``replicas_of``,
    ``hints``). The example is the diverging key whose replicas hold the fewest
    versions in all.
    """
    hinted = {key for name in cluster.nodes for held in cluster.hints(name).values() for key in held}
    found = []
    for key in cluster.keys():
        replicas = cluster.replicas_of(key)
        clocks = {name: sorted(str(c) for c, _ in versions) for name, versions in replicas.items()}
        if len({tuple(c) for c in clocks.values()}) > 1 or key in hinted:
            found.append((key, clocks))
    example, explain = None, ""
    if found:
        example = min(found, key=lambda kc: (sum(len(c) for c in kc[1].values()), str(kc[0])))
        key, clocks = example
        explain = f"{key!r}: " + ", ".join(f"{n} holds {c}" for n, c in clocks.items())
        if key in hinted:
            explain += " (and a stand-in still holds a hint for it)"
    return Verdict("divergence", not found, len(found), len(cluster.keys()), example, found,
                   explain, noun="keys")


def convergence_time(cluster, step_ms=10.0, limit_ms=10_000.0):
    """Let simulated time pass in steps of ``step_ms`` until :func:`divergence` finds
    nothing; return the ms it took (0 if already converged), or None past ``limit_ms``.

    It runs the cluster (background hand-off, anti-entropy and read repair in
    flight do their work meanwhile): call it right after ``heal()``/``recover()``.
    """
    waited = 0.0
    while not divergence(cluster).valid:
        if waited >= limit_ms:
            return None
        cluster.sleep(step_ms)
        waited += step_ms
    return waited

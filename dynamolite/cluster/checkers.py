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

from collections import defaultdict


class StaleRead:
    """A read and one completed write it missed."""

    __slots__ = ("read", "write")

    def __init__(self, read, write):
        self.read, self.write = read, write

    def __repr__(self):
        return f"StaleRead(read #{self.read.id}, missed write #{self.write.id})"


class Verdict:
    """A checker's answer: ``valid``, how many violations out of how many reads, the smallest example."""

    def __init__(self, name, valid, count, reads, example, stale):
        self.name, self.valid, self.count, self.reads = name, valid, count, reads
        self.example = example        # (write, read) or None
        self.stale = stale            # every StaleRead found

    @property
    def rate(self):
        """Fraction of completed reads that were stale."""
        return self.count / self.reads if self.reads else 0.0

    def __bool__(self):
        return self.valid

    def __repr__(self):
        if self.valid:
            return f"Verdict({self.name}: valid, {self.reads} reads checked)"
        w, r = self.example
        return (f"Verdict({self.name}: INVALID, {self.count} of {self.reads} reads stale; smallest: "
                f"put #{w.id} of {w.key!r} done at {w.end:.3f} ms, get #{r.id} began at "
                f"{r.start:.3f} ms and missed it)")


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
    example = None
    if found:
        best = min(found, key=lambda s: (s.read.end - s.write.start, s.read.id))
        example = (best.write, best.read)
    return Verdict("stale reads", not found, len(found), reads, example, found)

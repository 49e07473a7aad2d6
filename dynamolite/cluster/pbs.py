"""Probabilistically Bounded Staleness: how eventual is eventual consistency?

Bailis, Venkataraman, Franklin, Hellerstein, Stoica, "Probabilistically
Bounded Staleness for Practical Partial Quorums", VLDB 2012.

With a partial quorum (R + W <= N) a read may miss the latest write. If the
write reached exactly W replicas and the read asks R replicas chosen at
random, it misses the write with probability C(N-W, R) / C(N, R) (section 3.1):

>>> staleness_probability(3, 1, 1)
0.6666666666666666
>>> staleness_probability(3, 2, 2)          # R + W > N: quorums always meet
0.0
>>> round(k_staleness(3, 1, 1, 2), 4)       # at most 2 versions old
0.5556

But the write keeps spreading after it commits. The WARS Monte Carlo
(section 5) draws each message's delay from a latency model and estimates
the probability that a read ``t`` ms after a write commits is consistent:

>>> result = wars(3, 1, 1, "LNKD-SSD", trials=20_000, seed=1)
>>> result.consistency(0.0) < result.consistency(5.0) <= 1.0
True
>>> result.write_latency(50) <= result.write_latency(99.9)
True
"""

from math import comb

import numpy as np

from ..errors import ConfigError
from .network import get_model


def _check_nrw(n, r, w):
    for name, value in (("N", n), ("R", r), ("W", w)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    if r > n:
        raise ConfigError(f"R={r} is greater than N={n}: choose R <= N")
    if w > n:
        raise ConfigError(f"W={w} is greater than N={n}: choose W <= N")


def staleness_probability(n, r, w):
    """P(a read quorum of R misses all W replicas of the last write) = C(N-W, R) / C(N, R).

    Zero exactly when R + W > N (strict quorums). Assumes the write reached
    only W replicas and the read's R replicas are a uniformly random subset.
    """
    _check_nrw(n, r, w)
    return comb(n - w, r) / comb(n, r)


def k_staleness(n, r, w, k):
    """P(a read returns a value at most ``k`` versions old) = 1 - p_s ** k (section 3.2)."""
    if not isinstance(k, int) or k < 1:
        raise ConfigError(f"k counts versions: a positive integer, got {k!r}")
    return 1.0 - staleness_probability(n, r, w) ** k


class WARSResult:
    """The outcome of :func:`wars`: consistency over time and latency percentiles."""

    def __init__(self, n, r, w, model, trials, tau, read_lat, write_lat):
        self.n, self.r, self.w, self.model, self.trials = n, r, w, model, trials
        self._tau = np.sort(tau)              # a read at t >= tau sees the write
        self._read = read_lat
        self._write = write_lat

    def consistency(self, t):
        """P(a read starting ``t`` ms after the write commits returns it); ``t`` a number or array."""
        t_arr = np.asarray(t, dtype=float)
        p = np.searchsorted(self._tau, t_arr, side="right") / self.trials
        return float(p) if p.ndim == 0 else p

    def t_visibility(self, p):
        """The smallest t (ms) with ``consistency(t) >= p``: how long to wait for probability p."""
        if not 0 < p <= 1:
            raise ConfigError(f"p is a probability in (0, 1], got {p!r}")
        index = int(np.ceil(p * self.trials)) - 1
        return max(float(self._tau[index]), 0.0)

    def read_latency(self, q):
        """The q-th percentile (q in 0..100) of read latency in ms."""
        return _percentile(self._read, q)

    def write_latency(self, q):
        """The q-th percentile (q in 0..100) of write latency in ms."""
        return _percentile(self._write, q)

    def __repr__(self):
        return (f"WARSResult(N={self.n}, R={self.r}, W={self.w}, model={self.model.name!r}, "
                f"trials={self.trials}, P(consistent at 0 ms)={self.consistency(0.0):.4f})")


def _percentile(values, q):
    q = np.asarray(q, dtype=float)
    if np.any((q < 0) | (q > 100)):
        raise ConfigError(f"percentiles are in 0..100, got {q!r}")
    p = np.percentile(values, q)
    return float(p) if np.ndim(p) == 0 else p


def wars(n, r, w, model="LNKD-SSD", trials=100_000, seed=0):
    """The WARS Monte Carlo of PBS section 5, vectorized with NumPy.

    For each trial and replica draw W (write to replica), A (its ack), R
    (read request) and S (read response). The write commits at the W-th
    smallest W+A; the read (starting t ms later) takes the R replicas with
    the smallest R+S; it is consistent if one of them had the write when the
    read request arrived: W_i <= commit + t + R_i. With ``model.remote`` (WAN)
    the writer and the reader each sit in a random replica's datacenter and
    every message to another datacenter takes ``remote`` ms more.

    Cost: O(trials * n) memory and time; 10**6 trials for N=3 take well under 2 s.
    """
    _check_nrw(n, r, w)
    if not isinstance(trials, int) or trials < 1:
        raise ConfigError(f"trials must be a positive integer, got {trials!r}")
    model = get_model(model)
    gen = np.random.default_rng(seed)
    shape = (trials, n)
    W = model.w.sample_many(gen, trials * n).reshape(shape)
    A = model.a.sample_many(gen, trials * n).reshape(shape)
    R = model.r.sample_many(gen, trials * n).reshape(shape)
    S = model.s.sample_many(gen, trials * n).reshape(shape)
    if model.remote:
        cols = np.arange(n)
        writer = gen.integers(0, n, trials)[:, None]
        reader = gen.integers(0, n, trials)[:, None]
        far_w = (cols != writer) * model.remote
        far_r = (cols != reader) * model.remote
        W += far_w
        A += far_w
        R += far_r
        S += far_r
    write_rt = W + A
    commit = np.partition(write_rt, w - 1, axis=1)[:, w - 1]
    read_rt = R + S
    chosen = np.argpartition(read_rt, r - 1, axis=1)[:, :r]
    read_lat = np.take_along_axis(read_rt, chosen, axis=1).max(axis=1)
    threshold = W - R - commit[:, None]
    tau = np.take_along_axis(threshold, chosen, axis=1).min(axis=1)
    return WARSResult(n, r, w, model, trials, tau, read_lat, commit)


def simulate_consistency(n, r, w, model="LNKD-SSD", t=0.0, trials=2000, seed=0):
    """Measure on the cluster simulator what :func:`wars` predicts: P(consistent read at t).

    Runs ``trials`` independent keys on an N-node :class:`~dynamolite.cluster.Cluster`:
    each key is written, and read ``t`` ms after the write completes. Returns
    the fraction of reads that were not stale.
    """
    from .cluster import Cluster

    if t < 0:
        raise ConfigError(f"t is a time after the write commits, so t >= 0; got {t!r}")
    cluster = Cluster(n, n=n, r=r, w=w, latency=model, seed=seed)
    reads = []

    def read_later(op):
        reads.append(cluster.get_at(op.end + t, op.key))

    for i in range(trials):
        cluster.put_at(0.0, f"key{i}", i, callback=read_later)
    cluster.run()
    return sum(not op.stale for op in reads) / len(reads)

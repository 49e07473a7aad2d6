"""Latency models: how long a message takes, as distributions of one-way delay (PBS, section 5).

A *latency* is a distribution of one-way message delay in milliseconds. Each
can draw one delay from a ``random.Random`` (the simulator) or many at once
from a NumPy ``Generator`` (the PBS Monte Carlo), so the two see the same law:

>>> import random
>>> Constant(2.0).sample(random.Random(0))
2.0
>>> round(Exponential(rate=0.5).mean(), 6)         # Exp(lambda) has mean 1/lambda
2.0
>>> Pareto(0.235, 10).sample(random.Random(0)) >= 0.235   # support x >= x_m
True

A *WARS model* (Bailis et al., "Probabilistically Bounded Staleness", VLDB
2012, section 5) gives one latency per message kind: **W** the write request
to a replica, **A** its acknowledgement, **R** the read request, **S** the read
response. The four production fits of the PBS paper's Table 3 are in
:data:`MODELS` under their names:

>>> sorted(MODELS)
['LNKD-DISK', 'LNKD-SSD', 'WAN', 'YMMR']
>>> get_model("LNKD-DISK").w
Mixture([(0.38, Pareto(1.05, 1.51)), (0.62, Exponential(0.183))])
"""

import math
from abc import ABC, abstractmethod

import numpy as np

from ..errors import ConfigError

# --------------------------------------------------------------------------
# One-way delay distributions
# --------------------------------------------------------------------------
class Latency(ABC):
    """A distribution of one-way delays in ms: ``sample(rng)`` and ``sample_many(gen, size)``."""

    @abstractmethod
    def sample(self, rng):
        """One delay drawn with ``rng`` (a ``random.Random``)."""

    @abstractmethod
    def sample_many(self, gen, size):
        """``size`` delays drawn with ``gen`` (a NumPy ``Generator``), as an array."""

    @abstractmethod
    def mean(self):
        """The mean delay in ms."""

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self):
        return hash(repr(self))


class Constant(Latency):
    """Every message takes exactly ``ms`` milliseconds."""

    def __init__(self, ms):
        if not (isinstance(ms, (int, float)) and ms >= 0 and math.isfinite(ms)):
            raise ConfigError(f"a delay cannot be negative or infinite: Constant({ms!r})")
        self.ms = float(ms)

    def sample(self, rng):
        return self.ms

    def sample_many(self, gen, size):
        return np.full(size, self.ms)

    def mean(self):
        return self.ms

    def __repr__(self):
        return f"Constant({self.ms!r})"


class Exponential(Latency):
    """Exp(``rate``): mean ``1 / rate`` ms, the memoryless delay."""

    def __init__(self, rate):
        if not (isinstance(rate, (int, float)) and rate > 0 and math.isfinite(rate)):
            raise ConfigError(f"an exponential rate must be positive, got Exponential({rate!r})")
        self.rate = float(rate)

    def sample(self, rng):
        return rng.expovariate(self.rate)

    def sample_many(self, gen, size):
        return gen.exponential(1.0 / self.rate, size)

    def mean(self):
        return 1.0 / self.rate

    def __repr__(self):
        return f"Exponential({self.rate!r})"


class Pareto(Latency):
    """Pareto(``xm``, ``alpha``): support ``x >= xm``, heavy tail of index ``alpha``."""

    def __init__(self, xm, alpha):
        if not (xm > 0 and alpha > 0):
            raise ConfigError(f"Pareto needs xm > 0 and alpha > 0, got Pareto({xm!r}, {alpha!r})")
        self.xm, self.alpha = float(xm), float(alpha)
        self._inv_alpha = 1.0 / self.alpha

    def sample(self, rng):
        # the inverse CDF, as random.paretovariate computes it
        return self.xm / (1.0 - rng.random()) ** self._inv_alpha

    def sample_many(self, gen, size):
        return self.xm * (gen.pareto(self.alpha, size) + 1.0)   # NumPy's is Lomax: shift by 1

    def mean(self):
        return math.inf if self.alpha <= 1 else self.alpha * self.xm / (self.alpha - 1)

    def __repr__(self):
        return f"Pareto({self.xm!r}, {self.alpha!r})"


class Mixture(Latency):
    """With probability ``p_i`` draw from ``latency_i``: ``Mixture([(p1, l1), (p2, l2)])``."""

    def __init__(self, parts):
        parts = [(float(p), lat) for p, lat in parts]
        if not parts or any(p < 0 for p, _ in parts) or abs(sum(p for p, _ in parts) - 1) > 1e-9:
            raise ConfigError(f"mixture weights must be >= 0 and sum to 1, got {[p for p, _ in parts]}")
        if not all(isinstance(lat, Latency) for _, lat in parts):
            raise ConfigError("every part of a mixture must be a Latency")
        self.parts = parts
        self._cum = list(np.cumsum([p for p, _ in parts]))
        self._cum[-1] = 1.0
        if len(parts) == 2:                 # the common case, kept fast
            self._p0 = self._cum[0]
            self._s0, self._s1 = parts[0][1].sample, parts[1][1].sample
            self.sample = self._sample2

    def _sample2(self, rng):
        return self._s0(rng) if rng.random() < self._p0 else self._s1(rng)

    def sample(self, rng):
        u = rng.random()
        for cum, (_, lat) in zip(self._cum, self.parts):
            if u < cum:
                return lat.sample(rng)
        return self.parts[-1][1].sample(rng)

    def sample_many(self, gen, size):
        which = np.searchsorted(np.array(self._cum), gen.random(size), side="right")
        which = np.minimum(which, len(self.parts) - 1)
        out = np.empty(size)
        for i, (_, lat) in enumerate(self.parts):
            mask = which == i
            k = int(np.count_nonzero(mask))
            if k:
                out[mask] = lat.sample_many(gen, k)
        return out

    def mean(self):
        return sum(p * lat.mean() for p, lat in self.parts)

    def __repr__(self):
        return f"Mixture({self.parts!r})"


class Empirical(Latency):
    """Resample uniformly from measured delays (a list of ms)."""

    def __init__(self, samples):
        samples = [float(x) for x in samples]
        if not samples or min(samples) < 0:
            raise ConfigError("an empirical latency needs at least one sample, none negative")
        self.samples = samples
        self._array = np.array(samples)

    def sample(self, rng):
        return self.samples[int(rng.random() * len(self.samples))]

    def sample_many(self, gen, size):
        return self._array[gen.integers(0, len(self.samples), size)]

    def mean(self):
        return float(self._array.mean())

    def __repr__(self):
        return f"Empirical(<{len(self.samples)} samples>)"


class Shifted(Latency):
    """``latency`` plus a fixed ``ms`` (e.g. a wide-area hop)."""

    def __init__(self, latency, ms):
        if ms < 0:
            raise ConfigError(f"a delay cannot be negative: Shifted(..., {ms!r})")
        self.latency, self.ms = as_latency(latency), float(ms)

    def sample(self, rng):
        return self.ms + self.latency.sample(rng)

    def sample_many(self, gen, size):
        return self.ms + self.latency.sample_many(gen, size)

    def mean(self):
        return self.ms + self.latency.mean()

    def __repr__(self):
        return f"Shifted({self.latency!r}, {self.ms!r})"


def as_latency(value):
    """A :class:`Latency` from a latency or a number of ms (a constant)."""
    if isinstance(value, Latency):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(value)
    raise ConfigError(f"expected a Latency or a number of ms, got {value!r}")


# --------------------------------------------------------------------------
# WARS models (PBS paper, Table 3)
# --------------------------------------------------------------------------
class WARSModel:
    """One latency per message kind (W, A, R, S), plus ``remote`` ms between datacenters.

    With ``remote > 0`` every replica lives in its own datacenter and the
    client in one of them: a message between two different datacenters takes
    ``remote`` ms more (the PBS paper's WAN scenario).
    """

    def __init__(self, name, w, a=None, r=None, s=None, remote=0.0):
        self.name = name
        self.w = as_latency(w)
        self.a = as_latency(a) if a is not None else self.w
        self.r = as_latency(r) if r is not None else self.a
        self.s = as_latency(s) if s is not None else self.r
        if remote < 0:
            raise ConfigError(f"a delay cannot be negative: remote={remote!r}")
        self.remote = float(remote)

    def kind(self, kind):
        """The latency of messages of ``kind`` (one of ``W A R S``)."""
        return {"W": self.w, "A": self.a, "R": self.r, "S": self.s}[kind]

    def __repr__(self):
        extra = f", remote={self.remote}" if self.remote else ""
        return f"WARSModel({self.name!r}, W={self.w!r}, A={self.a!r}, R={self.r!r}, S={self.s!r}{extra})"


_LNKD_SSD = Mixture([(0.9122, Pareto(0.235, 10)), (0.0878, Exponential(1.66))])
_LNKD_DISK_W = Mixture([(0.38, Pareto(1.05, 1.51)), (0.62, Exponential(0.183))])
_YMMR_W = Mixture([(0.939, Pareto(3, 3.35)), (0.061, Exponential(0.0028))])
_YMMR_ARS = Mixture([(0.982, Pareto(1.5, 3.8)), (0.018, Exponential(0.0217))])

MODELS = {
    "LNKD-SSD": WARSModel("LNKD-SSD", _LNKD_SSD),
    "LNKD-DISK": WARSModel("LNKD-DISK", _LNKD_DISK_W, _LNKD_SSD),
    "YMMR": WARSModel("YMMR", _YMMR_W, _YMMR_ARS),
    "WAN": WARSModel("WAN", _LNKD_DISK_W, _LNKD_SSD, remote=75.0),
}
"""The PBS paper's production fits (Table 3), times in ms, by name."""


def get_model(model):
    """A :class:`WARSModel` from itself, its registry name, or one latency for all four kinds."""
    if isinstance(model, WARSModel):
        return model
    if isinstance(model, str):
        try:
            return MODELS[model]
        except KeyError:
            raise ConfigError(f"unknown latency model {model!r}: choose one of {sorted(MODELS)} "
                              f"or pass a Latency / WARSModel") from None
    if isinstance(model, (Latency, int, float)) and not isinstance(model, bool):
        lat = as_latency(model)
        return WARSModel(repr(lat), lat)
    raise ConfigError(f"unknown latency model {model!r}: choose one of {sorted(MODELS)} "
                      f"or pass a Latency / WARSModel")

"""Faults as data: crash, recover, partition, heal and slow, at simulated times (Jepsen's nemesis).

A fault is a tuple ``(time_ms, kind, *arguments)``:

- ``(t, "crash", "n1")``: the node stops; it answers nothing, and an
  in-memory node loses its data (a SQLite node keeps what it committed);
- ``(t, "recover", "n1")``: it comes back (empty, or with its file);
- ``(t, "partition", [["n0", "n1"], ["n2"]])``: messages between the groups
  are lost (what no group names forms one more group);
- ``(t, "heal")``: the partition ends;
- ``(t, "slow", "n1", 10)``: every message to or from the node takes 10x as long (1 restores it).

``Cluster(..., faults=[...])`` plays a schedule; ``cluster.crash("n1")`` and
the other methods apply one fault now. :func:`random_schedule` draws a
seeded random one (the *nemesis*) that ends with everything healed:

>>> schedule = random_schedule(["n0", "n1", "n2"], 1000, seed=4)
>>> schedule[:4]
[(44.9, 'crash', 'n2'), (128.9, 'recover', 'n2'), (144.6, 'crash', 'n1'), (277.5, 'partition', [['n0', 'n2'], ['n1']])]
>>> schedule[-2:]
[(1000.0, 'heal'), (1000.0, 'recover', 'n2')]
>>> schedule == random_schedule(["n0", "n1", "n2"], 1000, seed=4)
True
"""

import math
import random

from ..errors import ConfigError
from .network import check_factor

KINDS = ("crash", "recover", "partition", "heal", "slow")


def check_schedule(schedule, nodes, sites=()):
    """Validate a schedule against the node names (and datacenter names ``sites``); return
    it as a list of tuples. Every rule broken is a :class:`~dynamolite.errors.ConfigError`."""
    nodes = list(nodes)
    down, out, last = set(), [], -math.inf
    for fault in schedule:
        if not isinstance(fault, (tuple, list)) or len(fault) < 2:
            raise ConfigError(f"a fault is (time_ms, kind, ...), got {fault!r}")
        time, kind, *args = fault
        if not isinstance(time, (int, float)) or not time >= 0:
            raise ConfigError(f"a fault's time is a number of ms >= 0, got {time!r} in {fault!r}")
        if time < last:
            raise ConfigError(f"the schedule is out of time order: {fault!r} comes after a fault "
                              f"at {last} ms; sort it by time")
        last = time
        check_fault(kind, args, nodes, down, sites)
        if kind == "crash":
            down.add(args[0])
        elif kind == "recover":
            down.discard(args[0])
        out.append((time, kind, *args))
    return out


def check_fault(kind, args, nodes, down=None, sites=()):
    """Raise a ConfigError if fault ``kind`` with ``args`` cannot apply now (``down``: the
    nodes down at that moment)."""
    down = set() if down is None else down
    if kind not in KINDS:
        raise ConfigError(f"unknown fault {kind!r}: the kinds are {', '.join(KINDS)}")
    want = {"crash": 1, "recover": 1, "partition": None, "heal": 0, "slow": 2}[kind]
    if want is not None and len(args) != want:
        raise ConfigError(f"a {kind} fault takes {want} argument(s), got {list(args)!r}")
    if kind in ("crash", "recover", "slow"):
        node = args[0]
        if node not in nodes:
            raise ConfigError(f"cannot {kind} {node!r}: it is not a node of the cluster, "
                              f"whose nodes are {nodes}")
        if kind == "crash" and node in down:
            raise ConfigError(f"cannot crash {node!r}: it is already down")
        if kind == "recover" and node not in down:
            raise ConfigError(f"cannot recover {node!r}: it is not down")
        if kind == "slow":
            check_factor(args[1])
    if kind == "partition":
        groups = groups_of(args)
        if not groups or not all(isinstance(g, (list, tuple, set, frozenset)) for g in groups):
            raise ConfigError(f"a partition is a list of groups of node names, got {list(args)!r}")
        seen = {}
        for i, group in enumerate(groups):
            for site in group:
                if site not in nodes and site not in sites:
                    raise ConfigError(f"cannot partition {site!r}: it is not a node (or datacenter) "
                                      f"of the cluster, whose nodes are {nodes}"
                                      + (f" and datacenters {list(sites)}" if sites else ""))
                if site in seen:
                    raise ConfigError(f"{site!r} is in two groups of the partition: a node is on "
                                      f"one side of a cut, name it in one group only")
                seen[site] = i


def _is_groups(value):
    return (isinstance(value, (list, tuple)) and value
            and all(isinstance(g, (list, tuple, set, frozenset)) for g in value))


def groups_of(args):
    """The partition groups of a ``partition`` fault's arguments (one list of groups, or groups)."""
    return list(args[0]) if len(args) == 1 and _is_groups(args[0]) else list(args)


def random_schedule(nodes, duration_ms, seed, mean_gap_ms=None, max_down=1, kinds=("crash", "partition")):
    """A seeded random nemesis over ``duration_ms``: crashes (at most ``max_down`` nodes
    down at once) and partitions into two random groups, each undone after a while;
    everything is healed and recovered at ``duration_ms``."""
    nodes = list(nodes)
    if duration_ms <= 0:
        raise ConfigError(f"duration_ms must be positive, got {duration_ms!r}")
    for kind in kinds:
        if kind not in ("crash", "partition", "slow"):
            raise ConfigError(f"random_schedule draws crash, partition or slow faults, not {kind!r}")
    rng = random.Random(seed)
    gap = mean_gap_ms if mean_gap_ms is not None else duration_ms / 6
    schedule, down, slowed, cut = [], [], [], False
    t = rng.expovariate(1 / gap)
    while t < duration_ms:
        kind = rng.choice(kinds)
        t = round(t, 1)
        if kind == "crash" and len(down) < max_down and len(nodes) - len(down) > 1:
            node = rng.choice([n for n in nodes if n not in down])
            down.append(node)
            schedule.append((t, "crash", node))
        elif kind == "crash" and down:
            schedule.append((t, "recover", down.pop(0)))
        elif kind == "partition" and not cut and len(nodes) > 1:
            shuffled = rng.sample(nodes, len(nodes))
            cut_at = rng.randrange(1, len(nodes))
            schedule.append((t, "partition", [sorted(shuffled[:cut_at]), sorted(shuffled[cut_at:])]))
            cut = True
        elif kind == "partition" and cut:
            schedule.append((t, "heal"))
            cut = False
        elif kind == "slow":
            node = rng.choice(nodes)
            factor = 1 if node in slowed else rng.choice([5, 20])
            (slowed.remove if node in slowed else slowed.append)(node)
            schedule.append((t, "slow", node, factor))
        t += rng.expovariate(1 / gap)
    end = float(duration_ms)
    if cut:
        schedule.append((end, "heal"))
    schedule += [(end, "recover", node) for node in down]
    schedule += [(end, "slow", node, 1) for node in slowed]
    return schedule


class FaultControls:
    """The fault methods of :class:`~dynamolite.cluster.Cluster`, which acts them out:
    its nodes crash and recover, its network is cut, healed and slowed."""

    def crash(self, node):
        """``node`` stops now: it answers nothing; an in-memory node loses its data."""
        self._fault("crash", node)
        self.down.add(node)
        self.nodes[node].crash()
        if self.membership is not None:
            self.membership.crashed(node)

    def recover(self, node):
        """``node`` comes back now (with what its store kept), under a new clock actor name."""
        self._fault("recover", node)
        self.down.discard(node)
        self.nodes[node].recover()
        if self.membership is not None:
            self.membership.recovered(node)

    def partition(self, *groups):
        """Cut the network into ``groups`` of node (or datacenter) names until :meth:`heal`."""
        self._fault("partition", *groups)
        self.network.partition(groups_of(groups))

    def heal(self):
        """End the partition."""
        self._fault("heal")
        self.network.heal()

    def slow(self, node, factor):
        """Every message to or from ``node`` takes ``factor`` times as long (1 restores it)."""
        self._fault("slow", node, factor)
        self.network.slow(node, factor)

    def _fault(self, kind, *args):
        sites = tuple(self.regions.graph.nodes) if self.regions is not None else ()
        check_fault(kind, args, list(self.nodes), self.down, sites)
        if not self._may_fail:                   # from now on requests can fail: time them out
            self._may_fail = True
            for op in self.history:
                if op.needed and not op.done:
                    self.sim.at(max(self.sim.now, op.start + self.config.timeout),
                                self.requests.timeout, op)

    def _apply_fault(self, fault):
        kind, args = fault
        try:
            getattr(self, kind)(*args)
        except ConfigError as error:      # a fault applied by hand got there first
            raise ConfigError(f"the fault schedule's {(kind, *args)!r} cannot apply at "
                              f"{self.sim.now:g} ms: {error}") from None

"""The request coordinator: N replicas, R responses, W acknowledgements (Dynamo, sections 4.4-4.6).

A ``put`` or ``get`` for a key goes to a *coordinator* taken from the key's
preference list. For a put it makes the new version's clock (the context's
clock, advanced at the coordinator), sends it to the N replicas, and answers
the client after W acknowledgements. For a get it asks the N replicas and
answers after R responses with every version none of the others descends from
(the siblings). Late acknowledgements and responses are still delivered, just
not waited for: the write keeps spreading after the client has its answer.

Which N nodes? With a *strict* quorum (the default) always the key's N home
replicas, reachable or not: if fewer than R or W answer in time the request
fails, with a reason. With a *sloppy* quorum (section 4.6) the first N nodes
of the key's extended preference list that the coordinator's failure
detector believes up; a node beyond the home replicas stands in for one it
believes down and keeps the write as a *hint* for it (see
:mod:`dynamolite.cluster.handoff`).

All the choices live in one :class:`QuorumConfig`.
"""

from numbers import Real

from ..errors import ConfigError
from ..vclock import DottedVersionVector, latest
from .network import KINDS
from .node import merge_into

CLOCKS = ("server", "dvv")
"""Clock kinds: the paper's server-ID vector clocks, or dotted version vectors."""


class QuorumConfig:
    """N, R, W and the rest of what a coordinator follows, checked once.

    ``sloppy``: stand-ins for unreachable replicas (section 4.6). ``read_repair``:
    once every replica asked has answered a get, send the newest versions to
    those that lacked them (section 5). ``timeout``: ms a request waits for its
    quorum when something can fail. ``clocks``: ``"server"`` (the paper's
    server-ID vector clocks) or ``"dvv"`` (dotted version vectors).
    ``prune``: keep at most this many clock entries, dropping the oldest
    (section 4.4's truncation; None keeps all).

    >>> QuorumConfig(3, 2, 2).strict
    True
    >>> QuorumConfig(3, 4, 1)
    Traceback (most recent call last):
    ...
    dynamolite.errors.ConfigError: R=4 is greater than N=3: a read cannot wait for more replicas than hold the key; choose R <= N
    """

    __slots__ = ("n", "r", "w", "sloppy", "read_repair", "timeout", "clocks", "prune")

    def __init__(self, n=3, r=2, w=2, sloppy=False, read_repair=False, timeout=1000.0,
                 clocks="server", prune=None):
        for name, value in (("N", n), ("R", r), ("W", w)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if r > n:
            raise ConfigError(f"R={r} is greater than N={n}: a read cannot wait for more "
                              f"replicas than hold the key; choose R <= N")
        if w > n:
            raise ConfigError(f"W={w} is greater than N={n}: a write cannot wait for more "
                              f"acknowledgements than there are replicas; choose W <= N")
        if not isinstance(timeout, Real) or isinstance(timeout, bool) or not timeout > 0:
            raise ConfigError(f"timeout must be a positive number of ms, got {timeout!r}")
        if clocks not in CLOCKS:
            raise ConfigError(f"unknown clocks={clocks!r}: choose 'server' (the paper's server-ID "
                              f"vector clocks) or 'dvv' (dotted version vectors)")
        if prune is not None and (not isinstance(prune, int) or prune < 1):
            raise ConfigError(f"prune keeps at least one clock entry: a positive integer or None, got {prune!r}")
        self.n, self.r, self.w = n, r, w
        self.sloppy, self.read_repair = bool(sloppy), bool(read_repair)
        self.timeout, self.clocks, self.prune = float(timeout), clocks, prune

    @property
    def strict(self):
        """True if every read quorum meets every write quorum: R + W > N."""
        return self.r + self.w > self.n

    def __repr__(self):
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in ("sloppy", "read_repair", "prune")
                        if getattr(self, k))
        return f"QuorumConfig(n={self.n}, r={self.r}, w={self.w}, clocks={self.clocks!r}{extra})"


class Coordinator:
    """The message handlers of put and get, wired to a simulator, a network and the nodes.

    One object serves every node. Each handler receives one message (an
    :class:`~dynamolite.cluster.operation.Operation`, or a tuple starting with
    one), so the state of a request lives in its Operation. ``placement(key)``
    gives the key's extended preference list (its N home replicas first);
    ``down`` is the set of crashed nodes (a crashed node hears nothing);
    ``view(observer, node)``, if given, is the failure detector's opinion.
    """

    def __init__(self, sim, network, nodes, config, placement, down, on_complete, view=None):
        self.sim, self.network, self.nodes = sim, network, nodes
        self.config = config
        self.placement, self.down, self.view = placement, down, view
        self.on_complete = on_complete
        self._home = {}           # key -> [(replica, None)]: strict targets, cached
        self._push = sim.push
        self._draw = ({kind: network.sampler(kind) for kind in KINDS}   # None with regions
                      if network.model is not None else None)

    def send(self, op, src, dst, kind, handler, message):
        """Send a request's message; without faults or regions, drawn here directly (the hot path)."""
        network = self.network
        if network.plain and network.trace is None:
            sim = self.sim
            self._push(sim.now + self._draw[kind](sim.rng), handler, message)
        else:
            network.send(self.sim, src, dst, kind, handler, message, op.id)

    # -- who gets the request ---------------------------------------------------
    def targets(self, op):
        """``(node, intended)`` pairs for ``op``: ``intended`` is None for a home replica,
        else the home replica a stand-in replaces (sloppy quorum)."""
        n = self.config.n
        if not self.config.sloppy or self.view is None:
            home = self._home.get(op.key)
            if home is None:
                home = self._home[op.key] = [(name, None) for name in self.placement(op.key)[:n]]
            return home
        prefs = self.placement(op.key)
        me, view = op.coordinator, self.view
        chosen = [name for name in prefs if view(me, name)][:n]
        if me not in chosen:                  # the coordinator always keeps a copy itself
            chosen[-1:] = [me]
        home = prefs[:n]
        missing = [name for name in home if name not in chosen]
        return [(name, None if name in home else missing.pop(0)) for name in chosen]

    def _enough(self, op, targets):
        """Fail ``op`` at once if the coordinator already knows its quorum cannot be met."""
        if self.view is None and not self.config.sloppy:
            return True
        word = "W" if op.kind == "put" else "R"
        if self.config.sloppy:
            if len(targets) >= op.needed:
                return True
            reason = (f"only {len(targets)} node(s) are up in {op.coordinator}'s view; "
                      f"{word}={op.needed} cannot be met")
        else:
            if self.view is None:
                return True
            up = sum(1 for name, _ in targets if self.view(op.coordinator, name))
            if up >= op.needed:
                return True
            reason = (f"{op.coordinator}'s failure detector counts {up} of the {len(targets)} home "
                      f"replicas up; {word}={op.needed} cannot be met (a strict quorum has no stand-ins)")
        self.fail(op, reason)
        return False

    def _alive(self, op):
        """True if the process that took ``op`` still runs: its coordinator is up and has
        not restarted since (a node that crashed and came back has forgotten its requests)."""
        return op.coordinator not in self.down and self.nodes[op.coordinator].epoch == op.epoch

    def _start(self, op, targets):
        op.targets = targets
        op.epoch = self.nodes[op.coordinator].epoch
        if self.config.sloppy:
            op.standins = {name: intended for name, intended in targets if intended is not None}

    # -- put -----------------------------------------------------------------
    def coordinate_put(self, op):
        """At the coordinator: make the new version and send it to the replicas."""
        if op.coordinator in self.down:
            return                                # lost: the client times out
        coord = self.nodes[op.coordinator]
        config = self.config
        context = op.context_in.clock
        counter = coord.next_counter(context)
        if config.clocks == "dvv":
            clock = DottedVersionVector((coord.actor, counter), context)
        else:
            clock = context.increment(coord.actor, counter, time=self.sim.now)
        if config.prune is not None:
            clock = clock.truncate(config.prune)
        op.clock = clock
        targets = self.targets(op)
        if not self._enough(op, targets):
            return
        self._start(op, targets)
        versions = [(clock, op.value)]
        if config.clocks == "dvv":
            # The coordinator writes locally first (section 4.4) and sends what it then
            # holds for the key: a replica never gets a dot without the dots before it.
            store, key = self._slot(coord, op, dict(targets).get(coord.name))
            if merge_into(store, key, versions):
                coord.writes += 1
            versions = store.get(key)
            self._acked(op, coord.name)
            targets = [t for t in targets if t[0] != coord.name]
        for name, intended in targets:
            self.send(op, coord.name, name, "W", self.replica_put, (op, name, intended, versions))

    def _slot(self, node, op, intended):
        """(store, key) where ``node`` keeps ``op``'s key: its own store, or a hint for ``intended``."""
        if intended is None:
            return node.store, op.key
        return node.hints, (intended, op.key)

    def replica_put(self, message):
        """At a replica or stand-in: store the versions, acknowledge."""
        op, name, intended, versions = message
        if name in self.down:
            return
        node = self.nodes[name]
        if intended is None:
            node.merge(op.key, versions)
        else:
            merge_into(node.hints, (intended, op.key), versions)
        self.send(op, name, op.coordinator, "A", self.ack, (op, name))

    def ack(self, message):
        """At the coordinator: count acknowledgements; answer after W."""
        op, name = message
        if self._alive(op):
            self._acked(op, name)

    def _acked(self, op, name):
        op.heard += 1
        if op.done or op.heard > op.needed:
            return
        op.replicas.append(name)
        if op.heard == op.needed:
            self.reply(op)

    # -- get -----------------------------------------------------------------
    def coordinate_get(self, op):
        """At the coordinator: ask the replicas."""
        if op.coordinator in self.down:
            return
        targets = self.targets(op)
        if not self._enough(op, targets):
            return
        self._start(op, targets)
        for name, intended in targets:
            self.send(op, op.coordinator, name, "R", self.replica_get, (op, name, intended))

    def replica_get(self, message):
        """At a replica or stand-in: answer with its siblings for the key."""
        op, name, intended = message
        if name in self.down:
            return
        node = self.nodes[name]
        versions = node.store.get(op.key) if intended is None else node.hints.get((intended, op.key))
        self.send(op, name, op.coordinator, "S", self.response, (op, name, versions))

    def response(self, message):
        """At the coordinator: gather responses; after R, answer with the siblings."""
        op, name, versions = message
        if not self._alive(op):
            return
        op.heard += 1
        if self.config.read_repair:
            if op.answers is None:
                op.answers = []
            op.answers.append((name, versions))
            if op.heard == len(op.targets):
                self.repair(op)
        if op.done or op.heard > op.needed:
            return
        op.replicas.append(name)
        op.responses.append(versions)
        if op.heard == op.needed:
            self.finish_get(op)
            self.reply(op)

    def finish_get(self, op):
        responses = op.responses
        first = responses[0]
        if len(first) == 1 and all(len(r) == 1 and r[0][0] is first[0][0] for r in responses):
            versions = first                # every replica holds the same single version
        else:
            versions = latest([v for answer in responses for v in answer])
        op.clocks = [c for c, _ in versions]
        op.values = [v for _, v in versions]

    # -- read repair (section 5) ------------------------------------------------
    def repair(self, op):
        """Once every replica asked has answered, send the newest versions to each that lacked some."""
        newest = latest([v for _, answer in op.answers for v in answer])
        intended = dict(op.targets)
        for name, versions in op.answers:
            held = [c for c, _ in versions]
            if any(not any(h.descends(c) for h in held) for c, _ in newest):
                self.send(op, op.coordinator, name, "W", self.replica_repair,
                          (op.key, name, intended.get(name), newest))

    def replica_repair(self, message):
        """At a stale replica: store the versions read repair brought (no acknowledgement)."""
        key, name, intended, versions = message
        if name in self.down:
            return
        if intended is None:
            self.nodes[name].merge(key, versions)
        else:
            merge_into(self.nodes[name].hints, (intended, key), versions)

    # -- answering -------------------------------------------------------------
    def reply(self, op):
        """Send the answer back to the client (no time unless regions are modelled)."""
        if op.client is None:
            self.complete((op, True))
        else:
            self.send(op, op.coordinator, op.client, "C", self.complete, (op, True))

    def complete(self, message):
        """At the client: the answer, or a failure (``ok`` False)."""
        op, ok = message
        if op.done:
            return
        op.done, op.ok, op.end = True, ok, self.sim.now
        if not ok and op.kind == "get":
            op.values, op.clocks = [], []
        self.on_complete(op)

    def fail(self, op, reason):
        """The request fails now, for ``reason``."""
        if not op.done:
            op.error = reason
            self.complete((op, False))

    def timeout(self, op):
        """No quorum in time: the request fails, saying who answered and who did not."""
        if op.done:
            return
        if not op.targets:
            self.fail(op, f"no answer from the coordinator {op.coordinator} (down or cut off) "
                          f"within {self.config.timeout:g} ms")
            return
        word = "W" if op.kind == "put" else "R"
        if not self._alive(op):
            self.fail(op, f"timed out after {self.config.timeout:g} ms: the coordinator "
                          f"{op.coordinator} crashed during the request, with {len(op.replicas)} "
                          f"of {word}={op.needed} answers, and a crashed process forgets its requests")
            return
        silent = [name for name, _ in op.targets if name not in op.replicas]
        self.fail(op, f"timed out after {self.config.timeout:g} ms with {len(op.replicas)} of "
                      f"{word}={op.needed} answers (from {op.replicas}); no answer from {silent}")

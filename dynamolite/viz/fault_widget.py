"""Break a running cluster on purpose: crash, recover and partition nodes, watch it heal.

:class:`FaultWidget` owns a simulated :class:`~dynamolite.cluster.Cluster`
with a sloppy quorum (Dynamo, section 4.6), gossip failure detection (4.8)
and a light read-modify-write workload. Each control applies one fault to
the cluster at the current simulated time, exactly as ``cluster.crash(node)``
and the others do; "let time pass" advances simulated time while clients keep
reading and writing, stand-ins collect hints, hinted handoff delivers them
and (if switched on) anti-entropy compares Merkle trees (4.7).

The drawing is the cluster's real ring: each node's tokens at their true
angles (``360 * token / 2**128``), coloured by the side of the partition the
node is on, grey when it is down; the keys as dots, red where the replicas
disagree. Beside it, a table per node: up or down, what its failure detector
believes, how many hints it holds for others, how many keys it stores; and
the verdict of :func:`~dynamolite.cluster.checkers.divergence`.

Every control calls a public method (:meth:`FaultWidget.crash`,
:meth:`~FaultWidget.recover`, :meth:`~FaultWidget.partition`,
:meth:`~FaultWidget.heal`, :meth:`~FaultWidget.let_time_pass`,
:meth:`~FaultWidget.anti_entropy`), so code and tests drive it as a learner does:

>>> w = FaultWidget(nodes=5, seed=1)
>>> w.crash("n2")
>>> w.let_time_pass(1000)           # the failure detectors notice; stand-ins take n2's writes
>>> w.state()["n2"]["up"], w.hint_counts()["n2"], sum(w.hint_counts().values()) > 0
(False, 0, True)
>>> w.recover("n2"); w.let_time_pass(1000)
>>> sum(w.hint_counts().values())   # handed off
0
"""

import math
import random
from html import escape

from ..cluster import Cluster
from ..cluster.checkers import divergence
from ..errors import ConfigError
from ..ring import RING_SIZE, token

SIDES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"]
"""Colours of the partition's sides (the first is every node's when there is no partition)."""
DOWN = "#b0b0b0"
DIVERGED = "#d62728"


def _point(position, radius, centre):
    angle = 2 * math.pi * (position / RING_SIZE)
    return centre + radius * math.sin(angle), centre - radius * math.cos(angle)


def _label_positions(ticks):
    """One token per node to write its name at, each as far as possible from the names
    already placed (greedy), so that names of nodes with nearby tokens do not overlap."""
    placed = {}
    for name, positions in ticks.items():
        def room(t):
            return min([min((t - p) % RING_SIZE, (p - t) % RING_SIZE) for p in placed.values()],
                       default=RING_SIZE)
        placed[name] = max(positions, key=room)
    return placed


class FaultWidget:
    """A cluster to break and watch heal, with ipywidgets controls.

    ``nodes``, ``n``, ``r``, ``w``, ``seed`` and the keyword arguments in
    ``cluster_options`` build the :class:`~dynamolite.cluster.Cluster`
    (``sloppy=True``, ``clocks="dvv"``, a 300 ms request timeout and a 500 ms failure
    detector, which suspects live nodes less often than a shorter one, unless given). ``keys`` keys are
    written once at the start; while time passes a client reads one of them
    and writes it back every ``write_every_ms``.
    """

    def __init__(self, nodes=6, n=3, r=2, w=2, keys=24, seed=0, write_every_ms=20.0,
                 **cluster_options):
        if not write_every_ms > 0:
            raise ConfigError(f"write_every_ms must be positive, got {write_every_ms!r}")
        options = dict(sloppy=True, clocks="dvv", timeout=300.0, vnodes=4)
        options.update(cluster_options)
        self.cluster = Cluster(nodes, n=n, r=r, w=w, seed=seed, **options)
        self.keys = [f"key{i}" for i in range(keys)]
        self.write_every_ms = float(write_every_ms)
        self.rng = random.Random(seed)
        self.groups = None                  # the partition as the widget applied it
        self.requests = {"ok": 0, "failed": 0}
        self.last_error = None
        self.message = "Pick a node and break something; then let time pass."
        self.controls = None                # the ipywidgets, once widget() has built them
        self._count = 0
        for key in self.keys:
            self._answered(self.cluster.put(key, 0))
        self.cluster.run()                  # the last replicas get the first writes: all agree

    @property
    def nodes(self):
        return list(self.cluster.nodes)

    # -- the faults (the controls call these) --------------------------------
    def crash(self, node):
        """Crash ``node`` now (an in-memory node loses its data and its hints)."""
        self._apply(lambda: self.cluster.crash(node), f"crashed {node}")

    def recover(self, node):
        """Bring ``node`` back now (empty, writing under a new clock name)."""
        self._apply(lambda: self.cluster.recover(node), f"recovered {node}")

    def partition(self, *groups):
        """Cut the network between ``groups`` of node names (the unnamed nodes form one more)."""
        groups = [list(g) for g in groups]
        rest = [name for name in self.nodes if not any(name in g for g in groups)]
        if rest:
            groups.append(rest)

        def cut():
            self.cluster.partition(*groups)
            self.groups = groups
        self._apply(cut, "partitioned " + " | ".join(", ".join(g) for g in groups))

    def heal(self):
        """End the partition."""
        def mend():
            self.cluster.heal()
            self.groups = None
        self._apply(mend, "healed the partition")

    def anti_entropy(self):
        """Run one Merkle-tree exchange between every pair of connected live replicas now."""
        exchanges, repaired, compared = self.cluster.anti_entropy()
        self.message = (f"anti-entropy: {exchanges} exchanges compared {compared} hashes "
                        f"and repaired {repaired} keys")
        self.redraw()

    def _apply(self, fault, what):
        try:
            fault()
        except ConfigError as error:        # e.g. crashing a node that is down: say why, change nothing
            self.message = f"not done: {error}"
        else:
            self.message = what
        self.redraw()

    # -- time ------------------------------------------------------------------
    def let_time_pass(self, ms):
        """Advance simulated time by ``ms`` while the client reads and writes keys."""
        if not ms > 0:
            raise ConfigError(f"let time pass by a positive number of ms, got {ms!r}")
        start = self.cluster.now
        for i in range(int(ms // self.write_every_ms)):
            key = self.keys[self.rng.randrange(len(self.keys))]
            self.cluster.get_at(start + i * self.write_every_ms, key, callback=self._read)
        before = dict(self.requests)
        self.cluster.sleep(ms)
        done = {k: self.requests[k] - before[k] for k in before}
        self.message = (f"{ms:g} ms passed: {done['ok']} requests answered, {done['failed']} failed"
                        + (f" (last: {self.last_error})" if done["failed"] else ""))
        self.redraw()

    def _read(self, get):
        self._answered(get)
        if get.ok:
            self._count += 1
            self.cluster.put_at(self.cluster.now, get.key, self._count, get.context,
                                callback=self._answered)

    def _answered(self, op):
        self.requests["ok" if op.ok else "failed"] += 1
        if not op.ok:
            self.last_error = op.error

    # -- what the drawing shows ------------------------------------------------
    def hint_counts(self):
        """``{node: number of (intended node, key) hints it holds for others}``."""
        return {name: sum(len(keys) for keys in self.cluster.hints(name).values())
                for name in self.nodes}

    def divergence(self):
        """The divergence verdict of the cluster now."""
        return divergence(self.cluster)

    def side_of(self, node):
        """The index of ``node``'s side of the partition (0 when there is none)."""
        if self.groups is None:
            return 0
        return next(i for i, group in enumerate(self.groups) if node in group)

    def state(self):
        """Per node: ``up``, ``side`` of the partition, ``suspects`` (the nodes its failure
        detector believes down), ``hints`` held for others and ``keys`` stored."""
        hints = self.hint_counts()
        stored = {name: set() for name in self.nodes}
        for key in self.keys:
            for name, versions in self.cluster.replicas_of(key).items():
                if versions:
                    stored[name].add(key)
        out = {}
        for name in self.nodes:
            up = name not in self.cluster.down
            view = self.cluster.view(name) if self.cluster.membership is not None else {}
            out[name] = {"up": up, "side": self.side_of(name), "hints": hints[name],
                         "keys": len(stored[name]),
                         "suspects": sorted(k for k, v in view.items() if v == "down") if up else []}
        return out

    def svg(self, size=360):
        """The ring: each node's tokens coloured by its side (grey if down), keys as dots
        (red where replicas diverge). Each node is a ``<g class="dl-fnode">`` carrying
        ``data-node``, ``data-state`` and ``data-hints``; the ``<svg>`` carries the simulated
        time as ``data-now``, so a browser can tell when a redraw has happened."""
        c, r = size / 2, size * 0.38
        state = self.state()
        diverged = {key for key, _ in self.divergence().found}
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dl-faults" width="{size}" '
                 f'height="{size}" viewBox="0 0 {size} {size}" data-now="{self.cluster.now:.3f}">',
                 f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="#ccc" stroke-width="2"/>']
        ticks = {name: [] for name in self.nodes}
        for t, name in self.cluster.ring.tokens():
            ticks[name].append(t)
        labels = _label_positions(ticks)
        for name, positions in ticks.items():
            s = state[name]
            colour = SIDES[s["side"] % len(SIDES)] if s["up"] else DOWN
            path = "".join("M{:.1f} {:.1f}L{:.1f} {:.1f}".format(*_point(t, r - 10, c), *_point(t, r + 10, c))
                           for t in positions)
            x, y = _point(labels[name], r + 24, c)
            label = escape(name) + ("" if s["up"] else " \u2715") + (f" ({s['hints']})" if s["hints"] else "")
            parts.append(f'<g class="dl-fnode" data-node="{escape(name)}" '
                         f'data-state="{"up" if s["up"] else "down"}" data-hints="{s["hints"]}">'
                         f'<title>{escape(name)}: {"up" if s["up"] else "down"}, {s["hints"]} hints</title>'
                         f'<path d="{path}" stroke="{colour}" stroke-width="3"/>'
                         f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" '
                         f'fill="{colour}">{label}</text></g>')
        for key in self.keys:
            x, y = _point(token(key), r - 22, c)
            bad = key in diverged
            parts.append(f'<circle class="dl-key" data-key="{escape(key)}" data-diverged="{str(bad).lower()}" '
                         f'cx="{x:.1f}" cy="{y:.1f}" r="{4 if bad else 2.5}" '
                         f'fill="{DIVERGED if bad else "#555"}"/>')
        parts.append(f'<text x="{c}" y="{c + 4}" font-size="12" text-anchor="middle">'
                     f't = {self.cluster.now:.0f} ms</text></svg>')
        return "".join(parts)

    def readout(self):
        """The HTML table and verdict beside the ring."""
        rows = []
        for name, s in self.state().items():
            rows.append(f"<tr><td>{escape(name)}</td><td>{'up' if s['up'] else '<b>down</b>'}</td>"
                        f"<td>{escape(', '.join(s['suspects'])) or '-'}</td><td>{s['hints']}</td>"
                        f"<td>{s['keys']}</td></tr>")
        verdict = self.divergence()
        if verdict.valid:
            said = f"converged: all replicas of the {verdict.checked} keys agree, no hints left"
        else:
            said = f"<b>diverged</b>: {verdict.count} of {verdict.checked} keys; e.g. {escape(verdict.explain)}"
        return ('<div class="dl-fault-readout">'
                f"<p><b>{escape(self.message)}</b></p>"
                '<table style="border-spacing: 14px 2px"><tr><th>node</th><th>state</th>'
                "<th>believes down</th><th>hints held</th><th>keys stored</th></tr>"
                + "".join(rows) + "</table>"
                f"<p>{said}</p><p>requests so far: {self.requests['ok']} answered, "
                f"{self.requests['failed']} failed</p></div>")

    # -- the widgets ---------------------------------------------------------------
    def redraw(self):
        """Update the displayed widgets in place (nothing to do before :meth:`widget`)."""
        if self.controls is not None:
            self.controls["ring"].value = self.svg()
            self.controls["readout"].value = self.readout()

    def widget(self):
        """Build (once) and return the ipywidgets layout; its controls are in :attr:`controls`."""
        if self.controls is not None:
            return self.controls["box"]
        import ipywidgets as W
        names = self.nodes
        w = {
            "node": W.Dropdown(options=names, value=names[0], description="node",
                               layout=W.Layout(width="170px")),
            "crash": W.Button(description="crash", icon="bolt"),
            "recover": W.Button(description="recover", icon="medkit"),
            "side": W.SelectMultiple(options=names, rows=min(len(names), 6), description="cut off",
                                     layout=W.Layout(width="170px")),
            "partition": W.Button(description="partition", icon="cut"),
            "heal": W.Button(description="heal", icon="link"),
            "ms": W.IntSlider(value=500, min=50, max=3000, step=50, description="ms",
                              continuous_update=False, layout=W.Layout(width="320px")),
            "time": W.Button(description="let time pass", icon="clock-o"),
            "entropy": W.Button(description="anti-entropy now", icon="refresh"),
            "ring": W.HTML(), "readout": W.HTML(),
        }
        w["crash"].on_click(lambda _: self.crash(w["node"].value))
        w["recover"].on_click(lambda _: self.recover(w["node"].value))
        w["partition"].on_click(lambda _: self._partition_selected(w["side"].value))
        w["heal"].on_click(lambda _: self.heal())
        w["time"].on_click(lambda _: self.let_time_pass(w["ms"].value))
        w["entropy"].on_click(lambda _: self.anti_entropy())
        controls = W.VBox([W.HBox([w["node"], w["crash"], w["recover"]]),
                           W.HBox([w["side"], W.VBox([w["partition"], w["heal"]])]),
                           W.HBox([w["ms"], w["time"]]), w["entropy"]])
        w["box"] = W.VBox([controls, W.HBox([w["ring"], w["readout"]])])
        self.controls = w
        self.redraw()
        return w["box"]

    def _partition_selected(self, side):
        if not side or len(side) == len(self.nodes):
            self.message = "select some nodes (not all) in 'cut off' to partition them from the rest"
            self.redraw()
            return
        self.partition(list(side))

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget())

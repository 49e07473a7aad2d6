"""The interactive hash ring: the real tokens at their true angles.

:func:`ring_svg` draws a ring as SVG: a circle with one tick per token at
angle ``360 * token / 2**128`` (0 at the top, clockwise), one colour per
physical node, keys as dots at their own positions in their owner's colour,
and, for a looked-up key, its position and preference list.

:class:`RingWidget` wraps it in ipywidgets controls (nodes, virtual nodes per
node, replication factor N, add and remove buttons, a key to look up). Every
change redraws in place (the same HTML widgets get new SVG text: no new
figure, no flicker) and reports the share of keys that moved and each node's
load against the ideal ``1/n``. SVG, rather than a matplotlib image, keeps a
redraw of 20 nodes x 256 virtual nodes well under 100 ms and leaves every
node marker in the page for a browser to inspect.
"""

import math
from html import escape

import numpy as np

from ..ring import RING_SIZE, Ring

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]


def colour(i):
    """The colour of the i-th node (cycling through 20)."""
    return PALETTE[i % len(PALETTE)]


def _point(position, radius, centre):
    angle = 2 * math.pi * (position / RING_SIZE)
    return centre + radius * math.sin(angle), centre - radius * math.cos(angle)


def ring_svg(ring, keys=(), owners=None, highlight=None, n=3, size=380):
    """SVG text drawing ``ring``; ``keys`` as dots coloured by ``owners``.

    ``highlight`` is a key whose position and ``n``-node preference list are
    marked. Each physical node is one ``<g class="dl-node">`` element.
    """
    from ..ring import token
    c = size / 2
    r = size * 0.40
    index = {node: i for i, node in enumerate(ring.nodes)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dl-ring" width="{size}" '
             f'height="{size}" viewBox="0 0 {size} {size}">',
             f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="#bbb" stroke-width="2"/>']
    ticks = {node: [] for node in ring.nodes}
    for t, node in ring.tokens():
        x1, y1 = _point(t, r - 9, c)
        x2, y2 = _point(t, r + 9, c)
        ticks[node].append(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}")
    preference = ring.preference_list(highlight, n) if highlight is not None and len(ring) >= n else []
    for node, segments in ticks.items():
        width = 3.5 if node in preference else 1.5
        parts.append(f'<g class="dl-node" data-node="{escape(node)}"><title>{escape(node)}</title>'
                     f'<path d="{"".join(segments)}" stroke="{colour(index[node])}" '
                     f'stroke-width="{width}"/></g>')
    if owners is not None:
        dots = {}
        for key, owner in zip(keys, owners):
            x, y = _point(token(key), r - 20, c)
            dots.setdefault(owner, []).append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2"/>')
        for owner, circles in dots.items():
            parts.append(f'<g class="dl-keys" fill="{colour(index[owner])}" opacity="0.7">'
                         + "".join(circles) + "</g>")
    if highlight is not None:
        x, y = _point(token(highlight), r + 22, c)
        parts.append(f'<g class="dl-highlight"><circle cx="{x:.1f}" cy="{y:.1f}" r="6" '
                     f'fill="black"/><text x="{c}" y="{c - 8}" text-anchor="middle" '
                     f'font-size="13">{escape(str(highlight))}</text>')
        for rank, node in enumerate(preference, 1):
            parts.append(f'<text x="{c}" y="{c + 10 + 15 * rank}" text-anchor="middle" font-size="12" '
                         f'fill="{colour(index[node])}">{rank}. {escape(node)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def load_bars_svg(loads, ideal, width=380, height=200):
    """SVG bar chart of each node's share of the keys, with the ideal share dashed."""
    names = list(loads)
    top = max([*loads.values(), ideal, 1e-9]) * 1.15
    bar = (width - 40) / max(len(names), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dl-loads" width="{width}" height="{height}">',
             f'<text x="4" y="14" font-size="12">share of keys per node (dashed: ideal 1/n = {ideal:.1%})</text>']
    base = height - 20
    for i, name in enumerate(names):
        h = (base - 24) * loads[name] / top
        x = 30 + i * bar
        parts.append(f'<rect class="dl-bar" x="{x:.1f}" y="{base - h:.1f}" width="{max(bar - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{colour(i)}"><title>{escape(name)}: {loads[name]:.1%}'
                     f'</title></rect>')
        if len(names) <= 12:           # name the bars: they double as the ring's colour key
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 14}" font-size="10" '
                         f'text-anchor="middle">{escape(name)}</text>')
    y = base - (base - 24) * ideal / top
    parts.append(f'<line x1="26" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="black" '
                 f'stroke-dasharray="5,4"/><line x1="26" x2="{width - 6}" y1="{base}" y2="{base}" '
                 f'stroke="#888"/></svg>')
    return "".join(parts)


class RingWidget:
    """An interactive consistent-hashing ring for JupyterLab.

    >>> w = RingWidget(nodes=3, vnodes=4, keys=300)
    >>> w.set_nodes(4)
    >>> w.ring.nodes
    ['node-1', 'node-2', 'node-3', 'node-4']
    >>> 0 < w.moved_fraction < 0.6
    True

    Display it by leaving it as the last expression of a cell.
    """

    def __init__(self, nodes=4, vnodes=8, n=3, keys=1000, key_prefix="user"):
        self.keys = [f"{key_prefix}{i}" for i in range(keys)]
        self._next_id = nodes + 1
        self.ring = Ring([f"node-{i}" for i in range(1, nodes + 1)], vnodes=vnodes)
        self.n = n
        self.highlight = None
        self.moved_fraction = 0.0
        self.message = "Move a control to change the ring."
        self.owners = self.ring.lookup_many(self.keys)
        self._widgets = None

    # -- changes (the controls call these) --------------------------------
    def _changed(self, what):
        old = self.owners
        self.owners = self.ring.lookup_many(self.keys) if len(self.ring) else np.array([None] * len(self.keys))
        self.moved_fraction = float(np.mean(old != self.owners)) if len(self.keys) else 0.0
        self.message = what
        self.redraw()

    def _new_name(self):
        self._next_id += 1
        return f"node-{self._next_id - 1}"

    def add_node(self, name=None):
        """Add a node (named ``node-<k>`` unless given) and redraw."""
        name = name or self._new_name()
        self.ring.add_node(name)
        self._changed(f"added {name}")

    def remove_node(self, name=None):
        """Remove a node (the last added unless named) and redraw."""
        if len(self.ring) <= 1:
            self.message = "keep at least one node"
            self.redraw()
            return
        name = name or self.ring.nodes[-1]
        self.ring.remove_node(name)
        self._changed(f"removed {name}")

    def set_nodes(self, count):
        """Add or remove nodes until there are ``count`` (at least one), then redraw once."""
        count, before = max(count, 1), len(self.ring)
        if count == before:
            return
        while len(self.ring) < count:
            self.ring.add_node(self._new_name())
        while len(self.ring) > count:
            self.ring.remove_node(self.ring.nodes[-1])
        self._changed(f"{before} -> {count} nodes")

    def set_vnodes(self, vnodes):
        """Rebuild the ring with ``vnodes`` virtual nodes per node."""
        if vnodes == self.ring.vnodes:
            return
        self.ring = Ring(self.ring.nodes, vnodes=vnodes)
        self._changed(f"{vnodes} virtual nodes per node (every node gains or loses tokens, so keys move)")

    def set_n(self, n):
        """Set the replication factor N used for the highlighted key."""
        self.n = n
        self.redraw()

    def look_up(self, key):
        """Highlight ``key`` and its preference list."""
        self.highlight = key or None
        self.redraw()

    # -- drawing -----------------------------------------------------------
    def loads(self):
        """Each node's share of the sample keys."""
        if not len(self.keys):
            return {node: 0.0 for node in self.ring.nodes}
        names, counts = np.unique(self.owners.astype(str), return_counts=True)
        share = dict(zip(names.tolist(), (counts / len(self.keys)).tolist()))
        return {node: share.get(node, 0.0) for node in self.ring.nodes}

    def readout(self):
        """The text under the ring: what changed, how many keys moved, the balance."""
        k = len(self.ring)
        loads = self.loads()
        worst = max(loads.values()) * k if loads else 0
        lines = [f"<b>{escape(self.message)}</b>: {self.moved_fraction:.1%} of {len(self.keys)} keys moved",
                 f"{k} nodes x {self.ring.vnodes} virtual nodes; busiest node holds {worst:.2f}x its fair share"]
        if self.highlight is not None:
            n = min(self.n, k)
            pref = ", ".join(self.ring.preference_list(self.highlight, n))
            lines.append(f"key {escape(self.highlight)!s} -> preference list (N={n}): {escape(pref)}")
        return '<div class="dl-readout">' + "<br>".join(lines) + "</div>"

    def svgs(self):
        """The ring and load-chart SVG text for the current state."""
        ring = ring_svg(self.ring, self.keys[:400], self.owners[:400], self.highlight, min(self.n, len(self.ring)))
        return ring, load_bars_svg(self.loads(), 1 / len(self.ring))

    def redraw(self):
        """Recompute the drawings; update the displayed widgets in place."""
        ring, bars = self.svgs()
        if self._widgets is not None:
            w = self._widgets
            w["ring"].value, w["bars"].value, w["readout"].value = ring, bars, self.readout()
            w["nodes"].value = len(self.ring)
            w["remove"].options = self.ring.nodes
        return ring, bars

    def widget(self):
        """Build (once) and return the ipywidgets layout."""
        if self._widgets is not None:
            return self._widgets["box"]
        import ipywidgets as W
        style = {"description_width": "150px"}

        def wide():     # the default 300px leaves a 150px label only a stub of a slider track
            return W.Layout(width="460px")
        w = {
            "nodes": W.IntSlider(value=len(self.ring), min=1, max=32, description="nodes", style=style,
                                 continuous_update=False, layout=wide()),
            "vnodes": W.IntSlider(value=self.ring.vnodes, min=1, max=256, description="virtual nodes/node",
                                  style=style, continuous_update=False, layout=wide()),
            "n": W.IntSlider(value=self.n, min=1, max=5, description="replication N", style=style,
                             continuous_update=False, layout=wide()),
            "add": W.Button(description="add a node", icon="plus"),
            "remove": W.Dropdown(options=self.ring.nodes, description="node", layout=W.Layout(width="180px")),
            "remove_button": W.Button(description="remove it", icon="minus"),
            "key": W.Text(placeholder="a key, e.g. alice", description="look up key", style=style,
                          continuous_update=False),
            "ring": W.HTML(), "bars": W.HTML(), "readout": W.HTML(),
        }
        w["nodes"].observe(lambda ch: self.set_nodes(ch["new"]), names="value")
        w["vnodes"].observe(lambda ch: self.set_vnodes(ch["new"]), names="value")
        w["n"].observe(lambda ch: self.set_n(ch["new"]), names="value")
        w["add"].on_click(lambda _: self.add_node())
        w["remove_button"].on_click(lambda _: self.remove_node(w["remove"].value))
        w["key"].observe(lambda ch: self.look_up(ch["new"]), names="value")
        controls = W.VBox([w["nodes"], w["vnodes"], w["n"],
                           W.HBox([w["add"], w["remove"], w["remove_button"]]), w["key"]])
        w["box"] = W.VBox([controls, W.HBox([w["ring"], w["bars"]]), w["readout"]])
        self._widgets = w
        self.redraw()
        return w["box"]

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget())

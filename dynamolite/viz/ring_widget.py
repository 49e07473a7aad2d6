"""The interactive hash ring: the real tokens at their true angles.

:func:`ring_svg` draws a ring as SVG: a circle with one tick per token at
angle ``360 * token / 2**128`` (0 at the top, clockwise), one colour per
physical node, keys as dots at their own positions in their owner's colour,
and, for a looked-up key, its position, the walk clockwise to the tokens that
chose its preference list (section 4.3), and the list itself. A lookup only
adds marks: the ticks keep their colour and width.

:class:`RingWidget` wraps it in ipywidgets controls (nodes, virtual nodes per
node, replication factor N, add and remove buttons, a key to look up). Every
change redraws in place (the same HTML widgets get new SVG text: no new
figure, no flicker) and reports the share of sample keys that moved and each
node's share of the ring, computed exactly from the tokens
(:meth:`~dynamolite.ring.Ring.ownership`). A node keeps its colour for the
widget's life, whatever joins or leaves. SVG, rather than a matplotlib image,
keeps a redraw of 20 nodes x 256 virtual nodes well under 100 ms and leaves
every node marker in the page for a browser to inspect.
"""

import math
from html import escape
from types import SimpleNamespace

import numpy as np

from ..ring import RING_SIZE, Ring, token

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
           "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]


def colour(i):
    """The i-th colour of the palette (cycling through 20)."""
    return PALETTE[i % len(PALETTE)]


def plural(count, noun):
    """ "1 node", "3 nodes"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _point(position, radius, centre):
    angle = 2 * math.pi * (position / RING_SIZE)
    return centre + radius * math.sin(angle), centre - radius * math.cos(angle)


def ring_svg(ring, keys=(), owners=None, highlight=None, n=3, size=380, colours=None):
    """SVG text drawing ``ring``; ``keys`` as dots coloured by ``owners``.

    ``colours`` maps node names to colours (default: the palette in ring
    order). ``highlight`` is a key whose position, walk and ``n``-node
    preference list are marked. Each physical node is one
    ``<g class="dl-node" data-node=...>`` element.
    """
    colours = colours or {node: colour(i) for i, node in enumerate(ring.nodes)}
    c = size / 2
    r = size * 0.40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dl-ring" width="{size}" '
             f'height="{size}" viewBox="0 0 {size} {size}">',
             f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="#bbb" stroke-width="2"/>']
    ticks = {node: [] for node in ring.nodes}
    for t, node in ring.tokens():
        x1, y1 = _point(t, r - 9, c)
        x2, y2 = _point(t, r + 9, c)
        ticks[node].append(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}")
    for node, segments in ticks.items():
        parts.append(f'<g class="dl-node" data-node="{escape(node)}"><title>{escape(node)}</title>'
                     f'<path d="{"".join(segments)}" stroke="{colours[node]}" stroke-width="1.5"/></g>')
    if owners is not None:
        dots = {}
        for key, owner in zip(keys, owners):
            x, y = _point(token(key), r - 20, c)
            dots.setdefault(owner, []).append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2"/>')
        for owner, circles in dots.items():
            parts.append(f'<g class="dl-keys" fill="{colours[owner]}" opacity="0.7">'
                         + "".join(circles) + "</g>")
    if highlight is not None and len(ring) >= n:
        parts.append(_highlight_svg(ring, highlight, n, c, r, colours))
    parts.append("</svg>")
    return "".join(parts)


def _highlight_svg(ring, key, n, c, r, colours):
    """The key's dot, an arc along its clockwise walk, a numbered mark at each chosen token."""
    walk = ring.walk(key, n)
    start, end = token(key), walk[-1][1]
    span = (end - start) % RING_SIZE
    x0, y0 = _point(start, r + 16, c)
    x1, y1 = _point(end, r + 16, c)
    large = 1 if span > RING_SIZE / 2 else 0
    parts = [f'<g class="dl-highlight"><path d="M{x0:.1f} {y0:.1f}A{r + 16:.1f} {r + 16:.1f} 0 {large} 1 '
             f'{x1:.1f} {y1:.1f}" fill="none" stroke="black" stroke-width="1.5" stroke-dasharray="3,3"/>',
             f'<circle cx="{x0:.1f}" cy="{y0:.1f}" r="5" fill="black"/>',
             f'<text x="{c}" y="{c - 8}" text-anchor="middle" font-size="13">{escape(str(key))}</text>']
    for rank, (node, t) in enumerate(walk, 1):
        x, y = _point(t, r + 16, c)
        parts.append(f'<circle class="dl-chosen" data-node="{escape(node)}" cx="{x:.1f}" cy="{y:.1f}" '
                     f'r="7" fill="white" stroke="{colours[node]}" stroke-width="2.5"/>'
                     f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="9">{rank}</text>')
        parts.append(f'<text x="{c}" y="{c + 10 + 15 * rank}" text-anchor="middle" font-size="12" '
                     f'fill="{colours[node]}">{rank}. {escape(node)}</text>')
    parts.append("</g>")
    return "".join(parts)


def load_bars_svg(shares, ideal, colours=None, width=380, height=200):
    """SVG bar chart of each node's share of the ring, the ideal share dashed, a labelled y axis."""
    names = list(shares)
    colours = colours or {name: colour(i) for i, name in enumerate(names)}
    top = max([*shares.values(), ideal, 1e-9]) * 1.15
    left, base = 46, height - 20
    bar = (width - left - 6) / max(len(names), 1)
    plot = base - 24

    def y_of(value):
        return base - plot * value / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dl-loads" width="{width}" height="{height}">',
             f'<text x="4" y="14" font-size="12">each node\'s share; dashed: fair share {ideal:.1%}</text>',
             f'<text transform="translate(11 {base - plot / 2:.0f}) rotate(-90)" text-anchor="middle" '
             f'font-size="11">share of the ring</text>']
    for value in (0, top / 1.15 / 2, top / 1.15):            # y axis: 0, half and the tallest bar
        parts.append(f'<text x="{left - 4}" y="{y_of(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="10">{value:.0%}</text>')
    for i, name in enumerate(names):
        h = plot * shares[name] / top
        x = left + 2 + i * bar
        parts.append(f'<rect class="dl-bar" data-node="{escape(name)}" x="{x:.1f}" y="{base - h:.1f}" '
                     f'width="{max(bar - 2, 1):.1f}" height="{h:.1f}" fill="{colours[name]}">'
                     f'<title>{escape(name)}: {shares[name]:.1%}</title></rect>')
        if len(names) <= 12:           # name the bars: they double as the ring's colour key
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 14}" font-size="10" '
                         f'text-anchor="middle">{escape(name)}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{base - plot}" y2="{base}" stroke="#888"/>'
                 f'<line x1="{left}" x2="{width - 6}" y1="{y_of(ideal):.1f}" y2="{y_of(ideal):.1f}" '
                 f'stroke="black" stroke-dasharray="5,4"/><line x1="{left}" x2="{width - 6}" y1="{base}" '
                 f'y2="{base}" stroke="#888"/></svg>')
    return "".join(parts)


class RingWidget:
    """An interactive consistent-hashing ring for JupyterLab.

    >>> w = RingWidget(nodes=3, vnodes=4, keys=300)
    >>> w.set_nodes(4)
    >>> w.ring.nodes
    ['node-1', 'node-2', 'node-3', 'node-4']
    >>> 0 < w.moved_fraction < 0.6
    True
    >>> w.shares() == w.ring.ownership()
    True

    Display it by leaving it as the last expression of a cell. Once shown,
    ``w.controls`` holds its controls (``nodes``, ``vnodes``, ``n``, ``add``,
    ``remove``, ``remove_button``, ``key``) and ``w.views`` what they draw
    (``ring``, ``bars``, ``readout``); setting a control's value or clicking a
    button changes the widget exactly as a learner's hand does.
    """

    MAX_NODES = 32

    def __init__(self, nodes=4, vnodes=8, n=3, keys=1000, key_prefix="user"):
        self.keys = [f"{key_prefix}{i}" for i in range(keys)]
        self._next_id = nodes + 1
        self.ring = Ring([f"node-{i}" for i in range(1, nodes + 1)], vnodes=vnodes)
        self.n = min(n, nodes)
        self.highlight = None
        self.moved_fraction = None          # None until the ring first changes
        self.message = "Move a control to change the ring"
        self.owners = self.ring.lookup_many(self.keys)
        self.colours = {}
        for node in self.ring.nodes:
            self.colour_of(node)
        self.controls = self.views = None
        self._box = None

    def colour_of(self, node):
        """The node's colour: given when it first appears, kept while the widget lives."""
        if node not in self.colours:
            self.colours[node] = colour(len(self.colours))
        return self.colours[node]

    # -- changes (the controls call these) --------------------------------
    def _changed(self, what):
        old = self.owners
        self.owners = self.ring.lookup_many(self.keys)
        self.moved_fraction = float(np.mean(old != self.owners)) if len(self.keys) else 0.0
        for node in self.ring.nodes:
            self.colour_of(node)
        self.n = min(self.n, len(self.ring))
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
        self._changed(f"{before} -> {plural(count, 'node')}")

    def set_vnodes(self, vnodes):
        """Rebuild the ring with ``vnodes`` virtual nodes per node."""
        if vnodes == self.ring.vnodes:
            return
        self.ring = Ring(self.ring.nodes, vnodes=vnodes)
        self._changed(f"{plural(vnodes, 'virtual node')} per node (every node gains or loses "
                      f"tokens, so keys move)")

    def set_n(self, n):
        """Set the replication factor N used for the highlighted key (at most the node count)."""
        self.n = max(1, min(n, len(self.ring)))
        self.redraw()

    def look_up(self, key):
        """Highlight ``key`` and its preference list."""
        self.highlight = key or None
        self.redraw()

    # -- drawing -----------------------------------------------------------
    def shares(self):
        """Each node's share of the ring, exact from the tokens (``ring.ownership()``)."""
        return self.ring.ownership()

    def busiest(self):
        """``(node, share, share / fair share)`` of the node owning the largest share."""
        shares = self.shares()
        node = max(shares, key=shares.get)
        return node, shares[node], shares[node] * len(shares)

    def readout(self):
        """The text under the ring: what changed, how many keys moved, the balance, the lookup."""
        k = len(self.ring)
        if self.moved_fraction is None:
            first = f"<b>{escape(self.message)}</b>."
        else:
            first = (f"<b>{escape(self.message)}</b>: {self.moved_fraction:.1%} of "
                     f"{plural(len(self.keys), 'sample key')} moved")
        node, share, ratio = self.busiest()
        lines = [first,
                 f"{plural(k, 'node')} x {plural(self.ring.vnodes, 'virtual node')}; busiest node "
                 f"{escape(node)} owns {share:.1%} of the ring, {ratio:.2f}x its fair share "
                 f"({1 / k:.1%})"]
        if self.highlight is not None:
            pref = ", ".join(self.ring.preference_list(self.highlight, self.n))
            lines.append(f"key {escape(self.highlight)} -> preference list (N={self.n}): {escape(pref)}")
        return '<div class="dl-readout">' + "<br>".join(lines) + "</div>"

    def svgs(self):
        """The ring and load-chart SVG text for the current state."""
        ring = ring_svg(self.ring, self.keys[:400], self.owners[:400], self.highlight, self.n,
                        colours=self.colours)
        return ring, load_bars_svg(self.shares(), 1 / len(self.ring), self.colours)

    def redraw(self):
        """Recompute the drawings; update the displayed widgets in place."""
        ring, bars = self.svgs()
        if self.views is not None:
            self.views.ring.value, self.views.bars.value = ring, bars
            self.views.readout.value = self.readout()
            c, k = self.controls, len(self.ring)
            c.nodes.max = max(c.nodes.max, k)
            c.nodes.value = k
            c.n.max = k                     # N can be at most the number of nodes
            c.n.value = self.n
            c.remove.options = self.ring.nodes
        return ring, bars

    def widget(self):
        """Build (once) and return the ipywidgets layout."""
        if self._box is not None:
            return self._box
        import ipywidgets as W
        style = {"description_width": "150px"}

        def wide():     # the default 300px leaves a 150px label only a stub of a slider track
            return W.Layout(width="460px")
        c = SimpleNamespace(
            nodes=W.IntSlider(value=len(self.ring), min=1, max=max(self.MAX_NODES, len(self.ring)),
                              description="nodes", style=style, continuous_update=False, layout=wide()),
            vnodes=W.IntSlider(value=self.ring.vnodes, min=1, max=256, description="virtual nodes/node",
                               style=style, continuous_update=False, layout=wide()),
            n=W.IntSlider(value=self.n, min=1, max=len(self.ring), description="replication N",
                          style=style, continuous_update=False, layout=wide()),
            add=W.Button(description="add a node", icon="plus"),
            remove=W.Dropdown(options=self.ring.nodes, description="node", layout=W.Layout(width="180px")),
            remove_button=W.Button(description="remove it", icon="minus"),
            key=W.Text(placeholder="a key, e.g. alice", description="look up key", style=style,
                       continuous_update=False))
        v = SimpleNamespace(ring=W.HTML(), bars=W.HTML(), readout=W.HTML())
        c.nodes.observe(lambda ch: self.set_nodes(ch["new"]), names="value")
        c.vnodes.observe(lambda ch: self.set_vnodes(ch["new"]), names="value")
        c.n.observe(lambda ch: self.set_n(ch["new"]), names="value")
        c.add.on_click(lambda _: self.add_node())
        c.remove_button.on_click(lambda _: self.remove_node(c.remove.value))
        c.key.observe(lambda ch: self.look_up(ch["new"]), names="value")
        controls = W.VBox([c.nodes, c.vnodes, c.n, W.HBox([c.add, c.remove, c.remove_button]), c.key])
        self._box = W.VBox([controls, W.HBox([v.ring, v.bars]), v.readout])
        self.controls, self.views = c, v
        self.redraw()
        return self._box

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget())

"""Draw versions as a graph: an arrow from each version to the versions that directly descend from it.

Dynamo's Figure 3 (section 4.4) is such a graph. Here it is computed from the
clocks themselves: version b gets an arrow from version a when b's clock
*descends* from a's and no third version sits between them (the transitive
reduction), so two versions with no path between them are *concurrent*:
siblings a read would return together. Works for
:class:`~dynamolite.vclock.VectorClock` and
:class:`~dynamolite.vclock.DottedVersionVector` alike, because it asks only
``descends``.

>>> from dynamolite.vclock import VectorClock
>>> d1 = VectorClock().increment("Sx")
>>> d2 = d1.increment("Sx")
>>> g = version_graph({"D1": d1, "D2": d2, "D3": d2.increment("Sy"), "D4": d2.increment("Sz")})
>>> sorted(g.edges)
[('D1', 'D2'), ('D2', 'D3'), ('D2', 'D4')]

Cost: O(v^2) clock comparisons for v versions (fine for the tens a lesson draws).
"""

import textwrap

import matplotlib.pyplot as plt
import networkx as nx


def version_graph(versions):
    """The directed graph of ``versions`` (``{label: clock}`` or ``[(label, clock)]``):
    an edge ``a -> b`` when b's clock descends from a's, directly. Two versions with
    equal clocks get no edge (neither is newer)."""
    items = list(versions.items() if isinstance(versions, dict) else versions)
    g = nx.DiGraph()
    for label, clock in items:
        g.add_node(label, clock=clock)
    for a, ca in items:
        for b, cb in items:
            if a != b and cb.descends(ca) and not ca.descends(cb):
                g.add_edge(a, b)
    reduced = nx.transitive_reduction(g)
    reduced.add_nodes_from(g.nodes(data=True))
    return reduced


def plot_versions(versions, ax=None, final=(), lost=(), title=None):
    """Draw the version graph left to right by generation; return the axes.

    Each version is a box with its label and clock; ``final`` labels are drawn
    green (what replicas keep), ``lost`` labels red (an acknowledged write that
    nothing kept), the others grey.
    """
    g = version_graph(versions)
    if ax is None:
        ax = plt.subplots(figsize=(8, 3.5))[1]
    pos = {}
    for x, generation in enumerate(nx.topological_generations(g)):
        for i, label in enumerate(sorted(generation, key=str)):
            pos[label] = (x, (len(generation) - 1) / 2 - i)
    boxes = {}
    for v, (x, y) in pos.items():
        colour = "#98df8a" if v in final else "#ff9896" if v in lost else "#e8e8e8"
        text = "\n".join(textwrap.wrap(str(v), 22, break_on_hyphens=False)) + f"\n{g.nodes[v]['clock']}"
        boxes[v] = ax.text(x, y, text, ha="center", va="center", fontsize=7,
                           bbox=dict(boxstyle="round,pad=0.4", facecolor=colour, edgecolor="#444"))
    for a, b in g.edges:
        ax.annotate("", xy=pos[b], xytext=pos[a],
                    arrowprops=dict(arrowstyle="-|>", color="#555", shrinkA=0, shrinkB=0,
                                    patchA=boxes[a].get_bbox_patch(), patchB=boxes[b].get_bbox_patch()))
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax

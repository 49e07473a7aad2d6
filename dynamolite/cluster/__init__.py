"""The cluster room: a simulated Dynamo cluster (Dynamo, sections 4.1-4.8).

A deterministic discrete-event simulator (``sim``) drives a network of
latency models and faults (``network``), storage nodes (``node``) and a
request coordinator with N, R, W quorums and read repair (``coordinator``);
``cluster`` wires them into the learner's front door, :class:`Cluster`.
``checkers`` judges histories (stale reads), ``pbs`` computes
Probabilistically Bounded Staleness.

>>> from dynamolite.cluster import Cluster
>>> c = Cluster(3, n=3, r=2, w=2, seed=1)
>>> c.put("k", "v").ok, c.get("k").values
(True, ['v'])
"""

from .cluster import Cluster, Context, Operation

__all__ = ["Cluster", "Context", "Operation"]

"""dynamolite: a small, readable Dynamo-style database for teaching.

One paper concept per module: ``ring`` (consistent hashing), ``vclock``
(vector clocks), ``sim`` and ``network`` (a deterministic simulator),
``cluster`` (quorums), ``pbs`` (staleness), ``table`` (a DynamoDB-style table).
"""

from .ring import ModNPartitioner, RangePartitioner, Ring, moved_keys, token
from .table import resource
from .cluster import Cluster
from .pbs import k_staleness, staleness_probability, wars

__all__ = ["Ring", "ModNPartitioner", "RangePartitioner", "moved_keys", "token", "resource",
           "Cluster", "wars", "staleness_probability", "k_staleness"]
__version__ = "0.1.0"

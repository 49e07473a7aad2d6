"""dynamolite: a small, readable Dynamo-style database for teaching.

One paper concept per module: ``ring`` (consistent hashing), ``vclock``
(vector clocks), ``sim`` and ``network`` (a deterministic simulator),
``cluster`` (quorums), ``pbs`` (staleness), ``table`` (a DynamoDB-style table).
"""

from .ring import ModNPartitioner, RangePartitioner, Ring, moved_keys, token
from .table import resource

__all__ = ["Ring", "ModNPartitioner", "RangePartitioner", "moved_keys", "token", "resource"]
__version__ = "0.1.0"

"""One exception hierarchy for the kit.

Every error a learner can trigger by bad input is a subclass of
:class:`DynamoliteError`, and its message names the rule that was broken and
what to do instead. Each also subclasses the closest built-in exception
(``ValueError``, ``TypeError``, ``LookupError``) so ordinary ``except`` clauses
keep working.
"""


class DynamoliteError(Exception):
    """Base class of every error raised on purpose by dynamolite."""


class ConfigError(DynamoliteError, ValueError):
    """A configuration that cannot work (R > N, N > nodes, a negative delay...)."""


class SimulationError(DynamoliteError, RuntimeError):
    """The simulator used in a way that cannot work (running it from inside an event)."""


class UsageError(DynamoliteError, TypeError):
    """A call that does not fit its object (unpacking a put as ``values, context``)."""


class CourseError(DynamoliteError, RuntimeError):
    """A course step that cannot go on: nbgrader failed, a notebook is not part of the kit."""


class KeyTypeError(DynamoliteError, TypeError):
    """A key that is neither ``str`` nor ``bytes``."""


class RingError(DynamoliteError, ValueError):
    """Base class of errors about the consistent-hashing ring."""


class EmptyRingError(RingError):
    """A lookup on a ring that has no nodes."""


class NodeNameError(RingError, TypeError):
    """A node name that is not a non-empty string."""


class DuplicateNodeError(RingError):
    """A node added to a ring that already holds it."""


class UnknownNodeError(RingError, LookupError):
    """A node named that the ring (or cluster) does not hold."""


class TooFewNodesError(RingError):
    """A preference list longer than the number of physical nodes."""

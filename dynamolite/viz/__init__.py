"""Visualizations: the interactive ring and fault widgets, and plotting helpers.

Widgets need a running Jupyter front end to be seen, but every widget here can
also be driven from code (its methods change it exactly as its controls do),
which is how the tests and benchmarks use it.
"""

from .fault_widget import FaultWidget
from .ring_widget import RingWidget, ring_svg

__all__ = ["FaultWidget", "RingWidget", "ring_svg"]

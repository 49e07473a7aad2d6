"""The version graph is computed from the clocks: arrows only where one version directly descends."""

import matplotlib

matplotlib.use("Agg")

from matplotlib.colors import to_hex  # noqa: E402

from dynamolite.cluster import Cluster  # noqa: E402
from dynamolite.vclock import DottedVersionVector, VectorClock  # noqa: E402
from dynamolite.viz.versions import plot_versions, version_graph  # noqa: E402


def test_a_chain_keeps_only_direct_arrows_and_siblings_get_none():
    a = VectorClock().increment("A")
    b = a.increment("B")
    c = b.increment("C")
    d = b.increment("D")
    g = version_graph([("a", a), ("b", b), ("c", c), ("d", d), ("e", c.merge(d).increment("A"))])
    assert sorted(g.edges) == [("a", "b"), ("b", "c"), ("b", "d"), ("c", "e"), ("d", "e")]
    assert g.nodes["c"]["clock"] is c


def test_dotted_versions_with_one_past_stay_concurrent_and_equal_clocks_get_no_arrow():
    past = VectorClock({"n1": 1})
    g = version_graph({"x": DottedVersionVector(("n0", 1), past), "y": DottedVersionVector(("n0", 2), past)})
    assert list(g.edges) == []
    same = VectorClock({"A": 1})
    assert list(version_graph({"p": same, "q": VectorClock({"A": 1})}).edges) == []


def test_plot_draws_a_box_per_version_coloured_by_fate():
    c = Cluster(3, n=3, r=2, w=2, seed=0)
    first = c.put("cart", frozenset({"milk"}))
    values, context = c.get("cart")
    second = c.put("cart", frozenset({"milk", "eggs"}), context)
    ax = plot_versions([("first", first.clock), ("second", second.clock)], final=["second"],
                       lost=["first"], title="t")
    boxes = {t.get_text().split("\n")[0]: to_hex(t.get_bbox_patch().get_facecolor())
             for t in ax.texts if t.get_text()}
    assert boxes == {"first": "#ff9896", "second": "#98df8a"}
    arrows = [t for t in ax.texts if not t.get_text()]        # annotations carrying an arrow
    assert len(arrows) == 1 and arrows[0].xy == (1, 0.0)      # first (x=0) -> second (x=1)
    assert ax.get_title() == "t"

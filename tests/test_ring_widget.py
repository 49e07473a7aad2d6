"""The ring widget draws the real ring and tells the truth, driven through its public
controls (``w.controls``) as a learner's hand would (no browser)."""

import math
import re

import pytest

from dynamolite.ring import RING_SIZE, Ring
from dynamolite.viz import RingWidget, ring_svg


def node_colours(svg):
    """``{node: stroke colour}`` of the ring's tick groups."""
    return dict(re.findall(r'<g class="dl-node" data-node="([^"]+)">.*?stroke="([^"]+)"', svg))


def bar_shares(svg):
    """``{node: share in percent}`` from the load bars' titles."""
    return {name: float(share) for name, share in re.findall(r"<title>([^<:]+): ([\d.]+)%</title>", svg)}


@pytest.fixture
def shown():
    """A widget whose ipywidgets are built, as in a notebook."""
    def make(**kwargs):
        w = RingWidget(**kwargs)
        w.widget()
        return w
    return make


def test_svg_draws_one_group_per_node_and_one_tick_per_token():
    ring = Ring(["a", "b", "c"], vnodes=5)
    svg = ring_svg(ring)
    assert svg.count('class="dl-node"') == 3
    assert sum(g.count("M") for g in re.findall(r'<path d="([^"]+)"', svg)) == 15


def test_ticks_sit_at_the_tokens_true_angles():
    ring = Ring(["a"], vnodes=1)
    (t, _), = ring.tokens()
    svg = ring_svg(ring, size=400)
    x1, y1 = map(float, re.search(r'd="M([\d.]+) ([\d.]+)L', svg).groups())
    angle = 2 * math.pi * t / RING_SIZE
    r = 400 * 0.40 - 9
    assert abs(x1 - (200 + r * math.sin(angle))) < 0.1 and abs(y1 - (200 - r * math.cos(angle))) < 0.1


def test_nodes_slider_redraws_and_reports_moved_keys(shown):
    w = shown(nodes=4, vnodes=32, keys=2000)
    box = w.widget()
    before = w.views.ring.value
    w.controls.nodes.value = 5
    assert len(w.ring) == 5
    assert w.views.ring.value != before
    assert w.views.ring.value.count('class="dl-node"') == 5
    assert 0.12 < w.moved_fraction < 0.28          # about 1/5
    assert "4 -&gt; 5 nodes" in w.views.readout.value and "moved" in w.views.readout.value
    assert box is w.widget()                       # built once, updated in place


def test_a_node_keeps_its_colour_when_another_is_removed_or_added(shown):
    w = shown(nodes=5, vnodes=8, keys=500)
    before = node_colours(w.views.ring.value)
    assert len(set(before.values())) == 5
    w.controls.remove.value = "node-2"
    w.controls.remove_button.click()
    after = node_colours(w.views.ring.value)
    assert set(after) == {"node-1", "node-3", "node-4", "node-5"}
    assert all(after[node] == before[node] for node in after), (before, after)
    w.controls.add.click()
    w.controls.vnodes.value = 16
    again = node_colours(w.views.ring.value)
    assert all(again[node] == before[node] for node in after)
    assert again["node-6"] not in after.values()   # the newcomer gets a colour of its own
    bars = dict(re.findall(r'<rect class="dl-bar" data-node="([^"]+)"[^>]*fill="([^"]+)"', w.views.bars.value))
    assert bars == again                           # the bars use the ring's colours


def test_bars_and_busiest_node_come_from_exact_ownership(shown):
    w = shown(nodes=32, vnodes=253, keys=1000)
    shares = w.ring.ownership()
    drawn = bar_shares(w.views.bars.value)
    assert drawn.keys() == shares.keys()
    assert all(abs(drawn[node] - 100 * shares[node]) < 0.051 for node in shares)
    busiest = max(shares, key=shares.get)
    readout = w.views.readout.value
    assert f"busiest node {busiest} owns {shares[busiest]:.1%}" in readout
    assert f"{shares[busiest] * 32:.2f}x its fair share" in readout
    assert shares[busiest] * 32 < 1.2               # 253 virtual nodes: close to even
    assert "share of the ring" in w.views.bars.value   # the y axis says what it measures


def test_lookup_marks_the_preference_list_without_repainting_the_ring(shown):
    w = shown(nodes=8, vnodes=64, keys=500)
    plain = w.views.ring.value
    w.controls.key.value = "alice"
    marked = w.views.ring.value
    ticks = re.compile(r'<g class="dl-node".*?</g>')
    assert ticks.findall(marked) == ticks.findall(plain)      # same ticks, same colours, same widths
    w.controls.n.value = 3
    chosen = re.findall(r'class="dl-chosen" data-node="([^"]+)"', w.views.ring.value)
    assert chosen == w.ring.preference_list("alice", 3)
    assert f"preference list (N=3): {', '.join(chosen)}" in w.views.readout.value


def test_n_slider_follows_the_node_count(shown):
    w = shown(nodes=4, vnodes=8, n=3, keys=100)
    assert w.controls.n.max == 4
    w.controls.key.value = "alice"
    w.controls.nodes.value = 2
    assert w.controls.n.max == 2 and w.controls.n.value == 2 and w.n == 2
    assert "preference list (N=2)" in w.views.readout.value
    w.controls.nodes.value = 6
    assert w.controls.n.max == 6 and w.controls.n.value == 2
    for _ in range(30):                            # past the slider's 32: it stretches, never removes
        w.controls.add.click()
    assert len(w.ring) == 36 and w.controls.nodes.value == 36


def test_text_says_one_node_and_one_virtual_node_and_no_stray_punctuation(shown):
    w = shown(nodes=1, vnodes=1, keys=100)
    text = re.sub(r"<[^>]+>", "", w.views.readout.value)
    assert text.startswith("Move a control to change the ring.")
    assert "1 node x 1 virtual node;" in text and ".:" not in text
    w.controls.nodes.value = 2
    w.controls.nodes.value = 1
    assert "2 -&gt; 1 node</b>:" in w.views.readout.value
    w.controls.vnodes.value = 2
    w.controls.vnodes.value = 1
    assert "1 virtual node per node" in w.views.readout.value


def test_vnodes_slider_evens_the_shares(shown):
    w = shown(nodes=5, vnodes=1, keys=3000)
    spread_one = max(w.shares().values()) - min(w.shares().values())
    w.controls.vnodes.value = 128
    assert abs(sum(w.shares().values()) - 1) < 1e-9
    assert max(w.shares().values()) - min(w.shares().values()) < spread_one

"""The ring widget draws the real ring and reports moves, driven from code (no browser)."""

import re

from dynamolite.ring import RING_SIZE
from dynamolite.viz import RingWidget, ring_svg
from dynamolite.ring import Ring


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
    import math
    angle = 2 * math.pi * t / RING_SIZE
    r = 400 * 0.40 - 9
    assert abs(x1 - (200 + r * math.sin(angle))) < 0.1 and abs(y1 - (200 - r * math.cos(angle))) < 0.1


def test_adding_a_node_changes_drawing_and_reports_moved_keys():
    w = RingWidget(nodes=4, vnodes=32, keys=2000)
    box = w.widget()
    before = w._widgets["ring"].value
    w._widgets["nodes"].value = 5           # what the slider does
    assert len(w.ring) == 5
    assert w._widgets["ring"].value != before
    assert w._widgets["ring"].value.count('class="dl-node"') == 5
    assert 0.12 < w.moved_fraction < 0.28          # about 1/5
    assert "moved" in w._widgets["readout"].value
    assert box is w.widget()                       # built once, updated in place


def test_remove_button_and_key_lookup():
    w = RingWidget(nodes=4, vnodes=8, keys=500)
    w.widget()
    w._widgets["remove"].value = "node-2"
    w._widgets["remove_button"].click()
    assert w.ring.nodes == ["node-1", "node-3", "node-4"]
    assert w._widgets["nodes"].value == 3
    w._widgets["key"].value = "alice"
    w._widgets["n"].value = 2
    assert f"preference list (N=2): {', '.join(w.ring.preference_list('alice', 2))}" in w.readout()
    assert 'class="dl-highlight"' in w._widgets["ring"].value


def test_loads_sum_to_one_and_vnodes_change_rebuilds():
    w = RingWidget(nodes=5, vnodes=1, keys=3000)
    spread_one = max(w.loads().values()) - min(w.loads().values())
    w.set_vnodes(128)
    assert abs(sum(w.loads().values()) - 1) < 1e-9
    assert max(w.loads().values()) - min(w.loads().values()) < spread_one

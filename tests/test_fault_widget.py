"""The fault widget breaks its cluster and shows it heal, driven through its public controls."""

import re

import pytest

from dynamolite.errors import ConfigError
from dynamolite.viz import FaultWidget


def node_states(svg):
    """{node: (state, hints)} as the drawing marks them."""
    return {name: (state, int(hints)) for name, state, hints in re.findall(
        r'<g class="dl-fnode" data-node="([^"]+)" data-state="(\w+)" data-hints="(\d+)"', svg)}


def test_crash_button_takes_the_chosen_node_down_and_redraws():
    w = FaultWidget(nodes=5, seed=2)
    controls = w.widget()
    c = w.controls
    assert node_states(c["ring"].value) == {name: ("up", 0) for name in w.nodes}
    c["node"].value = "n3"
    c["crash"].click()
    assert "n3" in w.cluster.down and not w.state()["n3"]["up"]
    assert node_states(c["ring"].value)["n3"] == ("down", 0)
    assert sum(state == "down" for state, _ in node_states(c["ring"].value).values()) == 1
    assert controls is w.widget()                       # built once, updated in place


def test_stand_ins_keep_hints_for_a_crashed_node_and_hand_them_back():
    w = FaultWidget(nodes=5, seed=2)
    w.widget()
    c = w.controls
    c["node"].value = "n1"
    c["crash"].click()
    c["ms"].value = 1500
    c["time"].click()
    held = {name: w.cluster.hints(name) for name in w.nodes}
    assert sum(w.hint_counts().values()) > 0
    assert {intended for h in held.values() for intended in h} == {"n1"}   # hints only for n1
    drawn = node_states(c["ring"].value)
    assert {name: hints for name, (_, hints) in drawn.items()} == w.hint_counts()
    assert w.requests["ok"] > 0
    c["recover"].click()
    assert w.state()["n1"]["up"]
    c["time"].click()
    assert w.hint_counts() == {name: 0 for name in w.nodes}


def test_partition_diverges_and_heal_with_anti_entropy_converges():
    w = FaultWidget(nodes=6, seed=3)
    w.widget()
    c = w.controls
    assert w.divergence().valid
    c["side"].value = ("n0", "n1")
    c["partition"].click()
    assert w.side_of("n0") == w.side_of("n1") != w.side_of("n2")
    assert w.cluster.network.cut(w.cluster.now, "n0", "n2")
    c["time"].click()                                     # 500 ms of writes on both sides
    assert not w.divergence().valid
    assert 'data-diverged="true"' in c["ring"].value
    c["heal"].click()
    assert w.groups is None and not w.cluster.network.cut(w.cluster.now, "n0", "n2")
    c["time"].click()                                     # hand-off delivers the hints
    c["entropy"].click()                                  # Merkle trees repair the rest
    assert w.divergence().valid, w.divergence()
    assert 'data-diverged="true"' not in c["ring"].value


def test_a_fault_that_cannot_apply_is_explained_not_raised():
    w = FaultWidget(nodes=4, seed=0)
    w.widget()
    c = w.controls
    c["node"].value = "n2"
    c["recover"].click()                                  # n2 is not down
    assert w.message.startswith("not done") and "not down" in w.message
    c["side"].value = ()
    c["partition"].click()
    assert "select some nodes" in w.message and w.groups is None
    with pytest.raises(ConfigError):
        w.let_time_pass(0)


def test_the_same_seed_gives_the_same_story():
    def story(seed):
        w = FaultWidget(nodes=5, seed=seed)
        w.crash("n0")
        w.let_time_pass(700)
        w.partition(["n1", "n2"])
        w.let_time_pass(700)
        return w.state(), w.requests, w.svg()
    assert story(5) == story(5)

"""Latency models: each draws the same law one at a time and vectorized; faults as data."""

import random

import networkx as nx
import numpy as np
import pytest

from dynamolite.errors import ConfigError
from dynamolite.cluster.network import (MODELS, Constant, Empirical, Exponential, Mixture, Network,
                                Pareto, Partition, Regions, Shifted, WARSModel, get_model)


def draws(latency, k=40_000, seed=0):
    rng = random.Random(seed)
    one_by_one = np.array([latency.sample(rng) for _ in range(k)])
    vectorized = latency.sample_many(np.random.default_rng(seed), k)
    return one_by_one, vectorized


@pytest.mark.parametrize("latency", [
    Constant(2.5), Exponential(0.5), Pareto(0.235, 10), Pareto(1.05, 1.51),
    Mixture([(0.9122, Pareto(0.235, 10)), (0.0878, Exponential(1.66))]),
    Empirical(range(1, 201)), Shifted(Exponential(2.0), 75)])
def test_scalar_and_vectorized_samplers_agree(latency):
    a, b = draws(latency)
    assert a.min() >= 0 and b.min() >= 0
    for q in (10, 50, 90):
        pa, pb = np.percentile(a, q), np.percentile(b, q)
        assert abs(pa - pb) <= 0.05 * max(pa, pb) + 1e-9, (q, pa, pb)


def test_means_match_the_parameters():
    a, b = draws(Exponential(1.66), k=100_000)
    assert abs(a.mean() - 1 / 1.66) < 0.02 and abs(b.mean() - 1 / 1.66) < 0.02
    a, b = draws(Pareto(3, 3.35), k=100_000)
    assert a.min() >= 3 and b.min() >= 3          # support x >= x_m
    assert abs(b.mean() - Pareto(3, 3.35).mean()) < 0.05


def test_mixture_draws_each_part_in_its_proportion():
    mix = Mixture([(0.25, Constant(1)), (0.75, Constant(2))])
    a, b = draws(mix)
    assert abs((a == 1).mean() - 0.25) < 0.01 and abs((b == 1).mean() - 0.25) < 0.01
    assert mix.mean() == 1.75


def test_registry_holds_the_four_pbs_fits():
    assert sorted(MODELS) == ["LNKD-DISK", "LNKD-SSD", "WAN", "YMMR"]
    ssd, disk, ymmr, wan = (MODELS[k] for k in ("LNKD-SSD", "LNKD-DISK", "YMMR", "WAN"))
    assert ssd.w == ssd.a == ssd.r == ssd.s
    assert disk.w == Mixture([(0.38, Pareto(1.05, 1.51)), (0.62, Exponential(0.183))])
    assert disk.a == disk.r == disk.s == ssd.w
    assert ymmr.w == Mixture([(0.939, Pareto(3, 3.35)), (0.061, Exponential(0.0028))])
    assert ymmr.a == ymmr.s == Mixture([(0.982, Pareto(1.5, 3.8)), (0.018, Exponential(0.0217))])
    assert wan.w == disk.w and wan.remote == 75.0


@pytest.mark.parametrize("make, rule", [
    (lambda: Constant(-1), "negative"),
    (lambda: Exponential(0), "positive"),
    (lambda: Pareto(0, 2), "xm > 0"),
    (lambda: Mixture([(0.5, Constant(1))]), "sum to 1"),
    (lambda: get_model("LNKD-NVME"), "unknown latency model"),
    (lambda: Network(loss=1.5), "probability"),
    (lambda: WARSModel("x", 1, remote=-3), "negative"),
])
def test_bad_models_fail_loudly(make, rule):
    with pytest.raises(ConfigError, match=rule):
        make()


def test_regions_use_shortest_paths_plus_local_delay():
    g = nx.Graph()
    g.add_edge("Virginia", "Oregon", delay=35.0)
    g.add_edge("Oregon", "Singapore", delay=80.0)
    g.add_edge("Virginia", "Singapore", delay=200.0)
    regions = Regions(g, {"va": "Virginia", "sg": "Singapore"}, local=Constant(1))
    assert regions.base_delay("Virginia", "Singapore") == 115.0
    net = Network(regions)
    rng = random.Random(0)
    assert net.delay(rng, 0, "va", "sg", "W") == 116.0
    assert net.delay(rng, 0, ("client", "Virginia"), "va", "C") == 1.0
    with pytest.raises(ConfigError, match="delay"):
        Regions(nx.Graph([("a", "b")]), {})


def test_loss_and_partitions_drop_messages():
    rng = random.Random(0)
    net = Network(Constant(1), loss=0.3)
    lost = sum(net.delay(rng, 0, "a", "b", "W") is None for _ in range(10_000))
    assert 2700 < lost < 3300
    net = Network(Constant(1), partitions=[Partition(10, 20, {"a"})])
    assert net.delay(rng, 5, "a", "b", "W") == 1.0
    assert net.delay(rng, 10, "a", "b", "W") is None
    assert net.delay(rng, 15, "b", "c", "W") == 1.0          # both outside the cut side
    assert net.delay(rng, 20, "b", "a", "W") == 1.0          # healed


def test_wan_adds_the_remote_hop_between_different_sites():
    net = Network(WARSModel("wan0", Constant(1), remote=75))
    rng = random.Random(0)
    assert net.delay(rng, 0, "a", "a", "W") == 1.0
    assert net.delay(rng, 0, "a", "b", "W") == 76.0

"""PBS: the closed form, the WARS Monte Carlo, and the cluster simulator agree with each other."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dynamolite.errors import ConfigError
from dynamolite.cluster.network import Constant, Exponential, WARSModel
from dynamolite.cluster.pbs import k_staleness, simulate_consistency, staleness_probability, wars

# With A = R = 0 and a read at t = 0, exactly the W fastest replicas hold the
# write when the read arrives, and the read's R fastest responses are a
# uniformly random subset: the closed form's assumptions hold exactly.
CLOSED_FORM_MODEL = WARSModel("closed-form", w=Exponential(1.0), a=Constant(0), r=Constant(0),
                              s=Exponential(1.0))


def test_closed_form_values():
    assert staleness_probability(3, 1, 1) == pytest.approx(2 / 3)
    assert staleness_probability(5, 2, 2) == pytest.approx(math.comb(3, 2) / math.comb(5, 2))
    for n in range(1, 7):
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                assert (staleness_probability(n, r, w) == 0) == (r + w > n)
    assert k_staleness(3, 1, 1, 1) == pytest.approx(1 / 3)
    assert k_staleness(3, 1, 1, 3) == pytest.approx(1 - (2 / 3) ** 3)


@pytest.mark.parametrize("call, rule", [
    (lambda: staleness_probability(3, 4, 1), "R=4 is greater than N=3"),
    (lambda: staleness_probability(3, 1, 0), "positive"),
    (lambda: k_staleness(3, 1, 1, 0), "positive"),
    (lambda: wars(3, 1, 1, "nope"), "unknown latency model"),
    (lambda: wars(3, 1, 1, trials=0), "trials"),
    (lambda: wars(3, 1, 1, trials=10).read_latency(101), "0..100"),
])
def test_bad_arguments_fail_loudly(call, rule):
    with pytest.raises(ConfigError, match=rule):
        call()


@pytest.mark.parametrize("n, r, w", [(3, 1, 1), (3, 2, 1), (5, 1, 2), (5, 2, 2), (4, 1, 2)])
def test_wars_agrees_with_the_closed_form_where_it_applies(n, r, w):
    trials = 200_000
    p = staleness_probability(n, r, w)
    measured = 1 - wars(n, r, w, CLOSED_FORM_MODEL, trials, seed=n * 100 + r * 10 + w).consistency(0.0)
    assert abs(measured - p) < 5 * math.sqrt(p * (1 - p) / trials)


@pytest.mark.parametrize("model", ["LNKD-SSD", "LNKD-DISK", "YMMR", "WAN"])
def test_strict_quorums_are_always_consistent_and_partial_ones_improve_with_time(model):
    assert wars(3, 2, 2, model, 20_000, seed=1).consistency(0.0) == 1.0
    res = wars(3, 1, 1, model, 50_000, seed=2)
    curve = res.consistency(np.array([0, 1, 10, 100, 1000, 1e6]))
    assert np.all(np.diff(curve) >= 0) and curve[0] < 1 and curve[-1] == 1.0
    t = res.t_visibility(0.999)           # the smallest wait that reaches 99.9%
    assert curve[0] < 0.999 and t > 0
    assert res.consistency(t) >= 0.999 and res.consistency(t * 0.999 - 1e-9) < 0.999


def test_latency_percentiles_with_constant_delays_are_exact():
    res = wars(3, 2, 3, Constant(1.5), 1000, seed=0)
    assert res.read_latency(50) == 3.0 and res.write_latency(99.9) == 3.0
    assert res.consistency(0.0) == 1.0


def test_waiting_for_more_replicas_costs_latency():
    fast, slow = wars(3, 1, 1, "LNKD-DISK", 50_000, seed=3), wars(3, 3, 3, "LNKD-DISK", 50_000, seed=3)
    assert slow.write_latency(99.9) > fast.write_latency(99.9)
    assert slow.read_latency(99.9) > fast.read_latency(99.9)


def test_wan_reads_are_stale_unless_writer_and_reader_share_a_site_for_the_first_75_ms():
    model = WARSModel("wan0", Constant(0), remote=75.0)
    res = wars(3, 1, 1, model, 60_000, seed=4)
    assert abs(res.consistency(0.0) - 1 / 3) < 0.01
    assert res.consistency(74.9) == res.consistency(0.0) and res.consistency(75.0) == 1.0
    assert res.write_latency(100) == 0.0


@pytest.mark.parametrize("n, r, w", [(3, 1, 1), (4, 1, 2)])
def test_the_simulator_shows_the_closed_form_staleness(n, r, w):
    trials = 2000
    p = staleness_probability(n, r, w)
    measured = 1 - simulate_consistency(n, r, w, CLOSED_FORM_MODEL, t=0.0, trials=trials, seed=7)
    assert abs(measured - p) < 5 * math.sqrt(p * (1 - p) / trials)


@pytest.mark.parametrize("model, t", [("LNKD-DISK", 0.0), ("LNKD-DISK", 5.0), ("LNKD-SSD", 0.0),
                                      ("YMMR", 0.0), ("WAN", 0.0), ("WAN", 80.0)])
def test_the_simulator_agrees_with_wars_on_the_production_models(model, t):
    # N = 3, R = W = 1: stale reads happen, at the rate WARS predicts
    trials = 2000
    predicted = wars(3, 1, 1, model, 100_000, seed=11).consistency(t)
    measured = simulate_consistency(3, 1, 1, model, t=t, trials=trials, seed=13)
    sigma = math.sqrt(max(predicted * (1 - predicted), 1e-4) / trials)
    assert abs(measured - predicted) < 5 * sigma, (measured, predicted)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2 ** 32), model=st.sampled_from(["LNKD-SSD", "LNKD-DISK", "YMMR"]),
       t=st.sampled_from([0.0, 1.0, 10.0]))
def test_partial_quorum_stale_rate_matches_the_prediction_for_any_seed(seed, model, t):
    # N = 3, R = W = 1: the simulator's stale-read rate for any seed is WARS's, within 5 standard errors
    trials = 1500
    predicted = 1 - wars(3, 1, 1, model, 100_000, seed=seed % 1000).consistency(t)
    measured = 1 - simulate_consistency(3, 1, 1, model, t=t, trials=trials, seed=seed)
    sigma = math.sqrt(max(predicted * (1 - predicted), 1e-4) / trials)
    assert abs(measured - predicted) < 5 * sigma, (measured, predicted)

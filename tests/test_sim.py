"""The event loop: time order, deterministic ties, stop, until, and its invariants."""

import gc

import pytest
from hypothesis import given, settings, strategies as st

from dynamolite.errors import ConfigError
from dynamolite.cluster.sim import Simulator


def test_events_run_in_time_order_and_ties_in_scheduling_order():
    sim, log = Simulator(), []
    for delay, name in [(3, "c"), (1, "a1"), (2, "b"), (1, "a2"), (0, "zero")]:
        sim.schedule(delay, log.append, name)
    assert sim.run() == 5
    assert log == ["zero", "a1", "a2", "b", "c"]
    assert sim.now == 3


def test_callbacks_can_schedule_more_events():
    sim, log = Simulator(), []

    def tick(i):
        log.append((sim.now, i))
        if i < 3:
            sim.schedule(1.5, tick, i + 1)

    sim.schedule(0, tick, 0)
    assert sim.run() == 4
    assert log == [(0.0, 0), (1.5, 1), (3.0, 2), (4.5, 3)]
    assert sim.events == 4


@pytest.mark.parametrize("bad", [-1, -1e-9, float("nan")])
def test_negative_or_nan_delay_is_refused(bad):
    with pytest.raises(ConfigError, match="past"):
        Simulator().schedule(bad, print)


def test_at_in_the_past_is_refused():
    sim = Simulator()
    sim.schedule(5, lambda _: None)
    sim.run()
    with pytest.raises(ConfigError, match="past"):
        sim.at(4, print)


def test_run_until_stops_before_later_events_and_advances_time():
    sim, log = Simulator(), []
    for t in (1, 2, 5):
        sim.at(t, log.append, t)
    assert sim.run(until=3) == 2
    assert log == [1, 2] and sim.now == 3 and sim.peek() == 5
    assert sim.run(max_events=1) == 1 and log == [1, 2, 5]
    assert sim.run() == 0


def test_stop_ends_the_run_after_the_current_event_and_a_later_run_resumes():
    sim, log = Simulator(), []

    def stopper(name):
        log.append(name)
        sim.stop()
        log.append(name + " finished")

    sim.at(1, log.append, "a")
    sim.at(2, stopper, "b")
    sim.at(2, log.append, "c")
    sim.at(3, log.append, "d")
    assert sim.run() == 2
    assert log == ["a", "b", "b finished"] and sim.now == 2
    assert sim.run() == 2
    assert log[-2:] == ["c", "d"]
    assert sim.events == 4
    sim.check()


def test_a_stop_not_reached_does_not_stop_the_next_run():
    sim, log = Simulator(), []
    sim.at(1, lambda _: sim.stop())
    sim.at(1, log.append, "same time")
    sim.at(5, log.append, "later")
    assert sim.run(max_events=1) == 1          # the callback that calls stop(); its halt is left
    assert sim.pending() == 2 and sim.peek() == 1
    assert sim.run() == 2
    assert log == ["same time", "later"]


def test_stop_inside_run_until_keeps_the_time_of_the_stop():
    sim = Simulator()
    sim.at(1, lambda _: sim.stop())
    sim.at(2, print)
    assert sim.run(until=10) == 1 and sim.now == 1 and sim.peek() == 2


def test_a_callback_gets_its_one_argument_or_none():
    sim, got = Simulator(), []
    sim.schedule(1, got.append, ("a", "tuple", "carries", "several"))
    sim.schedule(2, got.append)
    sim.run()
    assert got == [("a", "tuple", "carries", "several"), None]


def test_step_runs_one_event():
    sim, log = Simulator(), []
    sim.at(1, log.append, 1)
    assert sim.step() and log == [1] and sim.now == 1
    assert not sim.step()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=60),
       st.integers(0, 2 ** 32))
def test_random_schedules_keep_the_invariants_and_replay_identically(delays, seed):
    def play():
        sim, seen = Simulator(seed), []

        def event(i):
            seen.append((sim.now, i, sim.rng.random()))
            if i % 3 == 0 and i < 200:
                sim.schedule(sim.rng.expovariate(1.0), event, i + 1000)

        for i, d in enumerate(delays):
            sim.schedule(d, event, i)
        while sim.step():
            sim.check()
        return seen

    first = play()
    times = [t for t, _, _ in first]
    assert times == sorted(times)
    assert first == play()


def test_event_counts_are_exact_around_stop_and_errors():
    sim, log = Simulator(), []
    sim.at(1, log.append, "a")
    sim.stop()                                   # outside a run it does nothing
    assert sim.pending() == 1 and sim.peek() == 1
    sim.at(1.5, lambda _: sim.stop())
    assert sim.run() == 2 and sim.events == 2 and log == ["a"]

    def stop_twice(_):
        sim.stop()
        sim.stop()

    sim.at(2, stop_twice)
    sim.at(3, log.append, "b")
    assert sim.run() == 1 and sim.events == 3    # stop_twice; the halts are not events
    assert sim.pending() == 1 and sim.peek() == 3
    assert sim.run() == 1 and log == ["a", "b"]

    def boom(_):
        raise RuntimeError("boom")

    sim.schedule(1, boom)
    with pytest.raises(RuntimeError):
        sim.run()
    assert sim.events == 5                       # the event that raised did run
    assert sim.step() is False and sim.pending() == 0
    sim.check()


def test_a_callback_cannot_run_the_simulator_itself():
    sim = Simulator()
    sim.at(1, lambda _: sim.run())
    sim.at(2, lambda _: sim.step())
    with pytest.raises(RuntimeError, match="schedules events, it does not run them"):
        sim.run(max_events=1)
    with pytest.raises(RuntimeError, match="schedules events"):
        sim.run()
    assert sim.events == 2 and sim.pending() == 0


@pytest.mark.parametrize("enabled", [True, False])
def test_run_pauses_the_garbage_collector_and_restores_it_even_after_an_error(enabled):
    sim, seen = Simulator(), []
    sim.at(1, lambda _: seen.append(gc.isenabled()))

    def boom(_):
        raise RuntimeError("boom")

    (gc.enable if enabled else gc.disable)()
    try:
        sim.run()
        assert seen == [False] and gc.isenabled() is enabled
        sim.at(2, boom)
        with pytest.raises(RuntimeError, match="boom"):
            sim.run(until=5)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_a_nan_bound_runs_nothing():
    sim, log = Simulator(), []
    sim.at(1, log.append, "a")
    assert sim.run(until=float("nan")) == 0 and sim.run(max_events=float("nan")) == 0
    assert log == [] and sim.now == 0.0 and sim.pending() == 1

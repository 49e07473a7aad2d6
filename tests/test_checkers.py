"""The stale-read checker on hand-made histories, where the right answer is known."""

from types import SimpleNamespace

from dynamolite.cluster.checkers import check_stale_reads, stale_reads
from dynamolite.vclock import VectorClock

V1 = VectorClock({"A": 1})
V2 = V1.increment("B")            # descends from V1
V3 = V1.increment("C")            # concurrent with V2


def put(i, start, end, clock, key="k", ok=True):
    return SimpleNamespace(id=i, kind="put", key=key, start=start, end=end, ok=ok, clock=clock)


def get(i, start, end, clocks, key="k", ok=True):
    return SimpleNamespace(id=i, kind="get", key=key, start=start, end=end, ok=ok, clocks=clocks)


def test_a_read_after_a_completed_write_that_misses_it_is_stale():
    h = [put(0, 0, 1, V1), put(1, 2, 3, V2), get(2, 4, 5, [V1])]
    verdict = check_stale_reads(h)
    assert not verdict and verdict.count == 1 and verdict.reads == 1
    assert verdict.example == (h[1], h[2])
    assert "INVALID" in repr(verdict)


def test_reading_a_descendant_or_a_sibling_set_that_covers_the_write_is_fresh():
    h = [put(0, 0, 1, V1), get(1, 2, 3, [V2]), put(2, 4, 5, V2), put(3, 4, 6, V3),
         get(4, 7, 8, [V2, V3])]
    assert check_stale_reads(h).valid


def test_missing_one_of_two_concurrent_writes_is_stale():
    h = [put(0, 0, 1, V2), put(1, 0, 1.5, V3), get(2, 2, 3, [V2])]
    [s] = stale_reads(h)
    assert s.read is h[2] and s.write is h[1]


def test_reads_overlapping_the_write_and_failed_writes_do_not_count():
    h = [put(0, 0, 5, V1), get(1, 4, 6, []),               # began before the write completed
         put(2, 6, 7, V2, ok=False), get(3, 8, 9, [V1]),   # the write failed
         put(4, 0, 1, V1, key="other"), get(5, 2, 3, [], key="k")]
    verdict = check_stale_reads(h)
    assert verdict.valid and verdict.reads == 3
    assert check_stale_reads([get(0, 0, 1, [])]).valid     # nothing written yet


def test_a_read_beginning_exactly_when_the_write_completes_must_see_it():
    assert not check_stale_reads([put(0, 0, 1, V1), get(1, 1, 2, [])]).valid


def test_the_example_is_the_shortest_counterexample():
    h = [put(0, 0, 1, V1), get(1, 50, 60, []),           # spans 60 ms
         put(2, 100, 101, V2), get(3, 102, 103, [V1])]   # spans 3 ms
    verdict = check_stale_reads(h)
    assert verdict.count == 2 and verdict.example == (h[2], h[3])
    assert abs(verdict.rate - 1.0) < 1e-12

"""Realistic wrong answers to the quorums exercise: each must lose its part's points."""

WRONG_ANSWERS = {
    "part_a": {
        "size_rule_via_dynamolite": '''
from dynamolite.cluster.pbs import staleness_probability
def find_miss(read_quorums, write_quorums):
    n = len({replica for quorum in read_quorums + write_quorums for replica in quorum})
    for read_quorum in read_quorums:
        for write_quorum in write_quorums:
            if staleness_probability(n, len(read_quorum), len(write_quorum)) > 0:
                return (read_quorum, write_quorum)
    return None
''',
        "write_quorums_scanned_first": '''
def find_miss(read_quorums, write_quorums):
    for write_quorum in write_quorums:
        for read_quorum in read_quorums:
            if not set(read_quorum) & set(write_quorum):
                return (read_quorum, write_quorum)
    return None
''',
        "first_replica_only": '''
def find_miss(read_quorums, write_quorums):
    for read_quorum in read_quorums:
        for write_quorum in write_quorums:
            if read_quorum[0] not in write_quorum:
                return (read_quorum, write_quorum)
    return None
''',
    },
    "part_b": {
        "float_from_dynamolite": '''
from dynamolite.cluster.pbs import staleness_probability
def stale_probability(n, r, w, k=1):
    return staleness_probability(n, r, w) ** k
''',
        "not_in_lowest_terms": '''
def stale_probability(n, r, w, k=1):
    return (comb(n - w, r) ** k, comb(n, r) ** k)
''',
        "one_minus": '''
def stale_probability(n, r, w, k=1):
    p = 1 - Fraction(comb(n - w, r), comb(n, r)) ** k
    return (p.numerator, p.denominator)
''',
    },
    "part_c": {
        "write_must_end_strictly_before": '''
def stale_reads(history):
    stale = []
    for i, (kind, key, version, start, end) in enumerate(history):
        if kind != "read":
            continue
        done = [v for (k, other, v, s, e) in history if k == "write" and other == key and e < start]
        if done and (version is None or version < max(done)):
            stale.append(i)
    return stale
''',
        "ignores_the_key": '''
def stale_reads(history):
    stale = []
    for i, (kind, key, version, start, end) in enumerate(history):
        if kind != "read":
            continue
        done = [v for (k, other, v, s, e) in history if k == "write" and e <= start]
        if done and (version is None or version < max(done)):
            stale.append(i)
    return stale
''',
        "last_write_in_list_order": '''
def stale_reads(history):
    stale = []
    for i, (kind, key, version, start, end) in enumerate(history):
        if kind != "read":
            continue
        latest = None
        for (k, other, v, s, e) in history:
            if k == "write" and other == key and e <= start:
                latest = v
        if latest is not None and (version is None or version < latest):
            stale.append(i)
    return stale
''',
        "counts_writes_in_flight": '''
def stale_reads(history):
    stale = []
    for i, (kind, key, version, start, end) in enumerate(history):
        if kind != "read":
            continue
        begun = [v for (k, other, v, s, e) in history if k == "write" and other == key and s <= start]
        if begun and (version is None or version < max(begun)):
            stale.append(i)
    return stale
''',
    },
    "part_d": {
        "first_acceptable_in_loop_order": '''
def choose_nrw(model, n_values, read_slo, write_slo, stale_slo):
    for n in sorted(n_values):
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                result = wars(n, r, w, model, trials=10_000, seed=7)
                if (result.read_latency(99.9) <= read_slo and result.write_latency(99.9) <= write_slo
                        and 1 - result.consistency(0.0) <= stale_slo):
                    return (n, r, w)
    return None
''',
        "percentile_as_fraction": '''
def choose_nrw(model, n_values, read_slo, write_slo, stale_slo):
    best = None
    for n in n_values:
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                result = wars(n, r, w, model, trials=10_000, seed=7)
                if (result.read_latency(0.999) <= read_slo and result.write_latency(0.999) <= write_slo
                        and 1 - result.consistency(0.0) <= stale_slo):
                    if best is None or (n, r + w, w) < best[0]:
                        best = ((n, r + w, w), (n, r, w))
    return None if best is None else best[1]
''',
        "closed_form_instead_of_wars": '''
from dynamolite.cluster.pbs import staleness_probability
def choose_nrw(model, n_values, read_slo, write_slo, stale_slo):
    best = None
    for n in n_values:
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                result = wars(n, r, w, model, trials=10_000, seed=7)
                if (result.read_latency(99.9) <= read_slo and result.write_latency(99.9) <= write_slo
                        and staleness_probability(n, r, w) <= stale_slo):
                    if best is None or (n, r + w, w) < best[0]:
                        best = ((n, r + w, w), (n, r, w))
    return None if best is None else best[1]
''',
        "n_values_in_given_order": '''
def choose_nrw(model, n_values, read_slo, write_slo, stale_slo):
    for n in n_values:
        best = None
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                result = wars(n, r, w, model, trials=10_000, seed=7)
                if (result.read_latency(99.9) <= read_slo and result.write_latency(99.9) <= write_slo
                        and 1 - result.consistency(0.0) <= stale_slo):
                    if best is None or (r + w, w) < best[0]:
                        best = ((r + w, w), (n, r, w))
        if best is not None:
            return best[1]
    return None
''',
    },
}
WRONG_ANSWERS["part_e"] = {
    "any_coordinator": '''
from dynamolite.cluster import Cluster
from dynamolite.cluster.network import Partition

def partition_story(r, w, seed=0):
    cluster = Cluster(["n0", "n1", "n2"], n=3, r=r, w=w, latency="LNKD-SSD", seed=seed,
                      partitions=[Partition(0, 1000, ["n2"])])
    writes = [cluster.put_at(4 * i, f"key{i}", i) for i in range(200)]
    reads = [cluster.get_at(2000 + 4 * i, f"key{i}") for i in range(200)]
    cluster.run()
    return (sum(not op.ok for op in writes) / 200, sum(bool(op.stale) for op in reads) / 200)
''',
    "reads_during_the_partition": '''
from dynamolite.cluster import Cluster
from dynamolite.cluster.network import Partition

def partition_story(r, w, seed=0):
    cluster = Cluster(["n0", "n1", "n2"], n=3, r=r, w=w, latency="LNKD-SSD", seed=seed,
                      partitions=[Partition(0, 1000, ["n2"])])
    writes = [cluster.put_at(4 * i, f"key{i}", i, coordinator="n0") for i in range(200)]
    reads = [cluster.get_at(4 * i + 2, f"key{i}", coordinator="n0") for i in range(200)]
    cluster.run()
    return (sum(not op.ok for op in writes) / 200, sum(bool(op.stale) for op in reads) / 200)
''',
    "stale_means_value_missing": '''
from dynamolite.cluster import Cluster
from dynamolite.cluster.network import Partition

def partition_story(r, w, seed=0):
    cluster = Cluster(["n0", "n1", "n2"], n=3, r=r, w=w, latency="LNKD-SSD", seed=seed,
                      partitions=[Partition(0, 1000, ["n2"])])
    writes = [cluster.put_at(4 * i, f"key{i}", i, coordinator="n0") for i in range(200)]
    reads = [cluster.get_at(2000 + 4 * i, f"key{i}", coordinator="n0") for i in range(200)]
    cluster.run()
    stale = sum(1 for i, op in enumerate(reads) if op.ok and op.values != [i])
    return (sum(not op.ok for op in writes) / 200, stale / 200)
''',
}

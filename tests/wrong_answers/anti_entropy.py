"""Realistic wrong answers to the anti_entropy exercise: each must lose its part's points."""

WRONG_ANSWERS = {
    "part_a": {
        "ignores_lo": '''
def leaf_index(key, depth, lo, hi):
    token = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
    span = (hi - lo) % RING or RING
    if (token - lo) % RING >= span:
        raise ValueError("outside the range")
    return token * 2 ** depth // RING
''',
        "divides_the_span_first": '''
def leaf_index(key, depth, lo, hi):
    token = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
    span = (hi - lo) % RING or RING
    offset = (token - lo) % RING
    if offset >= span:
        raise ValueError("outside the range")
    return offset // (span // 2 ** depth)
''',
        "no_wrap_around": '''
def leaf_index(key, depth, lo, hi):
    token = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
    if not lo <= token < hi:
        raise ValueError("outside the range")
    return (token - lo) * 2 ** depth // (hi - lo)
''',
        "float_division": '''
def leaf_index(key, depth, lo, hi):
    token = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
    span = (hi - lo) % RING or RING
    offset = (token - lo) % RING
    if offset >= span:
        raise ValueError("outside the range")
    return int(offset / span * 2 ** depth)
''',
    },
    "part_b": {
        "leaf_keys_in_insertion_order": '''
def build_tree(values, depth, lo, hi):
    buckets = [{} for _ in range(2 ** depth)]
    for key, value in values.items():
        buckets[leaf_index(key, depth, lo, hi)][key] = value
    level = [sha("".join(f"{key}={value}\\n" for key, value in bucket.items())) for bucket in buckets]
    levels = [level]
    while len(level) > 1:
        level = [sha(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.insert(0, level)
    return levels, buckets
''',
        "hashes_keys_without_values": '''
def build_tree(values, depth, lo, hi):
    buckets = [{} for _ in range(2 ** depth)]
    for key, value in values.items():
        buckets[leaf_index(key, depth, lo, hi)][key] = value
    level = [sha("".join(f"{key}\\n" for key in sorted(bucket))) for bucket in buckets]
    levels = [level]
    while len(level) > 1:
        level = [sha(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.insert(0, level)
    return levels, buckets
''',
        "levels_leaves_first": '''
def build_tree(values, depth, lo, hi):
    buckets = [{} for _ in range(2 ** depth)]
    for key, value in values.items():
        buckets[leaf_index(key, depth, lo, hi)][key] = value
    level = [sha("".join(f"{key}={bucket[key]}\\n" for key in sorted(bucket))) for bucket in buckets]
    levels = [level]
    while len(level) > 1:
        level = [sha(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels, buckets
''',
        "buckets_by_key_order": '''
def build_tree(values, depth, lo, hi):
    leaves = 2 ** depth
    keys = sorted(values)
    buckets = [{} for _ in range(leaves)]
    for i, key in enumerate(keys):
        buckets[i * leaves // len(keys)][key] = values[key]
    level = [sha("".join(f"{key}={bucket[key]}\\n" for key in sorted(bucket))) for bucket in buckets]
    levels = [level]
    while len(level) > 1:
        level = [sha(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.insert(0, level)
    return levels, buckets
''',
    },
    "part_c": {
        "compares_every_leaf": '''
def differing_keys(tree_a, tree_b):
    (levels_a, buckets_a), (levels_b, buckets_b) = tree_a, tree_b
    if levels_a[0][0] == levels_b[0][0]:
        return [], 1
    keys, compared = set(), 1
    for leaf, (hash_a, hash_b) in enumerate(zip(levels_a[-1], levels_b[-1])):
        compared += 1
        if hash_a != hash_b:
            a, b = buckets_a[leaf], buckets_b[leaf]
            keys |= {key for key in a.keys() | b.keys() if a.get(key) != b.get(key)}
    return sorted(keys), compared
''',
        "stops_at_the_first_difference": '''
def differing_keys(tree_a, tree_b):
    (levels_a, buckets_a), (levels_b, buckets_b) = tree_a, tree_b
    compared = 1
    if levels_a[0][0] == levels_b[0][0]:
        return [], compared
    node = 0
    for depth in range(1, len(levels_a)):
        left, right = 2 * node, 2 * node + 1
        compared += 2
        node = left if levels_a[depth][left] != levels_b[depth][left] else right
    a, b = buckets_a[node], buckets_b[node]
    return sorted(key for key in a.keys() | b.keys() if a.get(key) != b.get(key)), compared
''',
        "forgets_the_root_comparison": '''
def differing_keys(tree_a, tree_b):
    (levels_a, buckets_a), (levels_b, buckets_b) = tree_a, tree_b
    compared = 0
    if levels_a[0][0] == levels_b[0][0]:
        return [], compared
    differing = [0]
    for depth in range(1, len(levels_a)):
        below = []
        for node in differing:
            for child in (2 * node, 2 * node + 1):
                compared += 1
                if levels_a[depth][child] != levels_b[depth][child]:
                    below.append(child)
        differing = below
    keys = set()
    for leaf in differing:
        a, b = buckets_a[leaf], buckets_b[leaf]
        keys |= {key for key in a.keys() | b.keys() if a.get(key) != b.get(key)}
    return sorted(keys), compared
''',
        "every_key_of_a_differing_leaf": '''
def differing_keys(tree_a, tree_b):
    (levels_a, buckets_a), (levels_b, buckets_b) = tree_a, tree_b
    compared = 1
    if levels_a[0][0] == levels_b[0][0]:
        return [], compared
    differing = [0]
    for depth in range(1, len(levels_a)):
        below = []
        for node in differing:
            for child in (2 * node, 2 * node + 1):
                compared += 1
                if levels_a[depth][child] != levels_b[depth][child]:
                    below.append(child)
        differing = below
    keys = set()
    for leaf in differing:
        keys |= buckets_a[leaf].keys() | buckets_b[leaf].keys()
    return sorted(keys), compared
''',
    },
    "part_d": {
        "paths_share_nothing": '''
def hash_bounds(k, depth):
    if k == 0:
        return (1, 1)
    return (1 + 2 * depth, 1 + 2 * k * depth)
''',
        "counts_the_leaf_level": '''
def hash_bounds(k, depth):
    if k == 0:
        return (1, 1)
    fewest = 1 + 2 * sum(-(-k // 2 ** (depth - d)) for d in range(1, depth + 1))
    most = 1 + 2 * sum(min(2 ** d, k) for d in range(1, depth + 1))
    return (fewest, most)
''',
        "floor_instead_of_ceiling": '''
def hash_bounds(k, depth):
    if k == 0:
        return (1, 1)
    fewest = 1 + 2 * sum(max(1, k // 2 ** (depth - d)) for d in range(depth))
    most = 1 + 2 * sum(min(2 ** d, k) for d in range(depth))
    return (fewest, most)
''',
    },
    "part_e": {
        "forgets_the_keys_sent": '''
def choose_depth(n_keys, k, max_depth=24):
    costs = [hash_bounds(min(k, 2 ** depth), depth)[1] for depth in range(max_depth + 1)]
    return costs.index(min(costs))
''',
        "ties_go_to_the_deeper_tree": '''
def choose_depth(n_keys, k, max_depth=24):
    best = None
    for depth in range(max_depth + 1):
        leaves = min(k, 2 ** depth)
        cost = hash_bounds(leaves, depth)[1] + leaves * n_keys / 2 ** depth
        if best is None or cost <= best[0]:
            best = (cost, depth)
    return best[1]
''',
        "best_case_instead_of_worst": '''
def choose_depth(n_keys, k, max_depth=24):
    best = None
    for depth in range(max_depth + 1):
        leaves = min(k, 2 ** depth)
        cost = hash_bounds(leaves, depth)[0] + leaves * n_keys / 2 ** depth
        if best is None or cost < best[0]:
            best = (cost, depth)
    return best[1]
''',
        "ignores_max_depth": '''
def choose_depth(n_keys, k, max_depth=24):
    best = None
    for depth in range(25):
        leaves = min(k, 2 ** depth)
        cost = hash_bounds(leaves, depth)[1] + leaves * n_keys / 2 ** depth
        if best is None or cost < best[0]:
            best = (cost, depth)
    return best[1]
''',
    },
}

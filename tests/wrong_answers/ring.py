"""Realistic wrong answers to the ring exercise: each must lose its part's points."""

WRONG_ANSWERS = {
    "part_a": {
        "little_endian": '''
def key_token(key):
    return int.from_bytes(hashlib.md5(key.encode("utf-8")).digest()[:8], "little")
''',
        "last_eight_bytes": '''
def key_token(key):
    return int.from_bytes(hashlib.md5(key.encode("utf-8")).digest()[8:], "big")
''',
        "calls_dynamolite_128_bit_token": '''
from dynamolite.ring import token
def key_token(key):
    return token(key)
''',
        "python_hash": '''
def key_token(key):
    return hash(key) % 2 ** 64
''',
    },
    "part_b": {
        "no_wrap_around": '''
def lookup(tokens, owners, position):
    return owners[bisect.bisect_right(tokens, position)]
''',
        "bisect_left_at_exact_token": '''
def lookup(tokens, owners, position):
    return owners[bisect.bisect_left(tokens, position) % len(tokens)]
''',
        "previous_token_owns": '''
def lookup(tokens, owners, position):
    return owners[bisect.bisect_right(tokens, position) - 1]
''',
    },
    "part_c": {
        "repeats_physical_nodes": '''
def preference_list(tokens, owners, position, n):
    start = bisect.bisect_right(tokens, position)
    return [owners[(start + i) % len(tokens)] for i in range(n)]
''',
        "no_wrap_around": '''
def preference_list(tokens, owners, position, n):
    if n > len(set(owners)):
        raise ValueError("not enough nodes")
    chosen = []
    for node in owners[bisect.bisect_right(tokens, position):]:
        if node not in chosen:
            chosen.append(node)
    return chosen[:n]
''',
        "sorted_set_loses_order": '''
def preference_list(tokens, owners, position, n):
    if n > len(set(owners)):
        raise ValueError("not enough nodes")
    start = bisect.bisect_right(tokens, position)
    walk = [owners[(start + i) % len(tokens)] for i in range(len(tokens))]
    return sorted(set(walk))[:n]
''',
        "no_error_when_too_few_nodes": '''
def preference_list(tokens, owners, position, n):
    start = bisect.bisect_right(tokens, position)
    chosen = []
    for step in range(len(tokens)):
        node = owners[(start + step) % len(tokens)]
        if node not in chosen:
            chosen.append(node)
    return chosen[:n]
''',
    },
    "part_d": {
        "counts_keys_of_new_nodes_only": '''
def count_moved(before, after, positions):
    new_nodes = set(after[1]) - set(before[1])
    return sum(1 for p in positions if lookup(*after, p) in new_nodes)
''',
        "compares_token_indices": '''
def count_moved(before, after, positions):
    return sum(1 for p in positions
               if bisect.bisect_right(before[0], p) != bisect.bisect_right(after[0], p))
''',
        "returns_a_fraction": '''
def count_moved(before, after, positions):
    return sum(1 for p in positions if lookup(*before, p) != lookup(*after, p)) / len(positions)
''',
    },
    "part_e": {
        "counts_tokens_not_arcs": '''
RING = 2 ** 64

def ownership(tokens, owners):
    return {node: owners.count(node) / len(owners) for node in set(owners)}
''',
        "arc_given_to_the_token_at_its_start": '''
RING = 2 ** 64

def ownership(tokens, owners):
    share = {}
    for i, node in enumerate(owners):
        following = tokens[i + 1] if i + 1 < len(tokens) else tokens[0] + RING
        share[node] = share.get(node, 0) + (following - tokens[i]) / RING
    return share
''',
        "forgets_the_wrap_around_arc": '''
RING = 2 ** 64

def ownership(tokens, owners):
    share = {owners[0]: tokens[0] / RING}
    for i in range(1, len(tokens)):
        share[owners[i]] = share.get(owners[i], 0) + (tokens[i] - tokens[i - 1]) / RING
    return share
''',
    },
}
WRONG_ANSWERS["part_f"] = {
    "newcomer_takes_one_nth": '''
import math

def moved_when_one_joins(n):
    return 1 / n

def vnodes_for(n, target_cv):
    return max(1, math.ceil(((n - 1) / target_cv ** 2 - 1) / n))
''',
    "one_over_sqrt_v_for_every_n": '''
import math

def moved_when_one_joins(n):
    return 1 / (n + 1)

def vnodes_for(n, target_cv):
    return math.ceil(1 / target_cv ** 2)
''',
    "forgot_to_square_the_target": '''
import math

def moved_when_one_joins(n):
    return 1 / (n + 1)

def vnodes_for(n, target_cv):
    return max(1, math.ceil(((n - 1) / target_cv - 1) / n))
''',
}

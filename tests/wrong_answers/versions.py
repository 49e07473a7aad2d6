"""Realistic wrong answers to the versions exercise: each must lose its part's points."""

WRONG_ANSWERS = {
    "part_a": {
        "ignores_missing_entries": '''
def descends(a, b):
    return all(a[node] >= b[node] for node in b if node in a)
''',
        "strictly_greater": '''
def descends(a, b):
    return all(a.get(node, 0) > count for node, count in b.items())
''',
        "node_must_be_listed": '''
def descends(a, b):
    return all(node in a and a[node] >= count for node, count in b.items())
''',
        "calls_dynamolite_vector_clocks": '''
from dynamolite.vclock import VectorClock
def descends(a, b):
    return VectorClock(a).descends(VectorClock(b))
''',
    },
    "part_b": {
        "one_direction_only": '''
def concurrent(a, b):
    return not descends(a, b)
''',
        "or_instead_of_and": '''
def concurrent(a, b):
    return not descends(a, b) or not descends(b, a)
''',
    },
    "part_c": {
        "takes_the_minimum": '''
def merge(a, b):
    return {node: min(a.get(node, 0), b.get(node, 0)) for node in set(a) | set(b)}
''',
        "b_overwrites_a": '''
def merge(a, b):
    merged = dict(a)
    merged.update(b)
    return merged
''',
        "changes_a_in_place": '''
def merge(a, b):
    for node, count in b.items():
        a[node] = max(a.get(node, 0), count)
    return a
''',
        "calls_dynamolite_merge": '''
import dynamolite.vclock as vclock
def merge(a, b):
    return vclock.merge(vclock.VectorClock(a), vclock.VectorClock(b)).as_dict()
''',
    },
    "part_d": {
        "keeps_only_one_sibling": '''
def reconcile_cart(versions):
    context = {}
    for vector, _ in versions:
        context = merge(context, vector)
    newest = max(versions, key=lambda version: sum(version[0].values()))
    return sorted(newest[1]), context
''',
        "unions_obsolete_versions_too": '''
def reconcile_cart(versions):
    items, context = set(), {}
    for vector, cart in versions:
        context = merge(context, vector)
        items |= set(cart)
    return sorted(items), context
''',
        "equal_versions_drop_each_other": '''
def reconcile_cart(versions):
    items, context = set(), {}
    for i, (vector, cart) in enumerate(versions):
        context = merge(context, vector)
        if not any(descends(other, vector) for j, (other, _) in enumerate(versions) if j != i):
            items |= set(cart)
    return sorted(items), context
''',
        "removal_wins_intersection": '''
def reconcile_cart(versions):
    context = {}
    for vector, _ in versions:
        context = merge(context, vector)
    items = set(versions[0][1])
    for _, cart in versions[1:]:
        items &= set(cart)
    return sorted(items), context
''',
    },
    "part_e": {
        "server_id_clock": '''
def dvv_put(siblings, node, context, value):
    counter = max([context.get(node, 0)] + [c for (n, c), _, _ in siblings if n == node]) + 1
    clock = dict(context)
    clock[node] = counter
    kept = [(dot, past, v) for dot, past, v in siblings if clock.get(dot[0], 0) < dot[1]]
    return kept + [((node, counter), dict(context), value)]
''',
        "counter_from_the_dots_only": '''
def dvv_put(siblings, node, context, value):
    counter = max([context.get(node, 0)] + [c for (n, c), _, _ in siblings if n == node])
    kept = [(dot, past, v) for dot, past, v in siblings if context.get(dot[0], 0) < dot[1]]
    return kept + [((node, counter + 1), dict(context), value)]
''',
        "past_is_what_the_replica_holds": '''
def dvv_put(siblings, node, context, value):
    seen = dict(context)
    for (n, c), past, _ in siblings:
        for m, k in list(past.items()) + [(n, c)]:
            seen[m] = max(seen.get(m, 0), k)
    kept = [(dot, past, v) for dot, past, v in siblings if context.get(dot[0], 0) < dot[1]]
    return kept + [((node, seen.get(node, 0) + 1), seen, value)]
''',
        "appends_to_the_given_list": '''
def dvv_put(siblings, node, context, value):
    counter = context.get(node, 0)
    for (dot_node, dot_counter), past, _ in siblings:
        counter = max(counter, past.get(node, 0), dot_counter if dot_node == node else 0)
    siblings[:] = [(dot, past, v) for dot, past, v in siblings if context.get(dot[0], 0) < dot[1]]
    siblings.append(((node, counter + 1), dict(context), value))
    return siblings
''',
    },
}

"""The message-flow (Lamport) diagram of requests in a simulated cluster (matplotlib).

Each participant (the client, then the replicas) is a vertical line; time
runs downward in simulated ms; every message is an arrow from its sender at
its send time to its receiver at its receive time, labelled with its kind
(W write, A ack, R read, S response, C client). A lost message ends in a
cross. Solid arrows are the ones the request waited for; the late ones, which
the client did not wait for, are drawn dashed.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from dynamolite.cluster import Cluster
>>> c = Cluster(["A", "B", "C"], n=3, r=2, w=2, seed=1, trace=True)
>>> op = c.put("k", 1)
>>> ax = plot_flow(c, op)
>>> [m["kind"] for m in flow_messages(c, op)][:3]     # the coordinator writes to 3 replicas
['W', 'W', 'W']
>>> sum(m["waited"] for m in flow_messages(c, op) if m["kind"] == "A")   # and waits for W=2 acks
2
"""

import matplotlib.pyplot as plt

KIND_COLORS = {"W": "tab:red", "A": "tab:orange", "R": "tab:blue", "S": "tab:cyan", "C": "tab:gray"}
KIND_NAMES = {"W": "write", "A": "ack", "R": "read", "S": "response", "C": "client"}


def _lane_name(endpoint):
    if isinstance(endpoint, tuple):
        return "client" if endpoint[1] is None else f"client\n({endpoint[1]})"
    return endpoint


def flow_messages(cluster, ops):
    """The messages of ``ops`` as dicts (op, kind, src, dst, send, recv, waited), sorted by send time."""
    if not isinstance(ops, (list, tuple)):
        ops = [ops]
    rows = []
    for op in ops:
        for kind, src, dst, send, recv in cluster.trace_of(op):
            # a reply the coordinator did not wait for arrived after the request completed
            waited = recv is not None and (op.end is None or recv <= op.end)
            rows.append(dict(op=op, kind=kind, src=src, dst=dst, send=send, recv=recv, waited=waited))
    rows.sort(key=lambda m: (m["send"], m["op"].id))
    return rows


def plot_flow(cluster, ops, ax=None, title=None, until=None):
    """Draw the Lamport diagram of one operation or a list of them; return the axes.

    The cluster must be built with ``trace=True``. ``until`` (ms) cuts the
    time axis (late messages can take long under heavy-tailed models).
    """
    if not isinstance(ops, (list, tuple)):
        ops = [ops]
    messages = flow_messages(cluster, ops)
    lanes = []
    for op in ops:                      # clients first, then replicas
        if _lane_name(op.client or ("client", None)) not in lanes:
            lanes.append(_lane_name(op.client or ("client", None)))
    for op in ops:
        for name in cluster.preference_list(op.key):
            if name not in lanes:
                lanes.append(name)
    for m in messages:
        for end in (m["src"], m["dst"]):
            if _lane_name(end) not in lanes:
                lanes.append(_lane_name(end))
    x = {name: i for i, name in enumerate(lanes)}
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(lanes) + 2, 5))
    t0 = min(op.start for op in ops)
    times = [op.end for op in ops if op.end is not None] + [m["recv"] or m["send"] for m in messages]
    t_end = max(times + [t0 + 1e-3])
    if until is not None:
        t_end = min(t_end, until)
    for name, i in x.items():
        ax.plot([i, i], [t0, t_end], color="black", lw=1, zorder=1)
    used = set()
    for m in messages:
        xs, xd = x[_lane_name(m["src"])], x[_lane_name(m["dst"])]
        color = KIND_COLORS.get(m["kind"], "black")
        recv = m["recv"]
        end_t = recv if recv is not None else m["send"] + 0.5 * (t_end - m["send"])
        ax.annotate("", xy=(xd if recv is not None else (xs + xd) / 2, end_t), xytext=(xs, m["send"]),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6 if m["waited"] else 1.0,
                                    linestyle="-" if m["waited"] else "--", alpha=1 if m["waited"] else 0.6,
                                    # a message to oneself bulges sideways instead of hiding on the lane
                                    connectionstyle="arc3,rad=-0.6" if xs == xd else "arc3"))
        if recv is None:
            ax.plot([(xs + xd) / 2], [end_t], marker="x", color=color, ms=10)
        label = KIND_NAMES.get(m["kind"], m["kind"])
        ax.plot([], [], color=color, label=label if label not in used else None)
        used.add(label)
    for op in ops:
        client = x[_lane_name(op.client or ("client", None))]
        coord = x[op.coordinator] if op.coordinator in x else client
        ax.plot([client], [op.start], marker="o", color="black")
        text = f"{op.kind}({op.key!r})"
        ax.text(client - 0.08, op.start, text, ha="right", va="center", fontsize=8)
        if op.end is not None:
            ax.plot([client], [op.end], marker="s", color="green" if op.ok else "red")
            ax.text(client - 0.08, op.end, f"done {op.latency:.2f} ms", ha="right", va="center", fontsize=8)
            if op.client is None:     # client and coordinator share a site: show the hand-offs
                ax.annotate("", xy=(coord, op.start), xytext=(client, op.start),
                            arrowprops=dict(arrowstyle="-|>", color="gray", lw=0.8))
                ax.annotate("", xy=(client, op.end), xytext=(coord, op.end),
                            arrowprops=dict(arrowstyle="-|>", color="gray", lw=0.8))
    ax.set_xticks(range(len(lanes)))
    ax.set_xticklabels(lanes)
    ax.set_xlim(-1.2, len(lanes) - 0.5)
    pad = 0.05 * (t_end - t0)
    ax.set_ylim(t_end + pad, t0 - pad)            # time flows downward
    ax.set_ylabel("simulated time (ms)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or f"message flow, N={cluster.n} R={cluster.r} W={cluster.w}")
    return ax

"""Where a node keeps its versions: the ``Store`` seam, in memory or in SQLite (Dynamo section 5).

Dynamo's local persistence engine is pluggable ("Berkeley Database ... MySQL
... an in-memory buffer with persistent backing store"): the node's logic
never depends on it. Here a store maps a key to its *siblings*, a list of
``(clock, value)`` versions, and a node (with its hint store) calls only the six
methods of :class:`Store`. Two implementations:

- :class:`MemoryStore`, a dict: fast, and everything is lost when the node crashes;
- :class:`SQLiteStore`, one SQLite file per node in WAL mode: ``put`` returns
  after the transaction commits, so a write a node acknowledged survives its
  crash (a process crash; with ``synchronous=NORMAL`` a power cut could lose
  the last commits, which ``synchronous="FULL"`` prevents at about 3x the cost).

>>> store = MemoryStore()
>>> store.put("cart", [("clock", ["milk"])])
>>> store.get("cart"), list(store.keys())
([('clock', ['milk'])], ['cart'])
>>> store.crash(); store.get("cart")
[]

A store is handed values it must not change and returns lists its caller
must not change: the node always builds new lists.
"""

import pickle
import sqlite3
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import ConfigError


STORE_CALLS = ("get", "put", "delete", "keys", "versions", "crash")
"""The methods of :class:`Store`."""


@runtime_checkable
class Store(Protocol):
    """The six calls a node makes on its storage; ``durable`` says what survives a crash."""

    durable: bool

    def get(self, key):
        """The siblings of ``key``: a list of ``(clock, value)``, empty if none."""

    def put(self, key, siblings):
        """Replace the siblings of ``key``; when it returns, the write is as safe as the store."""

    def delete(self, key):
        """Forget ``key`` (hinted handoff drops a hint once its replica has it)."""

    def keys(self):
        """Every key held."""

    def versions(self):
        """Every ``(key, siblings)`` pair held."""

    def crash(self):
        """Forget what a crash of the node's process forgets (a memory store: everything)."""


class MemoryStore:
    """A dict from key to siblings. Cost: O(1) a call; nothing survives :meth:`crash`."""

    durable = False
    __slots__ = ("data",)

    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key, [])

    def put(self, key, siblings):
        self.data[key] = siblings

    def delete(self, key):
        self.data.pop(key, None)

    def keys(self):
        return self.data.keys()

    def versions(self):
        return self.data.items()

    def crash(self):
        self.data = {}

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        return f"MemoryStore(keys={len(self.data)})"


class SQLiteStore:
    """One SQLite database file: a table of (key, siblings), both pickled.

    WAL mode lets a commit append to the write-ahead log instead of rewriting
    pages; ``synchronous=NORMAL`` (the default here) then syncs the log to disk
    only at checkpoints, which is what makes thousands of committed writes a
    second possible (benchmarks/bench_cluster.py measures it). Each ``put`` is
    its own transaction (autocommit): acknowledged means committed.
    """

    durable = True

    def __init__(self, path, synchronous="NORMAL"):
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ConfigError(f"synchronous is one of OFF, NORMAL, FULL, EXTRA; got {synchronous!r}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.synchronous = synchronous
        self._open()

    def _open(self):
        self.db = sqlite3.connect(self.path, isolation_level=None)    # autocommit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={self.synchronous}")
        self.db.execute("CREATE TABLE IF NOT EXISTS versions "
                        "(key BLOB PRIMARY KEY, siblings BLOB NOT NULL) WITHOUT ROWID")

    def get(self, key):
        row = self.db.execute("SELECT siblings FROM versions WHERE key = ?",
                              (pickle.dumps(key),)).fetchone()
        return [] if row is None else pickle.loads(row[0])

    def put(self, key, siblings):
        self.db.execute("INSERT OR REPLACE INTO versions VALUES (?, ?)",
                        (pickle.dumps(key), pickle.dumps(siblings)))

    def delete(self, key):
        self.db.execute("DELETE FROM versions WHERE key = ?", (pickle.dumps(key),))

    def keys(self):
        return [pickle.loads(k) for (k,) in self.db.execute("SELECT key FROM versions")]

    def versions(self):
        return [(pickle.loads(k), pickle.loads(s))
                for k, s in self.db.execute("SELECT key, siblings FROM versions")]

    def crash(self):
        """The process dies: the connection goes, committed rows stay; the node reopens the file."""
        self.db.close()
        self._open()

    def close(self):
        self.db.close()

    def __len__(self):
        return self.db.execute("SELECT count(*) FROM versions").fetchone()[0]

    def __repr__(self):
        return f"SQLiteStore({str(self.path)!r})"


def _checked(store, name):
    missing = [m for m in ("durable",) + STORE_CALLS if not hasattr(store, m)]
    if missing:
        raise ConfigError(f"the store made for {name!r} lacks {', '.join(missing)}: a store has "
                          f"`durable` and the {len(STORE_CALLS)} calls of the Store protocol, "
                          f"{', '.join(STORE_CALLS)}")
    return store


def store_factory(store="memory", data_dir=None):
    """A function ``name -> Store`` from ``Cluster(store=..., data_dir=...)``.

    ``store`` is ``"memory"``, ``"sqlite"`` (one file per store in ``data_dir``)
    or a function of the store's name returning a :class:`Store`.
    """
    if callable(store):
        return lambda name: _checked(store(name), name)
    if store == "memory":
        return lambda name: MemoryStore()
    if store == "sqlite":
        if data_dir is None:
            raise ConfigError('store="sqlite" keeps one file per node: pass data_dir="some/folder"')
        old = sorted(p.name for p in Path(data_dir).glob("*.sqlite"))
        if old:
            raise ConfigError(f"data_dir {str(data_dir)!r} already holds store files ({', '.join(old)}): "
                              f"a new cluster starts with empty stores. Its nodes would count their "
                              f"clocks from 1 again over the old versions, and a new write whose clock "
                              f"an old version already has is dropped as seen; use an empty folder")
        return lambda name: SQLiteStore(Path(data_dir) / f"{name}.sqlite")
    raise ConfigError(f'unknown store {store!r}: choose "memory", "sqlite" or a function name -> Store')

"""What the database alone costs in `simulate` (issue 17, point 3, a figure).

A 200-person `simulate` runs as usual, and every statement, COMMIT and
ROLLBACK the driver is handed is written down, with its parameters and its
connection: a SQLite unit of work begins and commits on the driver
connection itself (`bot/store/inline_session.py`), so its BEGIN and COMMIT
are taken from there. The same stream is then replayed, in the same order,
through plain `sqlite3` on a fresh file (one connection for each of the run's
connections, the project's PRAGMAs). The replay is what SQLite itself takes
for the year.

The run also times its statement layer: every statement from the moment the
code hands it to SQLAlchemy until its rows (or ORM objects) come back, the
units' BEGIN, last flush and COMMIT included. The layer less the replay is
what SQLAlchemy costs; the wall time less the layer is the rest (the core,
the templates, the scheduler, the simulation); `without SQLAlchemy` is the
run's wall time had its statements cost only what SQLite takes.

    python -m bench.sql_floor [--runs 1] [--size 200]
"""

from __future__ import annotations

import argparse
import sys

from bench._child import run_child
from bench.goals import record

CHILD = r"""
import asyncio, json, sqlite3, sys, tempfile, time
from pathlib import Path
from sqlalchemy.engine import default
from tools import simulate

stream = []
D = default.DefaultDialect

def key(context, fallback):
    if context is not None and context.root_connection is not None:
        return id(context.root_connection.connection.dbapi_connection)
    return id(fallback)

def patch(name, wrap):
    real = getattr(D, name)
    setattr(D, name, wrap(real))

patch("do_execute", lambda real: lambda self, cursor, sql, params, context=None: (
    stream.append((key(context, cursor), sql, params, False)), real(self, cursor, sql, params, context))[1])
patch("do_executemany", lambda real: lambda self, cursor, sql, params, context=None: (
    stream.append((key(context, cursor), sql, params, True)), real(self, cursor, sql, params, context))[1])
patch("do_execute_no_params", lambda real: lambda self, cursor, sql, context=None: (
    stream.append((key(context, cursor), sql, None, False)), real(self, cursor, sql, context))[1])
def raw(conn):  # commit and rollback are handed the pool's proxy, statements the driver's connection
    return id(getattr(conn, "dbapi_connection", conn))

patch("do_commit", lambda real: lambda self, conn: (stream.append((raw(conn), "COMMIT", None, False)), real(self, conn))[1])
patch("do_rollback", lambda real: lambda self, conn: (stream.append((raw(conn), "ROLLBACK", None, False)), real(self, conn))[1])

# SQLite units of work begin and commit on the driver connection (bot/store/inline_session.py):
# the BEGIN is announced to statement listeners with no cursor, the COMMIT is end_unit's.
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from bot.store import inline_session

def begun(conn, cursor, statement, *_):
    if cursor is None and statement.startswith("BEGIN"):
        stream.append((id(conn.connection.dbapi_connection), statement, None, False))

event.listen(Engine, "before_cursor_execute", begun)

layer, depth = [0.0], [0]
def timed(real):
    def wrapper(*args, **kwargs):
        if depth[0]:
            return real(*args, **kwargs)
        depth[0] += 1
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            layer[0] += time.perf_counter() - start
            depth[0] -= 1
    return wrapper

Session.execute = timed(Session.execute)
Connection.execute = timed(Connection.execute)
real_end, real_begin = inline_session.end_unit, inline_session.begin_unit
def end_unit(session):
    real_end(session)
    stream.append((id(inline_session.driver(session)), "COMMIT", None, False))
inline_session.end_unit = timed(end_unit)
async def begin_unit(session, *, write):
    start = time.perf_counter()
    try:
        return await real_begin(session, write=write)
    finally:
        layer[0] += time.perf_counter() - start
inline_session.begin_unit = begin_unit

size = int(sys.argv[1])
with tempfile.TemporaryDirectory(prefix="mentorbot-bench-floor-") as tmp:
    wall = time.perf_counter()
    asyncio.run(simulate.simulate(size, 4, "sv", Path(tmp) / "simulate.db"))
    wall = time.perf_counter() - wall
    conns, errors = {}, 0
    path = Path(tmp) / "replay.db"
    replay = time.perf_counter()
    for owner, sql, params, many in stream:
        c = conns.get(owner)
        if c is None:
            c = conns[owner] = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "busy_timeout=0", "foreign_keys=ON", "synchronous=NORMAL"):
                c.execute(f"PRAGMA {pragma}")
        try:
            if sql == "COMMIT" or sql == "ROLLBACK":
                if c.in_transaction:
                    c.execute(sql)
            elif sql.startswith("BEGIN"):
                if not c.in_transaction:
                    c.execute(sql)
            elif many:
                c.executemany(sql, params).fetchall()
            else:
                c.execute(sql, params or ()).fetchall()
        except sqlite3.Error:
            errors += 1
    replay = time.perf_counter() - replay
print(json.dumps({"wall": wall, "layer": layer[0], "replay": replay, "entries": len(stream), "errors": errors,
                  "begins": sum(1 for e in stream if e[1].startswith("BEGIN")),
                  "commits": sum(1 for e in stream if e[1] == "COMMIT"), "connections": len(conns)}))
"""


def one(size: int) -> dict:
    return run_child(CHILD, size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sql_floor")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args(argv)
    print(
        f"{'people':>6} {'run':>3} {'simulate s':>10} {'layer s':>8} {'replay s':>9} {'rest s':>7} "
        f"{'w/o SQLA s':>10} {'entries':>8} {'commits':>8} {'errors':>6}"
    )
    replays, layers, without = [], [], []
    for run in range(1, args.runs + 1):
        r = one(args.size)
        replays.append(r["replay"])
        layers.append(r["layer"])
        without.append(r["wall"] - r["layer"] + r["replay"])
        print(
            f"{args.size:>6} {run:>3} {r['wall']:>10.1f} {r['layer']:>8.1f} {r['replay']:>9.2f} "
            f"{r['wall'] - r['layer']:>7.1f} {without[-1]:>10.1f} {r['entries']:>8} {r['commits']:>8} "
            f"{r['errors']:>6}",
            flush=True,
        )
    print("(layer: time inside SQLAlchemy's statement execution, SQLite's included; replay: the run's statements,")
    print(" BEGINs, COMMITs and ROLLBACKs through plain sqlite3; rest: the wall time outside the layer; w/o SQLA:")
    print(" rest + replay, the run had SQLAlchemy cost nothing; errors: statements the replay could not run as")
    print(" recorded, e.g. a batch SQLAlchemy split differently; they are few)")
    if args.size == 200:
        record(
            "sql_floor",
            {
                "simulate.200.sql_floor": replays,
                "simulate.200.sql_layer": layers,
                "simulate.200.without_sqlalchemy": without,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The one-shot init task (procinit.yaml, preflight.tasks): creates or upgrades the database.

It runs at every start, before the API and the worker, so each step must be safe to repeat:
SQLite's user_version records which migrations have been applied.
"""

import sys

from shared import DB_PATH, database, log

MIGRATIONS = [
    """
    CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        status TEXT NOT NULL,          -- queued, then done
        received_at TEXT NOT NULL,
        sha256 TEXT,
        processed_at TEXT,
        processed_by TEXT              -- the worker instance: worker.1, worker.2
    )
    """,
]


def migrate() -> int:
    with database() as db:
        # WAL lets the API read while a worker writes.
        db.execute("PRAGMA journal_mode=WAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        pending = MIGRATIONS[version:]
        for number, statement in enumerate(pending, start=version + 1):
            db.execute("BEGIN")
            db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
    log(f"database {DB_PATH.name}: schema version {len(MIGRATIONS)} ({len(pending)} migrations applied)")
    return 0


if __name__ == "__main__":
    sys.exit(migrate())

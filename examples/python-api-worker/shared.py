"""What the API, the worker and the migration share: paths, logging, the database, stopping.

Standard library only, so the image needs nothing beyond python:3.12-slim.
"""

import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Paths hang off this file, not the working directory: procinit.yaml's preflight creates
# data/, data/uploads/ and spool/ beside it (its paths are relative to its own directory).
APP_DIR = Path(__file__).resolve().parent
DATA_DIR = APP_DIR / "data"
UPLOADS_DIR = DATA_DIR / "uploads"
SPOOL_DIR = APP_DIR / "spool"
DB_PATH = DATA_DIR / "app.db"


def log(message: str) -> None:
    """One line on stdout, at once: under procinit stdout is a pipe, which Python buffers."""
    print(message, flush=True)


@contextmanager
def database() -> Iterator[sqlite3.Connection]:
    """A connection to the database, closed after use; each statement commits by itself."""
    # The API and the workers write at the same time: wait for the lock rather than fail.
    db = sqlite3.connect(DB_PATH, timeout=10, isolation_level=None)
    try:
        yield db
    finally:
        db.close()


def stop_requested() -> threading.Event:
    """An Event set by SIGTERM (docker stop, procinit's shutdown) or SIGINT (Ctrl-C).

    The handler only sets the Event (printing there could re-enter a print the signal
    interrupted): the program notices, finishes what it is doing, then exits 0, which procinit
    reports as a clean stop.
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stop.set())
    return stop

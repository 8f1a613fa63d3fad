"""The background worker: takes jobs from spool/, checksums the upload, records the result.

Several instances may run (procinit.yaml, instances: 2): a job is claimed by renaming its file,
which only one worker can do, so no job is processed twice.
"""

import hashlib
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from shared import SPOOL_DIR, UPLOADS_DIR, database, log, stop_requested

# PROCINIT_PROCESS is set by procinit for every process: worker.1, worker.2.
WORKER = os.environ.get("PROCINIT_PROCESS", "worker")
POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "0.5"))
CLAIMED_SUFFIX = f".working-{WORKER}"


def claim(job: Path) -> Path | None:
    """Renames the job to this worker's name; None when another worker renamed it first."""
    claimed = job.with_name(job.name + CLAIMED_SUFFIX)
    try:
        os.rename(job, claimed)
    except FileNotFoundError:
        return None
    return claimed


def requeue_unfinished() -> None:
    """Puts back the jobs this worker had claimed when it was killed, so they are not lost."""
    for claimed in SPOOL_DIR.glob(f"*.json{CLAIMED_SUFFIX}"):
        os.replace(claimed, claimed.with_name(claimed.name.removesuffix(CLAIMED_SUFFIX)))
        log(f"requeued {claimed.name}")


def process(claimed: Path) -> None:
    upload_id = json.loads(claimed.read_text())["upload_id"]
    digest = hashlib.sha256((UPLOADS_DIR / upload_id).read_bytes()).hexdigest()
    with database() as db:
        db.execute(
            "UPDATE uploads SET status = 'done', sha256 = ?, processed_at = ?, processed_by = ? WHERE id = ?",
            (digest, datetime.now(timezone.utc).isoformat(), WORKER, upload_id),
        )
    claimed.unlink()
    log(f"processed upload {upload_id}: sha256 {digest}")


def main() -> int:
    stop = stop_requested()
    requeue_unfinished()
    log(f"watching {SPOOL_DIR} every {POLL_SECONDS}s")
    while not stop.is_set():
        for job in sorted(SPOOL_DIR.glob("*.json")):
            if stop.is_set():
                break  # the job stays queued for the next start
            claimed = claim(job)
            if claimed is not None:
                process(claimed)
        stop.wait(POLL_SECONDS)
    log("stop requested: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

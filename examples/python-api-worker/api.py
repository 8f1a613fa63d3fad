"""The HTTP API: stores an upload and queues a job for the worker.

  GET  /               what is serving (no auth)
  GET  /healthz        procinit's readiness probe: 200 when the database answers
  POST /uploads        the body is the upload; needs "Authorization: Bearer $API_TOKEN"
  GET  /uploads/<id>   the upload's status: queued, then done with its sha256

Binds 0.0.0.0:$PORT (not 127.0.0.1), so it is reachable from outside the container.
"""

import hmac
import json
import os
import sqlite3
import sys
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shared import SPOOL_DIR, UPLOADS_DIR, database, log, stop_requested

PORT = int(os.environ.get("PORT", "8000"))
# preflight.env.required guarantees it is set; procinit never prints its value.
API_TOKEN = os.environ["API_TOKEN"]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def queue_job(upload_id: str) -> None:
    """Writes spool/<id>.json atomically: a worker never sees a half-written job."""
    temporary = SPOOL_DIR / f".{upload_id}.tmp"
    temporary.write_text(json.dumps({"upload_id": upload_id}))
    os.replace(temporary, SPOOL_DIR / f"{upload_id}.json")


class Handler(BaseHTTPRequestHandler):
    server_version = "example-api"

    def do_GET(self) -> None:
        if self.path == "/":
            self.reply(200, {"service": "api", "process": os.environ.get("PROCINIT_PROCESS")})
        elif self.path == "/healthz":
            self.health()
        elif self.path.startswith("/uploads/"):
            self.show_upload(self.path.removeprefix("/uploads/"))
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != "/uploads":
            return self.reply(404, {"error": "not found"})
        if not self.authorized():
            return self.reply(401, {"error": "missing or wrong bearer token"})
        size = int(self.headers.get("Content-Length") or 0)
        if size > MAX_UPLOAD_BYTES:
            return self.reply(413, {"error": f"uploads are limited to {MAX_UPLOAD_BYTES} bytes"})
        upload_id = uuid.uuid4().hex
        (UPLOADS_DIR / upload_id).write_bytes(self.rfile.read(size))
        received_at = datetime.now(timezone.utc).isoformat()
        with database() as db:
            db.execute(
                "INSERT INTO uploads (id, size, status, received_at) VALUES (?, ?, 'queued', ?)",
                (upload_id, size, received_at),
            )
        queue_job(upload_id)
        self.reply(202, {"id": upload_id, "status": "queued"})

    def health(self) -> None:
        try:
            with database() as db:
                db.execute("SELECT 1 FROM uploads LIMIT 1")
        except sqlite3.Error as error:
            return self.reply(503, {"status": "database unavailable", "error": str(error)})
        self.reply(200, {"status": "ok"})

    def show_upload(self, upload_id: str) -> None:
        with database() as db:
            row = db.execute(
                "SELECT id, size, status, sha256, processed_by FROM uploads WHERE id = ?", (upload_id,)
            ).fetchone()
        if row is None:
            return self.reply(404, {"error": "no such upload"})
        keys = ("id", "size", "status", "sha256", "processed_by")
        self.reply(200, dict(zip(keys, row)))

    def authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        # compare_digest: the time taken does not tell how much of the token was right.
        return hmac.compare_digest(given.encode(), f"Bearer {API_TOKEN}".encode())

    def reply(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        # http.server logs to stderr by default; one access line on stdout reads better.
        log(f"{self.address_string()} {format % args}")


def main() -> int:
    stop = stop_requested()
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True
    # serve_forever runs in a thread so that the main thread can wait for the stop signal:
    # shutdown() must be called from another thread than the one serving.
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    log(f"listening on http://0.0.0.0:{PORT}")
    stop.wait()
    log("stop requested: finishing the requests in progress")
    server.shutdown()
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

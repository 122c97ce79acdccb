"""A small upstream of our own for resilience tests, where httpbin cannot do it: it fails a chosen number of
times per key, then succeeds, and counts every request it receives.

  GET  /flaky/<key>?fail=N&status=503&retryAfter=S  -> `status` (with Retry-After: S if given) for the first N requests
                                                       of <key>, then 200 {"key": ..., "attempt": n}
  GET  /count/<key>                                  -> {"count": requests seen for <key>}
  POST /reset                                        -> forgets all counters

Binds 127.0.0.1; --port 0 picks a free port; prints "LISTENING <port>"; exits when its parent process does.
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from peer_support import exit_with_parent

counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/reset":
            with lock:
                counts.clear()
            return self.send_json(200, {"ok": True})
        return self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        parts = url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "flaky":
            key = parts[1]
            with lock:
                counts[key] = counts.get(key, 0) + 1
                n = counts[key]
            fail = int(q.get("fail", ["0"])[0])
            status = int(q.get("status", ["503"])[0])
            if n <= fail:
                headers = {}
                if "retryAfter" in q:
                    headers["Retry-After"] = q["retryAfter"][0]
                return self.send_json(status, {"error": "failing on purpose", "attempt": n}, headers)
            return self.send_json(200, {"key": key, "attempt": n})
        if len(parts) == 2 and parts[0] == "count":
            with lock:
                return self.send_json(200, {"count": counts.get(parts[1], 0)})
        self.send_json(404, {"error": "not found"})



def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    exit_with_parent()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

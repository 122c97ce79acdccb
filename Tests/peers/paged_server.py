"""A paginated upstream for sync tests, on 127.0.0.1 (standard library only).

Usage: paged_server.py [--port N] [--records N]   (port 0 picks a free port). Prints "LISTENING <port>".
Exits when its parent process dies.

GET /records?style=S[&updated_since=T]: the records (id 1..N, each with updated_at) in id order, paged by style:
  cursor      ?cursor=<last id>&limit=L         -> {"data": [...], "meta": {"next_cursor": "<id>" | null}}
  (a cursor or `after` may carry a suffix, "<id>.<k>", which is ignored: the next pointer of an empty page)
  offset      ?offset=O&limit=L                 -> {"data": [...], "total": n}
  page        ?page=P&per_page=L (P from 1)     -> {"data": [...]}
  next_url    ?after=<id>&limit=L               -> {"data": [...], "links": {"next": "<absolute url>" | null}}
  link_header ?after=<id>&limit=L               -> {"data": [...]} and Link: <url>; rel="next"
updated_since keeps records with updated_at >= T (RFC 3339, compared as text).

POST /control with a JSON object, any of:
  {"reset": N}                       N fresh records, counters cleared
  {"modify": [ids]}                  change those records (new name, newer updated_at)
  {"add": K}                         K new records after the highest id
  {"delete": [ids]}                  remove records
  {"fail": {"every": K, "statuses": [503, 429], "retryAfter": "0"}}  every K-th /records request fails (0: never)
  {"emptyEvery": K}                  cursor, next_url, link_header: every K-th page served is empty, with a next
                                     pointer (a new one each time) to the same place, as Slack's API may answer
GET /stats -> {"requests": r, "pages": p, "failures": f, "count": n}
"""
import argparse
import bisect
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse
from peer_support import exit_with_parent

BASE = 1_767_225_600  # 2026-01-01T00:00:00Z


def stamp(tick):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE + tick))


class State:
    def __init__(self, n):
        self.lock = threading.Lock()
        self.reset(n)

    def reset(self, n):
        self.records = {i: self.make(i, i, 0) for i in range(1, n + 1)}
        self.ids = list(range(1, n + 1))
        self.tick = n + 1
        self.requests = 0
        self.pages = 0
        self.failures = 0
        self.fail_every = 0
        self.fail_statuses = [503]
        self.retry_after = "0"
        self.empty_every = 0

    @staticmethod
    def make(i, tick, version):
        return {"id": i, "name": f"name-{i}-v{version}", "email": f"user{i}@example.com", "version": version, "updated_at": stamp(tick)}

    def next_tick(self):
        self.tick += 1
        return self.tick


STATE = State(0)


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

    def do_GET(self):
        url = urlparse(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/stats":
            with STATE.lock:
                return self.send_json(200, {"requests": STATE.requests, "pages": STATE.pages, "failures": STATE.failures, "count": len(STATE.ids)})
        if url.path != "/records":
            return self.send_json(404, {"error": "not found"})
        with STATE.lock:
            STATE.requests += 1
            if STATE.fail_every and STATE.requests % STATE.fail_every == 0:
                STATE.failures += 1
                status = STATE.fail_statuses[STATE.failures % len(STATE.fail_statuses)]
                return self.send_json(status, {"error": "injected"}, {"Retry-After": STATE.retry_after})
            STATE.pages += 1
            since = q.get("updated_since")
            style = q.get("style", "cursor")
            limit = int(q.get("limit") or q.get("per_page") or 100)
            ids = STATE.ids
            if since:
                ids = [i for i in ids if STATE.records[i]["updated_at"] >= since]
            host = f"http://127.0.0.1:{self.server.server_port}"
            if style == "offset":
                offset = int(q.get("offset") or 0)
                page = ids[offset:offset + limit]
                return self.send_json(200, {"data": [STATE.records[i] for i in page], "total": len(ids)})
            if style == "page":
                number = int(q.get("page") or 1)
                page = ids[(number - 1) * limit:number * limit]
                return self.send_json(200, {"data": [STATE.records[i] for i in page]})
            after = int((q.get("cursor") or q.get("after") or "0").split(".")[0])
            start = bisect.bisect_right(ids, after)
            page = ids[start:start + limit]
            more = start + limit < len(ids)
            next_after = str(page[-1]) if page else str(after)
            if STATE.empty_every and STATE.pages % STATE.empty_every == 0 and page:
                page, more, next_after = [], True, f"{after}.{STATE.pages}"
            data = [STATE.records[i] for i in page]
            if style == "cursor":
                return self.send_json(200, {"data": data, "meta": {"next_cursor": next_after if more else None}})
            params = {"style": style, "after": next_after, "limit": limit}
            if since:
                params["updated_since"] = since
            next_url = f"{host}/records?{urlencode(params)}" if more else None
            if style == "next_url":
                return self.send_json(200, {"data": data, "links": {"next": next_url}})
            return self.send_json(200, {"data": data}, {"Link": f'<{next_url}>; rel="next"'} if next_url else {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if urlparse(self.path).path != "/control":
            return self.send_json(404, {"error": "not found"})
        with STATE.lock:
            if "reset" in body:
                STATE.reset(int(body["reset"]))
            for i in body.get("modify", []):
                if i in STATE.records:
                    v = STATE.records[i]["version"] + 1
                    STATE.records[i] = State.make(i, STATE.next_tick(), v)
            for _ in range(int(body.get("add", 0))):
                i = (STATE.ids[-1] if STATE.ids else 0) + 1
                STATE.records[i] = State.make(i, STATE.next_tick(), 0)
                STATE.ids.append(i)
            for i in body.get("delete", []):
                if STATE.records.pop(i, None) is not None:
                    STATE.ids.remove(i)
            if "emptyEvery" in body:
                STATE.empty_every = int(body["emptyEvery"])
            if "fail" in body:
                f = body["fail"]
                STATE.fail_every = int(f.get("every", 0))
                STATE.fail_statuses = list(f.get("statuses", [503]))
                STATE.retry_after = str(f.get("retryAfter", "0"))
            if body.get("resetStats"):
                STATE.requests = STATE.pages = STATE.failures = 0
            return self.send_json(200, {"count": len(STATE.ids)})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    STATE.reset(args.records)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    exit_with_parent()
    print(f"LISTENING {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

"""httpbin (https://pypi.org/project/httpbin/), the real HTTP request & response service, on 127.0.0.1.

Usage: httpbin_server.py [--port N]   (0 picks a free port). Prints "LISTENING <port>" once it accepts
connections. Threaded, so slow endpoints (/delay/N) don't block other requests.
"""
import argparse
import os
import sys
import threading
import time

from httpbin import app
from werkzeug.serving import make_server
from peer_support import exit_with_parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    exit_with_parent()
    print(f"LISTENING {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

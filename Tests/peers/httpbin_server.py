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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    # Exit when the test process that started us is gone (shared peers outlive single tests).
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    print(f"LISTENING {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

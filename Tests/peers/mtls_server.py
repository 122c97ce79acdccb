"""An HTTPS upstream that requires a client certificate (mutual TLS), for the client_certificate credential tests.

At start it generates, with trustme, and writes into --certs DIR (PEM files):

  server-ca.pem            the private CA that issued the server's certificate (for 127.0.0.1 and localhost)
  client.pem, client.key   an RSA client certificate (CN switchboard-client) issued by an intermediate of the
                           client CA; client.pem holds the leaf and the intermediate
  client-ec.pem, .key      an ECDSA client certificate (CN switchboard-client-ec) issued by the client CA itself
  expired.pem, .key        a client certificate of the client CA that expired in 2020
  other.pem, other.key     a client certificate (CN intruder) issued by a CA the server does not trust
  other-server-ca.pem      a CA that did not issue the server's certificate

The server trusts the client CA only and refuses the TLS handshake without a certificate from it. Every request
(any method, any path) is answered 200 with JSON naming the client certificate the server verified:

  {"method", "path", "clientSubject": "CN=switchboard-client,...", "clientIssuer", "body"}

A POST to /graphql answers {"data": {"whoami": <clientSubject>}} (GraphQL over the same TLS).

Binds 127.0.0.1; --port 0 picks a free port; prints "LISTENING <port>" once the files are written and it accepts
connections; exits when its parent process does.
"""
import argparse
import datetime
import json
import os
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme
from peer_support import exit_with_parent


def name(rdns):
    """`CN=...,O=...` from ssl's getpeercert() subject tuples."""
    return ",".join(f"{k_to_short(k)}={v}" for rdn in rdns for (k, v) in rdn)


def k_to_short(key):
    return {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU"}.get(key, key)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else None
        cert = self.connection.getpeercert() or {}
        subject = name(cert.get("subject", ()))
        if self.command == "POST" and self.path == "/graphql":
            payload = {"data": {"whoami": subject}}
        else:
            payload = {
                "method": self.command,
                "path": self.path,
                "clientSubject": subject,
                "clientIssuer": name(cert.get("issuer", ())),
                "body": body,
            }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer


class MutualTLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, context):
        super().__init__(address, Handler)
        self.context = context

    def finish_request(self, request, client_address):
        # The handshake runs in the request's thread, so a client that stalls or fails it blocks no one else.
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass


def write(blob, path):
    blob.write_to_path(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--certs", required=True)
    args = parser.parse_args()
    os.makedirs(args.certs, exist_ok=True)

    server_ca = trustme.CA()
    server_cert = server_ca.issue_cert("127.0.0.1", "localhost", common_name="mtls-upstream")
    client_ca = trustme.CA()
    intermediate = client_ca.create_child_ca()
    client = intermediate.issue_cert(
        "switchboard-client@example.test", common_name="switchboard-client", organization_name="Switchboard Tests",
        key_type=trustme.KeyType.RSA)
    client_ec = client_ca.issue_cert(common_name="switchboard-client-ec", organization_name="Switchboard Tests")
    expired = client_ca.issue_cert(
        common_name="switchboard-expired", not_before=datetime.datetime(2019, 1, 1), not_after=datetime.datetime(2020, 1, 1))
    other_ca = trustme.CA()
    other = other_ca.issue_cert(common_name="intruder")
    other_server_ca = trustme.CA()

    d = args.certs
    write(server_ca.cert_pem, os.path.join(d, "server-ca.pem"))
    write(other_server_ca.cert_pem, os.path.join(d, "other-server-ca.pem"))
    for leaf, stem in [(client, "client"), (client_ec, "client-ec"), (expired, "expired"), (other, "other")]:
        with open(os.path.join(d, stem + ".pem"), "wb") as f:
            for blob in leaf.cert_chain_pems:
                f.write(blob.bytes())
        write(leaf.private_key_pem, os.path.join(d, stem + ".key"))

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_cert.configure_cert(context)
    client_ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED

    server = MutualTLSServer(("127.0.0.1", args.port), context)
    exit_with_parent()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

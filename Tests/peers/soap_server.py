"""A spyne SOAP server for the SOAP adapter tests, on 127.0.0.1.

    python soap_server.py --port 0

Serves the same service twice: SOAP 1.1 at /soap11 and SOAP 1.2 at /soap12 (the WSDL at `?wsdl`).
Operations (target namespace `urn:switchboard:test`):

- GetUser(id: Integer) -> User {id, name, email, tags: [string], active}; id 0 raises a Client fault, id 404 a
  Client.NotFound fault with a detail element.
- Add(a: Integer, b: Integer) -> Integer
- Echo(text: Unicode) -> Unicode (for escaping round-trips)
- Slow(seconds: Float) -> Unicode (sleeps; timeouts)
- Fail(message: Unicode) -> always a Server fault with `message` as the faultstring.

Plain endpoints beside them: /headers answers with the request's Content-Type, SOAPAction, Accept and body in a
SOAP 1.1 envelope; /html and /text answer 200 with something that is not SOAP; /unavailable answers 503.

Prints `LISTENING <port>` on stdout once it accepts connections, and exits when its parent process does.
"""

import argparse
import os
import sys
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree
from spyne import Application, Boolean, ComplexModel, Fault, Float, Integer, Iterable, Service, Unicode, rpc
from spyne.protocol.soap import Soap11, Soap12
from spyne.server.wsgi import WsgiApplication
from peer_support import exit_with_parent

NAMESPACE = "urn:switchboard:test"


class User(ComplexModel):
    __namespace__ = NAMESPACE
    id = Integer
    name = Unicode
    email = Unicode
    tags = Iterable(Unicode)
    active = Boolean


USERS = {
    1: User(id=1, name="Ada Lovelace", email="ada@example.com", tags=["admin", "math"], active=True),
    2: User(id=2, name="Tom & Jerry <cartoon>", email="tj@example.com", tags=["solo"], active=False),
}


class TestService(Service):
    @rpc(Integer, _returns=User)
    def GetUser(ctx, id):
        if id == 0:
            raise Fault(faultcode="Client", faultstring="id must be positive")
        user = USERS.get(id)
        if user is None:
            detail = etree.Element("{%s}NotFound" % NAMESPACE)
            etree.SubElement(detail, "{%s}id" % NAMESPACE).text = str(id)
            raise Fault(faultcode="Client.NotFound", faultstring="no user %d" % id, detail=detail)
        return user

    @rpc(Integer, Integer, _returns=Integer)
    def Add(ctx, a, b):
        return a + b

    @rpc(Unicode, _returns=Unicode)
    def Echo(ctx, text):
        return text

    @rpc(Float, _returns=Unicode)
    def Slow(ctx, seconds):
        time.sleep(min(seconds or 0, 30))
        return "done"

    @rpc(Unicode, _returns=Unicode)
    def Fail(ctx, message):
        raise Fault(faultcode="Server", faultstring=message or "failure")


def make_app(protocol):
    return WsgiApplication(
        Application([TestService], tns=NAMESPACE, name="SwitchboardTest", in_protocol=protocol(validator="lxml"), out_protocol=protocol())
    )


def headers_app(environ, start_response):
    """Answers with what it received (Content-Type, SOAPAction, Accept, the body) inside a SOAP 1.1 envelope."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8")
    soap = "http://schemas.xmlsoap.org/soap/envelope/"
    envelope = etree.Element("{%s}Envelope" % soap, nsmap={"soap": soap})
    response = etree.SubElement(etree.SubElement(envelope, "{%s}Body" % soap), "{%s}HeadersResponse" % NAMESPACE, nsmap={"tns": NAMESPACE})
    for name, key in [("method", "REQUEST_METHOD"), ("contentType", "CONTENT_TYPE"), ("soapAction", "HTTP_SOAPACTION"), ("accept", "HTTP_ACCEPT")]:
        etree.SubElement(response, "{%s}%s" % (NAMESPACE, name)).text = environ.get(key, "")
    etree.SubElement(response, "{%s}body" % NAMESPACE).text = body
    start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
    return [etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")]


def fixed(status, content_type, body):
    def app(environ, start_response):
        start_response(status, [("Content-Type", content_type)])
        return [body]

    return app


class Router:
    """The spyne applications, plus a few plain endpoints for what a SOAP client must cope with."""

    def __init__(self):
        self.apps = {
            "/soap11": make_app(Soap11),
            "/soap12": make_app(Soap12),
            "/headers": headers_app,
            "/html": fixed("200 OK", "text/html", b"<html><body>maintenance</body></html>"),
            "/text": fixed("200 OK", "text/plain", b"hello, not XML"),
            "/unavailable": fixed("503 Service Unavailable", "text/plain", b"try later"),
        }

    def __call__(self, environ, start_response):
        app = self.apps.get(environ.get("PATH_INFO", ""))
        if app is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        return app(environ, start_response)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    exit_with_parent()
    server = make_server("127.0.0.1", args.port, Router(), server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    print("LISTENING %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

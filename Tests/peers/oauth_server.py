"""A real OAuth 2 authorization server for the vault's tests, built with Authlib on Flask, bound to 127.0.0.1.

Grants: authorization code with PKCE (S256 required), refresh token (rotating: every refresh issues a new refresh
token and revokes the old one), client credentials, JWT bearer (RFC 7523; keys registered by the test), and token
revocation (RFC 7009). The login and consent are auto-approved for a fixed user; `test_deny=1` on the authorization
URL answers `error=access_denied` instead.

Test-only endpoints: GET /test/stats (token requests by grant, client auth methods, revoked tokens),
POST /test/reset, POST /test/jwt-keys {iss, key} (a public PEM or HMAC secret), POST /test/revoke-all,
POST /test/config {expires_in}, GET /api/me (checks a bearer token).

Usage: python oauth_server.py --port 0   (prints "LISTENING <port>")
"""

import argparse
import secrets
import signal
import sys
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, AuthorizationCodeMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerGrant as _JWTBearerGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

LOCK = threading.Lock()
USER = {"id": "user-1", "name": "Test User"}


class Client(ClientMixin):
    def __init__(self, client_id, secret, grant_types, auth_method):
        self.client_id = client_id
        self.client_secret = secret
        self.grant_types = grant_types
        self.auth_method = auth_method

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith("http://127.0.0.1") or redirect_uri.startswith("http://localhost")

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(self.client_secret or "", client_secret or "")

    def check_endpoint_auth_method(self, method, endpoint):
        if endpoint == "token":
            return method == self.auth_method
        return True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in self.grant_types


CLIENTS = {
    "web-client": Client("web-client", "web-secret-Q8f3", ["authorization_code", "refresh_token"], "client_secret_post"),
    "basic-client": Client("basic-client", "basic-secret-Z7x1", ["authorization_code", "refresh_token"], "client_secret_basic"),
    "service-client": Client("service-client", "service-secret-K2m9", ["client_credentials"], "client_secret_post"),
    "jwt-client": Client("jwt-client", "", [_JWTBearerGrant.GRANT_TYPE], "none"),
}


class Token(TokenMixin):
    def __init__(self, data, client_id, user):
        self.data = data
        self.client_id = client_id
        self.user = user
        self.issued_at = time.time()
        self.revoked = False

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.data.get("scope", "")

    def get_expires_in(self):
        return self.data.get("expires_in", 0)

    def is_expired(self):
        return False

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        return self.user

    def get_client(self):
        return CLIENTS[self.client_id]


class Code(AuthorizationCodeMixin):
    def __init__(self, code, client_id, redirect_uri, scope, challenge, method):
        self.code = code
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.code_challenge = challenge
        self.code_challenge_method = method

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


STATE = {"access": {}, "refresh": {}, "codes": {}, "jwt_keys": {}, "expires_in": 3600}
STATS = {"token_requests": 0, "by_grant": {}, "auth_methods": [], "revoked": 0, "resource_calls": 0}


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, req):
        with LOCK:
            STATE["codes"][code] = Code(
                code, req.client.get_client_id(), req.payload.redirect_uri, req.payload.scope,
                req.payload.data.get("code_challenge"), req.payload.data.get("code_challenge_method"))

    def query_authorization_code(self, code, client):
        with LOCK:
            c = STATE["codes"].get(code)
        if c and c.client_id == client.get_client_id():
            return c
        return None

    def delete_authorization_code(self, authorization_code):
        with LOCK:
            STATE["codes"].pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return USER


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        with LOCK:
            t = STATE["refresh"].get(refresh_token)
        if t and not t.revoked:
            return t
        return None

    def authenticate_user(self, credential):
        return credential.get_user()

    def revoke_old_credential(self, credential):
        with LOCK:
            credential.revoked = True


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class JWTBearerGrant(_JWTBearerGrant):
    def resolve_issuer_client(self, issuer):
        return CLIENTS.get("jwt-client") if issuer in STATE["jwt_keys"] else None

    def resolve_client_key(self, client, headers, payload):
        return STATE["jwt_keys"][payload["iss"]]

    def authenticate_user(self, subject):
        return USER

    def has_granted_permission(self, client, user):
        return True


def query_client(client_id):
    return CLIENTS.get(client_id)


def save_token(token, req):
    user = req.user
    client_id = req.client.get_client_id() if req.client else "jwt-client"
    t = Token(dict(token), client_id, user)
    with LOCK:
        STATE["access"][token["access_token"]] = t
        if token.get("refresh_token"):
            STATE["refresh"][token["refresh_token"]] = t


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        with LOCK:
            return STATE["access"].get(token_string)


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        with LOCK:
            return STATE["refresh"].get(token_string) or STATE["access"].get(token_string)

    def revoke_token(self, token, req):
        with LOCK:
            token.revoked = True
            STATS["revoked"] += 1


def create_app():
    app = Flask(__name__)
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {}

    def expires_in(client, grant_type):
        return STATE["expires_in"]

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    from authlib.oauth2.rfc6750 import BearerTokenGenerator

    def gen_access(client, grant_type, user, scope):
        return "at-" + secrets.token_urlsafe(24)

    def gen_refresh(client, grant_type, user, scope):
        return "rt-" + secrets.token_urlsafe(24)

    server.register_token_generator("default", BearerTokenGenerator(gen_access, gen_refresh, expires_in))
    server.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(JWTBearerGrant)
    server.register_endpoint(Revocation)
    protector = ResourceProtector()
    protector.register_token_validator(Validator())

    @app.route("/authorize", methods=["GET"])
    def authorize():
        if request.args.get("test_deny") == "1":
            from authlib.oauth2.rfc6749.errors import AccessDeniedError
            try:
                grant = server.get_consent_grant(end_user=USER)
            except Exception as e:  # invalid client or redirect: the error page
                return server.handle_error_response(request, e)
            return server.create_authorization_response(grant=grant, grant_user=None)
        return server.create_authorization_response(grant_user=USER)

    @app.route("/token", methods=["POST"])
    def token():
        with LOCK:
            STATS["token_requests"] += 1
            g = request.form.get("grant_type", "")
            STATS["by_grant"][g] = STATS["by_grant"].get(g, 0) + 1
            STATS["auth_methods"].append("basic" if request.authorization else ("post" if request.form.get("client_secret") else "none"))
        return server.create_token_response()

    @app.route("/revoke", methods=["POST"])
    def revoke():
        return server.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @app.route("/api/me")
    def me():
        with LOCK:
            STATS["resource_calls"] += 1
        try:
            protector.acquire_token()
        except Exception:
            return jsonify(error="invalid_token"), 401
        return jsonify(USER)

    @app.route("/test/stats")
    def stats():
        with LOCK:
            return jsonify(STATS)

    @app.route("/test/reset", methods=["POST"])
    def reset():
        with LOCK:
            STATS.update({"token_requests": 0, "by_grant": {}, "auth_methods": [], "revoked": 0, "resource_calls": 0})
        return jsonify(ok=True)

    @app.route("/test/jwt-keys", methods=["POST"])
    def jwt_keys():
        body = request.get_json()
        with LOCK:
            STATE["jwt_keys"][body["iss"]] = body["key"]
        return jsonify(ok=True)

    @app.route("/test/revoke-all", methods=["POST"])
    def revoke_all():
        with LOCK:
            for t in list(STATE["refresh"].values()) + list(STATE["access"].values()):
                t.revoked = True
        return jsonify(ok=True)

    @app.route("/test/config", methods=["POST"])
    def config():
        body = request.get_json()
        with LOCK:
            if "expires_in" in body:
                STATE["expires_in"] = int(body["expires_in"])
        return jsonify(ok=True)

    return app


def main():
    # The test process may ignore or block SIGTERM (signal handling of the Swift service lifecycle); a child inherits
    # that, so restore the default or PeerProcess.stop() would wait forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    srv = make_server("127.0.0.1", args.port, create_app(), threaded=True)
    print(f"LISTENING {srv.server_port}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

"""A real OpenID Connect provider for the tests, built on Authlib's server parts (Flask), served
by werkzeug on 127.0.0.1 in a thread.

It runs the whole protocol: discovery, an authorization endpoint that approves the configured
person at once (no login form: the tests are about our side), a token endpoint that checks the
client secret, the PKCE verifier (S256 required) and spends each code once, signed ID tokens
(RS256) with the nonce, a JWKS endpoint, and an end-session endpoint that records the calls.
`misbehave` makes it issue the tokens an attacker or a broken provider would: another
audience, another issuer, an expired token, a wrong nonce, a signature by a key not in its
JWKS; `rotate_key()` signs with a new key under a new `kid`.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

# Authlib's server refuses plain http unless told: the provider lives on 127.0.0.1 only.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

CLIENT_ID = "budget-test"
CLIENT_SECRET = "provider-client-secret-0123456789"


@dataclass
class Client(ClientMixin):  # type: ignore[misc]  # Authlib is untyped
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "email", "profile", "birthdate"}
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):  # type: ignore[misc]  # Authlib is untyped
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class Provider:
    """The running provider; tests set `person`, `misbehave` and read `logouts`."""

    issuer: str = ""
    person: dict[str, Any] = field(default_factory=dict)
    misbehave: str | None = None  # aud | iss | expired | nonce | signature
    end_session: bool = True
    logouts: list[dict[str, str]] = field(default_factory=list)
    codes: dict[str, Code] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    jwks_fetches: int = 0
    redirect_uris: list[str] = field(default_factory=list)

    def rotate_key(self) -> None:
        self.key = RSAKey.generate_key(2048, {"kid": f"k{secrets.token_hex(4)}"})

    def signing_key(self) -> RSAKey:
        if self.misbehave == "signature":  # same kid, another key: the signature fails
            return RSAKey.generate_key(2048, {"kid": str(self.key.kid)})
        return self.key


def build_app(provider: Provider) -> Flask:  # noqa: C901 - the endpoints close over provider
    app = Flask("test-oidc-provider")

    def query_client(client_id: str) -> Client | None:
        if client_id != CLIENT_ID:
            return None
        return Client(CLIENT_ID, CLIENT_SECRET, provider.redirect_uris)

    server = AuthorizationServer(app, query_client=query_client, save_token=lambda t, r: None)

    class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]  # Authlib is untyped
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            provider.codes[code] = Code(
                code=code, client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri, scope=req.scope,
                subject=str(req.user["sub"]), nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                auth_time=int(time.time()),
            )  # fmt: skip

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = provider.codes.get(code)
            return found if found is not None and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            provider.codes.pop(authorization_code.code, None)  # a code works once

        def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
            return provider.person

    class IdToken(OpenIDCode):  # type: ignore[misc]  # Authlib is untyped
        def exists_nonce(self, nonce: str, req: Any) -> bool:
            return False

        def resolve_client_private_key(self, client: Client) -> RSAKey:
            return provider.signing_key()

        def get_client_algorithm(self, client: Client) -> str:
            return "RS256"

        def get_encode_header(self, client: Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": str(provider.key.kid)}

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            now = int(time.time())
            claims: dict[str, Any] = {"iss": provider.issuer, "aud": [client.get_client_id()]}
            if provider.misbehave == "aud":
                claims["aud"] = ["another-client"]
            if provider.misbehave == "iss":
                claims["iss"] = "http://127.0.0.1:1/not-the-issuer"
            if provider.misbehave == "expired":
                claims["iat"], claims["exp"] = now - 7200, now - 3600
            return claims

        def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
            claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
            if provider.misbehave == "nonce":
                claims["nonce"] = "not-the-nonce"
            return claims

        def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
            return UserInfo(**user)

    server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        issuer = provider.issuer
        metadata = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }
        if provider.end_session:
            metadata["end_session_endpoint"] = f"{issuer}/logout"
        return jsonify(metadata)

    @app.get("/jwks")
    def jwks() -> Any:
        provider.jwks_fetches += 1
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize() -> Any:
        grant = server.get_consent_grant(end_user=provider.person)
        return server.create_authorization_response(grant=grant, grant_user=provider.person)

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.get("/logout")
    def logout() -> Any:
        provider.logouts.append(dict(request.args))
        return redirect(request.args.get("post_logout_redirect_uri", "/"))

    return app


@contextmanager
def running_provider(redirect_uris: list[str]) -> Iterator[Provider]:
    """A provider serving on a free port of 127.0.0.1 until the block ends."""
    provider = Provider(redirect_uris=redirect_uris)
    server = make_server("127.0.0.1", 0, build_app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)

"""OpenID Connect relying party on Authlib (SECURITY.md T13): the protocol, not the accounts.

Per provider (config.OidcProvider): discovery from `<issuer>/.well-known/openid-configuration`
(its `issuer` must be the configured one), authorization code flow with PKCE (S256), `state`
and `nonce`. The state is random and remembered server-side as HMAC(state) bound to the
browser (services.oidc); the PKCE verifier and the nonce are derived from the state and the
browser's cookie id under the server's key, so nothing secret is stored and another browser
cannot finish the sign-in. The ID token is checked by Authlib against the provider's JWKS
(fetched once and cached; an unknown `kid` fetches it again, so keys may rotate): signature,
`iss`, `aud` (our client id), `exp`, `iat`, `nonce`, `at_hash`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError

from budget.config import OidcProvider
from budget.domain.errors import SignInRefused
from budget.services.oidc import Claims, parse_birthdate


@dataclass(frozen=True)
class Started:
    url: str


class Providers:
    """The configured providers, each an Authlib client (its metadata and JWKS cached)."""

    def __init__(self, configs: tuple[OidcProvider, ...], base_url: str, key: bytes) -> None:
        self.configs = {config.name: config for config in configs}
        self._base_url = base_url
        self._key = key
        self._oauth = OAuth()
        for config in configs:
            self._oauth.register(
                name=config.name,
                client_id=config.client_id,
                client_secret=config.client_secret,
                server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
                client_kwargs={"scope": config.scopes, "code_challenge_method": "S256"},
            )

    def __contains__(self, name: object) -> bool:
        return name in self.configs

    def redirect_uri(self, name: str) -> str:
        """One callback for every provider (the state row names the provider); `name` is
        kept so that a provider could get its own address without changing the callers."""
        return f"{self._base_url}/login/oidc/callback"

    def digest(self, purpose: str, *parts: str) -> str:
        message = "|".join((purpose, *parts)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _derived(self, purpose: str, state: str, browser: str) -> str:
        raw = hmac.new(self._key, f"{purpose}|{state}|{browser}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(raw.digest()).rstrip(b"=").decode()

    def _client(self, name: str) -> Any:
        return self._oauth.create_client(name)

    async def _metadata(self, name: str) -> dict[str, Any]:
        client = self._client(name)
        try:
            metadata: dict[str, Any] = await client.load_server_metadata()
        except Exception as error:
            raise SignInRefused(reason="the identity provider cannot be reached") from error
        if metadata.get("issuer") != self.configs[name].issuer:
            raise SignInRefused(reason="the provider's issuer is not the configured one")
        return metadata

    async def start(self, name: str, state: str, browser: str) -> Started:
        await self._metadata(name)
        made = await self._client(name).create_authorization_url(
            self.redirect_uri(name),
            state=state,
            code_verifier=self._derived("pkce", state, browser),
            nonce=self._derived("nonce", state, browser),
        )
        return Started(url=made["url"])

    async def finish(self, name: str, code: str, state: str, browser: str) -> Claims:
        """Exchange the code (with the PKCE verifier) and check the ID token; SignInRefused
        names the failed check."""
        await self._metadata(name)
        client = self._client(name)
        try:
            token = await client.fetch_access_token(
                redirect_uri=self.redirect_uri(name),
                code=code,
                code_verifier=self._derived("pkce", state, browser),
            )
        except OAuthError as error:
            raise SignInRefused(reason=f"the provider refused the code ({error.error})") from None
        except Exception as error:
            raise SignInRefused(reason="the identity provider cannot be reached") from error
        if "id_token" not in token:
            raise SignInRefused(reason="the provider sent no ID token")
        try:
            claims = await client.parse_id_token(
                token, nonce=self._derived("nonce", state, browser), leeway=60
            )
        except JoseError as error:
            raise SignInRefused(reason=f"the ID token is not valid ({error.error})") from None
        except ValueError as error:  # no key in the JWKS can check it
            raise SignInRefused(reason="the ID token's key is unknown") from error
        config = self.configs[name]
        email = claims.get("email") if claims.get("email_verified", True) is not False else None
        return Claims(
            provider=name, label=config.label, subject=str(claims["sub"]),
            email=email if isinstance(email, str) else None,
            birthdate=parse_birthdate(claims.get("birthdate")),
            name=claims.get("name") if isinstance(claims.get("name"), str) else None,
        )  # fmt: skip

    async def logout_url(self, name: str, after: str) -> str | None:
        """The provider's end-session address (RP-initiated logout), if it has one."""
        try:
            metadata = await self._metadata(name)
        except SignInRefused:
            return None
        if not metadata.get("end_session_endpoint"):
            return None
        made = await self._client(name).create_logout_url(
            post_logout_redirect_uri=after, client_id=self.configs[name].client_id
        )
        return str(made["url"])

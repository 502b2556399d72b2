"""Single sign-on over HTTP: the OpenID Connect authorization code flow with PKCE, by Authlib.

Authlib reads the provider's discovery document, builds the authorization URL (S256 code
challenge, state, nonce), exchanges the code with the verifier, checks the ID token
(signature against the provider's keys, issuer, audience, expiry, nonce, at_hash) and
reads the userinfo endpoint. What a flow needs between the two legs is stored by
:mod:`kms.services.sso` (in the database, so the callback may reach any replica), and
what the claims make of the person is decided there too.
"""

from __future__ import annotations

import threading
from typing import Any

from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.httpx_client import OAuth2Client

from kms.core.config import Settings

TIMEOUT_S = 10.0


class _Provider(OAuth2Mixin, OpenIDMixin, BaseApp):
    """Authlib's OAuth 2 + OpenID client, without a web framework's session: the flow's
    state is stored by our own service instead."""

    client_cls = OAuth2Client


class OIDCClient:
    """One per process; the provider's metadata and keys are fetched once, then cached."""

    def __init__(self, settings: Settings) -> None:
        issuer = settings.oidc_issuer.rstrip("/")
        self.issuer = issuer
        self._app = _Provider(
            framework=None,
            name="kms",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret or None,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": TIMEOUT_S,
            },
        )
        self._lock = threading.Lock()

    def authorization(self, redirect_uri: str) -> dict[str, str]:
        """``url`` to send the browser to, and ``state``, ``code_verifier``, ``nonce``."""
        with self._lock:  # the metadata is loaded once
            self._app.load_server_metadata()
        return dict(self._app.create_authorization_url(redirect_uri))

    def claims(
        self, code: str, redirect_uri: str, code_verifier: str, nonce: str
    ) -> dict[str, Any]:
        """Exchange the code; the checked ID token's claims merged with the userinfo's."""
        token = self._app.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
        )
        id_claims = dict(self._app.parse_id_token(token, nonce=nonce) or {})
        if not id_claims.get("sub"):
            raise ValueError("the provider returned no ID token")
        if "userinfo_endpoint" in self._app.load_server_metadata():
            info = dict(self._app.userinfo(token=token))
            if info.get("sub") != id_claims["sub"]:
                raise ValueError("userinfo is for another subject")
            return {**info, **id_claims}
        return id_claims

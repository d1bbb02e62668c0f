"""Short-lived signed URLs: wandb PUTs run and artifact files to `uploadUrl`, and GETs artifact files
from `directUrl`, without any credentials.

A token is `base64url(json payload) "." base64url(HMAC-SHA256(secret, payload))`; the payload names what
it grants (run and file path, artifact file, ...), the user who asked for it, the id of the API key that
user authenticated with, and an expiry (`ServerConfig.signed_url_seconds`). A signature alone grants
nothing: at use the endpoint re-authorises (server/wandb/endpoints.py: the key must not be revoked, and
the access policy must still allow the user), so revoking the key or leaving the team ends the URL.
Tokens are kept out of the access log (server/logs.py). The secret is created on first use in the
database (`protocol_state`, kind `secret`; the first process to create it wins), so tokens survive a
restart and every replica accepts the tokens any other signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from ...store import Store, User


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, store: Store, ttl: float):
        self.store = store
        self.ttl = ttl
        self._secret: bytes | None = None

    def secret(self) -> bytes:
        if self._secret is None:
            ps = self.store.protocol

            def in_txn(conn: Any) -> str:
                ps.add(conn, "secret", "signer", secrets.token_hex(32))
                return str(ps.get(conn, "secret", "signer"))

            self._secret = bytes.fromhex(self.store.db.write(in_txn))
        return self._secret

    def sign(self, grant: dict[str, Any], principal: User) -> str:
        """A token for `grant` (what it allows), on behalf of `principal` and its key, expiring."""
        doc = {**grant, "u": principal.name, "kid": principal.key_id, "x": time.time() + self.ttl}
        payload = json.dumps(doc, separators=(",", ":")).encode()
        mac = hmac.new(self.secret(), payload, hashlib.sha256).digest()
        return f"{_b64(payload)}.{_b64(mac)}"

    def verify(self, token: str) -> dict[str, Any] | None:
        """The payload of a valid, unexpired token, else None."""
        head, _, tail = token.partition(".")
        try:
            payload, mac = _unb64(head), _unb64(tail)
        except ValueError:
            return None
        if not hmac.compare_digest(mac, hmac.new(self.secret(), payload, hashlib.sha256).digest()):
            return None
        try:
            doc = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(doc, dict) or float(doc.get("x") or 0) < time.time():
            return None
        return doc

"""Safe by default: cross-site request protection for every form, a token when listening beyond this computer,
and a Host check so that a web page elsewhere cannot reach the hub through a rebound DNS name."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
SESSION_COOKIE = "hub_session"
TOKEN_COOKIE = "hub_token"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class Guard:
    """One secret per server start: session tokens for forms, and the access token when one is needed."""

    def __init__(self, *, needs_token: bool) -> None:
        self.secret = secrets.token_bytes(32)
        self.access_token = secrets.token_urlsafe(24) if needs_token else None

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(24)

    def csrf_token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str | None, token: str | None) -> bool:
        return bool(session and token) and hmac.compare_digest(self.csrf_token(session or ""), token or "")

    def token_ok(self, given: str | None) -> bool:
        return self.access_token is None or (given is not None and hmac.compare_digest(given, self.access_token))


def same_origin(origin: str | None, referer: str | None, host: str | None, scheme: str) -> bool:
    """A form post must say where it came from (browsers send Origin), and that must be this hub."""
    claimed = origin if origin and origin != "null" else referer
    if not claimed or not host:
        return False
    parts = urlsplit(claimed)
    return parts.scheme == scheme and parts.netloc == host


def host_allowed(host: str | None, *, local_only: bool) -> bool:
    """On 127.0.0.1 only local names are answered (a DNS-rebinding page names its own host)."""
    if not local_only:
        return True
    if not host:
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]") in LOCAL_HOSTS

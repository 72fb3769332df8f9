"""Bearer tokens: verifying them (PyJWT) against the configured issuer, and the local default.

A token's claims name the caller (`sub`), its roles and, for customers, the accounts it may act
for. With an identity provider configured (issuer plus a JWKS URL, a JWKS file or a public key)
the service only verifies. With none, it signs tokens itself with a key created once under
`.local/auth/`, so a fresh clone works with no configuration (`macd token --role ROLE`).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from schema.context import Caller
from service.settings import LOCAL_ISSUER, AuthSettings

LOCAL_ALGORITHM = "ES256"
LOCAL_KEY_ID = "macd-local-1"
DEFAULT_TTL_SECONDS = 12 * 3600


class AuthenticationError(Exception):
    """No token, or one that does not verify; the message says which and reaches the client."""


class TokenIssueError(RuntimeError):
    """Tokens cannot be signed here: an identity provider is configured and issues them."""


def generate_signing_key(path: Path) -> None:
    """Write a new P-256 private key to `path` (mode 0600) unless one is already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    try:
        os.link(temporary, path)  # atomic and never replaces a key another process created first
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def local_signing_key(settings: AuthSettings) -> ec.EllipticCurvePrivateKey:
    """The local default's private key, created on first use."""
    path = settings.local_key_file
    if not path.exists():
        generate_signing_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TokenIssueError(f"{path} does not hold an EC private key")
    return key


def issue_local_token(
    settings: AuthSettings,
    roles: Sequence[str],
    accounts: Sequence[str] = (),
    subject: str | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    """A token signed with the local key; refused when an identity provider is configured."""
    if not settings.local:
        raise TokenIssueError(
            f"tokens come from the identity provider {settings.issuer} (MACD_AUTH_ISSUER is set); "
            "this service only verifies them"
        )
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": LOCAL_ISSUER,
        "aud": settings.audience,
        "sub": subject or f"local-{'-'.join(roles) or 'nobody'}",
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        settings.roles_claim: list(roles),
        settings.accounts_claim: list(accounts),
    }
    return jwt.encode(claims, local_signing_key(settings), algorithm=LOCAL_ALGORITHM,
                      headers={"kid": LOCAL_KEY_ID})


def claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name; a dotted name (Keycloak's `realm_access.roles`) walks nested objects."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(v for v in value.replace(",", " ").split() if v)
    if isinstance(value, Iterable):
        return frozenset(str(v) for v in value if isinstance(v, (str, int)) and str(v))
    return frozenset()


@dataclass
class TokenVerifier:
    """Checks signature, issuer, audience and lifetime, and turns the claims into a Caller."""

    settings: AuthSettings
    _key: Any = None
    _jwks: jwt.PyJWKSet | None = None
    _jwks_client: jwt.PyJWKClient | None = None

    def __post_init__(self) -> None:
        s = self.settings
        if s.local:
            self._key = local_signing_key(s).public_key()
        elif s.jwks_url:
            self._jwks_client = jwt.PyJWKClient(s.jwks_url, cache_keys=True, lifespan=300, timeout=5)
        elif s.jwks_file:
            self._jwks = jwt.PyJWKSet.from_json(s.jwks_file.read_text())
        elif s.public_key_file:
            self._key = serialization.load_pem_public_key(s.public_key_file.read_bytes())
        else:
            raise ValueError(
                "MACD_AUTH_ISSUER is set but no key: set MACD_AUTH_JWKS_URL, MACD_AUTH_JWKS_FILE "
                "or MACD_AUTH_PUBLIC_KEY_FILE"
            )

    @property
    def algorithms(self) -> list[str]:
        return [LOCAL_ALGORITHM] if self.settings.local else list(self.settings.algorithms)

    def _key_for(self, token: str) -> Any:
        if self._key is not None:
            return self._key
        if self._jwks_client is not None:
            return self._jwks_client.get_signing_key_from_jwt(token).key
        assert self._jwks is not None
        kid = jwt.get_unverified_header(token).get("kid")
        for candidate in self._jwks.keys:
            if kid is None or candidate.key_id == kid:
                return candidate.key
        raise jwt.InvalidKeyError(f"no key with id {kid} in the configured key set")

    def verify(self, token: str) -> Caller:
        """The caller a token names; AuthenticationError says why when it does not verify."""
        s = self.settings
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=self.algorithms,
                audience=s.audience,
                issuer=s.expected_issuer,
                leeway=s.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWKClientError as exc:
            raise AuthenticationError(f"Invalid bearer token: the signing keys could not be read ({exc})") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError(f"Invalid bearer token: {exc}") from exc
        caller_id = claim(claims, s.caller_claim)
        if not isinstance(caller_id, str) or not caller_id:
            raise AuthenticationError(f"Invalid bearer token: claim {s.caller_claim} names no caller")
        return Caller(
            id=caller_id,
            roles=_strings(claim(claims, s.roles_claim)),
            accounts=_strings(claim(claims, s.accounts_claim)),
        )

    async def verify_header(self, authorization: str | None) -> Caller:
        """The caller of an `Authorization: Bearer …` header value."""
        if not authorization:
            raise AuthenticationError(
                "Authentication required: send 'Authorization: Bearer <token>' "
                "(with no identity provider configured, `macd token --role ROLE` prints one)"
            )
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("Authentication required: the Authorization header must be 'Bearer <token>'")
        if self._jwks_client is not None:
            return await asyncio.to_thread(self.verify, token)  # may fetch the key set over HTTP
        return self.verify(token)


@dataclass(frozen=True)
class Persona:
    """A demo caller the local default offers in GraphiQL and the explorer."""

    label: str
    roles: tuple[str, ...]
    accounts: tuple[str, ...] = ()
    subject: str | None = None


def demo_personas() -> list[Persona]:
    """One persona per role, and a customer for each of the first demo accounts."""
    from installed_base.demo import demo_text

    personas = [
        Persona("Admin (everything)", ("admin",), subject="demo-admin"),
        Persona("Agent (capture for any account)", ("agent",), subject="demo-agent"),
        Persona("Approver", ("approver",), subject="demo-approver"),
        Persona("Fulfillment", ("fulfillment",), subject="demo-fulfillment"),
        Persona("Catalog", ("catalog",), subject="demo-catalog"),
        Persona("Viewer (read only)", ("viewer",), subject="demo-viewer"),
    ]
    accounts = json.loads(demo_text()).get("accounts", [])
    for account in accounts[:2]:
        personas.append(
            Persona(f"Customer of {account['name']} ({account['id']})", ("customer",), (account["id"],),
                    subject=f"demo-customer-{account['id']}")
        )
    return personas


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def offers_personas(settings: AuthSettings, client_host: str | None) -> bool:
    """Whether a client at `client_host` is handed the demo personas: only in the local default, and
    by default only to clients on this machine (`MACD_AUTH_PERSONAS`)."""
    if not settings.local or settings.personas == "off":
        return False
    if settings.personas == "any":
        return True
    return client_host is not None and (client_host in LOOPBACK_HOSTS or client_host.startswith("127."))


def persona_tokens(settings: AuthSettings, client_host: str | None) -> list[dict[str, str]]:
    """`[{label, token}]` for the demo personas when `offers_personas`; empty otherwise (always with
    an identity provider)."""
    if not offers_personas(settings, client_host):
        return []
    return [
        {"label": p.label, "token": issue_local_token(settings, p.roles, p.accounts, p.subject)}
        for p in demo_personas()
    ]


def jwks_of_local_key(settings: AuthSettings) -> str:
    """The local key's public half as a JWKS document (handy for trying the issuer settings)."""
    public = jwt.algorithms.ECAlgorithm.to_jwk(local_signing_key(settings).public_key(), as_dict=True)
    public.update({"kid": LOCAL_KEY_ID, "use": "sig", "alg": LOCAL_ALGORITHM})
    return json.dumps({"keys": [public]})

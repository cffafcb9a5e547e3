"""PII at rest: AES-GCM encryption, keyed hashes for lookup, masking for display."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@lru_cache(maxsize=16)
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=b"vetbot", info=purpose).derive(secret.encode())


@lru_cache(maxsize=16)
def _aead(secret: str) -> AESGCM:
    """The cipher for a secret (built once: key setup costs more than a short message)."""
    return AESGCM(_derive(secret, b"pii-enc"))


class UnreadableSecret(ValueError):
    """A value sealed under a key that is neither the current nor a previous one."""


@dataclass(frozen=True)
class PiiVault:
    """Encrypts and hashes personal data with keys derived from VETBOT_SECRET_KEY.

    ``previous`` holds the keys of before a rotation (``vetbot keys rotate``): values
    sealed under them still open, and lookup codes hashed under them still match,
    while new values are always sealed under ``secret``."""

    secret: str
    previous: tuple[str, ...] = ()

    def encrypt(self, plain: str | None) -> str | None:
        if not plain:
            return None
        nonce = os.urandom(12)
        sealed = _aead(self.secret).encrypt(nonce, plain.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str | None) -> str | None:
        if not token:
            return None
        raw = base64.urlsafe_b64decode(token.encode())
        for secret in (self.secret, *self.previous):
            try:
                return _aead(secret).decrypt(raw[:12], raw[12:], None).decode()
            except InvalidTag:
                continue
        raise UnreadableSecret("sealed under an unknown key (set VETBOT_SECRET_KEY_PREVIOUS?)")

    def hash(self, value: str | None) -> str | None:
        """Keyed hash for matching (same person?) without storing the value."""
        return _keyed_hash(self.secret, value)

    def matches(self, value: str | None, stored: str | None) -> bool:
        """Does ``value`` hash to ``stored`` under the current or a previous key?"""
        if not value or not stored:
            return False
        return any(
            hmac.compare_digest(stored, _keyed_hash(secret, value) or "")
            for secret in (self.secret, *self.previous)
        )


def _keyed_hash(secret: str, value: str | None) -> str | None:
    if not value:
        return None
    canonical = re.sub(r"\s+", "", value).upper()
    return hmac.new(_derive(secret, b"pii-hash"), canonical.encode(), hashlib.sha256).hexdigest()


def mask_id(value: str | None) -> str:
    """110***********1234"""
    if not value:
        return ""
    return (
        value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]
        if len(value) > 7
        else "*" * len(value)
    )


def mask_phone(value: str | None) -> str:
    """138****5678"""
    if not value:
        return ""
    digits = value.strip()
    return (
        digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:]
        if len(digits) > 7
        else "*" * len(digits)
    )


def mask_name(value: str | None) -> str:
    """张*明 / 李*"""
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


_ID_LIKE = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8,9})([0-9]{2}[0-9Xx])(?![0-9])")
_PHONE_LIKE = re.compile(
    r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])|(?<![0-9])(0[0-9]{2,3}-?)([0-9]{3,4})([0-9]{4})(?![0-9])"
)


_LOOKUP_CODE = re.compile(r"(查询码[：:]\s*)[A-Za-z0-9]{4,12}")


def redact(text: str, public: Collection[str] = ()) -> str:
    """Mask ID-card and phone numbers (and petition lookup codes) inside free text
    before it is stored or logged. ``public`` numbers (digits only: the stations' and
    bureaus' published phones from config/regions.yaml) are left as they are."""
    text = _LOOKUP_CODE.sub(lambda m: m.group(1) + "******", text)
    text = _ID_LIKE.sub(lambda m: mask_id(m.group(0)), text)

    def phone(m: re.Match[str]) -> str:
        found = m.group(0)
        return found if digits_only(found) in public else mask_phone(found)

    return _PHONE_LIKE.sub(phone, text)


def digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@lru_cache(maxsize=8)
def public_numbers(texts: tuple[str, ...]) -> frozenset[str]:
    """The phone numbers inside published texts, digits only (for ``redact(public=…)``)."""
    return frozenset(digits_only(m.group(0)) for t in texts for m in _PHONE_LIKE.finditer(t))

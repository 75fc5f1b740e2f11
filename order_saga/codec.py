"""Payloads encrypted before they leave the process: the server stores only ciphertext.

AES-GCM (from `cryptography`) with a 96-bit random nonce per payload; the key id travels in
the payload's metadata and is bound to the ciphertext as associated data. The first key
encrypts; every key decrypts, so keys rotate by putting a new one first and keeping the old
ones until no history needs them. Search attributes and summaries are not payloads of this
codec: they carry no address and no payment data.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class CodecKeyError(ValueError):
    """The configured keys are malformed, or a payload names a key that is not configured."""


def parse_keys(text: str) -> dict[str, bytes]:
    """`PAYLOAD_KEYS`: `id:base64key,id:base64key`, the first the one that encrypts; each key
    16, 24 or 32 bytes (AES-128/192/256)."""
    keys: dict[str, bytes] = {}
    # An error names the entry by its place, never by its text: a key missing its `id:` would
    # print the key itself.
    entries = [e.strip() for e in text.split(",") if e.strip()]
    for place, entry in enumerate(entries, start=1):
        key_id, _, encoded = entry.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as err:
            raise CodecKeyError(f"PAYLOAD_KEYS: entry {place}'s key is not base64") from err
        if not key_id or len(key) not in (16, 24, 32):
            raise CodecKeyError(
                f"PAYLOAD_KEYS: entry {place}: expected id:base64 of 16, 24 or 32 bytes, got "
                f"{len(key)} bytes" + ("" if encoded else " (no `id:`?)")
            )
        keys[key_id] = key
    if not keys:
        raise CodecKeyError("PAYLOAD_KEYS names no key")
    return keys


def new_key() -> str:
    """A fresh 256-bit key, base64, for PAYLOAD_KEYS."""
    return base64.b64encode(os.urandom(32)).decode()


class EncryptionCodec(PayloadCodec):
    """Encrypts with the first key, decrypts with whichever key a payload names."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        self._current = next(iter(keys))
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Each payload, serialized whole (metadata included), as ciphertext."""
        cipher, key_id = self._ciphers[self._current], self._current.encode()
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), key_id)
            encoded.append(
                Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Ciphertext back to the payload; anything not encrypted passes through."""
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise CodecKeyError(f"payload encrypted with key {key_id!r}, not configured")
            nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            decoded.append(Payload.FromString(cipher.decrypt(nonce, sealed, key_id.encode())))
        return decoded


class KeylessCodec(PayloadCodec):
    """A reader's codec without PAYLOAD_KEYS: payloads pass as they are, and an encrypted one
    is refused naming the setting (the converter alone fails with a KeyError deep in a
    traceback)."""

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Nothing to encrypt with."""
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Plain payloads pass; an encrypted one needs the deployment's keys."""
        if any(p.metadata.get("encoding") == ENCODING for p in payloads):
            raise CodecKeyError(
                "this deployment's workers encrypt payloads: set PAYLOAD_KEYS to their keys"
            )
        return list(payloads)
